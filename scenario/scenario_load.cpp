#include "scenario/scenario_load.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "scenario/scenario_world.hpp"
#include "scenario/scenario_yaml.hpp"

namespace kvittens::harness {
namespace fs = std::filesystem;

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

template <class T>
std::vector<std::string> ids_of(const std::vector<T>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.id);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
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

DecisionState state_of(const std::string& s) {
  if (s == "reduced") return DecisionState::Reduced;
  if (s == "rejected") return DecisionState::Rejected;
  return DecisionState::Approved;
}

// Everything the loader checks names against.
struct Names {
  World world;
  std::vector<std::string> customers, staff, providers, locks, phones;
  std::vector<sim::Door> doors;
  std::vector<std::string> door_ids;
  std::vector<std::string> insatser;  // empty: unchecked
  std::vector<std::string> rules;
  std::vector<std::string> run_rules;  // what `expect` is checked under
  // Clause ids per rule selection (the scenario's and the run's); empty: unchecked.
  std::map<std::string, std::vector<std::string>> clause_ids;
  // Problems after which reading can go on; reported with the file's other problems.
  std::vector<ScenarioError> problems;
};

class Loader {
 public:
  Loader(const YamlReader& r, Names& names) : r_(r), n_(names) {}

  void ref(const YAML::Node& node, const std::vector<std::string>& known, const std::string& what,
           const std::string& value) const {
    if (!contains(known, value)) {
      r_.fail(node, "unknown " + what + " '" + value + "'" + did_you_mean(value, known));
    }
  }
  std::string ref(const YAML::Node& node, const std::vector<std::string>& known,
                  const std::string& what) const {
    const std::string v = r_.str(node, what);
    ref(node, known, what, v);
    return v;
  }
  void insats(const YAML::Node& node, const std::string& name) const {
    if (n_.insatser.empty()) return;
    if (!contains(n_.insatser, name)) {
      problem(node, "unknown insats '" + name + "'" + did_you_mean(name, n_.insatser));
    }
  }
  void problem(const YAML::Node& node, const std::string& message) const {
    n_.problems.emplace_back(r_.where(node), message);
  }

  // References inside a world block, checked against the merged world.
  void world_refs(const YAML::Node& w) const {
    if (auto cs = w["customers"]) {
      for (const auto& c : cs) {
        if (c["provider"]) ref(c["provider"], n_.providers, "provider");
        if (c["cohabitant"]) {
          ref(c["cohabitant"], n_.customers, "customer");
          if (c["cohabitant"].Scalar() == c["id"].Scalar()) {
            r_.fail(c["cohabitant"], "a customer cannot be their own cohabitant");
          }
        }
        if (c["lock"]) ref(c["lock"], n_.locks, "lock");
      }
    }
    if (auto ss = w["staff"]) {
      for (const auto& s : ss) {
        if (s["provider"]) ref(s["provider"], n_.providers, "provider");
        if (s["phone"]) ref(s["phone"], n_.phones, "phone");
      }
    }
    if (auto ps = w["phones"]) {
      for (const auto& p : ps) {
        if (p["provider"]) ref(p["provider"], n_.providers, "provider");
      }
    }
    if (auto os = w["orders"]) {
      for (const auto& o : os) {
        ref(o["customer"], n_.customers, "customer");
        insats(o["insats"], o["insats"].Scalar());
      }
    }
    if (auto ls = w["locks"]) {
      for (const auto& l : ls) {
        if (auto cs = l["customers"]) {
          if (cs.IsScalar()) {
            ref(cs, n_.customers, "customer");
          } else {
            for (const auto& c : cs) ref(c, n_.customers, "customer");
          }
        }
      }
    }
  }

  std::vector<sim::Door> doors(const YAML::Node& node) const {
    std::vector<sim::Door> out;
    if (!node.IsMap()) r_.fail(node, "expected doors as a map: door id -> {customers, tags, lock}");
    for (auto it = node.begin(); it != node.end(); ++it) {
      sim::Door d;
      d.id = r_.str(it->first, "door id");
      const YAML::Node b = it->second;
      r_.check_map(b, {"customers", "tags", "lock"}, "door '" + d.id + "'");
      if (b["customers"]) {
        for (const auto& c : b["customers"].IsSequence() ? b["customers"] : YAML::Node()) {
          const std::string id = ref(c, n_.customers, "customer");
          for (const auto& cust : n_.world.customers) {
            if (cust.id != id) continue;
            for (const auto& uid : cust.nfc_tags) d.tags.push_back({uid, id});
            if (cust.lock && !d.lock) d.lock = cust.lock;
          }
        }
        if (!b["customers"].IsSequence()) r_.fail(b["customers"], "expected customers as a list");
      }
      if (b["tags"]) {
        for (const auto& uid : r_.strings(b["tags"], "tags (UIDs)")) d.tags.push_back({uid, ""});
      }
      if (b["lock"]) d.lock = ref(b["lock"], n_.locks, "lock");
      out.push_back(d);
    }
    return out;
  }

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

  Fault fault(const YAML::Node& node) const {
    Fault f;
    f.where = r_.where(node);
    r_.check_map(node, {"at", "nfc", "lock", "lost_answer"}, "fault");
    f.at = r_.instant(r_.require(node, "at", "fault"), "fault time 'at'");
    // The errors each device can give (sim::nfc_reader_can_fail_with, sim::lock_condition_for).
    auto error_of = [&](const YAML::Node& n, const std::vector<std::string>& errors) {
      const std::string e = r_.choice(n, errors, "device error");
      for (int i = 0; i <= static_cast<int>(DeviceErrorCode::Failed); ++i) {
        if (e == kvittens::to_string(static_cast<DeviceErrorCode>(i))) {
          return static_cast<DeviceErrorCode>(i);
        }
      }
      return DeviceErrorCode::Failed;
    };
    auto count_of = [&](const YAML::Node& n) {
      const int c = r_.integer(n, "count");
      if (c < 1) r_.fail(n, "expected count as a whole number of at least 1");
      return c;
    };
    int kinds = 0;
    if (auto n = node["nfc"]) {
      ++kinds;
      r_.check_map(n, {"staff", "error", "count"}, "nfc fault");
      f.device.device = sim::DeviceFault::Device::Nfc;
      f.device.target = ref(r_.require(n, "staff", "nfc fault"), n_.staff, "staff member");
      f.device.error =
          error_of(r_.require(n, "error", "nfc fault"),
                   {"no-tag", "tag-removed", "protocol", "timeout", "disconnected", "no-device"});
      if (n["count"]) f.device.count = count_of(n["count"]);
    }
    if (auto n = node["lock"]) {
      ++kinds;
      r_.check_map(n, {"door", "error", "fault", "count", "percent", "seconds"}, "lock fault");
      f.device.device = sim::DeviceFault::Device::Lock;
      const std::string door = ref(r_.require(n, "door", "lock fault"), n_.door_ids, "door");
      const auto* d = sim::find_door(n_.doors, door);
      if (!d->lock) r_.fail(n["door"], "door '" + door + "' has no lock");
      f.device.target = *d->lock;
      if (!n["error"] == !n["fault"])
        r_.fail(n, "expected exactly one of error, fault in a lock fault");
      if (n["error"]) {
        f.device.error = error_of(n["error"], {"not-found", "disconnected", "timeout",
                                               "not-permitted", "failed", "protocol"});
      } else {
        std::vector<std::string> names;
        for (int i = 0; i <= static_cast<int>(sim::LockCondition::ClockDrift); ++i) {
          names.push_back(sim::to_string(static_cast<sim::LockCondition>(i)));
        }
        f.device.condition = sim::parse_lock_condition(r_.choice(n["fault"], names, "lock fault"));
      }
      const auto c = f.device.condition;
      const bool lasting =
          c == sim::LockCondition::LowBattery || c == sim::LockCondition::ClockDrift;
      if (n["count"]) {
        if (lasting)
          r_.fail(n["count"],
                  "count does not apply to " + std::string(sim::to_string(*c)) + ": it lasts");
        f.device.count = count_of(n["count"]);
      }
      if (n["percent"]) {
        if (c != sim::LockCondition::LowBattery)
          r_.fail(n["percent"], "percent applies to fault: low-battery only");
        const int p = r_.integer(n["percent"], "percent");
        if (p < 0 || p > 100) r_.fail(n["percent"], "expected percent from 0 to 100");
        f.device.arg = p;
      }
      if (n["seconds"]) {
        if (c != sim::LockCondition::ClockDrift)
          r_.fail(n["seconds"], "seconds applies to fault: clock-drift only");
        f.device.arg = r_.integer(n["seconds"], "seconds");
      } else if (c == sim::LockCondition::ClockDrift) {
        r_.fail(n, "a clock-drift fault needs seconds (how far the lock's clock jumps)");
      }
    }
    if (auto n = node["lost_answer"]) {
      ++kinds;
      r_.check_map(n, {"staff", "count"}, "lost_answer fault");
      f.kind = Fault::Kind::LostAnswer;
      f.staff = ref(r_.require(n, "staff", "lost_answer fault"), n_.staff, "staff member");
      if (n["count"]) f.count = count_of(n["count"]);
    }
    if (kinds != 1) r_.fail(node, "expected exactly one of nfc, lock, lost_answer in a fault");
    f.device.count = f.kind == Fault::Kind::Device ? f.device.count : f.count;
    return f;
  }

  // Clause ids an expectation names, each of which must be a clause of every pack in `packs`:
  // an id no pack has ("4.1O") would pass as not_clauses and fail as clauses without saying why.
  std::vector<std::string> clauses(const YAML::Node& n,
                                   const std::vector<std::string>& packs) const {
    const auto ids = r_.strings(n, "clause ids");
    for (std::size_t i = 0; i < ids.size(); ++i) clause(n.IsSequence() ? n[i] : n, ids[i], packs);
    return ids;
  }
  void clause(const YAML::Node& at, const std::string& id,
              const std::vector<std::string>& packs) const {
    std::string lacking;
    const std::vector<std::string>* known = nullptr;
    for (const auto& rules : packs) {
      const auto it = n_.clause_ids.find(rules);
      if (it == n_.clause_ids.end() || contains(it->second, id)) continue;
      lacking += (lacking.empty() ? "" : ", ") + rules;
      if (!known) known = &it->second;
    }
    if (lacking.empty()) return;
    // Of candidates as close, the one of the same length: "4.1O" is more likely "4.10" than "4.1".
    std::vector<std::string> candidates = *known;
    std::stable_sort(candidates.begin(), candidates.end(), [&](const auto& a, const auto& b) {
      const auto off = [&](const std::string& c) {
        return c.size() > id.size() ? c.size() - id.size() : id.size() - c.size();
      };
      return off(a) < off(b);
    });
    problem(at, "unknown clause '" + id + "' (not a clause of " + lacking + ")" +
                    did_you_mean(id, candidates));
  }

  void known_id(const YAML::Node& key, const std::string& id,
                const std::set<std::string>& registrations) const {
    if (registrations.count(id)) return;
    // Decisions derived from one registration (an absence's days) are named "<id>/...".
    const auto slash = id.find('/');
    if (slash != std::string::npos && registrations.count(id.substr(0, slash))) return;
    const std::vector<std::string> known(registrations.begin(), registrations.end());
    problem(key, "unknown registration id '" + id + "' in expect" + did_you_mean(id, known));
  }

  // `packs`: the rule selections the expectations are held against (the run's for `expect`,
  // its own for a by_rules block).
  Expectations expect(const YAML::Node& node, const std::set<std::string>& registrations,
                      bool allow_by_rules, std::map<std::string, Expectations>* by_rules,
                      const std::vector<std::string>& packs) const {
    Expectations e;
    std::vector<std::string> keys = {"visits", "months", "refusals", "log"};
    if (allow_by_rules) keys.push_back("by_rules");
    r_.check_map(node, keys, allow_by_rules ? "expect" : "by_rules block");
    if (auto vs = node["visits"]) {
      if (!vs.IsMap()) r_.fail(vs, "expected visits as a map: registration id -> expectations");
      for (auto it = vs.begin(); it != vs.end(); ++it) {
        VisitExpect v;
        v.id = r_.str(it->first, "registration id");
        v.where = r_.where(it->first);
        known_id(it->first, v.id, registrations);
        const YAML::Node b = it->second;
        r_.check_map(b,
                     {"registered", "paid_minutes", "registered_minutes", "state", "customer_fee",
                      "manual", "clauses", "not_clauses", "insatser"},
                     "expectation for '" + v.id + "'");
        if (b["registered"]) v.registered = r_.boolean(b["registered"], "registered");
        if (b["paid_minutes"]) v.paid_minutes = r_.integer(b["paid_minutes"], "paid_minutes");
        if (b["registered_minutes"]) {
          v.registered_minutes = r_.integer(b["registered_minutes"], "registered_minutes");
        }
        if (b["state"]) {
          v.state = state_of(r_.choice(b["state"], {"approved", "reduced", "rejected"}, "state"));
        }
        if (b["customer_fee"]) v.customer_fee = r_.boolean(b["customer_fee"], "customer_fee");
        if (b["manual"]) v.manual = r_.boolean(b["manual"], "manual");
        if (b["clauses"]) v.clauses = clauses(b["clauses"], packs);
        if (b["not_clauses"]) v.not_clauses = clauses(b["not_clauses"], packs);
        if (auto is = b["insatser"]) {
          if (!is.IsMap()) r_.fail(is, "expected insatser as a map: insats name -> expectations");
          for (auto jt = is.begin(); jt != is.end(); ++jt) {
            InsatsExpect i;
            i.insats = r_.str(jt->first, "insats name");
            i.where = r_.where(jt->first);
            insats(jt->first, i.insats);
            const YAML::Node ib = jt->second;
            r_.check_map(ib,
                         {"paid_minutes", "registered_minutes", "state", "customer_fee", "clauses"},
                         "expectation for insats '" + i.insats + "'");
            if (ib["paid_minutes"]) i.paid_minutes = r_.integer(ib["paid_minutes"], "paid_minutes");
            if (ib["registered_minutes"]) {
              i.registered_minutes = r_.integer(ib["registered_minutes"], "registered_minutes");
            }
            if (ib["state"]) {
              i.state =
                  state_of(r_.choice(ib["state"], {"approved", "reduced", "rejected"}, "state"));
            }
            if (ib["customer_fee"]) i.customer_fee = r_.boolean(ib["customer_fee"], "customer_fee");
            if (ib["clauses"]) i.clauses = clauses(ib["clauses"], packs);
            v.insatser[i.insats] = i;
          }
        }
        e.visits[v.id] = v;
      }
    }
    if (auto ms = node["months"]) {
      if (!ms.IsSequence()) r_.fail(ms, "expected months as a list");
      for (const auto& m : ms) {
        MonthExpect x;
        x.where = r_.where(m);
        r_.check_map(m,
                     {"provider", "month", "visits", "manual_visits", "paid_minutes", "rejected",
                      "manual_share_exceeded", "repayments", "clauses"},
                     "month expectation");
        if (m["provider"]) {
          x.provider = ref(m["provider"], n_.providers, "provider");
        } else if (n_.providers.size() == 1) {
          x.provider = n_.providers[0];
        } else {
          r_.fail(m, "missing 'provider' in month expectation (the world has several)");
        }
        x.month = r_.str(r_.require(m, "month", "month expectation"), "month");
        try {
          parse_month(x.month);
        } catch (const std::exception&) {
          r_.fail(m["month"], "expected month as YYYY-MM, got '" + x.month + "'");
        }
        if (m["visits"]) x.visits = r_.integer(m["visits"], "visits");
        if (m["manual_visits"]) x.manual_visits = r_.integer(m["manual_visits"], "manual_visits");
        if (m["paid_minutes"]) x.paid_minutes = r_.integer(m["paid_minutes"], "paid_minutes");
        if (m["rejected"]) x.rejected = r_.integer(m["rejected"], "rejected");
        if (m["manual_share_exceeded"]) {
          x.manual_share_exceeded = r_.boolean(m["manual_share_exceeded"], "manual_share_exceeded");
        }
        if (m["clauses"]) x.clauses = clauses(m["clauses"], packs);
        if (auto rs = m["repayments"]) {
          if (!rs.IsSequence()) r_.fail(rs, "expected repayments as a list");
          x.repayments.emplace();
          for (const auto& rp : rs) {
            RepaymentExpect y;
            y.where = r_.where(rp);
            r_.check_map(rp, {"visit", "paid_before", "due_now"}, "repayment");
            y.visit = r_.str(r_.require(rp, "visit", "repayment"), "visit id");
            known_id(rp["visit"], y.visit, registrations);
            if (rp["paid_before"]) y.paid_before = r_.integer(rp["paid_before"], "paid_before");
            if (rp["due_now"]) y.due_now = r_.integer(rp["due_now"], "due_now");
            x.repayments->push_back(y);
          }
        }
        e.months.push_back(x);
      }
    }
    if (auto rs = node["refusals"]) {
      if (!rs.IsMap()) r_.fail(rs, "expected refusals as a map: registration id -> {clause}");
      for (auto it = rs.begin(); it != rs.end(); ++it) {
        RefusalExpect x;
        x.id = r_.str(it->first, "registration id");
        x.where = r_.where(it->first);
        known_id(it->first, x.id, registrations);
        if (it->second && !it->second.IsNull()) {
          r_.check_map(it->second, {"clause"}, "refusal");
          if (it->second["clause"]) {
            x.clause = r_.str(it->second["clause"], "clause id");
            clause(it->second["clause"], x.clause, packs);
          }
        }
        e.refusals[x.id] = x;
      }
    }
    if (auto ls = node["log"]) {
      if (!ls.IsSequence()) r_.fail(ls, "expected log as a list of texts (\"who: what\")");
      for (const auto& l : ls) e.log.push_back({r_.where(l), r_.str(l, "log text")});
    }
    if (auto br = node["by_rules"]; br && by_rules) {
      if (!br.IsMap()) r_.fail(br, "expected by_rules as a map: PACK@VERSION -> expectations");
      for (auto it = br.begin(); it != br.end(); ++it) {
        const std::string rules = r_.str(it->first, "rule version");
        ref(it->first, n_.rules, "rule version (not in the scenario's rules)", rules);
        (*by_rules)[rules] = expect(it->second, registrations, false, nullptr, {rules});
      }
    }
    return e;
  }

 private:
  const YamlReader& r_;
  Names& n_;
};

// Resolves which tag a read at `door` gets. `prefer` is the visit's customer, if any.
std::string resolve_tag(const YamlReader& r, const YAML::Node& at, const sim::Door& door,
                        const std::string& wanted, const std::string& prefer) {
  std::vector<std::string> names;
  for (const auto& t : door.tags) {
    if (!wanted.empty() && (t.uid == wanted || t.owner == wanted)) return t.uid;
    names.push_back(t.owner.empty() ? t.uid : t.owner);
  }
  if (!wanted.empty()) {
    r.fail(at, "door '" + door.id + "' has no tag '" + wanted + "'" + did_you_mean(wanted, names));
  }
  for (const auto& t : door.tags) {
    if (!prefer.empty() && t.owner == prefer) return t.uid;
  }
  if (door.tags.size() == 1) return door.tags[0].uid;
  if (door.tags.empty()) r.fail(at, "door '" + door.id + "' has no NFC tag to read");
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  r.fail(at, "door '" + door.id + "' has several tags (" + list + "); say which with 'tag:'");
}

struct VisitState {
  std::string staff, customer;
  bool by_phone = false, ended = false, edited = false;
};

// The second pass: steps make sense in order (visits started before they end, doors known,
// registration ids unique). Fills in what the runner needs (resolved door, tag, staff).
void check_steps(const YamlReader& r, const YAML::Node& steps_node, std::vector<Step>& steps,
                 const Names& n, std::set<std::string>& registrations) {
  std::map<std::string, std::string> location;  // staff -> door
  std::map<std::string, VisitState> visits;
  auto customer_of = [&](const std::string& id) -> const Customer& {
    return *std::find_if(n.world.customers.begin(), n.world.customers.end(),
                         [&](const Customer& c) { return c.id == id; });
  };
  auto new_id = [&](const YAML::Node& at, const std::string& id) {
    if (id.empty()) r.fail(at, "expected a registration id");
    if (!registrations.insert(id).second) {
      r.fail(at, "registration id '" + id + "' is used twice; each registration needs its own");
    }
  };
  auto door_for = [&](const YAML::Node& at, Step& s, const std::string& fallback) {
    if (s.door.empty()) {
      auto it = location.find(s.staff);
      if (it != location.end()) {
        s.door = it->second;
      } else if (!fallback.empty() && sim::find_door(n.doors, fallback)) {
        s.door = fallback;
      } else {
        r.fail(at, "staff '" + s.staff + "' is at no door; add an arrive step or 'door:'");
      }
    }
    return sim::find_door(n.doors, s.door);
  };
  auto receipt_for = [&](const YAML::Node& at, Step& s, const std::string& customer) {
    if (!s.receipt || *s.receipt == ReceiptKind::None) return;
    const sim::Door* d = door_for(at, s, customer);
    if (*s.receipt == ReceiptKind::Nfc) {
      s.tag = resolve_tag(r, at, *d, s.tag, customer);
    } else if (!d->lock) {
      r.fail(at, "door '" + d->id + "' has no lock to unlock");
    }
  };
  auto open_visit = [&](const YAML::Node& at, const std::string& id,
                        const char* action) -> VisitState& {
    auto it = visits.find(id);
    if (it == visits.end()) {
      std::vector<std::string> known;
      for (const auto& [k, v] : visits) known.push_back(k);
      r.fail(at, std::string(action) + ": unknown visit '" + id + "' (no start_visit before it)" +
                     did_you_mean(id, known));
    }
    if (!it->second.by_phone) {
      r.fail(at, std::string(action) + ": visit '" + id + "' was not started in the app");
    }
    return it->second;
  };
  std::optional<Instant> previous;
  std::size_t index = 0;
  for (auto& s : steps) {
    const YAML::Node node = steps_node[index++];
    const YAML::Node params = node[to_string(s.action)];
    if (previous && s.at < *previous) {
      r.fail(node["at"], "steps must be in time order: " + format_local(s.at) +
                             " is before the previous step's " + format_local(*previous));
    }
    previous = s.at;
    switch (s.action) {
      case Action::Arrive:
        location[s.staff] = s.door;
        break;
      case Action::ReadTag: {
        const sim::Door* d = door_for(params, s, "");
        s.tag = resolve_tag(r, params["tag"] ? params["tag"] : params, *d, s.tag, "");
        break;
      }
      case Action::Unlock: {
        const sim::Door* d = door_for(params, s, "");
        if (!d->lock) r.fail(params, "door '" + d->id + "' has no lock to unlock");
        break;
      }
      case Action::StartVisit:
      case Action::PickupLunch: {
        new_id(params["visit"], s.visit);
        if (s.action == Action::PickupLunch) {
          s.place = Place::Pickup;
          s.receipt = ReceiptKind::None;
        }
        receipt_for(params, s, s.customer);
        VisitState v;
        v.staff = s.staff;
        v.customer = s.customer;
        v.by_phone = true;
        visits[s.visit] = v;
        break;
      }
      case Action::SelectInsats:
      case Action::DeclinedAfterStart: {
        auto& v = open_visit(params["visit"], s.visit, to_string(s.action));
        if (v.ended) {
          r.fail(params["visit"], std::string(to_string(s.action)) + ": visit '" + s.visit +
                                      "' has already ended (choose insatser before end_visit)");
        }
        s.staff = v.staff;
        s.customer = v.customer;
        break;
      }
      case Action::Note: {
        auto& v = open_visit(params["visit"], s.visit, "note");
        if (v.ended) {
          r.fail(params["visit"], "note: visit '" + s.visit +
                                      "' was already sent (an edit's reason is edit_times' note)");
        }
        s.staff = v.staff;
        break;
      }
      case Action::EndVisit: {
        auto& v = open_visit(params["visit"], s.visit, "end_visit");
        if (v.ended) r.fail(params["visit"], "end_visit: visit '" + s.visit + "' already ended");
        v.ended = true;
        s.staff = v.staff;
        s.customer = v.customer;
        receipt_for(params, s, v.customer);
        break;
      }
      case Action::EditTimes: {
        auto& v = open_visit(params["visit"], s.visit, "edit_times");
        if (!v.ended) r.fail(params["visit"], "edit_times: visit '" + s.visit + "' has not ended");
        if (v.edited) r.fail(params["visit"], "edit_times: visit '" + s.visit + "' already edited");
        v.edited = true;
        s.staff = v.staff;
        new_id(params["visit"], s.visit + "/edit");  // the edit's own registration id
        break;
      }
      case Action::ManualVisit:
        new_id(params["visit"], s.visit);
        visits[s.visit] = VisitState{s.staff, s.customer, false, true, true};
        break;
      case Action::DeclinedAtDoor: {
        const Customer& c = customer_of(s.customer);
        if (c.service == ServiceType::Boendestod) {
          // Boendestöd: a visit declined at the door is registered and paid at 50 %.
          if (s.visit.empty() || !s.planned_start || !s.planned_end) {
            r.fail(params,
                   "declined_at_door for a boendestöd customer needs 'visit', "
                   "'planned_start' and 'planned_end' (it is registered)");
          }
        }
        if (!s.visit.empty()) new_id(params["visit"], s.visit);
        break;
      }
      case Action::DeclinedVisit:
      case Action::Absence:
      case Action::DoubleStaffing:
      case Action::SharedInsats:
        new_id(params[s.action == Action::DeclinedVisit ? "visit" : "id"], s.visit);
        break;
      case Action::RecordPayment:
        if (!registrations.count(s.visit)) {
          const std::vector<std::string> known(registrations.begin(), registrations.end());
          r.fail(params["visit"], "record_payment: unknown registration '" + s.visit + "'" +
                                      did_you_mean(s.visit, known));
        }
        break;
      case Action::ApproveShift:
      case Action::PhoneOffline:
      case Action::PhoneOnline:
      case Action::DeactivatePhone:
        break;
    }
  }
}

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

namespace {

// load_scenario without collecting: problems it can read on after land in names.problems,
// the first it cannot is thrown.
Scenario read_scenario(const std::string& path, const LoadOptions& options,
                       const std::string& display, Names& names) {
  const YamlReader r(display);
  const YAML::Node root = load_yaml_file(path, display);
  if (!root.IsMap()) {
    r.fail(root, "expected a scenario: a map with scenario, clause, rules, world, steps, expect");
  }
  r.check_map(root,
              {"scenario", "clause", "description", "tags", "rules", "include", "world", "doors",
               "steps", "faults", "expect"},
              "scenario");
  Scenario s;
  s.file = display;
  s.where = r.where(r.key_node(root, "scenario"));
  s.name = r.str(r.require(root, "scenario", "scenario file"), "scenario name");
  s.clause = r.str(r.require(root, "clause", "scenario"), "clause (e.g. \"000 4.10\")");
  if (root["description"]) s.description = r.str(root["description"], "description");
  if (root["tags"]) s.tags = r.strings(root["tags"], "tags");
  s.rules = r.strings(r.require(root, "rules", "scenario"), "rules (PACK@VERSION)");
  if (s.rules.empty()) r.fail(root["rules"], "expected at least one PACK@VERSION in rules");

  names.rules = s.rules;
  bool override_applies = !options.rules_override.empty();
  if (override_applies && options.service_of) {
    const auto service = [&](const std::string& rules) {
      try {
        return options.service_of(rules);
      } catch (const std::exception& e) {
        r.fail(root["rules"], "rules '" + rules + "': " + e.what());
      }
    };
    const auto own = service(s.rules.front());
    const auto run = service(options.rules_override.front());
    if (own != run) {
      override_applies = false;
      s.skipped =
          "a " + own + " scenario; " + options.rules_override.front() + " is a " + run + " pack";
    }
  }
  const auto& run_rules = override_applies ? options.rules_override : s.rules;
  names.run_rules = run_rules;
  if (options.insats_catalogue) {
    for (const auto& rules : run_rules) {
      try {
        for (auto& i : options.insats_catalogue(rules)) names.insatser.push_back(i);
      } catch (const std::exception& e) {
        r.fail(root["rules"], "rules '" + rules + "': " + e.what());
      }
    }
    names.insatser = sorted_unique(names.insatser);
  }
  if (options.clause_ids) {
    // The run's packs, and the scenario's own for its by_rules blocks.
    std::vector<std::string> all = run_rules;
    all.insert(all.end(), s.rules.begin(), s.rules.end());
    for (const auto& rules : sorted_unique(all)) {
      try {
        names.clause_ids[rules] = options.clause_ids(rules);
      } catch (const std::exception& e) {
        r.fail(root["rules"], "rules '" + rules + "': " + e.what());
      }
    }
  }
  const auto decode = options.decode_world ? options.decode_world : decode_scenario_world;

  // Worlds: included files first, the scenario's own block on top.
  struct Block {
    YamlReader reader;
    YAML::Node world, doors;
  };
  std::vector<Block> blocks;
  if (root["include"]) {
    for (const auto& inc : r.strings(root["include"], "include (file paths)")) {
      const fs::path p = fs::path(path).parent_path() / inc;
      const std::string inc_display =
          (fs::path(display).parent_path() / inc).lexically_normal().string();
      // The overload with an error code: a name the system refuses (longer than a file name
      // may be) throws filesystem_error from the other, and is a bad include like any other.
      std::error_code ec;
      if (!fs::exists(p, ec)) {
        r.fail(root["include"], "cannot include '" + inc + "': " +
                                    (ec ? ec.message() : "no such file next to the scenario"));
      }
      const YAML::Node inc_root = load_yaml_file(p.string(), inc_display);
      Block b{YamlReader(inc_display), inc_root["world"], inc_root["doors"]};
      b.reader.check_map(inc_root, {"world", "doors", "description"}, "shared world file");
      blocks.push_back(b);
    }
  }
  blocks.push_back(Block{r, root["world"], root["doors"]});
  for (const auto& b : blocks) {
    if (!b.world) continue;
    try {
      s.world = merge_worlds(s.world, decode(b.world, b.reader.file()));
    } catch (const ScenarioError&) {
      throw;
    } catch (const std::exception& e) {
      // The general decoder's own located errors (InputError) already name file:line:col.
      throw ScenarioError(b.reader.where(b.world), e.what());
    }
  }
  if (s.world.customers.empty()) r.fail(root, "the scenario's world has no customers (world:)");
  names.world = s.world;
  names.customers = ids_of(s.world.customers);
  names.staff = ids_of(s.world.staff);
  names.providers = ids_of(s.world.providers);
  names.locks = ids_of(s.world.locks);
  names.phones = ids_of(s.world.phones);
  names.doors = sim::default_doors(s.world);
  for (const auto& b : blocks) {
    Loader l(b.reader, names);
    if (b.world) l.world_refs(b.world);
  }
  for (const auto& b : blocks) {
    Loader l(b.reader, names);
    names.door_ids = ids_of(names.doors);
    if (b.doors) names.doors = sim::merge_doors(names.doors, l.doors(b.doors));
  }
  names.door_ids = ids_of(names.doors);
  s.doors = names.doors;

  Loader l(r, names);
  const YAML::Node steps = r.require(root, "steps", "scenario");
  if (!steps.IsSequence() || steps.size() == 0) r.fail(steps, "expected steps as a non-empty list");
  std::optional<Date> day;
  for (const auto& n : steps) {
    s.steps.push_back(l.step(n, day));
    day = local_date(s.steps.back().at);
  }
  std::set<std::string> registrations;
  check_steps(r, steps, s.steps, names, registrations);

  if (auto fs_node = root["faults"]) {
    if (!fs_node.IsSequence()) r.fail(fs_node, "expected faults as a list");
    for (const auto& n : fs_node) s.faults.push_back(l.fault(n));
  }
  s.expect = l.expect(r.require(root, "expect", "scenario"), registrations, true,
                      &s.expect_by_rules, names.run_rules);
  return s;
}

}  // namespace

Scenario load_scenario(const std::string& path, const LoadOptions& options,
                       const std::string& display_in) {
  const std::string display = display_in.empty() ? path : display_in;
  Names names;
  std::optional<Scenario> s;
  try {
    s = read_scenario(path, options, display, names);
  } catch (const ScenarioError& e) {
    names.problems.push_back(e);
  }
  auto& problems = names.problems;
  if (problems.empty()) return std::move(*s);
  // In the order of the text: the scenario's own problems, then any of a file it includes.
  std::stable_sort(problems.begin(), problems.end(), [&](const auto& a, const auto& b) {
    const bool a_other = a.where().file != display, b_other = b.where().file != display;
    return std::tie(a_other, a.where().line, a.where().col) <
           std::tie(b_other, b.where().line, b.where().col);
  });
  // One error for the file, placed at its first problem, naming every one.
  std::string message = problems.front().message();
  for (std::size_t i = 1; i < problems.size(); ++i)
    message += "\n" + std::string(problems[i].what());
  throw ScenarioError(problems.front().where(), message);
}

Expectations expectations_for(const Scenario& s, const std::string& rules) {
  Expectations e = s.expect;
  auto it = s.expect_by_rules.find(rules);
  if (it == s.expect_by_rules.end()) return e;
  const Expectations& o = it->second;
  auto over = [](auto& base, const auto& top) {
    if (top) base = top;
  };
  if (!o.log.empty()) e.log = o.log;
  for (const auto& [id, v] : o.visits) {
    auto& b = e.visits[id];
    if (b.id.empty()) {
      b = v;
      continue;
    }
    b.where = v.where;
    over(b.registered, v.registered);
    over(b.paid_minutes, v.paid_minutes);
    over(b.registered_minutes, v.registered_minutes);
    over(b.state, v.state);
    over(b.customer_fee, v.customer_fee);
    over(b.manual, v.manual);
    if (!v.clauses.empty()) b.clauses = v.clauses;
    if (!v.not_clauses.empty()) b.not_clauses = v.not_clauses;
    for (const auto& [name, i] : v.insatser) {
      auto& bi = b.insatser[name];
      if (bi.insats.empty()) {
        bi = i;
        continue;
      }
      bi.where = i.where;
      over(bi.paid_minutes, i.paid_minutes);
      over(bi.registered_minutes, i.registered_minutes);
      over(bi.state, i.state);
      over(bi.customer_fee, i.customer_fee);
      if (!i.clauses.empty()) bi.clauses = i.clauses;
    }
  }
  for (const auto& m : o.months) {
    auto bm = std::find_if(e.months.begin(), e.months.end(), [&](const MonthExpect& x) {
      return x.provider == m.provider && x.month == m.month;
    });
    if (bm == e.months.end()) {
      e.months.push_back(m);
      continue;
    }
    bm->where = m.where;
    over(bm->visits, m.visits);
    over(bm->manual_visits, m.manual_visits);
    over(bm->paid_minutes, m.paid_minutes);
    over(bm->rejected, m.rejected);
    over(bm->manual_share_exceeded, m.manual_share_exceeded);
    over(bm->repayments, m.repayments);
    if (!m.clauses.empty()) bm->clauses = m.clauses;
  }
  for (const auto& [id, x] : o.refusals) e.refusals[id] = x;
  return e;
}

std::vector<std::string> discover_scenarios(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  auto is_scenario = [](const fs::path& p) {
    const std::string name = p.filename().string();
    const bool yaml = p.extension() == ".yaml" || p.extension() == ".yml";
    const bool shared = name.size() > 11 && name.ends_with(".world.yaml");
    return yaml && !shared;
  };
  for (const auto& p : paths) {
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        if (e.is_regular_file() && is_scenario(e.path())) out.push_back(e.path().string());
      }
    } else if (fs::is_regular_file(p)) {
      out.push_back(p);
    } else {
      throw ScenarioError(Where{p, 1, 1}, "no such scenario file or directory");
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string display_path(const std::string& path) {
  std::error_code ec;
  const fs::path abs = fs::weakly_canonical(fs::absolute(path), ec);
  const fs::path root = fs::weakly_canonical(fs::path(KVITTENS_SOURCE_DIR), ec);
  const fs::path rel = abs.lexically_relative(root);
  if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
  return fs::path(path).lexically_normal().generic_string();
}

}  // namespace kvittens::harness
