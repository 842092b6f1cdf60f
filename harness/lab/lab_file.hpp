// The lab file (docs/lab-setup.md) as resources: where each real device is, as plain data. Which
// NFC reader each staff phone (or door) reads with, which real sticker hangs at a door, and how
// each lock is reached over BlueZ. Nothing here opens a device.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

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

// Reads and validates a lab file; every error is a ScenarioError at file:line:col. `display` is
// how the file is named in messages.
LabFile load_lab_file(const std::string& path, const std::string& display);

// Thrown when the lab itself fails (nobody presented the tag in time, a device the scenario
// needs is not in the lab file, a fault only an emulator can produce): the run is an error,
// not a failed expectation.
class LabError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace kvittens::harness
