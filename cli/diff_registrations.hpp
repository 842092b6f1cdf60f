// `kvittens diff --from A --to B --registrations FILE`: a service's exported registrations
// decided under two rule versions (harness/diff/replay_diff.hpp, docs/diff.md). Kept apart from
// cli/diff.cpp, which only hands the option over.
#pragma once

#include <string>

namespace kvittens::cli {

struct DiffRegistrationsArgs {
  std::string from, to;  // PACK@VERSION or PATH.yaml@VERSION, versions of one pack
  std::string file;      // the export, JSON Lines
  bool json = false;
  bool other_mode = false;  // scenario paths, --month or backends were given too
};

// Exit 0 when it ran (whatever changed), 2 for usage or input errors: every problem of FILE is
// printed as FILE:LINE: POINTER: MESSAGE.
int diff_registrations(const DiffRegistrationsArgs& args);

}  // namespace kvittens::cli
