// service_bench: the service's figures over loopback HTTP, measured in one run.
// Without --server: registrations per second and p50/p99 latency of `kvittens serve`'s stack
// (Beast transport + handler + engine check + SQLite, synchronous=FULL) in-process, next to the
// same requests answered by a trivial handler on the same transport (the transport ceiling).
// With --server BIN (repeatable): each BIN is started as `BIN serve` and measured in turn,
// round after round (interleaved, so two builds see the same machine): registrations, whole
// decision lists read by several clients while /health is probed, and the server's resident
// size with 30 clients that ask for the list and never read it.
// Usage: service_bench [--clients N] [--per-client N] [--server BIN]... [--rounds N]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
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

// `BIN serve` on a free loopback port with its own database, stopped with SIGTERM.
struct ChildServer {
  pid_t pid = -1;
  std::string url;
  ChildServer(const std::string& bin, const std::filesystem::path& db) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    pid = ::fork();
    if (pid == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      const std::string db_text = db.string();
      ::execl(bin.c_str(), bin.c_str(), "serve", "--listen", "127.0.0.1:0", "--db", db_text.c_str(),
              "--sandbox-token", "bench", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    // The readiness line names the URL: "kvittens serve: listening on http://127.0.0.1:PORT".
    std::string text;
    char buf[256];
    for (ssize_t n;
         text.find('\n') == std::string::npos && (n = ::read(out[0], buf, sizeof buf)) > 0;)
      text.append(buf, static_cast<std::size_t>(n));
    ::close(out[0]);
    const auto at = text.find("http://");
    if (at == std::string::npos) throw std::runtime_error(bin + " serve did not start: " + text);
    url = text.substr(at, text.find_first_of(" \n", at) - at);
  }
  ~ChildServer() {
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
  }
  // The server's resident size in kB (VmRSS), or its peak (VmHWM), from /proc.
  long kb(const char* field) const {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
      if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
    return -1;
  }
};

double percentile(std::vector<double> v, int p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() * static_cast<std::size_t>(p) / 100];
}

struct Reads {
  double lists_per_second = 0;  // whole decision lists, every page followed
  double health_p50_ms = 0, health_p99_ms = 0;
};

// `readers` clients each read the whole decision list `times` times while one client probes
// /health every 2 ms.
Reads read_lists(const std::string& url, const std::string& token, int readers, int times) {
  std::atomic<bool> done{false};
  std::vector<double> health;
  std::thread prober([&] {
    harness::HttpBackend client(url, token);
    while (!done) {
      const auto s = Clock::now();
      client.request("GET", "/health");
      health.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < readers; ++c)
    threads.emplace_back([&] {
      harness::HttpBackend client(url, token);
      for (int k = 0; k < times; ++k) (void)client.decisions();
    });
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  done = true;
  prober.join();
  return {readers * times / secs, percentile(health, 50), percentile(health, 99)};
}

// Opens `clients` connections that ask for the decision list and read one byte of the answer,
// then returns the server's resident growth in kB while they hold on (closed on return).
long stalled_growth(const ChildServer& server, const std::string& token, int clients) {
  const auto port =
      static_cast<std::uint16_t>(std::stoi(server.url.substr(server.url.rfind(':') + 1)));
  const std::string ask =
      "GET /v1/decisions?limit=10000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
      "\r\n\r\n";
  const long before = server.kb("VmRSS:");
  std::vector<int> fds;
  for (int i = 0; i < clients; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char first = 0;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::write(fd, ask.data(), ask.size()) == static_cast<ssize_t>(ask.size()))
      (void)::read(fd, &first, 1);
    fds.push_back(fd);
  }
  const long during = server.kb("VmRSS:");
  for (const int fd : fds) ::close(fd);
  return during - before;
}

struct ServerFigures {
  std::vector<double> registrations, reg_p99, lists, health_p99, stalled_kb, peak_kb;
};

double median(std::vector<double> v) {
  return percentile(std::move(v), 50);
}

void measure(const std::string& bin, const std::filesystem::path& dir, int clients, int per_client,
             ServerFigures& into) {
  std::filesystem::remove(dir / "server.db");
  ChildServer server(bin, dir / "server.db");
  auto admin = harness::HttpBackend::create_sandbox(server.url, "bench", "nacka-hemtjanst@3.0");
  admin->sync_world(world(clients));
  const auto reg = load(server.url, admin->token(), clients, per_client);
  const auto reads = read_lists(server.url, admin->token(), 4, 5);
  into.registrations.push_back(reg.per_second);
  into.reg_p99.push_back(reg.p99_ms);
  into.lists.push_back(reads.lists_per_second);
  into.health_p99.push_back(reads.health_p99_ms);
  into.stalled_kb.push_back(static_cast<double>(stalled_growth(server, admin->token(), 30)));
  into.peak_kb.push_back(static_cast<double>(server.kb("VmHWM:")));
}

int compare_servers(const std::vector<std::string>& bins, int rounds, int clients, int per_client,
                    const std::filesystem::path& dir) {
  std::map<std::string, ServerFigures> figures;
  for (int round = 1; round <= rounds; ++round)
    for (const auto& bin : bins) {
      std::fprintf(stderr, "service_bench: round %d/%d, %s\n", round, rounds, bin.c_str());
      measure(bin, dir, clients, per_client, figures[bin]);
    }
  std::printf(
      "service_bench: %d clients x %d registrations, then 4 readers x 5 whole lists, then "
      "30 stalled readers; medians of %d interleaved rounds\n",
      clients, per_client, rounds);
  std::printf("%-40s %10s %8s %10s %10s %12s %10s\n", "server", "regs/s", "p99 ms", "lists/s",
              "health p99", "stalled +MB", "peak MB");
  for (const auto& bin : bins) {
    const auto& f = figures[bin];
    std::printf("%-40s %10.0f %8.2f %10.2f %10.2f %12.1f %10.1f\n", bin.c_str(),
                median(f.registrations), median(f.reg_p99), median(f.lists), median(f.health_p99),
                median(f.stalled_kb) / 1024, median(f.peak_kb) / 1024);
  }
  return 0;
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
  std::vector<std::string> servers;
  int rounds = 3;
  app.add_option("--server", servers,
                 "A kvittens binary to start as BIN serve and measure (repeat to compare builds)");
  app.add_option("--rounds", rounds, "Interleaved rounds with --server")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is 0; a usage error 2, as every kvittens command
  }
  const auto dir =
      std::filesystem::temp_directory_path() / ("kvittens-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  if (!servers.empty()) {
    const int rc = compare_servers(servers, rounds, clients, per_client, dir);
    std::filesystem::remove_all(dir);
    return rc;
  }

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
