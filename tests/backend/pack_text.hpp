// A small, well-formed hemtjänst rule pack as text, for tests that change one thing in it and
// look at what the loader or `kvittens pack check` says. Every clause the engine cites is in
// it, so the only problems are the ones a test puts there.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "backend/engine/engine.hpp"

namespace kvittens::fixtures {

// Line numbers matter to the tests: the head is lines 1-18, the clauses follow from line 19.
inline std::string small_pack_head() {
  return "pack: small\n"                                 // 1
         "service: hemtjanst\n"                          // 2
         "document: d\n"                                 // 3
         "seed: s.txt\n"                                 // 4
         "versions:\n"                                   // 5
         "  - {version: '1', effective: 2025-01-01}\n"   // 6
         "  - {version: '2', effective: 2026-01-01}\n"   // 7
         "parameters:\n"                                 // 8
         "  omstallning_days:\n"                         // 9
         "    clause: '4.2'\n"                           // 10
         "    description: days\n"                       // 11
         "    unit: days\n"                              // 12
         "    values: {2025-01-01: 4, 2026-01-01: 5}\n"  // 13
         // The other parameters the engine reads in every hemtjänst decision.
         "  omstallning_register_within_days: {clause: '4.2', description: d, unit: days, "
         "values: {2025-01-01: 14}}\n"  // 14
         "  account_idle_months: {clause: '5.2', description: d, unit: months, "
         "values: {2025-01-01: 18}}\n"  // 15
         "  lock_receipt_tolerance_minutes: {clause: '4.10', description: d, unit: minutes, "
         "values: {2025-01-01: 5}}\n"                                             // 16
         "insatser: [{name: A, category: care}, {name: B, category: service}]\n"  // 17
         "matrix: {columns: [A, B], rows: {A: '-?', B: '?-'}}\n";                 // 18
}

inline std::string small_pack_clauses() {
  std::string out = "clauses:\n";
  for (const auto& id : backend::registered_clauses(ServiceType::Hemtjanst))
    out += "  '" + id + "': {title: t, statement: s}\n";
  return out;
}

// The same clauses on one line, "clauses: {...}\n", for packs whose line numbers matter.
inline std::string small_pack_clauses_line() {
  std::string out;
  for (const auto& id : backend::registered_clauses(ServiceType::Hemtjanst))
    out += (out.empty() ? "" : ", ") + ("'" + id + "': {title: t, statement: s}");
  return "clauses: {" + out + "}\n";
}

// Every parameter the engine reads in hemtjänst decisions on one line, "parameters: {...}\n",
// for packs made of other parts than the head above.
inline std::string small_pack_parameters_line() {
  std::string out;
  for (const auto& p : backend::parameter_registry()) {
    if (p.service != ServiceType::Hemtjanst || !p.required) continue;
    const auto unit = std::string(backend::unit_name(p.unit));
    const std::string value = unit == "bool" ? "true" : unit == "ratio" ? "0.5" : "4";
    out += (out.empty() ? "" : ", ") + std::string(p.name) + ": {clause: '4.2', description: d, " +
           "unit: " + unit + ", values: {2025-01-01: " + value + "}}";
  }
  return "parameters: {" + out + "}\n";
}

inline std::string small_pack() {
  return small_pack_head() + small_pack_clauses();
}

// Writes `text` as DIR/NAME.yaml under a temp folder of its own and returns the file's path.
inline std::filesystem::path write_pack(const std::string& dir, const std::string& name,
                                        const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / dir;
  std::filesystem::create_directories(path);
  std::ofstream(path / (name + ".yaml"), std::ios::binary | std::ios::trunc) << text;
  return path / (name + ".yaml");
}

}  // namespace kvittens::fixtures
