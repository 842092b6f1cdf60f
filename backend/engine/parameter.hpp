// How a rule of the engine reads a pack parameter. Each rule's file defines the parameters it
// reads as Parameter objects, typed by their unit; each registers itself (name, unit,
// services, whether a pack may leave it out) with the engine's registry when the program
// starts. The pack check holds every pack against the registry (a parameter the engine reads
// is declared, in its unit, with a value at every version; a parameter it does not read is an
// error, since its values would change nothing), and the loader resolves the registered
// parameters' values once per pack, so a rule reads a number by index, not by name.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>

#include "backend/engine/clause.hpp"
#include "backend/rulepack/rule_pack.hpp"

namespace kvittens::backend::detail {

// Whether a pack must declare the parameter. An optional one that is absent switches its rule
// off (no manual-share cap, no repayment lines, no note purge).
enum class Need { Required, Optional };

// What a value of a unit is to the rules: bool, ratio (a double from 0 to 1), or a whole
// number of days, hours, minutes or months.
template <ParameterUnit U>
using ParameterValue =
    std::conditional_t<U == ParameterUnit::Bool, bool,
                       std::conditional_t<U == ParameterUnit::Ratio, double, int>>;

class ParameterBase {
 public:
  ParameterBase(const ParameterBase&) = delete;
  ParameterBase& operator=(const ParameterBase&) = delete;
  std::string_view name() const { return name_; }

 protected:
  // `name` must outlive the program: a literal. `file` as for Clause.
  ParameterBase(std::string_view name, ParameterUnit unit, Cited in, Need need, const char* file);
  // The resolved value; RulePackError when the pack has none (a pack that did not pass the
  // check, or an optional parameter read without asking given()).
  double resolved(const RulePack& pack) const;
  bool present(const RulePack& pack) const;

 private:
  std::string_view name_;
  std::size_t index_;  // into RulePack::engine_parameters
};

template <ParameterUnit U>
class Parameter : public ParameterBase {
 public:
  using value_type = ParameterValue<U>;
  explicit Parameter(std::string_view name, Cited in, Need need = Need::Required,
                     const char* file = __builtin_FILE())
      : ParameterBase(name, U, in, need, file) {}

  // The value in force at the pack's version.
  value_type operator()(const RulePack& pack) const {
    return static_cast<value_type>(resolved(pack));
  }
  // nullopt when the pack does not declare it (or has no value in force yet).
  std::optional<value_type> given(const RulePack& pack) const {
    if (!present(pack)) return std::nullopt;
    return (*this)(pack);
  }
};

}  // namespace kvittens::backend::detail
