#include "service/server.hpp"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <atomic>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace kvittens::service {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

http::response<http::string_body> to_beast(const Response& r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "kvittens");
  res.set(http::field::content_type, r.content_type);
  res.keep_alive(keep_alive);
  res.body() = r.body;
  res.prepare_payload();
  return res;
}

// Live connections, in all and per client address, so the server can refuse beyond
// max_connections and max_connections_per_client.
struct Connections {
  std::atomic<std::size_t> total{0};
  std::mutex mu;
  std::map<asio::ip::address, std::size_t> per_client;

  // Counts a connection from `client` in; false (nothing counted) when a limit is reached.
  bool admit(const asio::ip::address& client, const ServerOptions& o) {
    std::lock_guard lock(mu);
    auto& mine = per_client[client];
    if (total.load() >= o.max_connections || mine >= o.max_connections_per_client) {
      if (mine == 0) per_client.erase(client);
      return false;
    }
    ++mine;
    ++total;
    return true;
  }
  void leave(const asio::ip::address& client) {
    std::lock_guard lock(mu);
    if (const auto it = per_client.find(client); it != per_client.end() && --it->second == 0)
      per_client.erase(it);
    --total;
  }
};

// One admitted connection, counted out when its session ends.
struct Admitted {
  Connections& c;
  asio::ip::address client;
  ~Admitted() { c.leave(client); }
};

// Runs handler(request) on a worker and resumes the session on its own strand with the
// answer: the handler may take long (a month's decisions, an fsync), the I/O threads may not.
awaitable<Response> on_worker(asio::thread_pool& workers, const Handler& handler,
                              const Request& request) {
  const auto back = co_await asio::this_coro::executor;
  co_return co_await asio::async_initiate<decltype(use_awaitable), void(Response)>(
      [&](auto done) {
        asio::post(workers, [&handler, &request, back, done = std::move(done)]() mutable {
          Response answer;
          try {
            answer = handler(request);
          } catch (const std::exception&) {
            answer = error_response(500, "internal", "the request could not be handled");
          }
          asio::post(back, [done = std::move(done), answer = std::move(answer)]() mutable {
            done(std::move(answer));
          });
        });
      },
      use_awaitable);
}

// Writes a streamed answer as HTTP/1.1 chunks, one piece at a time: the next piece is made
// only when the last is on its way, so a client that stops reading holds one piece until the
// write deadline closes its connection.
awaitable<void> write_streamed(beast::tcp_stream& stream, Response& answer, bool keep_alive,
                               const ServerOptions& o, beast::error_code& ec) {
  http::response<http::buffer_body> res{static_cast<http::status>(answer.status), 11};
  res.set(http::field::server, "kvittens");
  res.set(http::field::content_type, answer.content_type);
  res.keep_alive(keep_alive);
  res.chunked(true);
  res.body().data = nullptr;
  res.body().more = true;
  http::response_serializer<http::buffer_body> serializer{res};
  stream.expires_after(o.write_timeout);
  co_await http::async_write_header(stream, serializer, asio::redirect_error(use_awaitable, ec));
  std::string piece;
  bool more = true;
  while (!ec && !serializer.is_done()) {
    piece.clear();
    if (more) {
      try {
        more = answer.stream(piece);
      } catch (const std::exception&) {
        ec = asio::error::operation_aborted;  // the status is sent: only a cut can say it failed
        break;
      }
    }
    res.body().data = piece.empty() ? nullptr : piece.data();
    res.body().size = piece.size();
    res.body().more = more;
    stream.expires_after(o.write_timeout);
    co_await http::async_write(stream, serializer, asio::redirect_error(use_awaitable, ec));
    if (ec == http::error::need_buffer) ec = {};
  }
}

// What only reads memory and answers at once: handled on the I/O thread.
bool answered_inline(const Request& r) {
  return r.target == "/health" || r.target.rfind("/health?", 0) == 0;
}

awaitable<void> session(beast::tcp_stream stream, const Handler& handler, const ServerOptions& o,
                        Connections& connections, asio::ip::address client,
                        asio::thread_pool& workers) {
  const Admitted admitted{connections, client};
  beast::error_code ec;
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(o.header_limit));
    parser.body_limit(o.body_limit);
    stream.expires_after(o.read_timeout);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted)
      break;  // the client left, or was too slow: nothing to answer
    std::optional<Response> failure;
    if (ec == http::error::body_limit)
      failure = error_response(413, "payload_too_large",
                               "body larger than " + std::to_string(o.body_limit) + " bytes");
    else if (ec == http::error::header_limit)
      failure = error_response(431, "headers_too_large", "request headers too large");
    else if (ec && ec.category() == http::make_error_code(http::error::bad_target).category())
      failure = error_response(400, "bad_request", "malformed HTTP request: " + ec.message());
    else if (ec)
      break;  // the connection failed (reset, ...)
    if (failure) {
      // The stream is out of step after a bad request: answer it, then close.
      auto res = to_beast(*failure, 11, false);
      stream.expires_after(o.write_timeout);
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      break;
    }
    auto& req = parser.get();
    const Request request{std::string(req.method_string()), std::string(req.target()),
                          std::string(req[http::field::authorization]), std::move(req.body())};
    // RFC 7230 §5.4: an HTTP/1.1 request without Host is answered 400.
    const bool has_host = req.version() < 11 || req.find(http::field::host) != req.end();
    Response answer;
    if (!has_host)
      answer = error_response(400, "bad_request", "an HTTP/1.1 request needs a Host header");
    else if (answered_inline(request))
      answer = handler(request);
    else
      answer = co_await on_worker(workers, handler, request);
    const bool keep_alive = req.keep_alive();
    if (answer.stream && req.version() >= 11) {
      co_await write_streamed(stream, answer, keep_alive, o, ec);
      if (ec || !keep_alive) break;
      continue;
    }
    whole_body(answer);  // HTTP/1.0 has no chunked encoding
    auto res = to_beast(answer, req.version(), keep_alive);
    stream.expires_after(o.write_timeout);
    co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    if (ec || !res.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

awaitable<void> listen(tcp::acceptor& acceptor, const Handler& handler, const ServerOptions& o,
                       Connections& connections, asio::thread_pool& workers) {
  auto& ioc = static_cast<asio::io_context&>(acceptor.get_executor().context());
  for (;;) {
    beast::error_code ec;
    auto socket = co_await acceptor.async_accept(asio::make_strand(ioc),
                                                 asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. too many open files: keep serving the others
    const auto peer = socket.remote_endpoint(ec);
    if (ec || !connections.admit(peer.address(), o)) {
      socket.close(ec);  // one client's idle sockets cannot take every slot
      continue;
    }
    auto ex = socket.get_executor();
    asio::co_spawn(ex,
                   session(beast::tcp_stream(std::move(socket)), handler, o, connections,
                           peer.address(), workers),
                   asio::detached);
  }
}

awaitable<void> ticker(asio::steady_timer& timer, const ServerOptions& o) {
  std::chrono::seconds wait = o.tick;
  for (;;) {
    timer.expires_after(wait);
    beast::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    wait = run_tick(o, std::cerr);
  }
}

}  // namespace

std::chrono::seconds run_tick(const ServerOptions& o, std::ostream& log) {
  try {
    o.on_tick();
    return o.tick;
  } catch (const StoreError& e) {
    log << "kvittens serve: the periodic task failed (store: " << e.what() << "); retrying in "
        << o.retry.count() << " s" << std::endl;
  } catch (const std::exception&) {
    log << "kvittens serve: the periodic task failed; retrying in " << o.retry.count() << " s"
        << std::endl;
  }
  return o.retry;
}

int serve_http(const Handler& handler, const ServerOptions& o,
               const std::function<void(unsigned short)>& ready) {
  Connections connections;  // outlives the sessions' frames, destroyed with ioc
  asio::thread_pool workers(static_cast<std::size_t>(std::max(1, o.handler_threads)));
  asio::io_context ioc{o.threads};
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint endpoint(asio::ip::make_address(o.address), o.port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer tick(ioc);
  signals.async_wait([&](const beast::error_code&, int) {
    // Stop accepting; requests being handled finish, their connections are then dropped.
    beast::error_code ignored;
    acceptor.close(ignored);
    tick.cancel();
    ioc.stop();
  });
  asio::co_spawn(ioc, listen(acceptor, handler, o, connections, workers), asio::detached);
  if (o.on_tick) asio::co_spawn(ioc, ticker(tick, o), asio::detached);
  ready(acceptor.local_endpoint().port());

  std::vector<std::thread> threads;
  for (int i = 1; i < o.threads; ++i) threads.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  workers.join();  // a handler still running finishes before the store it uses is closed
  return 0;
}

}  // namespace kvittens::service
