// A BackendClient over HTTP (docs/backend-api.yaml): `kvittens serve` or any backend that
// implements the same API. Keep-alive connection, a deadline on every operation, and
// retries that resend the same request — safe for registrations, which the server keys by
// their id (a retry answers "new": false).
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "kvittens/backend_client.hpp"
#include "kvittens/device_log.hpp"

namespace kvittens::harness {

// The backend could not be reached, or answered something unexpected.
class HttpBackendError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpOptions {
  std::chrono::milliseconds timeout{10000};  // per operation: connect, write, read
  int attempts = 4;                          // tries per request (transport failures, 5xx)
  std::chrono::milliseconds backoff{50};     // doubled after every failed try
  // Once every try of one request failed (the server is gone or keeps failing), later
  // requests fail at once instead of trying again: a client that streams many registrations
  // (`simulate --backend`) then stops in bounded time rather than retrying each of them.
  bool give_up_when_unreachable = false;
  std::size_t page = 1000;  // decisions per GET /v1/decisions page
};

struct HttpReply {
  int status = 0;
  std::string body;
};

class HttpBackend final : public BackendClient {
 public:
  // url: "http://HOST:PORT" (an optional path prefix is kept); token: the bearer token.
  HttpBackend(const std::string& url, std::string token, HttpOptions options = {});
  ~HttpBackend() override;

  // Test mode: creates a fresh sandbox realm judged under `rules` (POST /v1/sandboxes with
  // the server's sandbox token) and returns a client holding the sandbox's own token.
  static std::unique_ptr<HttpBackend> create_sandbox(const std::string& url,
                                                     const std::string& sandbox_token,
                                                     const std::string& rules,
                                                     HttpOptions options = {});

  void sync_world(const World& world) override;
  SubmitResult submit(const Registration& registration) override;
  Decisions decisions() override;

  // One request with retries; throws HttpBackendError when every attempt failed.
  // `registration_id` only names the registration a request is about in the device log.
  HttpReply request(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& registration_id = "");
  const std::string& token() const { return token_; }

  // Every attempt (method, path, status or transport failure, registration id — never a
  // body) is recorded here from now on; null: nowhere (docs/device-log.md).
  void set_log(DeviceLog* log) { log_ = log; }

 private:
  void note(const char* direction, const std::string& what, std::string detail,
            std::string verdict) const;

  struct Connection;
  std::unique_ptr<Connection> conn_;
  std::string token_;
  HttpOptions options_;
  std::string gave_up_;  // why every try of a request failed, once give_up_when_unreachable
  DeviceLog* log_ = nullptr;
};

}  // namespace kvittens::harness
