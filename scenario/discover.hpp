// Which files a run's paths name as scenarios, and how a scenario file is named in reports.
#pragma once

#include <string>
#include <vector>

namespace kvittens::harness {

// The scenario files under each path (a file, or a directory searched recursively), sorted,
// skipping shared world files (*.world.yaml). Throws ScenarioError for a path that is missing.
std::vector<std::string> discover_scenarios(const std::vector<std::string>& paths);

// How a scenario file is named in reports: relative to the source tree when inside it,
// otherwise as given, so reports are the same wherever the run started.
std::string display_path(const std::string& path);

}  // namespace kvittens::harness
