// The HTTP/1.1 transport of `kvittens serve` (Boost.Beast, C++20 coroutines): accepts
// connections, reads requests under a deadline per operation, hands each to a handler
// (Service::handle, or anything else with its shape) and writes the reply. It only moves
// bytes: what a request means is the handler's business.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>

#include "service/service.hpp"

namespace kvittens::service {

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;  // 0: any free port (the ready callback says which)
  std::size_t body_limit = 1 << 20;
  std::size_t header_limit = 16 * 1024;
  // Deadline for reading one whole request (headers and body) or for an idle keep-alive
  // connection: a client that trickles bytes (slowloris) is cut off when it passes.
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  std::size_t max_connections = 512;  // beyond: accepted and closed at once
  // From one client address: beyond, its new connections are accepted and closed at once, so
  // one client's idle sockets cannot take the slots of every other.
  std::size_t max_connections_per_client = 64;
  int threads = 2;  // io_context threads: reading and writing only
  // Threads that run the handler, apart from the I/O threads, so a slow request (a month's
  // decisions, an fsync) never holds up reading, writing or `/health`, which is answered on
  // the I/O thread itself.
  int handler_threads = 2;
  // Called every `tick` on a worker (e.g. the daily note purge); may be empty. When it
  // throws, it is logged and tried again after `retry`, for as long as the server runs.
  std::function<void()> on_tick;
  std::chrono::seconds tick{24 * 3600};
  std::chrono::seconds retry{60};
};

// Runs on_tick once and returns how long to wait before the next run: `tick` after success,
// `retry` after a failure, which is written to `log` by kind only (a store error's text is
// SQLite's; anything else could quote registration content, so it is not repeated).
std::chrono::seconds run_tick(const ServerOptions& options, std::ostream& log);

// Serves until SIGINT or SIGTERM, then stops accepting, lets the threads return and
// returns 0. `ready(port)` is called once the socket listens. Throws when it cannot listen.
int serve_http(const Handler& handler, const ServerOptions& options,
               const std::function<void(unsigned short port)>& ready);

}  // namespace kvittens::service
