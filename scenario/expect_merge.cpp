#include "scenario/expect_merge.hpp"

#include <algorithm>

namespace kvittens::harness {

Expectations expectations_for(const Scenario& s, const std::string& rules) {
  Expectations e = s.expect;
  auto it = s.expect_by_rules.find(rules);
  if (it == s.expect_by_rules.end()) return e;
  const Expectations& o = it->second;
  auto over = [](auto& base, const auto& top) {
    if (top) base = top;
  };
  if (!o.log.empty()) e.log = o.log;
  for (const auto& [id, v] : o.visits) {
    auto& b = e.visits[id];
    if (b.id.empty()) {
      b = v;
      continue;
    }
    b.where = v.where;
    over(b.registered, v.registered);
    over(b.paid_minutes, v.paid_minutes);
    over(b.registered_minutes, v.registered_minutes);
    over(b.state, v.state);
    over(b.customer_fee, v.customer_fee);
    over(b.manual, v.manual);
    if (!v.clauses.empty()) b.clauses = v.clauses;
    if (!v.not_clauses.empty()) b.not_clauses = v.not_clauses;
    for (const auto& [name, i] : v.insatser) {
      auto& bi = b.insatser[name];
      if (bi.insats.empty()) {
        bi = i;
        continue;
      }
      bi.where = i.where;
      over(bi.paid_minutes, i.paid_minutes);
      over(bi.registered_minutes, i.registered_minutes);
      over(bi.state, i.state);
      over(bi.customer_fee, i.customer_fee);
      if (!i.clauses.empty()) bi.clauses = i.clauses;
    }
  }
  for (const auto& m : o.months) {
    auto bm = std::find_if(e.months.begin(), e.months.end(), [&](const MonthExpect& x) {
      return x.provider == m.provider && x.month == m.month;
    });
    if (bm == e.months.end()) {
      e.months.push_back(m);
      continue;
    }
    bm->where = m.where;
    over(bm->visits, m.visits);
    over(bm->manual_visits, m.manual_visits);
    over(bm->paid_minutes, m.paid_minutes);
    over(bm->rejected, m.rejected);
    over(bm->manual_share_exceeded, m.manual_share_exceeded);
    over(bm->repayments, m.repayments);
    if (!m.clauses.empty()) bm->clauses = m.clauses;
  }
  for (const auto& [id, x] : o.refusals) e.refusals[id] = x;
  return e;
}

}  // namespace kvittens::harness
