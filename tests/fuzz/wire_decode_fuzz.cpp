// libFuzzer entry for the wire decoder (wire/wire.hpp): any bytes as an HTTP body, read both
// as a registration and as a world, and as a line of an export (wire/export_lines.hpp), where the
// canonical reader and the strict decoder must agree. Its promise is that a body it refuses throws
// WireError (which the service answers 400); any other exception escapes here and is reported. A
// body it accepts must survive the round trip: encoded and decoded again, it is the same model, so
// what the service stores (the canonical encoding) reads back to what it judged.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wire/canonical_line.hpp"
#include "wire/export_lines.hpp"
#include "wire/wire.hpp"

namespace wire = kvittens::wire;

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    const auto r = wire::decode_registration(body);
    require(wire::decode_registration(wire::encode_registration(r).dump()) == r);
  } catch (const wire::WireError& e) {
    require(!e.issues().empty());
  }
  // As a line of an export: what the canonical reader takes, the strict decoder takes as the
  // same registration; a line that reads at all comes back from its own encoding.
  {
    std::string provider;
    kvittens::Registration fast;
    const bool canonical = wire::read_canonical_line(body, provider, fast);
    std::vector<wire::ExportIssue> issues;
    const auto line = wire::read_export_line(body, issues);
    require(!canonical || (issues.empty() && line.registration == fast));
    if (canonical) {
      const std::string key = ",\"registration\":";
      const auto at = body.find(key);
      require(at != std::string_view::npos);
      const auto inner = body.substr(at + key.size(), body.size() - at - key.size() - 1);
      require(wire::decode_registration(inner) == fast);
    }
    if (issues.empty())
      require(wire::read_export_line(
                  wire::export_registration_line(line.provider, line.registration), issues)
                  .registration == line.registration);
  }
  try {
    const auto w = wire::decode_world(body);
    require(wire::decode_world(wire::encode_world(w).dump()) == w);
  } catch (const wire::WireError& e) {
    require(!e.issues().empty());
  }
  return 0;
}
