// 4.10 — receipts at the start and the end of every visit; the listed exceptions, a
// cohabitant's visit and a start at the matlåda's pickup point (4.11) need a note, and one
// outside the exceptions is a manual registration. What counts as a receipt: the customer's
// own tag, not the spouse's (4.5), no tag where a trygghetslås is mounted (2.1, 6, 7), a lock
// receipt whose MAC verifies, fresh and on time (I-6). Boendestöd judges receipts the same way
// under its own clause (B2).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <initializer_list>
#include <string>

#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"
#include "backend/engine/parameter.hpp"
#include "kvittens/lock_receipt.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k4_5{"4.5", Cited::Hemtjanst};
const Clause k4_10{"4.10", Cited::Hemtjanst};
const Clause k4_11{"4.11", Cited::Hemtjanst};
const Clause k7{"7", Cited::Hemtjanst};
// Boendestöd's lock receipts are judged here too (B2).
const Parameter<ParameterUnit::Minutes> kLockTolerance{"lock_receipt_tolerance_minutes",
                                                       Cited::Both};

// 4.10 — which end of the visit the listed exceptions excuse.
bool exception_covers(const InsatsInfo& i, bool at_start, Place place) {
  switch (i.receipt_exception) {
    case ReceiptException::None:
      return false;
    case ReceiptException::Always:
      return true;
    case ReceiptException::Start:
      return at_start && place != Place::Door;
    case ReceiptException::End:
      return !at_start && place != Place::Door;
    case ReceiptException::Both:
      return place != Place::Door;
  }
  return false;
}

// 4.10 (cohabitant item): the spouse's visit by the same staff member overlaps this one and
// has its own receipt, so this visit may lack one.
bool cohabitant_covers(const Context& ctx, const Visit& v, const Customer& c) {
  if (!c.cohabitant) return false;
  for (const auto* o : ctx.visits_of(v.staff, *c.cohabitant))
    if (o->start < v.end && v.start < o->end &&
        (o->start_receipt.kind != ReceiptKind::None || o->end_receipt.kind != ReceiptKind::None))
      return true;
  return false;
}

}  // namespace

bool clause_7_applies(const RulePack& pack) {
  return pack.clause(k7.id()) != nullptr;
}

void clause_4_11_pickup_included(InsatsDecision& id) {
  trace(id.trace, k4_11, "pickup of the matlåda included in the granted time");
}

// 4.10, 4.5, 4.11, 7: judge both receipts; a receipt that cannot be accepted adds its
// causes. Once the visit is unpayable for another cause (`unpayable`), only further causes
// are traced: a valid receipt or a documented exception is no part of a rejection, and a
// rejected visit is not counted as manual.
void clause_4_10_receipts(Context& ctx, const Visit& v, const Customer& c, Instant start,
                          Instant end, bool unpayable, VisitDecision& d, Causes& causes) {
  for (const bool at_start : {true, false}) {
    const auto& r = at_start ? v.start_receipt : v.end_receipt;
    const Place place = at_start ? v.start_place : v.end_place;
    const char* which = at_start ? "start" : "end";
    auto& verdict = judge_receipt(ctx, r, c, at_start ? start : end, k4_10, v.id, at_start);
    if (verdict.valid) {
      if (!unpayable) d.trace.add(verdict.clause, verdict.reason.view());
      continue;
    }
    const bool presented = r.kind != ReceiptKind::None;
    const bool note = documents(v, NoteAbout::Receipt);
    if (presented && (!unpayable || !note)) {
      verdict.reason.push("; counts as no receipt");
      d.trace.add(verdict.clause, verdict.reason.view());
    }
    // 4.11: a lunch or dinner visit may start at the pickup point of the matlåda; like every
    // exception of 4.10 it is documented in a note (§2, I-5).
    const bool pickup = at_start && place == Place::Pickup &&
                        std::any_of(v.insatser.begin(), v.insatser.end(), [&](const auto& p) {
                          const auto* i = ctx.insats(p.insats);
                          return i && i->pickup;
                        });
    if (!note) {
      // A note about something else is named as such: it is there, it documents no receipt.
      const std::string_view missing = v.note.empty()
                                           ? " and without a note explaining why"
                                           : "; the visit's note is not about the receipt";
      trace(d.trace, k4_10,
            {which,
             pickup ? " without receipt at the pickup point of the matlåda" : " without receipt",
             missing});
      if (presented) causes.add(verdict.clause);
      causes.add(k4_10);
      continue;
    }
    if (unpayable) continue;
    if (pickup) {
      trace(d.trace, k4_11,
            {"start without receipt at the pickup point of the matlåda",
             note_named(v, NoteAbout::Receipt)});
      continue;
    }
    const bool excused = std::any_of(v.insatser.begin(), v.insatser.end(), [&](const auto& p) {
      const auto* i = ctx.insats(p.insats);
      return i && exception_covers(*i, at_start, place);
    });
    if (excused) {
      trace(d.trace, k4_10,
            {which, " without receipt: a listed exception, with a note",
             note_named(v, NoteAbout::Receipt)});
    } else if (cohabitant_covers(ctx, v, c)) {
      trace(d.trace, k4_10,
            {which, " without receipt: cohabitant registered separately, with a note",
             note_named(v, NoteAbout::Receipt)});
    } else {
      trace(d.trace, k4_10,
            {which, " without receipt outside the exceptions, with a note",
             note_named(v, NoteAbout::Receipt), ": manual registration"});
      d.manual = true;
    }
  }
}

Context::ReceiptVerdict& judge_receipt(Context& ctx, const Receipt& r, const Customer& customer,
                                       Instant at, std::string_view receipt_clause,
                                       const std::string& visit_id, bool at_start) {
  auto& v = ctx.receipt_verdict;
  v.valid = false;
  v.clause = receipt_clause;
  v.reason.clear();
  v.reason.push(at_start ? "start: " : "end: ");
  const auto say = [&](std::initializer_list<std::string_view> parts) {
    for (const auto p : parts) v.reason.push(p);
  };
  const auto fail = [&](std::initializer_list<std::string_view> parts,
                        std::string_view clause = {}) -> Context::ReceiptVerdict& {
    say(parts);
    if (!clause.empty()) v.clause = clause;
    return v;
  };
  switch (r.kind) {
    case ReceiptKind::None:
      return fail({"no receipt"});
    case ReceiptKind::Nfc: {
      // §2.1, §7: kvittensmärken "får enbart användas för de kunder som inte har digitala
      // lås" — from the day a lock is mounted on the customer's door, a tag is no receipt.
      if (ctx.tags_yield_to_locks) {
        const auto* lock = ctx.lock_of(customer);
        const auto* mounted = lock && lock->mounted_on ? &*lock->mounted_on : nullptr;
        if ((lock || customer.lock) && (!mounted || ctx.local.date(at) >= *mounted)) {
          say({"NFC tag ", r.tag_uid, " is no receipt: a trygghetslås (",
               lock ? lock->id : *customer.lock, ") is mounted on the customer's door"});
          if (mounted) {
            v.seq.clear();
            LocalTime::append_date(v.seq, *mounted);
            say({" since ", v.seq});
          }
          return fail({}, k7);
        }
      }
      for (const auto& t : customer.nfc_tags)
        if (t == r.tag_uid) {
          say({"NFC tag ", r.tag_uid, " is the customer's"});
          v.valid = true;
          return v;
        }
      if (customer.cohabitant) {
        if (const auto* cohabitant = ctx.find_customer(*customer.cohabitant))
          for (const auto& t : cohabitant->nfc_tags)
            if (t == r.tag_uid)
              return fail({"NFC tag ", r.tag_uid, " belongs to the cohabitant, not this customer"},
                          ctx.pack.clause(k4_5.id()) ? k4_5.id() : receipt_clause);
      }
      return fail({"NFC tag ", r.tag_uid, " is not registered to the customer"});
    }
    case ReceiptKind::Lock: {
      if (!r.lock) return fail({"lock receipt without its log entry"});
      const auto& e = *r.lock;
      const auto lock = ctx.locks.find(e.lock_id);
      if (lock == ctx.locks.end())
        return fail({"lock ", e.lock_id, " is not known to the backend"});
      bool serves = false;
      for (const auto& c : lock->second->customers) serves = serves || c == customer.id;
      if (!serves) return fail({"lock ", e.lock_id, " is not on this customer's door"});
      const auto key = lock_receipt::from_hex(lock->second->key_hex);
      v.seq = std::to_string(e.seq);
      if (!key || !lock_receipt::verify(e, *key))
        return fail({"lock receipt seq ", v.seq, " has a MAC that does not verify (forged)"});
      const auto* first = ctx.first_use_of(e.lock_id, e.seq);
      if (first && *first != visit_id + (at_start ? "/start" : "/end"))
        return fail({"lock receipt seq ", v.seq, " was already used by ", *first, " (replay)"});
      const long tolerance = kLockTolerance(ctx.pack);
      const auto event_time = Instant{std::chrono::seconds{e.time}};
      const long gap = std::labs(minutes_between(event_time, at));
      if (gap > tolerance) {
        v.time = ctx.local.text(event_time);
        v.gap = std::to_string(gap);
        return fail({"lock receipt time ", v.time, " is ", v.gap, " min from the visit time"});
      }
      say({"lock ", e.lock_id, " receipt seq ", v.seq, " verified"});
      v.valid = true;
      return v;
    }
  }
  return fail({"unknown receipt"});
}

}  // namespace kvittens::backend::detail
