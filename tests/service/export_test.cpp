#include "service/export.hpp"

#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backend/engine/engine.hpp"
#include "serve_process.hpp"
#include "wire/decisions_json.hpp"
#include "wire/export_lines.hpp"

namespace kvittens::service {
namespace {

using nlohmann::json;

// Two providers, each with a customer who has Städning and Tvätt ordered.
const char* kWorld = R"({
  "providers": [{"id": "p1", "name": "Omsorg Syd"}, {"id": "p2", "name": "Omsorg Nord"}],
  "customers": [
    {"id": "c1", "provider": "p1", "name": "Åsa", "nfc_tags": ["04:A1"]},
    {"id": "c2", "provider": "p2", "name": "Bertil", "nfc_tags": ["04:B1"]}],
  "staff": [{"id": "anna", "provider": "p1", "name": "Anna"},
            {"id": "bo", "provider": "p2", "name": "Bo"}],
  "orders": [{"id": "o1", "customer": "c1", "insats": "Städning", "minutes": 60},
             {"id": "o2", "customer": "c1", "insats": "Tvätt", "minutes": 30},
             {"id": "o3", "customer": "c2", "insats": "Städning", "minutes": 60},
             {"id": "o4", "customer": "c2", "insats": "Tvätt", "minutes": 30}]
})";

std::string visit(const std::string& id, const std::string& staff, const std::string& customer,
                  const std::string& tag, const std::string& day, const std::string& note = "") {
  json v{{"id", id},
         {"staff", staff},
         {"customer", customer},
         {"start", day + "T10:00"},
         {"end", day + "T11:30"},
         {"start_receipt", {{"nfc", tag}}},
         {"end_receipt", {{"nfc", tag}}},
         {"insatser", {"Städning", "Tvätt"}}};
  if (!note.empty()) v["note"] = note;
  return json{{"visit", v}}.dump();
}

class ExportTest : public ::testing::Test {
 protected:
  ExportTest() : store_(open_sqlite_store(dir_.path / "k.db")) {
    ServiceOptions o;
    o.rules = "nacka-hemtjanst@3.0";
    o.tokens = {{"combine", Principal{}},
                {"p1", Principal{"default", "p1"}},
                {"p2", Principal{"default", "p2"}}};
    service_ = std::make_unique<Service>(*store_, o);
  }

  Response call(const std::string& method, const std::string& target, const std::string& token,
                const std::string& body = "") {
    auto r = service_->handle({method, target, "Bearer " + token, body});
    whole_body(r);
    return r;
  }

  void post(const std::string& token, const std::string& body) {
    const auto r = call("POST", "/v1/registrations", token, body);
    ASSERT_EQ(r.status, 201) << body << "\n" << r.body;
  }

  // Both providers use the id v1; edits, a payment, approvals, a note that needs escaping,
  // and one visit in April.
  void register_month() {
    ASSERT_EQ(call("PUT", "/v1/world", "combine", kWorld).status, 200);
    post("p1", visit("v1", "anna", "c1", "04:A1", "2026-03-02"));
    post("p2", visit("v1", "bo", "c2", "04:B1", "2026-03-02", "bad \"knee\"\nslow"));
    post("p1", visit("v2", "anna", "c1", "04:A1", "2026-03-03", "Tvätt bedömd"));
    post("p1", R"({"visit_edit": {"id": "e1", "visit": "v2", "start": "2026-03-03T10:05",
                   "end": "2026-03-03T11:20", "note": "glömde", "made_at": "2026-03-03T12:00"}})");
    post("p1", R"({"payment": {"visit": "v1", "paid_minutes": 90}})");
    post("p1", R"({"shift_approval": {"shift": "anna/2026-03-02",
                   "approved_at": "2026-03-02T16:00"}})");
    post("p2", R"({"shift_approval": {"shift": "bo/2026-03-02",
                   "approved_at": "2026-03-02T16:00"}})");
    post("p1", visit("v3", "anna", "c1", "04:A1", "2026-04-01"));
  }

  // The export's lines: the first line's JSON, then each registration line's.
  static std::pair<json, std::vector<json>> lines_of(const std::string& body) {
    std::istringstream in(body);
    std::string line;
    std::getline(in, line);
    const auto header = json::parse(line);
    std::vector<json> out;
    while (std::getline(in, line)) out.push_back(json::parse(line));
    return {header, out};
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Service> service_;
};

// The export read back and decided in-process, scope by scope as the service decides, gives
// the service's own decisions, decision for decision.
TEST_F(ExportTest, WhatTheServiceAcceptedExportedAndDecidedAgainIsTheServicesDecisions) {
  register_month();
  const auto exported = call("GET", "/v1/export?from=2026-03-01&to=2026-04-30", "combine");
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(exported.content_type, "application/x-ndjson");

  wire::ExportHeader header;
  World world;
  std::map<std::string, backend::AcceptedRegistrations> scopes;
  std::istringstream in(exported.body);
  wire::read_export(
      in, {[&](wire::ExportHeader h, World w) {
             header = std::move(h);
             world = std::move(w);
           },
           [&](std::size_t, std::string provider, Registration r) { scopes[provider].append(r); }});
  EXPECT_EQ(header.rules, "nacka-hemtjanst@3.0");
  EXPECT_EQ(header.registrations, 8u);
  EXPECT_EQ(world, wire::decode_world(kWorld));
  ASSERT_EQ(scopes.size(), 2u);

  const backend::Engine engine(backend::load_rule_pack(header.rules));
  std::map<std::pair<std::string, std::string>, std::string> replayed;
  for (const auto& [provider, regs] : scopes)
    for (const auto& d : engine.evaluate(world, regs.all()).visits)
      replayed[{d.provider, d.id}] = wire::to_json(d).dump();

  const auto served = json::parse(call("GET", "/v1/decisions?limit=10000", "combine").body);
  std::map<std::pair<std::string, std::string>, std::string> own;
  for (const auto& d : served["decisions"])
    own[{d["provider"].get<std::string>(), d["id"].get<std::string>()}] = d.dump();
  ASSERT_EQ(own.size(), 4u);
  for (auto& [key, text] : replayed) text = json::parse(text).dump();  // the same key order
  EXPECT_EQ(replayed, own);
}

TEST_F(ExportTest, APeriodHoldsItsVisitsAndWhatNamesThem) {
  register_month();
  const auto [header, lines] =
      lines_of(call("GET", "/v1/export?from=2026-03-01&to=2026-03-31", "combine").body);
  EXPECT_EQ(header["from"], "2026-03-01");
  EXPECT_EQ(header["to"], "2026-03-31");
  EXPECT_FALSE(header.contains("provider"));
  ASSERT_EQ(header["registrations"], 7);
  ASSERT_EQ(lines.size(), 7u);
  std::vector<std::string> kinds;
  for (const auto& l : lines) kinds.push_back(l["registration"].begin().key());
  // In arrival order; April's visit is not in March.
  EXPECT_EQ(kinds, (std::vector<std::string>{"visit", "visit", "visit", "visit_edit", "payment",
                                             "shift_approval", "shift_approval"}));
  // A day with nothing on it exports an empty period, not an error.
  const auto [h2, none] =
      lines_of(call("GET", "/v1/export?from=2026-03-20&to=2026-03-20", "combine").body);
  EXPECT_EQ(h2["registrations"], 0);
  EXPECT_TRUE(none.empty());
}

// A provider's token exports its own registrations and its own part of the world only, even
// where the other provider uses the same registration id.
TEST_F(ExportTest, AProviderTokenNeverExportsAnotherProvidersRegistrations) {
  register_month();
  for (const std::string p : {"p1", "p2"}) {
    SCOPED_TRACE(p);
    const auto r = call("GET", "/v1/export?from=2026-03-01&to=2026-04-30", p);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto [header, lines] = lines_of(r.body);
    EXPECT_EQ(header["provider"], p);
    for (const auto& c : header["world"]["customers"]) EXPECT_EQ(c["provider"], p);
    for (const auto& s : header["world"]["staff"]) EXPECT_EQ(s["provider"], p);
    ASSERT_EQ(header["world"]["providers"].size(), 1u);
    ASSERT_FALSE(lines.empty());
    for (const auto& l : lines) EXPECT_EQ(l["provider"], p) << l.dump();
    EXPECT_EQ(lines.size(), p == "p1" ? 6u : 2u);
    const std::string other = p == "p1" ? "p2" : "p1";
    const auto foreign =
        call("GET", "/v1/export?from=2026-03-01&to=2026-04-30&provider=" + other, p);
    EXPECT_EQ(foreign.status, 403) << foreign.body;
    EXPECT_EQ(foreign.body.find("\"registration\""), std::string::npos);
  }
  // Combine may ask for one provider.
  const auto [header, lines] =
      lines_of(call("GET", "/v1/export?from=2026-03-01&to=2026-04-30&provider=p2", "combine").body);
  EXPECT_EQ(header["provider"], "p2");
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& l : lines) EXPECT_EQ(l["provider"], "p2");
}

TEST_F(ExportTest, ABadQueryIsA400ThatSaysWhatIsWrong) {
  register_month();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"/v1/export", "missing 'from'"},
      {"/v1/export?from=2026-03-01", "missing 'to'"},
      {"/v1/export?from=2026-3-1&to=2026-03-31", "from: expected a date YYYY-MM-DD"},
      {"/v1/export?from=2026-03-01&to=2026-02-30", "to: expected a date YYYY-MM-DD"},
      {"/v1/export?from=1999-12-01&to=2026-03-31", "in the years 2000-2099"},
      {"/v1/export?from=2026-04-01&to=2026-03-01", "from 2026-04-01 is after to 2026-03-01"},
      {"/v1/export?from=2026-03-01&to=2026-03-31&month=2026-03", "unknown query parameter 'month'"},
      {"/v1/export?from=2026-03-01&to=2026-03-31&provider=", "provider: expected a provider id"},
      {"/v1/export?from=%zz", "broken %-escape"}};
  for (const auto& [target, message] : bad) {
    SCOPED_TRACE(target);
    const auto r = call("GET", target, "combine");
    EXPECT_EQ(r.status, 400) << r.body;
    const auto j = json::parse(r.body);
    EXPECT_EQ(j["error"], "bad_request");
    EXPECT_NE(j["message"].get<std::string>().find(message), std::string::npos) << r.body;
  }
  EXPECT_EQ(call("POST", "/v1/export?from=2026-03-01&to=2026-03-31", "combine").status, 405);
  EXPECT_EQ(call("GET", "/v1/export?from=2026-03-01&to=2026-03-31", "nobody").status, 401);
}

TEST(ExportPeriod, ApprovalsFollowTheShiftsOfThePeriodAndEditsTheirVisits) {
  const std::string p1 = "p1", p2 = "p2";
  Visit v;
  v.id = "v1";
  v.staff = "anna";
  v.start = parse_local("2026-03-31T22:00");
  v.end = parse_local("2026-04-01T00:30");
  const Registration visit = v;
  const Registration edit = VisitEdit{"e1", "v1", {}, ""};
  const Registration other_edit = VisitEdit{"e2", "v1", {}, ""};  // p2's v1 is not exported
  const Registration approval = ShiftApproval{"anna/2026-03-31", parse_local("2026-04-02T09:00")};
  const Registration late = ShiftApproval{"anna/2026-04-01", parse_local("2026-04-02T09:00")};
  const std::vector<Arrived> arrived = {
      {&p1, &visit}, {&p1, &edit}, {&p2, &other_edit}, {&p1, &approval}, {&p1, &late}};
  EXPECT_EQ(select_period(arrived, parse_date("2026-03-01"), parse_date("2026-03-31")),
            (std::vector<std::size_t>{0, 1, 3}));
  EXPECT_EQ(select_period(arrived, parse_date("2026-04-01"), parse_date("2026-04-30")),
            (std::vector<std::size_t>{3, 4}));  // both approvals were made in April
}

}  // namespace
}  // namespace kvittens::service

namespace kvittens::service {
namespace {

// A month is written piece by piece as the client reads, never made whole first.
TEST(ExportResponse, IsStreamedInPiecesThatAddUpToTheWholeExport) {
  Visit v;
  v.staff = "anna";
  v.customer = "c1";
  v.start = parse_local("2026-03-02T08:00");
  v.end = parse_local("2026-03-02T08:40");
  std::vector<std::pair<std::string, Registration>> lines;
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    v.id = "v" + std::to_string(i);
    lines.emplace_back("p1", v);
    expected += wire::export_registration_line("p1", v) + "\n";
  }
  auto r =
      export_response({"2026-03-01", "2026-03-31", "nacka-hemtjanst@3.0", "", 0}, World{}, lines);
  ASSERT_TRUE(r.stream);
  std::string first;
  EXPECT_TRUE(r.stream(first));  // more to come
  EXPECT_LT(first.size(), 2 * kStreamPiece);
  EXPECT_LT(first.size(), expected.size() / 4);
  r.body = first;
  const auto& whole = whole_body(r);  // the rest, after the first piece
  const auto header_end = whole.find('\n');
  EXPECT_EQ(json::parse(whole.substr(0, header_end))["registrations"], 2000);
  EXPECT_EQ(whole.substr(header_end + 1), expected);
}

}  // namespace
}  // namespace kvittens::service
