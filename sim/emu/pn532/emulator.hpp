// A PN532 reader behind a pseudo-terminal: unmodified libnfc opens
// `pn532_uart:/dev/pts/N` and talks HSU frames to it. Two faces: the pty (the real interface)
// and the methods below (the control face the simulator uses to place tags and inject faults).
// One io_context thread per emulator; every method is thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/emu/pn532/chip.hpp"
#include "sim/emu/pn532/frame.hpp"
#include "sim/emu/pn532/ntag.hpp"

namespace kvittens::emu::pn532 {

// What goes wrong with the chip's answer to one command frame.
enum class ResponseFault : std::uint8_t {
  CorruptChecksum,  // the answer arrives with a wrong data checksum (DCS)
  NoResponse,       // the command is ACKed but never answered
  Delay,            // the answer comes late by the given delay
};

class Emulator {
 public:
  // Opens the pty and starts serving it. Throws std::system_error if no pty can be had.
  explicit Emulator(ChipTiming timing = {});
  ~Emulator();  // stops the loop and closes the pty (as if the reader were unplugged)
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  const std::string& device_path() const;  // /dev/pts/N
  std::string connstring() const;          // pn532_uart:/dev/pts/N

  // --- tags and the field ---
  void add_tag(Ntag tag);           // register (or replace) a tag; it is not in the field yet
  bool place_tag(const Uid& uid);   // false if the UID was never registered
  bool remove_tag(const Uid& uid);  // false if it was not in the field
  void clear_field();
  std::vector<Uid> tags_in_field() const;

  // --- faults; counts are 1-based and start from the call ---
  // The tag in the field leaves it when the n-th tag read reaches it (read goes unanswered).
  void remove_tag_on_read(std::size_t nth);
  // The chip's answer to the n-th command frame from now suffers `fault` (once).
  void fail_response(std::size_t nth, ResponseFault fault,
                     std::chrono::milliseconds delay = std::chrono::milliseconds{0});
  void set_response_delay(std::chrono::milliseconds delay);  // every answer comes this late
  void set_silent(bool silent);                              // commands are ACKed, never answered
  void clear_faults();  // drops pending frame faults, delay and silence
  void unplug();        // closes the pty: the reader is gone for good

  // --- observation ---
  std::size_t commands_received() const;  // information frames accepted from the host
  std::vector<Reject> rejected_frames() const;
  PowerMode power_mode() const;
  bool unplugged() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kvittens::emu::pn532
