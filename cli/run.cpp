// `kvittens run [PATH...]`: load and validate scenarios, run them on the virtual clock, report.
// Exit 0 all passed, 1 an expectation failed, 2 a file did not validate or a run could not run.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <vector>

#include "backend/http/http_backend.hpp"
#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "harness/lab.hpp"
#include "report/device_log_json.hpp"
#include "report/progress.hpp"
#include "report/report.hpp"
#include "report/report_html.hpp"
#include "runner/runner.hpp"
#include "runner/suite.hpp"
#include "scenario/discover.hpp"
#include "scenario/scenario_load.hpp"

namespace kvittens::cli {
namespace {

struct RunArgs {
  std::vector<std::string> paths;
  std::string rules;
  std::vector<std::string> filters;
  int jobs = 1;
  std::uint64_t seed = 1;
  std::string hardware;
  std::string junit;
  std::string json;
  std::string device_log;
  std::string backend_url;
  std::string token;
  std::string lab;
  std::string html;
  std::string shard;
};

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

int run(const RunArgs& a) {
  // Fail before the run, not after it, when the device log cannot be written.
  std::ofstream device_log;
  if (!a.device_log.empty()) {
    device_log.open(a.device_log, std::ios::binary | std::ios::trunc);
    if (!device_log) {
      std::cerr << "kvittens run: cannot write the device log " << a.device_log << "\n";
      return kUsage;
    }
  }
  harness::HardwareMode mode = harness::HardwareMode::None;
  std::string why;
  std::optional<harness::LabFile> lab;
  if (!a.lab.empty()) {
    // Real devices, as the lab file maps them; one run at a time (they are shared).
    try {
      lab = harness::load_lab_file(a.lab, harness::display_path(a.lab));
    } catch (const harness::ScenarioError& e) {
      std::cerr << e.what() << "\n";
      return kUsage;
    }
    mode = harness::HardwareMode::Lab;
  } else if (a.hardware == "emulated") {
    mode = harness::HardwareMode::Emulated;
    if (!harness::hardware_available(mode, why)) {
      std::cerr << "kvittens run: " << why << "\n";
      return kUsage;
    }
  } else if (a.hardware.empty() &&
             harness::hardware_available(harness::HardwareMode::Emulated, why)) {
    mode = harness::HardwareMode::Emulated;  // the default once the emulators exist
  }
  if (!a.backend_url.empty() && a.token.empty()) {
    std::cerr << "kvittens run: --backend needs --token (the server's sandbox token)\n";
    return kUsage;
  }

  const auto suite = load_suite_or_usage("run", a.paths, a.rules);
  if (!suite) return kUsage;
  const auto& scenarios = suite->scenarios;

  std::vector<harness::Job> jobs;
  std::vector<const harness::Scenario*> skipped;
  for (const auto& s : scenarios) {
    if (!harness::matches_filter(s, a.filters)) continue;
    if (!s.skipped.empty()) {
      skipped.push_back(&s);
      continue;
    }
    if (!a.rules.empty()) {
      jobs.push_back({&s, a.rules});
    } else {
      for (const auto& r : s.rules) jobs.push_back({&s, r});
    }
  }
  if (!skipped.empty()) {
    // Counted, not errors: a pack judges the scenarios of its own service only.
    // One line per reason, not per file: a pack of the other service skips a whole folder.
    std::cerr << "kvittens run: skipped " << skipped.size()
              << " scenario file(s) of another service than --rules " << a.rules << ":\n";
    std::map<std::string, std::vector<std::string>> by_reason;
    for (const auto* s : skipped) by_reason[s->skipped].push_back(s->file);
    constexpr std::size_t kNamed = 3;
    for (const auto& [reason, files] : by_reason) {
      std::cerr << "  " << files.size() << " × " << reason << " (";
      for (std::size_t i = 0; i < files.size() && i < kNamed; ++i)
        std::cerr << (i ? ", " : "") << files[i];
      if (files.size() > kNamed) std::cerr << " and " << files.size() - kNamed << " more";
      std::cerr << ")\n";
    }
  }
  if (jobs.empty()) {
    std::cerr << "kvittens run: no scenario to run (" << scenarios.size() << " loaded"
              << (a.filters.empty() ? "" : ", none matched --filter")
              << (skipped.empty() ? "" : ", " + std::to_string(skipped.size()) + " skipped")
              << ")\n";
    return kUsage;
  }
  std::string suite_name = "scenarios";
  if (!a.shard.empty()) {
    // A deterministic slice of the job list; the shards of one N partition it.
    harness::Shard shard;
    try {
      shard = harness::parse_shard(a.shard);
    } catch (const std::invalid_argument& e) {
      std::cerr << "kvittens run: " << e.what() << "\n";
      return kUsage;
    }
    const std::size_t all = jobs.size();
    jobs = harness::shard_jobs(jobs, shard);
    suite_name = "scenarios shard " + a.shard;
    std::cerr << "kvittens run: shard " << a.shard << ": " << jobs.size() << " of " << all
              << " runs\n";
  }

  harness::RunOptions options;
  options.backend = harness::inprocess_backends();
  if (!a.backend_url.empty()) {
    // One sandbox first, for the first run's rules: a backend that cannot be reached or a
    // token it refuses is one clear error before anything runs, not one ERROR per run.
    try {
      (void)harness::HttpBackend::create_sandbox(a.backend_url, a.token, jobs.front().rules);
    } catch (const std::exception& e) {
      std::cerr << "kvittens run: --backend " << a.backend_url << ": " << e.what()
                << "; nothing was run\n";
      return kUsage;
    }
    // Each run gets its own sandbox realm on the server, so scenarios never share a world.
    options.backend = [url = a.backend_url, token = a.token](
                          const std::string& rules) -> std::unique_ptr<BackendClient> {
      return harness::HttpBackend::create_sandbox(url, token, rules);
    };
  }
  options.hardware = mode;
  options.seed = a.seed;
  if (lab) {
    options.hardware_factory = [&lab](harness::HardwareMode, const World& world,
                                      const std::vector<sim::Door>& doors, const Clock& clock,
                                      std::uint64_t) {
      return harness::make_lab_hardware(*lab, world, doors, clock, std::cerr);
    };
  }
  // Lab runs prompt the operator on stderr: no progress line there.
  harness::Progress progress(
      std::cerr, jobs.size(),
      lab ? harness::Progress::Style::Off : harness::Progress::style_for(STDERR_FILENO));
  const auto results = harness::run_jobs(
      jobs, options, lab ? 1 : a.jobs,
      [&](std::size_t, const auto& r) { progress.done(r.status != harness::RunStatus::Pass); });
  progress.finish();

  harness::ReportOptions report;
  report.color = harness::console_wants_color(STDOUT_FILENO);
  report.seed = a.seed;
  report.hardware = harness::to_string(mode);
  report.device_log = !a.device_log.empty();
  report.skipped = skipped.size();
  harness::print_console(std::cout, results, report);
  if (device_log.is_open()) {
    for (const auto& r : results) {
      harness::write_device_log_jsonl(device_log, r.file, r.rules, r.device_log);
    }
    device_log.flush();
    if (!device_log) {
      std::cerr << "kvittens run: cannot write the device log " << a.device_log << "\n";
      return kUsage;
    }
  }
  if (!a.json.empty() && !write_file(a.json, harness::to_json(results, report).dump(2) + "\n")) {
    std::cerr << "kvittens run: cannot write " << a.json << "\n";
    return kUsage;
  }
  if (!a.junit.empty() && !write_file(a.junit, harness::to_junit(results, suite_name))) {
    std::cerr << "kvittens run: cannot write " << a.junit << "\n";
    return kUsage;
  }
  if (!a.html.empty()) {
    std::vector<const harness::Scenario*> ran;
    for (const auto& j : jobs) ran.push_back(j.scenario);
    try {
      harness::write_html_report(a.html, results, ran, report);
    } catch (const std::runtime_error& e) {
      std::cerr << "kvittens run: " << e.what() << "\n";
      return kUsage;
    }
  }
  bool failed = false, errored = false;
  for (const auto& r : results) {
    failed |= r.status == harness::RunStatus::Fail;
    errored |= r.status == harness::RunStatus::Error;
  }
  return errored ? kUsage : failed ? kChecksFailed : kOk;
}

}  // namespace

void add_run(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand(
      "run",
      "Run scenarios (files or folders; default: the library under scenarios/) on the virtual "
      "clock and compare the backend's decisions with their expectations");
  cmd->add_option("paths", args->paths, "Scenario files or folders");
  cmd->add_option("--rules", args->rules,
                  rules_help("Run the scenarios of this pack's service (hemtjanst or boendestod) "
                             "under this pack instead of their own rules; the others are skipped "
                             "and counted"));
  add_rules_dir_option(*cmd);
  cmd->add_option("--filter", args->filters,
                  "Only scenarios with this tag or in this suite folder (repeatable)")
      // One value per --filter, so the paths after it stay paths.
      ->allow_extra_args(false);
  cmd->add_option("-j,--jobs", args->jobs, "Scenarios run in parallel, each with its own devices")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--seed", args->seed, "Seed for device details (lock sequence numbers)");
  cmd->add_option("--hardware", args->hardware,
                  "none: synthesized receipts; emulated: PN532 and BlueZ emulators in the loop "
                  "(default when built)")
      ->check(CLI::IsMember({"none", "emulated"}));
  cmd->add_option("--lab", args->lab,
                  "Lab file mapping the scenarios' doors to real readers and locks "
                  "(docs/lab-setup.md); runs one scenario at a time")
      ->excludes("--hardware");
  cmd->add_option("--junit", args->junit, "Write a JUnit XML report to FILE");
  cmd->add_option("--json", args->json, "Write a JSON report to FILE (deterministic)");
  cmd->add_option("--html", args->html,
                  "Write a self-contained HTML report with visit timelines to DIR/index.html "
                  "(docs/report-html.md)");
  cmd->add_option("--shard", args->shard,
                  "Run only shard K of N (e.g. 2/4) of the job list, for several CI runners; "
                  "the shards of one N partition the runs");
  cmd->add_option("--device-log", args->device_log,
                  "Write every device and backend interaction (PN532 frames, D-Bus calls, HTTP "
                  "requests) to FILE as JSON Lines with wall time, and add it to --json "
                  "(docs/device-log.md)");
  cmd->add_option("--backend", args->backend_url,
                  "Backend URL, e.g. http://127.0.0.1:8080 (default: in-process engine); each "
                  "scenario runs in its own sandbox (docs/service.md)");
  cmd->add_option("--token", args->token, "Bearer token for --backend: the sandbox token");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace kvittens::cli
