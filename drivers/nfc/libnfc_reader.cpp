// LibnfcReader (see libnfc_reader.hpp). One read is: initiator init (which cycles the RF
// field, so a tag halted by the previous read answers again), single-try selects until the
// deadline, READ of the capability container and of user memory until the NDEF message is
// complete, then deselect. Every libnfc call has an explicit timeout.
#include "drivers/nfc/libnfc_reader.hpp"

#include <fcntl.h>
#include <nfc/nfc.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>

#include "drivers/nfc/ndef.hpp"
#include "drivers/nfc/serial_tap.hpp"

namespace kvittens::drivers {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint8_t kTagRead = 0x30;  // Type 2 READ: 16 bytes from a page
constexpr std::size_t kReadBytes = 16;
constexpr std::size_t kPageSize = 4;
constexpr std::uint8_t kFirstUserPage = 4;
constexpr std::uint8_t kNdefMagic = 0xE1;  // capability container byte 0

std::string hex_uid(const std::uint8_t* uid, std::size_t n) {
  std::string out;
  char buf[4];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, i == 0 ? "%02X" : ":%02X", uid[i]);
    out += buf;
  }
  return out;
}

// "driver:port[:speed]" → port, when the port is a device path.
std::string serial_port_of(const std::string& connstring) {
  const auto first = connstring.find(':');
  if (first == std::string::npos) return {};
  std::string rest = connstring.substr(first + 1);
  if (rest.rfind("/dev/", 0) != 0) return {};
  const auto speed = rest.find(':');
  return speed == std::string::npos ? rest : rest.substr(0, speed);
}

// "pn532_uart:/dev/ttyUSB0[:115200]" → {port, speed}; nullopt for any other connstring.
struct SerialConnstring {
  std::string port;
  std::string speed;  // "" or the suffix as given
};
std::optional<SerialConnstring> pn532_serial(const std::string& connstring) {
  constexpr std::string_view kDriver = "pn532_uart:";
  if (connstring.rfind(kDriver, 0) != 0) return std::nullopt;
  const std::string rest = connstring.substr(kDriver.size());
  if (rest.rfind("/dev/", 0) != 0) return std::nullopt;
  const auto colon = rest.find(':');
  if (colon == std::string::npos) return SerialConnstring{rest, ""};
  return SerialConnstring{rest.substr(0, colon), rest.substr(colon + 1)};
}

}  // namespace

const char* libnfc_error_name(int code) {
  switch (code) {
    case NFC_SUCCESS:
      return "NFC_SUCCESS";
    case NFC_EIO:
      return "NFC_EIO";
    case NFC_EINVARG:
      return "NFC_EINVARG";
    case NFC_EDEVNOTSUPP:
      return "NFC_EDEVNOTSUPP";
    case NFC_ENOTSUCHDEV:
      return "NFC_ENOTSUCHDEV";
    case NFC_EOVFLOW:
      return "NFC_EOVFLOW";
    case NFC_ETIMEOUT:
      return "NFC_ETIMEOUT";
    case NFC_EOPABORTED:
      return "NFC_EOPABORTED";
    case NFC_ENOTIMPL:
      return "NFC_ENOTIMPL";
    case NFC_ETGRELEASED:
      return "NFC_ETGRELEASED";
    case NFC_ERFTRANS:
      return "NFC_ERFTRANS";
    case NFC_EMFCAUTHFAIL:
      return "NFC_EMFCAUTHFAIL";
    case NFC_ESOFT:
      return "NFC_ESOFT";
    case NFC_ECHIP:
      return "NFC_ECHIP";
    default:
      return "NFC_E?";
  }
}

DeviceErrorCode classify_libnfc_error(int code, ReadStage stage, bool port_present) {
  switch (code) {
    case NFC_ETIMEOUT:
      return DeviceErrorCode::Timeout;
    case NFC_EIO:
      // libnfc says EIO both for a garbled frame and for a port that went away.
      return port_present ? DeviceErrorCode::Protocol : DeviceErrorCode::Disconnected;
    case NFC_ENOTSUCHDEV:
      return stage == ReadStage::Open ? DeviceErrorCode::NoDevice : DeviceErrorCode::Disconnected;
    case NFC_ERFTRANS:
    case NFC_ETGRELEASED:
      // Once a tag was selected, a lost RF exchange means it left the field.
      return stage == ReadStage::Read ? DeviceErrorCode::TagRemoved : DeviceErrorCode::Failed;
    case NFC_EOVFLOW:
      return DeviceErrorCode::Protocol;
    default:
      return DeviceErrorCode::Failed;
  }
}

void LibnfcReader::Closer::operator()(nfc_context* c) const {
  nfc_exit(c);
}
void LibnfcReader::Closer::operator()(nfc_device* d) const {
  nfc_close(d);
}

LibnfcReader::LibnfcReader(std::string connstring, LibnfcReaderOptions options)
    : connstring_(std::move(connstring)), options_(options) {
  nfc_context* context = nullptr;
  nfc_init(&context);
  if (context == nullptr) {
    throw DeviceError(DeviceErrorCode::NoDevice, "nfc: libnfc could not be initialised");
  }
  context_.reset(context);
  if (connstring_.size() >= sizeof(nfc_connstring)) {
    throw DeviceError(DeviceErrorCode::NoDevice, "nfc: connstring too long: " + connstring_);
  }
  // libnfc opens the tap's pty instead of the port; the tap relays to the port and logs.
  std::string open_as = connstring_;
  if (const auto serial = options_.tap ? pn532_serial(connstring_) : std::nullopt) {
    int baud = 115200;
    if (!serial->speed.empty()) {
      try {
        baud = std::stoi(serial->speed);
      } catch (const std::exception&) {
        throw DeviceError(DeviceErrorCode::NoDevice,
                          "nfc reader " + connstring_ + ": not a line speed: " + serial->speed);
      }
    }
    tap_ = std::make_unique<SerialTap>(serial->port, baud, "nfc:" + connstring_);
    tap_->set_log(options_.log);
    open_as = "pn532_uart:" + tap_->host_path() +
              (serial->speed.empty() ? std::string() : ":" + serial->speed);
  }
  if (open_as.size() >= sizeof(nfc_connstring)) {
    throw DeviceError(DeviceErrorCode::NoDevice, "nfc: connstring too long: " + open_as);
  }
  nfc_connstring cs{};
  std::memcpy(cs, open_as.c_str(), open_as.size() + 1);
  device_.reset(nfc_open(context_.get(), cs));
  if (!device_) {
    throw DeviceError(DeviceErrorCode::NoDevice, "nfc reader " + connstring_ +
                                                     ": cannot be opened (absent, busy, or not a "
                                                     "reader libnfc knows)");
  }
  check(nfc_device_set_property_int(device_.get(), NP_TIMEOUT_COMMAND,
                                    static_cast<int>(options_.command_timeout.count())),
        "set command timeout", ReadStage::Open);
}

LibnfcReader::~LibnfcReader() = default;
LibnfcReader::LibnfcReader(LibnfcReader&&) noexcept = default;
LibnfcReader& LibnfcReader::operator=(LibnfcReader&& other) noexcept {
  if (this != &other) {
    device_ = std::move(other.device_);  // close our device before our context goes
    context_ = std::move(other.context_);
    tap_ = std::move(other.tap_);
    connstring_ = std::move(other.connstring_);
    options_ = other.options_;
  }
  return *this;
}

std::string LibnfcReader::device_name() const {
  return device_ ? nfc_device_get_name(device_.get()) : std::string{};
}

void LibnfcReader::set_log(DeviceLog* log) {
  options_.log = log;
  if (tap_) tap_->set_log(log);
}

bool LibnfcReader::port_present() const {
  const std::string port = serial_port_of(connstring_);
  if (port.empty()) return true;  // USB readers: nothing to probe, assume present
  const int fd = ::open(port.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

void LibnfcReader::fail(int code, std::string_view operation, ReadStage stage) const {
  const bool present = code == NFC_EIO ? port_present() : true;
  const DeviceErrorCode kind = classify_libnfc_error(code, stage, present);
  std::string what = "nfc reader " + connstring_ + ": " + std::string(operation) + " failed: ";
  what += device_ ? nfc_strerror(device_.get()) : "no device";
  what += " (" + std::string(libnfc_error_name(code)) + ") → " + to_string(kind);
  throw DeviceError(kind, what);
}

void LibnfcReader::check(int result, std::string_view operation, ReadStage stage) const {
  if (result < 0) fail(result, operation, stage);
}

std::vector<std::uint8_t> LibnfcReader::read_pages(std::uint8_t page) const {
  const std::uint8_t command[] = {kTagRead, page};
  std::uint8_t rx[kReadBytes + 2] = {};
  const int n =
      nfc_initiator_transceive_bytes(device_.get(), command, sizeof command, rx, sizeof rx,
                                     static_cast<int>(options_.command_timeout.count()));
  check(n, "READ page " + std::to_string(page), ReadStage::Read);
  if (static_cast<std::size_t>(n) != kReadBytes) {
    throw DeviceError(DeviceErrorCode::Protocol, "nfc reader " + connstring_ + ": READ page " +
                                                     std::to_string(page) + " returned " +
                                                     std::to_string(n) + " bytes, not 16");
  }
  return {rx, rx + kReadBytes};
}

TagRead LibnfcReader::read_tag(std::chrono::milliseconds timeout) {
  if (!device_) throw DeviceError(DeviceErrorCode::NoDevice, "nfc reader: moved from");
  nfc_device* dev = device_.get();
  const auto deadline = Clock::now() + timeout;

  check(nfc_initiator_init(dev), "initiator init", ReadStage::Poll);
  // One activation try per select, so the loop (not the reader) owns the timeout.
  check(nfc_device_set_property_bool(dev, NP_INFINITE_SELECT, false), "single-try select",
        ReadStage::Poll);
  const nfc_modulation iso14443a{NMT_ISO14443A, NBR_106};
  nfc_target target{};
  for (;;) {
    const int found = nfc_initiator_select_passive_target(dev, iso14443a, nullptr, 0, &target);
    if (found > 0) break;
    check(found, "poll ISO14443A", ReadStage::Poll);
    if (Clock::now() >= deadline) {
      throw DeviceError(DeviceErrorCode::NoTag, "nfc reader " + connstring_ +
                                                    ": no ISO14443A tag in the field within " +
                                                    std::to_string(timeout.count()) + " ms");
    }
  }

  const nfc_iso14443a_info& info = target.nti.nai;
  TagRead out;
  out.uid = hex_uid(info.abtUid, info.szUidLen);
  out.atqa = static_cast<std::uint16_t>((info.abtAtqa[0] << 8) | info.abtAtqa[1]);
  out.sak = info.btSak;

  // Type 2 tags (SAK 0x00: NTAG, Ultralight) carry NDEF in pages; others only give a UID.
  if (out.sak == 0x00) {
    const auto head = read_pages(0);
    const std::uint8_t* cc = head.data() + 3 * kPageSize;
    if (cc[0] == kNdefMagic) {
      const std::size_t data_area = std::size_t{cc[2]} * 8;
      std::vector<std::uint8_t> memory;
      std::uint8_t page = kFirstUserPage;
      while (memory.size() < data_area) {
        const auto chunk = read_pages(page);
        memory.insert(memory.end(), chunk.begin(), chunk.end());
        page = static_cast<std::uint8_t>(page + kReadBytes / kPageSize);
        const auto scan = ndef::scan_tlv(memory);
        if (scan.status == ndef::TlvScan::Status::Message) {
          out.ndef_text = ndef::first_text_or_uri(scan.message).value_or("");
          break;
        }
        if (scan.status == ndef::TlvScan::Status::NoMessage) break;
      }
      if (memory.size() > data_area) memory.resize(data_area);
      out.memory = std::move(memory);
    }
  }
  check(nfc_initiator_deselect_target(dev), "deselect", ReadStage::Read);
  return out;
}

}  // namespace kvittens::drivers
