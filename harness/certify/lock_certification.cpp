// The checks of `kvittens certify lock`, one per requirement of docs/lock-profile.md.
#include "harness/certify/lock_certification.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "drivers/ble/bluez_lock.hpp"
#include "drivers/ble/gatt_inspector.hpp"
#include "drivers/ble/lock_protocol.hpp"
#include "kvittens/device_log.hpp"
#include "kvittens/devices.hpp"
#include "kvittens/lock_receipt.hpp"
#include "kvittens/time.hpp"

namespace kvittens::certify {
namespace {

namespace lp = lock_protocol;
using lock_receipt::Event;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

constexpr std::int64_t kAutoRelock = 30;       // LP-CMD-4
constexpr std::int64_t kNonceLifetime = 30;    // LP-AUTH-2
constexpr std::uint8_t kLowBatteryBelow = 15;  // LP-STAT-2
constexpr std::chrono::seconds kKeepAlive{5};  // under the 10 s idle drop of LP-LINK-1

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string iso_utc(std::chrono::system_clock::time_point t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A check's verdict, thrown from deep inside it.
struct CheckFailed {
  std::string reason;
};
struct CheckBlocked {
  std::string reason;
};

void expect(bool ok, const std::string& reason) {
  if (!ok) throw CheckFailed{reason};
}

std::string event_name(std::uint8_t e) {
  switch (static_cast<Event>(e)) {
    case Event::Unlock:
      return "Unlock";
    case Event::Lock:
      return "Lock";
    case Event::AutoRelock:
      return "AutoRelock";
    case Event::AuthFailed:
      return "AuthFailed";
    case Event::ReplayRefused:
      return "ReplayRefused";
    case Event::TimeSet:
      return "TimeSet";
    case Event::LowBattery:
      return "LowBattery";
  }
  return "event " + std::to_string(e);
}

std::string describe(const LockEvent& e) {
  return "entry seq " + std::to_string(e.seq) + " time " + std::to_string(e.time) + " " +
         event_name(e.event) + " key " + std::to_string(e.key_id);
}

std::string describe(const lp::StatusRecord& s) {
  return std::string(s.locked ? "locked" : "unlocked") + ", battery " +
         std::to_string(s.battery_percent) + " %" + (s.low_battery ? ", low battery" : "") +
         (s.log_full ? ", log full" : "") + ", " + std::to_string(s.log_count) + " entries";
}

// An entry the lock answered a command with, and the harness time it arrived.
struct Receipt {
  LockEvent entry;
  std::vector<std::uint8_t> bytes;
  std::int64_t received = 0;  // bench time
  std::string check;
  std::optional<DeviceLogEntry> frame;  // the Response read that carried it
};

enum Needs : unsigned {
  kNothing = 0,
  kDevice = 1,  // the lock was discovered
  kLink = 2,    // connected, the three characteristics known
  kAdmin = 4,   // an admin key was given
};

// One certification run: the inspector, the characteristic paths, what the lock answered.
class Session {
 public:
  Session(const LockCertifyOptions& o, Bench& bench)
      : o_(o),
        bench_(bench),
        ble_(ble::open_bus(o.bus), o.address, o.adapter,
             [this](DeviceLogEntry e) { record(std::move(e)); }) {}

  // ------------------------------------------------------------ bookkeeping per check
  // Every crossing of this run goes to one DeviceLog whose context is the current check; a
  // check's evidence is its entries, then the frames of earlier checks it cites.
  void begin(CheckResult& r) {
    log_.set_context(r.requirement.id, Instant(std::chrono::seconds(bench_.now())));
    std::lock_guard lock(mutex_);
    current_ = &r;
    lock_seconds_ = 0;
    cited_.clear();
  }
  void end() {
    auto entries = log_.entries();
    log_.set_context("", std::nullopt);
    std::lock_guard lock(mutex_);
    if (current_) {
      current_->lock_seconds = lock_seconds_;
      for (auto& e : entries) {
        if (e.step == current_->requirement.id) current_->evidence.push_back(std::move(e));
      }
      current_->evidence.insert(current_->evidence.end(), cited_.begin(), cited_.end());
    }
    current_ = nullptr;
  }
  DeviceLog& device_log() { return log_; }
  void step(std::string s) {
    std::lock_guard lock(mutex_);
    if (current_) current_->steps.push_back(std::move(s));
  }
  const std::string& check_id() const { return current_id_; }
  void set_check_id(std::string id) { current_id_ = std::move(id); }

  // ------------------------------------------------------------ link
  ble::GattInspector& ble() { return ble_; }
  const LockCertifyOptions& options() const { return o_; }
  Bench& bench() { return bench_; }

  bool device_found = false;
  bool linked = false;
  std::optional<ble::GattDevice> advertised;
  std::string control, response, status_char;
  std::vector<Receipt> receipts;

  void connect() {
    ble_.connect(o_.connect_timeout);
    linked = true;
  }
  // Before a check that needs the link: reconnect when an earlier check lost it.
  void ensure_connected() {
    if (ble_.connected()) {
      // BlueZ's word, not the last signal seen: an earlier check may have lost the link.
      const auto d = ble_.find(o_.call_timeout);
      if (d && d->connected) return;
      ble_.wait_link(false, o_.call_timeout);  // the signal is on its way; let it land first
    }
    step("link was down: reconnect");
    connect();
  }
  void reconnect() {
    ble_.disconnect(o_.call_timeout);
    step("disconnected");
    connect();
    step("reconnected, services resolved");
  }

  // Let lock time pass, touching the link every few seconds so it is not dropped as idle.
  void pass_time(std::chrono::seconds total) {
    auto left = total;
    while (left.count() > 0) {
      const auto chunk = std::min(left, kKeepAlive);
      bench_.wait(chunk);
      {
        std::lock_guard lock(mutex_);
        lock_seconds_ += chunk.count();
      }
      left -= chunk;
      if (left.count() > 0) read_status_raw();
    }
    step("let " + std::to_string(total.count()) + " s of lock time pass");
  }

  // ------------------------------------------------------------ protocol
  std::vector<std::uint8_t> read_status_raw() { return ble_.read(status_char, o_.call_timeout); }

  lp::StatusRecord status() {
    const auto raw = read_status_raw();
    const auto d = lp::decode_status(raw);
    expect(static_cast<bool>(d), "Status is not a status record: " + d.reason);
    step("Status: " + describe(*d.value));
    return *d.value;
  }

  // Write a command, read Response (LP-GATT-2).
  lp::Response exchange(const lp::Command& c, const std::string& label) {
    const auto bytes = lp::encode(c);
    ble_.write(control, bytes, o_.call_timeout);
    const auto raw = ble_.read(response, o_.call_timeout);
    const auto d = lp::decode_response(raw, c.opcode);
    expect(static_cast<bool>(d), "Response to " + label + " is malformed: " + d.reason + " (" +
                                     lock_receipt::to_hex(raw) + ")");
    step(label + " → " + lp::to_string(d.value->status));
    return *d.value;
  }

  lp::Nonce challenge() {
    const auto r = exchange(lp::Command{lp::Opcode::GetChallenge}, "GET_CHALLENGE");
    expect(r.status == lp::Status::Ok,
           std::string("GET_CHALLENGE refused: ") + lp::to_string(r.status));
    return lp::nonce_of(r);
  }

  lp::Command signed_command(lp::Opcode op, std::span<const std::uint8_t> key, std::uint16_t key_id,
                             std::uint32_t arg, const lp::Nonce& nonce) {
    return lp::sign(lp::Command{op, key_id, arg, {}}, key, nonce);
  }

  // GET_CHALLENGE then the signed command. With `keep`, an entry answered goes to the ledger
  // the log checks judge (probes that should be refused are not kept).
  struct Answer {
    lp::Response response;
    std::optional<LockEvent> entry;
  };
  Answer act(lp::Opcode op, std::span<const std::uint8_t> key, std::uint16_t key_id,
             std::uint32_t arg = 0, bool keep = true, const std::string& how = "") {
    const auto nonce = challenge();
    const auto cmd = signed_command(op, key, key_id, arg, nonce);
    std::string label = std::string(lp::to_string(op)) + " key " + std::to_string(key_id);
    if (op == lp::Opcode::SetTime) label += " time " + std::to_string(arg);
    if (op == lp::Opcode::ReadLog) label += " seq " + std::to_string(arg);
    if (!how.empty()) label += " (" + how + ")";
    return answer(exchange(cmd, label), keep);
  }

  Answer answer(const lp::Response& r, bool keep) {
    Answer a{r, std::nullopt};
    if (r.status == lp::Status::Ok && r.payload.size() == lock_receipt::kEntrySize) {
      a.entry = lock_receipt::decode(r.payload);
      if (a.entry) {
        step("  " + describe(*a.entry));
        if (keep) {
          receipts.push_back({*a.entry, r.payload, bench_.now(), current_id_, last_frame()});
        }
      }
    }
    return a;
  }

  std::optional<DeviceLogEntry> last_frame() const {
    auto entries = log_.entries();
    if (entries.empty()) return std::nullopt;
    return entries.back();
  }
  // Frames recorded in earlier checks that this one judges.
  void cite(const std::optional<DeviceLogEntry>& frame) {
    std::lock_guard lock(mutex_);
    if (frame) cited_.push_back(*frame);
  }

  const std::vector<std::uint8_t>& key() const { return o_.key; }
  const std::vector<std::uint8_t>& admin_key() const { return *o_.admin_key; }

  // The door closed before a check that must see it move: LOCK, else wait for auto-relock.
  void ensure_locked() {
    if (status().locked) return;
    act(lp::Opcode::Lock, key(), o_.key_id, 0, false, "set-up");
    if (status().locked) return;
    pass_time(std::chrono::seconds(kAutoRelock + 1));
    if (!status().locked) throw CheckBlocked{"the door cannot be brought to locked (set-up)"};
  }

 private:
  void record(DeviceLogEntry e) { log_.record(std::move(e)); }

  const LockCertifyOptions& o_;
  Bench& bench_;
  DeviceLog log_;
  std::mutex mutex_;
  CheckResult* current_ = nullptr;
  std::vector<DeviceLogEntry> cited_;
  std::string current_id_;
  std::int64_t lock_seconds_ = 0;
  ble::GattInspector ble_;
};

struct Check {
  Requirement requirement;
  unsigned needs;
  std::vector<std::string> after;  // requirements whose failure blocks this one
  std::function<void(Session&)> run;
};

// ---------------------------------------------------------------------------- the checks

void check_discoverable(Session& s) {
  const auto& o = s.options();
  const auto found = s.ble().discover(o.discovery_timeout);
  if (!found) {
    throw CheckFailed{"lock " + o.address + " was not found by an LE discovery within " +
                      std::to_string(o.discovery_timeout.count()) + " ms"};
  }
  s.device_found = true;
  s.advertised = found;
  s.step("discovered " + found->path + " name '" + found->name + "'");
  expect(upper(found->address) == upper(o.address),
         "device object carries address " + found->address);
}

void check_advertises_uuid(Session& s) {
  // Before any connection Device1.UUIDs holds what the advertisement listed.
  if (auto now = s.ble().find(s.options().call_timeout)) s.advertised = now;
  const auto& uuids = s.advertised->uuids;
  std::string list;
  for (const auto& u : uuids) list += (list.empty() ? "" : ", ") + u;
  s.step("advertised UUIDs: " + (list.empty() ? std::string("(none)") : list));
  expect(
      std::find(uuids.begin(), uuids.end(), std::string(lp::kServiceUuid)) != uuids.end(),
      "the advertisement does not list the Receipt Lock service " + std::string(lp::kServiceUuid));
}

void check_connect(Session& s) {
  const auto t0 = Steady::now();
  try {
    s.connect();
  } catch (const DeviceError& e) {
    throw CheckFailed{std::string("connect: ") + e.what()};
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t0).count();
  s.step("connected and services resolved in " + std::to_string(ms) + " ms");
  // Where the commands go: the first instance of each characteristic (LP-GATT-1 judges more).
  std::string service;
  for (const auto& sv : s.ble().services(s.options().call_timeout)) {
    if (sv.uuid == lp::kServiceUuid && (service.empty() || sv.path < service)) service = sv.path;
  }
  expect(!service.empty(), "no Receipt Lock service after resolution");
  for (const auto& c : s.ble().characteristics(s.options().call_timeout)) {
    if (c.service != service) continue;
    for (auto [uuid, slot] :
         {std::pair{lp::kControlPointUuid, &s.control}, std::pair{lp::kResponseUuid, &s.response},
          std::pair{lp::kStatusUuid, &s.status_char}}) {
      if (c.uuid == uuid && (slot->empty() || c.path < *slot)) *slot = c.path;
    }
  }
  expect(!s.control.empty() && !s.response.empty() && !s.status_char.empty(),
         "the Receipt Lock service lacks Control Point, Response or Status");
}

void check_layout(Session& s) {
  const auto& o = s.options();
  int services = 0;
  std::string service;
  for (const auto& sv : s.ble().services(o.call_timeout)) {
    if (sv.uuid != lp::kServiceUuid) continue;
    ++services;
    service = sv.path;
    s.step("service " + sv.path + (sv.primary ? " (primary)" : " (secondary)"));
    expect(sv.primary, "the Receipt Lock service is not primary");
  }
  expect(services == 1, std::to_string(services) + " Receipt Lock services, expected 1");
  std::map<std::string, int> count;
  for (const auto& c : s.ble().characteristics(o.call_timeout)) {
    if (c.service != service) continue;
    ++count[c.uuid];
    s.step("characteristic " + c.uuid + " at " + c.path);
  }
  for (auto uuid : {lp::kControlPointUuid, lp::kResponseUuid, lp::kStatusUuid}) {
    const int n = count[std::string(uuid)];
    expect(n == 1, std::to_string(n) + " instances of characteristic " + std::string(uuid) +
                       ", expected exactly 1");
  }
}

void check_flags(Session& s) {
  std::map<std::string, std::vector<std::string>> flags;
  for (const auto& c : s.ble().characteristics(s.options().call_timeout)) {
    if (c.path == s.control || c.path == s.response || c.path == s.status_char) {
      flags[c.path] = c.flags;
      std::string f;
      for (const auto& x : c.flags) f += (f.empty() ? "" : ",") + x;
      s.step(c.uuid + " flags: " + f);
    }
  }
  const auto has = [&](const std::string& path, const char* flag) {
    const auto& f = flags[path];
    return std::find(f.begin(), f.end(), flag) != f.end();
  };
  expect(has(s.control, "write"), "Control Point lacks 'write' (write with response)");
  for (const auto& [path, name] :
       {std::pair{s.response, "Response"}, std::pair{s.status_char, "Status"}}) {
    expect(has(path, "read"), std::string(name) + " lacks 'read'");
    expect(has(path, "notify"), std::string(name) + " lacks 'notify'");
  }
}

void check_battery(Session& s) {
  const auto st = s.status();
  expect(st.battery_percent <= 100,
         "battery " + std::to_string(st.battery_percent) + " % is not 0–100");
  const bool low = st.battery_percent < kLowBatteryBelow;
  expect(st.low_battery == low, std::string("low-battery flag is ") +
                                    (st.low_battery ? "set" : "clear") + " at " +
                                    std::to_string(st.battery_percent) + " %");
}

void check_notifications(Session& s) {
  const auto& o = s.options();
  s.ensure_locked();
  s.ble().start_notify(s.status_char, o.call_timeout);
  int changes = 0;
  for (auto op : {lp::Opcode::Unlock, lp::Opcode::Lock}) {
    const auto before = s.read_status_raw();
    const auto n0 = s.ble().notification_count();
    const auto sent = Steady::now();
    s.act(op, s.key(), o.key_id);
    const auto after = s.read_status_raw();
    if (after == before) {
      s.step("Status unchanged: no notification due");
      continue;
    }
    ++changes;
    const auto note = s.ble().wait_notification(s.status_char, n0, o.notify_within);
    expect(note.has_value(), "no Status notification within " +
                                 std::to_string(o.notify_within.count()) + " ms of " +
                                 lp::to_string(op) + " changing it");
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(note->at - sent).count();
    s.step("Status notified " + lock_receipt::to_hex(note->value) + " " + std::to_string(ms) +
           " ms after the write");
    expect(note->value == after, "the notification " + lock_receipt::to_hex(note->value) +
                                     " differs from Status read " + lock_receipt::to_hex(after));
  }
  try {
    s.ble().stop_notify(s.status_char, o.call_timeout);
  } catch (const DeviceError&) {
  }
  expect(changes > 0, "UNLOCK and LOCK changed nothing in Status");
}

void check_unlock(Session& s) {
  const auto& o = s.options();
  s.ensure_locked();
  const auto a = s.act(lp::Opcode::Unlock, s.key(), o.key_id);
  expect(a.response.status == lp::Status::Ok,
         std::string("UNLOCK refused: ") + lp::to_string(a.response.status));
  expect(a.entry.has_value(), "UNLOCK answered without a 49-byte log entry");
  expect(upper(a.entry->lock_id) == upper(o.address), "the receipt names lock " + a.entry->lock_id);
  expect(a.entry->event == static_cast<std::uint8_t>(Event::Unlock),
         "the receipt's event is " + event_name(a.entry->event) + ", not Unlock");
  expect(a.entry->key_id == o.key_id, "the receipt carries key id " +
                                          std::to_string(a.entry->key_id) + ", not " +
                                          std::to_string(o.key_id));
  expect(!s.status().locked, "Status still says locked after UNLOCK");
  // The staff app's own driver, on its own connection, gets a receipt it verifies.
  ble::BluezLockOptions app;
  app.address = o.address;
  app.adapter = o.adapter;
  app.discovery_timeout = o.discovery_timeout;
  app.log = &s.device_log();
  try {
    ble::BluezLock lock(ble::open_bus(o.bus), app);
    const auto receipt = lock.unlock({o.address, o.key_id, o.key}, o.connect_timeout * 2);
    s.step("kvittens BluezLock: receipt " + describe(receipt));
    s.receipts.push_back({receipt, lock_receipt::encode(receipt), s.bench().now(),
                          std::string(s.check_id()), s.last_frame()});
  } catch (const DeviceError& e) {
    throw CheckFailed{std::string("the kvittens driver (BluezLock) got no receipt: ") + e.what()};
  }
  // The driver disconnected when done; the next check reconnects once this link is seen down.
  s.ble().wait_link(false, o.call_timeout);
}

void check_relock(Session& s) {
  const auto& o = s.options();
  if (s.status().locked) s.act(lp::Opcode::Unlock, s.key(), o.key_id, 0, true, "set-up");
  const auto a = s.act(lp::Opcode::Lock, s.key(), o.key_id);
  expect(a.response.status == lp::Status::Ok,
         std::string("LOCK refused: ") + lp::to_string(a.response.status));
  expect(a.entry && a.entry->event == static_cast<std::uint8_t>(Event::Lock) &&
             a.entry->key_id == o.key_id,
         "LOCK did not answer with a Lock entry of key id " + std::to_string(o.key_id));
  expect(s.status().locked, "Status says unlocked after LOCK: the bolt did not close");
}

void check_auto_relock(Session& s) {
  const auto& o = s.options();
  const auto a = s.act(lp::Opcode::Unlock, s.key(), o.key_id);
  expect(a.response.status == lp::Status::Ok, "UNLOCK refused");
  s.pass_time(std::chrono::seconds(kAutoRelock - 2));
  const bool early = s.status().locked;
  if (!early) {
    s.pass_time(3s);
    // A real lock relocks on its own tick; give it a moment of wall time.
    const auto until = Steady::now() + o.relock_grace;
    while (Steady::now() < until && !s.status().locked) std::this_thread::sleep_for(250ms);
  }
  const bool relocked = s.status().locked;
  if (!relocked) s.act(lp::Opcode::Lock, s.key(), o.key_id, 0, false, "clean-up");
  expect(!early, "relocked before 30 s had passed");
  expect(relocked, "still unlocked 31 s after UNLOCK");
}

void check_nonce_fresh(Session& s) {
  const auto& o = s.options();
  s.ensure_locked();
  const auto n1 = s.challenge();
  const auto n2 = s.challenge();
  s.step("nonces " + lock_receipt::to_hex(n1) + " and " + lock_receipt::to_hex(n2));
  expect(n1 != n2, "two GET_CHALLENGEs gave the same nonce");
  const auto cmd = s.signed_command(lp::Opcode::Lock, s.key(), o.key_id, 0, n1);
  const auto r = s.answer(s.exchange(cmd, "LOCK signed over the superseded nonce"), false);
  expect(r.response.status != lp::Status::Ok, "a command over a superseded nonce was obeyed");
}

void check_nonce_expiry(Session& s) {
  const auto& o = s.options();
  s.ensure_locked();
  const auto n = s.challenge();
  s.pass_time(std::chrono::seconds(kNonceLifetime + 1));
  const auto cmd = s.signed_command(lp::Opcode::Unlock, s.key(), o.key_id, 0, n);
  const auto r = s.answer(s.exchange(cmd, "UNLOCK over a 31 s old nonce"), false);
  const bool locked = s.status().locked;
  // NO_CHALLENGE, or REPLAY when the lock also remembers the nonce as consumed (LP-AUTH-4).
  expect(r.response.status == lp::Status::NoChallenge || r.response.status == lp::Status::Replay,
         std::string("a 31 s old nonce was answered ") + lp::to_string(r.response.status) +
             ", not NO_CHALLENGE");
  expect(locked, "the door opened on an expired nonce");
}

void check_replay(Session& s) {
  const auto& o = s.options();
  s.ensure_locked();
  const auto n = s.challenge();
  const auto cmd = s.signed_command(lp::Opcode::Lock, s.key(), o.key_id, 0, n);
  const auto first = s.answer(s.exchange(cmd, "LOCK"), true);
  expect(first.response.status == lp::Status::Ok, "LOCK refused");
  const auto again = s.answer(s.exchange(cmd, "the same LOCK bytes again"), false);
  expect(again.response.status == lp::Status::Replay,
         std::string("the replayed command was answered ") + lp::to_string(again.response.status) +
             ", not REPLAY");
  expect(!again.entry.has_value(), "the replayed command was answered with a log entry");
}

void check_wrong_key(Session& s) {
  const auto& o = s.options();
  s.ensure_locked();
  auto wrong = s.key();
  for (auto& b : wrong) b ^= 0xff;
  const auto a = s.act(lp::Opcode::Unlock, wrong, o.key_id, 0, false, "signed with a wrong key");
  const bool locked = s.status().locked;
  expect(a.response.status == lp::Status::AuthFailed,
         std::string("UNLOCK with a wrong key was answered ") + lp::to_string(a.response.status) +
             ", not AUTH_FAILED");
  expect(locked, "the door opened for a wrong key");
}

void check_fail_secure(Session& s) {
  const auto& o = s.options();
  s.ensure_locked();
  const auto n = s.challenge();
  const auto cmd = s.signed_command(lp::Opcode::Unlock, s.key(), o.key_id, 0, n);
  try {
    s.ble().write(s.control, lp::encode(cmd), o.call_timeout);
    s.step("UNLOCK written; Response not read");
  } catch (const DeviceError& e) {
    s.step(std::string("UNLOCK write failed: ") + e.what());
  }
  if (s.ble().connected()) {
    s.ble().disconnect(o.call_timeout);
    s.step("link dropped before the Response was read");
  }
  s.connect();
  s.step("reconnected");
  const auto rsp = s.ble().read(s.response, o.call_timeout);
  s.step("Response on the new link: " +
         (rsp.empty() ? std::string("(empty)") : lock_receipt::to_hex(rsp)));
  expect(rsp.size() < 2 || rsp[1] != static_cast<std::uint8_t>(lp::Status::Ok) ||
             rsp[0] != static_cast<std::uint8_t>(lp::Opcode::Unlock),
         "the new link offers the unlock receipt in Response");
  expect(s.status().locked, "the door is open after the link dropped mid-unlock");
}

void check_admin_time(Session& s) {
  const auto& o = s.options();
  expect(s.admin_key() != s.key(), "the admin key equals the lock key (LP-KEY-2)");
  s.ensure_locked();
  const auto t0 = s.act(lp::Opcode::Lock, s.key(), o.key_id, 0, false, "lock clock before");
  expect(t0.entry.has_value(), "LOCK gave no entry");
  const auto bogus = static_cast<std::uint32_t>(s.bench().now() + 86400);
  const auto staff =
      s.act(lp::Opcode::SetTime, s.key(), o.key_id, bogus, false, "signed with the lock key");
  const auto t1 = s.act(lp::Opcode::Lock, s.key(), o.key_id, 0, false, "lock clock after");
  expect(t1.entry.has_value(), "LOCK gave no entry");
  const auto now = static_cast<std::uint32_t>(s.bench().now());
  const auto admin = s.act(lp::Opcode::SetTime, s.admin_key(), o.admin_key_id, now);
  expect(staff.response.status != lp::Status::Ok, "SET_TIME signed with the lock key was obeyed");
  expect(std::abs(static_cast<std::int64_t>(t1.entry->time) - t0.entry->time) < 3600,
         "the lock clock moved by " + std::to_string(t1.entry->time - t0.entry->time) +
             " s on a refused SET_TIME");
  expect(
      admin.response.status == lp::Status::Ok,
      std::string("SET_TIME with the admin key refused: ") + lp::to_string(admin.response.status));
  expect(admin.entry && admin.entry->event == static_cast<std::uint8_t>(Event::TimeSet),
         "SET_TIME did not answer with a TimeSet entry");
  expect(std::abs(admin.entry->time - static_cast<std::int64_t>(now)) <= 1,
         "the TimeSet entry is stamped " + std::to_string(admin.entry->time) +
             ", not the new time " + std::to_string(now));
}

void check_readout(Session& s) {
  const auto& o = s.options();
  const auto a = s.act(lp::Opcode::Lock, s.key(), o.key_id);
  const auto b = s.act(lp::Opcode::Lock, s.key(), o.key_id);
  expect(a.entry && b.entry, "LOCK gave no entry");
  for (const auto* x : {&a, &b}) {
    const auto r = s.act(lp::Opcode::ReadLog, s.admin_key(), o.admin_key_id, x->entry->seq, false);
    expect(r.response.status == lp::Status::Ok, "READ_LOG " + std::to_string(x->entry->seq) +
                                                    " answered " +
                                                    lp::to_string(r.response.status));
    expect(r.response.payload == lock_receipt::encode(*x->entry),
           "READ_LOG " + std::to_string(x->entry->seq) + " differs from the receipt");
  }
  const auto missing = b.entry->seq + 100000;
  const auto m = s.act(lp::Opcode::ReadLog, s.admin_key(), o.admin_key_id, missing, false);
  expect(
      m.response.status == lp::Status::NotFound,
      "READ_LOG of a never written seq answered " + std::string(lp::to_string(m.response.status)));
  const auto staff = s.act(lp::Opcode::ReadLog, s.key(), o.key_id, a.entry->seq, false,
                           "signed with the lock key");
  expect(staff.response.status != lp::Status::Ok, "READ_LOG signed with the lock key was obeyed");
}

void check_survives_reconnect(Session& s) {
  const auto& o = s.options();
  const auto a = s.act(lp::Opcode::Lock, s.key(), o.key_id);
  expect(a.entry.has_value(), "LOCK gave no entry");
  s.reconnect();
  std::vector<const Receipt*> probe{&s.receipts.front(), &s.receipts.back()};
  for (const auto* r : probe) {
    const auto x = s.act(lp::Opcode::ReadLog, s.admin_key(), o.admin_key_id, r->entry.seq, false);
    expect(x.response.status == lp::Status::Ok && x.response.payload == r->bytes,
           "entry seq " + std::to_string(r->entry.seq) + " (from " + r->check +
               ") is not read back after reconnecting: " + lp::to_string(x.response.status));
  }
}

void check_seq(Session& s) {
  const auto& o = s.options();
  std::vector<std::uint32_t> seqs;
  for (int i = 0; i < 4; ++i) {
    const auto a = s.act(lp::Opcode::Lock, s.key(), o.key_id);
    expect(a.entry.has_value(), "LOCK gave no entry");
    seqs.push_back(a.entry->seq);
  }
  for (std::size_t i = 1; i < seqs.size(); ++i) {
    expect(seqs[i] == seqs[i - 1] + 1, "consecutive entries have seq " +
                                           std::to_string(seqs[i - 1]) + " and " +
                                           std::to_string(seqs[i]));
  }
  for (std::size_t i = 1; i < s.receipts.size(); ++i) {
    const auto& p = s.receipts[i - 1];
    const auto& q = s.receipts[i];
    expect(q.entry.seq > p.entry.seq, "seq " + std::to_string(q.entry.seq) + " (" + q.check +
                                          ") does not follow " + std::to_string(p.entry.seq) +
                                          " (" + p.check + ")");
  }
  s.step(std::to_string(s.receipts.size()) + " entries of this session in increasing order");
}

void check_macs(Session& s) {
  expect(!s.receipts.empty(), "no entries to verify");
  for (const auto& r : s.receipts) {
    s.cite(r.frame);
    expect(lock_receipt::verify(r.entry, s.key()),
           "the MAC of entry seq " + std::to_string(r.entry.seq) + " (" +
               event_name(r.entry.event) + ", " + r.check + ") does not verify with the lock key");
  }
  s.step(std::to_string(s.receipts.size()) + " entries verify with K_L");
}

void check_timestamps(Session& s) {
  const auto tol = s.options().time_tolerance;
  expect(!s.receipts.empty(), "no entries to judge");
  for (const auto& r : s.receipts) {
    s.cite(r.frame);
    const auto off = r.entry.time - r.received;
    expect(std::abs(off) <= tol, "entry seq " + std::to_string(r.entry.seq) + " (" + r.check +
                                     ") is stamped " + std::to_string(off) +
                                     " s from the harness clock (tolerance " + std::to_string(tol) +
                                     " s)");
  }
  s.step(std::to_string(s.receipts.size()) + " entries within " + std::to_string(tol) +
         " s of the harness clock");
}

const std::vector<Check>& checks() {
  static const std::vector<Check> all = [] {
    const auto& reqs = checked_requirements();
    const auto req = [&](const char* id) {
      for (const auto& r : reqs) {
        if (r.id == id) return r;
      }
      throw std::logic_error(std::string("no requirement ") + id);
    };
    return std::vector<Check>{
        {req("LP-ADV-1"), kNothing, {}, check_discoverable},
        {req("LP-ADV-2"), kDevice, {}, check_advertises_uuid},
        {req("LP-LINK-3"), kDevice, {}, check_connect},
        {req("LP-GATT-1"), kLink, {}, check_layout},
        {req("LP-GATT-5"), kLink, {}, check_flags},
        {req("LP-STAT-3"), kLink, {}, check_battery},
        {req("LP-STAT-1"), kLink, {}, check_notifications},
        {req("LP-CMD-2"), kLink, {}, check_unlock},
        {req("LP-CMD-3"), kLink, {}, check_relock},
        {req("LP-CMD-4"), kLink, {}, check_auto_relock},
        {req("LP-AUTH-1"), kLink, {}, check_nonce_fresh},
        {req("LP-AUTH-2"), kLink, {}, check_nonce_expiry},
        {req("LP-AUTH-4"), kLink, {}, check_replay},
        {req("LP-AUTH-5"), kLink, {}, check_wrong_key},
        {req("LP-LINK-4"), kLink, {}, check_fail_secure},
        {req("LP-CMD-5"), kLink | kAdmin, {}, check_admin_time},
        {req("LP-CMD-6"), kLink | kAdmin, {}, check_readout},
        {req("LP-LOG-5"), kLink | kAdmin, {"LP-CMD-6"}, check_survives_reconnect},
        {req("LP-LOG-1"), kLink, {}, check_seq},
        {req("LP-LOG-2"), kLink, {}, check_macs},
        {req("LP-LOG-4"), kLink, {}, check_timestamps},
    };
  }();
  return all;
}

}  // namespace

std::int64_t WallBench::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void WallBench::wait(std::chrono::seconds by) {
  std::this_thread::sleep_for(by);
}

const std::vector<Requirement>& checked_requirements() {
  static const std::vector<Requirement> all = {
      {"LP-ADV-1", "Discoverable by an LE discovery under its address", true,
       "BlueZ finds the lock by its public address within the discovery time"},
      {"LP-ADV-2", "Advertises the Receipt Lock service UUID", false,
       "a client can filter its discovery by the service UUID"},
      {"LP-LINK-3", "Accepts a connection and its services resolve", true,
       "Device1.Connect succeeds and ServicesResolved turns true within the connect time"},
      {"LP-GATT-1", "One Receipt Lock service with exactly one of each characteristic", true,
       "the client cannot pick the wrong Control Point, Response or Status"},
      {"LP-GATT-5", "Characteristic properties as in the profile", true,
       "Control Point is written with response; Response and Status can be read and notify"},
      {"LP-STAT-3", "Battery level 0–100 % and the low-battery flag agree", true,
       "the flag is set exactly when the level is below 15 %"},
      {"LP-STAT-1", "Status notifies every change within 1 s", true,
       "a change caused by UNLOCK or LOCK arrives as a notification carrying the new record"},
      {"LP-CMD-2", "Authenticated UNLOCK opens and returns its receipt", true,
       "an UNLOCK with a valid MAC answers OK with an Unlock entry of this lock and key id, "
       "and Status says unlocked"},
      {"LP-CMD-3", "LOCK closes the bolt and logs Lock", true,
       "an authenticated LOCK answers a Lock entry and Status says locked"},
      {"LP-CMD-4", "Auto-relock 30 s after an unlock", true,
       "still unlocked after 28 s of lock time, locked after 31 s"},
      {"LP-AUTH-1", "A fresh nonce per challenge; a new one supersedes the old", true,
       "two challenges differ and a command over the superseded nonce is refused"},
      {"LP-AUTH-2", "A nonce expires after 30 s", true,
       "an UNLOCK over a 31 s old nonce is answered NO_CHALLENGE and the door stays locked"},
      {"LP-AUTH-4", "A replayed command is refused", true,
       "the same command bytes sent again are answered REPLAY and nothing moves"},
      {"LP-AUTH-5", "A wrong key is refused", true,
       "an UNLOCK signed with another key is answered AUTH_FAILED and the door stays locked"},
      {"LP-LINK-4", "Fail-secure when the link drops mid-unlock", true,
       "after an UNLOCK whose Response was never read and a link loss, the door is locked "
       "and the new link offers no receipt"},
      {"LP-CMD-5", "Only the admin key sets the time", true,
       "SET_TIME signed with the lock key is refused and leaves the clock; with the admin key "
       "it sets it and logs TimeSet stamped with the new time"},
      {"LP-CMD-6", "Log read-out with the admin key", true,
       "READ_LOG returns each entry byte for byte, NOT_FOUND for a seq never written, and "
       "refuses the lock key"},
      {"LP-LOG-5", "Log entries survive reconnects", true,
       "entries issued on earlier links are read back unchanged after reconnecting"},
      {"LP-LOG-1", "Sequence numbers increase by exactly 1", true,
       "consecutive entries are numbered n, n+1, …, and every entry of the session follows "
       "the one before"},
      {"LP-LOG-2", "Every entry is signed with the lock key", true,
       "the MAC of every entry of the session (admin events too) verifies with K_L"},
      {"LP-LOG-4", "Entry timestamps follow the harness clock", true,
       "every entry is stamped within the tolerance of the harness (UTC) clock at its arrival"},
  };
  return all;
}

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::Pass:
      return "pass";
    case Verdict::Fail:
      return "fail";
    case Verdict::Blocked:
      return "blocked";
    case Verdict::NotRun:
      return "not-run";
  }
  return "?";
}

bool Certification::passed() const {
  if (setup_error) return false;
  return std::all_of(results.begin(), results.end(), [](const CheckResult& r) {
    return !r.requirement.mandatory || r.verdict == Verdict::Pass;
  });
}

std::vector<std::string> Certification::failed_ids() const {
  std::vector<std::string> out;
  for (const auto& r : results) {
    if (r.verdict == Verdict::Fail) out.push_back(r.requirement.id);
  }
  return out;
}

std::vector<std::string> Certification::blocked_ids() const {
  std::vector<std::string> out;
  for (const auto& r : results) {
    if (r.verdict == Verdict::Blocked || r.verdict == Verdict::NotRun) {
      out.push_back(r.requirement.id);
    }
  }
  return out;
}

Certification certify_lock(const LockCertifyOptions& o, Bench& bench) {
  Certification cert;
  cert.lock = upper(o.address);
  cert.target = o.target.empty() ? "bus " + (o.bus.empty() ? std::string("system") : o.bus) +
                                       ", adapter " + o.adapter
                                 : o.target;
  cert.started = iso_utc(std::chrono::system_clock::now());
  const auto t_start = Steady::now();

  std::unique_ptr<Session> session;
  try {
    session = std::make_unique<Session>(o, bench);
    session->ble().find(o.call_timeout);  // org.bluez and the adapter are there
  } catch (const std::exception& e) {
    cert.setup_error = e.what();
  }

  std::map<std::string, Verdict> verdicts;
  for (const auto& check : checks()) {
    CheckResult r;
    r.requirement = check.requirement;
    const auto t0 = Steady::now();
    std::string blocked;
    if (!session) {
      blocked = "the bench could not be used: " + *cert.setup_error;
    } else if ((check.needs & kDevice) && !session->device_found) {
      blocked = "the lock was not discovered (LP-ADV-1)";
    } else if ((check.needs & kLink) && !session->linked) {
      blocked = "no connection to the lock (LP-LINK-3)";
    }
    for (const auto& dep : check.after) {
      if (blocked.empty() && verdicts[dep] != Verdict::Pass) blocked = dep + " did not pass";
    }
    if (!blocked.empty()) {
      r.verdict = Verdict::Blocked;
      r.reason = blocked;
    } else if ((check.needs & kAdmin) && !o.admin_key) {
      r.verdict = Verdict::NotRun;
      r.reason = "needs the admin key (--admin-key-file)";
    } else {
      session->set_check_id(check.requirement.id);
      session->begin(r);
      try {
        if (check.needs & kLink) session->ensure_connected();
        check.run(*session);
        r.verdict = Verdict::Pass;
      } catch (const CheckFailed& f) {
        r.verdict = Verdict::Fail;
        r.reason = f.reason;
      } catch (const CheckBlocked& b) {
        r.verdict = Verdict::Blocked;
        r.reason = b.reason;
      } catch (const std::exception& e) {
        r.verdict = Verdict::Fail;
        r.reason = e.what();
      }
      session->end();
      session->set_check_id("");
    }
    r.seconds = std::chrono::duration<double>(Steady::now() - t0).count();
    verdicts[r.requirement.id] = r.verdict;
    cert.results.push_back(std::move(r));
    if (!cert.setup_error && session && !session->device_found &&
        check.requirement.id == "LP-ADV-1") {
      cert.setup_error = "lock " + cert.lock + " not found: " + cert.results.back().reason;
    }
  }
  if (session) {
    try {
      if (session->ble().connected()) session->ble().disconnect(o.call_timeout);
    } catch (const std::exception&) {
    }
  }
  cert.seconds = std::chrono::duration<double>(Steady::now() - t_start).count();
  return cert;
}

}  // namespace kvittens::certify
