// `kvittens certify lock` as a user runs it: exit codes, messages and the report files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/certify/lock_certification.hpp"
#include "run_cli.hpp"

namespace kvittens::cli_test {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "kvittens-certify-test" / name;
  std::filesystem::remove_all(dir);
  return dir;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(CertifyCli, TheReferenceLockIsCertifiedWithThreeWellFormedReports) {
  const auto dir = fresh_dir("reference");
  const auto r = run_kvittens("certify lock --report " + dir.string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("CERTIFIED"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos) << "colour on a pipe";

  const auto json = nlohmann::json::parse(slurp(dir / "report.json"));
  EXPECT_TRUE(json.at("passed").get<bool>());
  EXPECT_EQ(json.at("requirements").size(), certify::checked_requirements().size());
  for (const auto& req : json.at("requirements")) {
    EXPECT_EQ(req.at("verdict"), "pass") << req.dump();
    EXPECT_FALSE(req.at("evidence").empty()) << req.at("id");
  }

  const auto junit = slurp(dir / "junit.xml");
  EXPECT_EQ(junit.rfind("<?xml", 0), 0u);
  EXPECT_EQ(count(junit, "<testcase "), certify::checked_requirements().size());
  EXPECT_EQ(count(junit, "<testcase "), count(junit, "</testcase>"));
  EXPECT_EQ(count(junit, "<failure"), 0u);

  const auto html = slurp(dir / "report.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  for (const auto& req : certify::checked_requirements()) {
    EXPECT_NE(html.find("id=\"" + req.id + "\""), std::string::npos) << req.id;
  }
}

TEST(CertifyCli, AMandatoryFailureExitsOneAndNamesTheRequirement) {
  const auto dir = fresh_dir("replay");
  const auto r = run_kvittens("certify lock --fault replay-accepted --report " + dir.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("FAIL     LP-AUTH-4"), std::string::npos) << r.out;
  const auto junit = slurp(dir / "junit.xml");
  EXPECT_EQ(count(junit, "<failure"), 1u) << junit;
  const auto json = nlohmann::json::parse(slurp(dir / "report.json"));
  EXPECT_EQ(json.at("summary").at("mandatory_not_passed"), nlohmann::json::array({"LP-AUTH-4"}));
}

TEST(CertifyCli, AnOptionalFailureStillCertifies) {
  const auto r = run_kvittens("certify lock --fault no-advertised-uuid");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("FAIL     LP-ADV-2"), std::string::npos) << r.out;
}

TEST(CertifyCli, UsageAndBenchErrorsExitTwoWithAClearMessage) {
  const auto bad_key = write_temp("short.key", "# lock key\n0123456789abcdef\n");
  auto r = run_kvittens("certify lock --address AA:BB:CC:DD:EE:01 --key-file " + bad_key);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find(bad_key + ":2:1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("64 hex digits"), std::string::npos) << r.out;

  r = run_kvittens("certify lock --address AA:BB:CC:DD:EE:01 --key-file /nonexistent/k");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("cannot open '/nonexistent/k'"), std::string::npos) << r.out;

  r = run_kvittens("certify lock --address AA:BB:CC:DD:EE:01");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--key-file is required"), std::string::npos) << r.out;

  r = run_kvittens("certify lock --address not-an-address --key-file " + bad_key);
  EXPECT_EQ(r.exit_code, 2) << r.out;

  r = run_kvittens("certify lock --fault no-such-defect");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("unknown fault 'no-such-defect'"), std::string::npos) << r.out;

  const auto key = write_temp("good.key", std::string(64, '4') + "\n");
  r = run_kvittens("certify lock --address AA:BB:CC:DD:EE:01 --key-file " + key +
                   " --bus unix:path=/nonexistent/kvittens-no-bus");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("/nonexistent/kvittens-no-bus"), std::string::npos) << r.out;

  r = run_kvittens("certify lock --help");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("--admin-key-file"), std::string::npos) << r.out;
}

TEST(CertifyCli, ALockThatIsNotFoundIsABenchErrorAndStillReported) {
  const auto dir = fresh_dir("out-of-range");
  const auto r = run_kvittens("certify lock --fault out-of-range --report " + dir.string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("not found"), std::string::npos) << r.out;
  const auto json = nlohmann::json::parse(slurp(dir / "report.json"));
  EXPECT_FALSE(json.at("passed").get<bool>());
  EXPECT_FALSE(json.at("setup_error").is_null());
}

}  // namespace
}  // namespace kvittens::cli_test
