#include "scenario/fault_read.hpp"

#include <string>
#include <vector>

namespace kvittens::harness {
namespace {

class FaultReader : public NameCheck {
 public:
  using NameCheck::NameCheck;

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
};

}  // namespace

Fault read_fault(const YamlReader& r, Names& names, const YAML::Node& fault) {
  return FaultReader(r, names).fault(fault);
}

}  // namespace kvittens::harness
