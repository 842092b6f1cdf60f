#include "report/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace kvittens::harness {

Progress::Style Progress::style_for(int fd) {
  const char* no = std::getenv("NO_COLOR");
  if (isatty(fd) && !(no && *no)) return Style::Redraw;
  return Style::Lines;
}

Progress::Progress(std::ostream& out, std::size_t total, Style style,
                   std::chrono::milliseconds interval, Clock clock)
    : out_(out), total_(total), style_(style), interval_(interval), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
  start_ = last_ = clock_();
}

void Progress::done(bool failed) {
  std::lock_guard lock(mutex_);
  ++done_;
  if (failed) ++failed_;
  if (style_ == Style::Off) return;
  const auto now = clock_();
  // A terminal is redrawn at most ten times a second; plain lines once per interval.
  const auto every = style_ == Style::Redraw ? std::chrono::milliseconds(100) : interval_;
  if (now - last_ < every && done_ < total_) return;
  if (style_ == Style::Lines && done_ == total_ && !printed_) return;  // short runs stay quiet
  last_ = now;
  emit(false);
}

void Progress::emit(bool final) {
  const double secs = std::chrono::duration<double>(clock_() - start_).count();
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.1f", secs > 0 ? static_cast<double>(done_) / secs : 0.0);
  if (style_ == Style::Redraw) {
    // \r and erase-line: the line is drawn again in place.
    out_ << "\r\x1b[K";
    if (final) return;
    out_ << "kvittens run: " << done_ << "/" << total_ << " runs, " << rate << "/s, " << failed_
         << " failed" << std::flush;
    printed_ = true;
    return;
  }
  out_ << "kvittens run: " << done_ << "/" << total_ << " runs done, " << rate << "/s, " << failed_
       << " failed\n"
       << std::flush;
  printed_ = true;
}

void Progress::finish() {
  std::lock_guard lock(mutex_);
  if (style_ == Style::Off || !printed_) return;
  if (style_ == Style::Redraw) {
    emit(true);
    out_ << std::flush;
  }
}

}  // namespace kvittens::harness
