#include "scenario/scenario_yaml.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace kvittens::harness {

std::string Where::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

ScenarioError::ScenarioError(Where where, const std::string& message)
    : std::runtime_error(where.str() + ": " + message),
      where_(std::move(where)),
      message_(message) {}

Where YamlReader::where(const YAML::Node& node) const {
  const YAML::Mark m = node.Mark();
  // yaml-cpp marks are 0-based; a node without a mark (a missing key) reports -1.
  return Where{file_, m.line < 0 ? 1 : m.line + 1, m.column < 0 ? 1 : m.column + 1};
}

void YamlReader::fail(const YAML::Node& node, const std::string& message) const {
  throw ScenarioError(where(node), message);
}

void YamlReader::check_map(const YAML::Node& node, const std::vector<std::string>& allowed,
                           const std::string& what) const {
  if (!node.IsMap()) fail(node, "expected " + what + " as a map of keys");
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) fail(it->first, "expected a plain key in " + what);
    const std::string key = it->first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(it->first, "unknown key '" + key + "' in " + what + did_you_mean(key, allowed) +
                          " (expected one of: " + list + ")");
    }
    if (!seen.insert(key).second) fail(it->first, "key '" + key + "' given twice in " + what);
  }
}

YAML::Node YamlReader::key_node(const YAML::Node& map, const std::string& key) const {
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->first;
  }
  return map;
}

YAML::Node YamlReader::require(const YAML::Node& map, const std::string& key,
                               const std::string& what) const {
  const YAML::Node n = map[key];
  if (!n) fail(map, "missing '" + key + "' in " + what);
  return n;
}

std::string YamlReader::str(const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) fail(node, "expected " + what + " as text");
  return node.Scalar();
}

int YamlReader::integer(const YAML::Node& node, const std::string& what) const {
  const std::string s = str(node, what);
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) {
    fail(node, "expected " + what + " as a whole number, got '" + s + "'");
  }
  return v;
}

double YamlReader::number(const YAML::Node& node, const std::string& what) const {
  const std::string s = str(node, what);
  std::istringstream in(s);
  double v = 0;
  in >> v;
  if (!in || !in.eof()) fail(node, "expected " + what + " as a number, got '" + s + "'");
  return v;
}

bool YamlReader::boolean(const YAML::Node& node, const std::string& what) const {
  const std::string s = str(node, what);
  if (s == "true") return true;
  if (s == "false") return false;
  fail(node, "expected " + what + " as true or false, got '" + s + "'");
}

Date YamlReader::date(const YAML::Node& node, const std::string& what) const {
  const std::string s = str(node, what);
  try {
    return parse_date(s);
  } catch (const std::exception& e) {
    fail(node, "expected " + what + " as a date YYYY-MM-DD, got '" + s + "'");
  }
}

Instant YamlReader::instant(const YAML::Node& node, const std::string& what,
                            std::optional<Date> day) const {
  const std::string s = str(node, what);
  std::string text = s;
  if (s.size() == 5 && s[2] == ':') {
    if (!day) fail(node, "expected " + what + " as YYYY-MM-DDTHH:MM (no earlier date to use)");
    text = format_date(*day) + "T" + s;
  }
  try {
    return parse_local(text);
  } catch (const std::exception& e) {
    fail(node, "expected " + what + " as YYYY-MM-DDTHH:MM (Stockholm time) or HH:MM, got '" + s +
                   "': " + e.what());
  }
}

std::vector<std::string> YamlReader::strings(const YAML::Node& node,
                                             const std::string& what) const {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const auto& n : node) out.push_back(str(n, what));
  } else {
    fail(node, "expected " + what + " as text or a list of text");
  }
  return out;
}

std::string YamlReader::choice(const YAML::Node& node, const std::vector<std::string>& choices,
                               const std::string& what) const {
  const std::string s = str(node, what);
  if (std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  fail(node, "unknown " + what + " '" + s + "'" + did_you_mean(s, choices) +
                 " (expected one of: " + list + ")");
}

YAML::Node load_yaml_file(const std::string& path, const std::string& display) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(Where{display, 1, 1}, "cannot read the file");
  // Read here, not by yaml-cpp: a directory opens but its read throws from libstdc++ itself,
  // past the stream's state (an empty `include:` names the scenario's folder), and yaml-cpp
  // leaks its buffer when a read throws under it.
  std::string text;
  try {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure& e) {
    throw ScenarioError(Where{display, 1, 1}, "cannot read the file: " + e.code().message());
  }
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ScenarioError(Where{display, e.mark.line + 1, e.mark.column + 1},
                        "not valid YAML: " + e.msg);
  }
}

std::uint8_t YamlReader::note_about(const YAML::Node& node) const {
  static const std::vector<std::string> names = {"receipt", "over_time", "extra", "assessment"};
  std::uint8_t bits = 0;
  const auto add = [&](const YAML::Node& n) {
    bits |= static_cast<std::uint8_t>(*note_about_from(choice(n, names, "note subject (about)")));
  };
  if (node.IsSequence()) {
    if (node.size() == 0)
      fail(node, "a note about nothing: name what it documents, or leave 'about' out (everything)");
    for (const auto& n : node) add(n);
  } else {
    add(node);
  }
  return bits;
}

}  // namespace kvittens::harness
