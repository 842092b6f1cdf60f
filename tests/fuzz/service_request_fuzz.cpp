// libFuzzer entry for the service's request handler (service/service.hpp) on arbitrary
// requests: the first byte picks a route and method, the second a token, the rest is the body
// (or the path or query where a route reads one). Its promise is that a client's mistake is a
// 4xx and never a 5xx: a 500 traps. One Service over an in-memory SQLite store lives for the
// whole run, so what earlier inputs registered is there for later ones to collide with.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "service/service.hpp"

namespace svc = kvittens::service;

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

const char* kWorld = R"({
  "providers": [{"id": "p1"}, {"id": "p2"}],
  "customers": [{"id": "c1", "provider": "p1", "nfc_tags": ["04:A1"]},
                {"id": "c2", "provider": "p2", "nfc_tags": ["04:B1"]}],
  "staff": [{"id": "anna", "provider": "p1", "phone": "ph1"}, {"id": "bo", "provider": "p2"}],
  "orders": [{"customer": "c1", "insats": "Dusch", "minutes": 30}],
  "phones": [{"id": "ph1", "provider": "p1"}],
  "cutoff_dates": {"2026-03": "2026-04-05"}})";

svc::Service& service() {
  static const auto store = svc::open_sqlite_store(":memory:");
  static svc::Service* s = [] {
    svc::ServiceOptions o;
    o.rules = "nacka-hemtjanst@3.0";
    o.tokens = {{"combine", svc::Principal{}}, {"p1", svc::Principal{"default", "p1"}}};
    o.sandbox_token = "sandbox";
    auto* made = new svc::Service(*store, o);
    made->handle({"PUT", "/v1/world", "Bearer combine", kWorld});
    return made;
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static const char* tokens[] = {"Bearer combine", "Bearer p1", "bearer  sandbox", ""};
  const std::string auth = tokens[data[1] % 4];
  const std::string rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  svc::Request req;
  switch (data[0] % 8) {
    case 0: req = {"POST", "/v1/registrations", auth, rest}; break;
    case 1: req = {"PUT", "/v1/world", auth, rest}; break;
    case 2: req = {"GET", "/v1/decisions/" + rest, auth, ""}; break;
    case 3: req = {"GET", "/v1/months?month=" + rest, auth, ""}; break;
    case 4: req = {"POST", "/v1/sandboxes", auth, rest}; break;
    case 5: req = {"POST", "/v1/purge-notes", auth, rest}; break;
    case 6: req = {"GET", "/v1/decisions", auth, ""}; break;
    default: req = {"GET", rest, auth, ""}; break;
  }
  auto res = service().handle(req);
  require(res.status >= 200 && res.status < 500);
  // A streamed body is made as the server writes it: make it here too, and it must be JSON.
  if (res.stream) require(nlohmann::json::accept(whole_body(res)));
  // Combine's world must stay one the other routes can work on.
  if (req.method == "PUT") service().handle({"PUT", "/v1/world", "Bearer combine", kWorld});
  return 0;
}
