// 4.2 — ordered time is paid (grundregel); insatser the provider initiates are paid without
// customer fee, within their caps and conditions (a smart lock, another insats, Omställningstid).
#include <algorithm>
#include <chrono>
#include <string>

#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"
#include "backend/engine/parameter.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k4_2{"4.2", Cited::Hemtjanst};
const Parameter<ParameterUnit::Days> kOmstallningDays{"omstallning_days", Cited::Hemtjanst};
const Parameter<ParameterUnit::Days> kOmstallningWithin{"omstallning_register_within_days",
                                                        Cited::Hemtjanst};

}  // namespace

void clause_4_2_within_order(const Order& order, InsatsDecision& id) {
  trace(id.trace, k4_2, {"within the ordered ", Number(order.minutes), " min"});
}

void clause_4_2_no_fee(InsatsDecision& id) {
  trace(id.trace, k4_2, "initiated by the provider: no customer fee");
}

int clause_4_2_provider(Context& ctx, const Visit& v, const InsatsInfo& info, int minutes,
                        Instant start, InsatsDecision& d) {
  const auto& c = ctx.customer(v.customer);
  if (info.requires_ == InsatsInfo::Requires::Lock && !c.lock) {
    trace(d.trace, k4_2, info.name + " is paid only where a smart lock is installed and used");
    return 0;
  }
  if (info.requires_ == InsatsInfo::Requires::Order) {
    const auto& needed = info.required_order;
    if (!ctx.order_for(v.customer, needed, start)) {
      trace(d.trace, k4_2, info.name + " is paid only for customers with the insats " + needed);
      return 0;
    }
  }
  if (info.omstallning) {
    if (!v.notice_at || v.cause.empty()) {
      trace(d.trace, k4_2, "Omställningstid needs the notice time and its cause");
      return 0;
    }
    if (v.cause != "hospital" && v.cause != "homecoming_cancelled" && v.cause != "death") {
      trace(d.trace, k4_2,
            "Omställningstid is paid for hospital, homecoming_cancelled or death, not '" + v.cause +
                "'");
      return 0;
    }
    const int days = kOmstallningDays(ctx.pack);
    const int within = kOmstallningWithin(ctx.pack);
    const auto registered = v.registered_at.value_or(v.end);
    if (registered > *v.notice_at + std::chrono::days{within}) {
      trace(d.trace, k4_2,
            "Omställningstid registered more than " + std::to_string(within) +
                " days after the cancellation");
      return 0;
    }
    const auto last = *v.notice_at + std::chrono::days{days};
    if (start >= last) {
      trace(d.trace, k4_2,
            "Omställningstid is paid for " + std::to_string(days) + " days from the notice (" +
                format_local(*v.notice_at) + "), this is after");
      return 0;
    }
    trace(d.trace, k4_2,
          "Omställningstid within " + std::to_string(days) +
              " days of the notice, registered in time");
    return minutes;
  }
  if (!info.cap_minutes) {
    trace(d.trace, k4_2, info.name + " is paid for the time it took, without customer fee");
    return minutes;
  }
  std::string key = v.customer + "|" + info.name;
  if (info.cap_per == CapPer::CustomerYear)
    key += "|" + std::to_string(int(ctx.local.date(start).year()));
  int& used = ctx.cap_used[key];
  if (info.once && used > 0) {
    trace(d.trace, k4_2, info.name + " is paid at one occasion per customer; already paid");
    return 0;
  }
  const int left = std::max(0, *info.cap_minutes - used);
  const int paid = std::min(minutes, left);
  const char* per =
      info.cap_per == CapPer::CustomerYear ? " per customer and year" : " per customer";
  if (paid < minutes)
    trace(d.trace, k4_2,
          info.name + " capped at " + std::to_string(*info.cap_minutes) + " min" + per + "; " +
              std::to_string(used) + " already paid");
  else
    trace(d.trace, k4_2,
          info.name + " within its cap of " + std::to_string(*info.cap_minutes) + " min" + per);
  used += paid;
  if (info.once) used = std::max(used, 1);
  return paid;
}

}  // namespace kvittens::backend::detail
