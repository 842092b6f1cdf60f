// Change coverage: for each change between two versions of a pack (pack_changes.hpp), the
// decisions of a diff's runs that exercised it. What "exercised" means per kind of change
// (docs/diff.md, "Change coverage"):
//   matrix cell A × B  a decision with both A and B among its insatser, neither taking no part
//                      in the matrix (registered as Avböjd insats, cited 4.8, or withdrawn);
//   catalogue entry X  a decision with insats X;
//   clause statement   a decision whose trace, an insats' trace or a month's cites the clause;
//   parameter          a decision that moves (outcome, or any reason's clause or wording) when
//                      the run is decided again under `from` with only that parameter at its
//                      `to` value: a decision that read the value and came out the same under
//                      both is not counted, since the run does not show the change.
// Both sides count for the first three: a change is exercised when either version decided
// such a decision.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "harness/diff/pack_changes.hpp"
#include "runner/runner.hpp"

namespace kvittens::harness {

struct ChangeCoverage {
  PackChange change;
  // The decisions that exercised it, in run order: "scenarios/x.yaml: visit v1",
  // "month p1 2026-03", "repayment v1 (syd 2026-04)".
  std::vector<std::string> by;
  std::string why_not;  // --month: why the month could not be made to exercise it
  bool exercised() const { return !by.empty(); }
};

// One run of a diff: a scenario, or a part of a month, decided on both sides.
struct CoverageRun {
  std::string where;  // what its decisions are prefixed with in `by` ("scenarios/x.yaml: ")
  const Decisions* from = nullptr;
  const Decisions* to = nullptr;
  // Per index into the changes: the same run decided under with_change(from, to, change).
  // Parameter changes are exercised only through these.
  std::map<std::size_t, Decisions> alone;
};

std::vector<ChangeCoverage> change_coverage(const std::vector<PackChange>& changes,
                                            const std::vector<CoverageRun>& runs,
                                            const backend::RulePack& from,
                                            const backend::RulePack& to);

int unexercised(const std::vector<ChangeCoverage>& coverage);

// For a synthetic month: says, for each change nothing exercised, why the month could not
// be made to (the generator adds visits for matrix cells and catalogue entries only).
void explain_unexercised_in_month(std::vector<ChangeCoverage>& coverage);

// The coverage of a scenario diff between `from` and `to`: `jobs` ran under `from` giving
// `from_results` and under `to` giving `to_results`; each parameter change is run again alone
// (`options` with backends_with(with_change(...)), on `threads` workers).
std::vector<ChangeCoverage> scenario_coverage(const backend::RulePack& from,
                                              const backend::RulePack& to,
                                              const std::vector<Job>& jobs,
                                              const std::vector<RunResult>& from_results,
                                              const std::vector<RunResult>& to_results,
                                              RunOptions options, int threads);

// Backends deciding under `pack` whatever rule selection they are asked for: the runs of
// with_change's packs.
BackendFactory backends_with(const backend::RulePack& pack);

}  // namespace kvittens::harness
