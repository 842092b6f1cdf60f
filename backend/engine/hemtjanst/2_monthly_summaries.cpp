// Section 2 of seed 000 at the level of a month: the 10 % cap on manual registrations and,
// from the 2026-03-25 revision, repayment of compensation paid above what is due.
#include <algorithm>
#include <map>

#include "backend/engine/clause.hpp"
#include "backend/engine/context.hpp"
#include "backend/engine/parameter.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k2_manual{"2/manual", Cited::Hemtjanst};
const Clause k2_repayment{"2/repayment", Cited::Hemtjanst};
// Absent: no cap on the manual share, no repayment lines (versions before they applied).
const Parameter<ParameterUnit::Ratio> kManualShareMax{"manual_share_max", Cited::Hemtjanst,
                                                      Need::Optional};
const Parameter<ParameterUnit::Bool> kRepayment{"repayment", Cited::Hemtjanst, Need::Optional};

}  // namespace

std::vector<MonthlySummary> monthly_summaries(const Context& ctx, const VisitDecisions& decisions) {
  // Keyed by provider and year*100+month, which orders as the "YYYY-MM" text does.
  std::map<std::pair<std::string, int>, MonthlySummary> by_key;
  MonthlySummary* last = nullptr;
  int last_month = 0;
  const auto summary = [&](const std::string& provider, Instant at) -> MonthlySummary& {
    const auto ym = ctx.local.month(at);
    const int month = int(ym.year()) * 100 + static_cast<int>(unsigned(ym.month()));
    if (last && last_month == month && last->provider == provider) return *last;
    auto [it, added] = by_key.try_emplace({provider, month});
    auto& s = it->second;
    if (added) {
      s.provider = provider;
      s.month = format_month(ym);
      s.stamp = ctx.stamp;
    }
    last = &s;
    last_month = month;
    return s;
  };
  for (const auto& d : decisions) {
    auto& s = summary(d.provider, d.start);
    if (d.kind == "visit") {
      ++s.visits;
      if (d.manual) ++s.manual_visits;
    }
    s.paid_minutes += d.paid_minutes;
    if (d.state == DecisionState::Rejected) ++s.rejected;
  }
  const auto manual_share_max = kManualShareMax.given(ctx.pack);
  for (auto& [key, s] : by_key) {
    s.manual_share = s.visits ? static_cast<double>(s.manual_visits) / s.visits : 0.0;
    if (!manual_share_max) continue;
    const double max = *manual_share_max;
    s.manual_share_exceeded = s.manual_share > max;
    char share[64];
    std::snprintf(share, sizeof share, "%d of %d visits manual (%.1f %%), limit %g %%",
                  s.manual_visits, s.visits, s.manual_share * 100, max * 100);
    trace(s.trace, k2_manual,
          std::string(share) + (s.manual_share_exceeded ? ": exceeded" : ": within"));
  }
  // Repayments (I-14): only versions that carry the clause produce them.
  const bool repay = kRepayment.given(ctx.pack).value_or(false);
  if (repay) {
    std::map<std::string, const VisitDecision*> by_id;
    for (const auto& d : decisions) by_id.emplace(d.id, &d);
    for (const auto& p : ctx.regs.payments) {
      const auto it = by_id.find(p.visit);
      if (it == by_id.end()) continue;
      const auto& d = *it->second;
      if (d.paid_minutes >= p.paid_minutes) continue;
      auto& s = summary(d.provider, d.start);
      s.repayments.push_back(
          {d.id,
           p.paid_minutes,
           d.paid_minutes,
           {std::string(k2_repayment.id()), std::to_string(p.paid_minutes - d.paid_minutes) +
                                                " min paid above what is due are repaid"}});
    }
  }
  std::vector<MonthlySummary> out;
  for (auto& [key, s] : by_key) out.push_back(std::move(s));
  return out;
}

}  // namespace kvittens::backend::detail
