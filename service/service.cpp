#include "service/service.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "backend/engine/engine.hpp"
#include "service/export.hpp"
#include "wire/decisions_json.hpp"
#include "wire/wire.hpp"

namespace kvittens::service {

using Json = nlohmann::ordered_json;

namespace {

// One provider's registrations in a realm. Ids are scoped per provider (two providers may both
// send "v1", or name a shift "natt-17"), and each scope is judged on its own, so one
// provider's approval, payment or edit never reaches another's visits.
struct Scope {
  backend::AcceptedRegistrations regs;
  std::map<std::string, Registration> by_id;   // as accepted; notes purged after 180 days
  std::map<std::string, std::string> digests;  // id -> SHA-256 of the canonical body as accepted
};

template <class T>
const T* find_by_id(const std::vector<T>& list, const std::string& id) {
  for (const auto& x : list)
    if (x.id == id) return &x;
  return nullptr;
}

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

std::string sha256(const std::string& s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), md, &n, EVP_sha256(), nullptr);
  return hex(md, n);
}

std::string random_token() {
  unsigned char b[24];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("no random bytes for a token");
  return hex(b, sizeof b);
}

// Both are SHA-256 hex digests: compared in constant time, so the time a refusal takes says
// nothing about how much of a token was right.
bool same_digest(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The token of "Bearer TOKEN": the scheme is case-insensitive (RFC 7235 §2.1), one or more
// spaces follow it, and whitespace after the token is dropped (tokens have none).
std::optional<std::string> bearer_token(const std::string& header) {
  constexpr std::string_view scheme = "bearer";
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return std::nullopt;
  const auto first = header.find_first_not_of(' ', scheme.size());
  if (first == std::string::npos) return std::nullopt;
  const auto last = header.find_last_not_of(" \t");
  std::string token = header.substr(first, last + 1 - first);
  if (token.find_first_of(" \t") != std::string::npos) return std::nullopt;
  return token;
}

// Decisions per page of GET /v1/decisions, unless `limit` says otherwise, and the most.
constexpr std::size_t kDefaultPage = 1000;
constexpr std::size_t kMaxPage = 10000;

std::string dumped(const Json& j) {
  // Replace, not throw: a message may quote bytes of a body that were not UTF-8.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Response json_response(int status, const Json& j) {
  return {status, "application/json", dumped(j), {}};
}

// 200 with {"decisions": [the picked visits], "months": [the picked months], "next": NEXT},
// streamed from the shared snapshot: the same bytes json_response(wire::to_json(page)) gives.
Response decision_page(std::shared_ptr<const Decisions> all, std::vector<std::size_t> visits,
                       std::vector<std::size_t> months, std::optional<std::string> next) {
  struct Page {
    std::shared_ptr<const Decisions> all;
    std::vector<std::size_t> visits, months;
    std::optional<std::string> next;
    std::size_t at = 0;  // the next element: visits first, then months
    bool opened = false;
  };
  auto page = std::make_shared<Page>(
      Page{std::move(all), std::move(visits), std::move(months), std::move(next)});
  Response r{200, "application/json", "", {}};
  r.stream = [page](std::string& out) {
    auto& p = *page;
    const auto total = p.visits.size() + p.months.size();
    const auto start = out.size();
    if (!p.opened) out += "{\"decisions\":[";
    p.opened = true;
    for (; p.at < total && out.size() - start < kStreamPiece; ++p.at) {
      if (p.at < p.visits.size()) {
        if (p.at != 0) out += ',';
        out += dumped(wire::to_json(p.all->visits[p.visits[p.at]]));
      } else {
        const auto m = p.at - p.visits.size();
        out += m == 0 ? "],\"months\":[" : ",";
        out += dumped(wire::to_json(p.all->months[p.months[m]]));
      }
    }
    if (p.at < total) return true;
    if (p.months.empty()) out += "],\"months\":[";
    out += ']';
    if (p.next) out += ",\"next\":" + dumped(Json(*p.next));
    out += '}';
    return false;
  };
  return r;
}

// RFC 3986 percent-decoding ('+' is a plus: these are paths and query values, not forms);
// nullopt for a broken escape or a decoded NUL or other control character.
std::optional<std::string> percent_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
        return std::nullopt;
      c = static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
    out += c;
  }
  return out;
}

std::optional<std::map<std::string, std::string>> query_params(const std::string& q) {
  std::map<std::string, std::string> out;
  std::stringstream ss(q);
  std::string kv;
  while (std::getline(ss, kv, '&')) {
    const auto eq = kv.find('=');
    const auto key = percent_decoded(std::string_view(kv).substr(0, eq));
    const auto value =
        percent_decoded(eq == std::string::npos ? "" : std::string_view(kv).substr(eq + 1));
    if (!key || !value) return std::nullopt;
    out[*key] = *value;
  }
  return out;
}

// Whose registration it is, when Combine's token sends it: the provider of its customer (who
// is paid for it) or of its staff member; for a payment or an edit, the provider whose visit
// it names; for a shift approval, the provider of the staff member the shift is named after
// (STAFF/DATE), or the world's only provider. Unknown references give "" (the engine's check
// refuses them); nullopt with `why` when the world cannot say.
std::optional<std::string> owner_for_combine(const Registration& r, const World& w,
                                             const std::map<std::string, Scope>& scopes,
                                             std::string& why) {
  const auto customer = [&](const std::string& id) -> std::string {
    const auto* c = find_by_id(w.customers, id);
    return c ? c->provider : "";
  };
  const auto staff = [&](const std::string& id) -> std::string {
    const auto* s = find_by_id(w.staff, id);
    return s ? s->provider : "";
  };
  return std::visit(
      [&](const auto& x) -> std::optional<std::string> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, SharedInsats>) {
          return staff(x.staff);
        } else if constexpr (std::is_same_v<T, Absence>) {
          return customer(x.customer);
        } else if constexpr (std::is_same_v<T, ShiftApproval>) {
          if (auto p = staff(x.shift.substr(0, x.shift.find('/'))); !p.empty()) return p;
          if (w.providers.size() == 1) return w.providers.front().id;
          why = "shift '" + x.shift +
                "' is not named after a staff member (STAFF/DATE) and the world has several "
                "providers: send its approval with the provider's token";
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, Payment> || std::is_same_v<T, VisitEdit>) {
          std::vector<std::string> owners;
          for (const auto& [owner, scope] : scopes)
            if (scope.regs.visit(x.visit)) owners.push_back(owner);
          if (owners.size() <= 1) return owners.empty() ? std::string() : owners.front();
          why = "visit '" + x.visit +
                "' is registered by several providers: send this with the provider's token";
          return std::nullopt;
        } else {
          if (auto p = customer(x.customer); !p.empty()) return p;
          return staff(x.staff);
        }
      },
      r);
}

World visible_world(const World& w, const std::string& provider) {
  World out;
  std::set<std::string> customers;
  for (const auto& p : w.providers)
    if (p.id == provider) out.providers.push_back(p);
  for (const auto& c : w.customers)
    if (c.provider == provider) out.customers.push_back(c), customers.insert(c.id);
  for (const auto& s : w.staff)
    if (s.provider == provider) out.staff.push_back(s);
  for (const auto& o : w.orders)
    if (customers.count(o.customer)) out.orders.push_back(o);
  for (auto l : w.locks) {
    std::erase_if(l.customers, [&](const std::string& c) { return !customers.count(c); });
    if (!l.customers.empty()) out.locks.push_back(l);
  }
  for (const auto& p : w.phones)
    if (p.provider == provider) out.phones.push_back(p);
  out.cutoff_dates = w.cutoff_dates;
  return out;
}

}  // namespace

const std::string& whole_body(Response& r) {
  if (r.stream) {
    while (r.stream(r.body)) {
    }
    r.stream = nullptr;
  }
  return r.body;
}

Response error_response(int status, const std::string& code, const std::string& message) {
  return json_response(status, Json{{"error", code}, {"message", message}});
}

Response bad_body(const wire::WireError& e) {
  Json errors = Json::array();
  for (const auto& i : e.issues())
    errors.push_back(Json{{"pointer", i.pointer}, {"message", i.message}});
  return json_response(
      400, Json{{"error", "bad_request"}, {"message", e.what()}, {"errors", std::move(errors)}});
}

std::map<std::string, Principal> read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read the token file");
  std::map<std::string, Principal> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::stringstream ss(line);
    std::string token, role, provider, extra;
    if (!(ss >> token)) continue;
    ss >> role >> provider >> extra;
    const std::string where = path + ":" + std::to_string(n) + ": ";
    if (!extra.empty() || (role == "combine" && !provider.empty()) ||
        (role == "provider" && provider.empty()) || (role != "combine" && role != "provider"))
      throw std::runtime_error(where + "expected 'TOKEN combine' or 'TOKEN provider PROVIDER_ID'");
    Principal p;
    if (role == "provider") p.provider = provider;
    if (!out.emplace(token, p).second) throw std::runtime_error(where + "token given twice");
  }
  return out;
}

// One realm in memory: a write-through cache of its rows in the store, judged by one engine,
// one scope per provider.
struct Service::Realm {
  Realm(RealmRecord rec, backend::RulePack pack)
      : record(std::move(rec)), engine(std::move(pack)) {}
  std::mutex mu;
  RealmRecord record;
  backend::Engine engine;
  World world;
  std::map<std::string, Scope> scopes;  // by owner (provider id; "" for none)
  std::map<RegistrationKey, VisitDecision> frozen;

  // Where each registration came, across scopes: its kind's group (the engine reports
  // visits, then double staffing, declined visits and absences) and its arrival.
  std::map<RegistrationKey, std::pair<int, std::uint64_t>> arrival;
  std::uint64_t next_arrival = 0;

  // The merged decisions as of the last change, shared by every response that reads them
  // (pages being streamed hold it until written): a change to the world, a scope or the frozen
  // decisions drops it, and the next read evaluates once for all readers.
  std::shared_ptr<const Decisions> snapshot;

  std::shared_ptr<const Decisions> current() {
    if (!snapshot) snapshot = std::make_shared<const Decisions>(decisions());
    return snapshot;
  }
  void changed() { snapshot.reset(); }

  void arrived(const RegistrationKey& key, const Registration& reg) {
    static constexpr int group[] = {0, 1, 4, 2, 3, 4, 4, 4};  // by Registration's index
    const int g = group[reg.index()];
    arrival.emplace(key, std::make_pair(g, next_arrival++));
  }

  // Every scope's decisions, merged into the order one engine over all registrations gives:
  // by kind, then by arrival (an absence's monthly parts stay together, in their order).
  Decisions decisions() const {
    struct Placed {
      std::pair<int, std::uint64_t> at;
      std::size_t index;
      VisitDecision decision;
    };
    std::vector<Placed> placed;
    Decisions out;
    for (const auto& [owner, scope] : scopes) {
      auto d = engine.evaluate(world, scope.regs.all());
      for (std::size_t i = 0; i < d.visits.size(); ++i) {
        auto& v = d.visits[i];
        if (const auto it = frozen.find({owner, v.id}); it != frozen.end()) v = it->second;
        auto at = arrival.find({owner, v.id});
        if (at == arrival.end()) at = arrival.find({owner, v.id.substr(0, v.id.rfind('/'))});
        placed.push_back({at == arrival.end() ? std::make_pair(5, std::uint64_t{0}) : at->second,
                          placed.size(), std::move(v)});
      }
      for (auto& m : d.months) out.months.push_back(std::move(m));
    }
    std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
      return std::tie(a.at, a.index) < std::tie(b.at, b.index);
    });
    out.visits.reserve(placed.size());
    for (auto& p : placed) out.visits.push_back(std::move(p.decision));
    std::stable_sort(out.months.begin(), out.months.end(), [](const auto& a, const auto& b) {
      return std::tie(a.provider, a.month) < std::tie(b.provider, b.month);
    });
    return out;
  }
};

Service::Service(Store& store, ServiceOptions options)
    : store_(store), options_(std::move(options)) {
  for (const auto& [token, principal] : options_.tokens)
    token_hashes_.emplace_back(sha256(token), principal);
  bool have_default = false;
  for (const auto& r : store_.realms()) {
    if (r.id == "default") have_default = true;
    if (!r.token_sha256.empty()) sandbox_realms_[r.token_sha256] = r.id;
    if (r.id.rfind("sb-", 0) == 0)
      next_sandbox_ = std::max(next_sandbox_, std::stoi(r.id.substr(3)) + 1);
  }
  if (!options_.rules.empty() || !have_default) {
    (void)backend::load_rule_pack(options_.rules.empty() ? "nacka-hemtjanst" : options_.rules);
    store_.add_realm({"default", options_.rules.empty() ? "nacka-hemtjanst" : options_.rules, ""});
  }
}

Service::~Service() = default;

const Principal* Service::principal_of(const std::string& token_sha256) const {
  const Principal* found = nullptr;
  for (const auto& [hash, principal] : token_hashes_)
    if (same_digest(hash, token_sha256)) found = &principal;
  return found;
}

Service::Realm& Service::realm(const std::string& id) {
  std::lock_guard lock(mu_);
  if (const auto it = realms_.find(id); it != realms_.end()) return *it->second;
  RealmRecord rec;
  for (const auto& r : store_.realms())
    if (r.id == id) rec = r;
  if (rec.id.empty()) throw StoreError("unknown realm");
  auto r = std::make_unique<Realm>(rec, backend::load_rule_pack(rec.rules));
  if (const auto w = store_.world(id)) r->world = wire::decode_world(*w);
  for (const auto& s : store_.registrations(id)) {
    auto reg = wire::decode_registration(s.body);
    auto& scope = r->scopes[s.key.owner];
    scope.regs.append(reg);
    r->arrived(s.key, reg);
    // A row from before digests were kept: its body as stored is the best record there is.
    scope.digests[s.key.id] = s.digest.empty() ? sha256(s.body) : s.digest;
    scope.by_id.emplace(s.key.id, std::move(reg));
  }
  for (const auto& [key, body] : store_.frozen_decisions(id))
    r->frozen.emplace(key, wire::decode_visit_decision(nlohmann::json::parse(body)));
  return *realms_.emplace(id, std::move(r)).first->second;
}

Response Service::handle(const Request& req) {
  try {
    return route(req);
  } catch (const std::exception&) {
    // The message may quote request content (personal data): it is neither logged nor sent.
    return error_response(500, "internal", "the request could not be handled");
  }
}

Response Service::route(const Request& req) {
  const auto qpos = req.target.find('?');
  const auto decoded_path = percent_decoded(std::string_view(req.target).substr(0, qpos));
  const auto query_or = query_params(qpos == std::string::npos ? "" : req.target.substr(qpos + 1));
  if (!decoded_path || !query_or)
    return error_response(400, "bad_request",
                          "the request target has a broken %-escape or a control character");
  const std::string& path = *decoded_path;
  const auto& query = *query_or;
  const bool get = req.method == "GET";

  if (path == "/health") {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    return json_response(200, Json{{"status", "ok"}, {"schema_version", sqlite_schema_version()}});
  }
  if (path == "/openapi.yaml") {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    return {200, "application/yaml", options_.openapi, {}};
  }
  if (path.rfind("/v1/", 0) != 0) return error_response(404, "not_found", "no such route: " + path);

  // Everything under /v1/ needs a bearer token.
  const auto token_or = bearer_token(req.authorization);
  if (!token_or)
    return error_response(401, "unauthorized", "missing 'Authorization: Bearer TOKEN'");
  const std::string& token = *token_or;
  const std::string token_hash = sha256(token);

  if (path == "/v1/sandboxes") {
    if (req.method != "POST") return error_response(405, "method_not_allowed", "use POST");
    if (options_.sandbox_token.empty())
      return error_response(404, "not_found", "sandboxes are off (serve --sandbox-token)");
    if (!same_digest(token_hash, sha256(options_.sandbox_token)))
      return error_response(403, "forbidden", "not the sandbox token");
    Json body;
    try {
      body = Json::parse(req.body.empty() ? std::string("{}") : req.body);
    } catch (const Json::exception& e) {
      return error_response(400, "bad_request", std::string("body: malformed JSON: ") + e.what());
    }
    if (!body.is_object() || (body.contains("rules") && !body["rules"].is_string()))
      return error_response(400, "bad_request", "expected {\"rules\": \"PACK@VERSION\"}");
    const std::string rules =
        body.value("rules", options_.rules.empty() ? "nacka-hemtjanst" : options_.rules);
    try {
      // A client names packs of the server's rules folder: only the operator's own --rules may
      // be a file elsewhere, so a request cannot make the server read a file it chooses.
      if (backend::parse_pack_selection(rules).is_path && rules != options_.rules)
        return error_response(422, "unknown_rules",
                              "a sandbox names a pack of the server's rules folder as "
                              "PACK@VERSION, not a file");
      (void)backend::load_rule_pack(rules);
    } catch (const std::exception& e) {
      return error_response(422, "unknown_rules", e.what());
    }
    const std::string t = random_token();
    std::string id;
    {
      std::lock_guard lock(mu_);
      id = "sb-" + std::to_string(next_sandbox_++);
      store_.add_realm({id, rules, sha256(t)});
      sandbox_realms_[sha256(t)] = id;
    }
    return json_response(201, Json{{"sandbox", id}, {"token", t}, {"rules", rules}});
  }

  Principal who;
  if (const auto* p = principal_of(token_hash)) {
    who = *p;
  } else {
    // Sandbox realms are found by the token's hash: timing tells nothing about the token.
    std::lock_guard lock(mu_);
    const auto s = sandbox_realms_.find(token_hash);
    if (s == sandbox_realms_.end()) return error_response(401, "unauthorized", "unknown token");
    who.realm = s->second;
  }
  Realm& r = realm(who.realm);
  const auto forbidden_for_provider = [&] {
    return error_response(403, "forbidden", "this route is for Combine's token, not a provider's");
  };

  if (path == "/v1/rules") {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    return json_response(200, Json{{"rules", r.record.rules},
                                   {"stamp", wire::to_json(r.engine.pack().stamp())},
                                   {"available", backend::list_rule_packs()}});
  }

  if (path == "/v1/world") {
    if (req.method == "PUT") {
      if (who.provider) return forbidden_for_provider();
      World w;
      try {
        w = wire::decode_world(req.body);
      } catch (const wire::WireError& e) {
        return bad_body(e);
      }
      std::lock_guard lock(r.mu);
      store_.put_world(who.realm, req.body);
      r.world = std::move(w);
      r.changed();
      return json_response(200, Json{{"customers", r.world.customers.size()},
                                     {"staff", r.world.staff.size()},
                                     {"orders", r.world.orders.size()}});
    }
    if (!get) return error_response(405, "method_not_allowed", "use GET or PUT");
    std::lock_guard lock(r.mu);
    return json_response(
        200, wire::encode_world(who.provider ? visible_world(r.world, *who.provider) : r.world));
  }

  if (path == "/v1/registrations") {
    if (req.method != "POST") return error_response(405, "method_not_allowed", "use POST");
    Registration reg;
    try {
      reg = wire::decode_registration(req.body);
    } catch (const wire::WireError& e) {
      return bad_body(e);
    }
    const auto id = registration_id(reg);
    const std::string canonical = wire::encode_registration(reg).dump();
    const std::string digest = sha256(canonical);
    auto reply = [&](int status, bool accepted, bool is_new, const std::string& reason,
                     const std::string& clause) {
      Json j{{"id", id},
             {"accepted", accepted},
             {"new", is_new},
             {"reason", reason},
             {"clause", clause}};
      if (!accepted) {
        j["error"] = status == 409 ? "conflict" : "refused";
        j["message"] = reason;
      }
      return json_response(status, j);
    };
    std::lock_guard lock(r.mu);
    // A provider registers only for itself and sees only its own part of the world: another
    // provider's customer, staff, phone or visit id is answered exactly as an unknown one.
    std::string owner;
    World visible;
    const World* world = &r.world;
    if (who.provider) {
      owner = *who.provider;
      visible = visible_world(r.world, owner);
      world = &visible;
    } else {
      std::string why;
      const auto o = owner_for_combine(reg, r.world, r.scopes, why);
      if (!o) return reply(422, false, false, why, "");
      owner = *o;
    }
    Scope& scope = r.scopes[owner];
    if (const auto it = scope.by_id.find(id); it != scope.by_id.end()) {
      // The digest is of the body as first accepted, so a retry after a purge still matches.
      if (scope.digests[id] == digest || it->second == reg)
        return reply(200, true, false, "already registered", "");
      return reply(409, false, false,
                   "registration id '" + id + "' was already used for other content", "");
    }
    if (auto refusal = r.engine.check(*world, scope.regs, reg))
      return reply(422, false, false, refusal->reason, refusal->clause);
    // Durable before it is acknowledged; the canonical encoding is what is stored.
    if (!store_.add_registration(who.realm, {{owner, id}, canonical, digest}))
      return reply(200, true, false, "already registered", "");
    scope.regs.append(reg);
    r.arrived({owner, id}, reg);
    r.changed();
    scope.digests[id] = digest;
    scope.by_id.emplace(id, std::move(reg));
    return reply(201, true, true, "", "");
  }

  if (path == "/v1/decisions" || path.rfind("/v1/decisions/", 0) == 0) {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    std::shared_ptr<const Decisions> all;
    {
      std::lock_guard lock(r.mu);
      all = r.current();
    }
    const auto mine = [&](const std::string& provider) {
      return !who.provider || provider == *who.provider;
    };
    if (path != "/v1/decisions") {
      // Ids are per provider: Combine names the provider when several use the id.
      const auto id = path.substr(std::string("/v1/decisions/").size());
      const std::string provider = query.count("provider") ? query.at("provider") : "";
      std::vector<const VisitDecision*> found;
      for (const auto& d : all->visits)
        if (d.id == id && mine(d.provider) && (provider.empty() || d.provider == provider))
          found.push_back(&d);
      if (found.empty()) return error_response(404, "not_found", "no decision '" + id + "'");
      if (found.size() > 1) {
        std::string providers;
        for (const auto* d : found) providers += (providers.empty() ? "" : ", ") + d->provider;
        return error_response(409, "ambiguous",
                              "decision id '" + id + "' is used by providers " + providers +
                                  ": add ?provider=PROVIDER_ID");
      }
      return json_response(200, wire::to_json(*found.front()));
    }
    // One page: at most `limit` decisions from position `after`; the monthly summaries come
    // with the last page. A response's size is bounded by the page, not by the realm.
    std::size_t limit = kDefaultPage, from = 0;
    const auto number = [&](const char* key, std::size_t& out, std::size_t max) {
      if (!query.count(key)) return true;
      const auto& text = query.at(key);
      std::size_t v = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc{} || end != text.data() + text.size() || v > max) return false;
      out = v;
      return true;
    };
    if (!number("limit", limit, kMaxPage) || limit == 0)
      return error_response(400, "bad_request",
                            "limit: expected a whole number 1.." + std::to_string(kMaxPage));
    if (!number("after", from, std::numeric_limits<std::size_t>::max()))
      return error_response(400, "bad_request", "after: expected the 'next' of an earlier page");
    std::vector<std::size_t> picked;  // the page: positions in the snapshot
    std::size_t position = 0;
    bool more = false;
    for (std::size_t i = 0; i < all->visits.size(); ++i) {
      if (!mine(all->visits[i].provider)) continue;
      if (position++ < from) continue;
      if (picked.size() == limit) {
        more = true;
        break;
      }
      picked.push_back(i);
    }
    std::vector<std::size_t> months;  // with the last page only
    if (!more)
      for (std::size_t i = 0; i < all->months.size(); ++i)
        if (mine(all->months[i].provider)) months.push_back(i);
    return decision_page(std::move(all), std::move(picked), std::move(months),
                         more ? std::optional(std::to_string(from + limit)) : std::nullopt);
  }

  if (path == "/v1/export") {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    std::string why;
    const auto period = export_period(query, why);
    if (!period) return error_response(400, "bad_request", why);
    // A provider's token exports its own scope and its part of the world, never another's.
    if (who.provider && !period->provider.empty() && period->provider != *who.provider)
      return error_response(403, "forbidden",
                            "a provider's token exports only its own registrations");
    const std::string only = who.provider ? *who.provider : period->provider;
    wire::ExportHeader header{format_date(period->from), format_date(period->to), r.record.rules,
                              only, 0};
    std::vector<std::pair<std::string, Registration>> lines;
    World world;
    {
      std::lock_guard lock(r.mu);
      std::vector<std::pair<std::uint64_t, Arrived>> in_order;
      for (const auto& [owner, scope] : r.scopes) {
        if (!only.empty() && owner != only) continue;
        for (const auto& [id, reg] : scope.by_id)
          in_order.push_back({r.arrival.at({owner, id}).second, Arrived{&owner, &reg}});
      }
      std::sort(in_order.begin(), in_order.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      std::vector<Arrived> arrived;
      arrived.reserve(in_order.size());
      for (const auto& [seq, a] : in_order) arrived.push_back(a);
      for (const auto i : select_period(arrived, period->from, period->to))
        lines.emplace_back(*arrived[i].owner, *arrived[i].registration);
      world = only.empty() ? r.world : visible_world(r.world, only);
    }
    return export_response(std::move(header), std::move(world), std::move(lines));
  }

  if (path == "/v1/months") {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    std::shared_ptr<const Decisions> all;
    {
      std::lock_guard lock(r.mu);
      all = r.current();
    }
    const auto month = query.count("month") ? query.at("month") : "";
    if (!month.empty()) {
      try {
        if (format_month(parse_month(month)) != month) throw TimeError("not canonical");
      } catch (const std::exception&) {
        return error_response(400, "bad_request", "month: expected YYYY-MM, got '" + month + "'");
      }
    }
    Json out = Json::array();
    for (const auto& m : all->months)
      if ((!who.provider || m.provider == *who.provider) && (month.empty() || m.month == month))
        out.push_back(wire::to_json(m));
    return json_response(200, Json{{"months", out}});
  }

  if (path == "/v1/purge-notes") {
    if (req.method != "POST") return error_response(405, "method_not_allowed", "use POST");
    if (who.provider) return forbidden_for_provider();
    if (r.record.token_sha256.empty())
      return error_response(403, "forbidden", "the default realm is purged by the server's clock");
    Instant now;
    try {
      now = parse_local(Json::parse(req.body).at("now").get<std::string>());
    } catch (const std::exception&) {
      return error_response(400, "bad_request", "expected {\"now\": \"YYYY-MM-DDTHH:MM\"}");
    }
    const int n = purge(r, now);
    return json_response(200, Json{{"purged", n}});
  }

  return error_response(404, "not_found", "no such route: " + path);
}

namespace {

// Seed 000 §2.1 on one stored registration: every note it holds (a visit's, its edit's, a
// double staffing's, a declined visit's, an edit's on its own) is blanked once the time it is
// about ended more than `keep` before `now`. True when something was blanked.
bool purge_registration(Registration& reg, std::chrono::days keep, Instant now) {
  const auto expired = [&](Instant end) { return end + keep < now; };
  bool changed = false;
  const auto blank = [&](std::string& note, Instant end) {
    if (!note.empty() && expired(end)) note.clear(), changed = true;
  };
  std::visit(
      [&](auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Visit>) {
          blank(x.note, x.end);
          if (x.edit) blank(x.edit->note, x.end);
        } else if constexpr (std::is_same_v<T, DoubleStaffing>) {
          blank(x.note, x.end);
        } else if constexpr (std::is_same_v<T, DeclinedVisit>) {
          blank(x.note, x.planned_end);
        } else if constexpr (std::is_same_v<T, VisitEdit>) {
          blank(x.edit.note, std::max(x.edit.end, x.edit.made_at.value_or(x.edit.end)));
        }
      },
      reg);
  return changed;
}

}  // namespace

int Service::purge(Realm& r, Instant now) {
  const auto& pack = r.engine.pack();
  const auto retention = backend::note_retention(pack);
  if (!retention) return 0;
  const std::chrono::days keep = *retention;
  std::lock_guard lock(r.mu);
  std::vector<StoredRegistration> bodies;
  std::map<RegistrationKey, Registration> purged;      // the registrations as they become
  std::map<RegistrationKey, VisitDecision> to_freeze;  // their decisions as made with the note
  std::shared_ptr<const Decisions> before;  // the realm's snapshot, only when something is purged
  for (auto& [owner, scope] : r.scopes) {
    for (auto& [id, reg] : scope.by_id) {
      auto now_reg = reg;
      if (!purge_registration(now_reg, keep, now)) continue;
      if (!before) before = r.current();
      bodies.push_back({{owner, id}, wire::encode_registration(now_reg).dump(), scope.digests[id]});
      purged.emplace(RegistrationKey{owner, id}, std::move(now_reg));
      if (r.frozen.count({owner, id})) continue;
      for (const auto& d : before->visits)
        if (d.id == id && (d.provider == owner || owner.empty())) to_freeze[{owner, id}] = d;
    }
  }
  if (purged.empty()) return 0;
  std::map<RegistrationKey, std::string> frozen;
  for (const auto& [key, d] : to_freeze) frozen[key] = wire::to_json(d).dump();
  store_.purge_notes(r.record.id, bodies, frozen);
  for (auto& [key, d] : to_freeze) r.frozen.emplace(key, std::move(d));
  r.changed();
  // Each changed scope takes the purged registrations and is rebuilt in arrival order.
  std::set<std::string> changed;
  for (auto& [key, reg] : purged) {
    r.scopes[key.owner].by_id[key.id] = std::move(reg);
    changed.insert(key.owner);
  }
  for (const auto& owner : changed) {
    auto& scope = r.scopes[owner];
    std::vector<std::pair<std::uint64_t, const Registration*>> in_order;
    for (const auto& [id, reg] : scope.by_id)
      in_order.emplace_back(r.arrival.at({owner, id}).second, &reg);
    std::sort(in_order.begin(), in_order.end());
    backend::AcceptedRegistrations rebuilt;
    for (const auto& [seq, reg] : in_order) rebuilt.append(*reg);
    scope.regs = std::move(rebuilt);
  }
  return static_cast<int>(purged.size());
}

int Service::purge_notes(Instant now) {
  int n = 0;
  for (const auto& rec : store_.realms())
    if (rec.token_sha256.empty()) n += purge(realm(rec.id), now);  // sandboxes: their own clock
  return n;
}

}  // namespace kvittens::service
