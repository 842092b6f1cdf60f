// Scenarios run with `--hardware emulated`: the library's hardware suite passes with every
// receipt coming through the real drivers, gives byte for byte the decisions and activity of
// `--hardware none`, and a wrong expectation about a device still fails the run.
#include "runner/runner.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "backend/inprocess.hpp"
#include "backend/rulepack/rule_pack.hpp"
#include "report/report.hpp"
#include "scenario/discover.hpp"
#include "scenario/scenario_load.hpp"

namespace kvittens::harness {
namespace {

namespace fs = std::filesystem;

const std::string kScenarios = std::string(KVITTENS_SOURCE_DIR) + "/scenarios";

Scenario load(const std::string& path) {
  LoadOptions o;
  o.insats_catalogue = [](const std::string& rules) {
    return backend::load_rule_pack(rules).insats_names();
  };
  return load_scenario(path, o, display_path(path));
}

RunOptions options(HardwareMode mode) {
  RunOptions o;
  o.backend = [](const std::string& rules) -> std::unique_ptr<BackendClient> {
    return backend::make_inprocess_backend(rules);
  };
  o.hardware = mode;
  return o;
}

std::string describe(const RunResult& r) {
  std::string s = r.file + ": " + to_string(r.status) + " " + r.error;
  for (const auto& m : r.mismatches) {
    s += "\n  " + m.subject + " " + m.field + ": expected " + m.expected.dump() + ", got " +
         m.actual.dump();
  }
  return s;
}

// Everything a run reports except which hardware it ran on.
std::string report_without_hardware(const std::vector<RunResult>& results) {
  ReportOptions r;
  auto doc = to_json(results, r);
  doc.erase("hardware");
  return doc.dump(1);
}

class HardwareSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(HardwareSuite, PassesOnEmulatedHardwareAsOnNone) {
  const Scenario s = load(GetParam());
  std::vector<RunResult> emulated, none;
  for (const auto& rules : s.rules) {
    emulated.push_back(run_scenario(s, rules, options(HardwareMode::Emulated)));
    none.push_back(run_scenario(s, rules, options(HardwareMode::None)));
    EXPECT_EQ(emulated.back().status, RunStatus::Pass) << describe(emulated.back());
    EXPECT_EQ(none.back().status, RunStatus::Pass) << describe(none.back());
  }
  EXPECT_EQ(report_without_hardware(emulated), report_without_hardware(none));
}

std::vector<std::string> hardware_suite() {
  std::vector<std::string> files = discover_scenarios({kScenarios + "/hardware"});
  // And a few of the other suites' device scenarios.
  for (const char* f : {"hemtjanst/nfc-visit.yaml", "hemtjanst/lock-visit.yaml",
                        "hemtjanst/lock-unlock-fails-with-note.yaml",
                        "hemtjanst/cohabitants-shared-lock-interleaved.yaml"}) {
    files.push_back(kScenarios + "/" + f);
  }
  return files;
}

INSTANTIATE_TEST_SUITE_P(Library, HardwareSuite, ::testing::ValuesIn(hardware_suite()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = fs::path(info.param).stem().string();
                           for (auto& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(HardwareSuiteCoverage, HasAScenarioForEveryDeviceFault) {
  const auto files = discover_scenarios({kScenarios + "/hardware"});
  std::set<std::string> nfc, lock;
  for (const auto& f : files) {
    for (const auto& fault : load(f).faults) {
      if (fault.kind != Fault::Kind::Device) continue;
      if (fault.device.device == sim::DeviceFault::Device::Nfc) {
        nfc.insert(kvittens::to_string(fault.device.error));
      } else if (fault.device.condition) {
        lock.insert(sim::to_string(*fault.device.condition));
      }
    }
  }
  for (const char* e : {"no-tag", "tag-removed", "protocol", "timeout", "disconnected"}) {
    EXPECT_TRUE(nfc.count(e)) << "no scenario for the NFC fault " << e;
  }
  for (const char* c : {"out-of-range", "disconnect-during-unlock", "wrong-key", "low-battery",
                        "clock-drift", "log-full", "replay-last-entry", "bad-mac"}) {
    EXPECT_TRUE(lock.count(c)) << "no scenario for the lock fault " << c;
  }
}

// The device's error is checked, not just the decision: expecting another error fails.
TEST(EmulatedRun, AWrongExpectationAboutTheDriversErrorFailsTheRun) {
  Scenario s = load(kScenarios + "/hardware/nfc-timeout.yaml");
  s.expect.log = {{s.where, "anna: tag read failed: protocol"}};
  const auto r = run_scenario(s, s.rules.front(), options(HardwareMode::Emulated));
  ASSERT_EQ(r.status, RunStatus::Fail) << describe(r);
  ASSERT_EQ(r.mismatches.size(), 1u);
  EXPECT_EQ(r.mismatches[0].field, "line");
}

TEST(EmulatedRun, AWrongExpectationAboutTheFallbackFailsTheRun) {
  Scenario s = load(kScenarios + "/hardware/lock-clock-drift.yaml");
  s.expect.visits["v1"].paid_minutes = 45;  // as if the drifted receipts counted
  const auto r = run_scenario(s, s.rules.front(), options(HardwareMode::Emulated));
  EXPECT_EQ(r.status, RunStatus::Fail) << describe(r);
}

}  // namespace
}  // namespace kvittens::harness
