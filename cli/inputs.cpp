// Inputs several subcommands take the same way (inputs.hpp).
#include "cli/inputs.hpp"

#include <iostream>

#include "backend/rulepack/rule_pack.hpp"
#include "scenario/scenario.hpp"

namespace kvittens::cli {

std::optional<harness::Suite> load_suite_or_usage(const std::string& command,
                                                  const std::vector<std::string>& paths,
                                                  const std::string& rules) {
  // A --rules pack that cannot be used is one error of the command line, not one per
  // scenario file blamed on the file's own `rules:` line.
  if (!rules.empty()) {
    try {
      (void)backend::load_rule_pack(rules);
    } catch (const backend::RulePackError& e) {
      std::cerr << "kvittens " << command << ": --rules " << rules << ": " << e.what() << "\n";
      return std::nullopt;
    }
  }
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

void add_rules_dir_option(CLI::App& command) {
  command
      .add_option_function<std::string>(
          "--rules-dir", [](const std::string& dir) { backend::set_rules_dir(dir); },
          "Folder of rule packs for PACK@VERSION (default: $KVITTENS_RULES_DIR when set, else "
          "the rules/ folder of the source tree)")
      ->check(CLI::ExistingDirectory);
}

std::string rules_help(const std::string& what) {
  return what +
         ". PACK@VERSION reads PACK.yaml from --rules-dir; PATH.yaml@VERSION reads that file "
         "(a draft); without @VERSION the newest version";
}

std::optional<harness::HardwareMode> hardware_or_usage(const std::string& command,
                                                       const std::string& hardware) {
  const auto mode =
      hardware == "emulated" ? harness::HardwareMode::Emulated : harness::HardwareMode::None;
  std::string why;
  if (!harness::hardware_available(mode, why)) {
    std::cerr << "kvittens " << command << ": " << why << "\n";
    return std::nullopt;
  }
  return mode;
}

}  // namespace kvittens::cli
