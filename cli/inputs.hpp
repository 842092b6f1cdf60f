// Inputs that several subcommands take the same way. Each helper prints what is wrong on
// stderr as "kvittens COMMAND: ..." (or the input error with its place) and returns nullopt,
// and the caller then exits kUsage.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runner/runner.hpp"
#include "runner/suite.hpp"

namespace kvittens::cli {

// The scenario suite under `paths` (the library when empty), every scenario under `rules`
// when that is not empty (`kvittens run`, `kvittens diff`). Nothing runs from a suite with a
// file that does not validate: each such file is reported with its place, then the count.
std::optional<harness::Suite> load_suite_or_usage(const std::string& command,
                                                  const std::vector<std::string>& paths,
                                                  const std::string& rules);

// `--hardware none|emulated` as a mode, when this build can run it.
std::optional<harness::HardwareMode> hardware_or_usage(const std::string& command,
                                                       const std::string& hardware);

}  // namespace kvittens::cli
