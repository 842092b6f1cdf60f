// `kvittens evaluate`: decisions for a good input; a located error and exit 2 for bad input.
#include <gtest/gtest.h>

#include "run_cli.hpp"

namespace kvittens::cli_test {
namespace {

const std::string kWorld = R"(world:
  providers: [{id: p1, name: Omsorg}]
  customers:
    - {id: c1, provider: p1, name: Astrid, nfc_tags: ["04:00:00:00:00:00:01"]}
    - {id: c2, provider: p1, name: Bertil, nfc_tags: ["04:00:00:00:00:00:02"]}
  staff: [{id: anna, provider: p1, name: Anna}]
  orders: [{id: o1, customer: c1, insats: Dusch, minutes: 30}]
)";

std::string visit(const std::string& id, const std::string& customer, const std::string& start,
                  const std::string& end, const std::string& insats) {
  return "  - visit: {id: " + id + ", staff: anna, customer: " + customer + ", start: " + start +
         ", end: " + end +
         ", start_receipt: {nfc: '04:00:00:00:00:00:01'}, end_receipt: {nfc: "
         "'04:00:00:00:00:00:01'}, insatser: [" +
         insats + "]}\n";
}

TEST(EvaluateCli, PrintsDecisionsAsJsonWithClauses) {
  const auto path = write_temp(
      "good.yaml",
      kWorld + "registrations:\n" +
          visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:45", "Dusch") +
          "  - shift_approval: {shift: anna/2026-03-02, approved_at: 2026-03-03T08:00}\n");
  const auto r = run_kvittens("evaluate " + path + " --rules nacka-hemtjanst@3.0 --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"paid_minutes\": 30"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"clause\": \"4.3\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"version\": \"3.0\""), std::string::npos) << r.out;
}

struct BadInput {
  const char* name;
  std::string text;
  std::string rules;
  std::string expected;  // must appear in the message
};

void PrintTo(const BadInput& c, std::ostream* os) {
  *os << c.name;
}

class EvaluateCliBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(EvaluateCliBadInput, NamesThePlaceAndExitsTwo) {
  const auto& c = GetParam();
  const auto path = write_temp(std::string(c.name) + ".yaml", c.text);
  const auto r = run_kvittens("evaluate " + path + " --rules " + c.rules);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find(c.expected), std::string::npos) << "output was: " << r.out;
  EXPECT_EQ(r.out.find("terminate called"), std::string::npos) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, EvaluateCliBadInput,
    ::testing::Values(
        BadInput{"unknown_insats",
                 kWorld + "registrations:\n" +
                     visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", "Dush"),
                 "nacka-hemtjanst@3.0", ":9:5: registration 'v1' refused: unknown insats 'Dush'"},
        BadInput{"overlap",
                 kWorld + "registrations:\n" +
                     visit("v1", "c1", "2026-03-02T08:00", "2026-03-02T08:30", "Dusch") +
                     visit("v2", "c2", "2026-03-02T08:15", "2026-03-02T08:45", "Dusch"),
                 "nacka-hemtjanst@3.0", ":10:5: registration 'v2' refused: visit v2"},
        BadInput{"end_before_start",
                 kWorld + "registrations:\n" +
                     visit("v1", "c1", "2026-03-02T08:30", "2026-03-02T08:00", "Dusch"),
                 "nacka-hemtjanst@3.0", "before it starts"},
        BadInput{"unknown_version", kWorld + "registrations: []\n", "nacka-hemtjanst@9.9",
                 "has no version '9.9'"},
        BadInput{"malformed_yaml", kWorld + "registrations: [\n  - visit: {id: v1,\n",
                 "nacka-hemtjanst@3.0", "malformed_yaml.yaml:"},
        BadInput{"bad_time",
                 kWorld + "registrations:\n" +
                     visit("v1", "c1", "2026-03-02T25:00", "2026-03-02T08:30", "Dusch"),
                 "nacka-hemtjanst@3.0", "bad_time.yaml:9:"},
        BadInput{"unknown_key", kWorld + "registrations:\n  - visit: {id: v1, staf: anna}\n",
                 "nacka-hemtjanst@3.0", "unknown key 'staf'"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace kvittens::cli_test
