// The backend service's request handler: a pure function from an HTTP request (method,
// target, bearer token, body) to a response (status, JSON body), over a Store and the
// engine. The session code in server.hpp only moves bytes; everything the API means is here.
// API: docs/backend-api.yaml; design: docs/service.md.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kvittens/time.hpp"
#include "service/store.hpp"
#include "wire/wire.hpp"

namespace kvittens::service {

struct Request {
  std::string method;         // "GET", "PUT", "POST", ...
  std::string target;         // "/v1/decisions?month=2026-03"
  std::string authorization;  // the Authorization header, "Bearer TOKEN"
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Set instead of `body` where the body grows with the realm (a page of decisions): each call
  // appends the next piece to `out` and returns false once the body is complete. It reads an
  // immutable snapshot it holds, so the server can write piece by piece as the client reads,
  // and a connection holds one piece rather than the whole body. Calls come from one thread
  // at a time, never after it returned false.
  std::function<bool(std::string& out)> stream;
};

// About how much of a streamed body one call of Response::stream makes: one piece is what a
// connection holds.
inline constexpr std::size_t kStreamPiece = 64 * 1024;

// The whole body: a streamed body is read to its end into `body` (tests, HTTP/1.0 clients).
const std::string& whole_body(Response& response);

// Who a token speaks for: Combine (the whole realm: sends the world, sees every provider) or
// one provider (anordnare), which sees and registers only for its own customers and staff.
struct Principal {
  std::string realm = "default";
  std::optional<std::string> provider;  // nullopt: Combine
};

struct ServiceOptions {
  std::string rules;                        // PACK@VERSION of the default realm
  std::map<std::string, Principal> tokens;  // token -> principal, for the default realm
  std::string sandbox_token;                // enables POST /v1/sandboxes (test mode) when set
  std::string openapi;                      // served at GET /openapi.yaml
};

// Reads a token file: one "TOKEN combine" or "TOKEN provider PROVIDER_ID" per line, '#'
// comments. Throws std::runtime_error naming the line.
std::map<std::string, Principal> read_token_file(const std::string& path);

class Service {
 public:
  // Throws for an unknown rule pack or a store that cannot be read.
  Service(Store& store, ServiceOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Thread-safe. Never throws: failures become 5xx with a JSON body.
  Response handle(const Request& request);

  // Seed 000 §2.1 at `now` (the server's clock) over the default realm; a sandbox is purged
  // only on its own clock (POST /v1/purge-notes). Decisions of purged registrations are frozen
  // first. Returns how many notes were purged.
  int purge_notes(Instant now);

 private:
  struct Realm;
  Realm& realm(const std::string& id);
  Response route(const Request& request);
  int purge(Realm& realm, Instant now);
  // The principal of a configured token, by its SHA-256; every token is compared.
  const Principal* principal_of(const std::string& token_sha256) const;

  Store& store_;
  ServiceOptions options_;
  std::vector<std::pair<std::string, Principal>> token_hashes_;  // sha256(token) -> principal
  std::mutex mu_;                                                // realms_, sandbox tokens
  std::map<std::string, std::unique_ptr<Realm>> realms_;
  std::map<std::string, std::string> sandbox_realms_;  // sha256(token) -> realm
  int next_sandbox_ = 1;
};

// JSON error body {"error": CODE, "message": MESSAGE} with the status.
Response error_response(int status, const std::string& code, const std::string& message);
// 400 for a body the wire decoder refused: {"error": "bad_request", "message": ...,
// "errors": [{"pointer": JSON_POINTER, "message": ...}, ...]}, every problem found.
Response bad_body(const wire::WireError& error);

}  // namespace kvittens::service
