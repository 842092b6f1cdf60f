// Every clause id the engine can emit has its reference and statement in every shipped pack,
// and no pack carries a clause the engine never uses (issue 11).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "backend/engine/engine.hpp"
#include "backend/rulepack/rule_pack.hpp"

namespace kvittens::backend {
namespace {

std::set<std::string> clause_literals(const std::string& file) {
  std::ifstream in(std::string(KVITTENS_SOURCE_DIR) + "/backend/engine/" + file);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
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

}  // namespace
}  // namespace kvittens::backend
