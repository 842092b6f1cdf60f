// libFuzzer entry for the scenario loader: any bytes as a scenario file, through load_scenario
// as `kvittens run` calls it (the insats catalogue from the real rule packs, the default world
// decoder). Its promise (scenario/scenario_load.hpp) is that a file either loads or throws
// ScenarioError at file:line:col; any other exception escapes here and libFuzzer reports it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "backend/rulepack/rule_pack.hpp"
#include "scenario/scenario_load.hpp"

namespace fs = std::filesystem;
namespace harness = kvittens::harness;
namespace backend = kvittens::backend;

namespace {

const fs::path kSource = KVITTENS_SOURCE_DIR;

// A private directory with the shared world files of the library and of the loader's unit
// tests, so an input's `include:` resolves as it does next to them; the input is written there.
fs::path make_dir() {
  std::string templ = (fs::temp_directory_path() / "kvittens-scenario-fuzz-XXXXXX").string();
  if (!mkdtemp(templ.data())) __builtin_trap();
  const fs::path dir = templ;
  for (const fs::path from : {kSource / "scenarios", kSource / "tests/scenario/data"}) {
    for (const auto& e : fs::recursive_directory_iterator(from)) {
      const std::string name = e.path().filename().string();
      if (name.ends_with(".world.yaml") && e.path().parent_path().filename() != "invalid")
        fs::copy_file(e.path(), dir / name, fs::copy_options::overwrite_existing);
    }
  }
  return dir;
}

const fs::path& work_dir() {
  static const fs::path dir = make_dir();
  return dir;
}

// The insats catalogue as suite.cpp gives it: the rule pack's, by selection. Remembered per
// selection (failures too, bounded) so an input that names a pack does not re-read rules/.
std::vector<std::string> catalogue(const std::string& rules) {
  static std::map<std::string, std::variant<std::vector<std::string>, std::string>> seen;
  auto it = seen.find(rules);
  if (it == seen.end()) {
    if (seen.size() > 4096) seen.clear();
    try {
      it = seen.emplace(rules, backend::load_rule_pack(rules).insats_names()).first;
    } catch (const backend::RulePackError& e) {
      it = seen.emplace(rules, std::string(e.what())).first;
    }
  }
  if (const auto* error = std::get_if<std::string>(&it->second))
    throw backend::RulePackError(*error);
  return std::get<std::vector<std::string>>(it->second);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  work_dir();
  std::atexit([] { fs::remove_all(work_dir()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path file = work_dir() / "fuzz.yaml";
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  harness::LoadOptions options;
  options.insats_catalogue = catalogue;
  try {
    harness::load_scenario(file.string(), options, "fuzz.yaml");
  } catch (const harness::ScenarioError&) {
  }
  return 0;
}
