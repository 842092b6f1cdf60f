// What differs between two versions of one rule pack, as a rule owner changes it: parameter
// values, matrix cells, clause statements and catalogue entries. Interpretations are not
// changes: the engine reads none of them. Used by `kvittens diff` for change coverage
// (coverage.hpp, docs/diff.md).
#pragma once

#include <string>
#include <vector>

#include "backend/rulepack/rule_pack.hpp"

namespace kvittens::harness {

struct PackChange {
  enum class Kind { Parameter, Matrix, Clause, Insats };
  Kind kind = Kind::Parameter;
  // Parameter: its name; Matrix: the pair "A × B" (A the earlier column); Clause: its id;
  // Insats: the catalogue name.
  std::string subject;
  std::vector<std::string> pair;  // Matrix: A and B
  std::string from, to;           // the value or state on each side ("0.1", "?", "fee yes"); "none"
                                  // where it does not exist

  // "parameter repayment", "matrix Städning × Tvätt", "clause 4.15", "insats Tvätt"
  std::string name() const;
};
const char* to_string(PackChange::Kind);

// Every change from `from` to `to` in a fixed order: parameters by name, matrix cells in
// column order, clauses by id, catalogue entries in catalogue order (added ones last).
std::vector<PackChange> pack_changes(const backend::RulePack& from, const backend::RulePack& to);

// `from` with only `change` made to it as `to` has it: what that change alone does. Only
// parameter changes are applied (the others are returned unchanged); the hash is kept, so
// decisions under it are stamped as `from`'s.
backend::RulePack with_change(const backend::RulePack& from, const backend::RulePack& to,
                              const PackChange& change);

}  // namespace kvittens::harness
