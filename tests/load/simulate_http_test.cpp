// The simulated month decided over HTTP against a freshly started `kvittens serve` gives the
// same decisions as in-process: `simulate --backend` runs both and compares them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../service/serve_process.hpp"

namespace kvittens::testing {
namespace {

TEST(SimulateHttp, TheMonthDecidesTheSameOverHttpAsInProcess) {
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db");
  const auto log = dir.path / "simulate.log";
  const std::string cmd = std::string(KVITTENS_BINARY) +
                          " simulate --customers 12 --staff 4 --days 4 --seed 9 --hardware none "
                          "--backend " +
                          server.url() + " --token " + ServeProcess::kSandboxToken + " > " +
                          log.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream in(log);
  std::stringstream out;
  out << in.rdbuf();
  ASSERT_TRUE(WIFEXITED(rc)) << out.str();
  EXPECT_EQ(WEXITSTATUS(rc), 0) << out.str();
  EXPECT_NE(out.str().find("invariants: 5 checked, all hold"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("backend " + server.url()), std::string::npos) << out.str();
}

}  // namespace
}  // namespace kvittens::testing
