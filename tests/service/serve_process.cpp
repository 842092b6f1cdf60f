#include "serve_process.hpp"

#include <unistd.h>

#include <atomic>
#include <stdexcept>

namespace kvittens::testing {

TempDir::TempDir() {
  static std::atomic<int> n{0};
  path = std::filesystem::temp_directory_path() /
         ("kvittens-svc-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

ServeProcess::ServeProcess(const std::filesystem::path& db, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {KVITTENS_BINARY, "serve",     "--listen",        "127.0.0.1:0",
                                   "--db",          db.string(), "--sandbox-token", kSandboxToken};
  argv.insert(argv.end(), extra.begin(), extra.end());
  child_ = std::make_unique<Child>(argv);
  const std::string ready = "listening on http://";
  if (!child_->wait_for_output(ready, std::chrono::seconds(30)))
    throw std::runtime_error("kvittens serve did not become ready: " + child_->output());
  const auto& out = child_->output();
  const auto at = out.find(ready) + ready.size();
  url_ = "http://" + out.substr(at, out.find('\n', at) - at);
}

}  // namespace kvittens::testing
