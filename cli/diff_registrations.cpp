#include "cli/diff_registrations.hpp"

#include <unistd.h>

#include <fstream>
#include <iostream>

#include "backend/engine/engine.hpp"
#include "backend/rulepack/rule_pack.hpp"
#include "cli/commands.hpp"
#include "harness/diff/replay_diff.hpp"
#include "report/report.hpp"

namespace kvittens::cli {

int diff_registrations(const DiffRegistrationsArgs& a) {
  if (a.other_mode) {
    std::cerr << "kvittens diff: --registrations takes --from and --to only (no scenario paths, "
                 "--month or backends)\n";
    return kUsage;
  }
  if (a.from.empty() || a.to.empty()) {
    std::cerr << "kvittens diff: --registrations needs --from and --to\n";
    return kUsage;
  }
  std::vector<backend::RulePack> packs;
  for (const auto& r : {a.from, a.to}) {
    try {
      packs.push_back(backend::load_rule_pack(r));
    } catch (const std::exception& e) {
      std::cerr << "kvittens diff: " << e.what() << "\n";
      return kUsage;
    }
  }
  if (packs[0].name != packs[1].name) {
    std::cerr << "kvittens diff: --from " << a.from << " (pack " << packs[0].name << ") and --to "
              << a.to << " (pack " << packs[1].name << ") are not versions of one rule pack\n";
    return kUsage;
  }
  std::ifstream in(a.file, std::ios::binary);
  if (!in) {
    std::cerr << "kvittens diff: " << a.file << ": cannot read the registrations file\n";
    return kUsage;
  }
  harness::ReplayInput input;
  try {
    input = harness::read_replay(in);
  } catch (const wire::ExportError& e) {
    for (const auto& i : e.issues())
      std::cerr << a.file << ":" << i.line << ": " << (i.pointer.empty() ? "" : i.pointer + ": ")
                << i.message << "\n";
    if (e.more() > 0) std::cerr << "... and " << e.more() << " more problem(s)\n";
    std::cerr << "kvittens diff: " << a.file << ": " << e.issues().size() + e.more()
              << " problem(s); nothing was compared\n";
    return kUsage;
  }
  const backend::Engine from(std::move(packs[0])), to(std::move(packs[1]));
  harness::ReplayReport report;
  try {
    report = harness::replay_diff(input, from, to);
  } catch (const std::exception& e) {
    std::cerr << "kvittens diff: " << e.what() << "\n";
    return kUsage;
  }
  report.from = a.from;
  report.to = a.to;
  report.file = a.file;
  if (a.json)
    std::cout << harness::replay_diff_json(report).dump(2) << "\n";
  else
    harness::print_replay_diff(std::cout, report, harness::console_wants_color(STDOUT_FILENO));
  return kOk;
}

}  // namespace kvittens::cli
