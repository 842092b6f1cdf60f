// libFuzzer entry for the PN532 frame parser: any bytes, both directions. Beyond "no crash,
// no sanitizer report" it checks the parser's promises: it never claims more bytes than it was
// given, always makes progress on a verdict, and a frame it accepts survives re-serialisation.
// Every host frame it accepts is also executed by a chip with a tag in the field, whose answer
// must fit a frame: whatever a host sends, the emulator can answer it.
#include <cstddef>
#include <cstdint>
#include <span>

#include "sim/emu/pn532/chip.hpp"
#include "sim/emu/pn532/frame.hpp"

namespace pn532 = kvittens::emu::pn532;

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

void walk(std::span<const std::uint8_t> bytes, pn532::Direction direction) {
  pn532::Chip chip;
  const pn532::Uid uid{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0x80};
  chip.add_tag(pn532::Ntag::with_id_text(uid, pn532::NtagType::Ntag216));
  chip.place(uid);
  while (!bytes.empty()) {
    const auto r = pn532::parse(bytes, direction);
    require(r.consumed <= bytes.size());
    if (r.status == pn532::ParseResult::Status::NeedMore) return;
    require(r.consumed >= 1);
    if (r.status == pn532::ParseResult::Status::Complete) {
      require(r.consumed >= 5);  // 00 FF LEN LCS 00: the leading preamble 00 is optional
      if (r.frame.kind == pn532::FrameKind::Information) {
        require(r.frame.data.size() <= pn532::kExtendedMaxData);
        const auto wire = pn532::serialize(r.frame.data, direction);
        const auto again = pn532::parse(wire, direction);
        require(again.status == pn532::ParseResult::Status::Complete);
        require(again.frame.data == r.frame.data);
        require(again.consumed == wire.size());
        if (direction == pn532::Direction::HostToChip) {
          const auto reply = chip.execute(r.frame.data);
          require(reply.application_error || reply.data.size() <= pn532::kExtendedMaxData);
        }
      }
    }
    bytes = bytes.subspan(r.consumed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  walk(bytes, pn532::Direction::HostToChip);
  walk(bytes, pn532::Direction::ChipToHost);
  return 0;
}
