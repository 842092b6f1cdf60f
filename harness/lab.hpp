// `kvittens run --lab lab.yaml`: the scenario's doors on real devices. The lab file says which
// NFC reader each staff phone (or door) reads with, which real sticker hangs at a door, and how
// each lock is reached over BlueZ (docs/lab-setup.md). LabHardware drives those devices with
// the same drivers as the emulated mode; where nothing can move a tag, it asks the operator on
// stderr and waits, with a timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kvittens/clock.hpp"
#include "scenario/scenario.hpp"
#include "sim/core/hardware.hpp"

namespace kvittens::harness {

struct LabPhone {
  Where where;
  std::string staff;
  std::string reader;  // libnfc connstring, "pn532_uart:/dev/ttyUSB0"
};

struct LabDoor {
  Where where;
  std::string door;
  std::string reader;    // the reader mounted at this door, if any (used instead of the phone's)
  std::string tag;       // UID of the real sticker on this door; empty: the scenario's own UIDs
  std::string actuator;  // "none": the operator presents the tag when asked
};

struct LabLock {
  Where where;
  std::string lock;     // BLE address: the scenario's lock id, and the real lock's address
  std::string bus;      // "" = the system bus (bluetoothd), else a D-Bus address
  std::string adapter;  // "hci0"
  std::vector<std::uint8_t> admin_key;  // empty: the lock keeps its own time
  std::uint16_t admin_key_id = 0xFFFE;
};

struct LabFile {
  std::string file;
  std::chrono::milliseconds present_timeout{20000};
  std::vector<LabPhone> phones;
  std::vector<LabDoor> doors;
  std::vector<LabLock> locks;
};

// Reads and validates a lab file; every error is a ScenarioError at file:line:col.
LabFile load_lab_file(const std::string& path, const std::string& display);

// Thrown when the lab itself fails (nobody presented the tag in time, a device the scenario
// needs is not in the lab file, a fault only an emulator can produce): the run is an error,
// not a failed expectation.
class LabError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Real devices for one run. `prompts` is where the operator is asked (stderr).
std::unique_ptr<sim::Hardware> make_lab_hardware(const LabFile& lab, const World& world,
                                                 const std::vector<sim::Door>& doors,
                                                 const Clock& clock, std::ostream& prompts);

}  // namespace kvittens::harness
