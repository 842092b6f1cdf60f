// 4.15 — the combination matrix (bilaga I): insatser that must not be combined, and those
// that need an individual assessment documented in a note. Which insats of a forbidden pair is
// kept does not depend on selection order (I-2).
#include <algorithm>

#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k4_15{"4.15", Cited::Hemtjanst};

}  // namespace

// 4.15 with I-2: which insatser of a visit the matrix keeps, whatever order they were
// selected in. Candidates are taken by precedence: an insats no other clause rejects before
// one that is rejected anyway, an ordered insats before one without an order, then the
// catalogue's order (bilaga I's columns); each must combine with every one kept before it.
// Fills ctx.matrix_findings; insatser registered as Avböjd or withdrawn take no part.
// `note`: the visit has a note documenting an individual assessment.
void clause_4_15_matrix(Context& ctx, std::span<const Context::InsatsPlan> plan, bool note) {
  ctx.matrix_findings.clear();
  if (plan.size() < 2) return;  // nothing to combine
  auto& order = ctx.matrix_order;
  order.clear();
  for (std::size_t k = 0; k < plan.size(); ++k)
    if (plan[k].performed) order.push_back(k);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& x = plan[a];
    const auto& y = plan[b];
    if (x.rejected_otherwise != y.rejected_otherwise) return !x.rejected_otherwise;
    if ((x.order != nullptr) != (y.order != nullptr)) return x.order != nullptr;
    if (x.info->index != y.info->index) return x.info->index < y.info->index;
    // The same insats twice: the one with more time is kept (an order-free choice; equal
    // ones are alike).
    if (x.minutes != y.minutes) return x.minutes > y.minutes;
    return a < b;
  });
  auto& findings = ctx.matrix_findings;
  auto& kept = ctx.matrix_kept;
  kept.clear();
  for (const std::size_t k : order) {
    bool keep = true;
    for (const std::size_t j : kept) {
      const auto state = ctx.pack.combination(*plan[j].info, *plan[k].info);
      if (state == MatrixState::Never || (state == MatrixState::Assess && !note)) {
        findings.push_back({k, j, state, false});
        keep = false;
        break;
      }
      if (state == MatrixState::Assess) findings.push_back({k, j, state, true});
    }
    if (keep) kept.push_back(k);
  }
}

// The matrix findings for insats k, traced; false when the matrix rejects it.
bool trace_4_15(const Context& ctx, const Visit& v, std::span<const Context::InsatsPlan> plan,
                std::size_t k, InsatsDecision& d) {
  bool kept = true;
  for (const auto& f : ctx.matrix_findings) {
    if (f.insats != k) continue;
    const auto& name = plan[k].info->name;
    const auto& other = plan[f.partner].info->name;
    if (f.state == MatrixState::Never) {
      trace(d.trace, k4_15, {name, " must not be combined with ", other, " (bilaga I)"});
    } else if (!f.allowed) {
      trace(d.trace, k4_15,
            {name, " with ", other, " needs an individual assessment, documented in a note"});
    } else {
      trace(d.trace, k4_15,
            {name, " with ", other, ": individual assessment documented in a note",
             note_named(v, NoteAbout::Assessment)});
    }
    kept = kept && f.allowed;
  }
  return kept;
}

}  // namespace kvittens::backend::detail
