// The clause registry (clause.hpp, engine.hpp).
#include "backend/engine/clause.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "backend/engine/engine.hpp"

namespace kvittens::backend {
namespace {

std::vector<RegisteredClause>& registry() {
  static std::vector<RegisteredClause> all;
  return all;
}

}  // namespace

const std::vector<RegisteredClause>& clause_registry() {
  return registry();
}

const std::vector<std::string>& registered_clauses(ServiceType service) {
  static const auto ids = [](ServiceType s) {
    std::vector<std::string> out;
    for (const auto& c : registry())
      if (c.service == s) out.emplace_back(c.id);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  static const std::vector<std::string> hemtjanst = ids(ServiceType::Hemtjanst);
  static const std::vector<std::string> boendestod = ids(ServiceType::Boendestod);
  return service == ServiceType::Hemtjanst ? hemtjanst : boendestod;
}

namespace detail {

std::string_view engine_file(std::string_view file) {
  const auto at = file.rfind("backend/engine/");
  return at == std::string_view::npos ? file : file.substr(at);
}

Clause::Clause(std::string_view id, Cited in, const char* where) : id_(id) {
  const auto file = engine_file(where);
  if (in != Cited::Boendestod) registry().push_back({ServiceType::Hemtjanst, id, file});
  if (in != Cited::Hemtjanst) registry().push_back({ServiceType::Boendestod, id, file});
}

}  // namespace detail
}  // namespace kvittens::backend
