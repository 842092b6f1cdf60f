#include "sim/core/office.hpp"

namespace kvittens::sim {

SubmitResult Office::submit(Registration registration) {
  if (auto* v = std::get_if<Visit>(&registration)) v->registered_at = clock_.now();
  Submission s;
  s.at = clock_.now();
  s.by = "office";
  s.id = registration_id(registration);
  try {
    s.result = backend_.submit(registration);
    s.delivered = true;
  } catch (const std::exception& e) {
    s.note = e.what();
  }
  log_.submissions.push_back(s);
  return s.result;
}

}  // namespace kvittens::sim
