// The `kvittens` subcommands. Each add_* function registers one subcommand on the CLI11 app;
// when it runs it stores its exit code in `exit_code`:
// 0 success, 1 failed checks, 2 usage or input errors (README.md, "Commands").
#pragma once

#include <CLI/CLI.hpp>

namespace kvittens::cli {

enum ExitCode : int { kOk = 0, kChecksFailed = 1, kUsage = 2 };

void add_evaluate(CLI::App& app, int& exit_code);
void add_run(CLI::App& app, int& exit_code);
void add_serve(CLI::App& app, int& exit_code);
void add_explain(CLI::App& app, int& exit_code);
void add_diff(CLI::App& app, int& exit_code);
void add_simulate(CLI::App& app, int& exit_code);
// `kvittens pack check`: rule pack files validated as every load does.
void add_pack(CLI::App& app, int& exit_code);
// `kvittens certify lock`: conformance of a receipt lock to docs/lock-profile.md.
void add_certify(CLI::App& app, int& exit_code);
// `kvittens emulate nfc|ble`: the emulators with their real interfaces.
void add_emulate_nfc(CLI::App& emulate, int& exit_code);
void add_emulate_ble(CLI::App& emulate, int& exit_code);

}  // namespace kvittens::cli
