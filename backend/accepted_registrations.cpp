#include "backend/accepted_registrations.hpp"

#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace kvittens::backend {

void AcceptedRegistrations::append(const Registration& registration) {
  std::visit(
      [this](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Visit>) {
          regs_.visits.push_back(x);
          index_visit(regs_.visits.size() - 1);
        } else if constexpr (std::is_same_v<T, DoubleStaffing>) {
          regs_.double_staffing.push_back(x);
        } else if constexpr (std::is_same_v<T, SharedInsats>) {
          regs_.shared.push_back(x);
        } else if constexpr (std::is_same_v<T, DeclinedVisit>) {
          regs_.declined.push_back(x);
        } else if constexpr (std::is_same_v<T, Absence>) {
          regs_.absences.push_back(x);
        } else if constexpr (std::is_same_v<T, ShiftApproval>) {
          regs_.approvals.push_back(x);
        } else if constexpr (std::is_same_v<T, Payment>) {
          regs_.payments.push_back(x);
        } else if constexpr (std::is_same_v<T, VisitEdit>) {
          const auto it = visit_by_id_.find(x.visit);
          if (it == visit_by_id_.end())
            throw std::invalid_argument("edit " + x.id + " of unknown visit '" + x.visit + "'");
          regs_.visits[it->second].edit = x.edit;
        }
      },
      registration);
}

void AcceptedRegistrations::replace(Registrations registrations) {
  regs_ = std::move(registrations);
  visits_by_staff_.clear();
  visit_by_id_.clear();
  for (std::size_t i = 0; i < regs_.visits.size(); ++i) index_visit(i);
}

const std::vector<std::size_t>& AcceptedRegistrations::visits_of(const std::string& staff) const {
  static const std::vector<std::size_t> none;
  const auto it = visits_by_staff_.find(staff);
  return it == visits_by_staff_.end() ? none : it->second;
}

const Visit* AcceptedRegistrations::visit(const std::string& id) const {
  const auto it = visit_by_id_.find(id);
  return it == visit_by_id_.end() ? nullptr : &regs_.visits[it->second];
}

void AcceptedRegistrations::index_visit(std::size_t i) {
  visits_by_staff_[regs_.visits[i].staff].push_back(i);
  visit_by_id_.emplace(regs_.visits[i].id, i);
}

}  // namespace kvittens::backend
