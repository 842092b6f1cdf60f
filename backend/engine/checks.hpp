// What Engine::check asks of the rules before a registration is accepted (seed 000 §2, 4.7,
// 5.3), each defined in the file of its clause. Engine-internal.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/accepted_registrations.hpp"
#include "backend/engine/engine.hpp"
#include "kvittens/model.hpp"

namespace kvittens::backend::detail {

inline std::optional<Refusal> refuse(std::string_view clause, std::string reason) {
  return Refusal{std::string(clause), std::move(reason)};
}

template <class T>
const T* find_by_id(const std::vector<T>& v, const std::string& id) {
  for (const auto& x : v)
    if (x.id == id) return &x;
  return nullptr;
}

// 2 (hemtjanst/2_paid_time.cpp): `what` ends before it starts (a plain input error).
std::optional<Refusal> check_times(Instant start, Instant end, const char* what);
// 2: check_times, and at most 24 h long (I-17): for what is paid by its own time.
std::optional<Refusal> check_visit_times(Instant start, Instant end, const char* what);
// 2 (I-17): stated insats minutes are not negative and fit in the visit.
std::optional<Refusal> check_stated_minutes(const Visit& v);
// 2 (I-7): the visit overlaps none of its staff member's accepted visits, except the
// cohabitant's (4.5) and those of the same shared insats (4.7).
std::optional<Refusal> check_overlap(const Visit& v, const Customer& customer,
                                     const AcceptedRegistrations& accepted);
// 4.7 (hemtjanst/4_7_shared_insats.cpp, I-12): one part of a shared insats per named customer.
std::optional<Refusal> check_shared_part(const SharedInsats& s, const Visit& v,
                                         const AcceptedRegistrations& accepted);
// 5.3 (hemtjanst/5_3_phones.cpp): the phone a registration was made on may be used at `at`.
std::optional<Refusal> check_phone(const World& w, const std::string& phone_id,
                                   const std::string& staff_id, Instant at, const char* what);

}  // namespace kvittens::backend::detail
