// The PN532 chip as libnfc drives it over HSU: executes one command (code + parameters, as
// carried by an information frame) and tells the link what to answer and when. It owns the
// RF field with the NTAG tags in it. No I/O and no clock: timing is returned, not waited.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "sim/emu/pn532/ntag.hpp"

namespace kvittens::emu::pn532 {

// Command codes (PN532 user manual §7) that the emulated chip understands.
enum Command : std::uint8_t {
  kDiagnose = 0x00,
  kGetFirmwareVersion = 0x02,
  kGetGeneralStatus = 0x04,
  kReadRegister = 0x06,
  kWriteRegister = 0x08,
  kReadGpio = 0x0C,
  kSetParameters = 0x12,
  kSamConfiguration = 0x14,
  kPowerDown = 0x16,
  kRfConfiguration = 0x32,
  kInDataExchange = 0x40,
  kInCommunicateThru = 0x42,
  kInDeselect = 0x44,
  kInListPassiveTarget = 0x4A,
  kInRelease = 0x52,
  kInAutoPoll = 0x60,
};

// Status byte values the chip reports for RF exchanges (user manual table 7-1).
enum Status : std::uint8_t {
  kStatusOk = 0x00,
  kStatusTimeout = 0x01,         // the target did not answer
  kStatusBufferOverflow = 0x09,  // the answer does not fit the chip's buffer
  kStatusWrongContext = 0x27,    // no target is active for this command
};

inline constexpr std::chrono::milliseconds kForever = std::chrono::milliseconds::max();

struct ChipReply {
  std::vector<std::uint8_t> data;  // response code (command + 1) and parameters
  bool application_error = false;  // answer with the error frame instead of `data`
  // Time the chip spends before answering (RF activation attempts, tag exchange).
  std::chrono::milliseconds delay{0};
  // The chip keeps polling: if a tag enters the field before `delay` runs out, the command is
  // executed again; otherwise `data` (no target) is answered. kForever: never give up.
  bool waits_for_tag = false;
};

// How long RF work takes on the emulated chip; defaults keep tests fast but not instant.
struct ChipTiming {
  std::chrono::milliseconds activation_attempt{5};  // one passive activation try, no tag
  std::chrono::milliseconds tag_exchange{1};        // one frame to a tag and its answer
  std::chrono::milliseconds autopoll_unit{150};     // InAutoPoll period unit (user manual)
};

enum class PowerMode : std::uint8_t { LowVbat, Normal, PowerDown };

class Chip {
 public:
  explicit Chip(ChipTiming timing = {});

  ChipReply execute(std::span<const std::uint8_t> command);

  // --- the field (control face) ---
  void add_tag(Ntag tag);       // registers (or replaces) a tag by UID; not yet in the field
  bool place(const Uid& uid);   // false if the UID is not registered
  bool remove(const Uid& uid);  // false if it was not in the field
  void remove_all();
  std::vector<Uid> in_field() const;
  const Ntag* tag(const Uid& uid) const;
  // The tag leaves the field when the n-th tag read (READ/FAST_READ) from now reaches it;
  // that read goes unanswered. 0 disarms.
  void remove_tag_on_read(std::size_t nth);

  // --- observation, for tests ---
  PowerMode power_mode() const { return power_; }
  bool field_on() const { return field_on_; }
  std::uint8_t register_value(std::uint16_t address) const;
  std::optional<Uid> active_target() const;

 private:
  enum class TagState : std::uint8_t { Idle, Active, Halted };
  struct Presence {
    Uid uid;
    TagState state = TagState::Idle;
  };

  ChipReply diagnose(std::span<const std::uint8_t> p);
  ChipReply read_register(std::span<const std::uint8_t> p);
  ChipReply write_register(std::span<const std::uint8_t> p);
  ChipReply rf_configuration(std::span<const std::uint8_t> p);
  ChipReply in_list_passive_target(std::span<const std::uint8_t> p);
  ChipReply in_auto_poll(std::span<const std::uint8_t> p);
  ChipReply exchange(std::uint8_t response, std::span<const std::uint8_t> frame, bool raw);
  ChipReply in_deselect(std::span<const std::uint8_t> p, bool halt);
  ChipReply general_status();

  void set_field(bool on);
  Presence* active();
  std::vector<std::uint8_t> target_data(std::uint8_t tg, const Uid& uid) const;
  std::chrono::milliseconds no_target_delay() const;

  ChipTiming timing_;
  PowerMode power_ = PowerMode::LowVbat;
  bool field_on_ = false;
  std::uint8_t passive_retries_ = 0xFF;  // MxRtyPassiveActivation
  std::map<std::uint16_t, std::uint8_t> registers_;
  std::map<Uid, Ntag> tags_;
  std::vector<Presence> field_;  // tags in the field, in the order they were placed
  std::size_t reads_until_removal_ = 0;
  // A target was activated and not yet released: if it has left the field since, exchanges
  // time out (the tag is gone) instead of being refused (nothing selected).
  bool target_selected_ = false;
};

}  // namespace kvittens::emu::pn532
