// A rule pack resolved at one version: the insats catalogue, the combination matrix, the
// clause table with references, and the dated parameters in force at the version's date.
// Packs are data in rules/*.yaml (format: docs/rule-packs.md); this module reads them, and
// refuses a pack with any problem pack_check.hpp finds before resolving a version.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kvittens/model.hpp"

namespace kvittens::backend {

// One problem in a pack file, at the place it was written.
struct PackProblem {
  std::string file;
  int line = 1;
  int col = 1;
  std::string message;
  std::string str() const;  // "file:line:col: message"
};

// An unknown pack or version, or a malformed pack file: then every problem of the file, each
// with its file:line:col, one per line of what().
class RulePackError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  explicit RulePackError(std::vector<PackProblem> problems);
  // Empty for an error that has no place in a file (an unknown pack or version).
  const std::vector<PackProblem>& problems() const { return problems_; }

 private:
  std::vector<PackProblem> problems_;
};

enum class MatrixState : char { Combine = '+', Never = '-', Assess = '?' };
enum class ReceiptException { None, Start, End, Both, Always };  // 4.10's list
enum class CapPer { None, Customer, CustomerYear };

struct InsatsInfo {
  int index = 0;
  std::string name;
  std::string category;  // care | service | errand | accompany | remote | provider
  bool fee = true;
  ReceiptException receipt_exception = ReceiptException::None;
  bool pickup = false;             // 4.11 matlåda
  std::string withdrawn;           // clause that withdrew it, empty if available
  std::optional<int> cap_minutes;  // 4.2
  CapPer cap_per = CapPer::None;
  bool once = false;  // paid at one occasion only (Brandförebyggande)
  // A provider-initiated insats paid only under a condition (4.2), as `requires:` wrote it
  // ("lock", "order:<insats>"), resolved at load.
  enum class Requires { Nothing, Lock, Order };
  Requires requires_ = Requires::Nothing;
  std::string required_order;  // the insats the customer must have ordered (Requires::Order)
  // The requirement as the pack writes it: "lock", "order:<insats>", or empty.
  std::string requires_text() const {
    if (requires_ == Requires::Lock) return "lock";
    if (requires_ == Requires::Order) return "order:" + required_order;
    return "";
  }
  bool omstallning = false;
  int matrix_index = -1;  // column in bilaga I, -1 when not in it
};

struct ClauseInfo {
  std::string id;
  std::string title;
  std::string statement;
};

// The units a parameter's values may have (docs/rule-packs.md).
enum class ParameterUnit { Bool, Ratio, Days, Hours, Minutes, Months };
// "bool", "ratio", "days", ...; and back (nullopt for any other text).
std::string_view unit_name(ParameterUnit unit);
std::optional<ParameterUnit> parse_unit(std::string_view text);
// The largest whole value of a unit: a hundred years of it, so that any value the engine adds
// to an instant or multiplies by minutes stays far from overflow.
long unit_max(ParameterUnit unit);
// A value as written in a pack, typed by its unit: true|false as 1|0, a ratio from 0 to 1, a
// whole number from 0 to unit_max. nullopt when the text is not a value of the unit.
std::optional<double> parse_parameter_value(ParameterUnit unit, std::string_view text);

struct ParameterInfo {
  std::string name;
  std::string clause;
  std::string description;
  std::string unit;
  std::string effective;  // date of the value in force
  std::string value;      // as written
};

struct Interpretation {
  std::string id;
  std::string clause;
  std::string text;
};

struct RulePack {
  std::string name;
  std::string version;
  std::string effective;  // YYYY-MM-DD of the version
  std::string document;
  std::string issuer;
  std::string seed;
  ServiceType service = ServiceType::Hemtjanst;
  std::string hash;  // sha256 of the pack file's bytes
  std::vector<InsatsInfo> insatser;
  std::vector<ClauseInfo> clauses;
  std::map<std::string, ParameterInfo, std::less<>> parameters;
  // The values of the parameters the engine reads, typed and resolved when the pack loaded,
  // by the engine's parameter index (backend/engine/parameter.hpp); nullopt where the pack
  // gives none at this version.
  std::vector<std::optional<double>> engine_parameters;
  std::vector<Interpretation> interpretations;
  // matrix[a * n + b] over matrix columns; empty for packs without a matrix.
  std::vector<MatrixState> matrix;
  int matrix_size = 0;
  // Matrix cells changed at this version's date or earlier, for reports.
  std::vector<std::string> matrix_changes;

  Stamp stamp() const { return {name, version, effective, hash}; }
  const InsatsInfo* insats(std::string_view name) const;
  const ClauseInfo* clause(std::string_view id) const;
  std::vector<std::string> insats_names() const;
  MatrixState combination(const InsatsInfo& a, const InsatsInfo& b) const;
};

// Where packs named without a path are read from: the directory given to set_rules_dir
// (`--rules-dir`), else $KVITTENS_RULES_DIR, else the source tree's rules/.
std::filesystem::path default_rules_dir();
// Set once, before anything loads a pack (the CLI's `--rules-dir`); empty restores the default.
void set_rules_dir(const std::filesystem::path& dir);

// A selection names a pack file and optionally one of its versions:
//   "nacka-hemtjanst@3.0"            -> DIR/nacka-hemtjanst.yaml at version 3.0
//   "nacka-hemtjanst"                -> its newest version
//   "drafts/nacka-hemtjanst.yaml@V"  -> that file (a path: it has a '/' or ends in .yaml/.yml)
struct PackSelection {
  std::string name;     // the pack's file name without .yaml, or the path as given
  std::string version;  // empty: the newest
  bool is_path = false;
};
// Throws RulePackError for an empty name or an '@' with no version after it.
PackSelection parse_pack_selection(std::string_view selection);

RulePack load_rule_pack(std::string_view selection,
                        const std::filesystem::path& dir = default_rules_dir());
// The pack a stamp was made with, for reproducing a stored decision. Throws RulePackError when
// the pack on disk is not byte-identical to the one the stamp names (its hash differs): an
// old decision is never silently re-evaluated under other rules.
RulePack load_rule_pack_for(const Stamp& stamp,
                            const std::filesystem::path& dir = default_rules_dir());
// Every "pack@version" available in dir.
std::vector<std::string> list_rule_packs(const std::filesystem::path& dir = default_rules_dir());

}  // namespace kvittens::backend
