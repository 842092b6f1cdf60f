// Progress of a long run on stderr. On a terminal (and without NO_COLOR) one line redrawn in
// place: done/total, runs per second, failures so far. Otherwise plain lines at a modest
// rate (one every `interval`), so logs of CI jobs stay short. Thread-safe: workers report.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <ostream>

namespace kvittens::harness {

class Progress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  enum class Style { Redraw, Lines, Off };

  // Redraw on a terminal without NO_COLOR, Lines otherwise.
  static Style style_for(int fd);

  Progress(std::ostream& out, std::size_t total, Style style,
           std::chrono::milliseconds interval = std::chrono::seconds(5), Clock clock = {});
  // One run finished; `failed` when it failed or could not run.
  void done(bool failed);
  // Clears the redrawn line (Redraw) or prints the last count (Lines, if any line was printed).
  void finish();

 private:
  void emit(bool final);

  std::mutex mutex_;
  std::ostream& out_;
  std::size_t total_;
  Style style_;
  std::chrono::milliseconds interval_;
  Clock clock_;
  std::chrono::steady_clock::time_point start_, last_;
  std::size_t done_ = 0, failed_ = 0;
  bool printed_ = false;
};

}  // namespace kvittens::harness
