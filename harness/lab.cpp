#include "harness/lab.hpp"

#include <algorithm>
#include <ostream>

#include "drivers/ble/bluez_lock.hpp"
#include "drivers/nfc/libnfc_reader.hpp"
#include "kvittens/lock_receipt.hpp"
#include "scenario/scenario_yaml.hpp"

namespace kvittens::harness {

LabFile load_lab_file(const std::string& path, const std::string& display) {
  const YAML::Node root = load_yaml_file(path, display);
  const YamlReader r(display);
  LabFile lab;
  lab.file = display;
  if (!root.IsMap()) r.fail(root, "expected a lab file: a map with nfc, phones, doors, locks");
  r.check_map(root, {"description", "nfc", "phones", "doors", "locks"}, "lab file");
  if (auto n = root["nfc"]) {
    r.check_map(n, {"present_timeout_ms"}, "nfc settings");
    if (auto t = n["present_timeout_ms"]) {
      const int ms = r.integer(t, "present_timeout_ms");
      if (ms < 1) r.fail(t, "expected present_timeout_ms as a positive number of milliseconds");
      lab.present_timeout = std::chrono::milliseconds(ms);
    }
  }
  auto list = [&](const char* key, const char* what) {
    const YAML::Node n = root[key];
    if (n && !n.IsSequence()) r.fail(n, std::string("expected ") + key + " as a list of " + what);
    return n;
  };
  auto once = [&](std::vector<std::string>& seen, const YAML::Node& n, const std::string& id,
                  const std::string& what) {
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) {
      r.fail(n, what + " '" + id + "' is listed twice");
    }
    seen.push_back(id);
  };
  std::vector<std::string> seen;
  if (auto ps = list("phones", "{staff, reader}")) {
    for (const auto& p : ps) {
      r.check_map(p, {"staff", "reader"}, "phone");
      LabPhone x;
      x.where = r.where(p);
      x.staff = r.str(r.require(p, "staff", "phone"), "staff id");
      x.reader = r.str(r.require(p, "reader", "phone"), "reader connstring");
      once(seen, p["staff"], x.staff, "staff member");
      lab.phones.push_back(x);
    }
  }
  seen.clear();
  if (auto ds = list("doors", "{door, nfc}")) {
    for (const auto& d : ds) {
      r.check_map(d, {"door", "nfc"}, "door");
      LabDoor x;
      x.where = r.where(d);
      x.door = r.str(r.require(d, "door", "door"), "door id");
      once(seen, d["door"], x.door, "door");
      const YAML::Node n = r.require(d, "nfc", "door");
      r.check_map(n, {"reader", "tag", "actuator"}, "door nfc");
      if (n["reader"]) x.reader = r.str(n["reader"], "reader connstring");
      if (n["tag"]) {
        x.tag = r.str(n["tag"], "tag UID");
        bool ok = x.tag.size() == 20;
        for (std::size_t i = 0; ok && i < x.tag.size(); ++i) {
          ok = i % 3 == 2 ? x.tag[i] == ':' : std::isxdigit(static_cast<unsigned char>(x.tag[i]));
        }
        if (!ok) r.fail(n["tag"], "expected a 7-byte tag UID like 04:A1:B2:C3:D4:E5:80");
      }
      x.actuator = n["actuator"] ? r.choice(n["actuator"], {"none"}, "actuator") : "none";
      lab.doors.push_back(x);
    }
  }
  seen.clear();
  if (auto ls = list("locks", "{lock, bus, adapter, admin_key_hex}")) {
    for (const auto& l : ls) {
      r.check_map(l, {"lock", "bus", "adapter", "admin_key_hex", "admin_key_id"}, "lock");
      LabLock x;
      x.where = r.where(l);
      x.lock = r.str(r.require(l, "lock", "lock"), "lock address");
      if (!lock_receipt::parse_address(x.lock)) {
        r.fail(l["lock"], "expected a BLE address like AA:BB:CC:DD:EE:01");
      }
      once(seen, l["lock"], x.lock, "lock");
      const std::string bus = r.str(r.require(l, "bus", "lock"), "bus");
      x.bus = bus == "system" ? "" : bus;
      if (!x.bus.empty() && x.bus.find(':') == std::string::npos) {
        r.fail(l["bus"], "expected bus as \"system\" or a D-Bus address like unix:path=/run/...");
      }
      x.adapter = l["adapter"] ? r.str(l["adapter"], "adapter") : "hci0";
      if (auto k = l["admin_key_hex"]) {
        const auto key = lock_receipt::from_hex(r.str(k, "admin key"));
        if (!key || key->size() != 32) r.fail(k, "expected admin_key_hex as 64 hex digits");
        x.admin_key = *key;
      }
      if (auto k = l["admin_key_id"]) {
        const int id = r.integer(k, "admin key id");
        if (id < 1 || id > 0xFFFF) r.fail(k, "expected admin_key_id from 1 to 65535");
        x.admin_key_id = static_cast<std::uint16_t>(id);
      }
      lab.locks.push_back(x);
    }
  }
  return lab;
}

namespace {

using std::chrono::milliseconds;

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class LabHardware;

// One phone's NFC in the lab: reads go to the reader at the door the phone was held to.
class LabReader final : public NfcReader {
 public:
  LabReader(LabHardware& hw, std::string staff) : hw_(hw), staff_(std::move(staff)) {}
  TagRead read_tag(milliseconds timeout) override;

 private:
  LabHardware& hw_;
  std::string staff_;
};

// A real lock; before each operation its clock is set to scenario time with the admin key
// (LP-CMD-5), so its receipts carry the time the backend judges the visit by.
class LabLockDevice final : public Lock {
 public:
  LabLockDevice(const LabLock& lab, const Clock& clock)
      : lab_(lab),
        clock_(clock),
        driver_(ble::open_bus(lab.bus),
                ble::BluezLockOptions{.address = lab.lock, .adapter = lab.adapter}) {}
  LockEvent unlock(const LockCredential& credential, milliseconds timeout) override {
    set_time(timeout);
    return driver_.unlock(credential, timeout);
  }
  void relock(const LockCredential& credential, milliseconds timeout) override {
    set_time(timeout);
    driver_.relock(credential, timeout);
  }
  LockStatus status(milliseconds timeout) override { return driver_.status(timeout); }
  void set_log(DeviceLog* log) { driver_.set_log(log); }

 private:
  void set_time(milliseconds timeout) {
    if (lab_.admin_key.empty()) return;
    driver_.set_time({lab_.lock, lab_.admin_key_id, lab_.admin_key},
                     clock_.now().time_since_epoch().count(), timeout);
  }
  const LabLock& lab_;
  const Clock& clock_;
  ble::BluezLock driver_;
};

class LabHardware final : public sim::Hardware {
 public:
  LabHardware(const LabFile& lab, const std::vector<sim::Door>& doors, const Clock& clock,
              std::ostream& prompts)
      : lab_(lab), doors_(doors), clock_(clock), prompts_(prompts) {}

  void present_tag(const std::string& staff, const sim::TagOnDoor& tag) override {
    Placement p;
    p.scenario_uid = tag.uid;
    p.real_uid = tag.uid;
    const sim::Door* door = nullptr;
    for (const auto& d : doors_) {
      const bool here = std::any_of(d.tags.begin(), d.tags.end(),
                                    [&](const sim::TagOnDoor& t) { return t.uid == tag.uid; });
      if (here) {
        door = &d;
        break;
      }
    }
    p.door = door ? door->id : "?";
    const LabDoor* lab_door = nullptr;
    for (const auto& d : lab_.doors) {
      if (d.door == p.door) lab_door = &d;
    }
    if (lab_door && !lab_door->tag.empty()) p.real_uid = lab_door->tag;
    if (lab_door && !lab_door->reader.empty()) {
      p.reader = lab_door->reader;
    } else {
      for (const auto& ph : lab_.phones) {
        if (ph.staff == staff) p.reader = ph.reader;
      }
    }
    if (p.reader.empty()) {
      throw LabError(lab_.file + " has no NFC reader for " + staff + "'s phone or door " + p.door);
    }
    placed_[staff] = p;
    prompts_ << "kvittens lab: " << staff << " at door " << p.door << ": present sticker "
             << p.real_uid << " to reader " << p.reader << " (within "
             << lab_.present_timeout.count() << " ms)" << std::endl;
  }

  void remove_tag(const std::string& staff) override {
    const auto it = placed_.find(staff);
    if (it == placed_.end()) return;
    prompts_ << "kvittens lab: take sticker " << it->second.real_uid << " away from reader "
             << it->second.reader << std::endl;
    placed_.erase(it);
  }

  void inject(const sim::DeviceFault& fault) override {
    if (fault.device == sim::DeviceFault::Device::Nfc && fault.error == DeviceErrorCode::NoTag) {
      empty_reads_[fault.target] += fault.count;
      return;
    }
    const std::string what =
        fault.condition ? sim::to_string(*fault.condition) : kvittens::to_string(fault.error);
    throw LabError("the fault '" + what +
                   "' needs an emulator; run this scenario with "
                   "--hardware emulated");
  }

  // The same drivers as emulated mode, so the same log: the readers' serial taps and the locks'
  // D-Bus calls.
  void set_device_log(DeviceLog* log) override {
    log_ = log;
    for (auto& [c, d] : devices_) d->set_log(log);
    for (auto& [id, l] : locks_) l->set_log(log);
  }

  NfcReader& reader(const std::string& staff) override {
    auto& r = phone_readers_[staff];
    if (!r) r = std::make_unique<LabReader>(*this, staff);
    return *r;
  }

  Lock& lock(const std::string& /*staff*/, const std::string& lock_id) override {
    auto& l = locks_[upper(lock_id)];
    if (!l) {
      const auto it = std::find_if(lab_.locks.begin(), lab_.locks.end(), [&](const LabLock& x) {
        return upper(x.lock) == upper(lock_id);
      });
      if (it == lab_.locks.end()) throw LabError(lab_.file + " has no lock " + lock_id);
      l = std::make_unique<LabLockDevice>(*it, clock_);
      l->set_log(log_);
    }
    return *l;
  }

  TagRead read(const std::string& staff, milliseconds timeout) {
    const auto it = placed_.find(staff);
    if (it == placed_.end()) throw LabError("nothing was presented to " + staff + "'s phone");
    const Placement& p = it->second;
    auto& driver = device(p.reader);
    if (auto e = empty_reads_.find(staff); e != empty_reads_.end() && e->second > 0) {
      --e->second;
      prompts_ << "kvittens lab: keep reader " << p.reader << " empty for the next read"
               << std::endl;
      return driver.read_tag(timeout);  // the driver's own NoTag
    }
    TagRead tag;
    try {
      tag = driver.read_tag(std::max(timeout, lab_.present_timeout));
    } catch (const DeviceError& e) {
      if (e.code() != DeviceErrorCode::NoTag) throw;
      throw LabError("nobody presented sticker " + p.real_uid + " to reader " + p.reader +
                     " within " + std::to_string(lab_.present_timeout.count()) + " ms");
    }
    // The real sticker stands for the scenario's tag at that door.
    if (upper(tag.uid) == upper(p.real_uid)) tag.uid = p.scenario_uid;
    return tag;
  }

 private:
  struct Placement {
    std::string door, reader, scenario_uid, real_uid;
  };

  drivers::LibnfcReader& device(const std::string& connstring) {
    auto& d = devices_[connstring];
    if (!d) {
      drivers::LibnfcReaderOptions options;
      options.log = log_;
      d = std::make_unique<drivers::LibnfcReader>(connstring, options);
    }
    return *d;
  }

  const LabFile& lab_;
  std::vector<sim::Door> doors_;
  const Clock& clock_;
  std::ostream& prompts_;
  std::map<std::string, Placement> placed_;
  std::map<std::string, int> empty_reads_;
  DeviceLog* log_ = nullptr;
  std::map<std::string, std::unique_ptr<LabReader>> phone_readers_;
  std::map<std::string, std::unique_ptr<drivers::LibnfcReader>> devices_;
  std::map<std::string, std::unique_ptr<LabLockDevice>> locks_;
};

TagRead LabReader::read_tag(milliseconds timeout) {
  return hw_.read(staff_, timeout);
}

}  // namespace

std::unique_ptr<sim::Hardware> make_lab_hardware(const LabFile& lab, const World& /*world*/,
                                                 const std::vector<sim::Door>& doors,
                                                 const Clock& clock, std::ostream& prompts) {
  return std::make_unique<LabHardware>(lab, doors, clock, prompts);
}

}  // namespace kvittens::harness
