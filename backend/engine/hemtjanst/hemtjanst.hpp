// Hemtjänst's rules (seed 000_cebd08351947c2e2.txt), one file per clause or tight group, as
// the visit walk (visit.cpp) calls them in the order a reviewer reads a visit. Each file
// registers the clauses it cites (backend/engine/clause.hpp). Engine-internal.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <utility>

#include "backend/engine/context.hpp"

namespace kvittens::backend::detail {

// How a reason that relies on the visit's note names it: a note that says what it documents
// is named by that; a note naming nothing (it documents everything) is "a note" as before.
inline std::string_view note_named(const Visit& v, NoteAbout what) {
  if (v.note_about == 0) return {};
  switch (what) {
    case NoteAbout::Receipt:
      return " (the note about the receipt)";
    case NoteAbout::OverTime:
      return " (the note about the time)";
    case NoteAbout::Extra:
      return " (the note about the extra insats)";
    case NoteAbout::Assessment:
      return " (the note about the individual assessment)";
  }
  return {};
}

// The clauses that made a visit unpayable, each once, in the order they were found: every
// insats of the visit cites each of them (a rejection names all its causes, not the last
// line traced).
struct Causes {
  std::array<std::string_view, 8> items;
  std::size_t size = 0;
  void add(std::string_view clause) {
    for (std::size_t i = 0; i < size; ++i)
      if (items[i] == clause) return;
    if (size < items.size()) items[size++] = clause;
  }
  bool empty() const { return size == 0; }
};

// 2 (2_paid_time.cpp): the visit's time, receipt to receipt.
void clause_2_visit_time(Context& ctx, VisitDecision& d);
// 2 (I-17): minutes per insats (plan[k].minutes), as stated or the rest split equally.
void split_minutes(Context& ctx, const Visit& v, int visit_minutes,
                   std::span<Context::InsatsPlan> plan);

// 3.2 / 4.13 (3_2_4_13_shift_approval.cpp): traces the shift's verdict; false when unpaid.
bool clause_4_13_shift(const Context::ShiftVerdict& v, VisitDecision& d);

// 4.1 / 4.4 (4_1_4_4_extra_and_unordered.cpp).
// A visit without insats adds its cause.
void clause_4_1_has_insats(const Visit& v, VisitDecision& d, Causes& causes);
// An Extra insats: true when rejected (no note), or when `rejected` already.
bool clause_4_1_extra(const Visit& v, bool extra_note, bool rejected, InsatsDecision& id);
// An insats without order: true when rejected (no note), or when `rejected` already.
bool clause_4_4_unordered(const Visit& v, const PerformedInsats& p, bool extra_note, bool rejected,
                          InsatsDecision& id);

// 4.2 (4_2_ordered_and_provider_time.cpp).
// A provider-initiated insats with its caps: the minutes paid of `minutes`.
int clause_4_2_provider(Context& ctx, const Visit& v, const InsatsInfo& info, int minutes,
                        Instant start, InsatsDecision& d);
void clause_4_2_within_order(const Order& order, InsatsDecision& id);
void clause_4_2_no_fee(InsatsDecision& id);

// 4.3 (4_3_time_over_order.cpp): more than the ordered time; the minutes paid.
int clause_4_3_over_order(const Visit& v, int paid, const Order& order, InsatsDecision& id);

// 4.7 (4_7_shared_insats.cpp): a part of a shared insats; the minutes paid.
int clause_4_7_share(const SharedInsats& group, int paid, InsatsDecision& id);

// 4.8 (4_8_declined.cpp).
void clause_4_8_declined_after_start(VisitDecision& d);
void clause_4_8_avbojd(InsatsDecision& id);

// 4.10, 4.5, 4.11, 7 (4_10_receipts.cpp): both receipts of a visit judged; a receipt that
// cannot be accepted adds its causes.
void clause_4_10_receipts(Context& ctx, const Visit& v, const Customer& c, Instant start,
                          Instant end, bool unpayable, VisitDecision& d, Causes& causes);
// 4.11: the pickup of the matlåda is part of the granted time.
void clause_4_11_pickup_included(InsatsDecision& id);

// 4.12 (4_12_edited_times.cpp): the times that stand.
std::pair<Instant, Instant> clause_4_12_times(const Context& ctx, const Visit& v, VisitDecision& d);

// 4.14 (4_14_after_the_fact.cpp).
void clause_4_14_manual(const Visit& v, VisitDecision& d);

// 4.15 (4_15_matrix.cpp): which insatser the matrix keeps (ctx.matrix_findings), and the
// findings for insats k traced (false when the matrix rejects it).
void clause_4_15_matrix(Context& ctx, std::span<const Context::InsatsPlan> plan, bool note);
bool trace_4_15(const Context& ctx, const Visit& v, std::span<const Context::InsatsPlan> plan,
                std::size_t k, InsatsDecision& d);

}  // namespace kvittens::backend::detail
