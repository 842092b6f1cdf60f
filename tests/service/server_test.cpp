// The Beast transport in-process, with handlers the test controls: what the server does while
// handlers are slow.
#include "service/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "backend/http/http_backend.hpp"

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
    return {200, "application/json", "{}", {}};
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

// A connection to 127.0.0.1:port from `from` (any 127.x.y.z is loopback), or -1.
int connect_from(const char* from, unsigned short port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, from, &local.sin_addr);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &server.sin_addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

// The status line of one GET /health on `fd` ("" when the server closed without answering).
std::string health_on(int fd) {
  const std::string req = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return "";
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[512];
  const auto n = ::read(fd, buf, sizeof buf);
  if (n <= 0) return "";
  const std::string reply(buf, static_cast<std::size_t>(n));
  return reply.substr(0, reply.find("\r\n"));
}

// 530 idle sockets from one client once filled all 512 slots, and everyone else was refused.
TEST(Server, OneClientsIdleConnectionsCannotTakeEveryonesSlots) {
  const Handler handler = [](const Request&) {
    return Response{200, "application/json", "{}", {}};
  };
  ServerOptions o;
  o.port = 0;
  o.max_connections_per_client = 4;
  std::promise<unsigned short> port_promise;
  std::thread server(
      [&] { serve_http(handler, o, [&](unsigned short p) { port_promise.set_value(p); }); });
  const auto port = port_promise.get_future().get();
  std::vector<int> idle;
  for (std::size_t i = 0; i < o.max_connections_per_client; ++i) {
    idle.push_back(connect_from("127.0.0.1", port));
    ASSERT_GE(idle.back(), 0);
  }
  // Each idle one is admitted: it is answered.
  EXPECT_EQ(health_on(idle.front()), "HTTP/1.1 200 OK");
  const int over = connect_from("127.0.0.1", port);
  ASSERT_GE(over, 0);
  EXPECT_EQ(health_on(over), "") << "a connection beyond the client's cap was served";
  ::close(over);
  const int other = connect_from("127.0.0.2", port);
  ASSERT_GE(other, 0);
  EXPECT_EQ(health_on(other), "HTTP/1.1 200 OK");  // another client is served
  ::close(other);
  for (const int fd : idle) ::close(fd);
  std::raise(SIGTERM);
  server.join();
}

}  // namespace
}  // namespace kvittens::service
