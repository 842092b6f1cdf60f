// Reliability over real HTTP on loopback, bounded in count and time: kill -9 while a client
// streams registrations (every acknowledged one survives exactly once, nothing is
// half-present, the database passes integrity_check), and concurrent clients from several
// threads (nothing lost, nothing duplicated, retries answered as not new).
#include <sqlite3.h>

#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backend/http/http_backend.hpp"
#include "serve_process.hpp"
#include "wire/wire.hpp"

namespace kvittens::testing {
namespace {

using harness::HttpBackend;

// One provider; per worker w a customer c<w> with an order and a staff member s<w>.
World world(int workers) {
  World w;
  w.providers.push_back({"p1", "Omsorg Syd AB"});
  for (int i = 0; i < workers; ++i) {
    const auto n = std::to_string(i);
    Customer c;
    c.id = "c" + n;
    c.provider = "p1";
    c.name = "Kund " + n;
    c.nfc_tags = {"04:00:00:00:00:00:" + std::string(i < 10 ? "0" : "") + n};
    w.customers.push_back(c);
    w.staff.push_back({"s" + n, "p1", "Personal " + n, std::nullopt, std::nullopt, ""});
    w.orders.push_back({"o" + n, c.id, "Dusch", 30, false, std::nullopt, std::nullopt});
  }
  return w;
}

// Worker w's k-th visit: 30 minutes, an hour after the previous one, so none overlap.
Visit visit(int w, int k) {
  Visit v;
  v.id = "w" + std::to_string(w) + "-v" + std::to_string(k);
  v.staff = "s" + std::to_string(w);
  v.customer = "c" + std::to_string(w);
  v.start = parse_local("2026-03-02T06:00") + std::chrono::hours(k);
  v.end = v.start + std::chrono::minutes(30);
  v.insatser = {{"Dusch", InsatsStatus::Ordered, std::nullopt}};
  return v;
}

std::map<std::string, int> decided_ids(HttpBackend& client) {
  std::map<std::string, int> out;
  for (const auto& d : client.decisions().visits) ++out[d.id];
  return out;
}

TEST(ServiceReliability, KillNineWhileStreamingLosesNoAcknowledgedRegistration) {
  TempDir dir;
  const auto db = dir.path / "kvittens.db";
  std::string token;
  std::set<std::string> acknowledged;
  int sent = 0;
  {
    ServeProcess server(db);
    auto client = HttpBackend::create_sandbox(server.url(), ServeProcess::kSandboxToken,
                                              "nacka-hemtjanst@3.0");
    token = client->token();
    client->sync_world(world(1));
    std::atomic<int> acks{0};
    std::atomic<bool> done{false};
    std::thread streamer([&] {
      harness::HttpOptions once;
      once.attempts = 1;  // no retry: the server is about to die
      once.timeout = std::chrono::milliseconds(2000);
      HttpBackend fast(server.url(), token, once);
      try {
        for (int k = 0; k < 2000; ++k) {
          ++sent;
          const auto r = fast.submit(visit(0, k));
          if (!r.accepted || !r.is_new) break;
          acknowledged.insert(visit(0, k).id);
          ++acks;
        }
      } catch (const harness::HttpBackendError&) {
        // The kill: expected.
      }
      done = true;
    });
    while (acks.load() < 40 && !done.load()) std::this_thread::yield();
    server.child().signal(SIGKILL);
    streamer.join();
    EXPECT_EQ(server.child().wait(std::chrono::seconds(10)), 128 + SIGKILL);
  }
  ASSERT_GE(acknowledged.size(), 40u);
  ASSERT_LT(acknowledged.size(), 2000u) << "the kill came after the stream ended";

  // The file as the crash left it.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  std::string integrity;
  sqlite3_exec(
      raw, "PRAGMA integrity_check",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) += values[0];
        return 0;
      },
      &integrity, nullptr);
  sqlite3_close(raw);
  EXPECT_EQ(integrity, "ok");

  ServeProcess restarted(db);
  HttpBackend client(restarted.url(), token);
  const auto ids = decided_ids(client);
  for (const auto& id : acknowledged) EXPECT_EQ(ids.count(id) ? ids.at(id) : 0, 1) << id;
  // At most the one in flight at the kill is present without an acknowledgement, and whole.
  EXPECT_LE(ids.size(), acknowledged.size() + 1);
  for (const auto& [id, n] : ids) EXPECT_EQ(n, 1) << id;
  // A retry of an acknowledged registration after the restart is still a no-op.
  const auto retry = client.submit(visit(0, 0));
  EXPECT_TRUE(retry.accepted);
  EXPECT_FALSE(retry.is_new);
}

TEST(ServiceReliability, ConcurrentClientsLoseAndDuplicateNothing) {
  constexpr int kThreads = 6;
  constexpr int kPerThread = 40;
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db", {"--threads", "4"});
  auto admin =
      HttpBackend::create_sandbox(server.url(), ServeProcess::kSandboxToken, "nacka-hemtjanst@3.0");
  admin->sync_world(world(kThreads));
  std::atomic<int> fresh{0}, repeats{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpBackend client(server.url(), admin->token());
      for (int k = 0; k < kPerThread; ++k) {
        const auto r = client.submit(visit(t, k));
        (r.accepted && r.is_new ? fresh : failures)++;
        if (k % 4 == 0) {  // a retry, as a phone would after a lost reply
          const auto again = client.submit(visit(t, k));
          (again.accepted && !again.is_new ? repeats : failures)++;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(fresh.load(), kThreads * kPerThread);
  EXPECT_EQ(repeats.load(), kThreads * kPerThread / 4);
  const auto ids = decided_ids(*admin);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (const auto& [id, n] : ids) EXPECT_EQ(n, 1) << id;
}

}  // namespace
}  // namespace kvittens::testing
