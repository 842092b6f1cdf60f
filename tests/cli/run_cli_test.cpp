// `kvittens run` end to end: the real binary, the in-process backend, the scenario files.
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

const std::string kSource = KVITTENS_SOURCE_DIR;
const std::string kData = kSource + "/tests/scenario/data";
// Fixed example scenarios (the library grows under others' hands; these tests should not).
const std::string kExamples = kSource + "/scenarios/hemtjanst/nfc-visit.yaml " + kSource +
                              "/scenarios/hemtjanst/lock-visit.yaml " + kSource +
                              "/scenarios/hemtjanst/phone-offline.yaml";

struct Outcome {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Outcome kvittens(const std::string& args) {
  const fs::path dir = fs::temp_directory_path() / ("kvittens-cli-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string cmd = "NO_COLOR=1 " + std::string(KVITTENS_BINARY) + " run " + args + " >" +
                          (dir / "out").string() + " 2>" + (dir / "err").string();
  const int status = std::system(cmd.c_str());
  Outcome o;
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.out = slurp(dir / "out");
  o.err = slurp(dir / "err");
  return o;
}

struct InvalidFile {
  std::string file;
  std::string located;  // the start of the message: file:line:col: what
};

class RunRefusesInvalidScenarios : public ::testing::TestWithParam<InvalidFile> {};

TEST_P(RunRefusesInvalidScenarios, WithALocatedMessageAndExitTwo) {
  const auto& p = GetParam();
  const auto o = kvittens(kData + "/invalid/" + p.file);
  EXPECT_EQ(o.code, 2) << o.out << o.err;
  EXPECT_NE(o.err.find(p.located), std::string::npos) << o.err;
  EXPECT_EQ(o.out, "");  // nothing ran
}

INSTANTIATE_TEST_SUITE_P(
    Files, RunRefusesInvalidScenarios,
    ::testing::Values(
        InvalidFile{"bad-yaml.yaml",
                    "tests/scenario/data/invalid/bad-yaml.yaml:7:7: not valid YAML"},
        InvalidFile{"unknown-key.yaml",
                    "tests/scenario/data/invalid/unknown-key.yaml:7:59: unknown key 'reciept' in "
                    "start_visit; did you mean 'receipt'?"},
        InvalidFile{"wrong-type.yaml",
                    "tests/scenario/data/invalid/wrong-type.yaml:12:24: expected paid_minutes as a "
                    "whole number, got 'thirty'"},
        InvalidFile{"unknown-reference.yaml",
                    "tests/scenario/data/invalid/unknown-reference.yaml:7:37: unknown staff member "
                    "'ana'; did you mean 'anna'?"},
        InvalidFile{"unknown-insats.yaml",
                    "tests/scenario/data/invalid/unknown-insats.yaml:9:40: unknown insats 'Dush'; "
                    "did you mean 'Dusch'?"}),
    [](const auto& info) {
      std::string n = info.param.file.substr(0, info.param.file.find('.'));
      for (auto& c : n) {
        if (c == '-') c = '_';
      }
      return n;
    });

TEST(Run, OneInvalidFileStopsTheWholeRun) {
  const auto o = kvittens(kData + "/wrong-expectation.yaml " + kData + "/invalid/wrong-type.yaml");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.out.find("FAIL"), std::string::npos) << o.out;
  EXPECT_NE(o.err.find("nothing was run"), std::string::npos) << o.err;
}

TEST(Run, AWrongExpectationFailsWithExitOneAndADiff) {
  const auto o = kvittens(kData + "/wrong-expectation.yaml");
  EXPECT_EQ(o.code, 1) << o.out << o.err;
  EXPECT_NE(o.out.find("FAIL  tests/scenario/data/wrong-expectation.yaml  A deliberately wrong "
                       "expectation  [nacka-hemtjanst@3.0]"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("wrong-expectation.yaml:17:5  decision v1 › paid_minutes\n"
                       "      - expected: 45\n"
                       "      + actual:   30\n"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("trace of v1"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("\x1b["), std::string::npos);  // NO_COLOR and not a terminal
}

TEST(Run, TheExampleLibraryPassesAndItsJsonIsByteIdenticalAcrossRuns) {
  const fs::path dir = fs::temp_directory_path() / ("kvittens-json-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto a = kvittens("-j 2 --json " + (dir / "a.json").string() + " --junit " +
                          (dir / "a.xml").string() + " " + kExamples);
  const auto b = kvittens("-j 1 --json " + (dir / "b.json").string() + " " + kExamples);
  EXPECT_EQ(a.code, 0) << a.out << a.err;
  EXPECT_EQ(b.code, 0) << b.out << b.err;
  const std::string ja = slurp(dir / "a.json");
  EXPECT_FALSE(ja.empty());
  EXPECT_EQ(ja, slurp(dir / "b.json"));
  EXPECT_NE(slurp(dir / "a.xml").find("<testsuite name=\"scenarios\""), std::string::npos);
}

TEST(Run, FilterSelectsByTag) {
  const auto o = kvittens("--filter lock " + kExamples);
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("lock-visit.yaml"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("nfc-visit.yaml"), std::string::npos) << o.out;
  // Only the given paths ran: --filter takes one value and leaves the paths alone.
  EXPECT_NE(o.out.find("1 passed, 0 failed, 0 could not run (1 scenario runs"), std::string::npos)
      << o.out;
}

TEST(Run, AnUnknownRuleVersionIsAnInputError) {
  const auto o = kvittens("--rules nacka-hemtjanst@9.9 " + kData + "/wrong-expectation.yaml");
  EXPECT_EQ(o.code, 2) << o.out << o.err;
  // One error of the command line, not one per scenario file blamed on its `rules:` line.
  EXPECT_NE(o.err.find("kvittens run: --rules nacka-hemtjanst@9.9: rule pack nacka-hemtjanst has "
                       "no version '9.9' (versions: 3.0, 2026-03-25)"),
            std::string::npos)
      << o.err;
  EXPECT_EQ(o.err.find("wrong-expectation.yaml"), std::string::npos) << o.err;
}

// Issue 22: a clause an expectation names that the pack does not have is an input error of the
// file (exit 2, every such id at its place), not a FAIL of the run.
TEST(Run, AClauseIdThePackLacksIsAnInputErrorNotAFailure) {
  const fs::path dir =
      fs::temp_directory_path() / ("kvittens-clauses-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(kSource + "/scenarios/hemtjanst/nacka.world.yaml", dir / "nacka.world.yaml",
                fs::copy_options::overwrite_existing);
  std::string text = slurp(kSource + "/scenarios/hemtjanst/nfc-visit.yaml");
  const std::string clauses = "      clauses: [\"4.10\"]\n";
  text.replace(text.find(clauses), clauses.size(),
               "      clauses: [\"4.99\"]\n      not_clauses: [\"4.1O\"]\n");
  std::ofstream(dir / "nfc-visit.yaml") << text;
  const auto o = kvittens((dir / "nfc-visit.yaml").string());
  EXPECT_EQ(o.code, 2) << o.out << o.err;
  EXPECT_EQ(o.out, "");  // nothing ran
  EXPECT_NE(o.err.find(":31:17: unknown clause '4.99' (not a clause of nacka-hemtjanst@3.0); did "
                       "you mean '4.9'?"),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find(":32:21: unknown clause '4.1O' (not a clause of nacka-hemtjanst@3.0); did "
                       "you mean '4.10'?"),
            std::string::npos)
      << o.err;
}

// `run --rules PACK@V` ran every scenario under the pack, boendestöd ones under a hemtjänst pack
// (exit 2 with an error per scenario); now they are skipped and counted.
TEST(Run, RulesRunOnlyTheScenariosOfThePacksService) {
  const auto o = kvittens("--hardware none --rules nacka-boendestod@1.0 " + kSource +
                          "/scenarios/boendestod " + kExamples);
  EXPECT_EQ(o.code, 0) << o.out << o.err;
  // One line for the three files skipped for one reason.
  EXPECT_NE(o.err.find("kvittens run: skipped 3 scenario file(s) of another service than --rules "
                       "nacka-boendestod@1.0:\n  3 × a hemtjanst scenario; nacka-boendestod@1.0 "
                       "is a boendestod pack ("),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("scenarios/hemtjanst/lock-visit.yaml"), std::string::npos) << o.err;
  EXPECT_NE(o.out.find(" failed, 0 could not run, 3 scenario file(s) skipped ("), std::string::npos)
      << o.out;
  EXPECT_EQ(o.out.find("scenarios/hemtjanst/"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("scenarios/boendestod/"), std::string::npos) << o.out;
}

// A --rules file that does not exist was blamed on each scenario file's own `rules:` line and
// counted every file of the suite as invalid.
TEST(Run, ARulesPackThatCannotBeReadIsOneErrorOfTheCommandLine) {
  const auto o = kvittens("--hardware none --rules /nonexistent/draft.yaml@1 " + kExamples);
  EXPECT_EQ(o.code, 2) << o.out << o.err;
  EXPECT_NE(o.err.find("kvittens run: --rules /nonexistent/draft.yaml@1: no rule pack file "
                       "'/nonexistent/draft.yaml'"),
            std::string::npos)
      << o.err;
  EXPECT_EQ(o.err.find("did not validate"), std::string::npos) << o.err;
}

TEST(Run, EveryDecisionInTheJsonReportCarriesItsStamp) {
  const fs::path dir = fs::temp_directory_path() / ("kvittens-stamp-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto o = kvittens("--hardware none --json " + (dir / "r.json").string() + " " + kSource +
                          "/scenarios/hemtjanst/nfc-visit.yaml");
  ASSERT_EQ(o.code, 0) << o.out << o.err;
  const std::string json = slurp(dir / "r.json");
  EXPECT_NE(json.find("\"rules\": \"nacka-hemtjanst@3.0\",\n          \"stamp\": {\n"
                      "            \"pack\": \"nacka-hemtjanst\",\n"
                      "            \"version\": \"3.0\",\n"
                      "            \"effective\": \"2025-10-15\",\n"
                      "            \"hash\": \""),
            std::string::npos)
      << json;
}

}  // namespace
