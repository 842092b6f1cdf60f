#include "scenario/evaluate_input.hpp"

#include <fstream>
#include <sstream>

#include "scenario/scenario_world.hpp"
#include "scenario/scenario_yaml.hpp"

namespace kvittens::harness {
namespace {

std::string opt_str(const YamlReader& r, const YAML::Node& map, const char* key) {
  return map[key] ? r.str(map[key], key) : std::string();
}

Receipt receipt(const YamlReader& r, const YAML::Node& n) {
  Receipt out;
  if (n.IsScalar() && n.Scalar() == "none") return out;
  r.check_map(n, {"nfc", "lock"}, "receipt (none, {nfc: UID} or {lock: {...}})");
  if (n["nfc"]) {
    out.kind = ReceiptKind::Nfc;
    out.tag_uid = r.str(n["nfc"], "NFC tag UID");
  } else if (const auto l = n["lock"]) {
    r.check_map(l, {"lock_id", "seq", "time", "event", "key_id", "mac"}, "lock receipt");
    LockEvent e;
    e.lock_id = r.str(r.require(l, "lock_id", "lock receipt"), "lock id");
    e.seq = static_cast<std::uint32_t>(
        r.integer(r.require(l, "seq", "lock receipt"), "sequence number"));
    const auto t = r.require(l, "time", "lock receipt");
    e.time = t.Scalar().find('T') != std::string::npos
                 ? r.instant(t, "lock time").time_since_epoch().count()
                 : r.integer(t, "lock time (Unix seconds)");
    e.event = static_cast<std::uint8_t>(l["event"] ? r.integer(l["event"], "event code") : 1);
    e.key_id = static_cast<std::uint16_t>(l["key_id"] ? r.integer(l["key_id"], "key id") : 0);
    e.mac_hex = r.str(r.require(l, "mac", "lock receipt"), "MAC (hex)");
    out.kind = ReceiptKind::Lock;
    out.lock = e;
  } else {
    r.fail(n, "expected a receipt: none, {nfc: UID} or {lock: {...}}");
  }
  return out;
}

Place place(const YamlReader& r, const YAML::Node& n) {
  const auto p = r.choice(n, {"door", "outside", "pickup"}, "place");
  return p == "door" ? Place::Door : p == "outside" ? Place::Outside : Place::Pickup;
}

PerformedInsats performed(const YamlReader& r, const YAML::Node& n) {
  PerformedInsats p;
  if (n.IsScalar()) {
    p.insats = n.Scalar();
    return p;
  }
  r.check_map(n, {"insats", "status", "minutes"}, "insats");
  p.insats = r.str(r.require(n, "insats", "insats"), "insats name");
  if (n["status"]) {
    const auto s = r.choice(n["status"], {"ordered", "extra", "declined"}, "insats status");
    p.status = s == "ordered" ? InsatsStatus::Ordered
               : s == "extra" ? InsatsStatus::Extra
                              : InsatsStatus::Declined;
  }
  if (n["minutes"]) p.minutes = r.integer(n["minutes"], "minutes");
  return p;
}

Visit visit(const YamlReader& r, const YAML::Node& n) {
  r.check_map(n,
              {"id",
               "staff",
               "customer",
               "start",
               "end",
               "start_receipt",
               "end_receipt",
               "start_place",
               "end_place",
               "insatser",
               "note",
               "note_about",
               "manual",
               "declined_after_start",
               "edit",
               "shared_group",
               "shift",
               "notice_at",
               "cause",
               "registered_at",
               "phone"},
              "visit");
  Visit v;
  v.id = r.str(r.require(n, "id", "visit"), "visit id");
  v.staff = r.str(r.require(n, "staff", "visit"), "staff id");
  v.customer = r.str(r.require(n, "customer", "visit"), "customer id");
  v.start = r.instant(r.require(n, "start", "visit"), "start");
  v.end = r.instant(r.require(n, "end", "visit"), "end", local_date(v.start));
  if (n["start_receipt"]) v.start_receipt = receipt(r, n["start_receipt"]);
  if (n["end_receipt"]) v.end_receipt = receipt(r, n["end_receipt"]);
  if (n["start_place"]) v.start_place = place(r, n["start_place"]);
  if (n["end_place"]) v.end_place = place(r, n["end_place"]);
  if (const auto list = n["insatser"]) {
    if (!list.IsSequence()) r.fail(list, "expected insatser as a list");
    for (const auto& i : list) v.insatser.push_back(performed(r, i));
  }
  v.note = opt_str(r, n, "note");
  if (n["note_about"]) v.note_about = r.note_about(n["note_about"]);
  if (n["manual"]) v.manual = r.boolean(n["manual"], "manual");
  if (n["declined_after_start"])
    v.declined_after_start = r.boolean(n["declined_after_start"], "declined_after_start");
  if (const auto e = n["edit"]) {
    r.check_map(e, {"start", "end", "note", "made_at"}, "edit");
    v.edit = TimeEdit{r.instant(r.require(e, "start", "edit"), "edited start"),
                      r.instant(r.require(e, "end", "edit"), "edited end", local_date(v.start)),
                      opt_str(r, e, "note"), std::nullopt};
    if (e["made_at"]) v.edit->made_at = r.instant(e["made_at"], "edit time", local_date(v.start));
  }
  if (n["shared_group"]) v.shared_group = r.str(n["shared_group"], "shared insats id");
  v.shift = opt_str(r, n, "shift");
  if (n["notice_at"]) v.notice_at = r.instant(n["notice_at"], "notice time");
  v.cause = opt_str(r, n, "cause");
  if (n["registered_at"]) v.registered_at = r.instant(n["registered_at"], "registration time");
  v.phone = opt_str(r, n, "phone");
  return v;
}

Registration registration(const YamlReader& r, const YAML::Node& n) {
  static const std::vector<std::string> kinds = {
      "visit",   "double_staffing", "shared_insats", "declined_visit",
      "absence", "shift_approval",  "payment",       "visit_edit"};
  if (!n.IsMap() || n.size() != 1)
    r.fail(n,
           "expected one registration as {KIND: {...}} with KIND one of visit, double_staffing, "
           "shared_insats, declined_visit, absence, shift_approval, payment, visit_edit");
  const auto kind_node = n.begin()->first;
  const auto kind = r.choice(kind_node, kinds, "registration kind");
  const auto b = n.begin()->second;
  if (kind == "visit") return visit(r, b);
  if (kind == "double_staffing") {
    r.check_map(b, {"id", "staff", "customer", "start", "end", "note", "shift", "phone"},
                "double_staffing");
    DoubleStaffing d;
    d.id = r.str(r.require(b, "id", kind), "id");
    d.staff = r.str(r.require(b, "staff", kind), "staff id");
    d.customer = r.str(r.require(b, "customer", kind), "customer id");
    d.start = r.instant(r.require(b, "start", kind), "start");
    d.end = r.instant(r.require(b, "end", kind), "end", local_date(d.start));
    d.note = opt_str(r, b, "note");
    d.shift = opt_str(r, b, "shift");
    d.phone = opt_str(r, b, "phone");
    return d;
  }
  if (kind == "shared_insats") {
    r.check_map(b, {"id", "staff", "insats", "start", "end", "customers", "phone"}, kind);
    SharedInsats s;
    s.id = r.str(r.require(b, "id", kind), "id");
    s.staff = r.str(r.require(b, "staff", kind), "staff id");
    s.insats = r.str(r.require(b, "insats", kind), "insats");
    s.start = r.instant(r.require(b, "start", kind), "start");
    s.end = r.instant(r.require(b, "end", kind), "end", local_date(s.start));
    s.customers = r.strings(r.require(b, "customers", kind), "customer ids");
    s.phone = opt_str(r, b, "phone");
    return s;
  }
  if (kind == "declined_visit") {
    r.check_map(b,
                {"id", "staff", "customer", "planned_start", "planned_end", "declined_at", "note",
                 "shift", "phone"},
                kind);
    DeclinedVisit d;
    d.id = r.str(r.require(b, "id", kind), "id");
    d.staff = r.str(r.require(b, "staff", kind), "staff id");
    d.customer = r.str(r.require(b, "customer", kind), "customer id");
    d.planned_start = r.instant(r.require(b, "planned_start", kind), "planned start");
    d.planned_end =
        r.instant(r.require(b, "planned_end", kind), "planned end", local_date(d.planned_start));
    d.declined_at = b["declined_at"] ? r.instant(b["declined_at"], "declined at") : d.planned_start;
    d.note = opt_str(r, b, "note");
    d.shift = opt_str(r, b, "shift");
    d.phone = opt_str(r, b, "phone");
    return d;
  }
  if (kind == "absence") {
    r.check_map(b, {"id", "customer", "notified_at", "start", "end", "reason"}, kind);
    Absence a;
    a.id = r.str(r.require(b, "id", kind), "id");
    a.customer = r.str(r.require(b, "customer", kind), "customer id");
    a.notified_at = r.instant(r.require(b, "notified_at", kind), "notified at");
    a.start = r.instant(r.require(b, "start", kind), "start");
    if (b["end"]) a.end = r.instant(b["end"], "end");
    a.reason =
        b["reason"] ? r.choice(b["reason"], {"hospital", "away"}, "absence reason") : "hospital";
    return a;
  }
  if (kind == "shift_approval") {
    r.check_map(b, {"shift", "approved_at"}, kind);
    return ShiftApproval{r.str(r.require(b, "shift", kind), "shift id"),
                         r.instant(r.require(b, "approved_at", kind), "approval time")};
  }
  if (kind == "visit_edit") {
    r.check_map(b, {"id", "visit", "start", "end", "note", "made_at", "phone"}, kind);
    VisitEdit e;
    e.id = r.str(r.require(b, "id", kind), "id");
    e.visit = r.str(r.require(b, "visit", kind), "visit id");
    e.edit.start = r.instant(r.require(b, "start", kind), "edited start");
    e.edit.end = r.instant(r.require(b, "end", kind), "edited end", local_date(e.edit.start));
    e.edit.note = opt_str(r, b, "note");
    if (b["made_at"]) e.edit.made_at = r.instant(b["made_at"], "edit time");
    e.phone = opt_str(r, b, "phone");
    return e;
  }
  r.check_map(b, {"visit", "paid_minutes"}, kind);
  return Payment{r.str(r.require(b, "visit", kind), "visit id"),
                 r.integer(r.require(b, "paid_minutes", kind), "paid minutes")};
}

}  // namespace

Registration decode_registration(const YAML::Node& node, const std::string& display) {
  return registration(YamlReader(display), node);
}

EvaluateInput parse_evaluate_input(const std::string& text, const std::string& display) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ScenarioError(Where{display, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  const YamlReader r(display);
  if (!root.IsMap()) r.fail(root, "expected an input with keys rules, world and registrations");
  r.check_map(root, {"rules", "world", "registrations"}, "evaluate input");
  EvaluateInput in;
  if (root["rules"]) in.rules = r.str(root["rules"], "rules (PACK@VERSION)");
  in.world = decode_scenario_world(r.require(root, "world", "evaluate input"), display);
  const auto regs = r.require(root, "registrations", "evaluate input");
  if (!regs.IsSequence()) r.fail(regs, "expected registrations as a list");
  for (const auto& n : regs) in.registrations.push_back({registration(r, n), r.where(n)});
  return in;
}

EvaluateInput load_evaluate_input(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ScenarioError(Where{path, 0, 0}, "cannot read the file");
  std::stringstream buf;
  buf << f.rdbuf();
  return parse_evaluate_input(buf.str(), path);
}

}  // namespace kvittens::harness
