// `kvittens diff --registrations` on a month of N registrations, one thread: an export as
// `kvittens serve` writes it (GET /v1/export) is generated once, then read and decided under
// nacka-hemtjanst@3.0 and @2026-03-25 and compared, as the command does. The phases are timed
// apart (read, decide and compare) as counters, and the engine's two evaluations alone once more
// after the replay; the time per iteration is the whole replay.
// Run: ./dev bench (or build-bench/bench/replay_bench). Results: bench/RESULTS.md.
#include <benchmark/benchmark.h>
#include <time.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "backend/engine/engine.hpp"
#include "backend/rulepack/rule_pack.hpp"
#include "harness/diff/replay_diff.hpp"
#include "wire/export_lines.hpp"

namespace {

using namespace kvittens;

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// A municipality month: 4 providers, 3 customers per staff member, each staff member 10 visits
// a day on 31 days, one approval per shift. One visit in eight combines Städning and Tvätt
// (the matrix cell the 2026-03-25 revision opens), one in fifty has a note, one in two hundred
// is edited afterwards.
std::filesystem::path month_file(long visits) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("kvittens-replay-bench-" + std::to_string(visits) + ".jsonl");
  if (std::filesystem::exists(path)) return path;
  const int days = 31, per_day = 10, providers = 4;
  const long staff = (visits + days * per_day - 1) / (days * per_day);
  World w;
  for (int p = 0; p < providers; ++p)
    w.providers.push_back({"p" + std::to_string(p + 1), "Omsorg " + std::to_string(p + 1)});
  for (long s = 0; s < staff; ++s) {
    const std::string provider = "p" + std::to_string(s % providers + 1);
    w.staff.push_back({"s" + std::to_string(s), provider, "", {}, {}, ""});
    for (int k = 0; k < 3; ++k) {
      Customer c;
      c.id = "c" + std::to_string(s * 3 + k);
      c.provider = provider;
      char uid[32];
      std::snprintf(uid, sizeof uid, "04:%02lX:%02lX:%02X:01", (s >> 8) & 0xff, s & 0xff, k);
      c.nfc_tags.push_back(uid);
      for (const auto& [insats, minutes] :
           {std::pair<const char*, int>{"Dusch", 30}, {"Städning", 60}, {"Tvätt", 30}})
        w.orders.push_back({c.id + "/" + insats, c.id, insats, minutes, false, {}, {}});
      w.customers.push_back(std::move(c));
    }
  }
  std::vector<std::pair<std::string, Registration>> lines;
  const auto start = parse_local("2026-03-01T07:00");
  long n = 0;
  for (int d = 0; d < days && n < visits; ++d) {
    for (long s = 0; s < staff && n < visits; ++s) {
      const auto& member = w.staff[static_cast<std::size_t>(s)];
      for (int k = 0; k < per_day && n < visits; ++k, ++n) {
        const auto& c = w.customers[static_cast<std::size_t>(s * 3 + k % 3)];
        Visit v;
        v.id = "v" + std::to_string(n);
        v.staff = member.id;
        v.customer = c.id;
        v.start = start + std::chrono::days(d) + std::chrono::minutes(50 * k);
        v.start_receipt = v.end_receipt = {ReceiptKind::Nfc, c.nfc_tags[0], std::nullopt};
        if (n % 8 == 0) {
          v.insatser = {{"Städning", InsatsStatus::Ordered, 20},
                        {"Tvätt", InsatsStatus::Ordered, 20}};
          v.end = v.start + std::chrono::minutes(40);
        } else {
          v.insatser = {{"Dusch", InsatsStatus::Ordered, std::nullopt}};
          v.end = v.start + std::chrono::minutes(25 + static_cast<int>(n % 10));
        }
        if (n % 50 == 0) v.note = "Kunden ville vänta med tvätten";
        lines.emplace_back(member.provider, v);
        if (n % 200 == 0)
          lines.emplace_back(member.provider,
                             VisitEdit{"e" + std::to_string(n), v.id,
                                       TimeEdit{v.start, v.end + std::chrono::minutes(5),
                                                "glömde avsluta", v.end + std::chrono::hours(1)},
                                       ""});
      }
      lines.emplace_back(
          member.provider,
          ShiftApproval{member.id + "/" + format_date(local_date(start + std::chrono::days(d))),
                        start + std::chrono::days(d) + std::chrono::hours(12)});
    }
  }
  const auto partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary);
    out << wire::export_header_line(
               {"2026-03-01", "2026-03-31", "nacka-hemtjanst@3.0", "", lines.size()}, w)
        << '\n';
    for (const auto& [provider, r] : lines)
      out << wire::export_registration_line(provider, r) << '\n';
  }
  std::filesystem::rename(partial, path);
  return path;
}

void BM_ReplayDiff(benchmark::State& state) {
  const auto file = month_file(state.range(0));
  const backend::Engine from(backend::load_rule_pack("nacka-hemtjanst@3.0"));
  const backend::Engine to(backend::load_rule_pack("nacka-hemtjanst@2026-03-25"));
  double read_s = 0, diff_s = 0, engine_s = 0;
  std::size_t lines = 0, changed = 0;
  for (auto _ : state) {
    const double t0 = cpu_seconds();
    std::ifstream in(file, std::ios::binary);
    const auto input = harness::read_replay(in);
    const double t1 = cpu_seconds();
    const auto report = harness::replay_diff(input, from, to);
    const double t2 = cpu_seconds();
    read_s += t1 - t0;
    diff_s += t2 - t1;
    lines = input.registrations;
    changed = static_cast<std::size_t>(report.changed_decisions);
    benchmark::DoNotOptimize(report);
    // Where the decide-and-compare time goes: the engine's two evaluations of every scope
    // alone, outside the timed replay.
    state.PauseTiming();
    const double t3 = cpu_seconds();
    for (const auto& [provider, regs] : input.scopes) {
      benchmark::DoNotOptimize(from.evaluate(input.world, regs));
      benchmark::DoNotOptimize(to.evaluate(input.world, regs));
    }
    engine_s += cpu_seconds() - t3;
    state.ResumeTiming();
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["read_s"] = read_s / n;
  state.counters["decide_and_compare_s"] = diff_s / n;
  state.counters["engine_alone_s"] = engine_s / n;
  state.counters["lines"] = static_cast<double>(lines);
  state.counters["changed"] = static_cast<double>(changed);
  state.counters["file_MiB"] =
      static_cast<double>(std::filesystem::file_size(file)) / (1024.0 * 1024.0);
  state.SetItemsProcessed(state.iterations() * static_cast<long>(lines));
}

// 3 * 10^6 visits: a Stockholm-sized month; 10^5 and 10^6 for the growth.
BENCHMARK(BM_ReplayDiff)
    ->Arg(100000)
    ->Arg(1000000)
    ->Arg(3000000)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
