#include "scenario/load_names.hpp"

namespace kvittens::harness {

void NameCheck::ref(const YAML::Node& node, const std::vector<std::string>& known,
                    const std::string& what, const std::string& value) const {
  if (!contains(known, value)) {
    r_.fail(node, "unknown " + what + " '" + value + "'" + did_you_mean(value, known));
  }
}

std::string NameCheck::ref(const YAML::Node& node, const std::vector<std::string>& known,
                           const std::string& what) const {
  const std::string v = r_.str(node, what);
  ref(node, known, what, v);
  return v;
}

void NameCheck::insats(const YAML::Node& node, const std::string& name) const {
  if (n_.insatser.empty()) return;
  if (!contains(n_.insatser, name)) {
    problem(node, "unknown insats '" + name + "'" + did_you_mean(name, n_.insatser));
  }
}

void NameCheck::problem(const YAML::Node& node, const std::string& message) const {
  n_.problems.emplace_back(r_.where(node), message);
}

}  // namespace kvittens::harness
