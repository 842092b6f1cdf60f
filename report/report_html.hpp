// The HTML report of a run (`kvittens run --html DIR`): one self-contained page — inline CSS,
// JS and SVG, nothing fetched — with a summary, every scenario run with its result, and per
// run a timeline: one lane per staff member, visits as bars with the receipt at each end
// (lock, tag, none), notes, edits and declines, and the decision on each bar, linked to its
// explanation (report/explain.hpp). Failures show expected against actual beside the
// timeline, and each run's device log is folded per scenario step. Every text from
// scenarios is escaped. Format: docs/report-html.md.
#pragma once

#include <string>
#include <vector>

#include "report/report.hpp"
#include "runner/runner.hpp"
#include "scenario/scenario.hpp"

namespace kvittens::harness {

// `scenarios[i]` is the scenario `results[i]` ran (for its world and staff names).
std::string html_report(const std::vector<RunResult>& results,
                        const std::vector<const Scenario*>& scenarios,
                        const ReportOptions& options);

// Writes DIR/index.html, creating DIR. Throws std::runtime_error naming the file when it
// cannot be written.
void write_html_report(const std::string& dir, const std::vector<RunResult>& results,
                       const std::vector<const Scenario*>& scenarios, const ReportOptions& options);

}  // namespace kvittens::harness
