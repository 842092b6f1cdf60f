// The simulated month decided over HTTP against a freshly started `kvittens serve` gives the
// same decisions as in-process: `simulate --backend` runs both and compares them.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "../nfc/subprocess.hpp"
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

// The server dies while the month streams in: simulate ends with an error instead of letting
// every phone retry every registration against nothing (it was still retrying 45 s later).
TEST(SimulateHttp, AServerThatDiesMidMonthEndsTheRun) {
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db");
  Child simulate({KVITTENS_BINARY, "simulate", "--customers", "300", "--staff", "40", "--days",
                  "28", "--seed", "3", "--hardware", "none", "--no-progress", "--backend",
                  server.url(), "--token", ServeProcess::kSandboxToken});
  // Streaming has begun once a hundred or so registrations are in the -wal: the server goes.
  const auto wal_bytes = [&] {
    std::error_code ec;
    const auto n = std::filesystem::file_size(dir.path / "kvittens.db-wal", ec);
    return ec ? 0 : n;
  };
  for (int i = 0; i < 2000 && wal_bytes() < 1024 * 1024; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  server.child().signal(SIGKILL);
  // Generous: a load-proof bound, far below the minutes retrying would take.
  const auto rc = simulate.wait(std::chrono::seconds(120));
  ASSERT_TRUE(rc) << "simulate still ran 120 s after the server died\n" << simulate.output();
  EXPECT_EQ(*rc, 2) << simulate.output();
  EXPECT_NE(simulate.output().find("stopped answering"), std::string::npos) << simulate.output();
}

}  // namespace
}  // namespace kvittens::testing
