// kvittens: main() only wires subcommands; each lives in its own file under cli/.
#include <cstdio>
#include <exception>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace kvittens::cli;
  CLI::App app{
      "kvittens: hardware-in-the-loop simulator and test harness for home-care visit reporting\n"
      "(mobil återrapportering). Exit codes: 0 ok, 1 failed checks, 2 usage or input error."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "kvittens 0.1.0");
  int exit_code = kOk;
  add_evaluate(app, exit_code);
  add_run(app, exit_code);
  add_serve(app, exit_code);
  add_explain(app, exit_code);
  add_diff(app, exit_code);
  add_simulate(app, exit_code);
  add_pack(app, exit_code);
  add_certify(app, exit_code);
  auto* emulate = app.add_subcommand("emulate", "Run a device emulator behind its real interface");
  emulate->require_subcommand(1);
  add_emulate_nfc(*emulate, exit_code);
  add_emulate_ble(*emulate, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kOk : kUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kvittens: %s\n", e.what());
    return kUsage;
  }
  return exit_code;
}
