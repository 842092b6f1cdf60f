// `kvittens serve`: the backend as an HTTP service (docs/service.md, docs/backend-api.yaml).
// Exit 0 after SIGINT/SIGTERM, 2 for bad options or a store/rules that cannot be opened.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "backend/rulepack/rule_pack.hpp"
#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "service/server.hpp"
#include "service/service.hpp"
#include "service/store.hpp"

namespace kvittens::cli {
namespace {

struct ServeArgs {
  std::string listen = "127.0.0.1:8080";
  std::string db = "kvittens.db";
  std::string rules = "nacka-hemtjanst";
  std::string tokens;
  std::string sandbox_token;
  std::size_t body_limit = 1 << 20;
  int threads = 2;
  int handler_threads = 2;
  std::size_t per_client = 64;
  int read_timeout_ms = 10000;
  int write_timeout_ms = 10000;
};

int serve(const ServeArgs& a) {
  service::ServerOptions server;
  const auto colon = a.listen.rfind(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument("no port");
    server.address = a.listen.substr(0, colon);
    const int port = std::stoi(a.listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    server.port = static_cast<unsigned short>(port);
  } catch (const std::exception&) {
    std::cerr << "kvittens serve: --listen " << a.listen << ": expected ADDRESS:PORT\n";
    return kUsage;
  }
  server.body_limit = a.body_limit;
  server.threads = a.threads;
  server.handler_threads = a.handler_threads;
  server.max_connections_per_client = a.per_client;
  server.read_timeout = std::chrono::milliseconds(a.read_timeout_ms);
  server.write_timeout = std::chrono::milliseconds(a.write_timeout_ms);

  service::ServiceOptions options;
  options.rules = a.rules;
  try {
    // The store keeps the default realm's selection and reloads it at every start: a draft's
    // path must not depend on the folder the server was started from.
    const auto sel = backend::parse_pack_selection(a.rules);
    if (sel.is_path)
      options.rules = std::filesystem::absolute(sel.name).lexically_normal().string() +
                      (sel.version.empty() ? "" : "@" + sel.version);
  } catch (const backend::RulePackError& e) {
    std::cerr << "kvittens serve: --rules: " << e.what() << "\n";
    return kUsage;
  }
  options.sandbox_token = a.sandbox_token;
  {
    std::ifstream api(std::string(KVITTENS_SOURCE_DIR) + "/docs/backend-api.yaml");
    std::stringstream text;
    text << api.rdbuf();
    options.openapi = text.str();
  }
  try {
    if (!a.tokens.empty()) options.tokens = service::read_token_file(a.tokens);
    auto store = service::open_sqlite_store(a.db);
    service::Service svc(*store, options);
    // Seed 000 §2.1: notes are purged daily by the server's clock (and once at start).
    const auto purge = [&svc] {
      svc.purge_notes(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    };
    purge();
    server.on_tick = purge;
    return service::serve_http([&svc](const service::Request& r) { return svc.handle(r); }, server,
                               [&](unsigned short port) {
                                 // The readiness line: tests read the port from it.
                                 std::cout << "kvittens serve: listening on http://"
                                           << server.address << ":" << port << std::endl;
                               });
  } catch (const std::exception& e) {
    std::cerr << "kvittens serve: " << e.what() << "\n";
    return kUsage;
  }
}

}  // namespace

void add_serve(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand(
      "serve", "Serve the backend over HTTP (docs/backend-api.yaml) with a durable SQLite store");
  cmd->add_option("--listen", args->listen, "ADDRESS:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--db", args->db, "SQLite database file (created and migrated)")
      ->capture_default_str();
  cmd->add_option("--rules", args->rules,
                  rules_help("Rule pack the default realm is judged under (sandboxes may name "
                             "only packs of --rules-dir, or this one)"))
      ->capture_default_str();
  add_rules_dir_option(*cmd);
  cmd->add_option("--tokens", args->tokens,
                  "Token file: 'TOKEN combine' or 'TOKEN provider PROVIDER_ID' per line");
  cmd->add_option("--sandbox-token", args->sandbox_token,
                  "Test mode: this bearer token may create sandbox realms (POST /v1/sandboxes)");
  cmd->add_option("--max-body", args->body_limit, "Largest request body in bytes")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "I/O threads (reading and writing requests)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--max-connections-per-client", args->per_client,
                  "Connections one client address may hold open (beyond: closed at once)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--handler-threads", args->handler_threads,
                  "Threads that handle requests, apart from the I/O threads")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--read-timeout-ms", args->read_timeout_ms,
                  "Deadline for reading one request or idling between requests")
      ->check(CLI::Range(10, 3600000));
  cmd->add_option("--write-timeout-ms", args->write_timeout_ms,
                  "Deadline for each piece of a response: a client that reads nothing for this "
                  "long is disconnected")
      ->capture_default_str()
      ->check(CLI::Range(10, 3600000));
  cmd->callback([args, &exit_code] { exit_code = serve(*args); });
}

}  // namespace kvittens::cli
