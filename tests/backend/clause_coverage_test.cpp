// Every clause id the engine can emit has its reference and statement in every shipped pack,
// and no pack carries a clause the engine never uses (issue 11).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
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

std::set<std::string> clause_literals(const std::string& file) {
  const std::string text = read_source("backend/engine/" + file);
  EXPECT_FALSE(text.empty()) << file;
  // Clause ids as the engine writes them: "2", "4.10", "2/manual", "B4".
  static const std::regex id(R"re("((?:[0-9]+(?:\.[0-9]+)?(?:/[a-z]+)?)|B[0-9])")re");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), id); it != std::sregex_iterator();
       ++it)
    out.insert((*it)[1]);
  return out;
}

TEST(ClauseCoverage, TheDeclaredListCoversEveryClauseLiteralInTheEngine) {
  const auto& h = emitted_clauses(ServiceType::Hemtjanst);
  const auto& b = emitted_clauses(ServiceType::Boendestod);
  for (const auto& c : clause_literals("hemtjanst.cpp"))
    EXPECT_NE(std::find(h.begin(), h.end(), c), h.end()) << "hemtjanst.cpp emits " << c;
  for (const auto& c : clause_literals("boendestod.cpp"))
    EXPECT_NE(std::find(b.begin(), b.end(), c), b.end()) << "boendestod.cpp emits " << c;
  for (const char* common : {"engine.cpp", "context.cpp", "monthly.cpp"})
    for (const auto& c : clause_literals(common))
      EXPECT_TRUE(std::find(h.begin(), h.end(), c) != h.end() ||
                  std::find(b.begin(), b.end(), c) != b.end())
          << common << " emits " << c;
}

TEST(ClauseCoverage, EveryShippedPackCarriesExactlyTheClausesTheEngineUses) {
  const auto packs = list_rule_packs();
  ASSERT_GE(packs.size(), 3u);
  for (const auto& selection : packs) {
    const auto pack = load_rule_pack(selection);
    std::set<std::string> used(emitted_clauses(pack.service).begin(),
                               emitted_clauses(pack.service).end());
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

// docs/rules.md is the reader's map from a clause to its code: every clause the engine emits
// has a row, and every function a row names exists in backend/.
TEST(ClauseCoverage, TheRulesDocumentMapsEveryClauseToFunctionsThatExist) {
  const std::string doc = read_source("docs/rules.md");
  ASSERT_FALSE(doc.empty());
  std::string code;
  for (const char* f :
       {"engine/engine.cpp", "engine/context.cpp", "engine/context.hpp", "engine/hemtjanst.cpp",
        "engine/boendestod.cpp", "engine/monthly.cpp", "inprocess.cpp", "inprocess.hpp"})
    code += read_source(std::string("backend/") + f);
  std::map<std::string, std::string> rows;  // clause -> function column
  static const std::regex row(R"re(^\| (\S+) \| [^|]+ \| ([^|]+) \|)re");
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) rows[m[1]] = m[2];
  }
  for (const auto service : {ServiceType::Hemtjanst, ServiceType::Boendestod})
    for (const auto& c : emitted_clauses(service))
      EXPECT_TRUE(rows.count(c)) << "docs/rules.md has no row for clause " << c;
  static const std::regex name(R"re(`([A-Za-z_][A-Za-z_0-9]*(?:::[A-Za-z_][A-Za-z_0-9]*)?)`)re");
  for (const auto& [clause, functions] : rows)
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
