#include "runner/runner.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../sim/fake_backend.hpp"
#include "report/report.hpp"
#include "scenario/scenario_load.hpp"

namespace kvittens::harness {
namespace {

namespace fs = std::filesystem;

Scenario scenario(const std::string& expect_block) {
  const fs::path dir =
      fs::temp_directory_path() / ("kvittens-runner-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(std::string(KVITTENS_SOURCE_DIR) + "/tests/scenario/data/world.world.yaml",
                dir / "world.world.yaml", fs::copy_options::overwrite_existing);
  std::ofstream(dir / "s.yaml")
      << "scenario: runner test\n"
         "clause: \"000 4.10\"\n"
         "rules: [\"fake@1\"]\n"
         "include: world.world.yaml\n"
         "steps:\n"
         "  - at: 2026-03-02T08:00\n"
         "    start_visit: {visit: v1, staff: anna, customer: elsa, receipt: nfc}\n"
         "  - at: \"08:29\"\n"
         "    select_insats: {visit: v1, insats: Dusch}\n"
         "  - at: \"08:30\"\n"
         "    end_visit: {visit: v1, receipt: nfc}\n"
      << expect_block;
  return load_scenario((dir / "s.yaml").string(), {}, "s.yaml");
}

RunOptions fake_options(std::shared_ptr<std::vector<Registration>> sink = nullptr) {
  RunOptions o;
  o.backend = [sink](const std::string&) {
    auto b = std::make_unique<testing::FakeBackend>();
    b->sink = sink;
    return b;
  };
  return o;
}

TEST(Runner, MatchingExpectationsPass) {
  const auto s = scenario("expect:\n  visits:\n    v1: {paid_minutes: 30, state: approved}\n");
  const auto r = run_scenario(s, "fake@1", fake_options());
  EXPECT_EQ(r.status, RunStatus::Pass) << failure_text(r, false);
}

TEST(Runner, AWrongExpectationFailsWithAnExpectedVersusActualDiffAndTheTrace) {
  const auto s = scenario("expect:\n  visits:\n    v1: {paid_minutes: 45, clauses: [\"4.13\"]}\n");
  const auto r = run_scenario(s, "fake@1", fake_options());
  ASSERT_EQ(r.status, RunStatus::Fail);
  ASSERT_EQ(r.mismatches.size(), 2u);
  EXPECT_EQ(r.mismatches[0].field, "paid_minutes");
  EXPECT_EQ(r.mismatches[0].expected, 45);
  EXPECT_EQ(r.mismatches[0].actual, 30);
  EXPECT_EQ(r.mismatches[0].where.str(), "s.yaml:14:5");
  EXPECT_EQ(r.mismatches[1].field, "clauses");
  const std::string text = failure_text(r, false);
  EXPECT_NE(text.find("s.yaml:14:5  decision v1 › paid_minutes\n"
                      "      - expected: 45\n"
                      "      + actual:   30\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("trace of v1"), std::string::npos) << text;
  EXPECT_NE(text.find("4.10  fake: receipts not checked"), std::string::npos) << text;
}

TEST(Runner, ARegistrationExpectedAbsentFailsWhenADecisionExists) {
  const auto s = scenario("expect:\n  visits:\n    v1: {registered: false}\n");
  const auto r = run_scenario(s, "fake@1", fake_options());
  ASSERT_EQ(r.status, RunStatus::Fail);
  EXPECT_EQ(r.mismatches[0].field, "registered");
}

TEST(Runner, ReceiptsComeFromTheDevicesNotFromTheScenario) {
  auto received = std::make_shared<std::vector<Registration>>();
  const auto s = scenario("expect: {}\n");
  run_scenario(s, "fake@1", fake_options(received));
  ASSERT_EQ(received->size(), 1u);
  const auto& v = std::get<Visit>(received->at(0));
  EXPECT_EQ(v.start_receipt.kind, ReceiptKind::Nfc);
  EXPECT_EQ(v.start_receipt.tag_uid, "04:A1:00:00:00:00:01");
  EXPECT_EQ(v.start, parse_local("2026-03-02T08:00"));
  EXPECT_EQ(v.registered_at, parse_local("2026-03-02T08:30"));
}

TEST(Runner, ABackendThatCannotStartIsAnErrorNotAPass) {
  const auto s = scenario("expect: {}\n");
  RunOptions o;
  o.backend = [](const std::string& rules) -> std::unique_ptr<BackendClient> {
    throw std::runtime_error("unknown rule pack " + rules);
  };
  const auto r = run_scenario(s, "nope@1", o);
  EXPECT_EQ(r.status, RunStatus::Error);
  EXPECT_EQ(r.error, "unknown rule pack nope@1");
}

TEST(Runner, ParallelRunsGiveResultsInJobOrderAndIdenticalJson) {
  const auto pass = scenario("expect:\n  visits:\n    v1: {paid_minutes: 30}\n");
  std::vector<Job> jobs;
  for (int i = 0; i < 8; ++i) jobs.push_back({&pass, "fake@" + std::to_string(i)});
  const auto a = run_jobs(jobs, fake_options(), 4);
  const auto b = run_jobs(jobs, fake_options(), 1);
  ASSERT_EQ(a.size(), 8u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(a[i].rules, "fake@" + std::to_string(i));
  EXPECT_EQ(to_json(a, {}).dump(2), to_json(b, {}).dump(2));
}

TEST(Report, JUnitCarriesTheFailureAndEscapesXml) {
  const auto s = scenario("expect:\n  visits:\n    v1: {paid_minutes: 45}\n");
  auto r = run_scenario(s, "fake@1", fake_options());
  r.name = "a <b> & c";
  const std::string xml = to_junit({r});
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"a &lt;b&gt; &amp; c [fake@1]\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"decision v1 paid_minutes: expected 45, actual 30\""),
            std::string::npos)
      << xml;
}

}  // namespace
}  // namespace kvittens::harness
