#include "kvittens/clauses.hpp"

#include <algorithm>

namespace kvittens {
namespace {

void add_cited(const Trace& trace, std::vector<std::string>& out) {
  for (const auto& line : trace) {
    if (std::find(out.begin(), out.end(), line.clause) == out.end()) out.emplace_back(line.clause);
  }
}

std::vector<std::string> sorted(std::vector<std::string> clauses) {
  std::sort(clauses.begin(), clauses.end());
  return clauses;
}

}  // namespace

bool cites(const Trace& trace, std::string_view clause) {
  return std::any_of(trace.begin(), trace.end(),
                     [&](const Trace::Line& line) { return line.clause == clause; });
}

bool cites(const VisitDecision& d, std::string_view clause) {
  return cites(d.trace, clause) ||
         std::any_of(d.insatser.begin(), d.insatser.end(),
                     [&](const InsatsDecision& i) { return cites(i.trace, clause); });
}

std::vector<std::string> clauses_cited(const Trace& trace) {
  std::vector<std::string> out;
  add_cited(trace, out);
  return out;
}

std::vector<std::string> clauses_cited(const VisitDecision& d) {
  std::vector<std::string> out;
  add_cited(d.trace, out);
  for (const auto& i : d.insatser) add_cited(i.trace, out);
  return out;
}

std::vector<std::string> clause_set(const Trace& trace) {
  return sorted(clauses_cited(trace));
}

std::vector<std::string> clause_set(const VisitDecision& d) {
  return sorted(clauses_cited(d));
}

}  // namespace kvittens
