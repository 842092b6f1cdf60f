// The month diff: the same synthetic month's decisions under two rule selections, totals per
// provider and the decisions that moved (docs/diff.md).
#include "harness/diff/diff.hpp"

#include <map>
#include <set>

namespace kvittens::harness {
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

}  // namespace kvittens::harness
