// Inputs several subcommands take the same way (inputs.hpp).
#include "harness/cli/inputs.hpp"

#include <iostream>

#include "harness/scenario.hpp"

namespace kvittens::cli {

std::optional<harness::Suite> load_suite_or_usage(const std::string& command,
                                                  const std::vector<std::string>& paths,
                                                  const std::string& rules) {
  harness::Suite suite;
  try {
    suite = harness::load_suite(
        {paths, rules.empty() ? std::vector<std::string>{} : std::vector<std::string>{rules}},
        std::cerr);
  } catch (const harness::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return std::nullopt;
  }
  if (suite.invalid > 0) {
    std::cerr << "kvittens " << command << ": " << suite.invalid
              << " scenario file(s) did not validate; nothing was run\n";
    return std::nullopt;
  }
  return suite;
}

}  // namespace kvittens::cli
