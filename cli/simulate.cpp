// `kvittens simulate`: a synthetic municipality month (sim/load) played through the phones
// and a backend, with throughput, a summary and the month's invariants (docs/simulate.md).
// Exit 0 every invariant held, 1 one failed (the seed to replay is printed), 2 usage or a
// backend/hardware that could not be used.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "backend/http/http_backend.hpp"
#include "backend/rulepack/rule_pack.hpp"
#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "report/report.hpp"
#include "runner/runner.hpp"
#include "sim/core/synthetic_hardware.hpp"
#include "sim/load/month.hpp"
#include "wire/decisions_json.hpp"

namespace kvittens::cli {
namespace {

using Json = nlohmann::ordered_json;

struct SimulateArgs {
  sim::load::Options options;
  std::vector<std::string> rules;
  std::string hardware = "none";
  std::string backend_url;
  std::string token;
  std::string json;
  bool no_progress = false;
};

// The command line that replays this month (the seed included).
std::string replay_line(const SimulateArgs& a) {
  std::ostringstream out;
  const auto& o = a.options;
  out << "kvittens simulate --customers " << o.customers << " --staff " << o.staff << " --days "
      << o.days << " --providers " << o.providers << " --from " << o.first_day << " --seed "
      << o.seed << " --hardware " << a.hardware;
  for (const auto& r : a.rules) out << " --rules " << r;
  if (!a.backend_url.empty()) out << " --backend " << a.backend_url << " --token T";
  return out.str();
}

// Progress on stderr: redrawn in place on a terminal, a plain line per tenth otherwise (and
// only once the run has taken a second, so short runs stay quiet).
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled)
      : enabled_(enabled), tty_(harness::console_wants_color(STDERR_FILENO)) {}
  void operator()(std::size_t done, std::size_t total) {
    if (!enabled_ || total == 0) return;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const int percent = static_cast<int>(done * 100 / total);
    if (tty_) {
      if (now - last_ < std::chrono::milliseconds(100) && done < total) return;
      last_ = now;
      std::fprintf(stderr, "\rsimulating: %zu/%zu registrations (%d %%), %.0f/s   ", done, total,
                   percent, elapsed > 0 ? done / elapsed : 0.0);
      if (done == total) std::fputc('\n', stderr);
      drawn_ = true;
      return;
    }
    if (elapsed < 1.0 || percent / 10 == last_tenth_) return;
    last_tenth_ = percent / 10;
    std::fprintf(stderr, "simulating: %zu/%zu registrations (%d %%)\n", done, total, percent);
  }
  void pass(const char* what) {
    if (enabled_ && (tty_ || started_long())) std::fprintf(stderr, "simulating: %s\n", what);
    start_ = std::chrono::steady_clock::now();
    last_tenth_ = -1;
  }

 private:
  bool started_long() const {
    return std::chrono::steady_clock::now() - start_ > std::chrono::seconds(1);
  }
  bool enabled_, tty_;
  bool drawn_ = false;
  int last_tenth_ = -1;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

Json decisions_json(const sim::load::Month& month, const std::vector<sim::load::PartResult>& rs) {
  Json parts = Json::array();
  for (std::size_t i = 0; i < rs.size(); ++i)
    parts.push_back(
        {{"rules", month.parts[i].rules}, {"decisions", wire::to_json(rs[i].decisions)}});
  return parts;
}

// The first decision that differs between two runs of the same month, or "" when none does.
std::string first_difference(const sim::load::Month& month,
                             const std::vector<sim::load::PartResult>& a,
                             const std::vector<sim::load::PartResult>& b) {
  for (std::size_t p = 0; p < month.parts.size(); ++p) {
    const auto& x = a[p].decisions.visits;
    const auto& y = b[p].decisions.visits;
    for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i)
      if (wire::to_json(x[i]) != wire::to_json(y[i]))
        return "decision " + x[i].id + " (" + month.parts[p].rules + ") differs";
    if (x.size() != y.size())
      return month.parts[p].rules + ": " + std::to_string(x.size()) + " decisions against " +
             std::to_string(y.size());
    if (wire::to_json(a[p].decisions) != wire::to_json(b[p].decisions))
      return month.parts[p].rules + ": the monthly summaries differ";
  }
  return "";
}

std::string hex64(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

int simulate(SimulateArgs a) {
  // --rules: each pack replaces the default of its service.
  for (const auto& r : a.rules) {
    try {
      const auto pack = backend::load_rule_pack(r);
      (pack.service == ServiceType::Hemtjanst ? a.options.hemtjanst_rules
                                              : a.options.boendestod_rules) = r;
    } catch (const std::exception& e) {
      std::cerr << "kvittens simulate: --rules " << r << ": " << e.what() << "\n";
      return kUsage;
    }
  }
  if (!a.backend_url.empty() && a.token.empty()) {
    std::cerr << "kvittens simulate: --backend needs --token (the server's sandbox token)\n";
    return kUsage;
  }
  const auto mode = hardware_or_usage("simulate", a.hardware);
  if (!mode) return kUsage;

  sim::load::Month month;
  try {
    month = sim::load::generate(a.options);
  } catch (const std::exception& e) {
    std::cerr << "kvittens simulate: " << e.what() << "\n";
    return kUsage;
  }

  const sim::load::HardwareFactory hardware = harness::hardware_factory(*mode);
  const sim::load::BackendFactory in_process = harness::inprocess_backends();
  sim::load::BackendFactory chosen = in_process;
  if (!a.backend_url.empty())
    chosen = [&a](const std::string& rules) -> std::unique_ptr<BackendClient> {
      // A server that dies mid-month ends the run, instead of every phone retrying every
      // registration against it.
      harness::HttpOptions http;
      http.give_up_when_unreachable = true;
      return harness::HttpBackend::create_sandbox(a.backend_url, a.token, rules, http);
    };

  ProgressLine progress(!a.no_progress);
  auto report = [&progress](std::size_t done, std::size_t total) { progress(done, total); };
  std::vector<sim::load::PartResult> results, reference;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    results = sim::load::drive(month, chosen, hardware, report);
  } catch (const std::exception& e) {
    std::cerr << "kvittens simulate: " << e.what() << "\n";
    return kUsage;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<sim::load::Violation> violations;
  for (std::size_t p = 0; p < month.parts.size(); ++p)
    for (auto& v : sim::load::check_invariants(month.parts[p], results[p].decisions))
      violations.push_back(std::move(v));
  // The same seed gives the same month (and so, the engine being pure, the same decisions).
  if (!(sim::load::generate(a.options) == month))
    violations.push_back({"same-seed", "", "generating the month again gave a different month"});
  if (!a.backend_url.empty()) {
    progress.pass("again in-process, to compare");
    try {
      reference = sim::load::drive(month, in_process, hardware, report);
    } catch (const std::exception& e) {
      std::cerr << "kvittens simulate: in-process reference run: " << e.what() << "\n";
      return kUsage;
    }
    if (const auto diff = first_difference(month, results, reference); !diff.empty())
      violations.push_back({"http-equals-in-process", "", diff});
  }

  const auto summary = sim::load::summarize(month, results);
  const Json decisions = decisions_json(month, results);
  const std::string digest = hex64(sim::stable_hash(decisions.dump()));
  double submit = 0, decide = 0;
  std::size_t decided = 0;
  for (const auto& r : results) {
    submit += r.submit_seconds;
    decide += r.decide_seconds;
    decided += r.decisions.visits.size();
  }

  auto& out = std::cout;
  const auto& o = a.options;
  out << "kvittens simulate: seed " << o.seed << ", " << o.customers << " customers, " << o.staff
      << " staff, " << o.providers << " provider(s), " << o.days << " days from " << o.first_day
      << "; hardware " << a.hardware << ", backend "
      << (a.backend_url.empty() ? "in-process" : a.backend_url) << "\n";
  for (const auto& p : month.parts) out << "  rules " << p.rules << "\n";
  char line[256];
  std::snprintf(line, sizeof line,
                "throughput: %zu registrations in %.2f s (%.0f/s); %zu decisions in %.3f s "
                "(%.0f/s); wall %.2f s\n",
                summary.registrations, submit, submit > 0 ? summary.registrations / submit : 0.0,
                decided, decide, decide > 0 ? decided / decide : 0.0, wall);
  out << line;
  out << "registrations: " << summary.registrations << " accepted "
      << summary.registrations - summary.refused << ", refused " << summary.refused
      << "; decisions " << summary.decisions << "\n";
  for (const auto& p : summary.providers) {
    const double share = p.visits > 0 ? 100.0 * p.manual_visits / p.visits : 0.0;
    std::snprintf(
        line, sizeof line,
        "provider %s (%s): %d decisions, paid %.1f h, manual %d of %d visits = %.1f %%%s\n",
        p.provider.c_str(), p.name.c_str(), p.decisions, p.paid_minutes / 60.0, p.manual_visits,
        p.visits, share, p.manual_share_exceeded ? " (over the limit)" : "");
    out << line;
  }
  out << "rejected by clause:";
  if (summary.rejected_by_clause.empty()) out << " none";
  for (const auto& [c, n] : summary.rejected_by_clause)
    out << " " << (c.empty() ? "-" : c) << " " << n << ";";
  out << "\nrefused by clause:";
  if (summary.refused_by_clause.empty()) out << " none";
  for (const auto& [c, n] : summary.refused_by_clause)
    out << " " << (c.empty() ? "input" : c) << " " << n << ";";
  out << "\ndecisions digest: " << digest << "\n";
  const int checked = 4 + (a.backend_url.empty() ? 0 : 1);
  if (violations.empty()) {
    out << "invariants: " << checked << " checked, all hold\n";
  } else {
    out << "invariants: " << violations.size() << " violation(s)\n";
    for (std::size_t i = 0; i < violations.size() && i < 20; ++i) {
      const auto& v = violations[i];
      out << "  " << v.invariant << (v.subject.empty() ? "" : " " + v.subject) << ": " << v.detail
          << "\n";
    }
    out << "failing seed " << o.seed << "; replay: " << replay_line(a) << "\n";
  }

  if (!a.json.empty()) {
    Json j;
    j["options"] = {{"customers", o.customers}, {"staff", o.staff},    {"days", o.days},
                    {"providers", o.providers}, {"from", o.first_day}, {"seed", o.seed},
                    {"hardware", a.hardware}};
    Json rules = Json::array();
    for (const auto& p : month.parts) rules.push_back(p.rules);
    j["rules"] = rules;
    Json sum;
    sum["registrations"] = summary.registrations;
    sum["refused"] = summary.refused;
    sum["decisions"] = summary.decisions;
    Json providers = Json::array();
    for (const auto& p : summary.providers)
      providers.push_back({{"provider", p.provider},
                           {"paid_minutes", p.paid_minutes},
                           {"decisions", p.decisions},
                           {"visits", p.visits},
                           {"manual_visits", p.manual_visits},
                           {"manual_share_exceeded", p.manual_share_exceeded}});
    sum["providers"] = providers;
    Json rej = Json::object(), ref = Json::object();
    for (const auto& [c, n] : summary.rejected_by_clause) rej[c] = n;
    for (const auto& [c, n] : summary.refused_by_clause) ref[c.empty() ? "input" : c] = n;
    sum["rejected_by_clause"] = rej;
    sum["refused_by_clause"] = ref;
    j["summary"] = sum;
    Json inv = Json::array();
    for (const auto& v : violations)
      inv.push_back({{"invariant", v.invariant}, {"subject", v.subject}, {"detail", v.detail}});
    j["violations"] = inv;
    j["digest"] = digest;
    j["parts"] = decisions;
    std::ofstream f(a.json, std::ios::binary);
    f << j.dump(2) << "\n";
    if (!f) {
      std::cerr << "kvittens simulate: cannot write " << a.json << "\n";
      return kUsage;
    }
  }
  return violations.empty() ? kOk : kChecksFailed;
}

}  // namespace

void add_simulate(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  auto* cmd = app.add_subcommand(
      "simulate",
      "Generate a synthetic municipality month from a seed, play it through the staff phones and "
      "a backend, print throughput and a summary, and check the month's invariants "
      "(docs/simulate.md)");
  auto& o = args->options;
  cmd->add_option("--customers", o.customers, "Customers (about one in eight boendestöd)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--staff", o.staff, "Staff members")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000));
  cmd->add_option("--days", o.days, "Days to simulate")
      ->capture_default_str()
      ->check(CLI::Range(1, 62));
  cmd->add_option("--seed", o.seed, "Seed; the same seed gives the same month and output")
      ->capture_default_str();
  cmd->add_option("--providers", o.providers, "Providers sharing the customers and staff")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--from", o.first_day, "First day, YYYY-MM-DD")->capture_default_str();
  cmd->add_option("--rules", args->rules,
                  rules_help("Rule pack replacing the default pack of its service (repeatable; "
                             "defaults nacka-hemtjanst@3.0 and nacka-boendestod@1.0)"));
  add_rules_dir_option(*cmd);
  cmd->add_option("--hardware", args->hardware,
                  "none: synthesized receipts (default); emulated: every receipt through the "
                  "PN532 and BlueZ emulators and the real drivers")
      ->check(CLI::IsMember({"none", "emulated"}))
      ->capture_default_str();
  cmd->add_option("--backend", args->backend_url,
                  "Backend URL (default: in-process engine); the month is then also run "
                  "in-process and the decisions must be identical");
  cmd->add_option("--token", args->token, "Bearer token for --backend: the sandbox token");
  cmd->add_option("--json", args->json,
                  "Write options, summary, violations and every decision to FILE (no timings: "
                  "the same seed gives the same bytes)");
  cmd->add_flag("--no-progress", args->no_progress, "No progress on stderr");
  cmd->callback([args, &exit_code] { exit_code = simulate(*args); });
}

}  // namespace kvittens::cli
