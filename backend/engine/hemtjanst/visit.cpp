// Hemtjänst, seed 000_cebd08351947c2e2.txt: a visit judged in the order a reviewer reads it —
// who registered (5.2), which times stand (4.12), the time (2, 4.14), receipts (4.10, 4.5,
// 4.11, 7), approval (3.2, 4.13), then each insats (4.1-4.4, 4.7, 4.8, 4.15, 10). Each clause
// is written by its own file in this folder (hemtjanst.hpp); an insats withdrawn from the
// catalogue cites the clause the pack names for it.
#include <algorithm>

#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {

void hemtjanst_visit(Context& ctx, const Visit& v, VisitDecision& d) {
  d.id = v.id;
  d.kind = "visit";
  d.customer = v.customer;
  d.staff = v.staff;
  const auto& entry = ctx.customer_entry(v.customer);
  const auto& customer = *entry.customer;
  d.provider = customer.provider;
  d.stamp = ctx.stamp;
  ctx.arena.begin(d.trace);
  const auto [start, end] = clause_4_12_times(ctx, v, d);
  d.start = start;
  d.end = end;
  d.registered_minutes = static_cast<int>(minutes_between(start, end));
  clause_2_visit_time(ctx, d);
  clause_4_14_manual(v, d);
  // Every clause that makes the visit unpayable is found and cited, not only the first.
  Causes causes;
  auto* const staff = ctx.find_staff(v.staff);
  if (!clause_5_2_account(ctx, staff, start, d)) causes.add(clause_5_2_id());
  clause_4_1_has_insats(v, d, causes);
  clause_4_10_receipts(ctx, v, customer, start, end, !causes.empty(), d, causes);
  const auto& shift = shift_verdict_of(ctx, staff, v.shift, v.staff, start);
  if (causes.empty() || !shift.approved) {
    clause_4_13_shift(shift, d);
    if (!shift.approved) causes.add(shift.clause);
  }
  const bool payable = causes.empty();
  if (v.declined_after_start && payable) clause_4_8_declined_after_start(d);

  const bool extra_note = documents(v, NoteAbout::Extra);
  const Date day = ctx.local.date(start);
  auto& plan = ctx.insats_plan;
  plan.clear();
  for (const auto& p : v.insatser) {
    Context::InsatsPlan x;
    x.info = ctx.insats(p.insats);
    x.performed = x.info->withdrawn.empty() && p.status != InsatsStatus::Declined;
    const bool provider = x.info->category == "provider";
    if (!provider) x.order = Context::order_for(entry, p.insats, day);
    x.rejected_otherwise = x.performed && !provider && !x.order && !extra_note;
    plan.push_back(x);
  }
  split_minutes(ctx, v, d.registered_minutes, plan);
  if (payable) clause_4_15_matrix(ctx, plan, documents(v, NoteAbout::Assessment));
  d.insatser.reserve(v.insatser.size());
  const SharedInsats* group = nullptr;
  if (v.shared_group) {
    const auto it = ctx.shared.find(*v.shared_group);
    if (it != ctx.shared.end()) group = it->second;
  }
  for (std::size_t k = 0; k < v.insatser.size(); ++k) {
    const auto& p = v.insatser[k];
    const auto& info = *plan[k].info;
    InsatsDecision id;
    ctx.arena.begin(id.trace);
    id.insats = p.insats;
    id.registered_minutes = plan[k].minutes;
    int paid = payable ? plan[k].minutes : 0;
    for (std::size_t c = 0; c < causes.size; ++c)
      trace(id.trace, causes.items[c], "visit not payable");
    if (payable) {
      // Each clause that rejects the insats is cited; those that would pay it only when none
      // does.
      bool rejected = false;
      if (!info.withdrawn.empty()) {
        trace(id.trace, info.withdrawn, {info.name, " is no longer an insats of its own"});
        rejected = true;
      }
      if (p.status == InsatsStatus::Declined) {
        clause_4_8_avbojd(id);
        rejected = true;
      }
      if (plan[k].performed) {
        if (!trace_4_15(ctx, v, plan, k, id)) rejected = true;
        if (info.category == "provider") {
          if (!rejected) paid = clause_4_2_provider(ctx, v, info, paid, start, id);
        } else if (const auto* order = plan[k].order) {
          // 4.2 grundregel / 4.3: ordered time, more only with a note.
          if (rejected) {
          } else if (paid > order->minutes) {
            paid = clause_4_3_over_order(v, paid, *order, id);
          } else {
            clause_4_2_within_order(*order, id);
          }
          if (!rejected && v.start_place == Place::Pickup && info.pickup)
            clause_4_11_pickup_included(id);
        } else if (p.status == InsatsStatus::Extra) {
          rejected = clause_4_1_extra(v, extra_note, rejected, id);
        } else {
          rejected = clause_4_4_unordered(v, p, extra_note, rejected, id);
        }
      }
      if (rejected) paid = 0;
    }
    if (paid > 0 && group) paid = clause_4_7_share(*group, paid, id);
    id.paid_minutes = paid;
    settle(id);
    id.customer_fee = info.fee && id.paid_minutes > 0;
    if (!info.fee && id.paid_minutes > 0) clause_4_2_no_fee(id);
    d.paid_minutes += id.paid_minutes;
    d.customer_fee = d.customer_fee || id.customer_fee;
    ctx.arena.freeze(id.trace);
    d.insatser.push_back(std::move(id));
  }
  settle(d);
  ctx.arena.freeze(d.trace);
}

}  // namespace kvittens::backend::detail
