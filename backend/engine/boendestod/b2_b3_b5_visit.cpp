// B2, B3, B5 — a boendestöd visit: receipted in the home, or outside it with a comment (B2);
// without NFC only with the LSS officer's approval (B3); declined during a started visit, the
// rest is unpaid (B5). Its time is cited 2, from the hemtjänst text the same app follows.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "backend/engine/boendestod/boendestod.hpp"
#include "backend/engine/clause.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k2{"2", Cited::Boendestod};
const Clause kB2{"B2", Cited::Boendestod};
const Clause kB3{"B3", Cited::Boendestod};
const Clause kB5{"B5", Cited::Boendestod};

}  // namespace

// B2/B3 — "Vid utförd insats i hemmet ska registrering alltid ske med kvittens ... Om
// insatsen utförs utanför hemmet ska insatsen registreras i appen utan kvittens med en
// tillhörande kommentar ... Om kvittens saknas och anteckning om orsak saknas kommer passet
// inte att ersättas."
VisitDecision boendestod_visit(Context& ctx, const Visit& v) {
  Instant start = v.start, end = v.end;
  Trace pre;
  if (v.edit && !v.edit->note.empty()) {
    start = v.edit->start;
    end = v.edit->end;
    trace(pre, kB2, "registered time as edited, with a note");
  } else if (v.edit) {
    trace(pre, kB2, "edit without a note: the registered times stand");
  }
  auto d = decision_for(ctx, v.id, "visit", v.customer, v.staff, start, end);
  d.trace = std::move(pre);
  const auto& c = ctx.customer(v.customer);
  trace(d.trace, k2,
        {"visit time ", ctx.local.text(start), "–", ctx.local.text(end), " (",
         Number(d.registered_minutes), " min)"});
  if (v.manual) d.manual = true;
  bool payable = clause_5_2_account(ctx, ctx.find_staff(v.staff), start, d);
  for (const bool at_start : {true, false}) {
    if (!payable) break;
    const auto& r = at_start ? v.start_receipt : v.end_receipt;
    const Place place = at_start ? v.start_place : v.end_place;
    const char* which = at_start ? "start" : "end";
    auto& verdict = judge_receipt(ctx, r, c, at_start ? start : end, kB2, v.id, at_start);
    if (verdict.valid) {
      d.trace.add(kB2, verdict.reason.view());
      continue;
    }
    if (r.kind != ReceiptKind::None) {
      verdict.reason.push("; counts as no receipt");
      d.trace.add(verdict.clause, verdict.reason.view());
    }
    if (c.nfc_exemption) {
      trace(d.trace, kB3,
            std::string(which) + " without receipt: the LSS officer approved work without NFC tag");
    } else if (place == Place::Outside && documents(v, NoteAbout::Receipt)) {
      trace(d.trace, kB2,
            std::string(which) + " without receipt: performed outside the home, with a comment");
    } else {
      trace(d.trace, kB2,
            std::string(which) +
                " without receipt and without a note that it was outside the home: not paid");
      payable = false;
    }
  }
  if (v.declined_after_start)
    trace(d.trace, kB5,
          "the customer declined the rest of a started visit: only the performed time is paid");
  InsatsDecision id;
  id.insats = v.insatser.empty() ? "Boendestöd" : v.insatser.front().insats;
  id.registered_minutes = d.registered_minutes;
  id.paid_minutes = payable ? d.registered_minutes : 0;
  trace(id.trace, kB2, payable ? "paid for registered time" : "not paid");
  settle(id);
  d.paid_minutes = id.paid_minutes;
  d.insatser.push_back(std::move(id));
  settle(d);
  return d;
}

}  // namespace kvittens::backend::detail
