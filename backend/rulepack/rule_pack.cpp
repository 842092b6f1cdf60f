// Reads rules/*.yaml with yaml-cpp, resolving dated values at the selected version.
#include "backend/rulepack/rule_pack.hpp"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "backend/engine/engine.hpp"
#include "backend/rulepack/pack_check.hpp"
#include "kvittens/lock_receipt.hpp"

namespace kvittens::backend {

std::string PackProblem::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + message;
}

namespace {

std::string joined(const std::vector<PackProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "\n") + p.str();
  return out;
}

}  // namespace

RulePackError::RulePackError(std::vector<PackProblem> problems)
    : std::runtime_error(joined(problems)), problems_(std::move(problems)) {}

namespace {

struct Source {
  std::string file;
  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    const auto m = at.Mark();
    std::ostringstream out;
    out << file;
    if (m.line >= 0) out << ':' << m.line + 1 << ':' << m.column + 1;
    out << ": " << what;
    throw RulePackError(out.str());
  }
  YAML::Node need(const YAML::Node& map, const char* key) const {
    const auto n = map[key];
    if (!n) fail(map, std::string("expected key '") + key + "'");
    return n;
  }
  std::string text(const YAML::Node& map, const char* key) const {
    const auto n = need(map, key);
    if (!n.IsScalar()) fail(n, std::string("expected '") + key + "' to be text");
    return n.as<std::string>();
  }
  std::string text_or(const YAML::Node& map, const char* key, std::string fallback) const {
    const auto n = map[key];
    if (!n) return fallback;
    if (!n.IsScalar()) fail(n, std::string("expected '") + key + "' to be text");
    return n.as<std::string>();
  }
};

std::string sha256_hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  return lock_receipt::to_hex(std::span<const std::uint8_t>(md, len));
}

ReceiptException receipt_exception(const Source& src, const YAML::Node& n) {
  const auto v = n.as<std::string>();
  if (v == "start") return ReceiptException::Start;
  if (v == "end") return ReceiptException::End;
  if (v == "both") return ReceiptException::Both;
  if (v == "always") return ReceiptException::Always;
  src.fail(n, "expected receipt_exception start, end, both or always, got '" + v + "'");
}

MatrixState matrix_state(const Source& src, const YAML::Node& at, char c) {
  switch (c) {
    case '+':
      return MatrixState::Combine;
    case '-':
      return MatrixState::Never;
    case '?':
      return MatrixState::Assess;
  }
  src.fail(at, std::string("expected matrix state '+', '-' or '?', got '") + c + "'");
}

}  // namespace

const InsatsInfo* RulePack::insats(std::string_view n) const {
  for (const auto& i : insatser)
    if (i.name == n) return &i;
  return nullptr;
}

const ClauseInfo* RulePack::clause(std::string_view id) const {
  for (const auto& c : clauses)
    if (c.id == id) return &c;
  return nullptr;
}

std::vector<std::string> RulePack::insats_names() const {
  std::vector<std::string> out;
  for (const auto& i : insatser) out.push_back(i.name);
  return out;
}

std::string_view unit_name(ParameterUnit unit) {
  switch (unit) {
    case ParameterUnit::Bool:
      return "bool";
    case ParameterUnit::Ratio:
      return "ratio";
    case ParameterUnit::Days:
      return "days";
    case ParameterUnit::Hours:
      return "hours";
    case ParameterUnit::Minutes:
      return "minutes";
    case ParameterUnit::Months:
      return "months";
  }
  return "?";
}

std::optional<ParameterUnit> parse_unit(std::string_view text) {
  for (const auto u : {ParameterUnit::Bool, ParameterUnit::Ratio, ParameterUnit::Days,
                       ParameterUnit::Hours, ParameterUnit::Minutes, ParameterUnit::Months})
    if (unit_name(u) == text) return u;
  return std::nullopt;
}

long unit_max(ParameterUnit unit) {
  switch (unit) {
    case ParameterUnit::Bool:
      return 1;
    case ParameterUnit::Ratio:
      return 1;
    case ParameterUnit::Days:
      return 100L * 366;
    case ParameterUnit::Hours:
      return 100L * 366 * 24;
    case ParameterUnit::Minutes:
      return 100L * 366 * 24 * 60;
    case ParameterUnit::Months:
      return 100L * 12;
  }
  return 0;
}

std::optional<double> parse_parameter_value(ParameterUnit unit, std::string_view s) {
  const char* const end_of_text = s.data() + s.size();
  if (unit == ParameterUnit::Bool) {
    if (s == "true") return 1.0;
    if (s == "false") return 0.0;
    return std::nullopt;
  }
  if (unit == ParameterUnit::Ratio) {
    double x = 0;
    const auto [end, ec] = std::from_chars(s.data(), end_of_text, x);
    if (s.empty() || ec != std::errc{} || end != end_of_text || !std::isfinite(x) || x < 0 || x > 1)
      return std::nullopt;
    return x;
  }
  long x = 0;
  const auto [end, ec] = std::from_chars(s.data(), end_of_text, x);
  if (s.empty() || ec != std::errc{} || end != end_of_text || x < 0 || x > unit_max(unit))
    return std::nullopt;
  return static_cast<double>(x);
}

MatrixState RulePack::combination(const InsatsInfo& a, const InsatsInfo& b) const {
  if (a.matrix_index < 0 || b.matrix_index < 0) return MatrixState::Combine;
  return matrix[static_cast<std::size_t>(a.matrix_index * matrix_size + b.matrix_index)];
}

namespace {
// Written once by the CLI before any pack loads, read by every load after.
std::filesystem::path& chosen_rules_dir() {
  static std::filesystem::path dir;
  return dir;
}
}  // namespace

void set_rules_dir(const std::filesystem::path& dir) {
  chosen_rules_dir() = dir;
}

std::filesystem::path default_rules_dir() {
  if (!chosen_rules_dir().empty()) return chosen_rules_dir();
  if (const char* env = std::getenv("KVITTENS_RULES_DIR"); env && *env) return env;
  return KVITTENS_RULES_DIR;
}

PackSelection parse_pack_selection(std::string_view selection) {
  PackSelection out;
  // The version follows the last '@' unless a path continues after it (a folder named "x@y").
  auto at = selection.rfind('@');
  if (at != std::string_view::npos && selection.find('/', at) != std::string_view::npos)
    at = std::string_view::npos;
  out.name = std::string(selection.substr(0, at));
  if (at != std::string_view::npos) out.version = std::string(selection.substr(at + 1));
  if (out.name.empty() || (at != std::string_view::npos && out.version.empty()))
    throw RulePackError("expected rules as PACK@VERSION or PATH.yaml@VERSION, got '" +
                        std::string(selection) + "'");
  out.is_path = out.name.find('/') != std::string::npos || out.name.ends_with(".yaml") ||
                out.name.ends_with(".yml");
  return out;
}

namespace {

RulePack read_file(const std::filesystem::path& path, std::string_view wanted_version) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RulePackError("cannot read rule pack " + path.string());
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string bytes = buf.str();
  const Source src{path.string()};
  YAML::Node root;
  try {
    root = YAML::Load(bytes);
  } catch (const YAML::Exception& e) {
    std::ostringstream out;
    out << path.string() << ':' << e.mark.line + 1 << ':' << e.mark.column + 1 << ": " << e.msg;
    throw RulePackError(out.str());
  }
  // The whole file, every version, before resolving one: a pack with a problem anywhere is
  // not used at all, so no run is ever judged under half a draft.
  if (auto problems = check_pack_document(root, path.string()); !problems.empty())
    throw RulePackError(std::move(problems));
  if (!root.IsMap()) src.fail(root, "expected a rule pack mapping");

  RulePack pack;
  pack.name = src.text(root, "pack");
  pack.document = src.text(root, "document");
  pack.issuer = src.text_or(root, "issuer", "");
  pack.seed = src.text(root, "seed");
  pack.hash = sha256_hex(bytes);
  const auto service = src.text(root, "service");
  if (service == "hemtjanst")
    pack.service = ServiceType::Hemtjanst;
  else if (service == "boendestod")
    pack.service = ServiceType::Boendestod;
  else
    src.fail(root["service"], "expected service hemtjanst or boendestod");

  // Version: the named one, or the newest.
  const auto versions = src.need(root, "versions");
  if (!versions.IsSequence() || versions.size() == 0)
    src.fail(versions, "expected a list of versions");
  std::vector<std::string> known;
  for (const auto& v : versions) {
    const auto name = src.text(v, "version");
    known.push_back(name);
    if (wanted_version.empty() || name == wanted_version) {
      pack.version = name;
      pack.effective = src.text(v, "effective");
      if (!wanted_version.empty()) break;
    }
  }
  if (pack.version.empty()) {
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw RulePackError("rule pack " + pack.name + " has no version '" +
                        std::string(wanted_version) + "' (versions: " + list + ")");
  }
  const auto in_force = [&](const YAML::Node& dated, std::string* effective) -> YAML::Node {
    // Newest dated value not after the version's date. Dates are ISO, so text order is time order.
    YAML::Node best;
    std::string best_date;
    if (!dated.IsMap()) src.fail(dated, "expected dated values {YYYY-MM-DD: value}");
    for (const auto& kv : dated) {
      const auto date = kv.first.as<std::string>();
      if (date <= pack.effective && date >= best_date) {
        best = kv.second;
        best_date = date;
      }
    }
    if (effective) *effective = best_date;
    return best;
  };

  for (const auto& kv : src.need(root, "clauses")) {
    ClauseInfo c{kv.first.as<std::string>(), src.text(kv.second, "title"),
                 src.text(kv.second, "statement")};
    // A decision's trace keeps a clause id's length in one byte (include/kvittens/trace.hpp).
    if (c.id.size() > 255)
      src.fail(kv.first, "clause id of " + std::to_string(c.id.size()) + " bytes; at most 255");
    pack.clauses.push_back(std::move(c));
  }
  if (const auto params = root["parameters"]) {
    for (const auto& kv : params) {
      ParameterInfo p;
      p.name = kv.first.as<std::string>();
      p.clause = src.text(kv.second, "clause");
      if (!pack.clause(p.clause))
        src.fail(kv.second, "parameter cites unknown clause '" + p.clause + "'");
      p.description = src.text(kv.second, "description");
      p.unit = src.text(kv.second, "unit");
      const auto value = in_force(src.need(kv.second, "values"), &p.effective);
      if (!value) continue;  // not yet in force at this version
      p.value = value.as<std::string>();
      pack.parameters.emplace(p.name, std::move(p));
    }
  }
  for (const auto& n : src.need(root, "insatser")) {
    InsatsInfo i;
    i.index = static_cast<int>(pack.insatser.size());
    i.name = src.text(n, "name");
    i.category = src.text(n, "category");
    i.fee = n["fee"] ? n["fee"].as<bool>() : true;
    if (n["receipt_exception"])
      i.receipt_exception = receipt_exception(src, n["receipt_exception"]);
    i.pickup = n["pickup"] && n["pickup"].as<bool>();
    i.withdrawn = src.text_or(n, "withdrawn", "");
    if (i.withdrawn.size() > 255)
      src.fail(n["withdrawn"], "withdrawn names a clause id of " +
                                   std::to_string(i.withdrawn.size()) + " bytes; at most 255");
    if (const auto req = src.text_or(n, "requires", ""); req == "lock") {
      i.requires_ = InsatsInfo::Requires::Lock;
    } else if (req.starts_with("order:")) {
      i.requires_ = InsatsInfo::Requires::Order;
      i.required_order = req.substr(6);
    } else if (!req.empty()) {
      src.fail(n["requires"], "expected requires as lock or order:<insats>, got '" + req + "'");
    }
    i.omstallning = n["omstallning"] && n["omstallning"].as<bool>();
    if (const auto cap = n["cap"]) {
      i.cap_minutes = cap["minutes"] ? std::optional<int>(cap["minutes"].as<int>()) : std::nullopt;
      const auto per = src.text(cap, "per");
      i.cap_per = per == "customer_year" ? CapPer::CustomerYear : CapPer::Customer;
      if (per != "customer" && per != "customer_year")
        src.fail(cap, "expected cap per customer or customer_year");
      i.once = cap["once"] && cap["once"].as<bool>();
    }
    if (pack.insats(i.name)) src.fail(n, "insats '" + i.name + "' listed twice");
    pack.insatser.push_back(std::move(i));
  }

  if (const auto m = root["matrix"]) {
    const auto cols = src.need(m, "columns");
    const int n = static_cast<int>(cols.size());
    pack.matrix_size = n;
    pack.matrix.assign(static_cast<std::size_t>(n * n), MatrixState::Combine);
    std::vector<std::string> names;
    for (int c = 0; c < n; ++c) {
      names.push_back(cols[c].as<std::string>());
      auto* info = const_cast<InsatsInfo*>(pack.insats(names.back()));
      if (!info)
        src.fail(cols[c], "matrix column '" + names.back() + "' is not in the insats catalogue");
      info->matrix_index = c;
    }
    const auto rows = src.need(m, "rows");
    for (int r = 0; r < n; ++r) {
      const auto row = rows[names[static_cast<std::size_t>(r)]];
      if (!row)
        src.fail(rows, "matrix has no row for '" + names[static_cast<std::size_t>(r)] + "'");
      const auto cells = row.as<std::string>();
      if (static_cast<int>(cells.size()) != n)
        src.fail(row, "matrix row '" + names[static_cast<std::size_t>(r)] + "' has " +
                          std::to_string(cells.size()) + " cells, expected " + std::to_string(n));
      for (int c = 0; c < n; ++c)
        pack.matrix[static_cast<std::size_t>(r * n + c)] =
            matrix_state(src, row, cells[static_cast<std::size_t>(c)]);
    }
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < n; ++c)
        if (pack.matrix[static_cast<std::size_t>(r * n + c)] !=
            pack.matrix[static_cast<std::size_t>(c * n + r)])
          src.fail(rows, "matrix is not symmetric at " + names[static_cast<std::size_t>(r)] +
                             " / " + names[static_cast<std::size_t>(c)]);
    if (const auto changes = m["changes"]) {
      for (const auto& change : changes) {
        const auto effective = src.text(change, "effective");
        if (effective > pack.effective) continue;
        for (const auto& cell : src.need(change, "cells")) {
          const auto* a = pack.insats(src.text(cell, "a"));
          const auto* b = pack.insats(src.text(cell, "b"));
          if (!a || !b || a->matrix_index < 0 || b->matrix_index < 0)
            src.fail(cell, "matrix change names an insats not in the matrix");
          // A state is one character: empty text has none to read, and longer text is not a
          // state even when it starts like one.
          const auto to_text = src.text(cell, "to");
          if (to_text.size() != 1)
            src.fail(cell["to"], "expected matrix state '+', '-' or '?', got '" + to_text + "'");
          const auto to = matrix_state(src, cell["to"], to_text[0]);
          pack.matrix[static_cast<std::size_t>(a->matrix_index * n + b->matrix_index)] = to;
          pack.matrix[static_cast<std::size_t>(b->matrix_index * n + a->matrix_index)] = to;
          pack.matrix_changes.push_back(effective + ": " + a->name + " + " + b->name + " " +
                                        src.text(cell, "from") + " -> " + src.text(cell, "to"));
        }
      }
    }
  }
  if (const auto interp = root["interpretations"]) {
    for (const auto& n : interp)
      pack.interpretations.push_back(
          {src.text(n, "id"), src.text(n, "clause"), src.text(n, "text")});
  }
  pack.engine_parameters = resolve_engine_parameters(pack);
  return pack;
}

// yaml-cpp throws its own exceptions when a node has another shape than the one read (a key
// looked up in text, a list read as text, "yes" read as a number): the pack is malformed there,
// so the error is a RulePackError at that node like the ones the checks above throw.
RulePack load_file(const std::filesystem::path& path, std::string_view wanted_version) {
  try {
    return read_file(path, wanted_version);
  } catch (const YAML::Exception& e) {
    std::ostringstream out;
    out << path.string();
    if (e.mark.line >= 0) out << ':' << e.mark.line + 1 << ':' << e.mark.column + 1;
    out << ": " << e.msg;
    throw RulePackError(out.str());
  }
}

}  // namespace

RulePack load_rule_pack(std::string_view selection, const std::filesystem::path& dir) {
  const auto sel = parse_pack_selection(selection);
  std::error_code ec;
  if (sel.is_path) {
    if (!std::filesystem::is_regular_file(sel.name, ec))
      throw RulePackError("no rule pack file '" + sel.name + "'");
    return load_file(sel.name, sel.version);
  }
  const auto path = dir / (sel.name + ".yaml");
  if (!std::filesystem::exists(path, ec)) {
    std::string list;
    for (const auto& p : list_rule_packs(dir)) list += (list.empty() ? "" : ", ") + p;
    throw RulePackError("unknown rule pack '" + sel.name + "' in " + dir.string() +
                        " (available: " + list + ")");
  }
  return load_file(path, sel.version);
}

RulePack load_rule_pack_for(const Stamp& stamp, const std::filesystem::path& dir) {
  auto pack = load_rule_pack(stamp.pack + "@" + stamp.version, dir);
  if (pack.hash != stamp.hash)
    throw RulePackError("rule pack " + stamp.pack + "@" + stamp.version + " on disk (sha256 " +
                        pack.hash.substr(0, 12) +
                        ") is not the pack the decision was stamped with (sha256 " +
                        stamp.hash.substr(0, 12) + "); refusing to re-evaluate under other rules");
  return pack;
}

std::vector<std::string> list_rule_packs(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".yaml") continue;
    try {
      const auto root = YAML::LoadFile(e.path().string());
      for (const auto& v : root["versions"])
        out.push_back(root["pack"].as<std::string>() + "@" + v["version"].as<std::string>());
    } catch (const YAML::Exception&) {
      continue;  // a broken pack is reported when it is loaded by name
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace kvittens::backend
