// Rule-version regression: the same scenario run under two rule versions (or against two
// backends under one version), decision by decision. A difference is an outcome change
// (minutes, state, customer fee, manual, a decision or repayment line appearing or going) or,
// with the same outcome, a change in the clauses its trace cites. An outcome change is
// *declared* when the scenario's per-version expectations (`expect: by_rules:`) say something
// different about that decision under the two versions and both runs meet them; anything
// else is undeclared, and `kvittens diff` exits 1. Between two versions of one pack the diff
// also says which changes of the pack (parameters, matrix cells, clause statements, catalogue
// entries) any decision of the run exercised (coverage.hpp). Format: docs/diff.md.
//
// One job per file: scenario_diff.cpp compares the runs of a scenario, month_diff.cpp the
// decisions of a synthetic month, text_printer.cpp and json_printer.cpp print either.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/diff/coverage.hpp"
#include "runner/runner.hpp"
#include "scenario/scenario.hpp"

namespace kvittens::harness {

struct FieldChange {
  std::string field;  // "paid_minutes", "state", ... or "present"
  nlohmann::ordered_json from, to;
};

// One subject that differs: a visit decision (with its insatser as parts), a repayment line
// or a month's totals.
struct Difference {
  std::string kind;     // "visit" | "insats" | "repayment" | "month"
  std::string subject;  // "visit v1", "insats Tvätt", "repayment v1", "month syd 2026-04"
  std::string context;  // visits: "visit, customer vera, staff anna, 2026-04-06T10:00–11:10"
  nlohmann::ordered_json from, to;  // the outcome on each side; null where it does not exist
  std::vector<FieldChange> fields;  // outcome fields that differ
  std::vector<std::string> clauses_removed, clauses_added;
  std::vector<Difference> parts;  // a visit's insatser that differ
  bool declared = false;          // only meaningful for outcome changes
  std::string note;               // why it counts as declared or not

  bool outcome_changed() const;
};

struct ScenarioDiff {
  std::string file;
  std::string name;
  std::string from_rules, to_rules;  // equal when two backends are compared
  RunStatus from_status = RunStatus::Pass, to_status = RunStatus::Pass;
  std::string error;  // a side could not run
  std::vector<Difference> differences;
  // The stamp of each side's decisions (pack, version, effective date, hash); none when a
  // side decided nothing.
  std::optional<Stamp> from_stamp, to_stamp;

  bool outcome_changed() const;
  int undeclared() const;  // outcome changes not declared
};

// Compares the two runs of one scenario. When both ran under the same rules (two backends)
// the scenario can declare nothing: its expectations are the same for both sides.
ScenarioDiff diff_runs(const Scenario& scenario, const RunResult& from, const RunResult& to);

struct DiffReport {
  std::string from, to;  // "nacka-hemtjanst@3.0", or the backend URLs
  std::string hardware = "none";
  std::vector<ScenarioDiff> scenarios;  // every scenario compared, in job order
  // Between two versions of one pack: each change of the pack and what exercised it.
  std::optional<std::vector<ChangeCoverage>> coverage;
};

int undeclared(const DiffReport& report);
int errors(const DiffReport& report);

// ---------------------------------------------------------------- a synthetic month

// One provider's totals over a month's decisions (every part of the month).
struct ProviderTotals {
  int decisions = 0;
  int paid_minutes = 0;
  int rejected = 0;
  int manual_visits = 0;
  bool manual_share_exceeded = false;
  int repayments = 0;         // lines
  int repayment_minutes = 0;  // paid before less due now, summed
};

struct MonthDiffReport {
  std::string from, to;
  std::string month;  // "100 customers, 20 staff, 2 provider(s), 30 days from 2026-03-01, seed 1"
  struct Provider {
    std::string id, name;
    ProviderTotals before, after;
  };
  std::vector<Provider> providers;
  std::size_t decisions = 0;        // decisions compared
  std::vector<ScenarioDiff> parts;  // one per part of the month (hemtjänst, boendestöd)
  // Registrations added to the month to exercise the pack's changes (matrix cells, catalogue
  // entries), compared apart: the totals and counts above are the random month's alone.
  std::optional<ScenarioDiff> added;
  std::vector<std::string> added_visits;  // "visit x1: Lunch + Inköp"
  std::optional<std::vector<ChangeCoverage>> coverage;
};

// Compares the decisions of the same month (the same registrations) under two rule selections
// or backends. `worlds[i]` names the providers of part i.
MonthDiffReport diff_month(const std::vector<std::string>& part_rules_from,
                           const std::vector<std::string>& part_rules_to,
                           const std::vector<World>& worlds, const std::vector<Decisions>& before,
                           const std::vector<Decisions>& after);
// Totals per provider before → after, then the changed decisions (at most `limit` listed).
void print_month_diff(std::ostream& out, const MonthDiffReport& report, bool color,
                      std::size_t limit = 20);
nlohmann::ordered_json month_diff_json(const MonthDiffReport& report);
// Visit decisions of the month whose outcome stayed and whose clauses moved.
int same_outcome_other_clauses(const MonthDiffReport& report);

// Console: the changed scenarios with each changed decision, then those whose outcome stayed
// and whose reasons moved, then a summary line. Colour only when `color`.
void print_diff(std::ostream& out, const DiffReport& report, bool color);
// The same for machines; deterministic (no times, no host details).
nlohmann::ordered_json diff_json(const DiffReport& report);

}  // namespace kvittens::harness
