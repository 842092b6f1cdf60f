// One simulated phone's NFC, ready for the simulator: a PN532 emulator with the real driver
// (LibnfcReader over libnfc) opened on it, and a control face in the simulator's terms —
// present/remove a tag by UID, and "the next n reads fail as <DeviceErrorCode>", which it
// turns into the transport fault that makes the driver report exactly that.
#pragma once

#include <deque>
#include <string_view>

#include "drivers/nfc/libnfc_reader.hpp"
#include "kvittens/devices.hpp"
#include "sim/emu/pn532/emulator.hpp"

namespace kvittens::emu::pn532 {

class NfcStation final : public NfcReader {
 public:
  explicit NfcStation(ChipTiming timing = {}, drivers::LibnfcReaderOptions options = {});

  // --- device face: what the phone reads through (the real driver, with faults armed) ---
  TagRead read_tag(std::chrono::milliseconds timeout) override;

  // --- control face ---
  // Holds the tag with this UID in the field (an NTAG213 carrying its id as NDEF text is
  // registered on first use). Throws std::invalid_argument for a malformed UID.
  void present(std::string_view uid);
  void remove();  // the field is empty again
  // The next `count` reads fail with `error` (NoTag, TagRemoved, Timeout, Protocol,
  // Disconnected or NoDevice; Disconnected/NoDevice unplug the reader for good).
  // Throws std::invalid_argument for a code a reader cannot produce (e.g. NotPermitted).
  void inject(DeviceErrorCode error, int count = 1);

  Emulator& emulator() { return emulator_; }
  drivers::LibnfcReader& driver() { return reader_; }

 private:
  Emulator emulator_;
  drivers::LibnfcReader reader_;
  std::deque<DeviceErrorCode> faults_;
};

}  // namespace kvittens::emu::pn532
