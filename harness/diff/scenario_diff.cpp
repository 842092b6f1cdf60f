// The scenario diff: two runs of one scenario compared decision by decision, each outcome
// change judged declared or not by the scenario's per-version expectations (docs/diff.md).
#include "harness/diff/diff.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "kvittens/clauses.hpp"
#include "scenario/expect_merge.hpp"

namespace kvittens::harness {
namespace {

using Json = nlohmann::ordered_json;

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

// The stamp the decisions of one run carry (they share one); none when it decided nothing.
std::optional<Stamp> stamp_of(const Decisions& ds) {
  for (const auto& d : ds.visits) {
    if (!d.stamp->pack.empty()) return *d.stamp;
  }
  for (const auto& m : ds.months) {
    if (!m.stamp->pack.empty()) return *m.stamp;
  }
  return std::nullopt;
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
  sd.from_stamp = stamp_of(from.decisions);
  sd.to_stamp = stamp_of(to.decisions);
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

}  // namespace kvittens::harness
