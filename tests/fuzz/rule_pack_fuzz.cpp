// libFuzzer entry for the rule-pack loader: any bytes as a pack file. Its promise
// (backend/rulepack/rule_pack.hpp) is that a malformed pack throws RulePackError; any other
// exception escapes here and libFuzzer reports it. The check behind `kvittens pack check` finds
// a problem exactly when the load fails. A pack that loads must also keep what the
// engine relies on without checking again: the matrix is square over its columns and every
// insats's column lies inside it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "backend/rulepack/pack_check.hpp"
#include "backend/rulepack/rule_pack.hpp"

namespace fs = std::filesystem;
namespace backend = kvittens::backend;

namespace {

void require(bool condition) {
  if (!condition) __builtin_trap();
}

// A private directory holding only the input, written as fuzz.yaml.
fs::path make_dir() {
  std::string templ = (fs::temp_directory_path() / "kvittens-rule-pack-fuzz-XXXXXX").string();
  if (!mkdtemp(templ.data())) __builtin_trap();
  return templ;
}

const fs::path& pack_dir() {
  static const fs::path dir = make_dir();
  return dir;
}

void check(const backend::RulePack& pack) {
  require(pack.matrix.size() ==
          static_cast<std::size_t>(pack.matrix_size) * static_cast<std::size_t>(pack.matrix_size));
  for (const auto& a : pack.insatser) {
    require(a.matrix_index >= -1 && a.matrix_index < pack.matrix_size);
    for (const auto& b : pack.insatser) pack.combination(a, b);
  }
}

bool load(const std::string& selection) {
  try {
    check(backend::load_rule_pack(selection, pack_dir()));
    return true;
  } catch (const backend::RulePackError&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  pack_dir();
  std::atexit([] { fs::remove_all(pack_dir()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::ofstream(pack_dir() / "fuzz.yaml", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  // `kvittens pack check` and loading agree: a file loads exactly when the check finds nothing
  // (the check never throws), so no problem is left for a run to meet.
  const bool problems =
      !backend::check_rule_pack_file(pack_dir() / "fuzz.yaml", "fuzz.yaml").empty();
  require(load("fuzz") != problems);  // its newest version
  // And one version it names (listing packs must not throw either): a named version resolves
  // dated values and matrix changes at its own date. Which one follows from the input, so a
  // finding reproduces.
  const auto listed = backend::list_rule_packs(pack_dir());
  if (!listed.empty()) {
    const auto& pick = listed[size % listed.size()];
    load("fuzz@" + pick.substr(pick.rfind('@') + 1));
  }
  return 0;
}
