// Reports of a run: one console line per scenario run with an expected-vs-actual diff and
// the trace for failures, a JSON document that is byte-identical for identical inputs, and
// JUnit XML for CI.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/runner.hpp"

namespace kvittens::harness {

struct ReportOptions {
  bool color = false;
  std::uint64_t seed = 1;
  std::string hardware = "none";
};

// Colour only when writing to a terminal and NO_COLOR is not set (https://no-color.org).
bool console_wants_color(int fd);

void print_console(std::ostream& out, const std::vector<RunResult>& results,
                   const ReportOptions& options);
// The failure part of the console report for one run (diff and traces), for tests and logs.
std::string failure_text(const RunResult& r, bool color);

// No wall-clock times or host details: only what the inputs determine.
nlohmann::ordered_json to_json(const std::vector<RunResult>& results, const ReportOptions& options);
// `suite`: the <testsuite> name ("scenarios", or "scenarios shard 2/4" for one shard).
std::string to_junit(const std::vector<RunResult>& results, const std::string& suite = "scenarios");

}  // namespace kvittens::harness
