// The certification's reports (docs/certification.md): report.json for machines, junit.xml for
// CI (one testcase per requirement) and a self-contained report.html for people.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/certify/lock_certification.hpp"

namespace kvittens::certify {

nlohmann::json to_json(const Certification& cert);
std::string to_junit(const Certification& cert);
std::string to_html(const Certification& cert);

// Writes the three files into `dir` (created when missing). Throws std::runtime_error.
void write_reports(const Certification& cert, const std::filesystem::path& dir);

}  // namespace kvittens::certify
