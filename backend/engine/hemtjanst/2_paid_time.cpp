// 2 — paid time runs receipt to receipt: the visit's time, the minutes its insatser are stated
// as (I-17), and what check() refuses (a visit over 24 h, stated minutes that do not fit,
// overlapping visits of one staff member, I-7). Boendestöd registers in the same app: its
// refusals cite 2 too.
#include <algorithm>
#include <chrono>
#include <string>

#include "backend/engine/checks.hpp"
#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k2{"2", Cited::Both};

// The longest a registration with a start and an end may last (I-17): a besök is time at one
// customer within a day, and every sum of minutes the engine makes stays far from overflow.
constexpr std::chrono::hours kLongestVisit{24};

}  // namespace

void clause_2_visit_time(Context& ctx, VisitDecision& d) {
  trace(d.trace, k2,
        {"visit time ", ctx.local.text(d.start), "–", ctx.local.text(d.end), " (",
         Number(d.registered_minutes), " min), receipt to receipt"});
}

// Minutes per insats (plan[k].minutes): as stated, or the visit's time split equally among
// the others. Stated minutes never add up to more than the visit's time (Engine::check refuses
// that; an edit can still shorten the visit below them): each is cut to what the visit has
// left. Neither the cut nor the split's remainder depends on selection order: insatser are
// taken in the catalogue's order (then by stated minutes), and the remainder goes to the first.
void split_minutes(Context& ctx, const Visit& v, int visit_minutes,
                   std::span<Context::InsatsPlan> plan) {
  auto& order = ctx.split_order;
  order.resize(plan.size());
  for (std::size_t k = 0; k < plan.size(); ++k) order[k] = k;
  if (plan.size() > 1) {
    const auto rank = [&](std::size_t k) {
      return std::pair(plan[k].info->index, v.insatser[k].minutes.value_or(0));
    };
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return rank(a) < rank(b); });
  }
  const long long time = std::max(0, visit_minutes);
  long long given = 0;
  int unspecified = 0;
  for (const std::size_t k : order) {
    const auto& stated = v.insatser[k].minutes;
    if (!stated) {
      ++unspecified;
      continue;
    }
    const long long cut = std::clamp<long long>(*stated, 0, time - given);
    given += cut;
    plan[k].minutes = static_cast<int>(cut);
  }
  const int rest = static_cast<int>(time - given);
  for (int seen = 0; const std::size_t k : order) {
    if (v.insatser[k].minutes) continue;
    plan[k].minutes = rest / unspecified + (seen == 0 ? rest % unspecified : 0);
    ++seen;
  }
}

std::optional<Refusal> check_times(Instant start, Instant end, const char* what) {
  if (end < start)
    return refuse("", std::string(what) + " ends (" + format_local(end) + ") before it starts (" +
                          format_local(start) + ")");
  return std::nullopt;
}

std::optional<Refusal> check_visit_times(Instant start, Instant end, const char* what) {
  if (auto r = check_times(start, end, what)) return r;
  if (end - start > kLongestVisit)
    return refuse(k2, std::string(what) + " lasts from " + format_local(start) + " to " +
                          format_local(end) + ", more than 24 h");
  return std::nullopt;
}

// Seed 000 §2 (I-17): the minutes stated per insats are time within the visit: none is
// negative and together they fit in the visit's time, receipt to receipt.
std::optional<Refusal> check_stated_minutes(const Visit& v) {
  long long stated = 0;
  for (const auto& p : v.insatser) {
    if (!p.minutes) continue;
    if (*p.minutes < 0)
      return refuse(k2, "insats " + p.insats + " is stated as " + std::to_string(*p.minutes) +
                            " min: minutes cannot be negative");
    stated += *p.minutes;
  }
  const long visit = minutes_between(v.start, v.end);
  if (stated > visit)
    return refuse(k2, "the insatser are stated as " + std::to_string(stated) +
                          " min in total, more than the visit's " + std::to_string(visit) +
                          " min (receipt to receipt)");
  return std::nullopt;
}

// Seed 000 §2 (I-7): one staff member's visits do not overlap, except the cohabitant's visit
// (4.5) and visits of the same shared insats (4.7).
std::optional<Refusal> check_overlap(const Visit& v, const Customer& c,
                                     const AcceptedRegistrations& accepted) {
  const auto& existing = accepted.all();
  for (const std::size_t i : accepted.visits_of(v.staff)) {
    const auto& o = existing.visits[i];
    if (o.id == v.id) continue;
    if (!(o.start < v.end && v.start < o.end)) continue;
    if (c.cohabitant && o.customer == *c.cohabitant) continue;
    if (v.shared_group && o.shared_group == v.shared_group) continue;
    return refuse(k2, "visit " + v.id + " (" + format_local(v.start) + "–" + format_local(v.end) +
                          ") overlaps visit " + o.id + " of the same staff member (" +
                          format_local(o.start) + "–" + format_local(o.end) +
                          "); travel time is not visit time");
  }
  return std::nullopt;
}

}  // namespace kvittens::backend::detail
