// Over real HTTP against a freshly started `kvittens serve`: the scenario library gives the
// same decisions in-process and over HTTP; bad input gets a 4xx JSON error and the server
// keeps serving; a slowloris client is cut off.
#include "backend/http/http_backend.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "serve_process.hpp"

namespace kvittens::testing {
namespace {

using harness::HttpBackend;
using harness::HttpOptions;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run_kvittens(const std::string& args, const std::filesystem::path& log) {
  const std::string cmd =
      std::string(KVITTENS_BINARY) + " " + args + " > " + log.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::unique_ptr<HttpBackend> sandbox(const ServeProcess& s,
                                     const std::string& rules = "nacka-hemtjanst@3.0") {
  return HttpBackend::create_sandbox(s.url(), ServeProcess::kSandboxToken, rules);
}

TEST(ServiceHttp, TheScenarioLibraryDecidesTheSameOverHttpAsInProcess) {
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db");
  const int in_process =
      run_kvittens("run --hardware none -j 2 --json " + (dir.path / "in-process.json").string(),
                   dir.path / "in-process.log");
  const int over_http =
      run_kvittens("run --hardware none -j 2 --backend " + server.url() + " --token " +
                       ServeProcess::kSandboxToken + " --json " + (dir.path / "http.json").string(),
                   dir.path / "http.log");
  EXPECT_EQ(in_process, 0) << read_file(dir.path / "in-process.log");
  EXPECT_EQ(over_http, in_process) << read_file(dir.path / "http.log");
  const auto a = read_file(dir.path / "in-process.json");
  const auto b = read_file(dir.path / "http.json");
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == b) << "the decision outputs differ; see " << dir.path;
  // The comparison is not vacuous: the library has decisions in it.
  EXPECT_GT(nlohmann::json::parse(a).dump().find("\"paid_minutes\""), 0u);
}

// A wrong token or a backend that is not there is one clear error before anything runs (it was
// one ERROR per scenario run, 129 of them).
TEST(ServiceHttp, RunAgainstABackendThatRefusesOrIsAbsentStopsWithOneError) {
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db");
  const auto scenario = std::string(KVITTENS_SOURCE_DIR) + "/scenarios/hemtjanst";
  const int refused =
      run_kvittens("run --hardware none --backend " + server.url() + " --token wrong " + scenario,
                   dir.path / "refused.log");
  const auto refused_log = read_file(dir.path / "refused.log");
  EXPECT_EQ(refused, 2) << refused_log;
  EXPECT_NE(refused_log.find("nothing was run"), std::string::npos) << refused_log;
  EXPECT_NE(refused_log.find("403"), std::string::npos) << refused_log;
  EXPECT_EQ(refused_log.find("ERROR"), std::string::npos) << refused_log;
  // A port where nothing listens: the server's, once it has stopped.
  const auto url = server.url();
  server.child().signal(SIGTERM);
  ASSERT_EQ(server.child().wait(std::chrono::seconds(10)), 0);
  const int absent = run_kvittens("run --hardware none --backend " + url + " --token " +
                                      ServeProcess::kSandboxToken + " " + scenario,
                                  dir.path / "absent.log");
  const auto absent_log = read_file(dir.path / "absent.log");
  EXPECT_EQ(absent, 2) << absent_log;
  EXPECT_NE(absent_log.find("nothing was run"), std::string::npos) << absent_log;
  EXPECT_EQ(absent_log.find("ERROR"), std::string::npos) << absent_log;
}

// The client reads every page: two decisions a page, five visits.
TEST(ServiceHttp, TheClientReadsEveryPageOfDecisions) {
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db");
  HttpOptions small;
  small.page = 2;
  auto client = HttpBackend::create_sandbox(server.url(), ServeProcess::kSandboxToken,
                                            "nacka-hemtjanst@3.0", small);
  World w;
  w.providers = {{"p1", "Omsorg"}};
  w.customers.push_back({});
  w.customers.back().id = "c1";
  w.customers.back().provider = "p1";
  w.staff.push_back({});
  w.staff.back().id = "anna";
  w.staff.back().provider = "p1";
  client->sync_world(w);
  for (int day = 2; day <= 6; ++day) {
    Visit v;
    v.id = "v" + std::to_string(day);
    v.staff = "anna";
    v.customer = "c1";
    v.start = parse_local("2026-03-0" + std::to_string(day) + "T08:00");
    v.end = v.start + std::chrono::minutes(30);
    ASSERT_TRUE(client->submit(v).accepted);
  }
  const auto d = client->decisions();
  ASSERT_EQ(d.visits.size(), 5u);
  EXPECT_EQ(d.visits.front().id, "v2");
  EXPECT_EQ(d.visits.back().id, "v6");
  EXPECT_FALSE(d.months.empty());
}

TEST(ServiceHttp, BadInputGetsAJsonErrorAndTheServerKeepsServing) {
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db", {"--max-body", "4096"});
  auto client = sandbox(server);
  const auto expect_error = [&](const std::string& method, const std::string& target,
                                const std::string& body, int status) {
    const auto reply = client->request(method, target, body);
    EXPECT_EQ(reply.status, status) << method << " " << target << ": " << reply.body;
    const auto j = nlohmann::json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << reply.body;
    EXPECT_TRUE(j.contains("error") && j.contains("message")) << reply.body;
  };
  expect_error("POST", "/v1/registrations", "{\"visit\": {\"id\": ", 400);
  expect_error("POST", "/v1/registrations", "{\"visit\": {\"id\": \"v1\", \"start\": 5}}", 400);
  expect_error("PUT", "/v1/world", "{\"customers\": \"not a list\"}", 400);
  expect_error("POST", "/v1/registrations", std::string(200, '[') + std::string(200, ']'), 400);
  expect_error("GET", "/v1/nowhere", "", 404);
  expect_error("GET", "/nowhere", "", 404);
  expect_error("DELETE", "/v1/world", "", 405);
  expect_error("PUT", "/v1/world", "{\"providers\": [" + std::string(64 * 1024, ' ') + "]}", 413);
  // Still serving, on a fresh connection and on the old one.
  EXPECT_EQ(client->request("GET", "/health").status, 200);
  EXPECT_EQ(sandbox(server)->request("GET", "/v1/rules").status, 200);
}

TEST(ServiceHttp, ASlowlorisClientIsCutOffWhileOthersAreServed) {
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db", {"--read-timeout-ms", "300"});
  const auto port =
      static_cast<std::uint16_t>(std::stoi(server.url().substr(server.url().rfind(':') + 1)));
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string partial = "GET /health HTTP/1.1\r\nHost: x\r\n";  // never finished
  ASSERT_EQ(::write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
  // Others are served meanwhile.
  EXPECT_EQ(sandbox(server)->request("GET", "/health").status, 200);
  // The server closes the slow connection at its deadline: read() sees the end (bounded by
  // SO_RCVTIMEO so a server that never closes fails the test instead of hanging it).
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[256];
  const auto t0 = std::chrono::steady_clock::now();
  const auto n = ::read(fd, buf, sizeof buf);
  EXPECT_EQ(n, 0) << "expected the server to close the connection";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
  ::close(fd);
}

// Writes `request` on a fresh connection and reads until the server closes it (or 5 s pass).
std::string raw_exchange(ServeProcess& server, const std::string& request) {
  const auto port =
      static_cast<std::uint16_t>(std::stoi(server.url().substr(server.url().rfind(':') + 1)));
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "socket failed";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return "write failed";
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string reply;
  char buf[1024];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
    reply.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return reply;
}

TEST(ServiceHttp, AMalformedHttpRequestGetsA400JsonError) {
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db");
  const auto reply = raw_exchange(server, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("application/json"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\"error\""), std::string::npos) << reply;
  EXPECT_EQ(sandbox(server)->request("GET", "/health").status, 200);
}

// RFC 7230 §5.4: an HTTP/1.1 request without Host is a client error; HTTP/1.0 needs none.
TEST(ServiceHttp, AnHttp11RequestWithoutHostIsA400) {
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db");
  const auto without = raw_exchange(server, "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(without.rfind("HTTP/1.1 400", 0), 0u) << without;
  EXPECT_NE(without.find("Host"), std::string::npos) << without;
  const auto with =
      raw_exchange(server, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(with.rfind("HTTP/1.1 200", 0), 0u) << with;
  const auto old = raw_exchange(server, "GET /health HTTP/1.0\r\n\r\n");
  EXPECT_EQ(old.rfind("HTTP/1.0 200", 0), 0u) << old;
}

TEST(ServiceHttp, TheApiIsServedAsOpenApi) {
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db");
  HttpBackend anyone(server.url(), "");
  const auto reply = anyone.request("GET", "/openapi.yaml");
  EXPECT_EQ(reply.status, 200);
  EXPECT_NE(reply.body.find("openapi: 3"), std::string::npos);
  // It is YAML a client's generator can read (it once was not: an unquoted "{KIND: ...}").
  YAML::Node api;
  ASSERT_NO_THROW(api = YAML::Load(reply.body)) << reply.body.substr(0, 200);
  EXPECT_TRUE(api["paths"]["/v1/registrations"]) << "no /v1/registrations";
  EXPECT_TRUE(api["components"]["schemas"]["WireLimits"]) << "the limits are not documented";
  EXPECT_EQ(anyone.request("GET", "/v1/decisions").status, 401);
}

// The server's resident set in kB, from /proc.
long resident_kb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// A connection that sends `request` and reads nothing but the reply's first byte; its receive
// buffer is small, so the server soon has to wait for it. -1 when that failed.
int stalled_reader(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  const int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  timeval tv{120, 0};  // a server that never answers fails the test instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  char first = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()) ||
      ::read(fd, &first, 1) != 1) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The probe: clients that ask for a long decision list and never read it took the
// server from 244 to 983 MB. A response is streamed from one shared snapshot, so each such
// connection holds one piece of its body, not all of it.
TEST(ServiceHttp, ClientsThatStopReadingHoldOnePieceOfTheirResponseNotAllOfIt) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer keeps freed memory in quarantine: the resident size would "
                  "say nothing about the server";
#endif
  TempDir dir;
  // A far write deadline: the stalled responses stay for as long as the test looks at them.
  ServeProcess server(dir.path / "kvittens.db", {"--write-timeout-ms", "3600000"});
  auto client = sandbox(server);
  World w;
  w.providers = {{"p1", "Omsorg"}};
  constexpr int kStaff = 40, kVisitsEach = 100;
  for (int i = 0; i < kStaff; ++i) {
    const auto n = std::to_string(i);
    w.customers.push_back({});
    w.customers.back().id = "c" + n;
    w.customers.back().provider = "p1";
    w.staff.push_back({});
    w.staff.back().id = "s" + n;
    w.staff.back().provider = "p1";
  }
  client->sync_world(w);
  for (int i = 0; i < kStaff; ++i)
    for (int k = 0; k < kVisitsEach; ++k) {
      Visit v;
      v.id = "v" + std::to_string(i) + "-" + std::to_string(k);
      v.staff = "s" + std::to_string(i);
      v.customer = "c" + std::to_string(i);
      v.start = parse_local("2026-03-02T06:00") + std::chrono::hours(3 * k);
      v.end = v.start + std::chrono::minutes(30);
      ASSERT_TRUE(client->submit(v).accepted) << v.id;
    }
  const std::string ask =
      "GET /v1/decisions?limit=10000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
      client->token() + "\r\n";
  // Read once in full: the body's size, and the snapshot and allocator warmed.
  const auto whole = raw_exchange(server, ask + "Connection: close\r\n\r\n");
  ASSERT_EQ(whole.rfind("HTTP/1.1 200", 0), 0u) << whole.substr(0, 300);
  const long body_kb = static_cast<long>(whole.size() / 1024);
  ASSERT_GT(body_kb, 1024) << "the list must be large for the measure to mean anything";

  const auto port =
      static_cast<std::uint16_t>(std::stoi(server.url().substr(server.url().rfind(':') + 1)));
  const int pid = server.child().pid();
  const long before = resident_kb(pid);
  constexpr int kClients = 30;
  std::vector<int> stalled;
  for (int i = 0; i < kClients; ++i) {
    stalled.push_back(stalled_reader(port, ask + "\r\n"));
    ASSERT_GE(stalled.back(), 0) << "client " << i << " got no answer";
  }
  const long during = resident_kb(pid);
  std::cout << "resident " << before << " kB before, " << during << " kB with " << kClients
            << " stalled readers of a " << body_kb << " kB list\n";
  // Whole bodies would take kClients * body_kb (twice, in the old server); a sixth of that is
  // still far above one piece each.
  EXPECT_LT(during - before, kClients * body_kb / 6)
      << "resident " << before << " kB before, " << during << " kB with " << kClients
      << " stalled readers of a " << body_kb << " kB list";
  for (const int fd : stalled) ::close(fd);
  EXPECT_EQ(client->request("GET", "/health").status, 200);
}

TEST(ServiceHttp, SigtermShutsTheServerDownCleanly) {
  TempDir dir;
  ServeProcess server(dir.path / "kvittens.db");
  EXPECT_EQ(sandbox(server)->request("GET", "/health").status, 200);
  server.child().signal(SIGTERM);
  EXPECT_EQ(server.child().wait(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace kvittens::testing
