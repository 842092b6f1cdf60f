// A `kvittens serve` child on a free loopback port for the integration tests: the port is
// read from the server's readiness line, never guessed.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "../nfc/subprocess.hpp"

namespace kvittens::testing {

// A fresh directory per test, removed at the end.
struct TempDir {
  TempDir();
  ~TempDir();
  std::filesystem::path path;
};

class ServeProcess {
 public:
  static constexpr const char* kSandboxToken = "sandbox-secret";
  // Starts `kvittens serve --listen 127.0.0.1:0 --db DB --sandbox-token ...` plus `extra`.
  ServeProcess(const std::filesystem::path& db, const std::vector<std::string>& extra = {});
  const std::string& url() const { return url_; }
  Child& child() { return *child_; }

 private:
  std::unique_ptr<Child> child_;
  std::string url_;
};

}  // namespace kvittens::testing
