// 5.3 — phones: a registration from a deactivated, unknown or other provider's phone is
// refused; any staff of the phone's provider may use it (I-15). Boendestöd registers from the
// same phones and applies it too.
#include <string>

#include "backend/engine/checks.hpp"
#include "backend/engine/clause.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k5_3{"5.3", Cited::Both};

}  // namespace

// 5.3 — "En stulen eller borttappad telefon ska omgående inaktiveras i Phoniro Care."
// A registration names the phone it was made on (empty: not known, so not checked). The phone
// must be one of the world's, of the provider of `staff_id` (known: check_people ran), and
// not deactivated at or before `at`. Any staff of that provider may register from it: 5.3
// lets staff borrow the phone during the working day (I-15).
std::optional<Refusal> check_phone(const World& w, const std::string& phone_id,
                                   const std::string& staff_id, Instant at, const char* what) {
  if (phone_id.empty()) return std::nullopt;
  const auto* p = find_by_id(w.phones, phone_id);
  if (!p)
    return refuse(k5_3, std::string(what) + " was made on phone '" + phone_id +
                            "', which Phoniro Care does not know");
  const auto* s = find_by_id(w.staff, staff_id);
  if (s && s->provider != p->provider)
    return refuse(k5_3, std::string(what) + " was made on phone '" + phone_id +
                            "' of another provider than staff '" + staff_id + "'");
  if (p->deactivated_at && *p->deactivated_at <= at)
    return refuse(k5_3, std::string(what) + " at " + format_local(at) + " was made on phone '" +
                            phone_id + "', deactivated in Phoniro Care at " +
                            format_local(*p->deactivated_at));
  return std::nullopt;
}

}  // namespace kvittens::backend::detail
