// The NfcReader contract over libnfc 1.8: any reader libnfc can open by connstring
// (`pn532_uart:/dev/ttyUSB0`, `acr122_usb`, ...) reads the kvittensmärke in its field: UID,
// ATQA/SAK and, for NFC Forum Type 2 tags (NTAG/Ultralight), the NDEF Text/URI record.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "kvittens/device_log.hpp"
#include "kvittens/devices.hpp"

struct nfc_context;
struct nfc_device;

namespace kvittens::drivers {

class SerialTap;

struct LibnfcReaderOptions {
  // Longest wait for any one exchange with the reader; a silent reader fails after this.
  std::chrono::milliseconds command_timeout{500};
  // A PN532 on a serial port (`pn532_uart:/dev/...`) is reached through a SerialTap, which
  // records every frame in the device log (docs/device-log.md). On by default, so a log can be
  // attached to an open reader at any time; off: libnfc opens the port itself and nothing is
  // logged.
  bool tap = true;
  DeviceLog* log = nullptr;  // where the tap records frames; not owned; see set_log()
};

// Where in a read a libnfc error happened; the same code means different things there.
enum class ReadStage : std::uint8_t { Open, Poll, Read };

// libnfc error code (NFC_E*) → what the app can act on. `port_present`: whether the reader's
// serial port can still be opened (an I/O error on a vanished port is a disconnect).
DeviceErrorCode classify_libnfc_error(int code, ReadStage stage, bool port_present);
const char* libnfc_error_name(int code);  // "NFC_ETIMEOUT", ...

// One open reader. Not thread-safe: one thread reads at a time. Movable, not copyable.
class LibnfcReader final : public NfcReader {
 public:
  // Opens the reader; throws DeviceError(NoDevice) if libnfc cannot open it.
  explicit LibnfcReader(std::string connstring, LibnfcReaderOptions options = {});
  ~LibnfcReader() override;
  LibnfcReader(LibnfcReader&&) noexcept;
  LibnfcReader& operator=(LibnfcReader&&) noexcept;

  // Polls ISO 14443A (106 kbps) until a tag answers or `timeout` passes, then reads it.
  // Throws DeviceError: NoTag, TagRemoved, Timeout, Protocol, Disconnected, Failed.
  TagRead read_tag(std::chrono::milliseconds timeout) override;

  const std::string& connstring() const { return connstring_; }
  std::string device_name() const;  // as libnfc names the opened device

  // The device log the frames on the serial line go to from now on (null: none). Without a
  // tap (a USB reader, or options.tap off) there is nothing to record and this is ignored.
  void set_log(DeviceLog* log);
  bool tapped() const { return tap_ != nullptr; }

 private:
  struct Closer {
    void operator()(nfc_context* c) const;
    void operator()(nfc_device* d) const;
  };

  [[noreturn]] void fail(int code, std::string_view operation, ReadStage stage) const;
  void check(int result, std::string_view operation, ReadStage stage) const;
  std::vector<std::uint8_t> read_pages(std::uint8_t page) const;
  bool port_present() const;

  std::string connstring_;
  LibnfcReaderOptions options_;
  std::unique_ptr<SerialTap> tap_;  // before device_: libnfc closes its port before the tap goes
  std::unique_ptr<nfc_context, Closer> context_;
  std::unique_ptr<nfc_device, Closer> device_;
};

}  // namespace kvittens::drivers
