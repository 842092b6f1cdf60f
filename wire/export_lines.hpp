// A period's accepted registrations as JSON Lines (`GET /v1/export`, read back by `kvittens
// diff --registrations`): a first line with the period and the world the registrations were
// accepted against, then one registration a line, in arrival order, each with the provider whose
// scope holds it. A line's "registration" is exactly a POST /v1/registrations body. Reading
// checks every line as strictly as the service checks a body and reports every problem at once,
// each at its line and JSON pointer. Format: docs/service.md ("Export"), docs/diff.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kvittens/model.hpp"

namespace kvittens::wire {

// The first line, beside the world.
struct ExportHeader {
  std::string from, to;             // the period, YYYY-MM-DD, both days included
  std::string rules;                // PACK@VERSION the realm judged the registrations under
  std::string provider;             // whose registrations; empty: every provider's (Combine)
  std::uint64_t registrations = 0;  // the lines that follow: a file cut short is refused
  bool operator==(const ExportHeader&) const = default;
};

// Without the line break.
std::string export_header_line(const ExportHeader& header, const World& world);
// `provider` is the scope the registration was accepted in ("" for rows stored before
// registrations had providers).
std::string export_registration_line(const std::string& provider, const Registration& r);

// One problem in an export: its line (1-based), where in the line (a JSON pointer, empty for
// the whole line) and what was expected.
struct ExportIssue {
  std::size_t line = 0;
  std::string pointer;
  std::string message;
  bool operator==(const ExportIssue&) const = default;
};

// An export that does not read; `issues` holds the first `kMaxIssues` problems in line order,
// `more` counts the rest. what() is the first issue.
class ExportError : public std::runtime_error {
 public:
  static constexpr std::size_t kMaxIssues = 1000;
  ExportError(std::vector<ExportIssue> issues, std::size_t more);
  const std::vector<ExportIssue>& issues() const { return issues_; }
  std::size_t more() const { return more_; }

 private:
  std::vector<ExportIssue> issues_;
  std::size_t more_;
};

struct ExportReader {
  // Called once, with the first line.
  std::function<void(ExportHeader header, World world)> header;
  // Called for each registration line that reads, in file order, after `header`; it may move
  // from the provider and the registration.
  std::function<void(std::size_t line, std::string&& provider, Registration&& r)> registration;
};

// Reads an export from `in` line by line, calling `reader` as it goes. A bad line is reported,
// not passed on, and reading carries on so that every problem is found; at the end, ExportError
// when there was any (the callbacks have then seen only the good lines).
void read_export(std::istream& in, const ExportReader& reader);

// One registration line, as read_export reads it: the provider and the registration, or the
// line's problems (line numbers 0). For tests and the fuzz target.
struct ExportLine {
  std::string provider;
  Registration registration;
};
ExportLine read_export_line(std::string_view line, std::vector<ExportIssue>& issues);

}  // namespace kvittens::wire
