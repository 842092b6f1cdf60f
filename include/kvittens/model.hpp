// The domain model: what Combine knows (the world), what the staff app registers, and
// what the backend decides. Plain value types; the rules that judge them live in backend/.
//
// Swedish terms appear once, beside the English name they map to.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kvittens/time.hpp"
#include "kvittens/trace.hpp"

namespace kvittens {

// ---------------------------------------------------------------- the world (Combine)

enum class ServiceType { Hemtjanst, Boendestod };  // hemtjänst / boendestöd

struct Provider {  // anordnare / utförare
  std::string id;
  std::string name;
  bool operator==(const Provider&) const = default;
};

struct Customer {  // kund / brukare
  std::string id;
  std::string provider;
  std::string name;  // personal data: never logged
  ServiceType service = ServiceType::Hemtjanst;
  std::optional<std::string> cohabitant;  // sammanboende make/maka (customer id)
  std::vector<std::string> nfc_tags;      // UIDs of the customer's own kvittensmärken, "04:A1:.."
  std::optional<std::string> lock;        // trygghetslås id (BLE address) on the customer's door
  double granted_weekly_hours = 0;        // boendestöd: beviljad veckotid
  bool nfc_exemption = false;             // boendestöd: LSS-handläggare approved work without NFC
  std::optional<Date> customer_since;
  bool operator==(const Customer&) const = default;
};

struct StaffMember {  // personal
  std::string id;
  std::string provider;
  std::string name;                    // personal data: never logged
  std::optional<Date> deactivated_on;  // account inactivated (5.2)
  std::optional<Instant> last_login;
  // The phone the staff member carries in a simulation; empty: none. The backend ties no
  // registration to it: any staff of the phone's provider may register from it (5.3, I-15).
  std::string phone;
  bool operator==(const StaffMember&) const = default;
};

struct Order {  // beställning (insats granted by the biståndshandläggare)
  std::string id;
  std::string customer;
  std::string insats;            // catalogue name, e.g. "Dusch"
  int minutes = 0;               // ordered minutes per occasion (per month for boendestöd: unused)
  bool double_staffing = false;  // beställd dubbelbemanning
  std::optional<Date> from;
  std::optional<Date> to;
  bool operator==(const Order&) const = default;
};

struct LockRecord {  // a trygghetslås known to the backend, with the key its receipts are signed
                     // with
  std::string id;    // BLE address "AA:BB:CC:DD:EE:01"
  std::string key_hex;                 // 32-byte HMAC key, hex
  std::vector<std::string> customers;  // a lock on a shared door serves both cohabitants
  std::optional<Date> mounted_on;      // from this day the door's receipt is the lock (§2.1,
                                       // §7); none: mounted before anything registered
  bool operator==(const LockRecord&) const = default;
};

// A tjänstetelefon with the Phoniro app, as Phoniro Care knows it (5.3).
struct PhoneRecord {
  std::string id;
  std::string provider;
  std::optional<Instant> deactivated_at;  // inaktiverad i Phoniro Care (stolen, lost, retired)
  bool operator==(const PhoneRecord&) const = default;
};

struct World {
  std::vector<Provider> providers;
  std::vector<Customer> customers;
  std::vector<StaffMember> staff;
  std::vector<Order> orders;
  std::vector<LockRecord> locks;
  std::vector<PhoneRecord> phones;
  // spärrdatum: month of the shifts -> last day to approve them
  std::map<std::string, Date> cutoff_dates;  // key "YYYY-MM"
  bool operator==(const World&) const = default;
};

// ---------------------------------------------------------------- registrations (the app)

// How a visit end was receipted (kvittens).
enum class ReceiptKind { None, Nfc, Lock };

// A lock's signed event-log entry, forwarded by the phone (see docs/lock-profile.md).
struct LockEvent {
  std::string lock_id;       // BLE address
  std::uint32_t seq = 0;     // monotonic per lock
  std::int64_t time = 0;     // lock clock, Unix seconds
  std::uint8_t event = 0;    // event code of the profile (unlock = 1 ...)
  std::uint16_t key_id = 0;  // staff key id
  std::string mac_hex;       // HMAC-SHA256 with the lock's key, hex
  bool operator==(const LockEvent&) const = default;
};

struct Receipt {
  ReceiptKind kind = ReceiptKind::None;
  std::string tag_uid;            // Nfc: UID read at the door
  std::optional<LockEvent> lock;  // Lock: the signed log entry
  bool operator==(const Receipt&) const = default;
};

enum class InsatsStatus { Ordered, Extra, Declined };  // beställd / Extra / Avböjd insats

struct PerformedInsats {
  std::string insats;
  InsatsStatus status = InsatsStatus::Ordered;
  std::optional<int> minutes;  // time spent on this insats; default: the visit's time split
  bool operator==(const PerformedInsats&) const = default;
};

// Why a visit began or ended away from the door, as the app lets staff say it.
enum class Place { Door, Outside, Pickup };  // vid dörren / utanför bostaden / hämtplats (matlåda)

// What a visit's note documents. Seed 000 asks for a note in several places: a start or end
// without receipt (4.10, 4.11), time over the order (4.3), an Extra or unordered insats (4.1,
// 4.4), an individual assessment under the matrix (4.15). A note may name the ones it
// documents; a note that names none documents them all, as Phoniro's free-text field does.
enum class NoteAbout : std::uint8_t { Receipt = 1, OverTime = 2, Extra = 4, Assessment = 8 };

struct TimeEdit {  // 4.12 redigering
  Instant start;
  Instant end;
  std::string note;  // why the times were edited; empty = undocumented
  // When the edit was made; absent: at the visit's end (an edit sent inline with its visit,
  // as before edits were registrations of their own).
  std::optional<Instant> made_at;
  bool operator==(const TimeEdit&) const = default;
};

struct Visit {     // besök
  std::string id;  // registration id from the phone: idempotency key
  std::string staff;
  std::string customer;
  Instant start;
  Instant end;
  Receipt start_receipt;
  Receipt end_receipt;
  Place start_place = Place::Door;
  Place end_place = Place::Door;
  std::vector<PerformedInsats> insatser;
  std::string note;                   // anteckning; empty = none
  std::uint8_t note_about = 0;        // NoteAbout bits the note documents; 0: everything
  bool manual = false;                // efterrapporterad in Phoniro Care (4.14)
  bool declined_after_start = false;  // kunden avböjde efter start (4.8)
  std::optional<TimeEdit> edit;
  std::optional<std::string> shared_group;  // gemensam insats (4.7)
  std::string shift;                        // arbetspass id; default staff/date
  // Omställningstid (4.2): when the provider learnt of the cancellation, and the cause.
  std::optional<Instant> notice_at;
  std::string cause;                     // "hospital" | "homecoming_cancelled" | "death"
  std::optional<Instant> registered_at;  // when the registration reached the backend
  std::string phone;                     // the phone it was made on; empty: not known, not checked
  bool operator==(const Visit&) const = default;
};

struct DoubleStaffing {  // dubbelbemanning: the supporting staff's registration
  std::string id;
  std::string staff;
  std::string customer;
  Instant start;
  Instant end;
  std::string note;
  std::string shift;
  std::string phone;  // empty: not known, not checked
  bool operator==(const DoubleStaffing&) const = default;
};

struct SharedInsats {  // gemensam insats: one errand for several customers (4.7)
  std::string id;
  std::string staff;
  std::string insats;
  Instant start;
  Instant end;
  std::vector<std::string> customers;
  std::string phone;  // empty: not known, not checked
  bool operator==(const SharedInsats&) const = default;
};

// Boendestöd: a visit the customer declined before or at the door (seed 003).
struct DeclinedVisit {
  std::string id;
  std::string staff;
  std::string customer;
  Instant planned_start;
  Instant planned_end;
  Instant declined_at;  // when the provider was told (at the door = planned_start)
  std::string note;
  std::string shift;
  std::string phone;  // empty: not known, not checked
  bool operator==(const DeclinedVisit&) const = default;
};

// Boendestöd: the customer's absence (hospital, away), as reported by the provider.
struct Absence {
  std::string id;
  std::string customer;
  Instant notified_at;
  Instant start;
  std::optional<Instant> end;
  std::string reason;  // "hospital" | "away"
  bool operator==(const Absence&) const = default;
};

// A later change to the times of an accepted visit (4.12), registered on its own: the backend
// applies it to the visit, whose `edit` it becomes (a later edit replaces an earlier one).
struct VisitEdit {
  std::string id;     // registration id of the edit: idempotency key
  std::string visit;  // the edited visit's registration id
  TimeEdit edit;      // made_at: when the edit was made (absent: at the visit's end)
  std::string phone;  // empty: not known, not checked (e.g. made in Phoniro Care)
  bool operator==(const VisitEdit&) const = default;
};

struct ShiftApproval {  // godkänt arbetspass in Phoniro Care
  std::string shift;
  Instant approved_at;
  bool operator==(const ShiftApproval&) const = default;
};

// What was paid earlier for a visit, so a re-evaluation can find repayments.
struct Payment {
  std::string visit;
  int paid_minutes = 0;
  bool operator==(const Payment&) const = default;
};

using Registration = std::variant<Visit, DoubleStaffing, SharedInsats, DeclinedVisit, Absence,
                                  ShiftApproval, Payment, VisitEdit>;

// Everything the backend has been told, in arrival order. Edits (VisitEdit) are not kept
// apart: each is applied to its visit's `edit` (apply_edit).
struct Registrations {
  std::vector<Visit> visits;
  std::vector<DoubleStaffing> double_staffing;
  std::vector<SharedInsats> shared;
  std::vector<DeclinedVisit> declined;
  std::vector<Absence> absences;
  std::vector<ShiftApproval> approvals;
  std::vector<Payment> payments;
  bool operator==(const Registrations&) const = default;
};

std::string registration_id(const Registration& r);

// Applies an edit to its visit in `regs`; false when no visit has that id.
bool apply_edit(Registrations& regs, const VisitEdit& e);

// ---------------------------------------------------------------- decisions

enum class DecisionState { Approved, Reduced, Rejected };

// Which rules produced a decision: the pack, its version and the exact file.
struct Stamp {
  std::string pack;
  std::string version;
  std::string effective;  // YYYY-MM-DD that selected the version
  std::string hash;       // sha256 of the pack file as loaded
  bool operator==(const Stamp&) const = default;
};

// The stamp as a decision holds it: all decisions of one evaluation share one Stamp
// instead of copying its four strings each. Immutable; compares by content.
class SharedStamp {
 public:
  SharedStamp() = default;  // the empty stamp
  SharedStamp(Stamp s) : stamp_(std::make_shared<const Stamp>(std::move(s))) {}
  const Stamp& operator*() const { return stamp_ ? *stamp_ : empty(); }
  const Stamp* operator->() const { return &**this; }
  bool operator==(const SharedStamp& o) const { return stamp_ == o.stamp_ || **this == *o; }

 private:
  static const Stamp& empty();
  std::shared_ptr<const Stamp> stamp_;
};

struct InsatsDecision {
  std::string insats;
  int registered_minutes = 0;
  int paid_minutes = 0;
  DecisionState state = DecisionState::Approved;
  bool customer_fee = false;  // avgift till kund
  Trace trace;
  bool operator==(const InsatsDecision&) const = default;
};

// Decision on one registration that can be paid: a visit, a double-staffing, a declined
// visit or an absence day run.
struct VisitDecision {
  // User-provided, not defaulted: value-initialization (emplace_back(), resize()) would
  // otherwise zero the whole object before the members initialize themselves, and the
  // engine makes millions of these.
  VisitDecision() {}
  std::string id;    // registration id
  std::string kind;  // "visit" | "double_staffing" | "declined_visit" | "absence"
  std::string provider;
  std::string customer;
  std::string staff;
  Instant start;
  Instant end;
  int registered_minutes = 0;
  int paid_minutes = 0;
  DecisionState state = DecisionState::Approved;
  bool customer_fee = false;
  bool manual = false;  // counts towards the 10 % of manual registrations
  std::vector<InsatsDecision> insatser;
  Trace trace;
  SharedStamp stamp;
  bool operator==(const VisitDecision&) const = default;
};

struct Repayment {  // återbetalning: paid earlier, less is due now
  std::string visit;
  int paid_before = 0;
  int due_now = 0;
  TraceEntry reason;
  bool operator==(const Repayment&) const = default;
};

struct MonthlySummary {
  std::string provider;
  std::string month;  // YYYY-MM
  int visits = 0;
  int manual_visits = 0;
  double manual_share = 0;
  bool manual_share_exceeded = false;
  int paid_minutes = 0;
  int rejected = 0;
  std::vector<Repayment> repayments;
  Trace trace;
  SharedStamp stamp;
  bool operator==(const MonthlySummary&) const = default;
};

// A month's decisions: one array of up to GiB. Decisions take it from decision_memory(), so
// a Decisions moved into another takes its array along.
using VisitDecisions = std::pmr::vector<VisitDecision>;
// The memory decision arrays come from (the model's, for arrays a month fills from scratch).
// The same resource for every call.
std::pmr::memory_resource* decision_memory() noexcept;

struct Decisions {
  VisitDecisions visits{decision_memory()};  // in registration order
  std::vector<MonthlySummary> months;        // by provider, then month
};

const char* to_string(ServiceType);
const char* to_string(ReceiptKind);
const char* to_string(InsatsStatus);
const char* to_string(Place);
const char* to_string(NoteAbout);  // "receipt" | "over_time" | "extra" | "assessment"
std::optional<NoteAbout> note_about_from(std::string_view);
// Whether the visit has a note that documents `what` (a note naming nothing documents all).
bool documents(const Visit& v, NoteAbout what);
// The NoteAbout bits of a visit's note as names, in the enum's order.
std::vector<std::string> note_about_names(std::uint8_t bits);
const char* to_string(DecisionState);

}  // namespace kvittens
