// Reports of a run: one console line per scenario run with an expected-vs-actual diff and
// the trace for failures, a JSON document that is byte-identical for identical inputs, and
// JUnit XML for CI.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runner/runner.hpp"

namespace kvittens::harness {

struct ReportOptions {
  bool color = false;
  std::uint64_t seed = 1;
  std::string hardware = "none";
  // Each run's device log (without wall times) in the JSON report. Device traffic is not a
  // function of the inputs alone (pty names, lock nonces, how often a reader polled), so it
  // is only there when asked for (`kvittens run --device-log`).
  bool device_log = false;
  // Scenario files not run because the run's rules are of another service (`run --rules`).
  std::size_t skipped = 0;
};

// Colour only when writing to a terminal and NO_COLOR is not set (https://no-color.org).
bool console_wants_color(int fd);

void print_console(std::ostream& out, const std::vector<RunResult>& results,
                   const ReportOptions& options);
// The failure part of the console report for one run (diff and traces), for tests and logs.
std::string failure_text(const RunResult& r, bool color);

// No wall-clock times or host details: only what the inputs determine (and, with
// options.device_log, what crossed the devices' transports).
nlohmann::ordered_json to_json(const std::vector<RunResult>& results, const ReportOptions& options);
// `suite`: the <testsuite> name ("scenarios", or "scenarios shard 2/4" for one shard).
std::string to_junit(const std::vector<RunResult>& results, const std::string& suite = "scenarios");

}  // namespace kvittens::harness
