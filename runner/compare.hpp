// The comparison of a run's outcome with a scenario's expectations: every expected value that
// did not hold becomes a Mismatch at the expectation's place. It reads decisions, the
// backend's answers and the activity log; it runs nothing and formats nothing.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kvittens/model.hpp"
#include "scenario/scenario.hpp"
#include "sim/core/submissions.hpp"

namespace kvittens::harness {

// One expected value that did not hold.
struct Mismatch {
  Where where;          // the expectation's place in the scenario
  std::string subject;  // "visit v1", "visit v1 insats Dusch", "month p1 2026-03", ...
  std::string field;    // "paid_minutes", "clauses", ...
  nlohmann::ordered_json expected;
  nlohmann::ordered_json actual;
  std::string id;  // registration id the subject belongs to, for showing its trace
};

// `expect` (already the one for the run's rules: expectations_for) against what the run gave:
// the decisions, every registration the phones sent with the backend's answer, and the
// activity log. A refusal the expectations do not name is a mismatch too. Mismatches come in
// the order of the expectations: log lines, visits, months, refusals, then unexpected refusals.
std::vector<Mismatch> compare(const Expectations& expect, const Decisions& decisions,
                              const std::vector<sim::Submission>& submissions,
                              const std::vector<sim::LogLine>& log = {});

}  // namespace kvittens::harness
