#include "scenario/discover.hpp"

#include <algorithm>
#include <filesystem>

#include "scenario/scenario.hpp"

namespace kvittens::harness {
namespace fs = std::filesystem;

std::vector<std::string> discover_scenarios(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  auto is_scenario = [](const fs::path& p) {
    const std::string name = p.filename().string();
    const bool yaml = p.extension() == ".yaml" || p.extension() == ".yml";
    const bool shared = name.size() > 11 && name.ends_with(".world.yaml");
    return yaml && !shared;
  };
  for (const auto& p : paths) {
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        if (e.is_regular_file() && is_scenario(e.path())) out.push_back(e.path().string());
      }
    } else if (fs::is_regular_file(p)) {
      out.push_back(p);
    } else {
      throw ScenarioError(Where{p, 1, 1}, "no such scenario file or directory");
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string display_path(const std::string& path) {
  std::error_code ec;
  const fs::path abs = fs::weakly_canonical(fs::absolute(path), ec);
  const fs::path root = fs::weakly_canonical(fs::path(KVITTENS_SOURCE_DIR), ec);
  const fs::path rel = abs.lexically_relative(root);
  if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
  return fs::path(path).lexically_normal().generic_string();
}

}  // namespace kvittens::harness
