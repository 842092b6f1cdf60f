// Decoding of worlds and registrations from strict JSON: the same shapes and defaults as the
// YAML reader of `kvittens evaluate` (docs/evaluate-format.md), with the wire's limits, every
// problem reported at its JSON pointer. A round-trip test holds the two readers together.
#include <algorithm>
#include <cctype>
#include <limits>

#include "wire/json_reader.hpp"
#include "wire/wire.hpp"

namespace kvittens::wire {
namespace {

constexpr std::int64_t kMaxMinutes = Limits::max_minutes;

// Reads one body; `r` collects the problems, `j` is the object at pointer `at`.
class Decoder {
 public:
  JsonReader r;

  std::string opt_text(const Json& j, const std::string& at, const char* key,
                       const std::string& what, std::size_t max_bytes) {
    const Json* v = r.optional(j, key);
    return v ? r.text(*v, pointer_to(at, key), what, max_bytes) : std::string();
  }
  std::string opt_id(const Json& j, const std::string& at, const char* key,
                     const std::string& what) {
    const Json* v = r.optional(j, key);
    return v ? r.id(*v, pointer_to(at, key), what) : std::string();
  }
  std::string req_id(const Json& j, const std::string& at, const char* key, const std::string& what,
                     const std::string& in) {
    const Json* v = r.require(j, at, key, in);
    return v ? r.id(*v, pointer_to(at, key), what) : std::string();
  }
  Instant req_instant(const Json& j, const std::string& at, const char* key,
                      const std::string& what, const std::string& in,
                      std::optional<Date> day = std::nullopt) {
    const Json* v = r.require(j, at, key, in);
    return v ? r.instant(*v, pointer_to(at, key), what, day) : Instant{};
  }
  std::optional<Instant> opt_instant(const Json& j, const std::string& at, const char* key,
                                     const std::string& what,
                                     std::optional<Date> day = std::nullopt) {
    const Json* v = r.optional(j, key);
    if (!v) return std::nullopt;
    return r.instant(*v, pointer_to(at, key), what, day);
  }

  Receipt receipt(const Json& j, const std::string& at) {
    Receipt out;
    if (j.is_string() && j.get_ref<const std::string&>() == "none") return out;
    if (!j.is_object() || j.size() != 1) {
      r.fail(at, "expected a receipt: \"none\", {\"nfc\": UID} or {\"lock\": {...}}");
      return out;
    }
    r.object(j, at, {"nfc", "lock"}, "receipt");
    if (const Json* n = r.optional(j, "nfc")) {
      out.kind = ReceiptKind::Nfc;
      out.tag_uid = r.id(*n, pointer_to(at, "nfc"), "NFC tag UID");
    } else if (const Json* l = r.optional(j, "lock")) {
      const auto la = pointer_to(at, "lock");
      if (!r.object(*l, la, {"lock_id", "seq", "time", "event", "key_id", "mac"}, "lock receipt"))
        return out;
      LockEvent e;
      e.lock_id = req_id(*l, la, "lock_id", "lock id", "lock receipt");
      if (const Json* v = r.require(*l, la, "seq", "lock receipt"))
        e.seq = static_cast<std::uint32_t>(
            r.integer(*v, pointer_to(la, "seq"), "sequence number", 0, 0xffffffffLL));
      if (const Json* t = r.require(*l, la, "time", "lock receipt")) {
        const auto ta = pointer_to(la, "time");
        e.time = t->is_string() ? r.instant(*t, ta, "lock time").time_since_epoch().count()
                                : r.integer(*t, ta, "lock time (Unix seconds)", 0, 4102444800LL);
      }
      if (const Json* v = r.optional(*l, "event"))
        e.event =
            static_cast<std::uint8_t>(r.integer(*v, pointer_to(la, "event"), "event code", 0, 255));
      if (const Json* v = r.optional(*l, "key_id"))
        e.key_id = static_cast<std::uint16_t>(
            r.integer(*v, pointer_to(la, "key_id"), "key id", 0, 0xffff));
      e.mac_hex = req_id(*l, la, "mac", "MAC (hex)", "lock receipt");
      out.kind = ReceiptKind::Lock;
      out.lock = e;
    }
    return out;
  }

  Place place(const Json& j, const std::string& at) {
    const auto p = r.choice(j, at, {"door", "outside", "pickup"}, "place");
    return p == "door" ? Place::Door : p == "outside" ? Place::Outside : Place::Pickup;
  }

  PerformedInsats performed(const Json& j, const std::string& at) {
    PerformedInsats p;
    if (j.is_string()) {
      p.insats = r.id(j, at, "insats name");
      return p;
    }
    if (!r.object(j, at, {"insats", "status", "minutes"}, "insats")) return p;
    p.insats = req_id(j, at, "insats", "insats name", "insats");
    if (const Json* s = r.optional(j, "status")) {
      const auto v =
          r.choice(*s, pointer_to(at, "status"), {"ordered", "extra", "declined"}, "insats status");
      p.status = v == "ordered" ? InsatsStatus::Ordered
                 : v == "extra" ? InsatsStatus::Extra
                                : InsatsStatus::Declined;
    }
    if (const Json* m = r.optional(j, "minutes"))
      // Any int: a negative or oversized figure is the engine's to refuse, citing clause 2.
      p.minutes = static_cast<int>(r.integer(*m, pointer_to(at, "minutes"), "minutes",
                                             std::numeric_limits<int>::min(),
                                             std::numeric_limits<int>::max()));
    return p;
  }

  Visit visit(const Json& j, const std::string& at) {
    Visit v;
    if (!r.object(j, at, {"id",          "staff",
                          "customer",    "start",
                          "end",         "start_receipt",
                          "end_receipt", "start_place",
                          "end_place",   "insatser",
                          "note",        "note_about",
                          "manual",      "declined_after_start",
                          "edit",        "shared_group",
                          "shift",       "notice_at",
                          "cause",       "registered_at",
                          "phone"},
                  "visit"))
      return v;
    v.id = req_id(j, at, "id", "visit id", "visit");
    v.staff = req_id(j, at, "staff", "staff id", "visit");
    v.customer = req_id(j, at, "customer", "customer id", "visit");
    v.start = req_instant(j, at, "start", "start", "visit");
    v.end = req_instant(j, at, "end", "end", "visit", local_date(v.start));
    if (const Json* x = r.optional(j, "start_receipt"))
      v.start_receipt = receipt(*x, pointer_to(at, "start_receipt"));
    if (const Json* x = r.optional(j, "end_receipt"))
      v.end_receipt = receipt(*x, pointer_to(at, "end_receipt"));
    if (const Json* x = r.optional(j, "start_place"))
      v.start_place = place(*x, pointer_to(at, "start_place"));
    if (const Json* x = r.optional(j, "end_place"))
      v.end_place = place(*x, pointer_to(at, "end_place"));
    if (const Json* list = r.optional(j, "insatser")) {
      const auto la = pointer_to(at, "insatser");
      if (r.array(*list, la, "insatser"))
        for (std::size_t i = 0; i < list->size(); ++i)
          v.insatser.push_back(performed((*list)[i], pointer_to(la, i)));
    }
    v.note = opt_text(j, at, "note", "note", Limits::note_bytes);
    if (const Json* x = r.optional(j, "note_about"))
      v.note_about = r.note_about(*x, pointer_to(at, "note_about"));
    if (const Json* x = r.optional(j, "manual"))
      v.manual = r.boolean(*x, pointer_to(at, "manual"), "manual");
    if (const Json* x = r.optional(j, "declined_after_start"))
      v.declined_after_start =
          r.boolean(*x, pointer_to(at, "declined_after_start"), "declined_after_start");
    if (const Json* e = r.optional(j, "edit")) {
      const auto ea = pointer_to(at, "edit");
      if (r.object(*e, ea, {"start", "end", "note", "made_at"}, "edit")) {
        TimeEdit edit;
        edit.start = req_instant(*e, ea, "start", "edited start", "edit");
        edit.end = req_instant(*e, ea, "end", "edited end", "edit", local_date(v.start));
        edit.note = opt_text(*e, ea, "note", "edit note", Limits::note_bytes);
        edit.made_at = opt_instant(*e, ea, "made_at", "edit time", local_date(v.start));
        v.edit = edit;
      }
    }
    if (const Json* x = r.optional(j, "shared_group"))
      v.shared_group = r.id(*x, pointer_to(at, "shared_group"), "shared insats id");
    v.shift = opt_id(j, at, "shift", "shift id");
    v.notice_at = opt_instant(j, at, "notice_at", "notice time");
    v.cause = opt_id(j, at, "cause", "cause");
    v.registered_at = opt_instant(j, at, "registered_at", "registration time");
    v.phone = opt_id(j, at, "phone", "phone id");
    return v;
  }

  Registration registration(const Json& j) {
    static const std::vector<std::string> kinds = {
        "visit",   "double_staffing", "shared_insats", "declined_visit",
        "absence", "shift_approval",  "payment",       "visit_edit"};
    if (!j.is_object() || j.size() != 1) {
      r.fail("",
             "expected one registration as {KIND: {...}} with KIND one of visit, "
             "double_staffing, shared_insats, declined_visit, absence, shift_approval, payment, "
             "visit_edit");
      return Visit{};
    }
    const std::string kind_text = j.begin().key();
    const auto kind = r.choice(Json(kind_text), "", kinds, "registration kind");
    if (kind != kind_text) return Visit{};
    const Json& b = j.begin().value();
    const std::string at = pointer_to("", kind);
    if (kind == "visit") return visit(b, at);
    if (kind == "double_staffing") {
      DoubleStaffing d;
      if (!r.object(b, at, {"id", "staff", "customer", "start", "end", "note", "shift", "phone"},
                    kind))
        return d;
      d.id = req_id(b, at, "id", "id", kind);
      d.staff = req_id(b, at, "staff", "staff id", kind);
      d.customer = req_id(b, at, "customer", "customer id", kind);
      d.start = req_instant(b, at, "start", "start", kind);
      d.end = req_instant(b, at, "end", "end", kind, local_date(d.start));
      d.note = opt_text(b, at, "note", "note", Limits::note_bytes);
      d.shift = opt_id(b, at, "shift", "shift id");
      d.phone = opt_id(b, at, "phone", "phone id");
      return d;
    }
    if (kind == "shared_insats") {
      SharedInsats s;
      if (!r.object(b, at, {"id", "staff", "insats", "start", "end", "customers", "phone"}, kind))
        return s;
      s.id = req_id(b, at, "id", "id", kind);
      s.staff = req_id(b, at, "staff", "staff id", kind);
      s.insats = req_id(b, at, "insats", "insats", kind);
      s.start = req_instant(b, at, "start", "start", kind);
      s.end = req_instant(b, at, "end", "end", kind, local_date(s.start));
      if (const Json* c = r.require(b, at, "customers", kind))
        s.customers = r.ids(*c, pointer_to(at, "customers"), "customer id");
      s.phone = opt_id(b, at, "phone", "phone id");
      return s;
    }
    if (kind == "declined_visit") {
      DeclinedVisit d;
      if (!r.object(b, at,
                    {"id", "staff", "customer", "planned_start", "planned_end", "declined_at",
                     "note", "shift", "phone"},
                    kind))
        return d;
      d.id = req_id(b, at, "id", "id", kind);
      d.staff = req_id(b, at, "staff", "staff id", kind);
      d.customer = req_id(b, at, "customer", "customer id", kind);
      d.planned_start = req_instant(b, at, "planned_start", "planned start", kind);
      d.planned_end =
          req_instant(b, at, "planned_end", "planned end", kind, local_date(d.planned_start));
      d.declined_at = opt_instant(b, at, "declined_at", "declined at").value_or(d.planned_start);
      d.note = opt_text(b, at, "note", "note", Limits::note_bytes);
      d.shift = opt_id(b, at, "shift", "shift id");
      d.phone = opt_id(b, at, "phone", "phone id");
      return d;
    }
    if (kind == "absence") {
      Absence a;
      if (!r.object(b, at, {"id", "customer", "notified_at", "start", "end", "reason"}, kind))
        return a;
      a.id = req_id(b, at, "id", "id", kind);
      a.customer = req_id(b, at, "customer", "customer id", kind);
      a.notified_at = req_instant(b, at, "notified_at", "notified at", kind);
      a.start = req_instant(b, at, "start", "start", kind);
      a.end = opt_instant(b, at, "end", "end");
      const Json* reason = r.optional(b, "reason");
      a.reason = reason ? r.choice(*reason, pointer_to(at, "reason"), {"hospital", "away"},
                                   "absence reason")
                        : "hospital";
      return a;
    }
    if (kind == "shift_approval") {
      ShiftApproval s;
      if (!r.object(b, at, {"shift", "approved_at"}, kind)) return s;
      s.shift = req_id(b, at, "shift", "shift id", kind);
      s.approved_at = req_instant(b, at, "approved_at", "approval time", kind);
      return s;
    }
    if (kind == "visit_edit") {
      VisitEdit e;
      if (!r.object(b, at, {"id", "visit", "start", "end", "note", "made_at", "phone"}, kind))
        return e;
      e.id = req_id(b, at, "id", "id", kind);
      e.visit = req_id(b, at, "visit", "visit id", kind);
      e.edit.start = req_instant(b, at, "start", "edited start", kind);
      e.edit.end = req_instant(b, at, "end", "edited end", kind, local_date(e.edit.start));
      e.edit.note = opt_text(b, at, "note", "note", Limits::note_bytes);
      e.edit.made_at = opt_instant(b, at, "made_at", "edit time");
      e.phone = opt_id(b, at, "phone", "phone id");
      return e;
    }
    Payment p;
    if (!r.object(b, at, {"visit", "paid_minutes"}, kind)) return p;
    p.visit = req_id(b, at, "visit", "visit id", kind);
    if (const Json* m = r.require(b, at, "paid_minutes", kind))
      p.paid_minutes = static_cast<int>(
          r.integer(*m, pointer_to(at, "paid_minutes"), "paid minutes", 0, kMaxMinutes));
    return p;
  }

  World world(const Json& j) {
    World w;
    if (!r.object(j, "",
                  {"providers", "customers", "staff", "orders", "locks", "phones", "cutoff_dates"},
                  "world"))
      return w;
    const auto each = [&](const char* key, const std::string& what, auto&& read) {
      const Json* list = r.optional(j, key);
      const auto la = pointer_to("", key);
      if (!list || !r.array(*list, la, what)) return;
      for (std::size_t i = 0; i < list->size(); ++i) read((*list)[i], pointer_to(la, i));
    };
    each("providers", "providers", [&](const Json& n, const std::string& at) {
      if (!r.object(n, at, {"id", "name"}, "provider")) return;
      Provider p;
      p.id = req_id(n, at, "id", "provider id", "provider");
      p.name = opt_text(n, at, "name", "provider name", Limits::name_bytes);
      w.providers.push_back(p);
    });
    // A world with one provider lets customers, staff and phones leave `provider` out.
    const std::string only_provider = w.providers.size() == 1 ? w.providers[0].id : "";
    const auto provider_of = [&](const Json& n, const std::string& at, const std::string& what) {
      if (const Json* p = r.optional(n, "provider"))
        return r.id(*p, pointer_to(at, "provider"), "provider id");
      if (only_provider.empty())
        r.fail(at, "missing 'provider' in " + what + " (the world does not have exactly one)");
      return only_provider;
    };
    each("customers", "customers", [&](const Json& n, const std::string& at) {
      if (!r.object(n, at,
                    {"id", "provider", "name", "service", "cohabitant", "nfc_tags", "lock",
                     "granted_weekly_hours", "nfc_exemption", "customer_since"},
                    "customer"))
        return;
      Customer c;
      c.id = req_id(n, at, "id", "customer id", "customer");
      c.provider = provider_of(n, at, "customer");
      c.name = opt_text(n, at, "name", "customer name", Limits::name_bytes);
      if (const Json* s = r.optional(n, "service"))
        c.service = r.choice(*s, pointer_to(at, "service"), {"hemtjanst", "boendestod"},
                             "service") == "hemtjanst"
                        ? ServiceType::Hemtjanst
                        : ServiceType::Boendestod;
      c.cohabitant = [&]() -> std::optional<std::string> {
        if (r.optional(n, "cohabitant")) return opt_id(n, at, "cohabitant", "cohabitant");
        return std::nullopt;
      }();
      if (const Json* t = r.optional(n, "nfc_tags"))
        c.nfc_tags = r.ids(*t, pointer_to(at, "nfc_tags"), "NFC tag UID");
      if (r.optional(n, "lock")) c.lock = opt_id(n, at, "lock", "lock id");
      if (const Json* h = r.optional(n, "granted_weekly_hours"))
        c.granted_weekly_hours =
            r.number(*h, pointer_to(at, "granted_weekly_hours"), "granted_weekly_hours", 0, 7 * 24);
      if (const Json* x = r.optional(n, "nfc_exemption"))
        c.nfc_exemption = r.boolean(*x, pointer_to(at, "nfc_exemption"), "nfc_exemption");
      if (const Json* x = r.optional(n, "customer_since"))
        c.customer_since = r.date(*x, pointer_to(at, "customer_since"), "customer_since");
      w.customers.push_back(c);
    });
    each("staff", "staff", [&](const Json& n, const std::string& at) {
      if (!r.object(n, at, {"id", "provider", "name", "deactivated_on", "last_login", "phone"},
                    "staff member"))
        return;
      StaffMember s;
      s.id = req_id(n, at, "id", "staff id", "staff member");
      s.provider = provider_of(n, at, "staff member");
      s.name = opt_text(n, at, "name", "staff name", Limits::name_bytes);
      if (const Json* x = r.optional(n, "deactivated_on"))
        s.deactivated_on = r.date(*x, pointer_to(at, "deactivated_on"), "deactivated_on");
      s.last_login = opt_instant(n, at, "last_login", "last_login");
      s.phone = opt_id(n, at, "phone", "phone id");
      w.staff.push_back(s);
    });
    std::size_t index = 0;
    each("orders", "orders", [&](const Json& n, const std::string& at) {
      const std::size_t this_index = index++;
      if (!r.object(n, at, {"id", "customer", "insats", "minutes", "double_staffing", "from", "to"},
                    "order"))
        return;
      Order o;
      o.customer = req_id(n, at, "customer", "customer id", "order");
      o.insats = req_id(n, at, "insats", "insats name", "order");
      o.id = r.optional(n, "id") ? opt_id(n, at, "id", "order id")
                                 : o.customer + "/" + o.insats + "/" + std::to_string(this_index);
      if (const Json* m = r.optional(n, "minutes"))
        o.minutes =
            static_cast<int>(r.integer(*m, pointer_to(at, "minutes"), "minutes", 0, kMaxMinutes));
      if (const Json* x = r.optional(n, "double_staffing"))
        o.double_staffing = r.boolean(*x, pointer_to(at, "double_staffing"), "double_staffing");
      if (const Json* x = r.optional(n, "from"))
        o.from = r.date(*x, pointer_to(at, "from"), "from");
      if (const Json* x = r.optional(n, "to")) o.to = r.date(*x, pointer_to(at, "to"), "to");
      w.orders.push_back(o);
    });
    each("locks", "locks", [&](const Json& n, const std::string& at) {
      if (!r.object(n, at, {"id", "key_hex", "customers", "mounted_on"}, "lock")) return;
      LockRecord l;
      l.id = req_id(n, at, "id", "lock id (BLE address)", "lock");
      if (const Json* k = r.require(n, at, "key_hex", "lock")) {
        l.key_hex = r.text(*k, pointer_to(at, "key_hex"), "key_hex", 64);
        if (l.key_hex.size() != 64 || !std::all_of(l.key_hex.begin(), l.key_hex.end(), [](char ch) {
              return std::isxdigit(static_cast<unsigned char>(ch));
            }))
          r.fail(pointer_to(at, "key_hex"), "expected key_hex as 64 hex digits (a 32-byte key)");
      }
      if (const Json* c = r.optional(n, "customers"))
        l.customers = r.ids(*c, pointer_to(at, "customers"), "customer id");
      if (const Json* x = r.optional(n, "mounted_on"))
        l.mounted_on = r.date(*x, pointer_to(at, "mounted_on"), "mounted_on");
      w.locks.push_back(l);
    });
    each("phones", "phones", [&](const Json& n, const std::string& at) {
      if (!r.object(n, at, {"id", "provider", "deactivated_at"}, "phone")) return;
      PhoneRecord p;
      p.id = req_id(n, at, "id", "phone id", "phone");
      p.provider = provider_of(n, at, "phone");
      p.deactivated_at = opt_instant(n, at, "deactivated_at", "deactivated_at");
      w.phones.push_back(p);
    });
    if (const Json* cd = r.optional(j, "cutoff_dates")) {
      if (!cd->is_object()) {
        r.fail("/cutoff_dates", "expected cutoff_dates as an object {\"YYYY-MM\": \"YYYY-MM-DD\"}");
      } else {
        for (const auto& [month, day] : cd->items()) {
          const auto at = pointer_to("/cutoff_dates", month);
          try {
            (void)parse_month(month);
          } catch (const std::exception&) {
            r.fail(at, "expected a month YYYY-MM as the key, got '" + month + "'");
            continue;
          }
          w.cutoff_dates[month] = r.date(day, at, "spärrdatum");
        }
      }
    }
    // A lock lists the customers behind its door; by default those that name it.
    for (auto& l : w.locks) {
      if (!l.customers.empty()) continue;
      for (const auto& c : w.customers)
        if (c.lock == l.id) l.customers.push_back(c.id);
    }
    return w;
  }
};

template <class T, class F>
T decode(std::string_view body, F&& read) {
  std::vector<WireIssue> issues;
  const auto json = parse_strict(body, Limits::max_depth, issues);
  if (!json) throw WireError(std::move(issues));
  Decoder d;
  T out = read(d, *json);
  if (!d.r.issues().empty()) throw WireError(std::move(d.r.issues()));
  return out;
}

}  // namespace

World decode_world(std::string_view body) {
  return decode<World>(body, [](Decoder& d, const Json& j) { return d.world(j); });
}

Registration decode_registration(std::string_view body) {
  return decode<Registration>(body, [](Decoder& d, const Json& j) { return d.registration(j); });
}

}  // namespace kvittens::wire
