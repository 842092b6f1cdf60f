// `kvittens emulate nfc`: placeholder until the nfc emulator lands (issue 4).
#include "harness/cli/commands.hpp"

#include <cstdio>

namespace kvittens::cli {

void add_emulate_nfc(CLI::App& emulate, int& exit_code) {
  auto* cmd = emulate.add_subcommand("nfc", "Emulated nfc device (not built yet)");
  cmd->callback([&exit_code] {
    std::fprintf(stderr, "kvittens emulate nfc: not available in this build\n");
    exit_code = kUsage;
  });
}

}  // namespace kvittens::cli
