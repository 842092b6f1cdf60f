// `kvittens pack check FILE...`: every problem of each rule pack file at its file:line:col, all
// at once (docs/rule-packs.md). Exit 0 when every file is well formed, 2 otherwise.
#include <iostream>

#include "backend/rulepack/pack_check.hpp"
#include "cli/commands.hpp"

namespace kvittens::cli {
namespace {

struct PackCheckArgs {
  std::vector<std::string> files;
};

int pack_check(const PackCheckArgs& a) {
  int bad = 0;
  for (const auto& file : a.files) {
    const auto problems = backend::check_rule_pack_file(file);
    for (const auto& p : problems) std::cerr << p.str() << "\n";
    if (!problems.empty()) {
      ++bad;
      continue;
    }
    // Well formed: say what a selection of it would find.
    // As a selection it must read as a path, not as a pack name in the rules folder.
    const auto pack =
        backend::load_rule_pack(file.find('/') == std::string::npos ? "./" + file : file);
    std::cout << file << ": ok: pack " << pack.name << ", newest version " << pack.version
              << " (effective " << pack.effective << ", sha256 " << pack.hash.substr(0, 12)
              << ")\n";
  }
  if (bad > 0) {
    std::cerr << "kvittens pack check: " << bad << " of " << a.files.size()
              << " file(s) have problems\n";
    return kUsage;
  }
  return kOk;
}

}  // namespace

void add_pack(CLI::App& app, int& exit_code) {
  auto* pack = app.add_subcommand("pack", "Work with rule pack files (docs/rule-packs.md)");
  pack->require_subcommand(1);
  auto args = std::make_shared<PackCheckArgs>();
  auto* check = pack->add_subcommand(
      "check",
      "Check rule pack files as every load does: real dates, values typed by their unit, versions "
      "in order, known keys, the matrix and its changes, every clause the engine cites. Prints "
      "every problem at its file:line:col; exit 2 when there is one");
  check->add_option("files", args->files, "Rule pack files (YAML)")->required();
  check->callback([args, &exit_code] { exit_code = pack_check(*args); });
}

}  // namespace kvittens::cli
