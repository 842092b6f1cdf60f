#include "backend/http/http_backend.hpp"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "wire/decisions_json.hpp"
#include "wire/wire.hpp"

namespace kvittens::harness {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

std::string message_of(const HttpReply& r) {
  try {
    const auto j = nlohmann::json::parse(r.body);
    if (j.contains("message")) return j["message"].get<std::string>();
  } catch (const std::exception&) {
  }
  return r.body.substr(0, 200);
}

}  // namespace

struct HttpBackend::Connection {
  std::string host, port, prefix;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // One exchange on the kept-alive connection (connecting first when there is none).
  awaitable<void> exchange(http::request<http::string_body>& req,
                           http::response<http::string_body>& res,
                           std::chrono::milliseconds timeout, beast::error_code& ec) {
    if (!stream) {
      tcp::resolver resolver(ioc);
      const auto endpoints =
          co_await resolver.async_resolve(host, port, asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      stream.emplace(ioc);
      stream->expires_after(timeout);
      co_await stream->async_connect(endpoints, asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      buffer.clear();
    }
    stream->expires_after(timeout);
    co_await http::async_write(*stream, req, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    stream->expires_after(timeout);
    co_await http::async_read(*stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    res = parser.release();
  }

  std::optional<HttpReply> once(http::request<http::string_body>& req,
                                std::chrono::milliseconds timeout, std::string& why) {
    http::response<http::string_body> res;
    beast::error_code ec;
    asio::co_spawn(ioc, exchange(req, res, timeout, ec), asio::detached);
    ioc.restart();
    ioc.run();
    if (ec) {
      why = ec.message();
      stream.reset();  // a failed connection is not reused
      return std::nullopt;
    }
    if (!res.keep_alive()) stream.reset();
    return HttpReply{static_cast<int>(res.result_int()), std::move(res.body())};
  }
};

HttpBackend::HttpBackend(const std::string& url, std::string token, HttpOptions options)
    : conn_(std::make_unique<Connection>()), token_(std::move(token)), options_(options) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0)
    throw HttpBackendError("backend URL '" + url + "': expected http://HOST:PORT");
  std::string rest = url.substr(scheme.size());
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    conn_->prefix = rest.substr(slash);
    if (conn_->prefix.back() == '/') conn_->prefix.pop_back();
    rest.resize(slash);
  }
  const auto colon = rest.rfind(':');
  conn_->host = colon == std::string::npos ? rest : rest.substr(0, colon);
  conn_->port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  if (conn_->host.empty()) throw HttpBackendError("backend URL '" + url + "': no host");
}

HttpBackend::~HttpBackend() = default;

void HttpBackend::note(const char* direction, const std::string& what, std::string detail,
                       std::string verdict) const {
  if (log_ == nullptr) return;
  DeviceLogEntry e;
  e.device = "backend:http";
  e.transport = "http";
  e.direction = direction;
  e.what = what;
  e.detail = std::move(detail);
  e.verdict = std::move(verdict);
  log_->record(std::move(e));
}

HttpReply HttpBackend::request(const std::string& method, const std::string& target,
                               const std::string& body, const std::string& registration_id) {
  http::request<http::string_body> req{http::string_to_verb(method), conn_->prefix + target, 11};
  req.set(http::field::host, conn_->host);
  req.set(http::field::user_agent, "kvittens");
  if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();
  const std::string what = method + " " + target;
  if (!gave_up_.empty())
    throw HttpBackendError(what + ": not tried, the backend stopped answering earlier (" +
                           gave_up_ + ")");
  std::string why;
  auto wait = options_.backoff;
  const std::string id = registration_id.empty() ? "" : "id=" + registration_id;
  for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
    note("request", what, id, "");
    if (auto reply = conn_->once(req, options_.timeout, why)) {
      note("response", what,
           "status=" + std::to_string(reply->status) + (id.empty() ? "" : " " + id),
           std::to_string(reply->status / 100) + "xx");
      if (reply->status < 500) return *reply;
      why = "HTTP " + std::to_string(reply->status) + ": " + message_of(*reply);
    } else {
      note("failure", what, id, why);
    }
    if (attempt < options_.attempts) {
      std::this_thread::sleep_for(wait);  // backoff between retries, not a readiness guess
      wait *= 2;
    }
  }
  if (options_.give_up_when_unreachable) gave_up_ = why;
  throw HttpBackendError(method + " " + target + ": " + why + " (after " +
                         std::to_string(options_.attempts) + " tries)");
}

std::unique_ptr<HttpBackend> HttpBackend::create_sandbox(const std::string& url,
                                                         const std::string& sandbox_token,
                                                         const std::string& rules,
                                                         HttpOptions options) {
  HttpBackend admin(url, sandbox_token, options);
  const auto reply =
      admin.request("POST", "/v1/sandboxes", nlohmann::json{{"rules", rules}}.dump());
  if (reply.status != 201)
    throw HttpBackendError("POST /v1/sandboxes: HTTP " + std::to_string(reply.status) + ": " +
                           message_of(reply));
  const auto j = nlohmann::json::parse(reply.body);
  return std::make_unique<HttpBackend>(url, j.at("token").get<std::string>(), options);
}

void HttpBackend::sync_world(const World& world) {
  const auto reply = request("PUT", "/v1/world", wire::encode_world(world).dump());
  if (reply.status != 200)
    throw HttpBackendError("PUT /v1/world: HTTP " + std::to_string(reply.status) + ": " +
                           message_of(reply));
}

SubmitResult HttpBackend::submit(const Registration& registration) {
  const auto reply =
      request("POST", "/v1/registrations", wire::encode_registration(registration).dump(),
              registration_id(registration));
  if (reply.status != 200 && reply.status != 201 && reply.status != 409 && reply.status != 422)
    throw HttpBackendError("POST /v1/registrations: HTTP " + std::to_string(reply.status) + ": " +
                           message_of(reply));
  try {
    const auto j = nlohmann::json::parse(reply.body);
    return {j.at("accepted").get<bool>(), j.at("new").get<bool>(), j.value("reason", ""),
            j.value("clause", "")};
  } catch (const nlohmann::json::exception& e) {
    throw HttpBackendError(std::string("POST /v1/registrations: unexpected reply: ") + e.what());
  }
}

Decisions HttpBackend::decisions() {
  // Page after page (docs/backend-api.yaml): the summaries come with the last one.
  Decisions all;
  const std::string first = "/v1/decisions?limit=" + std::to_string(options_.page);
  std::string target = first;
  for (;;) {
    const auto reply = request("GET", target);
    if (reply.status != 200)
      throw HttpBackendError("GET " + target + ": HTTP " + std::to_string(reply.status) + ": " +
                             message_of(reply));
    try {
      const auto json = nlohmann::json::parse(reply.body);
      auto page = wire::decode_decisions(json);
      for (auto& d : page.visits) all.visits.push_back(std::move(d));
      if (!json.contains("next")) {
        all.months = std::move(page.months);
        return all;
      }
      target = first + "&after=" + json.at("next").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
      throw HttpBackendError("GET " + target + ": unexpected reply: " + e.what());
    } catch (const wire::WireError& e) {
      throw HttpBackendError("GET " + target + ": " + e.what());
    }
  }
}

}  // namespace kvittens::harness
