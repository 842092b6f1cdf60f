// service_bench: registrations per second and p50/p99 latency of `kvittens serve`'s stack
// (Beast transport + handler + engine check + SQLite, synchronous=FULL) at loopback, next to
// the same requests answered by a trivial handler on the same transport (the transport
// ceiling), measured in the same run. Usage: service_bench [--clients N] [--per-client N]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "backend/http/http_backend.hpp"
#include "service/server.hpp"
#include "service/service.hpp"
#include "service/store.hpp"
#include "wire/wire.hpp"

namespace {

using namespace kvittens;
using Clock = std::chrono::steady_clock;

World world(int clients) {
  World w;
  w.providers.push_back({"p1", "Bench AB"});
  for (int i = 0; i < clients; ++i) {
    const auto n = std::to_string(i);
    Customer c;
    c.id = "c" + n;
    c.provider = "p1";
    w.customers.push_back(c);
    w.staff.push_back({"s" + n, "p1", "", std::nullopt, std::nullopt});
    w.orders.push_back({"o" + n, c.id, "Dusch", 30, false, std::nullopt, std::nullopt});
  }
  return w;
}

std::string visit(int client, int k) {
  Visit v;
  v.id = "c" + std::to_string(client) + "-" + std::to_string(k);
  v.staff = "s" + std::to_string(client);
  v.customer = "c" + std::to_string(client);
  v.start = parse_local("2026-03-02T06:00") + std::chrono::hours(k);
  v.end = v.start + std::chrono::minutes(30);
  v.insatser = {{"Dusch", InsatsStatus::Ordered, std::nullopt}};
  return wire::encode_registration(v).dump();
}

// A server on a free port in a thread, stopped with SIGTERM (its shutdown path).
struct Server {
  std::thread thread;
  unsigned short port = 0;
  explicit Server(service::Handler handler) {
    std::mutex mu;
    std::condition_variable cv;
    thread = std::thread([&, handler = std::move(handler)] {
      service::ServerOptions o;
      o.port = 0;
      o.threads = 2;
      service::serve_http(handler, o, [&](unsigned short p) {
        std::lock_guard lock(mu);
        port = p;
        cv.notify_one();
      });
    });
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return port != 0; });
  }
  ~Server() {
    ::kill(::getpid(), SIGTERM);
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

struct Result {
  double per_second = 0;
  double p50_ms = 0, p99_ms = 0;
};

Result load(const std::string& url, const std::string& token, int clients, int per_client) {
  std::vector<std::vector<double>> lat(clients);
  std::atomic<int> errors{0};
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      harness::HttpBackend client(url, token);
      for (int k = 0; k < per_client; ++k) {
        const auto body = visit(c, k);
        const auto s = Clock::now();
        const auto r = client.request("POST", "/v1/registrations", body);
        lat[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
        if (r.status != 200 && r.status != 201) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  if (errors) std::fprintf(stderr, "service_bench: %d requests failed\n", errors.load());
  return {all.size() / secs, all[all.size() / 2], all[all.size() * 99 / 100]};
}

}  // namespace

int main(int argc, char** argv) {
  int clients = 8, per_client = 250;
  CLI::App app{
      "Registrations/s and p50/p99 latency of kvittens serve (durable) next to a trivial handler "
      "on the same transport, over loopback HTTP"};
  app.add_option("--clients", clients, "Concurrent keep-alive clients")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--per-client", per_client, "Registrations each client sends")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is 0; a usage error 2, as every kvittens command
  }
  const auto dir =
      std::filesystem::temp_directory_path() / ("kvittens-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);

  Result trivial, durable;
  {
    Server server([](const service::Request&) {
      return service::Response{201, "application/json", R"({"accepted":true,"new":true})", {}};
    });
    trivial = load(server.url(), "t", clients, per_client);
  }
  {
    auto store = service::open_sqlite_store(dir / "bench.db");
    service::ServiceOptions o;
    o.rules = "nacka-hemtjanst@3.0";
    o.sandbox_token = "bench";
    service::Service svc(*store, o);
    Server server([&](const service::Request& r) { return svc.handle(r); });
    auto admin = harness::HttpBackend::create_sandbox(server.url(), "bench", o.rules);
    admin->sync_world(world(clients));
    durable = load(server.url(), admin->token(), clients, per_client);
  }
  std::filesystem::remove_all(dir);
  std::printf("service_bench: %d clients x %d registrations, loopback, keep-alive\n", clients,
              per_client);
  std::printf("%-34s %12s %10s %10s\n", "", "requests/s", "p50 ms", "p99 ms");
  std::printf("%-34s %12.0f %10.3f %10.3f\n", "trivial Beast handler (ceiling)", trivial.per_second,
              trivial.p50_ms, trivial.p99_ms);
  std::printf("%-34s %12.0f %10.3f %10.3f\n", "kvittens serve (SQLite FULL sync)",
              durable.per_second, durable.p50_ms, durable.p99_ms);
  return 0;
}
