#include "harness/wire.hpp"

#include <gtest/gtest.h>

#include "harness/decisions_json.hpp"

namespace kvittens::harness {
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

TEST(Wire, BadBodiesAreLocated) {
  EXPECT_THROW(decode_registration("{\"visit\": "), WireError);
  try {
    decode_registration("{\"visit\": {\"id\": \"v1\",\n \"start\": [1]}}");
    FAIL();
  } catch (const WireError& e) {
    EXPECT_NE(std::string(e.what()).find("body:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(decode_world(std::string(100, '[') + std::string(100, ']')), WireError);
  EXPECT_THROW(decode_world("customers: [a]"), WireError);  // YAML, not JSON
}

}  // namespace
}  // namespace kvittens::harness
