#include "harness/diff/replay_diff.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "../cli/run_cli.hpp"
#include "wire/export_lines.hpp"

namespace kvittens::harness {
namespace {

using cli_test::run_kvittens;
using cli_test::write_temp;
using Json = nlohmann::json;

const std::string kFrom = "nacka-hemtjanst@3.0";
const std::string kTo = "nacka-hemtjanst@2026-03-25";

World two_providers() {
  World w;
  w.providers = {{"syd", "Omsorg Syd"}, {"nord", "Omsorg Nord"}};
  Customer vera;
  vera.id = "vera";
  vera.provider = "syd";
  vera.nfc_tags = {"04:D1"};
  Customer olle = vera;
  olle.id = "olle";
  olle.provider = "nord";
  olle.nfc_tags = {"04:E1"};
  w.customers = {vera, olle};
  w.staff = {{"anna", "syd", "Anna", {}, {}, ""}, {"bo", "nord", "Bo", {}, {}, ""}};
  for (const char* insats : {"Städning", "Tvätt", "Dusch"}) {
    w.orders.push_back({std::string("vera/") + insats,
                        "vera",
                        insats,
                        std::string(insats) == "Städning" ? 60 : 30,
                        false,
                        {},
                        {}});
    w.orders.push_back({std::string("olle/") + insats,
                        "olle",
                        insats,
                        std::string(insats) == "Städning" ? 60 : 30,
                        false,
                        {},
                        {}});
  }
  return w;
}

Visit visit(const std::string& id, const std::string& staff, const std::string& customer,
            const std::string& tag, const std::string& start, int minutes,
            std::vector<std::string> insatser, const std::string& note = "") {
  Visit v;
  v.id = id;
  v.staff = staff;
  v.customer = customer;
  v.start = parse_local(start);
  v.end = v.start + std::chrono::minutes(minutes);
  v.start_receipt = v.end_receipt = {ReceiptKind::Nfc, tag, std::nullopt};
  // The minutes spent on each, as the app asks them (the ordered time).
  for (auto& i : insatser)
    v.insatser.push_back({i, InsatsStatus::Ordered, i == "Städning" ? 60 : 30});
  v.note = note;
  return v;
}

// Städning with Tvätt, the matrix cell the 2026-03-25 revision opens (docs/diff.md): without a
// note (v1) paid 60 → 90; with a note (v2) the same pay, 4.15 no longer cited; a shower (v3)
// and the other provider's visit as they were.
std::string small_export() {
  const std::vector<std::pair<std::string, Registration>> lines = {
      {"syd", visit("v1", "anna", "vera", "04:D1", "2026-04-06T10:00", 90, {"Städning", "Tvätt"})},
      {"syd", visit("v2", "anna", "vera", "04:D1", "2026-04-07T10:00", 90, {"Städning", "Tvätt"},
                    "Tvätt efter bedömning")},
      {"syd", visit("v3", "anna", "vera", "04:D1", "2026-04-08T10:00", 30, {"Dusch"})},
      {"nord", visit("v1", "bo", "olle", "04:E1", "2026-04-06T10:00", 30, {"Dusch"})},
      {"syd", Payment{"v3", 45}},  // more than is due: repaid from 2026-03-25 (I-14)
      {"syd", ShiftApproval{"anna/2026-04-06", parse_local("2026-04-06T16:00")}},
      {"syd", ShiftApproval{"anna/2026-04-07", parse_local("2026-04-07T16:00")}},
      {"syd", ShiftApproval{"anna/2026-04-08", parse_local("2026-04-08T16:00")}},
      {"nord", ShiftApproval{"bo/2026-04-06", parse_local("2026-04-06T16:00")}}};
  std::string text = wire::export_header_line({"2026-04-01", "2026-04-30", kFrom, "", lines.size()},
                                              two_providers()) +
                     "\n";
  for (const auto& [provider, r] : lines)
    text += wire::export_registration_line(provider, r) + "\n";
  return text;
}

TEST(ReplayDiff, AnEditAppliesToItsVisitInItsOwnProvidersScope) {
  Visit v = visit("v1", "anna", "vera", "04:D1", "2026-04-06T10:00", 30, {"Dusch"});
  const VisitEdit e{"e1", "v1", TimeEdit{v.start, v.end + std::chrono::minutes(5), "glömde", {}},
                    ""};
  std::string text =
      wire::export_header_line({"2026-04-01", "2026-04-30", kFrom, "", 3}, two_providers()) + "\n" +
      wire::export_registration_line("syd", v) + "\n" + wire::export_registration_line("syd", e) +
      "\n" + wire::export_registration_line("nord", e) + "\n";
  std::istringstream in(text);
  try {
    (void)read_replay(in);
    FAIL() << "an edit of a visit its scope does not have was read";
  } catch (const wire::ExportError& err) {
    ASSERT_EQ(err.issues().size(), 1u);
    EXPECT_EQ(err.issues()[0].line, 4u);
    EXPECT_EQ(err.issues()[0].pointer, "/registration/visit_edit/visit");
  }
  text = text.substr(0, text.rfind("{\"provider\":\"nord\""));
  text.replace(text.find("\"registrations\":3"), 17, "\"registrations\":2");
  std::istringstream good(text);
  const auto input = read_replay(good);
  ASSERT_EQ(input.scopes.at("syd").visits.size(), 1u);
  EXPECT_EQ(input.scopes.at("syd").visits[0].edit, e.edit);
}

// As the service applies them: to the first visit with the id among those before the edit, the
// later of two edits winning; an edit before any such visit is refused at its line.
TEST(ReplayDiff, EditsApplyInFileOrderToTheFirstEarlierVisitWithTheirId) {
  const Visit v = visit("v1", "anna", "vera", "04:D1", "2026-04-06T10:00", 30, {"Dusch"});
  Visit twin = v;  // the same id again (only a hand-made file has that)
  twin.start += std::chrono::hours(2);
  twin.end += std::chrono::hours(2);
  const auto edit = [&](const std::string& id, int minutes) {
    return VisitEdit{id, "v1", TimeEdit{v.start, v.end + std::chrono::minutes(minutes), id, {}},
                     ""};
  };
  const std::vector<Registration> lines = {edit("early", 1), v, edit("e1", 5), twin,
                                           edit("e2", 10)};
  std::string text =
      wire::export_header_line({"2026-04-01", "2026-04-30", kFrom, "", 5}, two_providers()) + "\n";
  for (const auto& r : lines) text += wire::export_registration_line("syd", r) + "\n";
  std::istringstream in(text);
  try {
    (void)read_replay(in);
    FAIL() << "an edit before its visit was read";
  } catch (const wire::ExportError& err) {
    ASSERT_EQ(err.issues().size(), 1u);
    EXPECT_EQ(err.issues()[0].line, 2u);
  }
  text.erase(text.find("{\"provider\""),
             text.find('\n', text.find("{\"provider\"")) + 1 - text.find("{\"provider\""));
  text.replace(text.find("\"registrations\":5"), 17, "\"registrations\":4");
  std::istringstream good(text);
  const auto input = read_replay(good);
  const auto& visits = input.scopes.at("syd").visits;
  ASSERT_EQ(visits.size(), 2u);
  ASSERT_TRUE(visits[0].edit);
  EXPECT_EQ(visits[0].edit->note, "e2");
  EXPECT_FALSE(visits[1].edit);
}

TEST(ReplayDiff, TheSameVersionOnBothSidesChangesNothing) {
  std::istringstream in(small_export());
  const auto input = read_replay(in);
  const backend::Engine engine(backend::load_rule_pack(kFrom));
  const auto report = replay_diff(input, engine, engine);
  EXPECT_EQ(report.decisions, 4u);
  EXPECT_EQ(report.changed_decisions, 0);
  EXPECT_EQ(report.same_outcome_decisions, 0);
  for (const auto& p : report.providers) EXPECT_EQ(p.before, p.after) << p.id;
}

TEST(ReplayDiffCli, ShowsPaidHoursPerProviderBeforeAndAfterAndTheChangedDecisions) {
  const auto file = write_temp("replay-small.jsonl", small_export());
  const auto console =
      run_kvittens("diff --from " + kFrom + " --to " + kTo + " --registrations " + file);
  ASSERT_EQ(console.exit_code, 0) << console.out;
  EXPECT_NE(console.out.find("Paid hours per provider (before → after)"), std::string::npos)
      << console.out;
  EXPECT_NE(console.out.find("syd Omsorg Syd\n    paid hours 3.00 → 3.50 (+0.50 h, +30 min)"),
            std::string::npos)
      << console.out;
  EXPECT_NE(console.out.find("nord Omsorg Nord\n    paid hours 0.50 (unchanged)"),
            std::string::npos)
      << console.out;
  EXPECT_NE(console.out.find("repayments 0 → 1 · repaid min 0 → 15"), std::string::npos)
      << console.out;
  EXPECT_NE(console.out.find("1 of 4 decision(s) changed, 1 with the same outcome"),
            std::string::npos)
      << console.out;

  const auto r = run_kvittens("diff --from " + kFrom + " --to " + kTo + " --registrations " + file +
                              " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = Json::parse(r.out);
  std::map<std::string, Json> providers;
  for (const auto& p : j["providers"]) providers[p["id"]] = p;
  EXPECT_EQ(providers["syd"]["before"]["paid_minutes"], 180);
  EXPECT_EQ(providers["syd"]["after"]["paid_minutes"], 210);
  EXPECT_EQ(providers["nord"]["before"], providers["nord"]["after"]);
  EXPECT_EQ(providers["syd"]["before"]["repayments"], 0);
  EXPECT_EQ(providers["syd"]["after"]["repayments"], 1);
  EXPECT_EQ(providers["syd"]["after"]["repayment_minutes"], 15);
  ASSERT_EQ(j["changes"].size(), 1u) << r.out;
  EXPECT_EQ(j["changes"][0]["provider"], "syd");
  EXPECT_EQ(j["changes"][0]["id"], "v1");
  EXPECT_EQ(j["changes"][0]["from"]["paid_minutes"], 60);
  EXPECT_EQ(j["changes"][0]["to"]["paid_minutes"], 90);
  ASSERT_EQ(j["changed"].size(), 1u);
  const auto& group = j["changed"][0];
  EXPECT_NE(group["change"].get<std::string>().find("paid more"), std::string::npos);
  EXPECT_EQ(group["clauses_removed"], Json::array({"4.15"})) << group.dump();
  EXPECT_EQ(group["paid_minutes"], 30);
  EXPECT_EQ(group["examples"], Json::array({"syd/v1"}));
  ASSERT_EQ(j["same_outcome_other_clauses"].size(), 1u);
  EXPECT_EQ(j["same_outcome_other_clauses"][0]["examples"], Json::array({"syd/v2"}));
  EXPECT_EQ(j["same_outcome_other_clauses"][0]["clauses_removed"], Json::array({"4.15"}));
}

TEST(ReplayDiffCli, EveryMalformedLineIsReportedWithFileLineAndPointerAndExits2) {
  std::istringstream in(small_export());
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  lines[2].replace(lines[2].find("2026-04-07T10:00"), 16, "2026-04-31T10:00");
  lines[4] = "{\"provider\": \"nord\", \"registration\": {\"visit\": {\"id\": 5}}}";
  lines[6] = "not json";
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  const auto file = write_temp("replay-bad.jsonl", text);
  const auto r = run_kvittens("diff --from " + kFrom + " --to " + kTo + " --registrations " + file);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find(file + ":3: /registration/visit/start: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(file + ":5: /registration/visit/id: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(file + ":7: "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Paid hours"), std::string::npos) << r.out;

  // Usage errors are exit 2 too.
  EXPECT_EQ(run_kvittens("diff --from " + kFrom + " --registrations " + file).exit_code, 2);
  EXPECT_EQ(run_kvittens("diff --from " + kFrom + " --to " + kTo +
                         " --registrations /nonexistent/replay.jsonl")
                .exit_code,
            2);
}

}  // namespace
}  // namespace kvittens::harness
