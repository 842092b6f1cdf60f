// libFuzzer entry for the wire decoder (wire/wire.hpp): any bytes as an HTTP body, read both
// as a registration and as a world. Its promise is that a body it refuses throws WireError
// (which the service answers 400); any other exception escapes here and is reported. A body it
// accepts must survive the round trip: encoded and decoded again, it is the same model, so
// what the service stores (the canonical encoding) reads back to what it judged.
#include <cstddef>
#include <cstdint>
#include <string_view>

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
  try {
    const auto w = wire::decode_world(body);
    require(wire::decode_world(wire::encode_world(w).dump()) == w);
  } catch (const wire::WireError& e) {
    require(!e.issues().empty());
  }
  return 0;
}
