// Text inside XML (JUnit) and HTML (reports): one escaping for both, so a name or note with
// markup characters can never break a report's structure.
#pragma once

#include <string>

namespace kvittens::harness {

// & < > " ' escaped (safe in element text and in attribute values of either language);
// control characters other than newline and tab, which XML 1.0 forbids, become spaces.
std::string escape_markup(const std::string& text);

}  // namespace kvittens::harness
