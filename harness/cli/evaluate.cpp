#include "harness/cli/commands.hpp"
namespace kvittens::cli {
void add_evaluate(CLI::App& app, int& exit_code) {
  app.add_subcommand("evaluate", "(coming)")->callback([&exit_code] { exit_code = kUsage; });
}
}  // namespace kvittens::cli
