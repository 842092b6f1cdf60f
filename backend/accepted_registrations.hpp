// The registrations a backend has accepted, in acceptance order, together with the lookups
// Engine::check() needs so that checking one more registration does not walk the whole
// month: each staff member's visits, and visits by id. An accepted edit (VisitEdit) is not
// kept apart: it becomes its visit's `edit`. Both backends (in-process and the HTTP service) keep
// one, so the two cannot drift in what "accepted" means.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "kvittens/model.hpp"

namespace kvittens::backend {

class AcceptedRegistrations {
 public:
  // Appends to the list of its kind and updates the lookups; an edit is applied to its visit
  // (std::invalid_argument when there is none: check() refuses such an edit first).
  void append(const Registration& registration);
  const Registrations& all() const { return regs_; }
  // The same registrations with other content (notes purged, seed 000 §2.1); the lookups
  // are rebuilt, so nothing depends on which fields changed.
  void replace(Registrations registrations);

  // Indices into all().visits of `staff`'s visits, ascending; empty when there are none.
  const std::vector<std::size_t>& visits_of(const std::string& staff) const;
  // The accepted visit with registration id `id`; null when there is none.
  const Visit* visit(const std::string& id) const;

 private:
  void index_visit(std::size_t i);

  Registrations regs_;
  std::unordered_map<std::string, std::vector<std::size_t>> visits_by_staff_;
  std::unordered_map<std::string, std::size_t> visit_by_id_;
};

}  // namespace kvittens::backend
