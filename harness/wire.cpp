#include "harness/wire.hpp"

#include <yaml-cpp/yaml.h>

#include "harness/evaluate_input.hpp"
#include "harness/scenario.hpp"
#include "harness/scenario_world.hpp"

namespace kvittens::harness {

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

// Nesting depth of a JSON text, strings skipped; bounds the recursive decoders below.
int nesting_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

YAML::Node strict_json(std::string_view body, int max_depth) {
  if (nesting_depth(body) > max_depth)
    throw WireError("body: nested deeper than " + std::to_string(max_depth) + " levels");
  try {
    const auto strict = nlohmann::json::parse(body);  // strict JSON: YAML alone accepts more
    (void)strict;
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    const auto at = what.find("parse error");
    throw WireError("body: malformed JSON: " + (at == std::string::npos ? what : what.substr(at)));
  }
  try {
    return YAML::Load(std::string(body));
  } catch (const YAML::Exception& e) {
    throw WireError("body:" + std::to_string(e.mark.line + 1) + ":" +
                    std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

template <class F>
auto located(F&& f) {
  try {
    return f();
  } catch (const ScenarioError& e) {
    throw WireError(e.what());
  }
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

World decode_world(std::string_view text, int max_depth) {
  const auto node = strict_json(text, max_depth);
  return located([&] { return decode_scenario_world(node, "body"); });
}

Registration decode_registration(std::string_view text, int max_depth) {
  const auto node = strict_json(text, max_depth);
  return located([&] { return decode_registration(node, "body"); });
}

namespace {

DecisionState state(const std::string& s) {
  if (s == "approved") return DecisionState::Approved;
  if (s == "reduced") return DecisionState::Reduced;
  if (s == "rejected") return DecisionState::Rejected;
  throw WireError("decision state '" + s + "' is not approved, reduced or rejected");
}

Trace trace(const nlohmann::json& j) {
  Trace out;
  for (const auto& t : j) {
    const auto& clause = t.at("clause").get_ref<const std::string&>();
    if (clause.size() > 255)
      throw WireError("decisions: trace clause id of " + std::to_string(clause.size()) +
                      " bytes (at most 255)");
    out.add(clause, t.at("reason").get_ref<const std::string&>());
  }
  return out;
}

Stamp stamp(const nlohmann::json& j) {
  return {j.at("pack"), j.at("version"), j.at("effective"), j.at("hash")};
}

template <class F>
auto wire(F&& f) {
  try {
    return f();
  } catch (const nlohmann::json::exception& e) {
    throw WireError(std::string("decisions: ") + e.what());
  } catch (const TimeError& e) {
    throw WireError(std::string("decisions: ") + e.what());
  }
}

}  // namespace

VisitDecision decode_visit_decision(const nlohmann::json& j) {
  return wire([&] {
    VisitDecision d;
    d.id = j.at("id");
    d.kind = j.at("kind");
    d.provider = j.at("provider");
    d.customer = j.at("customer");
    d.staff = j.at("staff");
    d.start = parse_local(j.at("start").get<std::string>());
    d.end = parse_local(j.at("end").get<std::string>());
    d.registered_minutes = j.at("registered_minutes");
    d.paid_minutes = j.at("paid_minutes");
    d.state = state(j.at("state"));
    d.customer_fee = j.at("customer_fee");
    d.manual = j.at("manual");
    for (const auto& i : j.at("insatser")) {
      InsatsDecision x;
      x.insats = i.at("insats");
      x.registered_minutes = i.at("registered_minutes");
      x.paid_minutes = i.at("paid_minutes");
      x.state = state(i.at("state"));
      x.customer_fee = i.at("customer_fee");
      x.trace = trace(i.at("trace"));
      d.insatser.push_back(std::move(x));
    }
    d.trace = trace(j.at("trace"));
    d.stamp = stamp(j.at("stamp"));
    return d;
  });
}

Decisions decode_decisions(const nlohmann::json& j) {
  return wire([&] {
    Decisions out;
    for (const auto& v : j.at("decisions")) out.visits.push_back(decode_visit_decision(v));
    for (const auto& m : j.at("months")) {
      MonthlySummary s;
      s.provider = m.at("provider");
      s.month = m.at("month");
      s.visits = m.at("visits");
      s.manual_visits = m.at("manual_visits");
      // The text carries the share to 4 decimals; the engine's value is manual/visits
      // (backend/engine/monthly.cpp), restored exactly from the two counts.
      s.manual_share = s.visits ? static_cast<double>(s.manual_visits) / s.visits
                                : m.at("manual_share").get<double>();
      s.manual_share_exceeded = m.at("manual_share_exceeded");
      s.paid_minutes = m.at("paid_minutes");
      s.rejected = m.at("rejected");
      for (const auto& r : m.at("repayments"))
        s.repayments.push_back({r.at("visit"),
                                r.at("paid_before"),
                                r.at("due_now"),
                                {r.at("clause"), r.at("reason")}});
      s.trace = trace(m.at("trace"));
      s.stamp = stamp(m.at("stamp"));
      out.months.push_back(std::move(s));
    }
    return out;
  });
}

}  // namespace kvittens::harness
