// B1 — the month's granted time caps what is paid: weekly hours x 60 x days in the month / 7
// (I-B1).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "backend/engine/boendestod/boendestod.hpp"
#include "backend/engine/clause.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause kB1{"B1", Cited::Boendestod};

}  // namespace

// B1 — "Huvudregeln är att ni som utförare inte får ersättning för tid överstigande beviljad
// tid per månad." Cap: weekly hours x 60 x days in month / 7 (I-B1).
void boendestod_monthly_cap(Context& ctx, std::vector<VisitDecision*>& in_time_order) {
  std::map<std::string, int> used;  // customer|month -> minutes
  for (auto* d : in_time_order) {
    if (d->paid_minutes <= 0) continue;
    const auto* customer = ctx.find_customer(d->customer);
    if (!customer) continue;
    const auto month = ctx.local.month(d->start);
    const unsigned days = unsigned(std::chrono::year_month_day_last{
        month.year(),
        std::chrono::month_day_last{
            month.month()}}.day());
    const int cap =
        static_cast<int>(std::floor(customer->granted_weekly_hours * 60.0 * days / 7.0));
    int& u = used[d->customer + "|" + format_month(month)];
    const int left = std::max(0, cap - u);
    if (d->paid_minutes > left) {
      trace(d->trace, kB1,
            "monthly granted time " + std::to_string(cap) + " min (" +
                figure_text(customer->granted_weekly_hours) + " h/week); " + std::to_string(u) +
                " min already paid this month");
      d->paid_minutes = left;
      for (auto& i : d->insatser) i.paid_minutes = std::min(i.paid_minutes, left), settle(i);
      settle(*d);
    }
    u += d->paid_minutes;
  }
}

}  // namespace kvittens::backend::detail
