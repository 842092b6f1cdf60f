#include "harness/lab/lab_file.hpp"

#include <algorithm>
#include <cctype>

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

}  // namespace kvittens::harness
