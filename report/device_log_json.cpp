#include "report/device_log_json.hpp"

#include <date/date.h>

namespace kvittens::harness {

nlohmann::ordered_json device_log_entry_json(const DeviceLogEntry& e, bool wall_time) {
  nlohmann::ordered_json j;
  j["seq"] = e.seq;
  j["step"] = e.step;
  j["scenario_time"] =
      e.scenario_time ? nlohmann::ordered_json(format_local(*e.scenario_time)) : nullptr;
  if (wall_time) {
    j["wall"] =
        date::format("%FT%TZ", std::chrono::time_point_cast<std::chrono::microseconds>(e.wall));
  }
  j["device"] = e.device;
  j["transport"] = e.transport;
  j["direction"] = e.direction;
  j["what"] = e.what;
  j["detail"] = e.detail;
  j["verdict"] = e.verdict;
  return j;
}

nlohmann::ordered_json device_log_json(const std::vector<DeviceLogEntry>& entries) {
  auto a = nlohmann::ordered_json::array();
  for (const auto& e : entries) a.push_back(device_log_entry_json(e, false));
  return a;
}

void write_device_log_jsonl(std::ostream& out, const std::string& file, const std::string& rules,
                            const std::vector<DeviceLogEntry>& entries) {
  for (const auto& e : entries) {
    nlohmann::ordered_json j;
    j["scenario"] = file;
    j["rules"] = rules;
    const auto entry = device_log_entry_json(e, true);
    for (const auto& [key, value] : entry.items()) j[key] = value;
    out << j.dump() << '\n';
  }
}

}  // namespace kvittens::harness
