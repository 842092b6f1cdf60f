// A rule owner's draft (issue 22): `kvittens pack check` reports every problem of a pack file at
// its place, and every command that takes rules reads a draft by its path (PATH.yaml@VERSION)
// or from another folder (--rules-dir).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_cli.hpp"

namespace kvittens::cli_test {
namespace {

const std::string kSource = KVITTENS_SOURCE_DIR;

std::string shipped_pack() {
  std::ifstream in(kSource + "/rules/nacka-hemtjanst.yaml", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("no '" + from + "' in the pack");
  return text.replace(at, from.size(), to);
}

// Writes `text` to RELATIVE under a temp folder of the running test's own (ctest runs the tests
// in parallel), making its folders.
std::string write_file(const std::string& relative, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("kvittens-pack-cli-" +
                     std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())) /
                    relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path.string();
}

// "LINE:COL" of the first `part` in `text`, 1-based.
std::string place(const std::string& text, const std::string& part) {
  const auto at = text.find(part);
  const auto line_start = text.rfind('\n', at);
  const auto line = std::count(text.begin(), text.begin() + static_cast<long>(at), '\n') + 1;
  const auto col = at - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
  return std::to_string(line) + ":" + std::to_string(col);
}

const std::string kInput = R"(world:
  providers: [{id: p1, name: Omsorg}]
  customers: [{id: c1, provider: p1, name: Astrid, nfc_tags: ["04:00:00:00:00:00:01"]}]
  staff: [{id: anna, provider: p1, name: Anna}]
  orders: [{id: o1, customer: c1, insats: Dusch, minutes: 30}]
registrations:
  - visit: {id: v1, staff: anna, customer: c1, start: 2026-03-02T08:00, end: 2026-03-02T08:45, start_receipt: {nfc: '04:00:00:00:00:00:01'}, end_receipt: {nfc: '04:00:00:00:00:00:01'}, insatser: [Dusch]}
  - shift_approval: {shift: anna/2026-03-02, approved_at: 2026-03-03T08:00}
)";

TEST(PackCli, TheShippedPacksCheckOk) {
  const auto r = run_kvittens("pack check " + kSource + "/rules/nacka-hemtjanst.yaml " + kSource +
                              "/rules/nacka-boendestod.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("nacka-hemtjanst.yaml: ok: pack nacka-hemtjanst, newest version 2026-03-25"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("nacka-boendestod.yaml: ok: pack nacka-boendestod"), std::string::npos)
      << r.out;
}

// The issue's draft: a value keyed 2026-7-1, a value `ten`, `valeus:` and an effective date in
// month 13, each reported at its place in one run, exit 2.
TEST(PackCli, EveryProblemOfADraftIsReportedAtItsPlace) {
  auto text = shipped_pack();
  text = with(text, "values: {2025-10-15: 4}", "values: {2025-10-15: 4, 2026-7-1: 5}");
  text = with(text, "values: {2025-10-15: 14}", "values: {2025-10-15: ten}");
  text = with(text, "    values: {2025-10-15: 5}", "    valeus: {2025-10-15: 5}");
  text = with(text, "effective: 2026-03-25\n    note", "effective: 2026-13-01\n    note");
  const auto path = write_file("draft-nacka-hemtjanst.yaml", text);
  const auto r = run_kvittens("pack check " + path);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  for (const auto& [part, what] : std::vector<std::pair<std::string, std::string>>{
           {"2026-7-1: 5",
            "expected the date a value of parameter 'omstallning_days' takes effect as a date "
            "YYYY-MM-DD, got '2026-7-1'"},
           {"ten}",
            "parameter 'omstallning_register_within_days' (unit days): expected a whole number "
            "of days from 0 to 36600, got 'ten'"},
           {"valeus",
            "unknown key 'valeus' in parameter 'lock_receipt_tolerance_minutes'; did "
            "you mean 'values'?"},
           {"2026-13-01", "expected effective as a date YYYY-MM-DD, got '2026-13-01'"}})
    EXPECT_NE(r.out.find(path + ":" + place(text, part) + ": " + what), std::string::npos)
        << part << "\n"
        << r.out;
  EXPECT_NE(r.out.find("kvittens pack check: 1 of 1 file(s) have problems"), std::string::npos)
      << r.out;
}

TEST(PackCli, EvaluateReadsADraftByItsPath) {
  const auto input = write_file("pack-cli-input.yaml", kInput);
  // The same rules as the shipped pack, in a file of its own: same decisions, its own hash.
  const auto draft = write_file("drafts/nacka-hemtjanst.yaml", shipped_pack() + "# draft\n");
  const auto r = run_kvittens("evaluate " + input + " --rules " + draft + "@3.0 --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"pack\": \"nacka-hemtjanst\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"paid_minutes\": 30"), std::string::npos) << r.out;
  const auto shipped = run_kvittens("evaluate " + input + " --rules nacka-hemtjanst@3.0 --json");
  ASSERT_EQ(shipped.exit_code, 0) << shipped.out;
  EXPECT_NE(r.out, shipped.out);  // the hash in the stamps

  const auto broken = write_file("drafts/broken.yaml",
                                 with(shipped_pack(), "{2025-10-15: 14}", "{2025-10-15: ten}"));
  const auto b = run_kvittens("evaluate " + input + " --rules " + broken + "@3.0");
  EXPECT_EQ(b.exit_code, 2) << b.out;
  EXPECT_NE(b.out.find(broken + ":"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("got 'ten'"), std::string::npos) << b.out;
}

TEST(PackCli, RulesDirChoosesTheFolderPacksAreReadFrom) {
  const auto input = write_file("pack-cli-input.yaml", kInput);
  const auto copy = write_file("rules-dir/nacka-hemtjanst.yaml", shipped_pack() + "# copy\n");
  const auto dir = copy.substr(0, copy.rfind('/'));
  const auto r = run_kvittens("evaluate " + input + " --rules-dir " + dir +
                              " --rules nacka-hemtjanst@3.0 --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto shipped = run_kvittens("evaluate " + input + " --rules nacka-hemtjanst@3.0 --json");
  EXPECT_NE(r.out, shipped.out);  // the copy's hash, not the shipped pack's
  const auto none =
      run_kvittens("evaluate " + input + " --rules-dir " + dir + " --rules nacka-boendestod@1.0");
  EXPECT_EQ(none.exit_code, 2) << none.out;
  EXPECT_NE(none.out.find("unknown rule pack 'nacka-boendestod' in " + dir), std::string::npos)
      << none.out;
  for (const char* cmd : {"run", "evaluate", "explain", "diff", "simulate", "serve"}) {
    const auto help = run_kvittens(std::string(cmd) + " --help");
    EXPECT_NE(help.out.find("--rules-dir"), std::string::npos) << cmd;
    EXPECT_NE(help.out.find("KVITTENS_RULES_DIR"), std::string::npos) << cmd;
    EXPECT_NE(help.out.find("PATH.yaml@VERSION"), std::string::npos) << cmd;
  }
}

// `diff --to drafts/x.yaml@V` was "not versions of one rule pack": a draft is a version of the
// pack named inside it.
TEST(PackCli, DiffTakesADraftAsAVersionOfThePackItNames) {
  const auto draft = write_file("diff-drafts/nacka-hemtjanst.yaml", shipped_pack() + "# draft\n");
  const auto r = run_kvittens("diff --from nacka-hemtjanst@3.0 --to " + draft + "@2026-03-25 " +
                              kSource + "/scenarios/versions/stadning-tvatt-without-note.yaml");
  EXPECT_NE(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out.find("not versions of one rule pack"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CHANGED  scenarios/versions/stadning-tvatt-without-note.yaml"),
            std::string::npos)
      << r.out;
  const auto other = run_kvittens("diff --from nacka-hemtjanst@3.0 --to nacka-boendestod@1.0");
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.out.find("(pack nacka-hemtjanst) and --to nacka-boendestod@1.0 (pack "
                           "nacka-boendestod) are not versions of one rule pack"),
            std::string::npos)
      << other.out;
}

}  // namespace
}  // namespace kvittens::cli_test
