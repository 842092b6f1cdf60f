#include "scenario/step_read.hpp"

#include <string>
#include <vector>

namespace kvittens::harness {

const char* to_string(Action a) {
  switch (a) {
    case Action::Arrive:
      return "arrive";
    case Action::ReadTag:
      return "read_tag";
    case Action::Unlock:
      return "unlock";
    case Action::StartVisit:
      return "start_visit";
    case Action::PickupLunch:
      return "pickup_lunch";
    case Action::SelectInsats:
      return "select_insats";
    case Action::Note:
      return "note";
    case Action::DeclinedAfterStart:
      return "declined_after_start";
    case Action::EndVisit:
      return "end_visit";
    case Action::EditTimes:
      return "edit_times";
    case Action::ManualVisit:
      return "manual_visit";
    case Action::DeclinedAtDoor:
      return "declined_at_door";
    case Action::DeclinedVisit:
      return "declined_visit";
    case Action::Absence:
      return "absence";
    case Action::DoubleStaffing:
      return "double_staffing";
    case Action::SharedInsats:
      return "shared_insats";
    case Action::ApproveShift:
      return "approve_shift";
    case Action::PhoneOffline:
      return "phone_offline";
    case Action::PhoneOnline:
      return "phone_online";
    case Action::RecordPayment:
      return "record_payment";
    case Action::DeactivatePhone:
      return "deactivate_phone";
  }
  return "?";
}

namespace {

struct ActionSpec {
  Action action;
  std::vector<std::string> keys;
  std::vector<std::string> required;
};

const std::vector<ActionSpec>& action_specs() {
  static const std::vector<ActionSpec> specs = {
      {Action::Arrive, {"staff", "door"}, {"staff", "door"}},
      {Action::ReadTag, {"staff", "door", "tag"}, {"staff"}},
      {Action::Unlock, {"staff", "door"}, {"staff"}},
      {Action::StartVisit,
       {"visit", "staff", "customer", "place", "receipt", "door", "tag", "notice_at", "cause",
        "shared"},
       {"visit", "staff", "customer"}},
      {Action::PickupLunch, {"visit", "staff", "customer"}, {"visit", "staff", "customer"}},
      {Action::SelectInsats, {"visit", "insats", "status", "minutes"}, {"visit", "insats"}},
      {Action::Note, {"visit", "text", "about"}, {"visit", "text"}},
      {Action::DeclinedAfterStart, {"visit"}, {"visit"}},
      {Action::EndVisit, {"visit", "place", "receipt", "door", "tag"}, {"visit"}},
      {Action::EditTimes, {"visit", "start", "end", "note"}, {"visit", "start", "end"}},
      {Action::ManualVisit,
       {"visit", "staff", "customer", "start", "end", "insats", "note", "notice_at", "cause"},
       {"visit", "staff", "customer", "start", "end", "insats"}},
      {Action::DeclinedAtDoor,
       {"visit", "staff", "customer", "planned_start", "planned_end", "note"},
       {"staff", "customer"}},
      {Action::DeclinedVisit,
       {"visit", "staff", "customer", "planned_start", "planned_end", "note"},
       {"visit", "staff", "customer", "planned_start", "planned_end"}},
      {Action::Absence,
       {"id", "customer", "start", "end", "reason", "notified_at"},
       {"id", "customer", "start", "reason"}},
      {Action::DoubleStaffing,
       {"id", "staff", "customer", "start", "end", "note"},
       {"id", "staff", "customer", "start", "end"}},
      {Action::SharedInsats,
       {"id", "staff", "insats", "start", "end", "customers"},
       {"id", "staff", "insats", "start", "end", "customers"}},
      {Action::ApproveShift, {"shift", "staff", "date"}, {}},
      {Action::PhoneOffline, {"staff"}, {"staff"}},
      {Action::PhoneOnline, {"staff"}, {"staff"}},
      {Action::RecordPayment, {"visit", "paid_minutes"}, {"visit", "paid_minutes"}},
      {Action::DeactivatePhone, {"phone"}, {"phone"}},
  };
  return specs;
}

std::vector<std::string> action_names() {
  std::vector<std::string> names;
  for (const auto& s : action_specs()) names.push_back(to_string(s.action));
  return names;
}

std::optional<InsatsStatus> status_of(const std::string& s) {
  if (s == "ordered") return InsatsStatus::Ordered;
  if (s == "extra") return InsatsStatus::Extra;
  if (s == "declined") return InsatsStatus::Declined;
  return std::nullopt;
}

Place place_of(const std::string& s) {
  if (s == "outside") return Place::Outside;
  if (s == "pickup") return Place::Pickup;
  return Place::Door;
}

ReceiptKind receipt_of(const std::string& s) {
  if (s == "nfc") return ReceiptKind::Nfc;
  if (s == "lock") return ReceiptKind::Lock;
  return ReceiptKind::None;
}

class StepReader : public NameCheck {
 public:
  using NameCheck::NameCheck;

  Step step(const YAML::Node& node, std::optional<Date> day) const {
    Step s;
    s.where = r_.where(node);
    std::vector<std::string> allowed = {"at"};
    const auto names = action_names();
    allowed.insert(allowed.end(), names.begin(), names.end());
    r_.check_map(node, allowed, "step");
    s.at = r_.instant(r_.require(node, "at", "step"), "step time 'at'", day);
    const ActionSpec* spec = nullptr;
    YAML::Node params;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (key == "at") continue;
      if (spec) r_.fail(it->first, "a step does one thing; '" + key + "' is a second action");
      for (const auto& sp : action_specs()) {
        if (key == to_string(sp.action)) spec = &sp;
      }
      params = it->second;
    }
    if (!spec) r_.fail(node, "expected an action in the step (one of the keys after 'at')");
    s.action = spec->action;
    const std::string what = std::string(to_string(spec->action));
    r_.check_map(params, spec->keys, what);
    for (const auto& k : spec->required) r_.require(params, k, what);
    const Date step_day = local_date(s.at);
    for (auto it = params.begin(); it != params.end(); ++it) {
      const std::string k = it->first.Scalar();
      const YAML::Node v = it->second;
      if (k == "staff") {
        s.staff = ref(v, n_.staff, "staff member");
      } else if (k == "customer") {
        s.customer = ref(v, n_.customers, "customer");
      } else if (k == "visit" || k == "id") {
        s.visit = r_.str(v, "registration id");
      } else if (k == "door") {
        s.door = ref(v, n_.door_ids, "door");
      } else if (k == "tag") {
        s.tag = r_.str(v, "tag (UID or owner)");
      } else if (k == "text" || k == "note") {
        s.text = r_.str(v, "note text");
      } else if (k == "about") {
        s.note_about = r_.note_about(v);
      } else if (k == "shared") {
        s.shared = r_.str(v, "shared insats id");
      } else if (k == "shift") {
        s.shift = r_.str(v, "shift id");
      } else if (k == "reason") {
        s.reason = r_.choice(v, {"hospital", "away"}, "absence reason");
      } else if (k == "cause") {
        s.reason = r_.choice(v, {"hospital", "homecoming_cancelled", "death"}, "cause");
      } else if (k == "receipt") {
        s.receipt = receipt_of(r_.choice(v, {"nfc", "lock", "none"}, "receipt"));
      } else if (k == "place") {
        s.place = place_of(r_.choice(v, {"door", "outside", "pickup"}, "place"));
      } else if (k == "insats") {
        s.insatser = insats_list(v);
      } else if (k == "minutes" || k == "paid_minutes") {
        s.minutes = r_.integer(v, k);
      } else if (k == "start") {
        s.start = r_.instant(v, "start", step_day);
      } else if (k == "end") {
        s.end = r_.instant(v, "end", step_day);
      } else if (k == "planned_start") {
        s.planned_start = r_.instant(v, "planned_start", step_day);
      } else if (k == "planned_end") {
        s.planned_end = r_.instant(v, "planned_end", step_day);
      } else if (k == "notice_at" || k == "notified_at") {
        s.notice_at = r_.instant(v, k, step_day);
      } else if (k == "customers") {
        if (!v.IsSequence()) r_.fail(v, "expected customers as a list of customer ids");
        for (const auto& c : v) s.customers.push_back(ref(c, n_.customers, "customer"));
      } else if (k == "date") {
        s.date = r_.date(v, "date");
      } else if (k == "phone") {
        s.phone = ref(v, n_.phones, "phone");
      }
    }
    if (spec->action == Action::SelectInsats) {
      for (auto& i : s.insatser) {
        if (params["status"]) {
          i.status = status_of(
              r_.choice(params["status"], {"ordered", "extra", "declined"}, "insats status"));
        }
        if (params["minutes"]) i.minutes = s.minutes;
      }
    }
    if (spec->action == Action::ApproveShift) {
      if (s.shift.empty()) {
        if (s.staff.empty() || !s.date) {
          r_.fail(params, "approve_shift needs 'shift', or 'staff' and 'date'");
        }
        s.shift = s.staff + "/" + format_date(*s.date);
      }
    }
    if ((s.start && s.end && *s.end < *s.start)) {
      r_.fail(params["end"], "end is before start");
    }
    if ((s.planned_start && s.planned_end && *s.planned_end < *s.planned_start)) {
      r_.fail(params["planned_end"], "planned_end is before planned_start");
    }
    return s;
  }

  std::vector<InsatsChoice> insats_list(const YAML::Node& v) const {
    std::vector<InsatsChoice> out;
    auto one = [&](const YAML::Node& n) {
      InsatsChoice c;
      c.where = r_.where(n);
      if (n.IsMap()) {
        r_.check_map(n, {"name", "status", "minutes"}, "insats");
        c.insats = r_.str(r_.require(n, "name", "insats"), "insats name");
        insats(n["name"], c.insats);
        if (n["status"]) {
          c.status =
              status_of(r_.choice(n["status"], {"ordered", "extra", "declined"}, "insats status"));
        }
        if (n["minutes"]) c.minutes = r_.integer(n["minutes"], "minutes");
      } else {
        c.insats = r_.str(n, "insats name");
        insats(n, c.insats);
      }
      out.push_back(c);
    };
    if (v.IsSequence()) {
      for (const auto& n : v) one(n);
    } else {
      one(v);
    }
    if (out.empty()) r_.fail(v, "expected at least one insats");
    return out;
  }
};

}  // namespace

Step read_step(const YamlReader& r, Names& names, const YAML::Node& step, std::optional<Date> day) {
  return StepReader(r, names).step(step, day);
}

}  // namespace kvittens::harness
