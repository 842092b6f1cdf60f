#include "sim/core/phone.hpp"

#include <algorithm>
#include <stdexcept>

namespace kvittens::sim {
namespace {

// Device calls have explicit timeouts; on the virtual clock they cost no wall time.
constexpr std::chrono::milliseconds kDeviceTimeout{2000};

bool order_active(const Order& o, Date day) {
  if (o.from && day < *o.from) return false;
  if (o.to && day > *o.to) return false;
  return true;
}

}  // namespace

InsatsStatus default_status(const std::vector<Order>& orders, const std::string& customer,
                            const std::string& insats, Date day) {
  const bool ordered = std::any_of(orders.begin(), orders.end(), [&](const Order& o) {
    return o.customer == customer && o.insats == insats && order_active(o, day);
  });
  return ordered ? InsatsStatus::Ordered : InsatsStatus::Extra;
}

Phone::Phone(std::string staff, const Clock& clock, NfcReader& reader, LockConnector locks,
             std::vector<LockCredential> keyring, std::vector<Order> orders, BackendClient& backend,
             ActivityLog& log, std::string phone)
    : staff_(std::move(staff)),
      phone_(std::move(phone)),
      clock_(clock),
      reader_(reader),
      locks_(std::move(locks)),
      keyring_(std::move(keyring)),
      orders_(std::move(orders)),
      backend_(backend),
      log_(log) {}

bool Phone::read_tag() {
  try {
    const TagRead tag = reader_.read_tag(kDeviceTimeout);
    Receipt r;
    r.kind = ReceiptKind::Nfc;
    r.tag_uid = tag.uid;
    held_ = r;
    log_.say(clock_.now(), staff_, "read tag " + tag.uid);
    return true;
  } catch (const DeviceError& e) {
    held_.reset();
    log_.say(clock_.now(), staff_, std::string("tag read failed: ") + to_string(e.code()));
    return false;
  }
}

bool Phone::unlock(const std::string& lock_id) {
  auto cred = std::find_if(keyring_.begin(), keyring_.end(),
                           [&](const LockCredential& c) { return c.lock_id == lock_id; });
  if (cred == keyring_.end()) {
    log_.say(clock_.now(), staff_, "no key for lock " + lock_id);
    held_.reset();
    return false;
  }
  try {
    Lock& lock = locks_(lock_id);
    const LockEvent event = lock.unlock(*cred, kDeviceTimeout);
    Receipt r;
    r.kind = ReceiptKind::Lock;
    r.lock = event;
    held_ = r;
    log_.say(clock_.now(), staff_,
             "unlocked " + lock_id + " (seq " + std::to_string(event.seq) + ")");
    return true;
  } catch (const DeviceError& e) {
    held_.reset();
    log_.say(clock_.now(), staff_,
             "unlock of " + lock_id + " failed: " + std::string(to_string(e.code())));
    return false;
  }
}

Visit& Phone::visit_ref(const std::string& visit) {
  auto it = visits_.find(visit);
  if (it == visits_.end()) {
    throw std::logic_error("phone of " + staff_ + " has no visit '" + visit + "'");
  }
  return it->second;
}

std::string Phone::shift_of(Instant start) const {
  return staff_ + "/" + format_date(local_date(start));
}

void Phone::start_visit(const std::string& visit, const std::string& customer, Place place) {
  Visit v;
  v.id = visit;
  v.staff = staff_;
  v.customer = customer;
  v.start = clock_.now();
  v.end = v.start;
  v.start_place = place;
  if (held_) v.start_receipt = *held_;
  held_.reset();
  v.shift = shift_of(v.start);
  visits_[visit] = v;
  log_.say(clock_.now(), staff_,
           "started " + visit + " (receipt " + to_string(v.start_receipt.kind) + ")");
}

void Phone::select_insats(const std::string& visit, const std::string& insats,
                          std::optional<InsatsStatus> status, std::optional<int> minutes) {
  Visit& v = visit_ref(visit);
  PerformedInsats p;
  p.insats = insats;
  p.status = status ? *status : default_status(orders_, v.customer, insats, local_date(v.start));
  p.minutes = minutes;
  v.insatser.push_back(p);
}

void Phone::note(const std::string& visit, const std::string& text, std::uint8_t about) {
  Visit& v = visit_ref(visit);
  // A note naming nothing documents everything, so the sum of notes does too.
  if (v.note.empty())
    v.note_about = about;
  else if (v.note_about == 0 || about == 0)
    v.note_about = 0;
  else
    v.note_about = static_cast<std::uint8_t>(v.note_about | about);
  v.note = v.note.empty() ? text : v.note + "\n" + text;
}

void Phone::declined_after_start(const std::string& visit) {
  visit_ref(visit).declined_after_start = true;
}

void Phone::omstallning(const std::string& visit, Instant notice_at, const std::string& cause) {
  Visit& v = visit_ref(visit);
  v.notice_at = notice_at;
  v.cause = cause;
}

void Phone::join_shared(const std::string& visit, const std::string& shared_insats) {
  visit_ref(visit).shared_group = shared_insats;
}

void Phone::end_visit(const std::string& visit, Place place) {
  Visit& v = visit_ref(visit);
  v.end = clock_.now();
  v.end_place = place;
  if (held_) v.end_receipt = *held_;
  held_.reset();
  log_.say(clock_.now(), staff_,
           "ended " + visit + " (receipt " + to_string(v.end_receipt.kind) + ")");
}

void Phone::edit_times(const std::string& visit, Instant start, Instant end,
                       const std::string& note) {
  visit_ref(visit);  // only a visit made on this phone
  const int n = ++edits_[visit];
  VisitEdit e;
  e.id = visit + "/edit" + (n > 1 ? std::to_string(n) : "");
  e.visit = visit;
  e.edit = TimeEdit{start, end, note, clock_.now()};
  send(Registration{std::move(e)});
}

void Phone::send(const std::string& visit) {
  send(Registration{visit_ref(visit)});
}

void Phone::send(Registration registration) {
  std::visit(
      [this](auto& r) {
        if constexpr (requires { r.phone; }) {
          if (r.phone.empty()) r.phone = phone_;
        }
      },
      registration);
  queue_.push_back(std::move(registration));
  if (online_) {
    flush();
  } else {
    log_.say(clock_.now(), staff_, "offline: queued " + registration_id(queue_.back()));
  }
}

void Phone::go_offline() {
  online_ = false;
  log_.say(clock_.now(), staff_, "phone offline");
}

void Phone::go_online() {
  online_ = true;
  log_.say(clock_.now(), staff_, "phone online, " + std::to_string(queue_.size()) + " queued");
  flush();
}

void Phone::flush() {
  while (online_ && !queue_.empty()) {
    // When it first reached the backend is part of the registration (4.2 Omställningstid:
    // 14 days). Stamped once: a retry must carry the same content as the first attempt.
    if (auto* v = std::get_if<Visit>(&queue_.front()); v && !v->registered_at) {
      v->registered_at = clock_.now();
    }
    const Registration r = queue_.front();
    Submission s;
    s.at = clock_.now();
    s.by = staff_;
    s.id = registration_id(r);
    try {
      s.result = backend_.submit(r);
      if (lost_answers_ > 0) {
        --lost_answers_;
        s.note = "answer lost; will retry";
        log_.submissions.push_back(s);
        return;  // stays queued: the next go_online retries it with the same id
      }
      s.delivered = true;
    } catch (const std::exception& e) {
      s.note = e.what();
      log_.submissions.push_back(s);
      return;
    }
    log_.submissions.push_back(s);
    queue_.pop_front();
  }
}

}  // namespace kvittens::sim
