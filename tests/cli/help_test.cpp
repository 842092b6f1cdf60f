// Every command answers --help with exit 0; unknown commands and options exit 2.
#include <gtest/gtest.h>

#include "run_cli.hpp"

namespace kvittens::cli_test {
namespace {

TEST(Help, TopLevelAndEveryCommandHaveHelp) {
  auto r = run_kvittens("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("evaluate"), std::string::npos) << r.out;
  for (const char* cmd : {"evaluate", "run", "explain", "diff", "simulate", "serve", "certify",
                          "certify lock", "emulate", "emulate nfc", "emulate ble"}) {
    r = run_kvittens(std::string(cmd) + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.out;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd << ": " << r.out;
  }
}

TEST(Help, UnknownCommandOrOptionIsAUsageError) {
  EXPECT_EQ(run_kvittens("frobnicate").exit_code, 2);
  EXPECT_EQ(run_kvittens("evaluate --no-such-option x").exit_code, 2);
  EXPECT_EQ(run_kvittens("").exit_code, 2);
}

}  // namespace
}  // namespace kvittens::cli_test
