// The simulated staff app (Phoniro-appen) of one staff member. It obtains every receipt
// through the NfcReader / Lock contracts and registers only through BackendClient. While
// offline it queues registrations and, back online, retries them in order with the same
// registration id, so the backend's idempotency decides what is new.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kvittens/backend_client.hpp"
#include "kvittens/clock.hpp"
#include "kvittens/devices.hpp"
#include "sim/core/submissions.hpp"

namespace kvittens::sim {

// The status the app gives a chosen insats: Ordered when the customer has an order for it
// on that day (the app lists those first, 4.1), otherwise Extra.
InsatsStatus default_status(const std::vector<Order>& orders, const std::string& customer,
                            const std::string& insats, Date day);

// Finds a lock by BLE address (a scan); throws DeviceError(NotFound).
using LockConnector = std::function<Lock&(const std::string& lock_id)>;

class Phone {
 public:
  // `phone` is the device's id in Phoniro Care (5.3), stamped on every registration made on
  // it; empty: not known (registrations carry none and the backend does not check it).
  Phone(std::string staff, const Clock& clock, NfcReader& reader, LockConnector locks,
        std::vector<LockCredential> keyring, std::vector<Order> orders, BackendClient& backend,
        ActivityLog& log, std::string phone = "");

  const std::string& staff() const { return staff_; }
  const std::string& phone_id() const { return phone_; }

  // Receipts: each obtains one and holds it for the next visit start or end.
  // Returns false (and logs why) when the device failed; no receipt is held then.
  bool read_tag();
  bool unlock(const std::string& lock_id);
  // Staff chose to go on without a receipt: a receipt held from before is not used.
  void drop_receipt() { held_.reset(); }

  // The visit's registration id is `visit`. Start and end use the held receipt, if any.
  void start_visit(const std::string& visit, const std::string& customer, Place place);
  // Status defaults as the app sets it: ordered if the customer has an order for the insats
  // on that day (listed first in the app), otherwise Extra.
  void select_insats(const std::string& visit, const std::string& insats,
                     std::optional<InsatsStatus> status, std::optional<int> minutes);
  // Adds a note to the visit; `about` says what it documents (NoteAbout bits, 0: everything).
  // Notes add up: the visit's note documents what any of them does.
  void note(const std::string& visit, const std::string& text, std::uint8_t about = 0);
  void declined_after_start(const std::string& visit);
  void omstallning(const std::string& visit, Instant notice_at, const std::string& cause);
  // The visit is one customer's part of a shared insats (gemensam insats, 4.7).
  void join_shared(const std::string& visit, const std::string& shared_insats);
  void end_visit(const std::string& visit, Place place);
  // The finished visit leaves the phone: submitted now, or queued while offline.
  void send(const std::string& visit);
  // A later change to a sent visit's times (4.12), made now: sent as a registration of its
  // own, id "<visit>/edit" ("<visit>/edit2", ... for later ones), that names the visit.
  void edit_times(const std::string& visit, Instant start, Instant end, const std::string& note);
  // Any other registration made in the app (double staffing, shared insats, declined visit);
  // it carries this phone's id unless it names one already.
  void send(Registration registration);

  void go_offline();
  void go_online();  // retries the queue, oldest first
  // Fault: the next `count` submissions reach the backend but their answers are lost.
  void lose_answers(int count) { lost_answers_ += count; }

  bool online() const { return online_; }
  std::size_t queued() const { return queue_.size(); }
  bool has_visit(const std::string& visit) const { return visits_.count(visit) > 0; }

 private:
  Visit& visit_ref(const std::string& visit);
  void flush();
  std::string shift_of(Instant start) const;

  std::string staff_;
  std::string phone_;
  const Clock& clock_;
  NfcReader& reader_;
  LockConnector locks_;
  std::vector<LockCredential> keyring_;
  std::vector<Order> orders_;
  BackendClient& backend_;
  ActivityLog& log_;

  std::optional<Receipt> held_;
  std::map<std::string, Visit> visits_;
  std::map<std::string, int> edits_;  // visit -> edits made
  std::deque<Registration> queue_;
  bool online_ = true;
  int lost_answers_ = 0;
};

}  // namespace kvittens::sim
