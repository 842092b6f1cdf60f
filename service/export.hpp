// GET /v1/export: a period's accepted registrations as JSON Lines (wire/export_lines.hpp), for a
// rule owner to replay under a draft (`kvittens diff --registrations`). What a period holds and
// how the lines are streamed; the route, its tokens and scopes are in service.cpp.
// API: docs/backend-api.yaml; design: docs/service.md ("Export").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kvittens/model.hpp"
#include "service/service.hpp"
#include "wire/export_lines.hpp"

namespace kvittens::service {

struct ExportPeriod {
  Date from, to;         // Stockholm days, both included
  std::string provider;  // ?provider=: one provider's scope; empty: every scope the token sees
};

// The query of GET /v1/export: from and to (YYYY-MM-DD, from <= to), optionally provider, and
// nothing else. nullopt with the 400's message in `error` when it is not that.
std::optional<ExportPeriod> export_period(const std::map<std::string, std::string>& query,
                                          std::string& error);

// One accepted registration and the scope holding it, in arrival order.
struct Arrived {
  const std::string* owner;
  const Registration* registration;
};

// Which of `arrived` the period holds, as indices in arrival order. A visit, double staffing,
// shared insats or declined visit by the day it starts; an absence when it overlaps the period;
// an edit or a payment with the visit it names; a shift approval with a shift the period's
// registrations of its scope work in (STAFF/DATE when unnamed), or when it was made within the
// period.
std::vector<std::size_t> select_period(const std::vector<Arrived>& arrived, Date from, Date to);

// 200, application/x-ndjson, streamed piece by piece (Response::stream): the header line with
// the world, then one line per registration.
Response export_response(wire::ExportHeader header, World world,
                         std::vector<std::pair<std::string, Registration>> lines);

}  // namespace kvittens::service
