// Inputs that several subcommands take the same way. Each helper prints what is wrong on
// stderr as "kvittens COMMAND: ..." (or the input error with its place) and returns nullopt,
// and the caller then exits kUsage.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "runner/runner.hpp"
#include "runner/suite.hpp"

namespace kvittens::cli {

// The scenario suite under `paths` (the library when empty), every scenario under `rules`
// when that is not empty (`kvittens run`, `kvittens diff`). Nothing runs from a suite with a
// file that does not validate: each such file is reported with its place, then the count.
std::optional<harness::Suite> load_suite_or_usage(const std::string& command,
                                                  const std::vector<std::string>& paths,
                                                  const std::string& rules);

// `--rules-dir DIR` on a subcommand that takes rules: where PACK@VERSION selections (its own
// and the scenarios') are read from, for the whole process. A selection with a path
// (PATH.yaml@VERSION) is read from that file wherever this points.
void add_rules_dir_option(CLI::App& command);
// The help text of a `--rules` option: what it is for, then how a pack is named.
std::string rules_help(const std::string& what);

// `--hardware none|emulated` as a mode, when this build can run it.
std::optional<harness::HardwareMode> hardware_or_usage(const std::string& command,
                                                       const std::string& hardware);

}  // namespace kvittens::cli
