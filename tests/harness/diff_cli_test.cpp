// `kvittens diff` end to end. The scenarios the 2026-03-25 revision affects are derived here
// from the data — the matrix cells the pack says changed, the repayment parameter, and what
// each scenario registers — never listed by name; the diff must list exactly those. A change
// the scenarios do not declare makes it exit 1.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../cli/run_cli.hpp"
#include "../service/serve_process.hpp"

namespace {

namespace fs = std::filesystem;
using kvittens::cli_test::run_kvittens;
using Json = nlohmann::json;

const std::string kSource = KVITTENS_SOURCE_DIR;
const std::string kFrom = "nacka-hemtjanst@3.0";
const std::string kTo = "nacka-hemtjanst@2026-03-25";

using kvittens::cli_test::read_text;

struct Affected {
  std::set<std::string> outcome;  // the outcome changes
  std::set<std::string> reasons;  // same outcome, other clauses (a changed pair with a note)
};

std::vector<std::string> insats_names(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n.IsScalar()) out.push_back(n.as<std::string>());
  if (n.IsSequence()) {
    for (const auto& x : n) {
      if (x.IsScalar()) out.push_back(x.as<std::string>());
      if (x.IsMap() && x["insats"]) out.push_back(x["insats"].as<std::string>());
    }
  }
  return out;
}

// What the revision changes, read from the pack, and which scenarios register it.
Affected derive_affected() {
  const auto pack = YAML::LoadFile(kSource + "/rules/nacka-hemtjanst.yaml");
  std::string to_effective;
  for (const auto& v : pack["versions"]) {
    if ("nacka-hemtjanst@" + v["version"].as<std::string>() == kTo)
      to_effective = v["effective"].as<std::string>();
  }
  std::set<std::set<std::string>> cells;  // changed matrix cells, as unordered pairs
  for (const auto& c : pack["matrix"]["changes"]) {
    if (c["effective"].as<std::string>() != to_effective) continue;
    for (const auto& cell : c["cells"]) {
      cells.insert({cell["a"].as<std::string>(), cell["b"].as<std::string>()});
    }
  }
  const auto repayment = pack["parameters"]["repayment"]["values"];
  const bool repayment_starts = !repayment[to_effective].IsNull() &&
                                repayment[to_effective].as<bool>() &&
                                !repayment.begin()->second.as<bool>();
  EXPECT_FALSE(cells.empty()) << "the pack names the cells the revision changed";
  EXPECT_TRUE(repayment_starts) << "repayment starts with the revision (I-14)";

  Affected out;
  for (const auto& e : fs::recursive_directory_iterator(kSource + "/scenarios")) {
    const std::string path = e.path().string();
    if (e.path().extension() != ".yaml" || path.ends_with(".world.yaml")) continue;
    const auto doc = YAML::LoadFile(path);
    bool hemtjanst = false;
    for (const auto& r : doc["rules"])
      hemtjanst |= r.as<std::string>().starts_with("nacka-hemtjanst@");
    if (!hemtjanst) continue;
    const std::string rel = fs::relative(e.path(), kSource).string();
    std::map<std::string, std::set<std::string>> insatser;
    std::set<std::string> noted;
    std::map<std::string, int> payments;
    for (const auto& step : doc["steps"]) {
      for (auto it = step.begin(); it != step.end(); ++it) {
        const std::string action = it->first.as<std::string>();
        const YAML::Node body = it->second;
        if (!body.IsMap() || !body["visit"]) continue;
        const std::string visit = body["visit"].as<std::string>();
        if (action == "select_insats" || action == "manual_visit") {
          for (const auto& n : insats_names(body["insats"])) insatser[visit].insert(n);
        }
        if (action == "note" || (action == "manual_visit" && body["note"])) noted.insert(visit);
        if (action == "record_payment") payments[visit] = body["paid_minutes"].as<int>();
      }
    }
    for (const auto& [visit, names] : insatser) {
      for (const auto& cell : cells) {
        if (!std::includes(names.begin(), names.end(), cell.begin(), cell.end())) continue;
        (noted.count(visit) ? out.reasons : out.outcome).insert(rel);
      }
    }
    // Overpaid: recorded as paid above what the scenario expects to be due.
    for (const auto& [visit, paid] : payments) {
      const auto due = doc["expect"]["visits"][visit]["paid_minutes"];
      EXPECT_TRUE(due) << rel << ": a payment needs the visit's expected paid_minutes";
      if (due && paid > due.as<int>()) out.outcome.insert(rel);
    }
  }
  for (const auto& f : out.outcome) out.reasons.erase(f);
  return out;
}

Json diff_json(const std::string& args, int expect_exit) {
  const auto r = run_kvittens("diff --json " + args + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, expect_exit) << r.out;
  try {
    return Json::parse(r.out);
  } catch (const Json::exception& e) {
    ADD_FAILURE() << e.what() << "\n" << r.out;
    return Json::object();
  }
}

TEST(Diff, TheShippedVersionsDifferInExactlyTheScenariosTheRevisionAffects) {
  const auto affected = derive_affected();
  ASSERT_GE(affected.outcome.size(), 2u) << "a matrix pair and a repayment at least";

  const auto doc = diff_json("--from " + kFrom + " --to " + kTo + " -j 2", 0);
  std::set<std::string> changed, reasons;
  for (const auto& s : doc["scenarios"]) {
    (s["status"] == "changed" ? changed : reasons).insert(s["file"].get<std::string>());
    for (const auto& d : s["differences"]) {
      if (d["outcome_changed"] == true) {
        EXPECT_TRUE(d["declared"].get<bool>()) << d.dump();
      }
    }
  }
  EXPECT_EQ(changed, affected.outcome);
  EXPECT_EQ(reasons, affected.reasons);
  EXPECT_EQ(doc["summary"]["undeclared"], 0);
  EXPECT_EQ(doc["summary"]["errors"], 0);
}

TEST(Diff, PrintsEachChangedDecisionWithMinutesStateFeeAndClauses) {
  const auto r = run_kvittens("diff --from " + kFrom + " --to " + kTo + " " + kSource +
                              "/scenarios/versions/stadning-tvatt-without-note.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  for (const char* part :
       {"CHANGED  scenarios/versions/stadning-tvatt-without-note.yaml",
        "visit v1 (visit, customer vera, staff anna, 2026-04-06T10:00–11:30)  declared",
        "paid 60 → 90 min · state reduced → approved",
        "insats Tvätt: paid 0 → 30 min · state rejected → approved · fee no → yes · clauses −4.15 "
        "+4.2",
        "1 scenario(s) with changed outcomes (1 decision(s), all declared)"}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  }
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "no colour when not a terminal";
}

// A copy of one versions scenario (and its world) whose expectations are edited.
fs::path edited_copy(const std::string& name, const std::string& from, const std::string& to) {
  const fs::path dir = fs::temp_directory_path() / ("kvittens-diff-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kSource + "/scenarios/versions/versions.world.yaml", dir / "versions.world.yaml");
  std::string text = read_text(kSource + "/scenarios/versions/" + name);
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  std::ofstream(dir / name) << text;
  return dir / name;
}

TEST(Diff, AChangeTheScenarioDoesNotDeclareExitsOne) {
  // Without its 2026-03-25 block the scenario only says what 3.0 pays: the change is silent.
  const std::string block = "    \"nacka-hemtjanst@2026-03-25\":";
  const auto text = read_text(kSource + "/scenarios/versions/stadning-tvatt-without-note.yaml");
  const auto file =
      edited_copy("stadning-tvatt-without-note.yaml", text.substr(text.find(block)), "");
  const auto doc = diff_json("--from " + kFrom + " --to " + kTo + " " + file.string(), 1);
  EXPECT_EQ(doc["summary"]["undeclared"], 1);
  const auto& d = doc["scenarios"][0]["differences"][0];
  EXPECT_EQ(d["subject"], "visit v1");
  EXPECT_FALSE(d["declared"].get<bool>());

  const auto r = run_kvittens("diff --from " + kFrom + " --to " + kTo + " " + file.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("visit v1 (visit, customer vera, staff anna, 2026-04-06T10:00–11:30)  "
                       "UNDECLARED: no expectation under nacka-hemtjanst@3.0 and "
                       "nacka-hemtjanst@2026-03-25 pins what changed in visit v1"),
            std::string::npos)
      << r.out;
}

TEST(Diff, AChangeWhoseExpectationDoesNotHoldIsNotDeclared) {
  // The 2026-03-25 block now says 80 where 90 are paid.
  const auto file =
      edited_copy("lunch-inkop-without-note.yaml", "paid_minutes: 70", "paid_minutes: 80");
  const auto doc = diff_json("--from " + kFrom + " --to " + kTo + " " + file.string(), 1);
  const auto& s = doc["scenarios"][0];
  EXPECT_EQ(s["expectations"]["to"], "fail");
  EXPECT_EQ(s["differences"][0]["note"],
            "the expectations under nacka-hemtjanst@2026-03-25 do not hold");
}

TEST(Diff, AnUnchangedRepaymentScenarioIsNotListed) {
  const auto doc = diff_json("--from " + kFrom + " --to " + kTo + " " + kSource +
                                 "/scenarios/versions/repayment-nothing-overpaid.yaml",
                             0);
  EXPECT_EQ(doc["summary"]["unchanged"], 1);
  EXPECT_TRUE(doc["scenarios"].empty());
}

TEST(Diff, UsageErrorsExitTwo) {
  for (const std::string& args : std::vector<std::string>{
           "", "--from " + kFrom, "--from " + kFrom + " --to nacka-boendestod@1.0",
           "--from " + kFrom + " --to nacka-hemtjanst@9",
           "--from " + kFrom + " --to " + kTo + " --from-backend http://127.0.0.1:1",
           "--from-backend http://127.0.0.1:1 --to-backend http://127.0.0.1:1",
           "--from " + kFrom + " --to " + kTo + " /no/such/path"}) {
    const auto r = run_kvittens("diff " + args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
    EXPECT_FALSE(r.out.empty()) << args;
  }
}

// The same synthetic month under both versions. Its totals before are those `kvittens
// simulate` reports for the month; every visit that combines a cell the revision changed is
// listed (its 4.15 reasoning moves), and nothing else.
TEST(DiffMonth, TotalsPerProviderAndTheVisitsWithAChangedCell) {
  kvittens::testing::TempDir dir;
  const std::string month = "--customers 60 --staff 12 --days 21 --seed 3";
  const auto sim = run_kvittens("simulate --no-progress " + month + " --json " +
                                (dir.path / "sim.json").string());
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  const auto simulated = Json::parse(read_text(dir.path / "sim.json"));
  const auto doc = diff_json("--month " + month + " --from " + kFrom + " --to " + kTo, 0);
  ASSERT_EQ(doc["mode"], "month");

  std::map<std::string, Json> by_provider;
  for (const auto& p : doc["providers"]) by_provider[p["provider"]] = p;
  ASSERT_EQ(by_provider.size(), simulated["summary"]["providers"].size());
  for (const auto& s : simulated["summary"]["providers"]) {
    const auto& p = by_provider.at(s["provider"]);
    EXPECT_EQ(p["before"]["paid_minutes"], s["paid_minutes"]);
    EXPECT_EQ(p["before"]["decisions"], s["decisions"]);
    EXPECT_EQ(p["before"]["manual_visits"], s["manual_visits"]);
  }

  // The changed cells from the pack, and the simulated visits that combine one.
  std::set<std::set<std::string>> cells;
  for (const auto& c : YAML::LoadFile(kSource + "/rules/nacka-hemtjanst.yaml")["matrix"]["changes"])
    for (const auto& cell : c["cells"])
      cells.insert({cell["a"].as<std::string>(), cell["b"].as<std::string>()});
  std::set<std::string> combining;
  for (const auto& part : simulated["parts"]) {
    for (const auto& d : part["decisions"]["decisions"]) {
      std::set<std::string> names;
      for (const auto& i : d["insatser"]) names.insert(i["insats"].get<std::string>());
      for (const auto& cell : cells)
        if (std::includes(names.begin(), names.end(), cell.begin(), cell.end()))
          combining.insert("visit " + d["id"].get<std::string>());
    }
  }
  ASSERT_FALSE(combining.empty()) << "choose a month where Städning meets an extra Tvätt";
  std::set<std::string> listed;
  for (const auto& c : doc["changes"]) listed.insert(c["subject"].get<std::string>());
  for (const auto& c : doc["same_outcome_other_clauses"]) listed.insert(c.get<std::string>());
  EXPECT_EQ(listed, combining);

  // The same version on both sides: nothing moves.
  const auto same = diff_json("--month " + month + " --from " + kFrom + " --to " + kFrom, 0);
  EXPECT_EQ(same["summary"]["changed"], 0);
  EXPECT_EQ(same["summary"]["same_outcome_other_clauses"], 0);
  for (const auto& p : same["providers"]) EXPECT_EQ(p["before"], p["after"]);
}

TEST(DiffBackends, TwoServersUnderOneVersionGiveTheSameDecisions) {
  using kvittens::testing::ServeProcess;
  using kvittens::testing::TempDir;
  TempDir dir;
  ServeProcess a(dir.path / "a.db"), b(dir.path / "b.db");
  const auto doc =
      diff_json("--from-backend " + a.url() + " --to-backend " + b.url() + " --token " +
                    ServeProcess::kSandboxToken + " -j 2 " + kSource + "/scenarios/versions",
                0);
  // Every versions scenario runs under each of its rule selections on both servers.
  int runs = 0;
  for (const auto& e : fs::directory_iterator(kSource + "/scenarios/versions")) {
    if (e.path().string().ends_with(".world.yaml")) continue;
    runs += static_cast<int>(YAML::LoadFile(e.path().string())["rules"].size());
  }
  EXPECT_GT(runs, 0);
  EXPECT_EQ(doc["summary"]["scenarios"], runs);
  EXPECT_EQ(doc["summary"]["unchanged"], runs);
  EXPECT_EQ(doc["from"], a.url());

  // A backend that is not there: the runs cannot run, exit 2.
  const auto r = run_kvittens("diff --from-backend " + a.url() +
                              " --to-backend http://127.0.0.1:1"
                              " --token " +
                              ServeProcess::kSandboxToken + " " + kSource +
                              "/scenarios/versions/kallsortering-both-versions.yaml");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("ERROR"), std::string::npos) << r.out;
}

}  // namespace
