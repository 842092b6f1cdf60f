// Located reading of YAML for scenario files: every value is read with the place it was
// written, every map is checked for unknown keys, and a near miss gets "did you mean".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "model/suggest.hpp"
#include "scenario/scenario.hpp"

namespace kvittens::harness {

using kvittens::did_you_mean;
using kvittens::edit_distance;

// Reads the values of one file; every failure throws ScenarioError at the node's place.
class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  Where where(const YAML::Node& node) const;
  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const;

  // `node` must be a map whose keys are all in `allowed` (and none twice); `what` names it.
  void check_map(const YAML::Node& node, const std::vector<std::string>& allowed,
                 const std::string& what) const;
  // The key node of `key` in `map` (for pointing at a key rather than its value).
  YAML::Node key_node(const YAML::Node& map, const std::string& key) const;
  // map[key], failing at the map when a required key is missing.
  YAML::Node require(const YAML::Node& map, const std::string& key, const std::string& what) const;

  std::string str(const YAML::Node& node, const std::string& what) const;
  int integer(const YAML::Node& node, const std::string& what) const;
  double number(const YAML::Node& node, const std::string& what) const;
  bool boolean(const YAML::Node& node, const std::string& what) const;
  Date date(const YAML::Node& node, const std::string& what) const;
  // "YYYY-MM-DDTHH:MM" Stockholm time, or "HH:MM" on `day` when one is given.
  Instant instant(const YAML::Node& node, const std::string& what,
                  std::optional<Date> day = std::nullopt) const;
  // A string or a list of strings.
  std::vector<std::string> strings(const YAML::Node& node, const std::string& what) const;
  // One of `choices`, with a suggestion otherwise.
  std::string choice(const YAML::Node& node, const std::vector<std::string>& choices,
                     const std::string& what) const;
  // What a note documents: a name or a list of names of NoteAbout ("receipt", "over_time",
  // "extra", "assessment"), as NoteAbout bits.
  std::uint8_t note_about(const YAML::Node& node) const;

 private:
  std::string file_;
};

// Parses a file, turning a YAML syntax error into a located ScenarioError.
YAML::Node load_yaml_file(const std::string& path, const std::string& display);

}  // namespace kvittens::harness
