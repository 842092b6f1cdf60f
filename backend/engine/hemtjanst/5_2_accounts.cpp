// 5.2 — "Nacka kommun inaktiverar användare som inte varit inloggade på 18 månader." A
// deactivated account, or one idle for account_idle_months, registers nothing that is paid.
// Boendestöd uses the same accounts and applies it too.
#include <chrono>
#include <string>

#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"
#include "backend/engine/parameter.hpp"

namespace kvittens::backend::detail {

namespace {

const Clause k5_2{"5.2", Cited::Both};
const Parameter<ParameterUnit::Months> kAccountIdleMonths{"account_idle_months", Cited::Both};

// 5.2 for one staff member on one local day; `reason` filled when not active.
bool account_active_on(const Context& ctx, const StaffMember& s, Date day, std::string& reason) {
  if (s.deactivated_on && day >= *s.deactivated_on) {
    reason = "the staff account was deactivated on " + format_date(*s.deactivated_on);
    return false;
  }
  if (s.last_login) {
    const int months = kAccountIdleMonths(ctx.pack);
    const auto last = local_date(*s.last_login);
    // The account is inactivated when `months` have passed since the last login (I-13);
    // from 31 Jan, 1 month on is the last day of February.
    const auto ym =
        std::chrono::year_month{last.year(), last.month()} + std::chrono::months{months};
    std::chrono::year_month_day idle_from{ym.year(), ym.month(), last.day()};
    if (!idle_from.ok())
      idle_from = std::chrono::year_month_day{
          std::chrono::year_month_day_last{ym.year(), std::chrono::month_day_last{ym.month()}}};
    if (day >= idle_from) {
      reason = "the staff account had not logged in since " + format_date(last) + " (" +
               std::to_string(months) + " months: deactivated)";
      return false;
    }
  }
  return true;
}

// 5.2, remembered in the staff entry for the day; `reason` views the entry.
bool account_active(Context& ctx, Context::StaffEntry* staff, Instant at,
                    std::string_view& reason) {
  if (!staff) {
    reason = "unknown staff account";
    return false;
  }
  const auto day = ctx.local.date(at);
  if (!staff->account_asked || staff->account_day != day) {
    staff->inactive_reason.clear();
    staff->active = account_active_on(ctx, *staff->member, day, staff->inactive_reason);
    staff->account_day = day;
    staff->account_asked = true;
  }
  reason = staff->inactive_reason;
  return staff->active;
}
}  // namespace

// 5.2 — "Nacka kommun inaktiverar användare som inte varit inloggade på 18 månader."
bool clause_5_2_account(Context& ctx, Context::StaffEntry* staff, Instant at, VisitDecision& d) {
  std::string_view reason;
  if (account_active(ctx, staff, at, reason)) return true;
  trace(d.trace, k5_2, {reason, "; registration not accepted"});
  return false;
}

std::string_view clause_5_2_id() {
  return k5_2;
}

}  // namespace kvittens::backend::detail
