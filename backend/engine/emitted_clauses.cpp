// The clause ids the engine cites (engine.hpp), apart from the engine's code: the rule-pack
// check needs the list without linking the engine.
#include "backend/engine/engine.hpp"

namespace kvittens::backend {

const std::vector<std::string>& emitted_clauses(ServiceType service) {
  static const std::vector<std::string> hemtjanst = {
      "2",   "2/manual", "2/repayment", "3.2",  "4.1",  "4.2",  "4.3",  "4.4",  "4.5", "4.6", "4.7",
      "4.8", "4.9",      "4.10",        "4.11", "4.12", "4.13", "4.14", "4.15", "5.2", "5.3", "7"};
  // Boendestöd registers in the same Phoniro app: its refusals at check() cite 2 and 5.3 too.
  static const std::vector<std::string> boendestod = {"2",  "5.2", "5.3", "B1", "B2",
                                                      "B3", "B4",  "B5",  "B6", "B7"};
  return service == ServiceType::Hemtjanst ? hemtjanst : boendestod;
}

}  // namespace kvittens::backend
