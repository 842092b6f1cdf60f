// The record of every registration attempt the simulated actors made, in order: what the
// runner reports and what tests read to see retries keep their registration id.
#pragma once

#include <string>
#include <vector>

#include "kvittens/backend_client.hpp"
#include "kvittens/time.hpp"

namespace kvittens::sim {

struct Submission {
  Instant at;
  std::string by;          // staff id of the phone, or "office"
  std::string id;          // registration id
  bool delivered = false;  // false: the backend was not reached (offline, lost answer, error)
  SubmitResult result;     // meaningful when delivered
  std::string note;        // why it was not delivered
};

// Free-text happenings worth showing beside a failure (device errors, offline queueing).
struct LogLine {
  Instant at;
  std::string who;
  std::string what;
};

struct ActivityLog {
  std::vector<Submission> submissions;
  std::vector<LogLine> lines;
  void say(Instant at, std::string who, std::string what) {
    lines.push_back({at, std::move(who), std::move(what)});
  }
};

}  // namespace kvittens::sim
