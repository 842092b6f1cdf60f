// `kvittens diff --registrations FILE`: a period of real registrations, as `kvittens serve`
// exported them (GET /v1/export, wire/export_lines.hpp), decided under two rule versions. Each
// provider's scope is decided on its own, as the service decides it; decisions pair by scope and
// registration id. The report: paid hours and totals per provider before and after, and the
// changed decisions grouped by the clauses that moved and the change. Format: docs/diff.md.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/engine/engine.hpp"
#include "kvittens/model.hpp"
#include "wire/export_lines.hpp"

namespace kvittens::harness {

// An export read back: its first line, the world, and each scope's registrations in arrival
// order, edits applied to their visits (as backend::AcceptedRegistrations applies them).
struct ReplayInput {
  wire::ExportHeader header;
  World world;
  std::map<std::string, Registrations> scopes;  // by provider ("" for rows stored before)
  std::size_t registrations = 0;                // lines read
};

// Reads an export. Throws wire::ExportError with every problem at its line: the lines that do
// not read, an edit naming a visit no earlier line of its scope registers, a line of another
// provider than the first line names, a file cut short.
ReplayInput read_replay(std::istream& in);

struct ReplayTotals {
  long decisions = 0;
  long paid_minutes = 0;
  long rejected = 0;
  long manual_visits = 0;
  long repayments = 0;         // repayment lines of the months (återbetalning)
  long repayment_minutes = 0;  // paid before less due now, summed
  bool operator==(const ReplayTotals&) const = default;
};

struct ReplayProvider {
  std::string id, name;
  ReplayTotals before, after;
  long changed = 0;  // its decisions whose outcome changed
};

// One decision whose outcome changed.
struct ReplayChange {
  std::string provider;  // the scope
  std::string id, kind;
  bool present_before = true, present_after = true;
  int paid_before = 0, paid_after = 0;
  DecisionState state_before = DecisionState::Approved, state_after = DecisionState::Approved;
  std::vector<std::string> clauses_removed, clauses_added;
};

// Decisions with the same change and the same clauses moved (over the visit and its insatser).
struct ReplayGroup {
  std::string change;  // "state reduced → approved, paid more", "same outcome", "new decision"
  std::vector<std::string> clauses_removed, clauses_added;
  long decisions = 0;
  long paid_minutes = 0;              // after less before, summed
  std::vector<std::string> examples;  // the first few, "PROVIDER/ID"
};

struct ReplayReport {
  std::string from, to;  // the rule selections
  std::string file;
  wire::ExportHeader header;
  std::size_t registrations = 0;
  std::size_t decisions = 0;  // paired (present on either side)
  std::vector<ReplayProvider> providers;
  std::vector<ReplayGroup> changed;       // outcome changes, most decisions first
  std::vector<ReplayGroup> same_outcome;  // only the clauses cited moved
  std::vector<ReplayChange> changes;      // every outcome change, in scope and decision order
  long changed_decisions = 0, same_outcome_decisions = 0;
};

// Decides every scope under `from`, then under `to`, and compares.
ReplayReport replay_diff(const ReplayInput& input, const backend::Engine& from,
                         const backend::Engine& to);

// Totals per provider before → after, then the changed decisions by clause and change.
void print_replay_diff(std::ostream& out, const ReplayReport& report, bool color);
// The same with every change listed; deterministic.
nlohmann::ordered_json replay_diff_json(const ReplayReport& report);

}  // namespace kvittens::harness
