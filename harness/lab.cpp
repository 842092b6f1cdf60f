#include "harness/lab.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include "harness/lab/lab_drivers.hpp"
#include "harness/lab/lab_operator.hpp"

namespace kvittens::harness {
namespace {

using std::chrono::milliseconds;

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// One phone's NFC in the lab: what it reads is what the operator presented to it.
class LabReader final : public NfcReader {
 public:
  LabReader(LabOperator& op, LabNfcReaders& readers, std::string staff)
      : op_(op), readers_(readers), staff_(std::move(staff)) {}
  TagRead read_tag(milliseconds timeout) override { return op_.read(staff_, readers_, timeout); }

 private:
  LabOperator& op_;
  LabNfcReaders& readers_;
  std::string staff_;
};

class LabHardware final : public sim::Hardware {
 public:
  LabHardware(const LabFile& lab, const std::vector<sim::Door>& doors, const Clock& clock,
              std::ostream& prompts)
      : lab_(lab), doors_(doors), clock_(clock), operator_(lab, prompts) {}

  void present_tag(const std::string& staff, const sim::TagOnDoor& tag) override {
    operator_.present(staff, place_tag(lab_, doors_, staff, tag));
  }

  void remove_tag(const std::string& staff) override { operator_.take_away(staff); }

  void inject(const sim::DeviceFault& fault) override {
    if (fault.device == sim::DeviceFault::Device::Nfc && fault.error == DeviceErrorCode::NoTag) {
      operator_.keep_empty(fault.target, fault.count);
      return;
    }
    const std::string what =
        fault.condition ? sim::to_string(*fault.condition) : kvittens::to_string(fault.error);
    throw LabError("the fault '" + what +
                   "' needs an emulator; run this scenario with "
                   "--hardware emulated");
  }

  // The same drivers as emulated mode, so the same log: the readers' serial taps and the locks'
  // D-Bus calls.
  void set_device_log(DeviceLog* log) override {
    log_ = log;
    nfc_readers_.set_log(log);
    for (auto& [id, l] : locks_) l->set_log(log);
  }

  NfcReader& reader(const std::string& staff) override {
    auto& r = phone_readers_[staff];
    if (!r) r = std::make_unique<LabReader>(operator_, nfc_readers_, staff);
    return *r;
  }

  Lock& lock(const std::string& /*staff*/, const std::string& lock_id) override {
    auto& l = locks_[upper(lock_id)];
    if (!l) {
      const auto it = std::find_if(lab_.locks.begin(), lab_.locks.end(), [&](const LabLock& x) {
        return upper(x.lock) == upper(lock_id);
      });
      if (it == lab_.locks.end()) throw LabError(lab_.file + " has no lock " + lock_id);
      l = std::make_unique<LabLockDevice>(*it, clock_);
      l->set_log(log_);
    }
    return *l;
  }

 private:
  const LabFile& lab_;
  std::vector<sim::Door> doors_;
  const Clock& clock_;
  LabOperator operator_;
  DeviceLog* log_ = nullptr;
  LabNfcReaders nfc_readers_;
  std::map<std::string, std::unique_ptr<LabReader>> phone_readers_;
  std::map<std::string, std::unique_ptr<LabLockDevice>> locks_;
};

}  // namespace

std::unique_ptr<sim::Hardware> make_lab_hardware(const LabFile& lab, const World& /*world*/,
                                                 const std::vector<sim::Door>& doors,
                                                 const Clock& clock, std::ostream& prompts) {
  return std::make_unique<LabHardware>(lab, doors, clock, prompts);
}

}  // namespace kvittens::harness
