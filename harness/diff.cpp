#include "harness/diff.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace kvittens::harness {
namespace {

using Json = nlohmann::ordered_json;

std::vector<std::string> clause_set(const Trace& trace) {
  std::set<std::string, std::less<>> s;
  for (const auto& t : trace) s.emplace(t.clause);
  return {s.begin(), s.end()};
}

Json outcome(const InsatsDecision& i) {
  return Json{{"paid_minutes", i.paid_minutes},
              {"registered_minutes", i.registered_minutes},
              {"state", to_string(i.state)},
              {"customer_fee", i.customer_fee},
              {"clauses", clause_set(i.trace)}};
}

Json outcome(const VisitDecision& d) {
  return Json{{"paid_minutes", d.paid_minutes},
              {"registered_minutes", d.registered_minutes},
              {"state", to_string(d.state)},
              {"customer_fee", d.customer_fee},
              {"manual", d.manual},
              {"clauses", clause_set(d.trace)}};
}

Json outcome(const Repayment& r) {
  return Json{{"paid_before", r.paid_before},
              {"due_now", r.due_now},
              {"clauses", std::vector<std::string>{r.reason.clause}}};
}

Json outcome(const MonthlySummary& m) {
  return Json{{"visits", m.visits},
              {"manual_visits", m.manual_visits},
              {"paid_minutes", m.paid_minutes},
              {"rejected", m.rejected},
              {"manual_share_exceeded", m.manual_share_exceeded},
              {"clauses", clause_set(m.trace)}};
}

std::vector<std::string> strings(const Json& j) {
  std::vector<std::string> out;
  if (j.is_object() && j.contains("clauses")) {
    for (const auto& c : j["clauses"]) out.push_back(c.get<std::string>());
  }
  return out;
}

// Field and clause differences between two outcomes (null: the subject does not exist there).
Difference compare(std::string kind, std::string subject, Json from, Json to) {
  Difference d;
  d.kind = std::move(kind);
  d.subject = std::move(subject);
  if (from.is_null() != to.is_null()) {
    d.fields.push_back({"present", !from.is_null(), !to.is_null()});
  } else if (!from.is_null()) {
    for (const auto& [key, value] : from.items()) {
      if (key == "clauses") continue;
      if (to[key] != value) d.fields.push_back({key, value, to[key]});
    }
  }
  const auto a = strings(from), b = strings(to);
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(),
                      std::back_inserter(d.clauses_removed));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(d.clauses_added));
  d.from = std::move(from);
  d.to = std::move(to);
  return d;
}

bool differs(const Difference& d) {
  return !d.fields.empty() || !d.clauses_removed.empty() || !d.clauses_added.empty() ||
         !d.parts.empty();
}

// What a scenario expects of a subject, without the places it was written: two versions
// declare a change when these differ.
template <class T>
Json opt(const std::optional<T>& v) {
  return v ? Json(*v) : Json();
}

Json expected(const Expectations& e, const std::string& visit) {
  const auto it = e.visits.find(visit);
  if (it == e.visits.end()) return Json();
  const auto& v = it->second;
  Json j{{"registered", opt(v.registered)},
         {"paid_minutes", opt(v.paid_minutes)},
         {"registered_minutes", opt(v.registered_minutes)},
         {"state", v.state ? Json(to_string(*v.state)) : Json()},
         {"customer_fee", opt(v.customer_fee)},
         {"manual", opt(v.manual)},
         {"clauses", v.clauses},
         {"not_clauses", v.not_clauses}};
  for (const auto& [name, i] : v.insatser) {
    j["insatser"][name] = Json{{"paid_minutes", opt(i.paid_minutes)},
                               {"registered_minutes", opt(i.registered_minutes)},
                               {"state", i.state ? Json(to_string(*i.state)) : Json()},
                               {"customer_fee", opt(i.customer_fee)},
                               {"clauses", i.clauses}};
  }
  return j;
}

Json expected_month(const Expectations& e, const std::string& provider, const std::string& month,
                    bool repayments_only) {
  for (const auto& m : e.months) {
    if (m.provider != provider || m.month != month) continue;
    Json reps;
    if (m.repayments) {
      reps = Json::array();
      for (const auto& r : *m.repayments) {
        reps.push_back(Json{
            {"visit", r.visit}, {"paid_before", opt(r.paid_before)}, {"due_now", opt(r.due_now)}});
      }
    }
    if (repayments_only) return reps;
    return Json{{"visits", opt(m.visits)},
                {"manual_visits", opt(m.manual_visits)},
                {"paid_minutes", opt(m.paid_minutes)},
                {"rejected", opt(m.rejected)},
                {"manual_share_exceeded", opt(m.manual_share_exceeded)},
                {"clauses", m.clauses},
                {"repayments", reps}};
  }
  return Json();
}

std::string month_of(const VisitDecision& d) {
  return format_date(local_date(d.start)).substr(0, 7);
}

// Whether the expectations pin one of the changed fields to its old value under one version
// and its new value under the other (both written, and different).
bool pinned(const Json& ef, const Json& et, const std::string& field) {
  if (!ef.is_object() || !et.is_object()) return false;
  const auto a = ef.find(field), b = et.find(field);
  return a != ef.end() && b != et.end() && !a->is_null() && !b->is_null() && *a != *b;
}

bool pins_change(const Difference& d, const Json& ef, const Json& et) {
  if (d.kind == "repayment") return !ef.is_null() && !et.is_null() && ef != et;
  for (const auto& f : d.fields) {
    if (pinned(ef, et, f.field == "present" ? "registered" : f.field)) return true;
  }
  for (const auto& p : d.parts) {
    const std::string name = p.subject.substr(p.subject.find(' ') + 1);
    auto insats = [&](const Json& e) {
      return e.is_object() && e.contains("insatser") && e["insatser"].contains(name)
                 ? e["insatser"][name]
                 : Json();
    };
    for (const auto& f : p.fields) {
      if (pinned(insats(ef), insats(et), f.field)) return true;
    }
  }
  return false;
}

// Declared: the two versions' expectations pin the change, and both runs meet them.
void judge(Difference& d, const Json& expect_from, const Json& expect_to, const ScenarioDiff& sd) {
  if (!d.outcome_changed()) return;
  if (sd.from_rules == sd.to_rules) {
    d.note = "both sides run under " + sd.from_rules + ": the scenario expects the same";
  } else if (!pins_change(d, expect_from, expect_to)) {
    d.note = "no expectation under " + sd.from_rules + " and " + sd.to_rules +
             " pins what changed in " + d.subject;
  } else if (sd.from_status != RunStatus::Pass || sd.to_status != RunStatus::Pass) {
    d.note = std::string("the expectations under ") +
             (sd.from_status != RunStatus::Pass ? sd.from_rules : sd.to_rules) + " do not hold";
  } else {
    d.declared = true;
    d.note = "declared by the scenario's expectations per version";
  }
}

}  // namespace

bool Difference::outcome_changed() const {
  return !fields.empty() ||
         std::any_of(parts.begin(), parts.end(), [](const auto& p) { return p.outcome_changed(); });
}

bool ScenarioDiff::outcome_changed() const {
  return std::any_of(differences.begin(), differences.end(),
                     [](const auto& d) { return d.outcome_changed(); });
}

int ScenarioDiff::undeclared() const {
  return static_cast<int>(std::count_if(differences.begin(), differences.end(), [](const auto& d) {
    return d.outcome_changed() && !d.declared;
  }));
}

ScenarioDiff diff_runs(const Scenario& s, const RunResult& from, const RunResult& to) {
  ScenarioDiff sd;
  sd.file = s.file;
  sd.name = s.name;
  sd.from_rules = from.rules;
  sd.to_rules = to.rules;
  sd.from_status = from.status;
  sd.to_status = to.status;
  if (from.status == RunStatus::Error || to.status == RunStatus::Error) {
    sd.error = from.status == RunStatus::Error ? from.rules + ": " + from.error
                                               : to.rules + ": " + to.error;
    return sd;
  }
  const Expectations ef = expectations_for(s, from.rules), et = expectations_for(s, to.rules);

  // Visit decisions, paired by registration id, in the order of the first side.
  std::vector<std::string> ids;
  std::map<std::string, const VisitDecision*> a, b;
  for (const auto& d : from.decisions.visits) {
    if (a.emplace(d.id, &d).second) ids.push_back(d.id);
  }
  for (const auto& d : to.decisions.visits) {
    if (b.emplace(d.id, &d).second && !a.count(d.id)) ids.push_back(d.id);
  }
  std::set<std::string> changed_months;  // provider + month with a changed visit decision
  for (const auto& id : ids) {
    const VisitDecision* x = a.count(id) ? a[id] : nullptr;
    const VisitDecision* y = b.count(id) ? b[id] : nullptr;
    Difference d =
        compare("visit", "visit " + id, x ? outcome(*x) : Json(), y ? outcome(*y) : Json());
    if (x && y) {
      std::vector<std::string> names;
      for (const auto& i : x->insatser) names.push_back(i.insats);
      for (const auto& i : y->insatser) {
        if (std::find(names.begin(), names.end(), i.insats) == names.end())
          names.push_back(i.insats);
      }
      for (const auto& n : names) {
        auto find = [&](const VisitDecision& v) -> Json {
          for (const auto& i : v.insatser) {
            if (i.insats == n) return outcome(i);
          }
          return Json();
        };
        auto p = compare("insats", "insats " + n, find(*x), find(*y));
        if (differs(p)) d.parts.push_back(std::move(p));
      }
    }
    if (!differs(d)) continue;
    const VisitDecision& v = x ? *x : *y;
    d.context = v.kind + ", customer " + v.customer + ", staff " + v.staff + ", " +
                format_local(v.start) + "–" + format_local(v.end).substr(11);
    judge(d, expected(ef, id), expected(et, id), sd);
    if (d.outcome_changed()) {
      changed_months.insert(v.provider + " " + month_of(v));
    }
    sd.differences.push_back(std::move(d));
  }

  // Months: repayment lines one by one, then the totals.
  std::vector<std::pair<std::string, std::string>> months;
  for (const auto* side : {&from.decisions.months, &to.decisions.months}) {
    for (const auto& m : *side) {
      std::pair key{m.provider, m.month};
      if (std::find(months.begin(), months.end(), key) == months.end()) months.push_back(key);
    }
  }
  auto month = [](const Decisions& ds, const std::pair<std::string, std::string>& key) {
    const MonthlySummary* found = nullptr;
    for (const auto& m : ds.months) {
      if (m.provider == key.first && m.month == key.second) found = &m;
    }
    return found;
  };
  for (const auto& key : months) {
    const auto* x = month(from.decisions, key);
    const auto* y = month(to.decisions, key);
    const std::string where = key.first + " " + key.second;
    std::vector<std::string> visits;
    for (const auto* m : {x, y}) {
      if (!m) continue;
      for (const auto& r : m->repayments) {
        if (std::find(visits.begin(), visits.end(), r.visit) == visits.end())
          visits.push_back(r.visit);
      }
    }
    for (const auto& v : visits) {
      auto line = [&](const MonthlySummary* m) -> Json {
        if (!m) return Json();
        for (const auto& r : m->repayments) {
          if (r.visit == v) return outcome(r);
        }
        return Json();
      };
      auto d = compare("repayment", "repayment " + v + " (" + where + ")", line(x), line(y));
      if (!differs(d)) continue;
      judge(d, expected_month(ef, key.first, key.second, true),
            expected_month(et, key.first, key.second, true), sd);
      sd.differences.push_back(std::move(d));
    }
    auto d = compare("month", "month " + where, x ? outcome(*x) : Json(), y ? outcome(*y) : Json());
    if (!differs(d)) continue;
    const Json mf = expected_month(ef, key.first, key.second, false);
    const Json mt = expected_month(et, key.first, key.second, false);
    if (d.outcome_changed() && changed_months.count(where) && !pins_change(d, mf, mt)) {
      // Totals move with the visit decisions above; those carry the declaration.
      d.declared = true;
      d.note = "follows from the visit decisions above";
    } else {
      judge(d, mf, mt, sd);
    }
    sd.differences.push_back(std::move(d));
  }
  return sd;
}

int undeclared(const DiffReport& report) {
  int n = 0;
  for (const auto& s : report.scenarios) n += s.undeclared();
  return n;
}

int errors(const DiffReport& report) {
  return static_cast<int>(std::count_if(report.scenarios.begin(), report.scenarios.end(),
                                        [](const auto& s) { return !s.error.empty(); }));
}

namespace {

struct Paint {
  bool on;
  std::string operator()(const char* code, const std::string& text) const {
    return on ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
  }
};

std::string value(const std::string& field, const Json& j) {
  if (j.is_boolean()) {
    if (field == "present") return j.get<bool>() ? "present" : "absent";
    return j.get<bool>() ? "yes" : "no";
  }
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

std::string label(const std::string& field) {
  if (field == "paid_minutes") return "paid";
  if (field == "registered_minutes") return "registered";
  if (field == "customer_fee") return "fee";
  if (field == "manual_share_exceeded") return "manual share exceeded";
  if (field == "manual_visits") return "manual visits";
  if (field == "paid_before") return "paid before";
  if (field == "due_now") return "due now";
  return field;
}

// "paid 30 → 70 min · state reduced → approved · clauses −4.15 +4.2"
std::string changes(const Difference& d) {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : " · ") + s; };
  if (d.from.is_null() || d.to.is_null()) {
    const Json& side = d.from.is_null() ? d.to : d.from;
    std::string what;
    for (const auto& [k, v] : side.items()) {
      if (k == "clauses" || k == "registered_minutes" || k == "manual" || k == "visits" ||
          k == "manual_visits")
        continue;
      what += (what.empty() ? "" : ", ") + label(k) + " " + value(k, v);
    }
    add(d.from.is_null() ? "none → " + what : what + " → none");
  } else {
    for (const auto& f : d.fields) {
      const bool minutes = f.field.find("minutes") != std::string::npos ||
                           f.field == "paid_before" || f.field == "due_now";
      add(label(f.field) + " " + value(f.field, f.from) + " → " + value(f.field, f.to) +
          (minutes ? " min" : ""));
    }
  }
  if (!d.clauses_removed.empty() || !d.clauses_added.empty()) {
    std::string c = "clauses";
    for (const auto& x : d.clauses_removed) c += " −" + x;
    for (const auto& x : d.clauses_added) c += " +" + x;
    add(c);
  }
  return out;
}

void print_difference(std::ostream& out, const Difference& d, const Paint& paint,
                      bool verdict = true) {
  std::string mark;
  if (verdict && d.outcome_changed()) {
    mark = d.declared ? paint("32", "declared") : paint("31", "UNDECLARED: " + d.note);
    if (d.kind == "month" && d.declared) mark = d.note;  // the visits carry the declaration
  }
  out << "  " << paint("1", d.subject) << (d.context.empty() ? "" : " (" + d.context + ")")
      << (mark.empty() ? "" : "  " + mark) << "\n";
  const std::string line = changes(d);
  if (!line.empty()) out << "    " << line << "\n";
  for (const auto& p : d.parts) out << "    " << p.subject << ": " << changes(p) << "\n";
}

Json field_json(const FieldChange& f) {
  return Json{{"field", f.field}, {"from", f.from}, {"to", f.to}};
}

Json difference_json(const Difference& d) {
  Json j{{"kind", d.kind}, {"subject", d.subject}};
  if (!d.context.empty()) j["context"] = d.context;
  j["outcome_changed"] = d.outcome_changed();
  if (d.outcome_changed()) {
    j["declared"] = d.declared;
    j["note"] = d.note;
  }
  j["from"] = d.from;
  j["to"] = d.to;
  Json fs = Json::array();
  for (const auto& f : d.fields) fs.push_back(field_json(f));
  j["fields"] = fs;
  j["clauses_removed"] = d.clauses_removed;
  j["clauses_added"] = d.clauses_added;
  if (d.kind == "visit") {
    Json ps = Json::array();
    for (const auto& p : d.parts) ps.push_back(difference_json(p));
    j["insatser"] = ps;
  }
  return j;
}

}  // namespace

void print_diff(std::ostream& out, const DiffReport& r, bool color) {
  const Paint paint{color};
  out << "kvittens diff: " << r.from << " → " << r.to << " (" << r.scenarios.size()
      << " scenarios, hardware " << r.hardware << ")\n";
  int changed = 0, reasons = 0, decisions = 0;
  for (const auto& s : r.scenarios) {
    if (!s.error.empty()) {
      out << "\n"
          << paint("31", "ERROR") << "  " << s.file << "  " << s.name << "\n    " << s.error
          << "\n";
      continue;
    }
    if (!s.outcome_changed()) continue;
    ++changed;
    out << "\n"
        << paint(s.undeclared() ? "31" : "33", "CHANGED") << "  " << s.file << "  " << s.name
        << "\n";
    for (const auto& d : s.differences) {
      if (d.outcome_changed() && d.kind != "month") ++decisions;
      if (d.outcome_changed()) print_difference(out, d, paint);
    }
  }
  for (const auto& s : r.scenarios) {
    const bool moved = s.error.empty() && !s.outcome_changed() && !s.differences.empty();
    if (!moved) continue;
    ++reasons;
    out << "\n"
        << "SAME OUTCOME, OTHER CLAUSES  " << s.file << "  " << s.name << "\n";
    for (const auto& d : s.differences) print_difference(out, d, paint);
  }
  const int und = undeclared(r), err = errors(r);
  out << "\n"
      << changed << " scenario(s) with changed outcomes (" << decisions << " decision(s), "
      << (und ? paint("31", std::to_string(und) + " undeclared") : std::string("all declared"))
      << "), " << reasons << " with the same outcome and other clauses, "
      << (r.scenarios.size() - static_cast<std::size_t>(changed + reasons + err)) << " unchanged"
      << (err ? ", " + std::to_string(err) + " could not run" : "") << "\n";
}

nlohmann::ordered_json diff_json(const DiffReport& r) {
  Json doc;
  doc["kvittens"] = "diff";
  doc["from"] = r.from;
  doc["to"] = r.to;
  doc["hardware"] = r.hardware;
  int changed = 0, reasons = 0, decisions = 0;
  Json list = Json::array();
  for (const auto& s : r.scenarios) {
    if (s.error.empty() && s.differences.empty()) continue;
    Json j{{"file", s.file},
           {"scenario", s.name},
           {"from_rules", s.from_rules},
           {"to_rules", s.to_rules}};
    if (!s.error.empty()) {
      j["status"] = "error";
      j["error"] = s.error;
    } else {
      j["status"] = s.outcome_changed() ? "changed" : "same_outcome";
      (s.outcome_changed() ? changed : reasons)++;
      j["expectations"] = Json{{"from", to_string(s.from_status)}, {"to", to_string(s.to_status)}};
    }
    Json ds = Json::array();
    for (const auto& d : s.differences) {
      if (d.outcome_changed() && d.kind != "month") ++decisions;
      ds.push_back(difference_json(d));
    }
    j["differences"] = ds;
    list.push_back(j);
  }
  const int err = errors(r);
  doc["summary"] =
      Json{{"scenarios", r.scenarios.size()},
           {"changed", changed},
           {"same_outcome_other_clauses", reasons},
           {"unchanged", r.scenarios.size() - static_cast<std::size_t>(changed + reasons + err)},
           {"errors", err},
           {"decisions_changed", decisions},
           {"undeclared", undeclared(r)}};
  doc["scenarios"] = list;
  return doc;
}

namespace {

std::map<std::string, ProviderTotals> totals(const std::vector<Decisions>& parts) {
  std::map<std::string, ProviderTotals> t;
  for (const auto& ds : parts) {
    for (const auto& d : ds.visits) {
      auto& x = t[d.provider];
      ++x.decisions;
      x.paid_minutes += d.paid_minutes;
      if (d.state == DecisionState::Rejected) ++x.rejected;
    }
    for (const auto& m : ds.months) {
      auto& x = t[m.provider];
      x.manual_visits += m.manual_visits;
      x.manual_share_exceeded |= m.manual_share_exceeded;
      for (const auto& r : m.repayments) {
        ++x.repayments;
        x.repayment_minutes += r.paid_before - r.due_now;
      }
    }
  }
  return t;
}

Json totals_json(const ProviderTotals& t) {
  return Json{{"decisions", t.decisions},
              {"paid_minutes", t.paid_minutes},
              {"rejected", t.rejected},
              {"manual_visits", t.manual_visits},
              {"manual_share_exceeded", t.manual_share_exceeded},
              {"repayments", t.repayments},
              {"repayment_minutes", t.repayment_minutes}};
}

std::string delta(int a, int b) {
  if (a == b) return std::to_string(a);
  return std::to_string(a) + " → " + std::to_string(b) + " (" + (b > a ? "+" : "") +
         std::to_string(b - a) + ")";
}

}  // namespace

int same_outcome_other_clauses(const MonthDiffReport& r) {
  int n = 0;
  for (const auto& part : r.parts) {
    for (const auto& d : part.differences) {
      if (d.kind == "visit" && !d.outcome_changed()) ++n;
    }
  }
  return n;
}

MonthDiffReport diff_month(const std::vector<std::string>& rules_from,
                           const std::vector<std::string>& rules_to,
                           const std::vector<World>& worlds, const std::vector<Decisions>& before,
                           const std::vector<Decisions>& after) {
  MonthDiffReport r;
  const auto a = totals(before), b = totals(after);
  std::set<std::string> seen;
  for (const auto& w : worlds) {
    for (const auto& p : w.providers) {
      if (!seen.insert(p.id).second) continue;
      MonthDiffReport::Provider x{p.id, p.name, {}, {}};
      if (a.count(p.id)) x.before = a.at(p.id);
      if (b.count(p.id)) x.after = b.at(p.id);
      r.providers.push_back(x);
    }
  }
  const Scenario none;  // a synthetic month declares nothing
  for (std::size_t i = 0; i < before.size() && i < after.size(); ++i) {
    RunResult x, y;
    x.rules = rules_from.at(i);
    y.rules = rules_to.at(i);
    x.file = y.file = "month part " + rules_from.at(i);
    x.decisions = before[i];
    y.decisions = after[i];
    r.decisions += before[i].visits.size();
    auto d = diff_runs(none, x, y);
    d.name = x.rules == y.rules ? x.rules : x.rules + " → " + y.rules;
    r.parts.push_back(std::move(d));
  }
  return r;
}

void print_month_diff(std::ostream& out, const MonthDiffReport& r, bool color, std::size_t limit) {
  const Paint paint{color};
  out << "kvittens diff: " << r.from << " → " << r.to << " on a synthetic month (" << r.month
      << ")\n\n";
  out << "Totals per provider (before → after)\n";
  for (const auto& p : r.providers) {
    const auto& a = p.before;
    const auto& b = p.after;
    out << "  " << paint("1", p.id + " " + p.name) << "\n"
        << "    decisions " << delta(a.decisions, b.decisions) << " · paid minutes "
        << delta(a.paid_minutes, b.paid_minutes) << " · rejected " << delta(a.rejected, b.rejected)
        << " · manual visits " << delta(a.manual_visits, b.manual_visits)
        << (a.manual_share_exceeded != b.manual_share_exceeded
                ? std::string(" · manual share exceeded ") +
                      (a.manual_share_exceeded ? "yes" : "no") + " → " +
                      (b.manual_share_exceeded ? "yes" : "no")
                : "")
        << " · repayments " << delta(a.repayments, b.repayments) << " ("
        << delta(a.repayment_minutes, b.repayment_minutes) << " min)\n";
  }
  std::size_t changed = 0, shown = 0;
  for (const auto& part : r.parts) {
    for (const auto& d : part.differences) {
      if (!d.outcome_changed() || d.kind == "month") continue;
      if (changed++ == 0) out << "\nChanged decisions\n";
      if (shown >= limit) continue;
      ++shown;
      print_difference(out, d, paint, false);  // a synthetic month declares nothing
    }
  }
  if (changed > shown) out << "  ... and " << (changed - shown) << " more (--json lists all)\n";
  out << "\n"
      << changed << " of " << r.decisions << " decision(s) changed, "
      << same_outcome_other_clauses(r) << " with the same outcome and other clauses\n";
}

nlohmann::ordered_json month_diff_json(const MonthDiffReport& r) {
  Json doc{
      {"kvittens", "diff"}, {"mode", "month"}, {"from", r.from}, {"to", r.to}, {"month", r.month}};
  Json ps = Json::array();
  for (const auto& p : r.providers) {
    ps.push_back(Json{{"provider", p.id},
                      {"name", p.name},
                      {"before", totals_json(p.before)},
                      {"after", totals_json(p.after)}});
  }
  doc["providers"] = ps;
  Json changes = Json::array();
  for (const auto& part : r.parts) {
    for (const auto& d : part.differences) {
      if (!d.outcome_changed() || d.kind == "month") continue;
      auto j = difference_json(d);
      j.erase("declared");
      j.erase("note");
      j["rules"] = part.name;
      changes.push_back(j);
    }
  }
  Json others = Json::array();
  for (const auto& part : r.parts) {
    for (const auto& d : part.differences) {
      if (d.kind == "visit" && !d.outcome_changed()) others.push_back(d.subject);
    }
  }
  doc["same_outcome_other_clauses"] = others;
  doc["summary"] = Json{{"decisions", r.decisions},
                        {"changed", changes.size()},
                        {"same_outcome_other_clauses", same_outcome_other_clauses(r)}};
  doc["changes"] = changes;
  return doc;
}

}  // namespace kvittens::harness
