// The compensation engine: judges registrations against one rule pack version and returns
// decisions whose every reason cites the clause it rests on.
//
// Two steps, as a backend uses them: check() decides whether one incoming registration can
// be accepted at all (bad references, impossible times, overlap — seed 000 §2), and
// evaluate() decides what everything accepted so far is worth.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/accepted_registrations.hpp"
#include "backend/rulepack/rule_pack.hpp"
#include "kvittens/model.hpp"

namespace kvittens::backend {

// Why a registration is refused. clause is empty for plain input errors.
struct Refusal {
  std::string clause;
  std::string reason;
};

class Engine {
 public:
  explicit Engine(RulePack pack) : pack_(std::move(pack)) {}
  const RulePack& pack() const { return pack_; }

  // Whether `incoming` can be registered after `existing`. nullopt: acceptable.
  // Costs the incoming staff member's visits, not the month's (AcceptedRegistrations).
  std::optional<Refusal> check(const World& world, const AcceptedRegistrations& existing,
                               const Registration& incoming) const;

  // Decisions on all accepted registrations: one per visit, double staffing, declined
  // visit and absence, in registration order; monthly summaries by provider and month. A
  // boendestöd absence whose days begin in several months has one decision per month,
  // "<id>/YYYY-MM" (I-B7).
  Decisions evaluate(const World& world, const Registrations& registrations) const;

 private:
  RulePack pack_;
};

// A clause the engine's rules cite, as the file whose rules write it registered it
// (backend/engine/clause.hpp).
struct RegisteredClause {
  ServiceType service;
  std::string_view id;  // "4.10", "2/manual", "B4"
  std::string_view
      file;  // from the source root: "backend/engine/hemtjanst/4_6_double_staffing.cpp"
};
// Every registration, one per service, clause and file, in the order the files registered.
const std::vector<RegisteredClause>& clause_registry();
// Every clause id the engine itself can write into a trace or a refusal for a service, sorted,
// each once (catalogue-driven ids such as a withdrawn insats' clause come from the pack). The
// clause-coverage test holds this against every shipped pack and docs/rules.md.
const std::vector<std::string>& registered_clauses(ServiceType service);

// A pack parameter the engine's rules read, as the file whose rules read it registered it
// (backend/engine/parameter.hpp).
struct RegisteredParameter {
  ServiceType service;
  std::string_view name;  // "decline_notice_hours"
  ParameterUnit unit;
  bool required = true;  // false: a pack may leave it out, which switches its rule off
  std::string_view file;
  std::size_t index = 0;  // into RulePack::engine_parameters
};
// Every registration, one per service and parameter, in the order the files registered.
const std::vector<RegisteredParameter>& parameter_registry();
// The registered parameter of `service` named `name`; null when the engine does not read it.
const RegisteredParameter* registered_parameter(ServiceType service, std::string_view name);
// The values of every registered parameter in `pack` at its version, typed by the registered
// unit (what RulePack::engine_parameters holds). Throws RulePackError naming the parameter when
// a value is not of its unit.
std::vector<std::optional<double>> resolve_engine_parameters(const RulePack& pack);

// How long a note is kept (seed 000 §2.1, parameter note_retention_days); nullopt when the
// pack keeps notes for ever.
std::optional<std::chrono::days> note_retention(const RulePack& pack);

// Seed 000 §2.1: blanks notes of visits that ended more than note_retention_days before
// `now`. Returns how many notes were purged. Decisions made before keep their outcome: the
// caller stores them first (see InProcessBackend).
int purge_expired_notes(Registrations& registrations, const RulePack& pack, Instant now);

}  // namespace kvittens::backend
