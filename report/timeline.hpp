// The visit timeline of one scenario run, drawn for the HTML report (report_html.hpp) as
// inline SVG: one lane per staff member, visits as bars with the receipt at each end (lock,
// tag, none), notes, edits and declines beneath, and the decision on each bar, linked to its
// explanation on the page. Every text from the scenario is escaped.
#pragma once

#include <cstddef>
#include <string>

#include "runner/runner.hpp"
#include "scenario/scenario.hpp"

namespace kvittens::harness {

// `run` numbers the run on the page; `scenario` (may be null) names the lanes' staff.
std::string timeline_svg(const RunResult& result, const Scenario* scenario, std::size_t run);

// The page anchor of decision `id` of run `run`, which the timeline's bars link to.
std::string decision_anchor(std::size_t run, const std::string& id);

}  // namespace kvittens::harness
