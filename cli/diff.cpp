// `kvittens diff --from PACK@V --to PACK@V [PATH...]` or `--from-backend URL --to-backend URL`:
// the same scenarios under two rule versions (or two backends), decision by decision
// (docs/diff.md). Exit 0 when every changed outcome is declared by the scenarios'
// per-version expectations, 1 when one is not (or, with --require-coverage, when a change of
// the pack went unexercised), 2 for usage or input errors.
#include <unistd.h>

#include <iostream>
#include <map>
#include <optional>

#include "backend/http/http_backend.hpp"
#include "backend/rulepack/rule_pack.hpp"
#include "cli/commands.hpp"
#include "cli/diff_registrations.hpp"
#include "cli/inputs.hpp"
#include "harness/diff/diff.hpp"
#include "report/report.hpp"
#include "runner/runner.hpp"
#include "runner/suite.hpp"
#include "sim/load/month.hpp"
#include "sim/load/planned_visits.hpp"

namespace kvittens::cli {
namespace {

struct DiffArgs {
  std::vector<std::string> paths;
  std::string from, to;
  std::string from_backend, to_backend;
  std::string token, from_token, to_token;
  std::string rules;
  std::vector<std::string> filters;
  std::string hardware = "none";
  int jobs = 1;
  std::uint64_t seed = 1;
  bool json = false;
  bool month = false;
  bool require_coverage = false;
  sim::load::Options month_options;
};

// The pack part of a selection as written: a name, or a path for a draft.
std::string pack_of(const std::string& rules) {
  return rules.substr(0, rules.rfind('@'));
}

harness::BackendFactory http(const std::string& url, const std::string& token) {
  return [url, token](const std::string& rules) -> std::unique_ptr<BackendClient> {
    return harness::HttpBackend::create_sandbox(url, token, rules);
  };
}

// The two versions compared, loaded (both absent between two backends).
struct Versions {
  std::optional<backend::RulePack> from, to;
};

int diff_month(const DiffArgs& a, const Versions& packs, const std::string& from_token,
               const std::string& to_token);

int diff(const DiffArgs& a) {
  const bool versions = !a.from.empty() || !a.to.empty();
  const bool backends = !a.from_backend.empty() || !a.to_backend.empty();
  if (versions == backends) {
    std::cerr << "kvittens diff: give either --from and --to (two rule versions) or "
                 "--from-backend and --to-backend (two backends)\n";
    return kUsage;
  }
  if (versions && (a.from.empty() || a.to.empty())) {
    std::cerr << "kvittens diff: --from and --to go together\n";
    return kUsage;
  }
  if (backends && (a.from_backend.empty() || a.to_backend.empty())) {
    std::cerr << "kvittens diff: --from-backend and --to-backend go together\n";
    return kUsage;
  }
  const std::string from_token = a.from_token.empty() ? a.token : a.from_token;
  const std::string to_token = a.to_token.empty() ? a.token : a.to_token;
  if (backends && (from_token.empty() || to_token.empty())) {
    std::cerr << "kvittens diff: the backends need their sandbox tokens (--token, or "
                 "--from-token and --to-token)\n";
    return kUsage;
  }
  // The pack both versions belong to, by the name inside the file: a draft given as a path
  // is a version of the pack it names.
  std::string pack_name;
  Versions packs;
  if (versions) {
    try {
      packs.from = backend::load_rule_pack(a.from);
      packs.to = backend::load_rule_pack(a.to);
    } catch (const backend::RulePackError& e) {
      std::cerr << "kvittens diff: " << e.what() << "\n";
      return kUsage;
    }
    if (packs.from->name != packs.to->name) {
      std::cerr << "kvittens diff: --from " << a.from << " (pack " << packs.from->name
                << ") and --to " << a.to << " (pack " << packs.to->name
                << ") are not versions of one rule pack\n";
      return kUsage;
    }
    pack_name = packs.from->name;
  } else if (a.require_coverage) {
    std::cerr << "kvittens diff: --require-coverage needs two versions of a pack (--from and "
                 "--to)\n";
    return kUsage;
  }

  if (a.month) return diff_month(a, packs, from_token, to_token);

  const auto suite = load_suite_or_usage("diff", a.paths, a.rules);
  if (!suite) return kUsage;

  // Pairs of jobs: (from, to) for each scenario and rule selection.
  std::vector<harness::Job> from_jobs, to_jobs;
  for (const auto& s : suite->scenarios) {
    if (!harness::matches_filter(s, a.filters)) continue;
    if (versions) {
      // Scenarios written for this pack, under both versions whatever versions they list.
      const bool ours = std::any_of(s.rules.begin(), s.rules.end(),
                                    [&](const auto& r) { return pack_of(r) == pack_name; });
      if (!ours) continue;
      from_jobs.push_back({&s, a.from});
      to_jobs.push_back({&s, a.to});
    } else {
      for (const auto& r : s.rules) {
        from_jobs.push_back({&s, r});
        to_jobs.push_back({&s, r});
      }
    }
  }
  if (from_jobs.empty()) {
    std::cerr << "kvittens diff: no scenario to compare (" << suite->scenarios.size() << " loaded"
              << (versions ? ", none for pack " + pack_name : std::string()) << ")\n";
    return kUsage;
  }

  const auto mode = hardware_or_usage("diff", a.hardware);
  if (!mode) return kUsage;
  harness::RunOptions from_options;
  from_options.hardware = *mode;
  from_options.seed = a.seed;
  from_options.seed_per_rules = false;  // the same receipts under both versions
  from_options.backend = harness::inprocess_backends();
  harness::RunOptions to_options = from_options;
  if (backends) {
    from_options.backend = http(a.from_backend, from_token);
    to_options.backend = http(a.to_backend, to_token);
  }
  const auto from_results = harness::run_jobs(from_jobs, from_options, a.jobs);
  const auto to_results = harness::run_jobs(to_jobs, to_options, a.jobs);

  harness::DiffReport report;
  report.from = versions ? a.from : a.from_backend;
  report.to = versions ? a.to : a.to_backend;
  report.hardware = a.hardware;
  for (std::size_t i = 0; i < from_jobs.size(); ++i) {
    report.scenarios.push_back(
        harness::diff_runs(*from_jobs[i].scenario, from_results[i], to_results[i]));
  }
  if (versions) {
    report.coverage = harness::scenario_coverage(*packs.from, *packs.to, from_jobs, from_results,
                                                 to_results, from_options, a.jobs);
  }
  if (a.json) {
    std::cout << harness::diff_json(report).dump(2) << "\n";
  } else {
    harness::print_diff(std::cout, report, harness::console_wants_color(STDOUT_FILENO));
  }
  if (harness::errors(report) > 0) return kUsage;
  if (harness::undeclared(report) > 0) return kChecksFailed;
  return a.require_coverage && harness::unexercised(*report.coverage) > 0 ? kChecksFailed : kOk;
}

// What each change needs a visit to combine: a matrix cell its pair, a catalogue entry itself.
std::vector<std::vector<std::string>> visits_for(const std::vector<harness::PackChange>& changes) {
  std::vector<std::vector<std::string>> out;
  for (const auto& c : changes) {
    if (c.kind == harness::PackChange::Kind::Matrix) out.push_back(c.pair);
    if (c.kind == harness::PackChange::Kind::Insats) out.push_back({c.subject});
  }
  return out;
}

// The same synthetic month (sim/load, docs/simulate.md) played twice: totals per provider.
int diff_month(const DiffArgs& a, const Versions& packs, const std::string& from_token,
               const std::string& to_token) {
  const bool backends = !packs.from;
  if (!a.paths.empty() || !a.filters.empty()) {
    std::cerr << "kvittens diff: --month takes no scenario paths or --filter\n";
    return kUsage;
  }
  sim::load::Options o = a.month_options;
  o.seed = a.seed;
  // The versions replace the default pack of their service; with backends, --rules does.
  std::string service_pack;
  for (const auto& r : {backends ? a.rules : a.from}) {
    if (r.empty()) continue;
    try {
      const auto pack = backend::load_rule_pack(r);
      (pack.service == ServiceType::Hemtjanst ? o.hemtjanst_rules : o.boendestod_rules) = r;
      service_pack = pack_of(r);
    } catch (const std::exception& e) {
      std::cerr << "kvittens diff: " << e.what() << "\n";
      return kUsage;
    }
  }
  sim::load::Month before;
  try {
    before = sim::load::generate(o);
  } catch (const std::exception& e) {
    std::cerr << "kvittens diff: " << e.what() << "\n";
    return kUsage;
  }
  sim::load::Month after = before;
  std::vector<std::string> rules_from, rules_to;
  std::vector<World> worlds;
  for (auto& part : after.parts) {
    if (!backends && pack_of(part.rules) == service_pack) part.rules = a.to;
    rules_to.push_back(part.rules);
  }
  for (const auto& part : before.parts) {
    rules_from.push_back(part.rules);
    worlds.push_back(part.world);
  }
  const auto mode = hardware_or_usage("diff", a.hardware);
  if (!mode) return kUsage;
  const sim::load::HardwareFactory hardware = harness::hardware_factory(*mode);
  const sim::load::BackendFactory in_process = harness::inprocess_backends();
  // Between two versions: visits added to exercise each matrix cell and catalogue entry the
  // versions differ in, in a part of their own so the random month's totals stay its own.
  std::vector<harness::PackChange> changes;
  sim::load::Month added_before, added_after;
  std::vector<std::string> added_visits;
  if (!backends) {
    changes = harness::pack_changes(*packs.from, *packs.to);
    const auto visits = visits_for(changes);
    for (const auto& part : before.parts) {
      if (visits.empty() || pack_of(part.rules) != service_pack) continue;
      try {
        added_before.parts.push_back(sim::load::planned_visits_part(part, o, visits));
      } catch (const std::exception& e) {
        std::cerr << "kvittens diff: " << e.what() << "\n";
        return kUsage;
      }
      added_before.options = o;
      for (std::size_t i = 0; i < visits.size(); ++i) {
        std::string names;
        for (const auto& n : visits[i]) names += (names.empty() ? "" : " + ") + n;
        added_visits.push_back("visit xv" + std::to_string(i + 1) + ": " + names);
      }
      break;
    }
    added_after = added_before;
    for (auto& part : added_after.parts) part.rules = a.to;
  }
  const auto decide = [&](const sim::load::Month& m, const sim::load::BackendFactory& backend) {
    std::vector<Decisions> out;
    for (auto& r : sim::load::drive(m, backend, hardware)) out.push_back(std::move(r.decisions));
    return out;
  };
  std::vector<Decisions> x, y, added_x, added_y;
  // Per parameter change: the month (then the added part) under --from with that change alone.
  std::map<std::size_t, std::vector<Decisions>> alone, added_alone;
  try {
    x = decide(before, backends ? http(a.from_backend, from_token) : in_process);
    y = decide(after, backends ? http(a.to_backend, to_token) : in_process);
    added_x = decide(added_before, in_process);
    added_y = decide(added_after, in_process);
    for (std::size_t k = 0; k < changes.size(); ++k) {
      if (changes[k].kind != harness::PackChange::Kind::Parameter) continue;
      const auto changed =
          harness::backends_with(harness::with_change(*packs.from, *packs.to, changes[k]));
      const sim::load::BackendFactory factory = [&](const std::string& rules) {
        return pack_of(rules) == service_pack ? changed(rules) : in_process(rules);
      };
      alone[k] = decide(before, factory);
      added_alone[k] = decide(added_before, factory);
    }
  } catch (const std::exception& e) {
    std::cerr << "kvittens diff: " << e.what() << "\n";
    return kUsage;
  }
  auto report = harness::diff_month(rules_from, rules_to, worlds, x, y);
  if (!backends) {
    std::vector<harness::CoverageRun> runs;
    const auto add_runs = [&](const sim::load::Month& m, const std::vector<Decisions>& from,
                              const std::vector<Decisions>& to,
                              std::map<std::size_t, std::vector<Decisions>>& probes) {
      for (std::size_t i = 0; i < m.parts.size() && i < from.size() && i < to.size(); ++i) {
        if (pack_of(m.parts[i].rules) != service_pack) continue;
        harness::CoverageRun run{"", &from[i], &to[i], {}};
        for (auto& [k, decided] : probes) run.alone.emplace(k, std::move(decided.at(i)));
        runs.push_back(std::move(run));
      }
    };
    add_runs(before, x, y, alone);
    add_runs(added_before, added_x, added_y, added_alone);
    auto coverage = harness::change_coverage(changes, runs, *packs.from, *packs.to);
    harness::explain_unexercised_in_month(coverage);
    report.coverage = std::move(coverage);
    if (!added_before.parts.empty() && !added_x.empty() && !added_y.empty()) {
      harness::RunResult ax, ay;
      ax.rules = added_before.parts.front().rules;
      ay.rules = added_after.parts.front().rules;
      ax.decisions = std::move(added_x.front());
      ay.decisions = std::move(added_y.front());
      report.added = harness::diff_runs(harness::Scenario{}, ax, ay);
      report.added_visits = added_visits;
    }
  }
  report.from = backends ? a.from_backend : a.from;
  report.to = backends ? a.to_backend : a.to;
  report.month = std::to_string(o.customers) + " customers, " + std::to_string(o.staff) +
                 " staff, " + std::to_string(o.providers) + " provider(s), " +
                 std::to_string(o.days) + " days from " + o.first_day + ", seed " +
                 std::to_string(o.seed);
  if (a.json) {
    std::cout << harness::month_diff_json(report).dump(2) << "\n";
  } else {
    harness::print_month_diff(std::cout, report, harness::console_wants_color(STDOUT_FILENO));
  }
  return a.require_coverage && harness::unexercised(*report.coverage) > 0 ? kChecksFailed : kOk;
}

}  // namespace

void add_diff(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DiffArgs>();
  auto* cmd = app.add_subcommand(
      "diff",
      "Run the same scenarios under two rule versions (or against two backends) and show every "
      "decision that changes; exit 1 when a change is not declared by the scenarios' "
      "per-version expectations");
  cmd->add_option("paths", args->paths, "Scenario files or folders (default: the library)");
  cmd->add_option("--from", args->from, rules_help("Rule version before"));
  cmd->add_option("--to", args->to,
                  rules_help("Rule version after, a version of the same pack (the pack's name "
                             "inside the file)"));
  cmd->add_option("--from-backend", args->from_backend,
                  "Backend URL before (each scenario in its own sandbox; docs/service.md)");
  cmd->add_option("--to-backend", args->to_backend, "Backend URL after");
  cmd->add_option("--token", args->token, "Sandbox token of both backends");
  cmd->add_option("--from-token", args->from_token, "Sandbox token of --from-backend");
  cmd->add_option("--to-token", args->to_token, "Sandbox token of --to-backend");
  cmd->add_option(
         "--rules", args->rules,
         rules_help("With backends: run every scenario under this pack instead of its own"))
      ->excludes("--from")
      ->excludes("--to");
  add_rules_dir_option(*cmd);
  cmd->add_option("--filter", args->filters,
                  "Only scenarios with this tag or in this suite folder (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--hardware", args->hardware,
                  "none (default): synthesized receipts; emulated: the device emulators")
      ->check(CLI::IsMember({"none", "emulated"}));
  cmd->add_option("-j,--jobs", args->jobs, "Scenario runs in parallel")->check(CLI::Range(1, 256));
  cmd->add_option("--seed", args->seed,
                  "Seed for device details, and with --month for the month (the same on both "
                  "sides)");
  cmd->add_flag("--json", args->json, "Print the differences as JSON (docs/diff.md)");
  cmd->add_flag("--require-coverage", args->require_coverage,
                "Exit 1 when a change between the two versions (a parameter, matrix cell, clause "
                "or catalogue entry) is exercised by no decision of the run (docs/diff.md)");
  cmd->add_flag("--month", args->month,
                "Compare a synthetic municipality month (docs/simulate.md) instead of scenarios: "
                "totals per provider before and after");
  auto& mo = args->month_options;
  cmd->add_option("--customers", mo.customers, "--month: customers")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--staff", mo.staff, "--month: staff members")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--days", mo.days, "--month: days to simulate")
      ->check(CLI::Range(1, 62))
      ->capture_default_str();
  cmd->add_option("--providers", mo.providers, "--month: providers")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--first-day", mo.first_day, "--month: first day, YYYY-MM-DD")
      ->capture_default_str();
  // --registrations: a service's exported registrations under both versions (its own module).
  auto registrations = std::make_shared<std::string>();
  cmd->add_option("--registrations", *registrations,
                  "Decide the registrations `kvittens serve` exported (GET /v1/export, JSON "
                  "Lines) under --from and --to: paid hours per provider, changed decisions by "
                  "clause (docs/diff.md)");
  cmd->callback([args, registrations, &exit_code] {
    if (!registrations->empty()) {
      const bool other = !args->paths.empty() || args->month || !args->from_backend.empty() ||
                         !args->to_backend.empty();
      exit_code = diff_registrations({args->from, args->to, *registrations, args->json, other});
      return;
    }
    exit_code = diff(*args);
  });
}

}  // namespace kvittens::cli
