// sim: Load — visits added to a synthetic month on purpose, each combining given insatser,
// so that the month is sure to contain them whatever its seed (`kvittens diff --month` adds
// one per matrix cell and catalogue entry a rule version changes, docs/diff.md).
#pragma once

#include <string>
#include <vector>

#include "sim/load/month.hpp"

namespace kvittens::sim::load {

// A part of its own, judged under `like`'s rules with `like`'s providers and spärrdatum: per
// entry of `visits` one customer of `like`'s service and first provider, with a tag on the door and
// an order of 30 minutes for each insats of the entry, and one visit to them that performs all of
// them as ordered, 30 minutes each. One staff member makes the visits one after the other from
// 08:00 on the month's first day (eight a day), receipted by the tag at both ends; each day's shift
// is approved at 09:00 the next day. Ids: customers "xc1", staff "xs1", visits "xv1", ... Throws
// std::invalid_argument for an entry without insatser or a month without providers.
Part planned_visits_part(const Part& like, const Options& options,
                         const std::vector<std::vector<std::string>>& visits);

}  // namespace kvittens::sim::load
