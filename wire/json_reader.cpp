#include "wire/json_reader.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "model/suggest.hpp"

namespace kvittens::wire {

WireError::WireError(std::vector<WireIssue> issues)
    : std::runtime_error([&] {
        std::string out;
        for (const auto& i : issues) {
          if (!out.empty()) out += "; ";
          out += (i.pointer.empty() ? std::string("body") : "body" + i.pointer) + ": " + i.message;
        }
        return out;
      }()),
      issues_(std::move(issues)) {}

std::string pointer_to(const std::string& parent, std::string_view key) {
  std::string out = parent + "/";
  for (const char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string pointer_to(const std::string& parent, std::size_t index) {
  return parent + "/" + std::to_string(index);
}

namespace {

// Nesting depth of a JSON text, strings skipped: nlohmann's parser recurses, so depth is
// bounded before it runs.
int nesting_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// "line L, column C" of a byte offset (1-based), for syntax errors, which have no pointer.
std::string line_column(std::string_view text, std::size_t byte) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

// The part of nlohmann's message after its "[json.exception...]" prefix.
// nlohmann's own "parse error at line L, column C: " is dropped too: the caller says where.
std::string plain(const nlohmann::json::exception& e) {
  std::string what = e.what();
  if (const auto close = what.find("] "); close != std::string::npos) what.erase(0, close + 2);
  if (what.rfind("parse error at line ", 0) == 0)
    if (const auto colon = what.find(": "); colon != std::string::npos) what.erase(0, colon + 2);
  return what;
}

// Where the parser is, for the duplicate-key check: one frame per open array or object.
struct Frame {
  bool array = false;
  std::size_t index = 0;
  std::string key;
  std::set<std::string> keys;
};

std::string path_of(const std::vector<Frame>& frames) {
  std::string out;
  for (std::size_t i = 0; i + 1 < frames.size(); ++i)
    out = frames[i].array ? pointer_to(out, frames[i].index) : pointer_to(out, frames[i].key);
  return out;
}

void value_done(std::vector<Frame>& frames) {
  if (!frames.empty() && frames.back().array) ++frames.back().index;
}

bool has_control(std::string_view s, bool allow_breaks) {
  return std::any_of(s.begin(), s.end(), [&](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if (allow_breaks && (c == '\n' || c == '\r' || c == '\t')) return false;
    return c < 0x20 || c == 0x7f;
  });
}

std::string quoted(const Json& j) {
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

std::optional<Json> parse_strict(std::string_view text, int max_depth,
                                 std::vector<WireIssue>& issues) {
  if (nesting_depth(text) > max_depth) {
    issues.push_back({"", "nested deeper than " + std::to_string(max_depth) + " levels"});
    return std::nullopt;
  }
  std::vector<Frame> frames;
  // A key given twice would silently keep the last value: refuse it where it stands.
  const auto callback = [&](int, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        frames.push_back({});
        frames.back().array = false;
        break;
      case Json::parse_event_t::array_start:
        frames.push_back({});
        frames.back().array = true;
        break;
      case Json::parse_event_t::key:
        if (!frames.empty()) {
          auto& top = frames.back();
          top.key = parsed.get<std::string>();
          if (!top.keys.insert(top.key).second)
            issues.push_back({pointer_to(path_of(frames), top.key), "key given twice"});
        }
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        if (!frames.empty()) frames.pop_back();
        value_done(frames);
        break;
      case Json::parse_event_t::value:
        value_done(frames);
        break;
    }
    return true;
  };
  try {
    auto j = Json::parse(text.begin(), text.end(), callback);
    if (!issues.empty()) return std::nullopt;
    return j;
  } catch (const Json::parse_error& e) {
    issues.push_back(
        {"", line_column(text, e.byte == 0 ? 0 : e.byte - 1) + ": malformed JSON: " + plain(e)});
  } catch (const Json::exception& e) {
    // A number too large for a double (1e400) is an out_of_range, not a parse_error.
    issues.push_back({"", "malformed JSON: " + plain(e)});
  }
  return std::nullopt;
}

void JsonReader::fail(const std::string& at, std::string message) {
  issues_.push_back({at, std::move(message)});
}

bool JsonReader::object(const Json& j, const std::string& at,
                        const std::vector<std::string>& allowed, const std::string& what) {
  if (!j.is_object()) {
    fail(at, "expected " + what + " as an object");
    return false;
  }
  for (const auto& [key, value] : j.items()) {
    (void)value;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      fail(pointer_to(at, key), "unknown key '" + key + "' in " + what +
                                    did_you_mean(key, allowed) +
                                    " (expected one of: " + list(allowed) + ")");
  }
  return true;
}

const Json* JsonReader::optional(const Json& j, const char* key) const {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

const Json* JsonReader::require(const Json& j, const std::string& at, const char* key,
                                const std::string& what) {
  const Json* v = optional(j, key);
  if (!v && j.is_object()) fail(at, std::string("missing '") + key + "' in " + what);
  return v;
}

std::string JsonReader::id(const Json& j, const std::string& at, const std::string& what) {
  if (!j.is_string()) {
    fail(at, "expected " + what + " as a string, got " + quoted(j));
    return {};
  }
  const auto& s = j.get_ref<const std::string&>();
  if (s.empty()) {
    fail(at, "expected " + what + ", got an empty string");
  } else if (s.size() > Limits::id_bytes) {
    fail(at, what + " of " + std::to_string(s.size()) + " bytes (at most " +
                 std::to_string(Limits::id_bytes) + ")");
  } else if (has_control(s, false)) {
    fail(at, what + " contains a control character");
  } else if (s.front() == ' ' || s.back() == ' ') {
    fail(at, what + " starts or ends with a space");
  }
  return s;
}

std::string JsonReader::text(const Json& j, const std::string& at, const std::string& what,
                             std::size_t max_bytes) {
  if (!j.is_string()) {
    fail(at, "expected " + what + " as a string, got " + quoted(j));
    return {};
  }
  const auto& s = j.get_ref<const std::string&>();
  if (s.size() > max_bytes)
    fail(at, what + " of " + std::to_string(s.size()) + " bytes (at most " +
                 std::to_string(max_bytes) + ")");
  else if (has_control(s, true))
    fail(at, what + " contains a control character other than tab and line breaks");
  return s;
}

std::int64_t JsonReader::integer(const Json& j, const std::string& at, const std::string& what,
                                 std::int64_t min, std::int64_t max) {
  std::int64_t v = 0;
  if (j.is_number_unsigned()) {
    const auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(max)) {
      fail(at, what + " " + std::to_string(u) + " is out of range (" + std::to_string(min) + ".." +
                   std::to_string(max) + ")");
      return 0;
    }
    v = static_cast<std::int64_t>(u);
  } else if (j.is_number_integer()) {
    v = j.get<std::int64_t>();
  } else {
    fail(at, "expected " + what + " as a whole number, got " + quoted(j));
    return 0;
  }
  if (v < min || v > max) {
    fail(at, what + " " + std::to_string(v) + " is out of range (" + std::to_string(min) + ".." +
                 std::to_string(max) + ")");
    return 0;
  }
  return v;
}

double JsonReader::number(const Json& j, const std::string& at, const std::string& what, double min,
                          double max) {
  if (!j.is_number()) {
    fail(at, "expected " + what + " as a number, got " + quoted(j));
    return 0;
  }
  const double v = j.get<double>();
  if (!std::isfinite(v) || v < min || v > max) {
    fail(at, what + " " + quoted(j) + " is out of range (" + nlohmann::json(min).dump() + ".." +
                 nlohmann::json(max).dump() + ")");
    return 0;
  }
  return v;
}

bool JsonReader::boolean(const Json& j, const std::string& at, const std::string& what) {
  if (!j.is_boolean()) {
    fail(at, "expected " + what + " as true or false, got " + quoted(j));
    return false;
  }
  return j.get<bool>();
}

bool JsonReader::in_range(Date d) const {
  return d.year() >= std::chrono::year(Limits::first_year) &&
         d.year() <= std::chrono::year(Limits::last_year);
}

Date JsonReader::date(const Json& j, const std::string& at, const std::string& what) {
  const Date fallback{std::chrono::year(2000), std::chrono::January, std::chrono::day(1)};
  if (!j.is_string()) {
    fail(at, "expected " + what + " as a date YYYY-MM-DD, got " + quoted(j));
    return fallback;
  }
  try {
    const Date d = parse_date(j.get_ref<const std::string&>());
    if (in_range(d)) return d;
    fail(at, what + " " + quoted(j) + " is outside the years " +
                 std::to_string(Limits::first_year) + "-" + std::to_string(Limits::last_year));
  } catch (const std::exception&) {
    fail(at, "expected " + what + " as a date YYYY-MM-DD, got " + quoted(j));
  }
  return fallback;
}

Instant JsonReader::instant(const Json& j, const std::string& at, const std::string& what,
                            std::optional<Date> day) {
  const Instant fallback = std::chrono::sys_days(
      Date{std::chrono::year(2000), std::chrono::January, std::chrono::day(1)});
  if (!j.is_string()) {
    fail(at, "expected " + what + " as a time YYYY-MM-DDTHH:MM, got " + quoted(j));
    return fallback;
  }
  const auto& s = j.get_ref<const std::string&>();
  std::string text = s;
  if (s.size() == 5 && s[2] == ':') {
    if (!day) {
      fail(at, "expected " + what + " as YYYY-MM-DDTHH:MM (no earlier date to use)");
      return fallback;
    }
    text = format_date(*day) + "T" + s;
  }
  try {
    const Instant t = parse_local(text);
    if (in_range(local_date(t))) return t;
    fail(at, what + " " + quoted(j) + " is outside the years " +
                 std::to_string(Limits::first_year) + "-" + std::to_string(Limits::last_year));
  } catch (const std::exception& e) {
    fail(at, "expected " + what + " as YYYY-MM-DDTHH:MM (Stockholm time) or HH:MM, got " +
                 quoted(j) + ": " + e.what());
  }
  return fallback;
}

std::vector<std::string> JsonReader::ids(const Json& j, const std::string& at,
                                         const std::string& what) {
  if (j.is_string()) return {id(j, at, what)};
  std::vector<std::string> out;
  if (!j.is_array()) {
    fail(at, "expected " + what + " as a string or a list of strings");
    return out;
  }
  for (std::size_t i = 0; i < j.size(); ++i) out.push_back(id(j[i], pointer_to(at, i), what));
  return out;
}

std::string JsonReader::choice(const Json& j, const std::string& at,
                               const std::vector<std::string>& choices, const std::string& what) {
  if (!j.is_string()) {
    fail(at, "expected " + what + " (one of: " + list(choices) + "), got " + quoted(j));
    return choices.front();
  }
  const auto& s = j.get_ref<const std::string&>();
  if (std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
  fail(at, "unknown " + what + " " + quoted(j) + did_you_mean(s, choices) +
               " (expected one of: " + list(choices) + ")");
  return choices.front();
}

std::uint8_t JsonReader::note_about(const Json& j, const std::string& at) {
  static const std::vector<std::string> names = {"receipt", "over_time", "extra", "assessment"};
  std::uint8_t bits = 0;
  const auto add = [&](const Json& n, const std::string& where) {
    if (const auto about = note_about_from(choice(n, where, names, "note subject")))
      bits |= static_cast<std::uint8_t>(*about);
  };
  if (j.is_array()) {
    if (j.empty())
      fail(at, "a note about nothing: name what it documents, or leave note_about out");
    for (std::size_t i = 0; i < j.size(); ++i) add(j[i], pointer_to(at, i));
  } else {
    add(j, at);
  }
  return bits;
}

bool JsonReader::array(const Json& j, const std::string& at, const std::string& what) {
  if (j.is_array()) return true;
  fail(at, "expected " + what + " as a list");
  return false;
}

}  // namespace kvittens::wire
