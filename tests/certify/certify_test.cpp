#include "harness/certify/lock_certification.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "harness/certify/certification_report.hpp"
#include "harness/certify/reference_lock.hpp"

namespace kvittens::certify {
namespace {

using emu::LockFault;
using Ids = std::set<std::string>;

Certification certify_reference(std::vector<std::pair<LockFault, std::int64_t>> faults = {},
                                bool with_admin_key = true) {
  ReferenceLockOptions o;
  o.faults = std::move(faults);
  ReferenceLock lock(o);
  auto co = lock.certify_options();
  if (!with_admin_key) co.admin_key.reset();
  return certify_lock(co, lock);
}

Ids as_set(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

Ids all_ids() {
  Ids out;
  for (const auto& r : checked_requirements()) out.insert(r.id);
  return out;
}

Ids all_but(const Ids& but) {
  Ids out;
  for (const auto& id : all_ids()) {
    if (!but.count(id)) out.insert(id);
  }
  return out;
}

TEST(CertifyLock, TheReferenceLockPassesEveryRequirement) {
  const auto cert = certify_reference();
  ASSERT_FALSE(cert.setup_error) << *cert.setup_error;
  ASSERT_EQ(cert.results.size(), checked_requirements().size());
  for (const auto& r : cert.results) {
    EXPECT_EQ(r.verdict, Verdict::Pass) << r.requirement.id << ": " << r.reason;
    EXPECT_FALSE(r.evidence.empty()) << r.requirement.id << " has no frames as evidence";
  }
  EXPECT_TRUE(cert.passed());
}

TEST(CertifyLock, EveryCheckedRequirementIsDefinedInTheProfile) {
  std::ifstream in(std::string(KVITTENS_SOURCE_DIR) + "/docs/lock-profile.md");
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& r : checked_requirements()) {
    EXPECT_NE(text.str().find("**" + r.id + "**"), std::string::npos)
        << r.id << " is not defined in docs/lock-profile.md";
  }
}

// Each vendor defect fails exactly the requirements listed, and no others; the ones blocked
// behind a failure are listed too.
struct FaultCase {
  LockFault fault;
  std::int64_t arg;
  Ids failed;
  Ids blocked;
};

const std::vector<FaultCase>& fault_cases() {
  static const std::vector<FaultCase> cases = {
      {LockFault::OutOfRange, 0, {"LP-ADV-1"}, all_but({"LP-ADV-1"})},
      {LockFault::NoResponse, 0, {"LP-LINK-3"}, all_but({"LP-ADV-1", "LP-ADV-2", "LP-LINK-3"})},
      {LockFault::NoAdvertisedUuid, 0, {"LP-ADV-2"}, {}},
      {LockFault::DuplicateCharacteristic, 0, {"LP-GATT-1"}, {}},
      {LockFault::WrongFlags, 0, {"LP-GATT-5"}, {}},
      {LockFault::BatteryMisreported, 0, {"LP-STAT-3"}, {}},
      {LockFault::NoStatusNotifications, 0, {"LP-STAT-1"}, {}},
      {LockFault::ReceiptWrongKeyId, 0, {"LP-CMD-2"}, {}},
      {LockFault::LockIgnored, 0, {"LP-CMD-3"}, {}},
      {LockFault::NoAutoRelock, 0, {"LP-CMD-4"}, {}},
      {LockFault::RepeatedNonce, 0, {"LP-AUTH-1"}, {}},
      {LockFault::StaleNonceAccepted, 0, {"LP-AUTH-2"}, {}},
      {LockFault::ReplayAccepted, 0, {"LP-AUTH-4"}, {}},
      // A lock that obeys a bad MAC also obeys one over a superseded nonce.
      {LockFault::WrongKeyAccepted, 0, {"LP-AUTH-5", "LP-AUTH-1"}, {}},
      {LockFault::UnlockOnDisconnect, 0, {"LP-LINK-4"}, {}},
      {LockFault::NonAdminTimeSet, 0, {"LP-CMD-5"}, {}},
      {LockFault::NoLogReadout, 0, {"LP-CMD-6"}, {"LP-LOG-5"}},
      {LockFault::LogLostOnReconnect, 0, {"LP-LOG-5"}, {}},
      {LockFault::SeqGap, 0, {"LP-LOG-1"}, {}},
      // The staff app's driver refuses the unsigned receipt too.
      {LockFault::NoMac, 0, {"LP-LOG-2", "LP-CMD-2"}, {}},
      {LockFault::ClockDrift, 3600, {"LP-LOG-4"}, {}},
      // The first receipt's MAC is wrong, and it differs from the entry the log keeps.
      {LockFault::BadMac, 0, {"LP-LOG-2", "LP-LOG-5"}, {}},
      // The check whose UNLOCK loses the link fails; the next one reconnects.
      {LockFault::DisconnectDuringUnlock, 0, {"LP-STAT-1"}, {}},
      // A lock with a low battery that says so is conformant.
      {LockFault::LowBattery, 8, {}, {}},
  };
  return cases;
}

class CertifyLockFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(CertifyLockFault, FailsExactlyItsRequirements) {
  const auto& c = GetParam();
  const auto cert = certify_reference({{c.fault, c.arg}});
  EXPECT_EQ(as_set(cert.failed_ids()), c.failed);
  EXPECT_EQ(as_set(cert.blocked_ids()), c.blocked);
  bool mandatory_failed = false;
  for (const auto& r : cert.results) {
    if (r.verdict == Verdict::Fail) {
      EXPECT_FALSE(r.reason.empty()) << r.requirement.id;
      mandatory_failed |= r.requirement.mandatory;
    }
  }
  EXPECT_EQ(cert.passed(), !mandatory_failed && c.blocked.empty());
}

INSTANTIATE_TEST_SUITE_P(VendorDefects, CertifyLockFault, ::testing::ValuesIn(fault_cases()),
                         [](const auto& info) {
                           std::string name = emu::to_string(info.param.fault);
                           for (auto& ch : name) {
                             if (ch == '-') ch = '_';
                           }
                           return name;
                         });

TEST(CertifyLock, EveryCheckFailsUnderSomeDefect) {
  Ids caught;
  for (const auto& c : fault_cases()) caught.insert(c.failed.begin(), c.failed.end());
  EXPECT_EQ(caught, all_ids());
}

TEST(CertifyLock, WithoutTheAdminKeyTheAdminRequirementsAreNotRunAndTheLockNotCertified) {
  const auto cert = certify_reference({}, false);
  EXPECT_TRUE(cert.failed_ids().empty());
  EXPECT_EQ(as_set(cert.blocked_ids()), (Ids{"LP-CMD-5", "LP-CMD-6", "LP-LOG-5"}));
  EXPECT_FALSE(cert.passed());
}

TEST(CertifyLock, ANonexistentBusIsASetupErrorNotAVerdict) {
  LockCertifyOptions o;
  o.address = "AA:BB:CC:DD:EE:01";
  o.bus = "unix:path=/nonexistent/kvittens-no-bus";
  o.key.assign(32, 0x42);
  WallBench bench;
  const auto cert = certify_lock(o, bench);
  ASSERT_TRUE(cert.setup_error);
  EXPECT_NE(cert.setup_error->find("/nonexistent/kvittens-no-bus"), std::string::npos)
      << *cert.setup_error;
  EXPECT_TRUE(cert.failed_ids().empty());
  EXPECT_FALSE(cert.passed());
}

TEST(CertifyReport, JUnitHasOneTestcasePerRequirementAndFailsOnlyMandatoryOnes) {
  const auto cert = certify_reference({{LockFault::NoAdvertisedUuid, 0}, {LockFault::SeqGap, 0}});
  const auto xml = to_junit(cert);
  std::size_t testcases = 0;
  for (auto p = xml.find("<testcase "); p != std::string::npos; p = xml.find("<testcase ", p + 1)) {
    ++testcases;
  }
  EXPECT_EQ(testcases, checked_requirements().size());
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("skipped=\"1\""), std::string::npos) << xml;
  const auto json = to_json(cert);
  EXPECT_FALSE(json.at("passed").get<bool>());
  EXPECT_EQ(json.at("summary").at("mandatory_not_passed"), nlohmann::json::array({"LP-LOG-1"}));
  EXPECT_EQ(json.at("requirements").size(), checked_requirements().size());
  const auto html = to_html(cert);
  EXPECT_NE(html.find("NOT CERTIFIED"), std::string::npos);
  EXPECT_NE(html.find("id=\"LP-LOG-1\""), std::string::npos);
}

}  // namespace
}  // namespace kvittens::certify
