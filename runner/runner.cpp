#include "runner/runner.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <type_traits>
#include <variant>

#include "backend/http/http_backend.hpp"
#include "backend/inprocess.hpp"
#include "kvittens/lock_receipt.hpp"
#include "scenario/expect_merge.hpp"
#include "sim/core/office.hpp"
#include "sim/core/phone.hpp"
#include "sim/core/synthetic_hardware.hpp"
#include "sim/core/virtual_clock.hpp"
#ifdef KVITTENS_EMULATED_HARDWARE
#include "sim/emulated/emulated_hardware.hpp"
#endif

namespace kvittens::harness {

const char* to_string(RunStatus s) {
  switch (s) {
    case RunStatus::Pass:
      return "pass";
    case RunStatus::Fail:
      return "fail";
    case RunStatus::Error:
      return "error";
  }
  return "?";
}

const char* to_string(HardwareMode m) {
  switch (m) {
    case HardwareMode::None:
      return "none";
    case HardwareMode::Emulated:
      return "emulated";
    case HardwareMode::Lab:
      return "lab";
  }
  return "?";
}

bool hardware_available(HardwareMode mode, std::string& why_not) {
  if (mode == HardwareMode::None) return true;
  if (mode == HardwareMode::Lab) {
    why_not = "lab hardware needs a lab file (--lab)";
    return false;
  }
#ifdef KVITTENS_EMULATED_HARDWARE
  (void)why_not;
  return true;
#else
  why_not = "emulated hardware is not available in this build; use --hardware none";
  return false;
#endif
}

std::unique_ptr<sim::Hardware> make_hardware(HardwareMode mode, const World& world,
                                             const std::vector<sim::Door>& /*doors*/,
                                             const Clock& clock, std::uint64_t seed) {
  if (mode == HardwareMode::None)
    return std::make_unique<sim::SyntheticHardware>(world, clock, seed);
  if (mode == HardwareMode::Lab) throw std::runtime_error("lab hardware needs a lab file (--lab)");
#ifdef KVITTENS_EMULATED_HARDWARE
  // Each phone's reader is the libnfc driver on its own PN532 emulator; the locks are emulated
  // in one BlueZ on a private bus, reached through the BLE driver.
  return std::make_unique<sim::EmulatedHardware>(world, clock, seed);
#else
  std::string why;
  hardware_available(mode, why);
  throw std::runtime_error(why);
#endif
}

ModeHardwareFactory hardware_factory(HardwareMode mode) {
  return [mode](const World& world, const std::vector<sim::Door>& doors, const Clock& clock,
                std::uint64_t seed) { return make_hardware(mode, world, doors, clock, seed); };
}

BackendFactory inprocess_backends() {
  return [](const std::string& rules) -> std::unique_ptr<BackendClient> {
    return backend::make_inprocess_backend(rules);
  };
}

namespace {

// "3 start_visit v1": the step's number in the scenario, its action and registration id — ids
// only, never a name or a note (docs/device-log.md).
std::string step_label(std::size_t number, const Step& step) {
  std::string label = std::to_string(number) + " " + to_string(step.action);
  if (!step.visit.empty()) label += " " + step.visit;
  return label;
}

// Carries out the steps of one scenario through the simulated actors.
class Run {
 public:
  Run(const Scenario& s, BackendClient& backend, sim::Hardware& hw, sim::VirtualClock& clock,
      sim::ActivityLog& log)
      : s_(s),
        world_(s.world),
        backend_(backend),
        hw_(hw),
        clock_(clock),
        log_(log),
        office_(clock, backend, log) {
    // The keyring Phoniro gives every phone: each lock's key, with the staff member's key id.
    for (std::size_t i = 0; i < s.world.staff.size(); ++i) {
      std::vector<LockCredential> ring;
      for (const auto& l : s.world.locks) {
        LockCredential c;
        c.lock_id = l.id;
        c.key_id = static_cast<std::uint16_t>(i + 1);
        c.key = lock_receipt::from_hex(l.key_hex).value_or(std::vector<std::uint8_t>{});
        ring.push_back(c);
      }
      keyrings_[s.world.staff[i].id] = ring;
    }
  }

  void execute(DeviceLog& device_log) {
    std::vector<const Fault*> faults;
    for (const auto& f : s_.faults) faults.push_back(&f);
    std::stable_sort(faults.begin(), faults.end(),
                     [](const Fault* a, const Fault* b) { return a->at < b->at; });
    std::size_t next_fault = 0;
    std::size_t number = 0;
    for (const auto& step : s_.steps) {
      device_log.set_context(step_label(++number, step), step.at);
      clock_.set(step.at);
      hw_.tick();
      while (next_fault < faults.size() && faults[next_fault]->at <= step.at) {
        arm(*faults[next_fault++]);
      }
      perform(step);
    }
  }

 private:
  sim::Phone& phone(const std::string& staff) {
    auto& p = phones_[staff];
    if (!p) {
      sim::Hardware* hw = &hw_;
      std::string carried;  // the phone the staff member carries (world staff `phone`)
      for (const auto& m : s_.world.staff)
        if (m.id == staff) carried = m.phone;
      p = std::make_unique<sim::Phone>(
          staff, clock_, hw_.reader(staff),
          [hw, staff](const std::string& id) -> Lock& { return hw->lock(staff, id); },
          keyrings_[staff], s_.world.orders, backend_, log_, carried);
    }
    return *p;
  }

  void arm(const Fault& f) {
    if (f.kind == Fault::Kind::LostAnswer) {
      phone(f.staff).lose_answers(f.count);
      log_.say(clock_.now(), f.staff, "fault armed: next answer(s) lost");
      return;
    }
    hw_.inject(f.device);
    log_.say(
        clock_.now(), f.device.target,
        std::string("fault armed: ") + (f.device.condition ? sim::to_string(*f.device.condition)
                                                           : kvittens::to_string(f.device.error)));
  }

  const sim::Door& door(const std::string& id) const { return *sim::find_door(s_.doors, id); }

  void read_tag(const std::string& staff, const std::string& door_id, const std::string& uid) {
    const sim::Door& d = door(door_id);
    auto tag = std::find_if(d.tags.begin(), d.tags.end(),
                            [&](const sim::TagOnDoor& t) { return t.uid == uid; });
    hw_.present_tag(staff, *tag);
    phone(staff).read_tag();
    hw_.remove_tag(staff);
  }

  void receipt(const Step& st) {
    if (!st.receipt) return;
    switch (*st.receipt) {
      case ReceiptKind::Nfc:
        read_tag(st.staff, st.door, st.tag);
        break;
      case ReceiptKind::Lock:
        phone(st.staff).unlock(*door(st.door).lock);
        break;
      case ReceiptKind::None:
        phone(st.staff).drop_receipt();
        break;
    }
  }

  std::string shift(const std::string& staff, Instant t) const {
    return staff + "/" + format_date(local_date(t));
  }

  bool is_boendestod(const std::string& customer) const {
    for (const auto& c : s_.world.customers) {
      if (c.id == customer) return c.service == ServiceType::Boendestod;
    }
    return false;
  }

  void perform(const Step& st) {
    switch (st.action) {
      case Action::Arrive:
        log_.say(clock_.now(), st.staff, "arrives at door " + st.door);
        break;
      case Action::ReadTag:
        read_tag(st.staff, st.door, st.tag);
        break;
      case Action::Unlock:
        phone(st.staff).unlock(*door(st.door).lock);
        break;
      case Action::StartVisit:
      case Action::PickupLunch: {
        receipt(st);
        auto& p = phone(st.staff);
        p.start_visit(st.visit, st.customer, st.place.value_or(Place::Door));
        if (st.notice_at) p.omstallning(st.visit, *st.notice_at, st.reason);
        if (!st.shared.empty()) p.join_shared(st.visit, st.shared);
        break;
      }
      case Action::SelectInsats:
        for (const auto& i : st.insatser) {
          phone(st.staff).select_insats(st.visit, i.insats, i.status, i.minutes);
        }
        break;
      case Action::Note:
        phone(st.staff).note(st.visit, st.text, st.note_about);
        break;
      case Action::DeclinedAfterStart:
        phone(st.staff).declined_after_start(st.visit);
        break;
      case Action::EndVisit:
        receipt(st);
        phone(st.staff).end_visit(st.visit, st.place.value_or(Place::Door));
        phone(st.staff).send(st.visit);
        break;
      case Action::EditTimes:
        // A registration of its own, made now, naming the visit sent when it ended.
        phone(st.staff).edit_times(st.visit, *st.start, *st.end, st.text);
        break;
      case Action::ManualVisit: {
        Visit v;
        v.id = st.visit;
        v.staff = st.staff;
        v.customer = st.customer;
        v.start = *st.start;
        v.end = *st.end;
        v.manual = true;
        v.note = st.text;
        v.shift = shift(st.staff, v.start);
        for (const auto& i : st.insatser) {
          PerformedInsats p;
          p.insats = i.insats;
          p.status = i.status ? *i.status
                              : sim::default_status(s_.world.orders, st.customer, i.insats,
                                                    local_date(v.start));
          p.minutes = i.minutes;
          v.insatser.push_back(p);
        }
        if (st.notice_at) {
          v.notice_at = st.notice_at;
          v.cause = st.reason;
        }
        office_.submit(v);
        break;
      }
      case Action::DeclinedAtDoor:
        if (!is_boendestod(st.customer)) {
          // Hemtjänst 4.8/4.9: not let in or not at home — the visit is not registered.
          log_.say(clock_.now(), st.staff, "not let in at " + st.customer + ": nothing registered");
          break;
        }
        office_.submit(DeclinedVisit{st.visit, st.staff, st.customer, *st.planned_start,
                                     *st.planned_end, *st.planned_start, st.text,
                                     shift(st.staff, *st.planned_start), ""});
        break;
      case Action::DeclinedVisit:
        office_.submit(DeclinedVisit{st.visit, st.staff, st.customer, *st.planned_start,
                                     *st.planned_end, st.at, st.text,
                                     shift(st.staff, *st.planned_start), ""});
        break;
      case Action::Absence:
        office_.submit(Absence{st.visit, st.customer, st.notice_at.value_or(st.at), *st.start,
                               st.end, st.reason});
        break;
      case Action::DoubleStaffing:
        // The phone puts its own id on what it sends (5.3).
        phone(st.staff).send(DoubleStaffing{st.visit, st.staff, st.customer, *st.start, *st.end,
                                            st.text, shift(st.staff, *st.start), ""});
        break;
      case Action::SharedInsats:
        phone(st.staff).send(SharedInsats{st.visit, st.staff, st.insatser.at(0).insats, *st.start,
                                          *st.end, st.customers, ""});
        break;
      case Action::ApproveShift:
        office_.submit(ShiftApproval{st.shift, st.at});
        break;
      case Action::PhoneOffline:
        phone(st.staff).go_offline();
        break;
      case Action::PhoneOnline:
        phone(st.staff).go_online();
        break;
      case Action::RecordPayment:
        office_.submit(Payment{st.visit, st.minutes});
        break;
      case Action::DeactivatePhone:
        // Phoniro Care (5.3): the phone is deactivated now; the backend gets the new world.
        for (auto& p : world_.phones)
          if (p.id == st.phone) p.deactivated_at = st.at;
        backend_.sync_world(world_);
        log_.say(clock_.now(), "office", "phone " + st.phone + " deactivated in Phoniro Care");
        break;
    }
  }

  const Scenario& s_;
  World world_;  // as Phoniro Care has it now (deactivate_phone changes it)
  BackendClient& backend_;
  sim::Hardware& hw_;
  sim::VirtualClock& clock_;
  sim::ActivityLog& log_;
  sim::Office office_;
  std::map<std::string, std::vector<LockCredential>> keyrings_;
  std::map<std::string, std::unique_ptr<sim::Phone>> phones_;
};

// Forwards to the run's backend and keeps what it accepted, for the reports.
class Recording final : public BackendClient {
 public:
  Recording(BackendClient& inner, Registrations& out) : inner_(inner), out_(out) {}
  void sync_world(const World& world) override { inner_.sync_world(world); }
  SubmitResult submit(const Registration& r) override {
    auto result = inner_.submit(r);
    if (result.accepted && result.is_new) {
      std::visit(
          [this](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, Visit>)
              out_.visits.push_back(x);
            else if constexpr (std::is_same_v<T, DoubleStaffing>)
              out_.double_staffing.push_back(x);
            else if constexpr (std::is_same_v<T, SharedInsats>)
              out_.shared.push_back(x);
            else if constexpr (std::is_same_v<T, DeclinedVisit>)
              out_.declined.push_back(x);
            else if constexpr (std::is_same_v<T, Absence>)
              out_.absences.push_back(x);
            else if constexpr (std::is_same_v<T, ShiftApproval>)
              out_.approvals.push_back(x);
            else if constexpr (std::is_same_v<T, Payment>)
              out_.payments.push_back(x);
            else if constexpr (std::is_same_v<T, VisitEdit>)
              apply_edit(out_, x);  // as the backend does: the edit becomes the visit's
          },
          r);
    }
    return result;
  }
  Decisions decisions() override { return inner_.decisions(); }

 private:
  BackendClient& inner_;
  Registrations& out_;
};

}  // namespace

RunResult run_scenario(const Scenario& s, const std::string& rules, const RunOptions& options) {
  RunResult r;
  r.file = s.file;
  r.name = s.name;
  r.clause = s.clause;
  r.rules = rules;
  r.tags = s.tags;
  try {
    sim::VirtualClock clock(s.steps.empty() ? Instant{} : s.steps.front().at);
    // Declared first, so the backend and the devices that record into it are gone before it.
    DeviceLog device_log;
    struct Keep {  // the entries reach the result however the run ends
      DeviceLog& log;
      RunResult& r;
      ~Keep() { r.device_log = log.entries(); }
    } keep{device_log, r};
    device_log.set_context("setup", std::nullopt);
    auto inner = options.backend(rules);
    if (auto* http = dynamic_cast<HttpBackend*>(inner.get())) http->set_log(&device_log);
    Recording backend(*inner, r.registrations);
    backend.sync_world(s.world);
    const std::uint64_t seed =
        sim::stable_hash(options.seed_per_rules ? s.file + "@" + rules : s.file, options.seed);
    auto hw = options.hardware_factory(options.hardware, s.world, s.doors, clock, seed);
    hw->set_device_log(&device_log);
    Run run(s, backend, *hw, clock, r.log);
    run.execute(device_log);
    device_log.set_context("decisions", std::nullopt);
    r.decisions = backend.decisions();
    r.mismatches = compare(expectations_for(s, rules), r.decisions, r.log.submissions, r.log.lines);
    // Unexpected refusals have no place of their own: point at the scenario.
    for (auto& m : r.mismatches) {
      if (m.where.file.empty()) m.where = s.where;
    }
    r.status = r.mismatches.empty() ? RunStatus::Pass : RunStatus::Fail;
  } catch (const std::exception& e) {
    r.status = RunStatus::Error;
    r.error = e.what();
  }
  return r;
}

std::vector<RunResult> run_jobs(const std::vector<Job>& jobs, const RunOptions& options,
                                int threads, const JobDone& done) {
  std::vector<RunResult> results(jobs.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < jobs.size(); i = next++) {
      results[i] = run_scenario(*jobs[i].scenario, jobs[i].rules, options);
      if (done) done(i, results[i]);
    }
  };
  const int n = std::max(1, std::min<int>(threads, static_cast<int>(jobs.size())));
  {
    std::vector<std::jthread> pool;  // joined at the end of this block, before results leave
    for (int i = 1; i < n; ++i) pool.emplace_back(worker);
    worker();
  }
  return results;
}

}  // namespace kvittens::harness
