// Which rule clauses a decision cites, read from its traces: the one reading every room uses
// (expectations, diffs, decision tables, tests), so "cites 4.10" means the same everywhere.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kvittens/model.hpp"
#include "kvittens/trace.hpp"

namespace kvittens {

// Whether an entry of `trace` cites `clause`.
bool cites(const Trace& trace, std::string_view clause);
// Whether the visit's own trace or the trace of any of its insatser cites `clause`.
bool cites(const VisitDecision& d, std::string_view clause);

// Every clause `trace` cites, once each, in the order first cited.
std::vector<std::string> clauses_cited(const Trace& trace);
// The same over the visit's own trace, then each insats' trace in turn.
std::vector<std::string> clauses_cited(const VisitDecision& d);

// Every clause `trace` cites, once each, sorted: the form two decisions are compared in.
std::vector<std::string> clause_set(const Trace& trace);
std::vector<std::string> clause_set(const VisitDecision& d);

}  // namespace kvittens
