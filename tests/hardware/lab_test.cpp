// `kvittens run --lab`: the lab file's located errors, and a lab run against emulators started
// as separate processes (`kvittens emulate nfc|ble`), so the lab path goes through a real pty
// and a real D-Bus exactly as with devices on a bench.
#include "harness/lab.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

namespace kvittens::harness {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path temp_dir() {
  const auto dir = fs::temp_directory_path() / ("kvittens-lab-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string write(const std::string& name, const std::string& text) {
  const auto path = temp_dir() / name;
  std::ofstream(path) << text;
  return path.string();
}

std::string error_of(const std::string& text) {
  const auto path = write("lab.yaml", text);
  try {
    load_lab_file(path, "lab.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(LabFile, ReadsPhonesDoorsAndLocks) {
  const auto lab = load_lab_file(write("ok.yaml",
                                       "nfc: {present_timeout_ms: 1500}\n"
                                       "phones:\n"
                                       "  - {staff: anna, reader: \"pn532_uart:/dev/ttyUSB0\"}\n"
                                       "doors:\n"
                                       "  - door: elsa\n"
                                       "    nfc: {tag: \"04:A1:B2:C3:D4:E5:80\", actuator: none}\n"
                                       "locks:\n"
                                       "  - {lock: \"AA:BB:CC:DD:EE:21\", bus: system}\n"),
                                 "ok.yaml");
  EXPECT_EQ(lab.present_timeout, 1500ms);
  ASSERT_EQ(lab.phones.size(), 1u);
  EXPECT_EQ(lab.phones[0].reader, "pn532_uart:/dev/ttyUSB0");
  ASSERT_EQ(lab.doors.size(), 1u);
  EXPECT_EQ(lab.doors[0].tag, "04:A1:B2:C3:D4:E5:80");
  ASSERT_EQ(lab.locks.size(), 1u);
  EXPECT_EQ(lab.locks[0].bus, "");  // system
  EXPECT_EQ(lab.locks[0].adapter, "hci0");
  EXPECT_TRUE(lab.locks[0].admin_key.empty());
}

TEST(LabFile, EachErrorNamesFileLineAndColumn) {
  const std::pair<const char*, const char*> cases[] = {
      {"phones:\n  - {staff: anna, raeder: x}\n",
       "lab.yaml:2:19: unknown key 'raeder' in phone; did you mean 'reader'?"},
      {"nfc: {present_timeout_ms: soon}\n", "lab.yaml:1:27: expected present_timeout_ms"},
      {"doors:\n  - door: elsa\n    nfc: {tag: \"04:A1\"}\n",
       "lab.yaml:3:16: expected a 7-byte tag UID"},
      {"doors:\n  - door: elsa\n    nfc: {actuator: robot}\n",
       "lab.yaml:3:21: unknown actuator 'robot'"},
      {"locks:\n  - {lock: \"AA:BB\", bus: system}\n", "lab.yaml:2:12: expected a BLE address"},
      {"locks:\n  - {lock: \"AA:BB:CC:DD:EE:21\", bus: bluetoothd}\n",
       "lab.yaml:2:38: expected bus as \"system\" or a D-Bus address"},
      {"locks:\n  - {lock: \"AA:BB:CC:DD:EE:21\", bus: system, admin_key_hex: abc}\n",
       "lab.yaml:2:61: expected admin_key_hex as 64 hex digits"},
      {"phones:\n  - {staff: anna, reader: a}\n  - {staff: anna, reader: b}\n",
       "lab.yaml:3:13: staff member 'anna' is listed twice"},
      {"phones: {anna: x}\n", "lab.yaml:1:9: expected phones as a list"},
      {"readers: []\n", "lab.yaml:1:1: unknown key 'readers'"},
  };
  for (const auto& [text, error] : cases) {
    EXPECT_NE(error_of(text).find(error), std::string::npos) << "for:\n"
                                                             << text << "got: " << error_of(text);
  }
}

// A child process whose stdout is read until a line with `prefix` appears.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(out[1], 1);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    fd_ = out[0];
  }
  ~Child() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    close(fd_);
  }
  // The rest of the line after `prefix`; the line's appearance is the readiness signal.
  std::string value_after(const std::string& prefix) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (true) {
      const auto at = text_.find(prefix);
      if (at != std::string::npos && text_.find('\n', at) != std::string::npos) {
        const auto from = at + prefix.size();
        return text_.substr(from, text_.find('\n', from) - from);
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw std::runtime_error("no '" + prefix + "' in: " + text_);
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[512];
      const auto n = read(fd_, buf, sizeof buf);
      if (n <= 0) throw std::runtime_error("the emulator exited: " + text_);
      text_.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string text_;
};

struct Cli {
  int exit_code = -1;
  std::string out;
};

Cli kvittens(const std::string& args) {
  const std::string cmd = std::string(KVITTENS_BINARY) + " " + args + " 2>&1";
  Cli r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

const std::string kKey = "2121212121212121212121212121212121212121212121212121212121212121";
const std::string kHardware = std::string(KVITTENS_SOURCE_DIR) + "/scenarios/hardware/";

struct LabRun : ::testing::Test {
  Child nfc{{KVITTENS_BINARY, "emulate", "nfc", "--tag", "04:C1:00:00:00:00:01"}};
  Child ble{{KVITTENS_BINARY, "emulate", "ble", "--lock", "AA:BB:CC:DD:EE:21", "--key", kKey}};

  std::string lab_file(const std::string& extra = "") {
    return write("lab.yaml",
                 "nfc: {present_timeout_ms: 5000}\n"
                 "phones:\n"
                 "  - {staff: anna, reader: \"" +
                     nfc.value_after("export LIBNFC_DEVICE=") +
                     "\"}\n"
                     "locks:\n"
                     "  - lock: \"AA:BB:CC:DD:EE:21\"\n"
                     "    bus: \"" +
                     ble.value_after("export DBUS_SYSTEM_BUS_ADDRESS=") +
                     "\"\n"
                     "    admin_key_hex: \"" +
                     kKey + "\"\n" + extra);
  }
};

TEST_F(LabRun, RunsAScenarioOnTheLabsReaderAndLockAskingTheOperator) {
  const auto r = kvittens("run --lab " + lab_file() + " " + kHardware + "nfc-and-lock-visits.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("hardware lab"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kvittens lab: anna at door elsa: present sticker 04:C1:00:00:00:00:01"),
            std::string::npos)
      << r.out;
}

TEST_F(LabRun, ARealStickerStandsForTheScenariosTagAtItsDoor) {
  // The sticker on the bench has another UID than the scenario's tag for Elsa's door.
  Child other{{KVITTENS_BINARY, "emulate", "nfc", "--tag", "04:99:88:77:66:55:44"}};
  const auto lab = write("lab2.yaml", "phones:\n  - {staff: anna, reader: \"" +
                                          other.value_after("export LIBNFC_DEVICE=") +
                                          "\"}\n"
                                          "doors:\n  - door: elsa\n"
                                          "    nfc: {tag: \"04:99:88:77:66:55:44\"}\n"
                                          "locks:\n  - lock: \"AA:BB:CC:DD:EE:21\"\n    bus: \"" +
                                          ble.value_after("export DBUS_SYSTEM_BUS_ADDRESS=") +
                                          "\"\n    admin_key_hex: \"" + kKey + "\"\n");
  const auto r = kvittens("run --lab " + lab + " " + kHardware + "nfc-and-lock-visits.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("present sticker 04:99:88:77:66:55:44"), std::string::npos) << r.out;
}

TEST_F(LabRun, AFaultOnlyAnEmulatorCanProduceIsALabErrorNotAFailure) {
  const auto r = kvittens("run --lab " + lab_file() + " " + kHardware + "nfc-corrupted-frame.yaml");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("needs an emulator"), std::string::npos) << r.out;
}

TEST_F(LabRun, ADoorTheLabFileDoesNotMapIsAnError) {
  // No reader for bo's phone: the run cannot go on.
  const auto s = write("bo.yaml", std::string("scenario: bo reads\nclause: \"000 4.10\"\n"
                                              "rules: [\"nacka-hemtjanst@3.0\"]\ninclude: ") +
                                      kHardware +
                                      "hardware.world.yaml\nsteps:\n"
                                      "  - at: 2026-03-02T08:00\n"
                                      "    read_tag: {staff: bo, door: elsa}\n"
                                      "expect: {}\n");
  const auto r = kvittens("run --lab " + lab_file() + " " + s);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("has no NFC reader for bo's phone or door elsa"), std::string::npos)
      << r.out;
}

TEST(LabCli, ABadLabFileIsALocatedUsageError) {
  const auto lab = write("bad.yaml", "phones:\n  - {staff: anna, raeder: x}\n");
  const auto r = kvittens("run --lab " + lab + " " + kHardware + "nfc-and-lock-visits.yaml");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("bad.yaml:2:19: unknown key 'raeder'"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kvittens::harness
