// Every clause id the engine's rules register has its reference and statement in every
// shipped pack, no pack carries a clause the engine never uses, and docs/rules.md maps each
// registered clause to code that exists and names nothing else.
#include "backend/engine/clause.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "backend/engine/engine.hpp"
#include "backend/rulepack/rule_pack.hpp"

namespace kvittens::backend {
namespace {

std::string read_source(const std::string& path) {
  std::ifstream in(std::string(KVITTENS_SOURCE_DIR) + "/" + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Clause ids as the engine's rules write them: "2", "4.10", "2/manual", "B4".
const std::regex& clause_id() {
  static const std::regex id(R"re("((?:[0-9]+(?:\.[0-9]+)?(?:/[a-z]+)?)|B[0-9])")re");
  return id;
}

std::set<std::string> registered(ServiceType service) {
  const auto& ids = registered_clauses(service);
  return {ids.begin(), ids.end()};
}

TEST(ClauseCoverage, EveryRuleFileRegistersItsClausesFromHemtjanstOrBoendestod) {
  std::set<std::string> files;
  for (const auto& c : clause_registry()) {
    files.insert(std::string(c.file));
    const bool in_room = c.file.starts_with("backend/engine/hemtjanst/") ||
                         c.file.starts_with("backend/engine/boendestod/");
    EXPECT_TRUE(in_room) << c.id << " is registered by " << c.file;
    EXPECT_FALSE(read_source(std::string(c.file)).empty()) << c.file;
  }
  // Every clause file registers what it cites, and no engine file cites a clause id as a bare
  // literal outside a registration: that would be a clause the registry does not know.
  const std::filesystem::path root(KVITTENS_SOURCE_DIR);
  for (const char* room : {"backend/engine/hemtjanst", "backend/engine/boendestod"})
    for (const auto& entry : std::filesystem::directory_iterator(root / room)) {
      // A file named by its clauses ("4_6_...", "b4_b7_..."); visit.cpp is the walk that calls
      // them.
      const auto name = entry.path().filename().string();
      const bool clause_file =
          std::isdigit(static_cast<unsigned char>(name[0])) ||
          (name[0] == 'b' && std::isdigit(static_cast<unsigned char>(name[1])));
      if (entry.path().extension() != ".cpp" || !clause_file) continue;
      const auto file = std::filesystem::relative(entry.path(), root).string();
      EXPECT_TRUE(files.count(file)) << file << " registers no clause";
    }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root / "backend/engine")) {
    if (entry.path().extension() != ".cpp") continue;
    const auto file = std::filesystem::relative(entry.path(), root).string();
    const std::string text = read_source(file);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), clause_id());
         it != std::sregex_iterator(); ++it) {
      const std::string id = (*it)[1];
      const auto at = static_cast<std::size_t>(it->position());
      const auto newline = at == 0 ? std::string::npos : text.rfind('\n', at - 1);
      const auto begin = newline == std::string::npos ? 0 : newline + 1;
      const auto end = text.find('\n', at);
      const auto line =
          text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
      EXPECT_NE(line.find("const Clause"), std::string::npos)
          << file << " cites " << id << " outside a registration: " << line;
    }
  }
}

TEST(ClauseCoverage, TheRegistryHoldsEachServicesClauses) {
  EXPECT_EQ(registered(ServiceType::Hemtjanst),
            (std::set<std::string>{"2",    "2/manual", "2/repayment", "3.2",  "4.1",  "4.2",
                                   "4.3",  "4.4",      "4.5",         "4.6",  "4.7",  "4.8",
                                   "4.9",  "4.10",     "4.11",        "4.12", "4.13", "4.14",
                                   "4.15", "5.2",      "5.3",         "7"}));
  // Boendestöd registers in the same Phoniro app: its refusals at check() cite 2 and 5.3 too.
  EXPECT_EQ(registered(ServiceType::Boendestod),
            (std::set<std::string>{"2", "5.2", "5.3", "B1", "B2", "B3", "B4", "B5", "B6", "B7"}));
}

// Parameters are registered like clauses (backend/engine/parameter.hpp): each read by one
// Parameter object, so one name has one unit for a service.
TEST(ClauseCoverage, TheParameterRegistryHoldsEachServicesParametersOnce) {
  std::map<ServiceType, std::set<std::string>> names;
  for (const auto& p : parameter_registry()) {
    EXPECT_TRUE(names[p.service].insert(std::string(p.name)).second)
        << p.name << " registered twice, the second time in " << p.file;
    EXPECT_TRUE(p.file.starts_with("backend/engine/")) << p.file;
  }
  EXPECT_EQ(names[ServiceType::Hemtjanst],
            (std::set<std::string>{"account_idle_months", "lock_receipt_tolerance_minutes",
                                   "manual_share_max", "note_retention_days", "omstallning_days",
                                   "omstallning_register_within_days", "repayment"}));
  EXPECT_EQ(names[ServiceType::Boendestod],
            (std::set<std::string>{"absence_max_days", "absence_notice_hours", "absence_rate",
                                   "account_idle_months", "decline_notice_hours", "decline_rate",
                                   "lock_receipt_tolerance_minutes", "note_retention_days"}));
}

// docs/rule-packs.md tells a rule owner which parameters to declare: a row per parameter the
// engine reads, with the unit it reads it in.
TEST(ClauseCoverage, TheRulePackDocumentListsEveryParameterTheEngineReads) {
  const std::string doc = read_source("docs/rule-packs.md");
  for (const auto& p : parameter_registry()) {
    const std::string row =
        "| `" + std::string(p.name) + "` | " + std::string(unit_name(p.unit)) + " | ";
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/rule-packs.md has no row " << row;
  }
}

TEST(ClauseCoverage, EveryShippedPackCarriesExactlyTheClausesTheEngineUses) {
  const auto packs = list_rule_packs();
  ASSERT_GE(packs.size(), 3u);
  for (const auto& selection : packs) {
    const auto pack = load_rule_pack(selection);
    std::set<std::string> used = registered(pack.service);
    for (const auto& c : used) {
      const auto* info = pack.clause(c);
      ASSERT_NE(info, nullptr) << selection << " lacks clause " << c;
      EXPECT_FALSE(info->title.empty()) << selection << " " << c;
      EXPECT_FALSE(info->statement.empty()) << selection << " " << c;
    }
    // Clauses the engine reaches through the pack's own data.
    for (const auto& i : pack.insatser)
      if (!i.withdrawn.empty()) used.insert(i.withdrawn);
    for (const auto& [name, p] : pack.parameters) used.insert(p.clause);
    for (const auto& c : pack.clauses)
      EXPECT_TRUE(used.count(c.id)) << selection << " carries unused clause " << c.id;
  }
}

// docs/rules.md is the reader's map from a clause to its code, one table per service: every
// clause the registry knows for the service has a row, every row's clause is registered or
// reached through the pack's own data (a withdrawn insats, a parameter), and every function
// a row names is defined in backend/.
TEST(ClauseCoverage, TheRulesDocumentMatchesTheRegistry) {
  const std::string doc = read_source("docs/rules.md");
  ASSERT_FALSE(doc.empty());
  std::string code;
  const std::filesystem::path root(KVITTENS_SOURCE_DIR);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root / "backend"))
    if (entry.path().extension() == ".cpp" || entry.path().extension() == ".hpp")
      code += read_source(std::filesystem::relative(entry.path(), root).string());
  // Rows by service: the section a table is in names its pack.
  std::map<ServiceType, std::map<std::string, std::string>> rows;  // clause -> function column
  std::map<ServiceType, std::string> pack_of = {{ServiceType::Hemtjanst, "nacka-hemtjanst"},
                                                {ServiceType::Boendestod, "nacka-boendestod"}};
  static const std::regex row(R"re(^\| (\S+) \| [^|]+ \| ([^|]+) \|)re");
  std::optional<ServiceType> section;
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("## ")) {
      section.reset();
      for (const auto& [service, pack] : pack_of)
        if (line.find("rules/" + pack + ".yaml") != std::string::npos) section = service;
      continue;
    }
    std::smatch m;
    if (section && std::regex_search(line, m, row) && m[1] != "clause") rows[*section][m[1]] = m[2];
  }
  for (const auto& [service, pack_name] : pack_of) {
    ASSERT_FALSE(rows[service].empty()) << "docs/rules.md has no table for " << pack_name;
    for (const auto& c : registered_clauses(service))
      EXPECT_TRUE(rows[service].count(c))
          << "docs/rules.md has no row for clause " << c << " of " << pack_name;
    std::set<std::string> known = registered(service);
    for (const auto& selection : list_rule_packs()) {
      if (selection.rfind(pack_name + "@", 0) != 0) continue;
      const auto pack = load_rule_pack(selection);
      for (const auto& i : pack.insatser)
        if (!i.withdrawn.empty()) known.insert(i.withdrawn);
      for (const auto& [name, p] : pack.parameters) known.insert(p.clause);
    }
    for (const auto& [clause, functions] : rows[service])
      EXPECT_TRUE(known.count(clause))
          << "docs/rules.md has a row for clause " << clause << " of " << pack_name
          << ", which neither the engine nor the pack cites";
  }
  static const std::regex name(R"re(`([A-Za-z_][A-Za-z_0-9]*(?:::[A-Za-z_][A-Za-z_0-9]*)?)`)re");
  for (const auto& [service, table] : rows)
    for (const auto& [clause, functions] : table)
      for (auto it = std::sregex_iterator(functions.begin(), functions.end(), name);
           it != std::sregex_iterator(); ++it) {
        std::string fn = (*it)[1];
        if (const auto colons = fn.rfind("::"); colons != std::string::npos)
          fn = fn.substr(colons + 2);
        EXPECT_NE(code.find(fn + "("), std::string::npos)
            << "docs/rules.md names " << (*it)[1] << " for clause " << clause
            << ", which backend/ does not define";
      }
}

}  // namespace
}  // namespace kvittens::backend
