// The Beast transport in-process, with handlers the test controls: what the server does while
// handlers are slow.
#include "service/server.hpp"

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "harness/http_backend.hpp"

namespace kvittens::service {
namespace {

// Two clients asking for a month's decisions once took /health from 1 ms to over a second:
// handlers ran on the I/O threads. Here every handler thread is held until /health has been
// answered; on the old server /health could not be read at all until they were let go.
TEST(Server, HealthIsAnsweredWhileEveryHandlerThreadIsBusy) {
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> busy{0};
  const Handler handler = [&](const Request& r) -> Response {
    if (r.target == "/slow") {
      ++busy;
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return release; });
    }
    return {200, "application/json", "{}"};
  };
  ServerOptions o;
  o.port = 0;
  o.threads = 2;
  o.handler_threads = 2;
  std::promise<unsigned short> port;
  std::thread server([&] { serve_http(handler, o, [&](unsigned short p) { port.set_value(p); }); });
  const auto url = "http://127.0.0.1:" + std::to_string(port.get_future().get());
  harness::HttpOptions once;
  once.attempts = 1;
  once.timeout = std::chrono::seconds(30);
  std::vector<std::thread> slow;
  for (int i = 0; i < 4; ++i)  // more than there are I/O and handler threads together
    slow.emplace_back([&] {
      try {
        harness::HttpBackend(url, "", once).request("GET", "/slow");
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  for (int i = 0; i < 3000 && busy < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(busy.load(), 2);
  int health = 0;
  try {
    health = harness::HttpBackend(url, "", once).request("GET", "/health").status;
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
  EXPECT_EQ(health, 200);
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
  for (auto& t : slow) t.join();
  EXPECT_EQ(busy.load(), 4);  // the queued ones ran once threads were free
  std::raise(SIGTERM);        // serve_http's own way to stop
  server.join();
}

}  // namespace
}  // namespace kvittens::service
