// 4.1 — a visit contains at least one insats; an Extra insats needs a note. 4.4 — an insats
// without an order ("tillfälligt behov") needs a note. Both are the note that documents an
// insats outside the order (NoteAbout::Extra).
#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k4_1{"4.1", Cited::Hemtjanst};
const Clause k4_4{"4.4", Cited::Hemtjanst};

}  // namespace

void clause_4_1_has_insats(const Visit& v, VisitDecision& d, Causes& causes) {
  if (!v.insatser.empty()) return;
  trace(d.trace, k4_1, "a visit must contain at least one insats");
  causes.add(k4_1);
}

bool clause_4_1_extra(const Visit& v, bool extra_note, bool rejected, InsatsDecision& id) {
  if (!extra_note) {
    trace(id.trace, k4_1, "Extra insats without a note: not approved");
    return true;
  }
  if (!rejected)
    trace(id.trace, k4_1, {"Extra insats with a note", note_named(v, NoteAbout::Extra)});
  return rejected;
}

bool clause_4_4_unordered(const Visit& v, const PerformedInsats& p, bool extra_note, bool rejected,
                          InsatsDecision& id) {
  if (!extra_note) {
    trace(id.trace, k4_4, {"no order for ", p.insats, " and no note: not approved"});
    return true;
  }
  if (!rejected)
    trace(id.trace, k4_4,
          {"no order for ", p.insats, "; temporary need documented in a note",
           note_named(v, NoteAbout::Extra)});
  return rejected;
}

}  // namespace kvittens::backend::detail
