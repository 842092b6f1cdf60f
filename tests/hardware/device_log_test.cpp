// The device log of whole scenario runs on emulated hardware: each step's entries are what its
// receipts put on the wire (PN532 frames of a tag read, D-Bus calls of an unlock), faults show
// the failing frame or error, and no name or note text reaches the log — in-process and over
// HTTP against a `kvittens serve` child, through `kvittens run --device-log`.
#include "report/device_log_json.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "backend/inprocess.hpp"
#include "backend/rulepack/rule_pack.hpp"
#include "report/report.hpp"
#include "runner/runner.hpp"
#include "scenario/discover.hpp"
#include "scenario/scenario_load.hpp"
#include "tests/service/serve_process.hpp"

namespace kvittens::harness {
namespace {

const std::string kScenarios = std::string(KVITTENS_SOURCE_DIR) + "/scenarios";
const std::string kData = std::string(KVITTENS_SOURCE_DIR) + "/tests/hardware/data";

// The unique strings of tests/hardware/data/privacy*.yaml: names and note texts.
const std::vector<std::string> kPersonal = {
    "Zorbleth",     "Omsorgsbolag", "Qwyndolyn",     "Staffperson", "Xanthippa",
    "Kundnamnsson", "Yggvaldur",    "Lasinnehavare", "Plimsoroth",  "Vrendashka"};

Scenario load(const std::string& path) {
  LoadOptions o;
  o.insats_catalogue = [](const std::string& rules) {
    return backend::load_rule_pack(rules).insats_names();
  };
  return load_scenario(path, o, display_path(path));
}

RunResult run_emulated(const std::string& path) {
  RunOptions o;
  o.backend = [](const std::string& rules) -> std::unique_ptr<BackendClient> {
    return backend::make_inprocess_backend(rules);
  };
  o.hardware = HardwareMode::Emulated;
  const Scenario s = load(path);
  return run_scenario(s, s.rules.front(), o);
}

std::string dump(const std::vector<DeviceLogEntry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    out += std::to_string(e.seq) + " [" + e.step + "] " + e.device + " " + e.direction + " " +
           e.what + " " + e.detail + " " + e.verdict + "\n";
  }
  return out;
}

std::vector<DeviceLogEntry> of_step(const RunResult& r, const std::string& step) {
  std::vector<DeviceLogEntry> out;
  for (const auto& e : r.device_log) {
    if (e.step == step) out.push_back(e);
  }
  return out;
}

// The entries contain these (direction, what) in this order, other entries between allowed.
void expect_in_order(const std::vector<DeviceLogEntry>& entries,
                     const std::vector<std::pair<std::string, std::string>>& wanted) {
  std::size_t at = 0;
  for (const auto& [direction, what] : wanted) {
    while (at < entries.size() &&
           !(entries[at].direction == direction && entries[at].what == what)) {
      ++at;
    }
    ASSERT_LT(at, entries.size()) << direction << " " << what << " missing or out of order:\n"
                                  << dump(entries);
    ++at;
  }
}

TEST(DeviceLogRuns, ATagReadAndAnUnlockAreLoggedInOrderUnderTheirSteps) {
  const auto r = run_emulated(kScenarios + "/hardware/nfc-and-lock-visits.yaml");
  ASSERT_EQ(r.status, RunStatus::Pass) << r.error;
  const auto nfc = of_step(r, "2 start_visit v1");
  expect_in_order(nfc, {{"host>reader", "InListPassiveTarget"},
                        {"reader>host", "ACK"},
                        {"reader>host", "InListPassiveTarget"},
                        {"host>reader", "InDataExchange"},
                        {"reader>host", "InDataExchange"},
                        {"host>reader", "InDeselect"}});
  ASSERT_FALSE(nfc.empty());
  EXPECT_EQ(nfc.front().scenario_time, parse_local("2026-03-02 08:00"));
  const auto lock = of_step(r, "6 start_visit v2");
  expect_in_order(lock, {{"call", "org.bluez.Device1.Connect"},
                         {"reply", "org.bluez.Device1.Connect"},
                         {"call", "org.bluez.GattCharacteristic1.WriteValue"},
                         {"reply", "org.bluez.GattCharacteristic1.ReadValue"},
                         {"call", "org.bluez.GattCharacteristic1.WriteValue"},
                         {"reply", "org.bluez.GattCharacteristic1.ReadValue"},
                         {"call", "org.bluez.Device1.Disconnect"}});
  for (const auto& e : lock) EXPECT_EQ(e.device, "lock:AA:BB:CC:DD:EE:21");
  // One log for the run, in arrival order, steps in scenario order.
  for (std::size_t i = 0; i < r.device_log.size(); ++i) EXPECT_EQ(r.device_log[i].seq, i + 1);
  EXPECT_LT(nfc.back().seq, lock.front().seq);
}

TEST(DeviceLogRuns, AnEmptyFieldShowsTheSelectAnsweredWithNoTarget) {
  const auto r = run_emulated(kScenarios + "/hardware/nfc-no-tag.yaml");
  ASSERT_EQ(r.status, RunStatus::Pass) << r.error;
  const auto start = of_step(r, "2 start_visit v1");
  const bool shown = std::any_of(start.begin(), start.end(), [](const DeviceLogEntry& e) {
    return e.what == "InListPassiveTarget" && e.verdict == "no target";
  });
  EXPECT_TRUE(shown) << dump(start);
}

TEST(DeviceLogRuns, ACorruptedFrameShowsWithItsBadChecksum) {
  const auto r = run_emulated(kScenarios + "/hardware/nfc-corrupted-frame.yaml");
  ASSERT_EQ(r.status, RunStatus::Pass) << r.error;
  const bool shown = std::any_of(r.device_log.begin(), r.device_log.end(),
                                 [](const DeviceLogEntry& e) { return e.verdict == "bad DCS"; });
  EXPECT_TRUE(shown) << dump(r.device_log);
}

TEST(DeviceLogRuns, AWrongKeyShowsTheLocksRefusalAndALostLinkTheDbusError) {
  const auto wrong = run_emulated(kScenarios + "/hardware/lock-wrong-key.yaml");
  ASSERT_EQ(wrong.status, RunStatus::Pass) << wrong.error;
  const auto start = of_step(wrong, "2 start_visit v1");
  // UNLOCK (0x02) answered AUTH_FAILED (0x04).
  const bool refused = std::any_of(start.begin(), start.end(), [](const DeviceLogEntry& e) {
    return e.direction == "reply" && e.detail == "[2] 0204";
  });
  EXPECT_TRUE(refused) << dump(start);

  const auto lost = run_emulated(kScenarios + "/hardware/lock-disconnect-during-unlock.yaml");
  ASSERT_EQ(lost.status, RunStatus::Pass) << lost.error;
  const bool error =
      std::any_of(lost.device_log.begin(), lost.device_log.end(), [](const DeviceLogEntry& e) {
        return e.direction == "error" && e.verdict.rfind("org.bluez.Error.", 0) == 0;
      });
  EXPECT_TRUE(error) << dump(lost.device_log);
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DeviceLogRuns, ThePrivacyScenarioReallyCarriesTheStringsSearchedFor) {
  const std::string scenario =
      read_file(kData + "/privacy.yaml") + read_file(kData + "/privacy.world.yaml");
  for (const auto& s : kPersonal) EXPECT_NE(scenario.find(s), std::string::npos) << s;
}

void expect_no_personal_data(const std::string& text) {
  for (const auto& s : kPersonal) {
    EXPECT_EQ(text.find(s), std::string::npos) << "'" << s << "' is in the device log";
  }
}

TEST(DeviceLogRuns, NoNameOrNoteReachesTheLogInProcess) {
  const auto r = run_emulated(kData + "/privacy.yaml");
  ASSERT_EQ(r.status, RunStatus::Pass) << r.error;
  ASSERT_GT(r.device_log.size(), 20u);
  std::ostringstream all;
  write_device_log_jsonl(all, r.file, r.rules, r.device_log);
  expect_no_personal_data(all.str());
  ReportOptions o;
  o.device_log = true;
  const auto report = to_json({r}, o).dump();
  EXPECT_NE(report.find("\"device_log\""), std::string::npos);
}

TEST(DeviceLogRuns, NoNameOrNoteReachesTheLogOverHttpAndItHasTheRequests) {
  kvittens::testing::TempDir dir;
  kvittens::testing::ServeProcess server(dir.path / "kvittens.db");
  const auto log = dir.path / "device.jsonl";
  const auto json = dir.path / "run.json";
  const std::string cmd = std::string(KVITTENS_BINARY) + " run " + kData + "/privacy.yaml" +
                          " --backend " + server.url() + " --token " +
                          kvittens::testing::ServeProcess::kSandboxToken + " --device-log " +
                          log.string() + " --json " + json.string() + " > " +
                          (dir.path / "out.txt").string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << read_file(dir.path / "out.txt");
  const std::string lines = read_file(log);
  expect_no_personal_data(lines);
  expect_no_personal_data(nlohmann::json::parse(read_file(json)).dump());
  // Every line is a JSON object with wall time; the backend's requests are there with the
  // registration id, and both devices.
  std::istringstream in(lines);
  std::string line;
  int n = 0;
  bool registration = false, nfc = false, lock = false;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    ++n;
    EXPECT_TRUE(j.contains("wall"));
    registration |= j["what"] == "POST /v1/registrations" && j["direction"] == "response" &&
                    j["detail"].get<std::string>().find("id=v2") != std::string::npos;
    nfc |= j["transport"] == "pn532";
    lock |= j["transport"] == "dbus";
  }
  EXPECT_GT(n, 20);
  EXPECT_TRUE(registration) << lines.substr(0, 4000);
  EXPECT_TRUE(nfc);
  EXPECT_TRUE(lock);
  // The report carries the log without wall times.
  const auto report = nlohmann::json::parse(read_file(json));
  const auto& entries = report["runs"][0]["device_log"];
  ASSERT_FALSE(entries.empty());
  EXPECT_FALSE(entries[0].contains("wall"));
}

}  // namespace
}  // namespace kvittens::harness
