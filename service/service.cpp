#include "service/service.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "backend/engine/engine.hpp"
#include "harness/decisions_json.hpp"
#include "harness/wire.hpp"

namespace kvittens::service {

using Json = nlohmann::ordered_json;

namespace {

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

Response json_response(int status, const Json& j) {
  return {status, "application/json", j.dump()};
}

std::map<std::string, std::string> query_params(const std::string& q) {
  std::map<std::string, std::string> out;
  std::stringstream ss(q);
  std::string kv;
  while (std::getline(ss, kv, '&')) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos)
      out[kv] = "";
    else
      out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

// The providers a registration concerns, through the world (unknown references are left to
// the engine's check, which refuses them).
std::set<std::string> providers_of(const Registration& r, const World& w,
                                   const std::map<std::string, Registration>& by_id) {
  std::set<std::string> out;
  auto customer = [&](const std::string& id) {
    for (const auto& c : w.customers)
      if (c.id == id) out.insert(c.provider);
  };
  auto staff = [&](const std::string& id) {
    for (const auto& s : w.staff)
      if (s.id == id) out.insert(s.provider);
  };
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, SharedInsats>) {
          staff(x.staff);
          for (const auto& c : x.customers) customer(c);
        } else if constexpr (std::is_same_v<T, Absence>) {
          customer(x.customer);
        } else if constexpr (std::is_same_v<T, ShiftApproval>) {
          staff(x.shift.substr(0, x.shift.find('/')));
        } else if constexpr (std::is_same_v<T, Payment> || std::is_same_v<T, VisitEdit>) {
          if (const auto it = by_id.find(x.visit); it != by_id.end())
            for (const auto& p : providers_of(it->second, w, by_id)) out.insert(p);
        } else {
          staff(x.staff);
          customer(x.customer);
        }
      },
      r);
  return out;
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

Response error_response(int status, const std::string& code, const std::string& message) {
  return json_response(status, Json{{"error", code}, {"message", message}});
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

// One realm in memory: a write-through cache of its rows in the store, judged by one engine.
struct Service::Realm {
  Realm(RealmRecord rec, backend::RulePack pack)
      : record(std::move(rec)), engine(std::move(pack)) {}
  std::mutex mu;
  RealmRecord record;
  backend::Engine engine;
  World world;
  backend::AcceptedRegistrations regs;
  std::map<std::string, Registration> by_id;
  std::map<std::string, VisitDecision> frozen;

  Decisions decisions() const {
    auto out = engine.evaluate(world, regs.all());
    for (auto& d : out.visits)
      if (const auto it = frozen.find(d.id); it != frozen.end()) d = it->second;
    return out;
  }
};

Service::Service(Store& store, ServiceOptions options)
    : store_(store), options_(std::move(options)) {
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

Service::Realm& Service::realm(const std::string& id) {
  std::lock_guard lock(mu_);
  if (const auto it = realms_.find(id); it != realms_.end()) return *it->second;
  RealmRecord rec;
  for (const auto& r : store_.realms())
    if (r.id == id) rec = r;
  if (rec.id.empty()) throw StoreError("unknown realm");
  auto r = std::make_unique<Realm>(rec, backend::load_rule_pack(rec.rules));
  if (const auto w = store_.world(id)) r->world = harness::decode_world(*w);
  for (const auto& s : store_.registrations(id)) {
    auto reg = harness::decode_registration(s.body);
    r->regs.append(reg);
    r->by_id.emplace(s.id, std::move(reg));
  }
  for (const auto& [rid, body] : store_.frozen_decisions(id))
    r->frozen.emplace(rid, harness::decode_visit_decision(nlohmann::json::parse(body)));
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
  const std::string path = req.target.substr(0, qpos);
  const auto query = query_params(qpos == std::string::npos ? "" : req.target.substr(qpos + 1));
  const bool get = req.method == "GET";

  if (path == "/health") {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    return json_response(200, Json{{"status", "ok"}, {"schema_version", sqlite_schema_version()}});
  }
  if (path == "/openapi.yaml") {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    return {200, "application/yaml", options_.openapi};
  }
  if (path.rfind("/v1/", 0) != 0) return error_response(404, "not_found", "no such route: " + path);

  // Everything under /v1/ needs a bearer token.
  const std::string bearer = "Bearer ";
  if (req.authorization.rfind(bearer, 0) != 0)
    return error_response(401, "unauthorized", "missing 'Authorization: Bearer TOKEN'");
  const std::string token = req.authorization.substr(bearer.size());

  if (path == "/v1/sandboxes") {
    if (req.method != "POST") return error_response(405, "method_not_allowed", "use POST");
    if (options_.sandbox_token.empty())
      return error_response(404, "not_found", "sandboxes are off (serve --sandbox-token)");
    if (token != options_.sandbox_token)
      return error_response(403, "forbidden", "not the sandbox token");
    Json body;
    try {
      body = Json::parse(req.body.empty() ? std::string("{}") : req.body);
    } catch (const Json::parse_error& e) {
      return error_response(400, "bad_request", std::string("body: malformed JSON: ") + e.what());
    }
    if (!body.is_object() || (body.contains("rules") && !body["rules"].is_string()))
      return error_response(400, "bad_request", "expected {\"rules\": \"PACK@VERSION\"}");
    const std::string rules =
        body.value("rules", options_.rules.empty() ? "nacka-hemtjanst" : options_.rules);
    try {
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
  if (const auto it = options_.tokens.find(token); it != options_.tokens.end()) {
    who = it->second;
  } else {
    std::lock_guard lock(mu_);
    const auto s = sandbox_realms_.find(sha256(token));
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
                                   {"stamp", harness::to_json(r.engine.pack().stamp())},
                                   {"available", backend::list_rule_packs()}});
  }

  if (path == "/v1/world") {
    if (req.method == "PUT") {
      if (who.provider) return forbidden_for_provider();
      World w;
      try {
        w = harness::decode_world(req.body);
      } catch (const harness::WireError& e) {
        return error_response(400, "bad_request", e.what());
      }
      std::lock_guard lock(r.mu);
      store_.put_world(who.realm, req.body);
      r.world = std::move(w);
      return json_response(200, Json{{"customers", r.world.customers.size()},
                                     {"staff", r.world.staff.size()},
                                     {"orders", r.world.orders.size()}});
    }
    if (!get) return error_response(405, "method_not_allowed", "use GET or PUT");
    std::lock_guard lock(r.mu);
    return json_response(
        200, harness::encode_world(who.provider ? visible_world(r.world, *who.provider) : r.world));
  }

  if (path == "/v1/registrations") {
    if (req.method != "POST") return error_response(405, "method_not_allowed", "use POST");
    Registration reg;
    try {
      reg = harness::decode_registration(req.body);
    } catch (const harness::WireError& e) {
      return error_response(400, "bad_request", e.what());
    }
    const auto id = registration_id(reg);
    std::lock_guard lock(r.mu);
    if (who.provider) {
      for (const auto& p : providers_of(reg, r.world, r.by_id))
        if (p != *who.provider)
          return error_response(403, "forbidden",
                                "registration '" + id + "' concerns another provider");
    }
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
    if (const auto it = r.by_id.find(id); it != r.by_id.end()) {
      if (it->second == reg) return reply(200, true, false, "already registered", "");
      return reply(409, false, false,
                   "registration id '" + id + "' was already used for other content", "");
    }
    if (auto refusal = r.engine.check(r.world, r.regs, reg))
      return reply(422, false, false, refusal->reason, refusal->clause);
    // Durable before it is acknowledged; the canonical encoding is what is stored.
    if (!store_.add_registration(who.realm, {id, harness::encode_registration(reg).dump()}))
      return reply(200, true, false, "already registered", "");
    r.regs.append(reg);
    r.by_id.emplace(id, std::move(reg));
    return reply(201, true, true, "", "");
  }

  if (path == "/v1/decisions" || path.rfind("/v1/decisions/", 0) == 0) {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    Decisions all;
    {
      std::lock_guard lock(r.mu);
      all = r.decisions();
    }
    const auto mine = [&](const std::string& provider) {
      return !who.provider || provider == *who.provider;
    };
    if (path != "/v1/decisions") {
      const auto id = path.substr(std::string("/v1/decisions/").size());
      for (const auto& d : all.visits)
        if (d.id == id && mine(d.provider)) return json_response(200, harness::to_json(d));
      return error_response(404, "not_found", "no decision '" + id + "'");
    }
    Decisions out;
    for (auto& d : all.visits)
      if (mine(d.provider)) out.visits.push_back(std::move(d));
    for (auto& m : all.months)
      if (mine(m.provider)) out.months.push_back(std::move(m));
    return json_response(200, harness::to_json(out));
  }

  if (path == "/v1/months") {
    if (!get) return error_response(405, "method_not_allowed", "use GET");
    Decisions all;
    {
      std::lock_guard lock(r.mu);
      all = r.decisions();
    }
    const auto month = query.count("month") ? query.at("month") : "";
    Json out = Json::array();
    for (const auto& m : all.months)
      if ((!who.provider || m.provider == *who.provider) && (month.empty() || m.month == month))
        out.push_back(harness::to_json(m));
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

int Service::purge(Realm& r, Instant now) {
  std::lock_guard lock(r.mu);
  const auto before = r.decisions();
  const auto& regs = r.regs.all();
  auto purged = regs;
  const int n = backend::purge_expired_notes(purged, r.engine.pack(), now);
  if (n == 0) return 0;
  std::vector<StoredRegistration> bodies;
  std::map<std::string, std::string> frozen;
  auto changed = [&](const std::string& id, const Registration& now_reg) {
    bodies.push_back({id, harness::encode_registration(now_reg).dump()});
    if (r.frozen.count(id)) return;
    for (const auto& d : before.visits)
      if (d.id == id) frozen[id] = harness::to_json(d).dump();
  };
  for (std::size_t i = 0; i < regs.visits.size(); ++i)
    if (purged.visits[i] != regs.visits[i]) changed(regs.visits[i].id, purged.visits[i]);
  for (std::size_t i = 0; i < regs.double_staffing.size(); ++i)
    if (purged.double_staffing[i] != regs.double_staffing[i])
      changed(regs.double_staffing[i].id, purged.double_staffing[i]);
  store_.purge_notes(r.record.id, bodies, frozen);
  for (const auto& [id, body] : frozen)
    r.frozen.emplace(id, harness::decode_visit_decision(nlohmann::json::parse(body)));
  for (const auto& x : purged.visits) r.by_id[x.id] = x;
  for (const auto& x : purged.double_staffing) r.by_id[x.id] = x;
  r.regs.replace(std::move(purged));
  return n;
}

int Service::purge_notes(Instant now) {
  int n = 0;
  for (const auto& rec : store_.realms()) n += purge(realm(rec.id), now);
  return n;
}

}  // namespace kvittens::service
