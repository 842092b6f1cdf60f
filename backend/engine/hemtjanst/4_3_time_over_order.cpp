// 4.3 — time over the ordered time is paid only when a note explains the difference;
// otherwise the ordered time is paid.
#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k4_3{"4.3", Cited::Hemtjanst};

}  // namespace

int clause_4_3_over_order(const Visit& v, int paid, const Order& order, InsatsDecision& id) {
  if (documents(v, NoteAbout::OverTime)) {
    trace(id.trace, k4_3,
          {Number(paid), " min against ", Number(order.minutes),
           " ordered; a note explains the difference", note_named(v, NoteAbout::OverTime)});
    return paid;
  }
  trace(id.trace, k4_3,
        {Number(paid), " min against ", Number(order.minutes),
         " ordered and no note: paid the ordered time"});
  return order.minutes;
}

}  // namespace kvittens::backend::detail
