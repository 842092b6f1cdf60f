// `kvittens diff` change coverage and stamps, end to end. The changes a revision makes are read
// from the pack text (or written by the test into a draft), never taken from the code under
// test; what exercises them is checked against what the scenarios register.
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../cli/run_cli.hpp"

namespace {

namespace fs = std::filesystem;
using kvittens::cli_test::run_kvittens;
using Json = nlohmann::json;

const std::string kSource = KVITTENS_SOURCE_DIR;
const std::string kFrom = "nacka-hemtjanst@3.0";
const std::string kTo = "nacka-hemtjanst@2026-03-25";
const std::string kSmallMonth = "--customers 30 --staff 6 --days 7 --seed 2";

using kvittens::cli_test::read_text;

Json diff_json(const std::string& args, int expect_exit) {
  const auto r = run_kvittens("diff --json " + args + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, expect_exit) << args << "\n" << r.out.substr(0, 2000);
  try {
    return Json::parse(r.out);
  } catch (const Json::exception& e) {
    ADD_FAILURE() << e.what() << "\n" << r.out.substr(0, 2000);
    return Json::object();
  }
}

std::map<std::string, Json> coverage_by_change(const Json& doc) {
  std::map<std::string, Json> out;
  EXPECT_TRUE(doc.contains("coverage")) << "diff --json has a coverage list";
  if (!doc.contains("coverage")) return out;
  for (const auto& c : doc["coverage"]) out[c["change"].get<std::string>()] = c;
  return out;
}

// The changes of the shipped revision as the pack text states them: the matrix cells of its
// change (named in column order) and the parameters with a value dated on the revision.
std::set<std::string> shipped_revision_changes() {
  const auto pack = YAML::LoadFile(kSource + "/rules/nacka-hemtjanst.yaml");
  std::string effective;
  for (const auto& v : pack["versions"]) {
    if ("nacka-hemtjanst@" + v["version"].as<std::string>() == kTo)
      effective = v["effective"].as<std::string>();
  }
  std::map<std::string, int> column;
  int i = 0;
  for (const auto& c : pack["matrix"]["columns"]) column[c.as<std::string>()] = i++;
  std::set<std::string> out;
  for (const auto& c : pack["matrix"]["changes"]) {
    if (c["effective"].as<std::string>() != effective) continue;
    for (const auto& cell : c["cells"]) {
      auto a = cell["a"].as<std::string>(), b = cell["b"].as<std::string>();
      if (column.at(b) < column.at(a)) std::swap(a, b);
      out.insert("matrix " + a + " × " + b);
    }
  }
  for (const auto& p : pack["parameters"]) {
    if (p.second["values"][effective]) out.insert("parameter " + p.first.as<std::string>());
  }
  return out;
}

// A draft of nacka-hemtjanst: the shipped pack with a version 2027-01-01 that raises
// manual_share_max to 0.12 and lets Dusch and Städning combine without assessment.
struct Draft {
  fs::path dir = fs::temp_directory_path() / ("kvittens-coverage-" + std::to_string(::getpid()));
  fs::path file = dir / "nacka-hemtjanst.yaml";
  std::string selection = file.string() + "@2027-01-01";

  Draft() {
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::string text = read_text(kSource + "/rules/nacka-hemtjanst.yaml");
    replace(text, "\n# Each clause the engine can cite",
            "  - version: \"2027-01-01\"\n    effective: 2027-01-01\n    note: \"draft\"\n"
            "\n# Each clause the engine can cite");
    replace(text, "values: {2025-10-15: 0.10}", "values: {2025-10-15: 0.10, 2027-01-01: 0.12}");
    replace(text, "        - {a: Lunch, b: Inköp, from: \"?\", to: \"+\"}\n",
            "        - {a: Lunch, b: Inköp, from: \"?\", to: \"+\"}\n"
            "    - effective: 2027-01-01\n      reason: \"draft\"\n      cells:\n"
            "        - {a: Städning, b: Dusch, from: \"?\", to: \"+\"}\n");
    std::ofstream(file) << text;
  }
  ~Draft() { fs::remove_all(dir); }

  static void replace(std::string& text, const std::string& what, const std::string& with) {
    const auto at = text.find(what);
    ASSERT_NE(at, std::string::npos) << what;
    text.replace(at, what.size(), with);
  }
};

// The part of a `by` entry before ": ", the scenario file.
std::string file_of(const std::string& by) {
  return by.substr(0, by.find(": "));
}

TEST(DiffCoverage, TheShippedRevisionListsEachChangeWithTheDecisionsThatExercisedIt) {
  const auto expected = shipped_revision_changes();
  ASSERT_EQ(expected.size(), 3u) << "two cells and the repayment parameter";
  const auto doc = diff_json("--from " + kFrom + " --to " + kTo + " -j 2", 0);
  const auto coverage = coverage_by_change(doc);
  std::set<std::string> listed;
  for (const auto& [name, c] : coverage) listed.insert(name);
  EXPECT_EQ(listed, expected);
  for (const auto& [name, c] : coverage) {
    EXPECT_TRUE(c["exercised"].get<bool>()) << c.dump();
    for (const auto& by : c["by"]) {
      const auto file = file_of(by.get<std::string>());
      const auto text = read_text(kSource + "/" + file);
      if (c["kind"] == "matrix") {
        // The scenario registers both insatser of the cell.
        for (const auto& insats : {c["subject"].get<std::string>().substr(
                                       0, c["subject"].get<std::string>().find(" × ")),
                                   c["subject"].get<std::string>().substr(
                                       c["subject"].get<std::string>().find(" × ") + 4)})
          EXPECT_NE(text.find(insats), std::string::npos) << by << " lacks " << insats;
      } else {
        // Repayment moves only where something was paid before.
        EXPECT_NE(text.find("record_payment"), std::string::npos) << by;
      }
    }
  }
  EXPECT_EQ(doc["coverage_summary"]["changes"], 3);
  EXPECT_EQ(doc["coverage_summary"]["exercised"], 3);
}

TEST(DiffCoverage, AnUnexercisedChangeIsNamedAndRequireCoverageExitsOne) {
  // One scenario combines Städning and Tvätt: Lunch × Inköp and repayment go unexercised.
  const std::string file = kSource + "/scenarios/versions/stadning-tvatt-without-note.yaml";
  const auto r = run_kvittens("diff --from " + kFrom + " --to " + kTo + " " + file);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Change coverage: 1 of 3 change(s) exercised; not exercised: "
                       "parameter repayment, matrix Lunch × Inköp"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("matrix Städning × Tvätt ? → +: exercised by 1 decision(s): "
                       "scenarios/versions/stadning-tvatt-without-note.yaml: visit v1"),
            std::string::npos)
      << r.out;

  const auto strict =
      run_kvittens("diff --require-coverage --from " + kFrom + " --to " + kTo + " " + file);
  EXPECT_EQ(strict.exit_code, 1) << strict.out;
  const auto doc = diff_json("--require-coverage --from " + kFrom + " --to " + kTo + " " + file, 1);
  const auto coverage = coverage_by_change(doc);
  ASSERT_TRUE(coverage.count("matrix Lunch × Inköp"));
  EXPECT_FALSE(coverage.at("matrix Lunch × Inköp")["exercised"].get<bool>());
  EXPECT_TRUE(coverage.at("matrix Lunch × Inköp")["by"].empty());

  // Every change exercised: --require-coverage passes.
  const auto all = run_kvittens("diff --require-coverage --from " + kFrom + " --to " + kTo + " " +
                                kSource + "/scenarios/versions");
  EXPECT_EQ(all.exit_code, 0) << all.out;
  // Between two backends there is no pack to compare.
  const auto usage = run_kvittens(
      "diff --require-coverage --from-backend http://127.0.0.1:1 --to-backend "
      "http://127.0.0.1:1 --token t");
  EXPECT_EQ(usage.exit_code, 2) << usage.out;
}

TEST(DiffCoverage, ADraftChangingACellAndAParameterIsExercisedByTheLibraryAndTheMonth) {
  const Draft draft;
  const auto doc = diff_json("--from " + kTo + " --to " + draft.selection + " -j 2", 1);
  auto coverage = coverage_by_change(doc);
  ASSERT_EQ(coverage.size(), 2u) << doc["coverage"].dump();
  const auto& cell = coverage["matrix Dusch × Städning"];
  const auto& limit = coverage["parameter manual_share_max"];
  EXPECT_EQ(cell["from"], "?");
  EXPECT_EQ(cell["to"], "+");
  EXPECT_EQ(limit["from"], "0.10");
  EXPECT_EQ(limit["to"], "0.12");
  ASSERT_TRUE(cell["exercised"].get<bool>()) << cell.dump();
  ASSERT_TRUE(limit["exercised"].get<bool>()) << limit.dump();
  for (const auto& by : cell["by"]) {
    const auto text = read_text(kSource + "/" + file_of(by.get<std::string>()));
    EXPECT_NE(text.find("Dusch"), std::string::npos) << by;
    EXPECT_NE(text.find("Städning"), std::string::npos) << by;
  }
  // The limit is read by each month's summary of the manual share.
  for (const auto& by : limit["by"])
    EXPECT_NE(by.get<std::string>().find(": month "), std::string::npos) << by;

  const auto month =
      diff_json("--month " + kSmallMonth + " --from " + kTo + " --to " + draft.selection, 0);
  coverage = coverage_by_change(month);
  ASSERT_EQ(coverage.size(), 2u) << month["coverage"].dump();
  EXPECT_TRUE(coverage["matrix Dusch × Städning"]["exercised"].get<bool>());
  EXPECT_TRUE(coverage["parameter manual_share_max"]["exercised"].get<bool>());
  // The visit added for the cell is among what exercised it, and is listed as added.
  const auto& by = coverage["matrix Dusch × Städning"]["by"];
  EXPECT_NE(std::find(by.begin(), by.end(), "visit xv1"), by.end()) << by.dump();
  EXPECT_EQ(month["added"]["visits"], Json::array({"visit xv1: Dusch + Städning"}));
}

TEST(DiffCoverage, TheMonthAddsAVisitPerChangedCellAndSaysWhyItCannotExerciseAParameter) {
  const auto doc = diff_json("--month " + kSmallMonth + " --from " + kFrom + " --to " + kTo, 0);
  const auto coverage = coverage_by_change(doc);
  ASSERT_EQ(coverage.size(), 3u);
  for (const auto& name : {"matrix Städning × Tvätt", "matrix Lunch × Inköp"}) {
    ASSERT_TRUE(coverage.count(name)) << name;
    EXPECT_TRUE(coverage.at(name)["exercised"].get<bool>()) << name;
  }
  // No payment is recorded in a synthetic month, so repayment cannot show; the diff says why.
  const auto& repayment = coverage.at("parameter repayment");
  EXPECT_FALSE(repayment["exercised"].get<bool>());
  EXPECT_FALSE(repayment["why_not"].get<std::string>().empty());
  // The added visits were decided differently: without a note, each pair was rejected under
  // 3.0 (needs an assessment) and is paid under 2026-03-25.
  ASSERT_EQ(doc["added"]["changes"].size(), 2u) << doc["added"].dump();
  for (const auto& c : doc["added"]["changes"]) {
    EXPECT_TRUE(c["outcome_changed"].get<bool>()) << c.dump();
  }

  const auto r = run_kvittens("diff --require-coverage --month " + kSmallMonth + " --from " +
                              kFrom + " --to " + kTo);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("Change coverage: 2 of 3 change(s) exercised; not exercised: parameter "
                       "repayment"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Added to the month to exercise the changes"), std::string::npos) << r.out;
}

TEST(DiffStamps, EachListedScenarioCarriesTheStampOfBothSides) {
  // The hash of the file as sha256sum computes it, the dates as the pack text states them.
  const std::string pack_file = kSource + "/rules/nacka-hemtjanst.yaml";
  std::string hash(64, '\0');
  FILE* sum = popen(("sha256sum " + pack_file).c_str(), "r");
  ASSERT_NE(sum, nullptr);
  ASSERT_EQ(fread(hash.data(), 1, hash.size(), sum), hash.size());
  pclose(sum);
  std::map<std::string, std::string> effective;
  for (const auto& v : YAML::LoadFile(kSource + "/rules/nacka-hemtjanst.yaml")["versions"])
    effective[v["version"].as<std::string>()] = v["effective"].as<std::string>();

  const auto doc = diff_json("--from " + kFrom + " --to " + kTo + " " + kSource +
                                 "/scenarios/versions/stadning-tvatt-without-note.yaml",
                             0);
  ASSERT_EQ(doc["scenarios"].size(), 1u);
  const auto& stamps = doc["scenarios"][0]["stamps"];
  EXPECT_EQ(stamps["from"], (Json{{"pack", "nacka-hemtjanst"},
                                  {"version", "3.0"},
                                  {"effective", effective.at("3.0")},
                                  {"hash", hash}}));
  EXPECT_EQ(stamps["to"], (Json{{"pack", "nacka-hemtjanst"},
                                {"version", "2026-03-25"},
                                {"effective", effective.at("2026-03-25")},
                                {"hash", hash}}));

  // A diff that lists no scenario still says what it compared.
  const auto unchanged = diff_json("--from " + kFrom + " --to " + kTo + " " + kSource +
                                       "/scenarios/versions/repayment-nothing-overpaid.yaml",
                                   0);
  EXPECT_TRUE(unchanged["scenarios"].empty());
  EXPECT_EQ(unchanged["stamps"], (Json{{"from", stamps["from"]}, {"to", stamps["to"]}}));

  const auto month = diff_json("--month " + kSmallMonth + " --from " + kFrom + " --to " + kTo, 0);
  ASSERT_FALSE(month["stamps"].empty());
  EXPECT_EQ(month["stamps"][0]["from"]["version"], "3.0");
  EXPECT_EQ(month["stamps"][0]["to"]["version"], "2026-03-25");
  EXPECT_EQ(month["stamps"][0]["to"]["hash"], hash);
}

}  // namespace
