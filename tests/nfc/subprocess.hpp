// A child process for the integration tests: libnfc's tools and the kvittens CLI, run with
// extra environment, their output read as it comes, and every wait bounded by a timeout.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kvittens::testing {

class Child {
 public:
  using Env = std::vector<std::pair<std::string, std::string>>;
  // Starts argv[0] (looked up in PATH) with stdout and stderr into one pipe.
  Child(const std::vector<std::string>& argv, const Env& extra_env = {});
  ~Child();  // kills and reaps the child if it still runs
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Reads output until it contains `needle`; false if the timeout or end of output came first.
  bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout);
  // Reads all output and waits for the exit; the exit status, or nullopt (then killed) on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  void signal(int signal_number) const;
  const std::string& output() const { return output_; }
  int pid() const { return pid_; }

 private:
  bool read_some(std::chrono::milliseconds timeout);  // false at end of output or timeout
  int pid_ = -1;
  int out_ = -1;
  bool eof_ = false;
  bool reaped_ = false;
  std::string output_;
};

}  // namespace kvittens::testing
