#include "wire/wire.hpp"

#include <gtest/gtest.h>

#include "scenario/evaluate_input.hpp"
#include "scenario/scenario_world.hpp"
#include "wire/decisions_json.hpp"

namespace kvittens::wire {
namespace {

World sample_world() {
  World w;
  w.providers = {{"p1", "Omsorg Syd AB"}};
  Customer c;
  c.id = "c1";
  c.provider = "p1";
  c.name = "Åsa \"Quote\" Öberg";
  c.service = ServiceType::Boendestod;
  c.cohabitant = "c2";
  c.nfc_tags = {"04:A1"};
  c.lock = "AA:BB:CC:DD:EE:01";
  c.granted_weekly_hours = 2.5;
  c.nfc_exemption = true;
  c.customer_since = parse_date("2025-01-02");
  w.customers.push_back(c);
  w.staff.push_back(
      {"anna", "p1", "Anna", parse_date("2026-05-01"), parse_local("2026-03-01T10:00"), ""});
  w.orders.push_back({"o1", "c1", "Dusch", 30, true, parse_date("2026-01-01"), std::nullopt});
  w.locks.push_back({"AA:BB:CC:DD:EE:01", std::string(64, 'a'), {"c1"}, std::nullopt});
  w.staff.back().phone = "ph1";  // the phone anna carries
  w.phones.push_back({"ph1", "p1", std::nullopt});
  w.phones.push_back({"ph2", "p1", parse_local("2026-03-02T08:30")});
  w.cutoff_dates["2026-03"] = parse_date("2026-04-05");
  return w;
}

TEST(Wire, AWorldReadsBackAsItWasWritten) {
  const auto w = sample_world();
  EXPECT_EQ(decode_world(encode_world(w).dump()), w);
  EXPECT_EQ(harness::decode_scenario_world(YAML::Load(encode_world(w).dump()), "body"), w);
}

TEST(Wire, AWorldWithoutPhonesEncodesAsBeforePhones) {
  auto w = sample_world();
  w.phones.clear();
  w.staff.back().phone.clear();
  const auto j = encode_world(w);
  EXPECT_FALSE(j.contains("phones"));
  EXPECT_FALSE(j["staff"][0].contains("phone"));
  EXPECT_EQ(decode_world(j.dump()), w);
}

TEST(Wire, EveryRegistrationKindReadsBackAsItWasWritten) {
  Visit v;
  v.id = "v1";
  v.staff = "anna";
  v.customer = "c1";
  v.start = parse_local("2026-10-25T02:30+02:00") + std::chrono::seconds(17);  // autumn hour
  v.end = parse_local("2026-10-25T02:10+01:00");
  v.start_receipt = {ReceiptKind::Nfc, "04:A1", std::nullopt};
  v.end_receipt = {ReceiptKind::Lock, "", LockEvent{"AA:BB", 7, 1700000000, 1, 3, "ff00"}};
  v.end_place = Place::Outside;
  v.insatser = {{"Dusch", InsatsStatus::Extra, 12},
                {"Städning", InsatsStatus::Ordered, std::nullopt}};
  v.note = "personal note";
  v.manual = true;
  v.edit = TimeEdit{v.start, v.end, "why", std::nullopt};
  v.shared_group = "g1";
  v.shift = "anna/2026-10-25";
  v.notice_at = parse_local("2026-10-24T12:00");
  v.cause = "hospital";
  v.registered_at = parse_local("2026-10-26T08:00");
  v.phone = "ph1";
  auto edited_later = v;
  edited_later.id = "v2";
  edited_later.edit->made_at = parse_local("2026-10-25T09:30");
  const std::vector<Registration> all = {
      v,
      edited_later,
      DoubleStaffing{"d1", "bo", "c1", v.start, v.end, "n", "bo/x", "ph2"},
      DoubleStaffing{"d2", "bo", "c1", v.start, v.end, "n", "bo/x", ""},
      SharedInsats{"s1", "anna", "Inköp", v.start, v.end, {"c1", "c2"}, "ph1"},
      SharedInsats{"s2", "anna", "Inköp", v.start, v.end, {"c1", "c2"}, ""},
      DeclinedVisit{"x1", "anna", "c1", v.start, v.end, v.start, "n", "", "ph1"},
      DeclinedVisit{"x2", "anna", "c1", v.start, v.end, v.start, "n", "", ""},
      Absence{"a1", "c1", v.start, v.start, std::nullopt, "away"},
      ShiftApproval{"anna/2026-10-25", v.end},
      Payment{"v1", 40},
      VisitEdit{"v1/edit", "v1", TimeEdit{v.start, v.end, "why", parse_local("2026-10-25T22:00")},
                "ph1"},
      VisitEdit{"v1/edit2", "v1", TimeEdit{v.start, v.end, "", std::nullopt}, ""}};
  for (const auto& r : all) {
    const auto text = encode_registration(r).dump();
    EXPECT_EQ(decode_registration(text), r) << text;
    // The YAML reader of `kvittens evaluate` reads the same body to the same registration.
    EXPECT_EQ(harness::decode_registration(YAML::Load(text), "body"), r) << text;
  }
}

// Before phones and edit times: a body without them still reads, as not known / made at
// the visit's end; and one without them is written as before.
TEST(Wire, PhoneAndEditTimeAreOptional) {
  const auto r = decode_registration(
      R"({"visit": {"id": "v1", "staff": "anna", "customer": "c1", "start": "2026-03-02T08:00",)"
      R"( "end": "2026-03-02T08:20", "edit": {"start": "2026-03-02T08:00",)"
      R"( "end": "2026-03-02T08:30", "note": "why"}}})");
  const auto& v = std::get<Visit>(r);
  EXPECT_TRUE(v.phone.empty());
  ASSERT_TRUE(v.edit);
  EXPECT_FALSE(v.edit->made_at);
  const auto j = encode_registration(r);
  EXPECT_FALSE(j["visit"].contains("phone"));
  EXPECT_FALSE(j["visit"]["edit"].contains("made_at"));
  const auto e = encode_registration(
      VisitEdit{"v1/edit", "v1",
                TimeEdit{parse_local("2026-03-02T08:00"), parse_local("2026-03-02T08:30"), "why",
                         parse_local("2026-03-02T22:00")},
                "ph1"});
  EXPECT_EQ(
      e.dump(),
      R"({"visit_edit":{"id":"v1/edit","visit":"v1","start":"2026-03-02T08:00",)"
      R"("end":"2026-03-02T08:30","note":"why","made_at":"2026-03-02T22:00","phone":"ph1"}})");
}

TEST(Wire, DecisionsReadBackToTheSameJson) {
  Decisions d;
  VisitDecision v;
  v.id = "v1";
  v.kind = "visit";
  v.start = parse_local("2026-03-02T08:00");
  v.end = parse_local("2026-03-02T08:40");
  v.state = DecisionState::Reduced;
  v.insatser = {{"Dusch", 40, 30, DecisionState::Reduced, true, {{"4.2", "cap"}}}};
  v.trace = {{"4.10", "no receipt"}};
  v.stamp = Stamp{"nacka-hemtjanst", "3.0", "2026-01-01", "abc"};
  d.visits.push_back(v);
  MonthlySummary m;
  m.provider = "p1";
  m.month = "2026-03";
  m.manual_share = 1.0 / 3;
  m.repayments = {{"v1", 40, 30, {"4.13", "less"}}};
  d.months.push_back(m);
  const auto json = to_json(d);
  EXPECT_EQ(to_json(decode_decisions(nlohmann::json::parse(json.dump()))), json);

  // A trace entry a Trace cannot keep is a wire error, not an escaping exception.
  auto bad = nlohmann::json::parse(json.dump());
  bad["decisions"][0]["trace"][0]["clause"] = std::string(256, '4');
  try {
    decode_decisions(bad);
    FAIL() << "expected a wire error";
  } catch (const WireError& e) {
    EXPECT_NE(std::string(e.what()).find("at most 255"), std::string::npos) << e.what();
  }
  bad["decisions"][0]["trace"][0]["clause"] = 7;
  EXPECT_THROW(decode_decisions(bad), WireError);  // not text
}

// The issues of a body the decoder refuses (fails the test when it is accepted).
std::vector<WireIssue> issues_of(const std::string& body) {
  try {
    (void)decode_registration(body);
  } catch (const WireError& e) {
    return e.issues();
  }
  ADD_FAILURE() << "accepted: " << body;
  return {};
}

bool has_issue(const std::vector<WireIssue>& issues, const std::string& pointer,
               const std::string& words) {
  for (const auto& i : issues)
    if (i.pointer == pointer && i.message.find(words) != std::string::npos) return true;
  return false;
}

std::string dump(const std::vector<WireIssue>& issues) {
  std::string out;
  for (const auto& i : issues) out += "[" + i.pointer + "] " + i.message + "\n";
  return out;
}

// A visit body with `more` (", KEY: VALUE" pairs) after its required fields.
std::string visit_with(const std::string& more) {
  return R"({"visit": {"id": "v1", "staff": "anna", "customer": "c1", "start": "2026-03-02T08:00",)"
         R"( "end": "2026-03-02T08:20")" +
         more + "}}";
}

TEST(Wire, BadBodiesAreLocated) {
  EXPECT_THROW(decode_registration("{\"visit\": "), WireError);
  const auto wrong = issues_of("{\"visit\": {\"id\": \"v1\",\n \"start\": [1]}}");
  EXPECT_TRUE(has_issue(wrong, "/visit/start", "expected start as a time")) << dump(wrong);
  EXPECT_TRUE(has_issue(wrong, "/visit", "missing 'staff'")) << dump(wrong);
  EXPECT_THROW(decode_world(std::string(100, '[') + std::string(100, ']')), WireError);
  EXPECT_THROW(decode_world("customers: [a]"), WireError);  // YAML, not JSON
}

// What Python's json.dumps sends for a character outside the BMP: a valid surrogate pair.
TEST(Wire, AnEscapedSurrogatePairIsOneCharacter) {
  const auto r = decode_registration(visit_with(R"(, "note": "glad \ud83d\ude00")"));
  EXPECT_EQ(std::get<Visit>(r).note, "glad \xF0\x9F\x98\x80");
}

TEST(Wire, TextThatIsNotUtf8IsRefusedWithItsPlace) {
  const auto bad = issues_of(visit_with(",\n \"note\": \"\xff\xfe\""));
  EXPECT_TRUE(has_issue(bad, "", "line 2")) << dump(bad);
  EXPECT_TRUE(has_issue(bad, "", "UTF-8")) << dump(bad);
  const auto lone = issues_of(visit_with(R"(, "note": "\ud800")"));
  EXPECT_TRUE(has_issue(lone, "", "surrogate")) << dump(lone);
  // The place is said once, by us, not again by the parser.
  EXPECT_EQ(lone.at(0).message.find("parse error at"), std::string::npos) << dump(lone);
}

TEST(Wire, NumbersOutOfRangeAreRefusedNotOverflowed) {
  const auto huge = issues_of(R"({"payment": {"visit": "v1", "paid_minutes": 1e400}})");
  EXPECT_TRUE(has_issue(huge, "", "overflow")) << dump(huge);
  const auto big = issues_of(R"({"payment": {"visit": "v1", "paid_minutes": 99999999999}})");
  EXPECT_TRUE(has_issue(big, "/payment/paid_minutes", "out of range")) << dump(big);
  const auto frac = issues_of(R"({"payment": {"visit": "v1", "paid_minutes": 2.5}})");
  EXPECT_TRUE(has_issue(frac, "/payment/paid_minutes", "whole number")) << dump(frac);
  const auto insats =
      issues_of(visit_with(R"(, "insatser": [{"insats": "Dusch", "minutes": 3000000000}])"));
  EXPECT_TRUE(has_issue(insats, "/visit/insatser/0/minutes", "out of range")) << dump(insats);
}

TEST(Wire, AKeyGivenTwiceIsRefusedWhereItStands) {
  const auto twice = issues_of(visit_with(R"(, "insatser": [{"insats": "A", "insats": "B"}])"));
  EXPECT_TRUE(has_issue(twice, "/visit/insatser/0/insats", "twice")) << dump(twice);
}

TEST(Wire, EveryProblemInABodyIsReportedAtOnce) {
  const auto all = issues_of(
      R"({"visit": {"id": "", "staff": "anna", "customer": "c\u0000", "start": "1899-01-01T08:00",)"
      R"( "end": "2026-03-02T08:20", "manual": "yes", "stat": 1,)"
      R"( "note": ")" +
      std::string(Limits::note_bytes + 1, 'x') + R"("}})");
  EXPECT_TRUE(has_issue(all, "/visit/id", "empty")) << dump(all);
  EXPECT_TRUE(has_issue(all, "/visit/customer", "control character")) << dump(all);
  EXPECT_TRUE(has_issue(all, "/visit/start", "outside the years")) << dump(all);
  EXPECT_TRUE(has_issue(all, "/visit/manual", "true or false")) << dump(all);
  EXPECT_TRUE(has_issue(all, "/visit/stat", "did you mean 'start'")) << dump(all);
  EXPECT_TRUE(has_issue(all, "/visit/note", "at most")) << dump(all);
  EXPECT_EQ(all.size(), 6u) << dump(all);
}

TEST(Wire, IdsAreBoundedInLength) {
  const auto r =
      issues_of(R"({"shift_approval": {"shift": ")" + std::string(Limits::id_bytes + 1, 's') +
                R"(", "approved_at": "2026-03-02T20:00"}})");
  EXPECT_TRUE(has_issue(r, "/shift_approval/shift", "at most 128")) << dump(r);
}

TEST(Wire, APointerEscapesSlashAndTilde) {
  const auto r = issues_of(visit_with(R"(, "a/b~c": 1)"));
  EXPECT_TRUE(has_issue(r, "/visit/a~1b~0c", "unknown key")) << dump(r);
}

}  // namespace
}  // namespace kvittens::wire
