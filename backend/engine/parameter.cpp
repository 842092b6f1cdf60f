// The parameter registry (parameter.hpp, engine.hpp) and the resolution of a pack's values.
#include "backend/engine/parameter.hpp"

#include <string>
#include <vector>

#include "backend/engine/engine.hpp"

namespace kvittens::backend {
namespace {

std::vector<RegisteredParameter>& registry() {
  static std::vector<RegisteredParameter> all;
  return all;
}

std::size_t& parameter_count() {
  static std::size_t n = 0;
  return n;
}

}  // namespace

const std::vector<RegisteredParameter>& parameter_registry() {
  return registry();
}

const RegisteredParameter* registered_parameter(ServiceType service, std::string_view name) {
  for (const auto& p : registry())
    if (p.service == service && p.name == name) return &p;
  return nullptr;
}

std::vector<std::optional<double>> resolve_engine_parameters(const RulePack& pack) {
  std::vector<std::optional<double>> values(parameter_count());
  for (const auto& p : registry()) {
    if (p.service != pack.service) continue;
    const auto it = pack.parameters.find(p.name);
    if (it == pack.parameters.end()) continue;
    const auto value = parse_parameter_value(p.unit, it->second.value);
    if (!value)
      throw RulePackError("rule pack " + pack.name + "@" + pack.version + ": parameter '" +
                          std::string(p.name) + "' is '" + it->second.value + "', not a value in " +
                          std::string(unit_name(p.unit)));
    values[p.index] = value;
  }
  return values;
}

namespace detail {

ParameterBase::ParameterBase(std::string_view name, ParameterUnit unit, Cited in, Need need,
                             const char* file)
    : name_(name), index_(parameter_count()++) {
  const RegisteredParameter row{ServiceType::Hemtjanst, name,  unit, need == Need::Required,
                                engine_file(file),      index_};
  if (in != Cited::Boendestod) registry().push_back(row);
  if (in != Cited::Hemtjanst) {
    registry().push_back(row);
    registry().back().service = ServiceType::Boendestod;
  }
}

bool ParameterBase::present(const RulePack& pack) const {
  return index_ < pack.engine_parameters.size() && pack.engine_parameters[index_].has_value();
}

double ParameterBase::resolved(const RulePack& pack) const {
  if (!present(pack))
    throw RulePackError("rule pack " + pack.name + "@" + pack.version +
                        " gives no value for parameter '" + std::string(name_) + "'");
  return *pack.engine_parameters[index_];
}

}  // namespace detail
}  // namespace kvittens::backend
