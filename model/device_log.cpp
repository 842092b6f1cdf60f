// DeviceLog (see include/kvittens/device_log.hpp): one mutex around the entries and the
// context; the recorder's own fields are kept, the log adds step, scenario time and order.
#include "kvittens/device_log.hpp"

namespace kvittens {

void DeviceLog::set_context(std::string step, std::optional<Instant> scenario_time) {
  std::lock_guard lock(mutex_);
  step_ = std::move(step);
  scenario_time_ = scenario_time;
}

void DeviceLog::record(DeviceLogEntry entry) {
  if (entry.wall == std::chrono::system_clock::time_point{}) {
    entry.wall = std::chrono::system_clock::now();
  }
  std::lock_guard lock(mutex_);
  entry.step = step_;
  entry.scenario_time = scenario_time_;
  entry.seq = entries_.size() + 1;
  entries_.push_back(std::move(entry));
}

std::vector<DeviceLogEntry> DeviceLog::entries() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

}  // namespace kvittens
