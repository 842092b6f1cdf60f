#include "runner/compare.hpp"

#include <algorithm>
#include <map>

#include "kvittens/clauses.hpp"

namespace kvittens::harness {
namespace {

using Json = nlohmann::ordered_json;

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class Comparer {
 public:
  explicit Comparer(std::vector<Mismatch>& out) : out_(out) {}

  template <class T, class U>
  void field(const Where& w, const std::string& subject, const std::string& id,
             const std::string& name, const std::optional<T>& expected, const U& actual) {
    if (!expected || *expected == actual) return;
    out_.push_back({w, subject, name, Json(*expected), Json(actual), id});
  }
  void state(const Where& w, const std::string& subject, const std::string& id,
             const std::optional<DecisionState>& expected, DecisionState actual) {
    if (!expected || *expected == actual) return;
    out_.push_back({w, subject, "state", Json(kvittens::to_string(*expected)),
                    Json(kvittens::to_string(actual)), id});
  }
  // `actual`: the clauses the decision cites, as clause_set gives them.
  void clauses(const Where& w, const std::string& subject, const std::string& id,
               const std::vector<std::string>& must, const std::vector<std::string>& must_not,
               const std::vector<std::string>& actual) {
    std::vector<std::string> missing, present;
    for (const auto& c : must) {
      if (!has(actual, c)) missing.push_back(c);
    }
    for (const auto& c : must_not) {
      if (has(actual, c)) present.push_back(c);
    }
    if (!missing.empty()) {
      out_.push_back({w, subject, "clauses", Json{{"in_trace", missing}}, Json(actual), id});
    }
    if (!present.empty()) {
      out_.push_back(
          {w, subject, "not_clauses", Json{{"not_in_trace", present}}, Json(actual), id});
    }
  }
  void add(Mismatch m) { out_.push_back(std::move(m)); }

 private:
  std::vector<Mismatch>& out_;
};

}  // namespace

std::vector<Mismatch> compare(const Expectations& expect, const Decisions& decisions,
                              const std::vector<sim::Submission>& submissions,
                              const std::vector<sim::LogLine>& log) {
  std::vector<Mismatch> out;
  Comparer c(out);
  for (const auto& l : expect.log) {
    const bool said = std::any_of(log.begin(), log.end(), [&](const sim::LogLine& line) {
      return (line.who + ": " + line.what).find(l.text) != std::string::npos;
    });
    if (!said)
      out.push_back({l.where, "activity log", "line", Json(l.text), Json("not logged"), ""});
  }
  // The last answer the backend gave for each id.
  std::map<std::string, const sim::Submission*> answers;
  for (const auto& s : submissions) {
    if (s.delivered) answers[s.id] = &s;
  }
  for (const auto& [id, e] : expect.visits) {
    const std::string subject = "decision " + id;
    auto d = std::find_if(decisions.visits.begin(), decisions.visits.end(),
                          [&](const VisitDecision& x) { return x.id == id; });
    const bool found = d != decisions.visits.end();
    if (e.registered && !*e.registered) {
      if (found) out.push_back({e.where, subject, "registered", Json(false), Json(true), id});
      continue;
    }
    if (!found) {
      std::string why = "no decision";
      auto a = answers.find(id);
      if (a == answers.end()) {
        why += " (the registration never reached the backend)";
      } else if (!a->second->result.accepted) {
        why += " (refused: " + a->second->result.reason + ")";
      }
      out.push_back({e.where, subject, "registered", Json(true), Json(why), id});
      continue;
    }
    c.field(e.where, subject, id, "paid_minutes", e.paid_minutes, d->paid_minutes);
    c.field(e.where, subject, id, "registered_minutes", e.registered_minutes,
            d->registered_minutes);
    c.state(e.where, subject, id, e.state, d->state);
    c.field(e.where, subject, id, "customer_fee", e.customer_fee, d->customer_fee);
    c.field(e.where, subject, id, "manual", e.manual, d->manual);
    c.clauses(e.where, subject, id, e.clauses, e.not_clauses, clause_set(*d));
    for (const auto& [name, ie] : e.insatser) {
      const std::string isub = subject + " insats " + name;
      auto i = std::find_if(d->insatser.begin(), d->insatser.end(),
                            [&](const InsatsDecision& x) { return x.insats == name; });
      if (i == d->insatser.end()) {
        std::vector<std::string> names;
        for (const auto& x : d->insatser) names.push_back(x.insats);
        out.push_back({ie.where, isub, "present", Json(true), Json(names), id});
        continue;
      }
      c.field(ie.where, isub, id, "paid_minutes", ie.paid_minutes, i->paid_minutes);
      c.field(ie.where, isub, id, "registered_minutes", ie.registered_minutes,
              i->registered_minutes);
      c.state(ie.where, isub, id, ie.state, i->state);
      c.field(ie.where, isub, id, "customer_fee", ie.customer_fee, i->customer_fee);
      c.clauses(ie.where, isub, id, ie.clauses, {}, clause_set(i->trace));
    }
  }
  for (const auto& m : expect.months) {
    const std::string subject = "month " + m.provider + " " + m.month;
    auto s = std::find_if(
        decisions.months.begin(), decisions.months.end(),
        [&](const MonthlySummary& x) { return x.provider == m.provider && x.month == m.month; });
    if (s == decisions.months.end()) {
      out.push_back({m.where, subject, "present", Json(true), Json("no monthly summary"), ""});
      continue;
    }
    c.field(m.where, subject, "", "visits", m.visits, s->visits);
    c.field(m.where, subject, "", "manual_visits", m.manual_visits, s->manual_visits);
    c.field(m.where, subject, "", "paid_minutes", m.paid_minutes, s->paid_minutes);
    c.field(m.where, subject, "", "rejected", m.rejected, s->rejected);
    c.field(m.where, subject, "", "manual_share_exceeded", m.manual_share_exceeded,
            s->manual_share_exceeded);
    c.clauses(m.where, subject, "", m.clauses, {}, clause_set(s->trace));
    if (m.repayments) {
      for (const auto& r : *m.repayments) {
        const std::string rsub = subject + " repayment " + r.visit;
        auto a = std::find_if(s->repayments.begin(), s->repayments.end(),
                              [&](const Repayment& x) { return x.visit == r.visit; });
        if (a == s->repayments.end()) {
          out.push_back({r.where, rsub, "present", Json(true), Json(false), r.visit});
          continue;
        }
        c.field(r.where, rsub, r.visit, "paid_before", r.paid_before, a->paid_before);
        c.field(r.where, rsub, r.visit, "due_now", r.due_now, a->due_now);
      }
      if (s->repayments.size() > m.repayments->size()) {
        Json extra = Json::array();
        for (const auto& a : s->repayments) extra.push_back(a.visit);
        out.push_back({m.where, subject, "repayments", Json(m.repayments->size()), extra, ""});
      }
    }
  }
  for (const auto& [id, r] : expect.refusals) {
    auto a = answers.find(id);
    if (a == answers.end()) {
      out.push_back({r.where, "registration " + id, "refused", Json(true),
                     Json("never reached the backend"), id});
    } else if (a->second->result.accepted) {
      out.push_back({r.where, "registration " + id, "refused", Json(true), Json("accepted"), id});
    } else if (!r.clause.empty() && a->second->result.clause != r.clause) {
      out.push_back({r.where, "registration " + id, "refusal clause", Json(r.clause),
                     Json(a->second->result.clause), id});
    }
  }
  // A refusal nobody expected means the scenario did not go as written.
  for (const auto& [id, a] : answers) {
    if (a->result.accepted || expect.refusals.count(id)) continue;
    out.push_back({Where{}, "registration " + id, "accepted", Json(true),
                   Json("refused: " + a->result.reason +
                        (a->result.clause.empty() ? "" : " (" + a->result.clause + ")")),
                   id});
  }
  return out;
}

}  // namespace kvittens::harness
