// A scenario as loaded and validated from YAML (docs/scenario-format.md): the world, the doors,
// the steps in scenario time, the faults and the expected decisions. Every element keeps the
// place it was written (file:line:col) so mismatches and errors point back at the text.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kvittens/model.hpp"
#include "sim/core/doors.hpp"
#include "sim/core/hardware.hpp"

namespace kvittens::harness {

// Where something was written; line and column are 1-based.
struct Where {
  std::string file;
  int line = 0;
  int col = 0;
  std::string str() const;  // "file:line:col"
};

// A scenario file that cannot be used, with the place and what was expected there.
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(Where where, const std::string& message);
  const Where& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  Where where_;
  std::string message_;
};

enum class Action {
  Arrive,              // staff stands at a door
  ReadTag,             // the phone reads a kvittensmärke at the door
  Unlock,              // the phone unlocks the door's trygghetslås
  StartVisit,          // the app starts a visit
  PickupLunch,         // start at the matlåda pickup point, without receipt (4.11)
  SelectInsats,        // insats chosen in the app
  Note,                // anteckning
  DeclinedAfterStart,  // the customer declined after the visit started (4.8)
  EndVisit,            // the app ends the visit and sends it
  EditTimes,           // start/end edited after the visit (4.12): an edit registration, made now
  ManualVisit,         // after-the-fact registration in Phoniro Care (4.14)
  DeclinedAtDoor,      // not let in / not at home
  DeclinedVisit,       // boendestöd: visit declined before the planned time
  Absence,             // boendestöd: absence notified
  DoubleStaffing,      // the supporting staff's registration (4.6)
  SharedInsats,        // one errand for several customers (4.7)
  ApproveShift,        // shift approved in Phoniro Care (4.13)
  PhoneOffline,
  PhoneOnline,
  RecordPayment,    // what was paid earlier, for repayment (2/repayment)
  DeactivatePhone,  // the phone is deactivated in Phoniro Care (5.3)
};

const char* to_string(Action a);

struct InsatsChoice {
  std::string insats;
  std::optional<InsatsStatus> status;  // default: ordered if the customer has the order, else extra
  std::optional<int> minutes;
  Where where;
};

// One step. Only the fields of its action are set (see docs/scenario-format.md).
struct Step {
  Where where;
  Instant at;
  Action action = Action::Arrive;
  std::string staff;
  std::string customer;
  std::string visit;  // registration id of the visit / declined visit / double staffing / ...
  std::string door;
  std::string tag;   // read_tag: a tag UID, or the customer id whose tag at the door is read
  std::string text;  // note text / declined note / edit note
  std::uint8_t note_about = 0;  // note: NoteAbout bits the note documents; 0: everything
  std::string shift;
  std::string shared;                  // start_visit: the shared insats (4.7) this visit belongs to
  std::string reason;                  // absence reason; omställningstid cause
  std::optional<ReceiptKind> receipt;  // start_visit/end_visit shorthand: read/unlock first
  std::optional<Place> place;
  std::vector<InsatsChoice> insatser;
  std::optional<Instant> start, end, notice_at, planned_start, planned_end;
  std::vector<std::string> customers;
  int minutes = 0;
  std::optional<Date> date;  // approve_shift
  std::string phone;         // deactivate_phone
};

struct Fault {
  Where where;
  Instant at;  // armed when scenario time reaches it
  enum class Kind { Device, LostAnswer } kind = Kind::Device;
  sim::DeviceFault device;  // Kind::Device
  std::string staff;        // Kind::LostAnswer: whose phone
  int count = 1;
};

// Expected values; an unset field is not checked.
struct InsatsExpect {
  Where where;
  std::string insats;
  std::optional<int> paid_minutes, registered_minutes;
  std::optional<DecisionState> state;
  std::optional<bool> customer_fee;
  std::vector<std::string> clauses;
};

struct VisitExpect {
  Where where;
  std::string id;
  std::optional<bool> registered;  // false: no decision may exist for this id
  std::optional<int> paid_minutes, registered_minutes;
  std::optional<DecisionState> state;
  std::optional<bool> customer_fee, manual;
  std::vector<std::string> clauses;      // must appear in the visit's or its insatser's trace
  std::vector<std::string> not_clauses;  // must not appear
  std::map<std::string, InsatsExpect> insatser;
};

struct RepaymentExpect {
  Where where;
  std::string visit;
  std::optional<int> paid_before, due_now;
};

struct MonthExpect {
  Where where;
  std::string provider;
  std::string month;  // YYYY-MM
  std::optional<int> visits, manual_visits, paid_minutes, rejected;
  std::optional<bool> manual_share_exceeded;
  std::optional<std::vector<RepaymentExpect>> repayments;
  std::vector<std::string> clauses;
};

struct RefusalExpect {
  Where where;
  std::string id;
  std::string clause;  // empty: any
};

// A line the run's activity log must contain ("anna: tag read failed: tag-removed"): what the
// phones and devices did, e.g. the driver's error behind a missing receipt.
struct LogExpect {
  Where where;
  std::string text;  // a part of one line written "who: what"
};

struct Expectations {
  std::vector<LogExpect> log;
  std::map<std::string, VisitExpect> visits;
  std::vector<MonthExpect> months;
  std::map<std::string, RefusalExpect> refusals;  // registrations the backend must refuse
};

struct Scenario {
  Where where;  // of the `scenario:` key
  std::string file;
  std::string name;
  std::string clause;  // "000 4.10": seed and section it exercises
  std::string description;
  std::vector<std::string> tags;
  std::vector<std::string> rules;  // "PACK@VERSION", one run each
  World world;
  std::vector<sim::Door> doors;
  std::vector<Step> steps;
  std::vector<Fault> faults;
  Expectations expect;
  std::map<std::string, Expectations> expect_by_rules;  // merged over `expect` for that version
  // Not run under the rules it was loaded with, and why: they are of another service than its
  // own (`run --rules` with a hemtjänst pack and a boendestöd scenario). Empty: it runs.
  std::string skipped;
};

}  // namespace kvittens::harness
