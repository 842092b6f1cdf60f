// Reading strict JSON by JSON pointer, for the wire decoders (wire-internal). parse_strict turns
// the text into a document or issues; a JsonReader then reads typed values out of it,
// recording every problem at its pointer and carrying on with a neutral value, so that one
// request gets every mistake back at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kvittens/time.hpp"
#include "wire/wire.hpp"

namespace kvittens::wire {

using Json = nlohmann::json;

// Strict JSON: nesting within `max_depth`, no key twice in an object, numbers that fit a
// double. On failure the issues say where (a pointer, or line and column for syntax).
std::optional<Json> parse_strict(std::string_view text, int max_depth,
                                 std::vector<WireIssue>& issues);

// "/a/b" + key, with RFC 6901's escapes (~0, ~1).
std::string pointer_to(const std::string& parent, std::string_view key);
std::string pointer_to(const std::string& parent, std::size_t index);

class JsonReader {
 public:
  std::vector<WireIssue>& issues() { return issues_; }
  void fail(const std::string& at, std::string message);

  // `j` is an object whose keys are all in `allowed`; false (recorded) when not an object.
  bool object(const Json& j, const std::string& at, const std::vector<std::string>& allowed,
              const std::string& what);
  // j[key] or nullptr; a missing required key is recorded at the object.
  const Json* optional(const Json& j, const char* key) const;
  const Json* require(const Json& j, const std::string& at, const char* key,
                      const std::string& what);

  // An id: 1..Limits::id_bytes bytes, no control characters, no space at either end.
  std::string id(const Json& j, const std::string& at, const std::string& what);
  // Free text up to `max_bytes`, no control characters but tab and line breaks.
  std::string text(const Json& j, const std::string& at, const std::string& what,
                   std::size_t max_bytes);
  std::int64_t integer(const Json& j, const std::string& at, const std::string& what,
                       std::int64_t min, std::int64_t max);
  double number(const Json& j, const std::string& at, const std::string& what, double min,
                double max);
  bool boolean(const Json& j, const std::string& at, const std::string& what);
  Date date(const Json& j, const std::string& at, const std::string& what);
  // "YYYY-MM-DDTHH:MM[:SS][offset]" Stockholm time, or "HH:MM" on `day` when one is given.
  Instant instant(const Json& j, const std::string& at, const std::string& what,
                  std::optional<Date> day = std::nullopt);
  // An id or a list of ids.
  std::vector<std::string> ids(const Json& j, const std::string& at, const std::string& what);
  std::string choice(const Json& j, const std::string& at, const std::vector<std::string>& choices,
                     const std::string& what);
  // NoteAbout bits from a name or a non-empty list of names.
  std::uint8_t note_about(const Json& j, const std::string& at);
  // `j` is an array (recorded otherwise).
  bool array(const Json& j, const std::string& at, const std::string& what);

 private:
  bool in_range(Date d) const;
  std::vector<WireIssue> issues_;
};

}  // namespace kvittens::wire
