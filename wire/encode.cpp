// Encoding of worlds and registrations: the inverse of decode.cpp.
#include "wire/wire.hpp"

namespace kvittens::wire {

using Json = nlohmann::ordered_json;

std::string wire_time(Instant t) {
  const auto minute = std::chrono::floor<std::chrono::minutes>(t);
  std::string text = format_local(minute);
  const auto secs = (t - minute).count();
  if (secs != 0) {
    const char buf[4] = {':', static_cast<char>('0' + secs / 10),
                         static_cast<char>('0' + secs % 10), 0};
    text.insert(16, buf);
  }
  return text;
}

namespace {

template <class T>
void put_opt(Json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}
void put_opt_date(Json& j, const char* key, const std::optional<Date>& d) {
  if (d) j[key] = format_date(*d);
}
void put_opt_time(Json& j, const char* key, const std::optional<Instant>& t) {
  if (t) j[key] = wire_time(*t);
}
void put_str(Json& j, const char* key, const std::string& s) {
  if (!s.empty()) j[key] = s;
}

Json receipt(const Receipt& r) {
  switch (r.kind) {
    case ReceiptKind::None:
      return "none";
    case ReceiptKind::Nfc:
      return Json{{"nfc", r.tag_uid}};
    case ReceiptKind::Lock: {
      const LockEvent e = r.lock.value_or(LockEvent{});
      return Json{{"lock",
                   {{"lock_id", e.lock_id},
                    {"seq", e.seq},
                    {"time", e.time},
                    {"event", e.event},
                    {"key_id", e.key_id},
                    {"mac", e.mac_hex}}}};
    }
  }
  return "none";
}

Json insats(const PerformedInsats& p) {
  Json j{{"insats", p.insats}, {"status", to_string(p.status)}};
  put_opt(j, "minutes", p.minutes);
  return j;
}

Json body(const Visit& v) {
  Json j{{"id", v.id},
         {"staff", v.staff},
         {"customer", v.customer},
         {"start", wire_time(v.start)},
         {"end", wire_time(v.end)},
         {"start_receipt", receipt(v.start_receipt)},
         {"end_receipt", receipt(v.end_receipt)},
         {"start_place", to_string(v.start_place)},
         {"end_place", to_string(v.end_place)}};
  Json list = Json::array();
  for (const auto& p : v.insatser) list.push_back(insats(p));
  j["insatser"] = list;
  put_str(j, "note", v.note);
  if (v.note_about) j["note_about"] = note_about_names(v.note_about);
  j["manual"] = v.manual;
  j["declined_after_start"] = v.declined_after_start;
  if (v.edit) {
    j["edit"] = Json{{"start", wire_time(v.edit->start)}, {"end", wire_time(v.edit->end)}};
    put_str(j["edit"], "note", v.edit->note);
    put_opt_time(j["edit"], "made_at", v.edit->made_at);
  }
  put_opt(j, "shared_group", v.shared_group);
  put_str(j, "shift", v.shift);
  put_opt_time(j, "notice_at", v.notice_at);
  put_str(j, "cause", v.cause);
  put_opt_time(j, "registered_at", v.registered_at);
  put_str(j, "phone", v.phone);
  return Json{{"visit", j}};
}

Json body(const DoubleStaffing& d) {
  Json j{{"id", d.id},
         {"staff", d.staff},
         {"customer", d.customer},
         {"start", wire_time(d.start)},
         {"end", wire_time(d.end)}};
  put_str(j, "note", d.note);
  put_str(j, "shift", d.shift);
  put_str(j, "phone", d.phone);
  return Json{{"double_staffing", j}};
}

Json body(const SharedInsats& s) {
  Json j{{"id", s.id},
         {"staff", s.staff},
         {"insats", s.insats},
         {"start", wire_time(s.start)},
         {"end", wire_time(s.end)},
         {"customers", s.customers}};
  put_str(j, "phone", s.phone);
  return Json{{"shared_insats", j}};
}

Json body(const DeclinedVisit& d) {
  Json j{{"id", d.id},
         {"staff", d.staff},
         {"customer", d.customer},
         {"planned_start", wire_time(d.planned_start)},
         {"planned_end", wire_time(d.planned_end)},
         {"declined_at", wire_time(d.declined_at)}};
  put_str(j, "note", d.note);
  put_str(j, "shift", d.shift);
  put_str(j, "phone", d.phone);
  return Json{{"declined_visit", j}};
}

Json body(const Absence& a) {
  Json j{{"id", a.id},
         {"customer", a.customer},
         {"notified_at", wire_time(a.notified_at)},
         {"start", wire_time(a.start)}};
  put_opt_time(j, "end", a.end);
  j["reason"] = a.reason;
  return Json{{"absence", j}};
}

Json body(const ShiftApproval& s) {
  return Json{{"shift_approval", {{"shift", s.shift}, {"approved_at", wire_time(s.approved_at)}}}};
}

Json body(const Payment& p) {
  return Json{{"payment", {{"visit", p.visit}, {"paid_minutes", p.paid_minutes}}}};
}

Json body(const VisitEdit& e) {
  Json j{{"id", e.id},
         {"visit", e.visit},
         {"start", wire_time(e.edit.start)},
         {"end", wire_time(e.edit.end)}};
  put_str(j, "note", e.edit.note);
  put_opt_time(j, "made_at", e.edit.made_at);
  put_str(j, "phone", e.phone);
  return Json{{"visit_edit", j}};
}

}  // namespace

Json encode_world(const World& w) {
  Json providers = Json::array(), customers = Json::array(), staff = Json::array(),
       orders = Json::array(), locks = Json::array(), phones = Json::array(),
       cutoff = Json::object();
  for (const auto& p : w.providers) providers.push_back(Json{{"id", p.id}, {"name", p.name}});
  for (const auto& c : w.customers) {
    Json j{{"id", c.id},
           {"provider", c.provider},
           {"name", c.name},
           {"service", to_string(c.service)},
           {"nfc_tags", c.nfc_tags},
           {"granted_weekly_hours", c.granted_weekly_hours},
           {"nfc_exemption", c.nfc_exemption}};
    put_opt(j, "cohabitant", c.cohabitant);
    put_opt(j, "lock", c.lock);
    put_opt_date(j, "customer_since", c.customer_since);
    customers.push_back(j);
  }
  for (const auto& s : w.staff) {
    Json j{{"id", s.id}, {"provider", s.provider}, {"name", s.name}};
    put_opt_date(j, "deactivated_on", s.deactivated_on);
    put_opt_time(j, "last_login", s.last_login);
    put_str(j, "phone", s.phone);
    staff.push_back(j);
  }
  for (const auto& o : w.orders) {
    Json j{{"id", o.id},
           {"customer", o.customer},
           {"insats", o.insats},
           {"minutes", o.minutes},
           {"double_staffing", o.double_staffing}};
    put_opt_date(j, "from", o.from);
    put_opt_date(j, "to", o.to);
    orders.push_back(j);
  }
  for (const auto& l : w.locks) {
    Json j{{"id", l.id}, {"key_hex", l.key_hex}, {"customers", l.customers}};
    put_opt_date(j, "mounted_on", l.mounted_on);
    locks.push_back(std::move(j));
  }
  for (const auto& p : w.phones) {
    Json j{{"id", p.id}, {"provider", p.provider}};
    put_opt_time(j, "deactivated_at", p.deactivated_at);
    phones.push_back(j);
  }
  for (const auto& [month, day] : w.cutoff_dates) cutoff[month] = format_date(day);
  Json out{{"providers", providers},
           {"customers", customers},
           {"staff", staff},
           {"orders", orders},
           {"locks", locks}};
  // Only when there are phones: a world without them encodes as it did before phones.
  if (!w.phones.empty()) out["phones"] = phones;
  out["cutoff_dates"] = cutoff;
  return out;
}

Json encode_registration(const Registration& r) {
  return std::visit([](const auto& x) { return body(x); }, r);
}

}  // namespace kvittens::wire
