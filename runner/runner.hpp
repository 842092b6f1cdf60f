// Runs validated scenarios on the virtual clock: each run gets its own backend, devices and
// phones; steps go through the simulated actors; the backend's decisions are compared with
// the scenario's expectations (compare.hpp). Pure with respect to the console: reports are in
// report.hpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kvittens/backend_client.hpp"
#include "kvittens/clock.hpp"
#include "kvittens/device_log.hpp"
#include "runner/compare.hpp"
#include "scenario/scenario.hpp"
#include "sim/core/hardware.hpp"
#include "sim/core/submissions.hpp"

namespace kvittens::harness {

// none: receipts synthesized; emulated: the PN532 and BlueZ emulators behind the real drivers;
// lab: real devices as a lab file maps them (harness/lab.hpp).
enum class HardwareMode { None, Emulated, Lab };
const char* to_string(HardwareMode m);  // "none", "emulated", "lab"

using BackendFactory = std::function<std::unique_ptr<BackendClient>(const std::string& rules)>;

// The devices for one run: SyntheticHardware for `none`, sim::EmulatedHardware for `emulated`;
// the lab's hardware comes from harness/lab.hpp.
using HardwareFactory = std::function<std::unique_ptr<sim::Hardware>(
    HardwareMode mode, const World& world, const std::vector<sim::Door>& doors, const Clock& clock,
    std::uint64_t seed)>;

std::unique_ptr<sim::Hardware> make_hardware(HardwareMode mode, const World& world,
                                             const std::vector<sim::Door>& doors,
                                             const Clock& clock, std::uint64_t seed);
// Whether `mode` can run in this build (emulated: when the emulators are linked in).
bool hardware_available(HardwareMode mode, std::string& why_not);

// make_hardware with `mode` fixed: the devices of each part of a synthetic month (the shape of
// sim::load::HardwareFactory), for `kvittens simulate` and `kvittens diff --month`.
using ModeHardwareFactory = std::function<std::unique_ptr<sim::Hardware>(
    const World& world, const std::vector<sim::Door>& doors, const Clock& clock,
    std::uint64_t seed)>;
ModeHardwareFactory hardware_factory(HardwareMode mode);
// A fresh in-process backend (backend/inprocess.hpp) under the rules each run names.
BackendFactory inprocess_backends();

enum class RunStatus { Pass, Fail, Error };
const char* to_string(RunStatus s);

struct RunResult {
  std::string file;
  std::string name;
  std::string clause;
  std::string rules;
  std::vector<std::string> tags;
  RunStatus status = RunStatus::Pass;
  std::string error;  // RunStatus::Error: why the scenario could not run
  std::vector<Mismatch> mismatches;
  Decisions decisions;
  Registrations registrations;  // what the backend accepted, in arrival order (for reports)
  sim::ActivityLog log;
  // What crossed the devices' and the backend's transports, in order, each entry stamped with
  // its step ("3 start_visit v1") and scenario time (docs/device-log.md).
  std::vector<DeviceLogEntry> device_log;
};

struct RunOptions {
  BackendFactory backend;
  HardwareMode hardware = HardwareMode::None;
  HardwareFactory hardware_factory = make_hardware;
  std::uint64_t seed = 1;
  // true: device details (lock sequence numbers) depend on the scenario and its rules; false:
  // on the scenario only, so two rule versions see the same receipts (kvittens diff).
  bool seed_per_rules = true;
};

// One scenario under one rule selection.
RunResult run_scenario(const Scenario& scenario, const std::string& rules,
                       const RunOptions& options);

struct Job {
  const Scenario* scenario;
  std::string rules;
};
// Called on the worker thread as each job finishes (job index, its result); must be
// thread-safe. Used for progress.
using JobDone = std::function<void(std::size_t, const RunResult&)>;
// Runs jobs on `threads` workers; results come back in job order whatever the scheduling.
std::vector<RunResult> run_jobs(const std::vector<Job>& jobs, const RunOptions& options,
                                int threads, const JobDone& done = {});

}  // namespace kvittens::harness
