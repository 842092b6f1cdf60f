// 4.7 — a shared insats (gemensam insats, one errand for several customers) is split equally
// between the customers it names, one part each (I-12), so the parts together never pay more
// than its time.
#include <algorithm>
#include <string>

#include "backend/engine/checks.hpp"
#include "backend/engine/clause.hpp"
#include "backend/engine/hemtjanst/hemtjanst.hpp"

namespace kvittens::backend::detail {
namespace {

const Clause k4_7{"4.7", Cited::Hemtjanst};

}  // namespace

int clause_4_7_share(const SharedInsats& group, int paid, InsatsDecision& id) {
  const int total = static_cast<int>(minutes_between(group.start, group.end));
  const int n = std::max<int>(1, static_cast<int>(group.customers.size()));
  const int share = total / n;
  if (paid > share) {
    trace(id.trace, k4_7,
          {"shared insats of ", Number(total), " min for ", Number(n),
           " customers: ", Number(share), " min each"});
    return share;
  }
  trace(id.trace, k4_7, {"within the equal share (", Number(share), " min) of the shared insats"});
  return paid;
}

// A part for a customer the shared insats does not name, a second part for the same customer,
// or a part selecting the shared insats twice would pay more than its time.
std::optional<Refusal> check_shared_part(const SharedInsats& s, const Visit& v,
                                         const AcceptedRegistrations& accepted) {
  const auto& named = s.customers;
  if (std::find(named.begin(), named.end(), v.customer) == named.end())
    return refuse(k4_7, "visit " + v.id + " is a part of shared insats " + s.id +
                            " for customer '" + v.customer + "', whom it does not name");
  const auto selected =
      std::count_if(v.insatser.begin(), v.insatser.end(),
                    [&](const PerformedInsats& p) { return p.insats == s.insats; });
  if (selected > 1)
    return refuse(k4_7, "visit " + v.id + " selects the shared insats " + s.insats + " " +
                            std::to_string(selected) + " times; a part has it once");
  for (const auto& o : accepted.all().visits)
    if (o.id != v.id && o.shared_group == v.shared_group && o.customer == v.customer)
      return refuse(k4_7, "customer '" + v.customer + "' already has a part (visit " + o.id +
                              ") of shared insats " + s.id + "; one part per customer");
  return std::nullopt;
}

}  // namespace kvittens::backend::detail
