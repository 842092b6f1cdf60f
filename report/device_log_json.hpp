// The device log as JSON (docs/device-log.md): one object per entry, for the JSON report (no
// wall time: the report depends on its inputs only), for `kvittens run --device-log FILE` (JSON
// Lines with wall time) and for the HTML report.
#pragma once

#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "kvittens/device_log.hpp"

namespace kvittens::harness {

// {"seq", "step", "scenario_time", "device", "transport", "direction", "what", "detail",
// "verdict"} and, with `wall_time`, "wall" (UTC, ISO 8601 with microseconds).
nlohmann::ordered_json device_log_entry_json(const DeviceLogEntry& entry, bool wall_time);
// The entries as a JSON array, without wall times.
nlohmann::ordered_json device_log_json(const std::vector<DeviceLogEntry>& entries);
// One line per entry (JSON Lines) with wall time, each tagged with the run it belongs to.
void write_device_log_jsonl(std::ostream& out, const std::string& file, const std::string& rules,
                            const std::vector<DeviceLogEntry>& entries);

}  // namespace kvittens::harness
