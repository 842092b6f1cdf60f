#include "scenario/step_check.hpp"

#include <map>
#include <optional>

namespace kvittens::harness {
namespace {

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

}  // namespace

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

}  // namespace kvittens::harness
