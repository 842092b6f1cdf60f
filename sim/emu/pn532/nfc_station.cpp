// NfcStation (see nfc_station.hpp): each injected error is produced by the emulator at the
// transport level, so the phone sees the driver's own DeviceError, message and all.
#include "sim/emu/pn532/nfc_station.hpp"

#include <stdexcept>
#include <string>

namespace kvittens::emu::pn532 {

NfcStation::NfcStation(ChipTiming timing, drivers::LibnfcReaderOptions options)
    : emulator_(timing), reader_(emulator_.connstring(), options) {}

void NfcStation::present(std::string_view uid_text) {
  const auto uid = parse_uid(uid_text);
  if (!uid) throw std::invalid_argument("not a 7-byte tag UID: " + std::string(uid_text));
  emulator_.clear_field();
  if (!emulator_.place_tag(*uid)) {
    emulator_.add_tag(Ntag::with_id_text(*uid));
    emulator_.place_tag(*uid);
  }
}

void NfcStation::remove() {
  emulator_.clear_field();
}

void NfcStation::inject(DeviceErrorCode error, int count) {
  switch (error) {
    case DeviceErrorCode::NoTag:
    case DeviceErrorCode::TagRemoved:
    case DeviceErrorCode::Timeout:
    case DeviceErrorCode::Protocol:
    case DeviceErrorCode::Disconnected:
    case DeviceErrorCode::NoDevice:
      break;
    default:
      throw std::invalid_argument(std::string("an NFC reader cannot fail with ") +
                                  to_string(error));
  }
  for (int i = 0; i < count; ++i) faults_.push_back(error);
}

TagRead NfcStation::read_tag(std::chrono::milliseconds timeout) {
  if (faults_.empty()) return reader_.read_tag(timeout);
  const DeviceErrorCode fault = faults_.front();
  faults_.pop_front();
  // Like a scripted fault, this one spoils one read only: the field is as it was afterwards.
  const std::vector<Uid> field = emulator_.tags_in_field();
  switch (fault) {
    case DeviceErrorCode::NoTag:
      emulator_.clear_field();
      break;
    case DeviceErrorCode::TagRemoved:
      emulator_.remove_tag_on_read(1);
      break;
    case DeviceErrorCode::Timeout:
      emulator_.fail_response(1, ResponseFault::NoResponse);
      break;
    case DeviceErrorCode::Protocol:
      emulator_.fail_response(1, ResponseFault::CorruptChecksum);
      break;
    default:
      emulator_.unplug();
      break;
  }
  auto restore = [&] {
    emulator_.clear_faults();
    emulator_.clear_field();
    for (const auto& uid : field) emulator_.place_tag(uid);
  };
  try {
    TagRead tag = reader_.read_tag(timeout);
    restore();
    return tag;
  } catch (...) {
    restore();
    throw;
  }
}

}  // namespace kvittens::emu::pn532
