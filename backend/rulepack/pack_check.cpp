// Checks a whole rule pack document (pack_check.hpp). Nothing here resolves a version: every
// version, dated value and matrix change is checked, so a value no version reaches or a change
// that does not apply is found before anyone runs the draft.
#include "backend/rulepack/pack_check.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "backend/engine/engine.hpp"
#include "kvittens/time.hpp"
#include "model/suggest.hpp"

namespace kvittens::backend {
namespace {

using Node = YAML::Node;

std::string list_of(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool is_state(const std::string& s) {
  return s == "+" || s == "-" || s == "?";
}

class Checker {
 public:
  explicit Checker(std::string file) : file_(std::move(file)) {}

  std::vector<PackProblem> run(const Node& root) {
    if (!root.IsMap()) {
      error(root, "expected a rule pack: a map with pack, service, versions, clauses, insatser");
      return std::move(problems_);
    }
    map(root,
        {"pack", "service", "document", "issuer", "seed", "versions", "clauses", "parameters",
         "insatser", "matrix", "interpretations"},
        {"pack", "service", "document", "seed", "versions", "clauses", "insatser"}, "rule pack");
    if (const auto n = root["pack"]) {
      const auto name = text(n, "pack name", true);
      // The name is what `--rules NAME@VERSION` and stamps carry.
      if (name && name->find_first_of("@/ \t") != std::string::npos)
        error(n, "pack name '" + *name + "' may not contain '@', '/' or spaces");
    }
    std::optional<ServiceType> service;
    if (const auto n = root["service"]) {
      if (const auto s = choice(n, {"hemtjanst", "boendestod"}, "service"))
        service = *s == "hemtjanst" ? ServiceType::Hemtjanst : ServiceType::Boendestod;
    }
    for (const char* key : {"document", "issuer", "seed"})
      if (const auto n = root[key]) text(n, key, true);
    if (const auto n = root["versions"]) versions(n);
    if (const auto n = root["clauses"]) clauses(n, service);
    if (const auto n = root["parameters"]) parameters(n);
    if (service) engine_parameters(root, *service);
    if (const auto n = root["insatser"]) insatser(n);
    if (const auto n = root["matrix"]) matrix(n);
    if (const auto n = root["interpretations"]) interpretations(n);
    return std::move(problems_);
  }

 private:
  void error(const Node& at, const std::string& message) {
    const auto m = at.Mark();
    // A node without a mark (yaml-cpp gives -1) is placed at the file's start.
    problems_.push_back(
        {file_, m.line < 0 ? 1 : m.line + 1, m.column < 0 ? 1 : m.column + 1, message});
  }

  // `node` must be a map whose keys are in `allowed`, none twice, with every `required` key.
  // False when it is not a map at all (its keys cannot be read).
  bool map(const Node& node, const std::vector<std::string>& allowed,
           const std::vector<std::string>& required, const std::string& what) {
    if (!node.IsMap()) {
      error(node, "expected " + what + " as a map of keys (" + list_of(allowed) + ")");
      return false;
    }
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) {
        error(kv.first, "expected a plain key in " + what);
        continue;
      }
      const auto key = kv.first.Scalar();
      if (!contains(allowed, key))
        error(kv.first, "unknown key '" + key + "' in " + what + did_you_mean(key, allowed) +
                            " (expected one of: " + list_of(allowed) + ")");
      else if (!seen.insert(key).second)
        error(kv.first, "key '" + key + "' given twice in " + what);
    }
    for (const auto& r : required)
      if (!seen.count(r)) error(node, "missing '" + r + "' in " + what);
    return true;
  }

  std::optional<std::string> text(const Node& node, const std::string& what,
                                  bool nonempty = false) {
    if (!node.IsScalar()) {
      error(node, "expected " + what + " as text");
      return std::nullopt;
    }
    if (nonempty && node.Scalar().empty()) {
      error(node, "expected " + what + ", got empty text");
      return std::nullopt;
    }
    return node.Scalar();
  }

  // One of `choices`; `owner` names what the value belongs to ("insats 'Dusch'").
  std::optional<std::string> choice(const Node& node, const std::vector<std::string>& choices,
                                    const std::string& what, const std::string& owner = "") {
    const auto s = text(node, owner.empty() ? what : what + " of " + owner);
    if (!s) return std::nullopt;
    if (contains(choices, *s)) return s;
    error(node, "unknown " + what + " '" + *s + "'" + (owner.empty() ? "" : " in " + owner) +
                    did_you_mean(*s, choices) + " (expected one of: " + list_of(choices) + ")");
    return std::nullopt;
  }

  std::optional<bool> boolean(const Node& node, const std::string& what) {
    const auto s = text(node, what);
    if (!s) return std::nullopt;
    if (*s == "true" || *s == "false") return *s == "true";
    error(node, "expected " + what + " as true or false, got '" + *s + "'");
    return std::nullopt;
  }

  // Read as an int, as the loader reads it.
  std::optional<int> whole(const Node& node, const std::string& what) {
    const auto s = text(node, what);
    if (!s) return std::nullopt;
    int v = 0;
    const auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    if (s->empty() || ec != std::errc{} || end != s->data() + s->size() || v < 0) {
      error(node, "expected " + what + " as a whole number from 0 up, got '" + *s + "'");
      return std::nullopt;
    }
    return v;
  }

  // A real calendar date, written YYYY-MM-DD: "2026-7-1" and "2026-13-01" are not.
  std::optional<std::string> date(const Node& node, const std::string& what) {
    const auto s = text(node, what);
    if (!s) return std::nullopt;
    try {
      (void)parse_date(*s);
    } catch (const std::exception&) {
      error(node, "expected " + what + " as a date YYYY-MM-DD, got '" + *s + "'");
      return std::nullopt;
    }
    return s;
  }

  void known_clause(const Node& node, const std::string& what) {
    const auto id = text(node, what + "'s clause", true);
    if (id && !contains(clause_ids_, *id))
      error(node, what + " cites unknown clause '" + *id + "'" + did_you_mean(*id, clause_ids_));
  }

  // A dated entry no version reaches would silently never apply.
  void reached(const Node& at, const std::string& date, const std::string& what) {
    if (!versions_readable_ || newest_effective_.empty() || date <= newest_effective_) return;
    error(at, what + " dated " + date + " is never applied: no version takes effect on or after " +
                  "it (the newest, '" + newest_version_ + "', on " + newest_effective_ +
                  "); add a version");
  }

  void versions(const Node& n) {
    if (!n.IsSequence() || n.size() == 0) {
      error(n, "expected versions as a non-empty list of {version, effective, note}");
      return;
    }
    std::set<std::string> names;
    std::string previous, previous_name;
    for (const auto& v : n) {
      if (!map(v, {"version", "effective", "note"}, {"version", "effective"}, "a version"))
        continue;
      std::optional<std::string> name;
      if (v["version"]) {
        name = text(v["version"], "version", true);
        if (name && !names.insert(*name).second)
          error(v["version"], "version '" + *name + "' listed twice");
      }
      if (v["note"]) text(v["note"], "note");
      if (!v["effective"]) continue;
      const auto effective = date(v["effective"], "effective");
      if (!effective) {
        // Which dated values a version reaches cannot be told: say nothing about them.
        versions_readable_ = false;
        continue;
      }
      versions_.emplace_back(name.value_or("?"), *effective);
      // Selecting no version means the newest, which is the last one listed.
      if (!previous.empty() && *effective <= previous)
        error(v["effective"], "version '" + name.value_or("?") + "' takes effect " + *effective +
                                  ", not after version '" + previous_name + "' (" + previous +
                                  "): list versions oldest first, each on a later date");
      previous = *effective;
      previous_name = name.value_or("?");
      if (*effective > newest_effective_) {
        newest_effective_ = *effective;
        newest_version_ = previous_name;
      }
    }
  }

  void clauses(const Node& n, std::optional<ServiceType> service) {
    if (!n.IsMap()) {
      error(n, "expected clauses as a map: clause id -> {title, statement}");
      return;
    }
    for (const auto& kv : n) {
      const auto id = text(kv.first, "clause id", true);
      if (!id) continue;
      // A decision's trace keeps a clause id's length in one byte (include/kvittens/trace.hpp).
      if (id->size() > 255)
        error(kv.first, "clause id of " + std::to_string(id->size()) + " bytes; at most 255");
      if (contains(clause_ids_, *id)) error(kv.first, "clause '" + *id + "' listed twice");
      clause_ids_.push_back(*id);
      const std::string what = "clause '" + *id + "'";
      if (!map(kv.second, {"title", "statement"}, {"title", "statement"}, what)) continue;
      if (kv.second["title"]) text(kv.second["title"], "the title of " + what, true);
      if (kv.second["statement"]) text(kv.second["statement"], "the statement of " + what, true);
    }
    if (!service) return;
    std::vector<std::string> missing;
    for (const auto& id : registered_clauses(*service))
      if (!contains(clause_ids_, id)) missing.push_back("'" + id + "'");
    const std::string service_name =
        *service == ServiceType::Hemtjanst ? "hemtjanst" : "boendestod";
    if (missing.size() == 1)
      error(n, "no clause " + missing[0] + ": the engine cites it in " + service_name +
                   " decisions; add it with a title and a statement");
    else if (!missing.empty())
      error(n, "no clauses " + list_of(missing) + ": the engine cites them in " + service_name +
                   " decisions; add each with a title and a statement");
  }

  void value(const Node& v, ParameterUnit unit, const std::string& what) {
    const auto s = text(v, "the value of " + what);
    if (!s || parse_parameter_value(unit, *s)) return;
    const std::string head = what + " (unit " + std::string(unit_name(unit)) + "): expected ";
    if (unit == ParameterUnit::Bool)
      error(v, head + "true or false, got '" + *s + "'");
    else if (unit == ParameterUnit::Ratio)
      error(v, head + "a number from 0 to 1, got '" + *s + "'");
    else
      error(v, head + "a whole number of " + std::string(unit_name(unit)) + " from 0 to " +
                   std::to_string(unit_max(unit)) + ", got '" + *s + "'");
  }

  void parameters(const Node& n) {
    if (!n.IsMap()) {
      error(n, "expected parameters as a map: name -> {clause, description, unit, values}");
      return;
    }
    for (const auto& kv : n) {
      const auto name = text(kv.first, "parameter name", true);
      if (!name) continue;
      const std::string what = "parameter '" + *name + "'";
      const auto& p = kv.second;
      if (!map(p, {"clause", "description", "unit", "values"},
               {"clause", "description", "unit", "values"}, what))
        continue;
      if (p["clause"]) known_clause(p["clause"], what);
      if (p["description"]) text(p["description"], "the description of " + what);
      std::optional<std::string> unit;
      if (p["unit"]) unit = choice(p["unit"], parameter_units(), "unit", what);
      const auto values = p["values"];
      // Declared, whatever its values: a parameter missing them is not also "no parameter".
      declared_parameters_.push_back({*name, kv.first, p["unit"], values, unit, {}, false});
      if (!values) continue;
      if (!values.IsMap() || values.size() == 0) {
        error(values, "expected the values of " + what + " as dated values {YYYY-MM-DD: value}");
        continue;
      }
      std::set<std::string> dates;
      bool dates_readable = true;
      std::string previous_value;
      for (const auto& dv : values) {
        // `{2025-10-15: 0,15}` reads as the value 0 and a key 15 without a value: a decimal
        // comma, said as such rather than as a bad date and a missing value.
        if (dv.first.IsScalar() && dv.second.IsNull() && !previous_value.empty() &&
            !dv.first.Scalar().empty() &&
            dv.first.Scalar().find_first_not_of("0123456789") == std::string::npos) {
          error(dv.first, "the values of " + what + " read '" + previous_value + "," +
                              dv.first.Scalar() + "': write a decimal number with a point (" +
                              previous_value + "." + dv.first.Scalar() + ")");
          dates_readable = false;
          previous_value.clear();
          continue;
        }
        previous_value = dv.second.IsScalar() ? dv.second.Scalar() : "";
        const auto d = date(dv.first, "the date a value of " + what + " takes effect");
        dates_readable = dates_readable && d;
        if (d) {
          if (!dates.insert(*d).second) error(dv.first, what + " has two values dated " + *d);
          reached(dv.first, *d, "the value of " + what);
        }
        if (unit)
          value(dv.second, *parse_unit(*unit), what);
        else
          text(dv.second, "the value of " + what);
      }
      if (dates_readable) {
        declared_parameters_.back().dates = dates;
        declared_parameters_.back().dates_readable = true;
      }
    }
  }

  // The pack against the parameters the engine reads for its service (engine.hpp): each one
  // declared in the unit the engine reads it in, a required one with a value at every
  // version; a parameter the engine does not read is an error, since its values would
  // change nothing.
  void engine_parameters(const Node& root, ServiceType service) {
    const std::string service_name = service == ServiceType::Hemtjanst ? "hemtjanst" : "boendestod";
    std::vector<std::string> read;
    for (const auto& r : parameter_registry())
      if (r.service == service) read.emplace_back(r.name);
    for (const auto& d : declared_parameters_) {
      const auto* r = registered_parameter(service, d.name);
      const std::string what = "parameter '" + d.name + "'";
      if (!r) {
        error(d.key, what + " is not read by the engine in " + service_name +
                         " decisions, so its values would change nothing" +
                         did_you_mean(d.name, read) + " (it reads: " + list_of(read) + ")");
        continue;
      }
      const auto wanted = std::string(unit_name(r->unit));
      if (d.unit && *d.unit != wanted) {
        error(d.unit_node,
              what + " has unit '" + *d.unit + "', but the engine reads it in " + wanted);
        continue;
      }
      if (!r->required || !d.dates_readable || !versions_readable_) continue;
      for (const auto& [version, effective] : versions_) {
        if (!d.dates.empty() && *d.dates.begin() <= effective) continue;
        error(d.values, what + " has no value in force at version '" + version + "' (effective " +
                            effective + "); the engine reads it in every " + service_name +
                            " decision: date a value on or before " + effective);
        break;  // the later versions lack it for the same reason
      }
    }
    std::vector<std::string> missing;
    for (const auto& r : parameter_registry()) {
      if (r.service != service || !r.required) continue;
      const bool declared = std::any_of(declared_parameters_.begin(), declared_parameters_.end(),
                                        [&](const auto& d) { return d.name == r.name; });
      if (!declared)
        missing.push_back("'" + std::string(r.name) + "' (" + std::string(unit_name(r.unit)) + ")");
    }
    const Node at = root["parameters"] ? root["parameters"] : root;
    if (missing.size() == 1)
      error(at, "no parameter " + missing[0] + ": the engine reads it in " + service_name +
                    " decisions; add it with its clause, description, unit and dated values");
    else if (!missing.empty())
      error(at, "no parameters " + list_of(missing) + ": the engine reads them in " + service_name +
                    " decisions; add each with its clause, description, unit and " +
                    "dated values");
  }

  void insatser(const Node& n) {
    if (!n.IsSequence() || n.size() == 0) {
      error(n, "expected insatser as a non-empty list of {name, category, ...}");
      return;
    }
    std::vector<std::pair<Node, std::string>> requires_;
    for (const auto& i : n) {
      if (!map(i,
               {"name", "category", "fee", "receipt_exception", "pickup", "cap", "requires",
                "omstallning", "withdrawn"},
               {"name", "category"}, "an insats"))
        continue;
      std::string what = "an insats";
      if (i["name"]) {
        if (const auto name = text(i["name"], "insats name", true)) {
          if (contains(insats_names_, *name))
            error(i["name"], "insats '" + *name + "' listed twice");
          insats_names_.push_back(*name);
          what = "insats '" + *name + "'";
        }
      }
      if (i["category"])
        choice(i["category"], {"care", "service", "errand", "accompany", "remote", "provider"},
               "category", what);
      for (const char* flag : {"fee", "pickup", "omstallning"})
        if (i[flag]) boolean(i[flag], std::string(flag) + " of " + what);
      if (i["receipt_exception"])
        choice(i["receipt_exception"], {"start", "end", "both", "always"}, "receipt_exception",
               what);
      if (i["withdrawn"]) known_clause(i["withdrawn"], what + " (withdrawn)");
      if (i["requires"]) {
        if (const auto r = text(i["requires"], "requires of " + what, true))
          requires_.emplace_back(i["requires"], *r);
      }
      if (const auto cap = i["cap"]) {
        if (map(cap, {"minutes", "per", "once"}, {"per"}, "the cap of " + what)) {
          if (cap["minutes"]) whole(cap["minutes"], "cap minutes of " + what);
          if (cap["per"]) choice(cap["per"], {"customer", "customer_year"}, "cap per", what);
          if (cap["once"]) boolean(cap["once"], "cap once of " + what);
        }
      }
    }
    for (const auto& [at, r] : requires_) {
      if (r == "lock") continue;
      if (r.rfind("order:", 0) == 0) {
        const auto other = r.substr(6);
        if (!contains(insats_names_, other))
          error(at, "requires an order of unknown insats '" + other + "'" +
                        did_you_mean(other, insats_names_));
        continue;
      }
      error(at, "expected requires as 'lock' or 'order:INSATS', got '" + r + "'");
    }
  }

  void matrix(const Node& m) {
    if (!map(m, {"columns", "rows", "changes"}, {"columns", "rows"}, "the matrix")) return;
    std::vector<std::string> columns;
    bool ok = true;
    if (const auto cols = m["columns"]) {
      if (!cols.IsSequence() || cols.size() == 0) {
        error(cols, "expected matrix columns as a non-empty list of insats names");
        ok = false;
      } else {
        for (const auto& c : cols) {
          const auto name = text(c, "matrix column", true);
          if (!name) {
            ok = false;
            continue;
          }
          if (!contains(insats_names_, *name)) {
            error(c, "matrix column '" + *name + "' is not in the insats catalogue" +
                         did_you_mean(*name, insats_names_));
            ok = false;
          }
          if (contains(columns, *name)) {
            error(c, "matrix column '" + *name + "' listed twice");
            ok = false;
          }
          columns.push_back(*name);
        }
      }
    }
    const std::size_t n = columns.size();
    std::vector<std::string> grid(n);  // grid[r][c]: the state of row r, column c
    std::vector<Node> row_nodes(n);
    std::vector<bool> has_row(n, false);
    if (const auto rows = m["rows"]) {
      if (!rows.IsMap()) {
        error(rows, "expected matrix rows as a map: insats -> one state per column");
        ok = false;
      } else {
        for (const auto& kv : rows) {
          const auto name = text(kv.first, "matrix row name", true);
          if (!name) {
            ok = false;
            continue;
          }
          const auto at = std::find(columns.begin(), columns.end(), *name);
          if (at == columns.end()) {
            error(kv.first, "matrix row '" + *name + "' is not a column of the matrix" +
                                did_you_mean(*name, columns));
            ok = false;
            continue;
          }
          const auto r = static_cast<std::size_t>(at - columns.begin());
          if (has_row[r]) {
            error(kv.first, "matrix row '" + *name + "' given twice");
            ok = false;
            continue;
          }
          has_row[r] = true;
          row_nodes[r] = kv.second;
          const auto cells = text(kv.second, "matrix row '" + *name + "'");
          if (!cells) {
            ok = false;
            continue;
          }
          if (cells->size() != n) {
            error(kv.second, "matrix row '" + *name + "' has " + std::to_string(cells->size()) +
                                 " cells, expected " + std::to_string(n) + " (one per column)");
            ok = false;
            continue;
          }
          for (std::size_t c = 0; c < n; ++c) {
            if (!is_state(std::string(1, (*cells)[c]))) {
              error(kv.second, "matrix row '" + *name + "', column '" + columns[c] + "': '" +
                                   std::string(1, (*cells)[c]) +
                                   "' is no state; expected '+', '-' or '?'");
              ok = false;
            }
          }
          grid[r] = *cells;
        }
        for (std::size_t r = 0; r < n; ++r)
          if (!has_row[r]) {
            error(rows, "matrix has no row for '" + columns[r] + "'");
            ok = false;
          }
      }
    }
    if (ok) {
      for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = r + 1; c < n; ++c)
          if (grid[r][c] != grid[c][r])
            error(row_nodes[r], "matrix is not symmetric: " + columns[r] + " × " + columns[c] +
                                    " is '" + grid[r][c] + "' but " + columns[c] + " × " +
                                    columns[r] + " is '" + grid[c][r] + "'");
    }
    if (const auto changes = m["changes"]) this->changes(changes, columns, ok ? &grid : nullptr);
  }

  struct Cell {
    Node node;
    std::size_t a = 0, b = 0;
    std::string from, to;
  };
  struct Change {
    std::string effective;
    std::vector<Cell> cells;
  };

  // `grid` is the matrix as its rows state it, or null when they did not read: then the cells'
  // `from` cannot be held against anything.
  void changes(const Node& n, const std::vector<std::string>& columns,
               std::vector<std::string>* grid) {
    if (!n.IsSequence()) {
      error(n, "expected matrix changes as a list of {effective, reason, cells}");
      return;
    }
    std::vector<Change> all;
    for (const auto& ch : n) {
      if (!map(ch, {"effective", "reason", "cells"}, {"effective", "cells"}, "a matrix change"))
        continue;
      if (ch["reason"]) text(ch["reason"], "reason");
      std::optional<std::string> effective;
      if (ch["effective"]) {
        effective = date(ch["effective"], "effective");
        if (effective) reached(ch["effective"], *effective, "the matrix change");
      }
      const auto cells = ch["cells"];
      if (!cells) continue;
      if (!cells.IsSequence() || cells.size() == 0) {
        error(cells,
              "expected the cells of a matrix change as a non-empty list of {a, b, from, to}");
        continue;
      }
      Change change{effective.value_or(""), {}};
      for (const auto& cell : cells) {
        if (!map(cell, {"a", "b", "from", "to"}, {"a", "b", "from", "to"}, "a matrix change cell"))
          continue;
        Cell x{cell, 0, 0, "", ""};
        bool ok = true;
        for (const char* side : {"a", "b"}) {
          if (!cell[side]) {
            ok = false;
            continue;
          }
          const auto name = text(cell[side], "matrix change insats", true);
          const auto at = name ? std::find(columns.begin(), columns.end(), *name) : columns.end();
          if (at == columns.end()) {
            if (name)
              error(cell[side], "matrix change names '" + *name +
                                    "', which is not a column of the matrix" +
                                    did_you_mean(*name, columns));
            ok = false;
            continue;
          }
          (std::string(side) == "a" ? x.a : x.b) = static_cast<std::size_t>(at - columns.begin());
        }
        for (const char* side : {"from", "to"}) {
          if (!cell[side]) {
            ok = false;
            continue;
          }
          const auto s = text(cell[side], std::string("matrix change '") + side + "'");
          if (!s || !is_state(*s)) {
            if (s)
              error(cell[side], std::string("expected matrix change '") + side +
                                    "' as a state '+', '-' or '?', got '" + *s + "'");
            ok = false;
            continue;
          }
          (std::string(side) == "from" ? x.from : x.to) = *s;
        }
        if (ok) change.cells.push_back(std::move(x));
      }
      if (effective) all.push_back(std::move(change));
    }
    if (!grid) return;
    // Changes apply in date order, each on the matrix as the earlier ones left it. Sorted by
    // pointer: assigning a YAML::Node writes through to the document it belongs to.
    std::vector<const Change*> order;
    for (const auto& c : all) order.push_back(&c);
    std::stable_sort(order.begin(), order.end(),
                     [](const Change* x, const Change* y) { return x->effective < y->effective; });
    for (const auto* change_ptr : order)
      for (const auto& cell : change_ptr->cells) {
        const Change& change = *change_ptr;
        auto& state = (*grid)[cell.a][cell.b];
        if (std::string(1, state) != cell.from)
          error(std::as_const(cell.node)["from"],
                "matrix change of " + change.effective + ": " + columns[cell.a] + " × " +
                    columns[cell.b] + " is '" + state + "' before it, not '" + cell.from + "'");
        state = cell.to[0];
        (*grid)[cell.b][cell.a] = cell.to[0];
      }
  }

  void interpretations(const Node& n) {
    if (!n.IsSequence()) {
      error(n, "expected interpretations as a list of {id, clause, text}");
      return;
    }
    std::set<std::string> ids;
    for (const auto& i : n) {
      if (!map(i, {"id", "clause", "text"}, {"id", "clause", "text"}, "an interpretation"))
        continue;
      std::string what = "an interpretation";
      if (i["id"]) {
        if (const auto id = text(i["id"], "interpretation id", true)) {
          if (!ids.insert(*id).second) error(i["id"], "interpretation '" + *id + "' listed twice");
          what = "interpretation '" + *id + "'";
        }
      }
      if (i["clause"]) known_clause(i["clause"], what);
      if (i["text"]) text(i["text"], "the text of " + what, true);
    }
  }

  std::string file_;
  std::vector<PackProblem> problems_;
  std::vector<std::string> clause_ids_;
  std::vector<std::string> insats_names_;
  std::string newest_effective_, newest_version_;
  // The versions whose effective date could be read, in the order listed.
  std::vector<std::pair<std::string, std::string>> versions_;
  bool versions_readable_ = true;  // every version's date could be read
  // A parameter as the pack declares it, for the check against the engine's.
  struct DeclaredParameter {
    std::string name;
    Node key, unit_node, values;
    std::optional<std::string> unit;  // a known unit, as written
    std::set<std::string> dates;      // when its values take effect
    bool dates_readable = true;
  };
  std::vector<DeclaredParameter> declared_parameters_;
};

}  // namespace

const std::vector<std::string>& parameter_units() {
  static const std::vector<std::string> units = [] {
    std::vector<std::string> out;
    for (const auto u : {ParameterUnit::Bool, ParameterUnit::Ratio, ParameterUnit::Days,
                         ParameterUnit::Hours, ParameterUnit::Minutes, ParameterUnit::Months})
      out.emplace_back(unit_name(u));
    return out;
  }();
  return units;
}

std::vector<PackProblem> check_pack_document(const YAML::Node& root, const std::string& file) {
  auto problems = Checker(file).run(root);
  std::stable_sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) {
    return std::tie(a.line, a.col) < std::tie(b.line, b.col);
  });
  return problems;
}

std::vector<PackProblem> check_rule_pack_file(const std::filesystem::path& path,
                                              const std::string& display_in) {
  const std::string display = display_in.empty() ? path.string() : display_in;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return {{display, 1, 1, "is a directory"}};
  std::ifstream in(path, std::ios::binary);
  if (!in) return {{display, 1, 1, "cannot read the file"}};
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  YAML::Node root;
  try {
    root = YAML::Load(bytes);
  } catch (const YAML::Exception& e) {
    return {{display, e.mark.line < 0 ? 1 : e.mark.line + 1,
             e.mark.column < 0 ? 1 : e.mark.column + 1, "not valid YAML: " + e.msg}};
  }
  return check_pack_document(root, display);
}

}  // namespace kvittens::backend
