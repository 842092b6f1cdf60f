// `kvittens emulate ble`: placeholder until the ble emulator lands (issue 5).
#include "harness/cli/commands.hpp"

#include <cstdio>

namespace kvittens::cli {

void add_emulate_ble(CLI::App& emulate, int& exit_code) {
  auto* cmd = emulate.add_subcommand("ble", "Emulated ble device (not built yet)");
  cmd->callback([&exit_code] {
    std::fprintf(stderr, "kvittens emulate ble: not available in this build\n");
    exit_code = kUsage;
  });
}

}  // namespace kvittens::cli
