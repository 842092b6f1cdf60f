// Small builders for engine tests: a world with one provider, and registrations in a few
// words. Times are Stockholm local ("2026-03-02T08:00").
#pragma once

#include <string>
#include <vector>

#include "backend/engine/engine.hpp"
#include "backend/inprocess.hpp"
#include "kvittens/clauses.hpp"
#include "kvittens/lock_receipt.hpp"
#include "kvittens/model.hpp"

namespace kvittens::fixtures {

inline Instant at(const char* local) {
  return parse_local(local);
}

inline std::vector<std::uint8_t> lock_key() {
  return std::vector<std::uint8_t>(32, 0x5a);
}

struct WorldBuilder {
  World w;
  WorldBuilder() {
    w.providers.push_back({"p1", "Omsorg AB"});
    w.staff.push_back({"anna", "p1", "Anna A", std::nullopt, std::nullopt, ""});
    w.staff.push_back({"bo", "p1", "Bo B", std::nullopt, std::nullopt, ""});
  }
  WorldBuilder& customer(std::string id, std::vector<std::string> tags = {},
                         ServiceType service = ServiceType::Hemtjanst) {
    Customer c;
    c.id = std::move(id);
    c.provider = "p1";
    c.name = "Kund " + c.id;
    c.service = service;
    c.nfc_tags = std::move(tags);
    w.customers.push_back(std::move(c));
    return *this;
  }
  Customer& last() { return w.customers.back(); }
  WorldBuilder& order(std::string customer, std::string insats, int minutes, bool dubbel = false) {
    w.orders.push_back({"o" + std::to_string(w.orders.size() + 1), std::move(customer),
                        std::move(insats), minutes, dubbel, std::nullopt, std::nullopt});
    return *this;
  }
  WorldBuilder& lock(std::string id, std::vector<std::string> customers) {
    w.locks.push_back({id, lock_receipt::to_hex(lock_key()), customers, std::nullopt});
    for (auto& c : w.customers)
      for (const auto& x : customers)
        if (c.id == x) c.lock = id;
    return *this;
  }
};

// A visit by anna with NFC receipts on the customer's first tag.
inline Visit visit(std::string id, std::string customer, const char* start, const char* end,
                   std::vector<std::string> insatser, std::string tag = "04:00:00:00:00:00:01") {
  Visit v;
  v.id = std::move(id);
  v.staff = "anna";
  v.customer = std::move(customer);
  v.start = at(start);
  v.end = at(end);
  v.start_receipt = {ReceiptKind::Nfc, tag, std::nullopt};
  v.end_receipt = {ReceiptKind::Nfc, tag, std::nullopt};
  for (auto& i : insatser)
    v.insatser.push_back({std::move(i), InsatsStatus::Ordered, std::nullopt});
  return v;
}

inline LockEvent signed_event(std::string lock, std::uint32_t seq, Instant t,
                              std::uint8_t event = 1) {
  LockEvent e{std::move(lock), seq, t.time_since_epoch().count(), event, 7, ""};
  e.mac_hex = lock_receipt::mac_hex(e, lock_key());
  return e;
}

// Registers everything (failing the test on a refusal) and evaluates under `rules`.
struct Session {
  std::unique_ptr<backend::InProcessBackend> backend;
  explicit Session(const World& w, const std::string& rules = "nacka-hemtjanst@3.0")
      : backend(backend::make_inprocess_backend(rules)) {
    backend->sync_world(w);
  }
  SubmitResult add(const Registration& r) { return backend->submit(r); }
  // Approves the shift of every visit registered so far, on time.
  void approve_all(const char* when = "2026-04-01T09:00") {
    std::vector<std::string> shifts;
    for (const auto& v : backend->registrations().visits)
      shifts.push_back(v.shift.empty() ? v.staff + "/" + format_date(local_date(v.start))
                                       : v.shift);
    for (const auto& d : backend->registrations().double_staffing)
      shifts.push_back(d.shift.empty() ? d.staff + "/" + format_date(local_date(d.start))
                                       : d.shift);
    for (const auto& s : shifts) backend->submit(ShiftApproval{s, at(when)});
  }
  Decisions decide() { return backend->decisions(); }
  VisitDecision of(const std::string& id) {
    for (auto& d : decide().visits)
      if (d.id == id) return d;
    throw std::runtime_error("no decision for " + id);
  }
};

// Whether a decision or a trace cites a clause, as every room reads it.
using kvittens::cites;

}  // namespace kvittens::fixtures
