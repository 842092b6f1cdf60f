// How a rule of the engine names the clause it cites. Each rule's file defines the clauses it
// writes as Clause objects; each registers itself (service, id, file) with the engine's
// registry when the program starts, so a trace entry's clause is the Clause of the rule that
// wrote it, and the registry (clause_registry(), engine.hpp) knows every clause the engine can
// cite, and where.
#pragma once

#include <string_view>

namespace kvittens::backend::detail {

// Which services' decisions a clause is cited in: boendestöd applies some clauses of the
// hemtjänst text (2, 5.2, 5.3), since the same accounts, phones and app are used.
enum class Cited { Hemtjanst, Boendestod, Both };

// `file` as the compiler gave it ("../backend/engine/...", "/src/backend/engine/..."), from the
// source root: how the clause and parameter registries name the file that registered.
std::string_view engine_file(std::string_view file);

class Clause {
 public:
  // `id` must outlive the program: a literal. `file`: where the Clause is defined (a builtin
  // rather than std::source_location, which clang 14 with libstdc++ 12 lacks: the fuzz build).
  Clause(std::string_view id, Cited in, const char* file = __builtin_FILE());
  Clause(const Clause&) = delete;
  Clause& operator=(const Clause&) = delete;
  operator std::string_view() const { return id_; }
  std::string_view id() const { return id_; }

 private:
  std::string_view id_;
};

}  // namespace kvittens::backend::detail
