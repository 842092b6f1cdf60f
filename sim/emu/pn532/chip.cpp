// PN532 command execution (see chip.hpp), after the PN532 user manual (UM0701-02) §7 and the
// way libnfc 1.8's pn53x driver uses each command.
#include "sim/emu/pn532/chip.hpp"

#include <algorithm>

#include "sim/emu/pn532/frame.hpp"

namespace kvittens::emu::pn532 {
namespace {

using std::chrono::milliseconds;

constexpr std::uint16_t kRegTxMode = 0x6302;      // bit 7: TxCRCEn, bits 0-1: framing
constexpr std::uint16_t kRegRxMode = 0x6303;      // bit 7: RxCRCEn
constexpr std::uint16_t kRegBitFraming = 0x633D;  // bits 0-2: TxLastBits
constexpr std::uint8_t kCrcEnable = 0x80;
constexpr std::uint8_t kTagRead = 0x30;
constexpr std::uint8_t kTagFastRead = 0x3A;
constexpr std::uint8_t kTagHalt = 0x50;
// Target types of InAutoPoll a Type 2 tag answers to: generic passive 106 kbps, MIFARE.
constexpr std::uint8_t kTypeGeneric106 = 0x00;
constexpr std::uint8_t kTypeMifare = 0x10;

ChipReply answer(std::vector<std::uint8_t> data) {
  ChipReply r;
  r.data = std::move(data);
  return r;
}

ChipReply syntax_error() {
  ChipReply r;
  r.application_error = true;
  return r;
}

}  // namespace

Chip::Chip(ChipTiming timing) : timing_(timing) {
  // Reset values libnfc relies on: CRC generation and checking on in both directions.
  registers_[kRegTxMode] = kCrcEnable;
  registers_[kRegRxMode] = kCrcEnable;
}

ChipReply Chip::execute(std::span<const std::uint8_t> command) {
  if (command.empty()) return syntax_error();
  const auto p = command.subspan(1);
  const auto code = command[0];
  if (code != kPowerDown) power_ = PowerMode::Normal;  // any host frame wakes the HSU
  switch (code) {
    case kDiagnose:
      return diagnose(p);
    case kGetFirmwareVersion:
      // IC PN532, firmware 1.6, supports ISO 14443A, 14443B and ISO 18092.
      return answer({0x03, 0x32, 0x01, 0x06, 0x07});
    case kGetGeneralStatus:
      return general_status();
    case kReadRegister:
      return read_register(p);
    case kWriteRegister:
      return write_register(p);
    case kReadGpio:
      return answer({0x0D, 0xFF, 0xFF, 0x00});
    case kSetParameters:
      if (p.size() != 1) return syntax_error();
      return answer({0x13});
    case kSamConfiguration:
      if (p.empty() || p[0] < 0x01 || p[0] > 0x04) return syntax_error();
      return answer({0x15});
    case kPowerDown:
      if (p.empty()) return syntax_error();
      power_ = PowerMode::PowerDown;
      set_field(false);
      return answer({0x17, kStatusOk});
    case kRfConfiguration:
      return rf_configuration(p);
    case kInListPassiveTarget:
      return in_list_passive_target(p);
    case kInAutoPoll:
      return in_auto_poll(p);
    case kInDataExchange:
      if (p.empty()) return syntax_error();
      return exchange(0x41, p.subspan(1), false);
    case kInCommunicateThru:
      return exchange(0x43, p, true);
    case kInDeselect:
      return in_deselect(p, true);
    case kInRelease:
      return in_deselect(p, false);
    default:
      return syntax_error();
  }
}

ChipReply Chip::diagnose(std::span<const std::uint8_t> p) {
  if (p.empty()) return syntax_error();
  switch (p[0]) {
    case 0x00: {  // communication line test: echo test number and data
      std::vector<std::uint8_t> out{0x01};
      out.insert(out.end(), p.begin(), p.end());
      return answer(std::move(out));
    }
    case 0x01:  // ROM test
    case 0x02:  // RAM test
      return answer({0x01, 0x00});
    case 0x06: {  // card presence: is the active target still answering?
      const bool present = active() != nullptr;
      ChipReply r = answer({0x01, present ? kStatusOk : kStatusTimeout});
      r.delay = timing_.tag_exchange;
      return r;
    }
    default:
      return syntax_error();
  }
}

ChipReply Chip::general_status() {
  std::vector<std::uint8_t> out{0x05, 0x00, static_cast<std::uint8_t>(field_on_ ? 1 : 0)};
  if (active() != nullptr) {
    out.insert(out.end(), {0x01, 0x01, 0x00, 0x00, 0x00});  // NbTg, Tg, BrRx, BrTx, Type
  } else {
    out.push_back(0x00);
  }
  out.push_back(0x00);  // SAM status
  return answer(std::move(out));
}

ChipReply Chip::read_register(std::span<const std::uint8_t> p) {
  if (p.empty() || p.size() % 2 != 0) return syntax_error();
  std::vector<std::uint8_t> out{0x07};
  for (std::size_t i = 0; i < p.size(); i += 2) {
    out.push_back(register_value(static_cast<std::uint16_t>((p[i] << 8) | p[i + 1])));
  }
  return answer(std::move(out));
}

ChipReply Chip::write_register(std::span<const std::uint8_t> p) {
  if (p.empty() || p.size() % 3 != 0) return syntax_error();
  for (std::size_t i = 0; i < p.size(); i += 3) {
    registers_[static_cast<std::uint16_t>((p[i] << 8) | p[i + 1])] = p[i + 2];
  }
  return answer({0x09});
}

ChipReply Chip::rf_configuration(std::span<const std::uint8_t> p) {
  if (p.empty()) return syntax_error();
  switch (p[0]) {
    case 0x01:  // RF field: bit 0 on/off (bit 1 auto RFCA ignored)
      if (p.size() != 2) return syntax_error();
      set_field((p[1] & 0x01) != 0);
      break;
    case 0x02:  // various timings
      if (p.size() != 4) return syntax_error();
      break;
    case 0x04:  // MaxRtyCOM
      if (p.size() != 2) return syntax_error();
      break;
    case 0x05:  // MxRtyATR, MxRtyPSL, MxRtyPassiveActivation
      if (p.size() != 4) return syntax_error();
      passive_retries_ = p[3];
      break;
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:  // analog settings per baud rate: accepted, no RF effect to emulate
      break;
    default:
      return syntax_error();
  }
  return answer({0x33});
}

std::chrono::milliseconds Chip::no_target_delay() const {
  if (passive_retries_ == 0xFF) return kForever;
  return timing_.activation_attempt * (passive_retries_ + 1);
}

ChipReply Chip::in_list_passive_target(std::span<const std::uint8_t> p) {
  if (p.size() < 2 || p[0] == 0 || p[0] > 2) return syntax_error();
  const std::size_t max_targets = p[0];
  const std::uint8_t baud_type = p[1];
  set_field(true);
  // A new activation round releases the previous target (it is back in IDLE).
  for (auto& t : field_) {
    if (t.state == TagState::Active) t.state = TagState::Idle;
  }
  target_selected_ = false;

  std::optional<std::vector<std::uint8_t>> wanted;  // UID to select, cascade tag stripped
  if (p.size() > 2) {
    auto init = p.subspan(2);
    if (init.size() == 8 && init[0] == 0x88) init = init.subspan(1);
    wanted.emplace(init.begin(), init.end());
  }
  std::vector<std::uint8_t> out{0x4B, 0x00};
  if (baud_type == 0x00) {  // 106 kbps type A
    std::uint8_t tg = 0;
    for (auto& t : field_) {
      if (tg == max_targets) break;
      if (t.state != TagState::Idle) continue;
      if (wanted && !std::equal(wanted->begin(), wanted->end(), t.uid.begin(), t.uid.end())) {
        continue;
      }
      t.state = TagState::Active;
      ++tg;
      const auto d = target_data(tg, t.uid);
      out.insert(out.end(), d.begin(), d.end());
    }
    out[1] = tg;
    if (tg > 0) {
      target_selected_ = true;
      ChipReply r = answer(std::move(out));
      r.delay = timing_.tag_exchange;
      return r;
    }
  }
  ChipReply r = answer(std::move(out));
  r.delay = no_target_delay();
  r.waits_for_tag = true;
  return r;
}

ChipReply Chip::in_auto_poll(std::span<const std::uint8_t> p) {
  if (p.size() < 3 || p[1] == 0 || p.size() > 17) return syntax_error();
  const auto types = p.subspan(2);
  set_field(true);
  auto it = std::find_if(types.begin(), types.end(),
                         [](std::uint8_t t) { return t == kTypeGeneric106 || t == kTypeMifare; });
  if (it != types.end()) {
    for (auto& t : field_) {
      if (t.state == TagState::Halted) continue;
      t.state = TagState::Active;
      target_selected_ = true;
      const auto d = target_data(1, t.uid);
      std::vector<std::uint8_t> out{0x61, 0x01, *it, static_cast<std::uint8_t>(d.size())};
      out.insert(out.end(), d.begin(), d.end());
      ChipReply r = answer(std::move(out));
      r.delay = timing_.tag_exchange;
      return r;
    }
  }
  ChipReply r = answer({0x61, 0x00});
  r.delay = p[0] == 0xFF ? kForever : timing_.autopoll_unit * (p[0] * p[1]);
  r.waits_for_tag = true;
  return r;
}

ChipReply Chip::exchange(std::uint8_t response, std::span<const std::uint8_t> frame, bool raw) {
  ChipReply r;
  r.delay = timing_.tag_exchange;
  auto status = [&](std::uint8_t s) {
    r.data = {response, s};
    return r;
  };
  Presence* target = active();
  if (target == nullptr) {
    // Nothing selected: InDataExchange refuses; raw frames go out and nobody answers.
    return status(raw || target_selected_ ? kStatusTimeout : kStatusWrongContext);
  }
  // Only whole-byte ISO 14443-A frames reach a Type 2 tag.
  if ((register_value(kRegBitFraming) & 0x07) != 0 || (register_value(kRegTxMode) & 0x03) != 0) {
    return status(kStatusTimeout);
  }
  std::vector<std::uint8_t> tx(frame.begin(), frame.end());
  if ((register_value(kRegTxMode) & kCrcEnable) == 0) {
    // The host appended the CRC itself; a tag ignores a frame whose CRC is wrong.
    if (tx.size() < 3) return status(kStatusTimeout);
    const auto crc = crc_a(std::span(tx).first(tx.size() - 2));
    if (crc[0] != tx[tx.size() - 2] || crc[1] != tx.back()) return status(kStatusTimeout);
    tx.resize(tx.size() - 2);
  }
  if (!tx.empty() && tx[0] == kTagHalt) {
    target->state = TagState::Halted;
    target_selected_ = false;
    return status(kStatusTimeout);  // HLTA is acknowledged by silence
  }
  if (!tx.empty() && (tx[0] == kTagRead || tx[0] == kTagFastRead) && reads_until_removal_ > 0 &&
      --reads_until_removal_ == 0) {
    remove(target->uid);
    return status(kStatusTimeout);
  }
  auto rx = tags_.at(target->uid).transceive(tx);
  if (!rx) return status(kStatusTimeout);
  // Status + answer (+ CRC) must fit one frame back to the host, as in the chip's buffer.
  if (rx->size() + 4 > kExtendedMaxData) return status(kStatusBufferOverflow);
  if (!rx->empty() && (register_value(kRegRxMode) & kCrcEnable) == 0) {
    const auto crc = crc_a(*rx);
    rx->insert(rx->end(), crc.begin(), crc.end());
  }
  r.data = {response, kStatusOk};
  r.data.insert(r.data.end(), rx->begin(), rx->end());
  return r;
}

ChipReply Chip::in_deselect(std::span<const std::uint8_t> p, bool halt) {
  if (p.size() != 1) return syntax_error();
  // InDeselect leaves an ISO 14443-3 tag halted (HLTA); InRelease just forgets it.
  for (auto& t : field_) {
    if (t.state == TagState::Active) t.state = halt ? TagState::Halted : TagState::Idle;
  }
  target_selected_ = false;
  return answer({static_cast<std::uint8_t>(halt ? 0x45 : 0x53), kStatusOk});
}

void Chip::set_field(bool on) {
  if (!on) {
    // Without power every tag falls back to IDLE, halted ones included.
    for (auto& t : field_) t.state = TagState::Idle;
    target_selected_ = false;
  }
  field_on_ = on;
}

Chip::Presence* Chip::active() {
  auto it = std::find_if(field_.begin(), field_.end(),
                         [](const Presence& t) { return t.state == TagState::Active; });
  return it == field_.end() ? nullptr : &*it;
}

std::optional<Uid> Chip::active_target() const {
  for (const auto& t : field_) {
    if (t.state == TagState::Active) return t.uid;
  }
  return std::nullopt;
}

std::vector<std::uint8_t> Chip::target_data(std::uint8_t tg, const Uid& uid) const {
  // Tg, SENS_RES (2), SEL_RES, NFCID1 length, NFCID1 (cascade tags stripped by the chip).
  std::vector<std::uint8_t> d{tg, static_cast<std::uint8_t>(Ntag::kAtqa >> 8),
                              static_cast<std::uint8_t>(Ntag::kAtqa & 0xFF), Ntag::kSak,
                              static_cast<std::uint8_t>(uid.size())};
  d.insert(d.end(), uid.begin(), uid.end());
  return d;
}

std::uint8_t Chip::register_value(std::uint16_t address) const {
  const auto it = registers_.find(address);
  return it == registers_.end() ? 0x00 : it->second;
}

void Chip::add_tag(Ntag tag) {
  const Uid uid = tag.uid();
  tags_.insert_or_assign(uid, std::move(tag));
}

bool Chip::place(const Uid& uid) {
  if (!tags_.contains(uid)) return false;
  const bool present =
      std::any_of(field_.begin(), field_.end(), [&](const Presence& t) { return t.uid == uid; });
  if (!present) field_.push_back(Presence{uid, TagState::Idle});
  return true;
}

bool Chip::remove(const Uid& uid) {
  const auto n = std::erase_if(field_, [&](const Presence& t) { return t.uid == uid; });
  return n > 0;
}

void Chip::remove_all() {
  field_.clear();
}

std::vector<Uid> Chip::in_field() const {
  std::vector<Uid> out;
  for (const auto& t : field_) out.push_back(t.uid);
  return out;
}

const Ntag* Chip::tag(const Uid& uid) const {
  const auto it = tags_.find(uid);
  return it == tags_.end() ? nullptr : &it->second;
}

void Chip::remove_tag_on_read(std::size_t nth) {
  reads_until_removal_ = nth;
}

}  // namespace kvittens::emu::pn532
