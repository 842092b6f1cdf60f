// sim: Load — a synthetic municipality month (docs/simulate.md). generate() turns a seed into
// the world and the month's happenings: daily care rounds, cohabiting couples, boendestöd
// customers, double staffing, shared shopping, extra insatser with and without notes,
// declines, absences, edits, manual registrations around the 10 % line, late approvals.
// drive() plays the month through the staff phones and the office (sim/core) against any
// BackendClient, with receipts from any Hardware; check_invariants() holds the decisions
// against properties that must be true of every month, whatever the seed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kvittens/backend_client.hpp"
#include "kvittens/clock.hpp"
#include "kvittens/model.hpp"
#include "sim/core/doors.hpp"
#include "sim/core/hardware.hpp"
#include "sim/core/submissions.hpp"

namespace kvittens::sim::load {

struct Options {
  int customers = 100;
  int staff = 20;
  int days = 30;
  std::uint64_t seed = 1;
  int providers = 2;
  std::string first_day = "2026-03-01";
  std::string hemtjanst_rules = "nacka-hemtjanst@3.0";
  std::string boendestod_rules = "nacka-boendestod@1.0";
};

// Throws std::invalid_argument naming the option when the sizes cannot make a month
// (fewer customers than providers, no staff, days outside 1..62, ...).
void validate(const Options& options);

// One registration the month's actors make, or one visit end (start and end happen at
// different times; everything is played in time order).
struct Event {
  enum class Kind {
    VisitStart,  // receipt at the door (or none), start in the app, insatser, note
    VisitEnd,    // receipt, end in the app, send, then the edit if any
    Office,      // a registration made in Phoniro Care (manual visit, decline, absence, approval)
    PhoneRegistration  // double staffing or shared insats sent from the staff member's phone
  };
  Instant at;
  Kind kind = Kind::VisitStart;
  std::size_t index = 0;  // VisitStart/VisitEnd: into Part::visits; otherwise Part::others
  bool operator==(const Event&) const = default;
};

// A visit as the staff member performs it; the phone makes the registration from it.
struct PlannedVisit {
  Visit visit;  // id, staff, customer, times, places, insatser, note, edit, shared group
  ReceiptKind start_receipt = ReceiptKind::None;
  ReceiptKind end_receipt = ReceiptKind::None;
  std::string tag_owner;  // whose tag at the door is read (the customer's own)
  bool operator==(const PlannedVisit&) const = default;
};

// One service's share of the month: judged by its own rule pack, through its own backend.
struct Part {
  std::string rules;  // PACK@VERSION
  ServiceType service = ServiceType::Hemtjanst;
  World world;
  std::vector<Door> doors;
  std::vector<PlannedVisit> visits;
  std::vector<Registration> others;    // office and phone registrations other than visits
  std::vector<std::string> others_by;  // "office" or the staff id whose phone sends it
  std::vector<Event> events;           // in time order
  // Doors follow from the world (default_doors), so they are not compared.
  bool operator==(const Part& o) const {
    return rules == o.rules && service == o.service && world == o.world && visits == o.visits &&
           others == o.others && others_by == o.others_by && events == o.events;
  }
};

struct Month {
  Options options;
  std::vector<Part> parts;  // hemtjänst, then boendestöd (absent when it has no customers)
  bool operator==(const Month& o) const { return parts == o.parts; }
  std::size_t registrations() const;
};

Month generate(const Options& options);

using BackendFactory = std::function<std::unique_ptr<BackendClient>(const std::string& rules)>;
using HardwareFactory = std::function<std::unique_ptr<Hardware>(
    const World& world, const std::vector<Door>& doors, const Clock& clock, std::uint64_t seed)>;

struct PartResult {
  Decisions decisions;
  ActivityLog log;
  double submit_seconds = 0;  // wall time of playing the month (devices + submissions)
  double decide_seconds = 0;  // wall time of the final decisions() call
};

// Progress: registrations done so far of `total`.
using Progress = std::function<void(std::size_t done, std::size_t total)>;

// Plays every part through phones and the office. Throws what the backend or hardware throws.
std::vector<PartResult> drive(const Month& month, const BackendFactory& backend,
                              const HardwareFactory& hardware, const Progress& progress = {});

// A property of the month's decisions that did not hold.
struct Violation {
  std::string invariant;  // "ordered-time", "double-staffing", "shared-total"
  std::string subject;    // registration id
  std::string detail;
};

// The invariants that need only the month and its decisions (docs/simulate.md):
// ordered-time: no ordered insats is paid above its ordered minutes unless the visit has a note;
// double-staffing: a paid double staffing lies within a paid visit by another staff member at
// that customer, and is paid no more than their overlap; shared-total: the visits of a shared
// insats together are paid no more than its total time.
std::vector<Violation> check_invariants(const Part& part, const Decisions& decisions);

// The summary printed by `kvittens simulate`.
struct ProviderSummary {
  std::string provider;
  std::string name;
  int decisions = 0;
  int paid_minutes = 0;
  int visits = 0;  // as counted for the manual share (monthly summaries)
  int manual_visits = 0;
  bool manual_share_exceeded = false;
};
struct Summary {
  std::size_t registrations = 0;
  std::size_t refused = 0;
  std::size_t decisions = 0;
  std::vector<ProviderSummary> providers;
  std::vector<std::pair<std::string, int>> rejected_by_clause;  // clause order as in the packs
  std::vector<std::pair<std::string, int>> refused_by_clause;   // "" = plain input error
};
Summary summarize(const Month& month, const std::vector<PartResult>& results);

// The clause a rejected decision rests on: the last reason of its first rejected insats, or
// its own last reason.
std::string last_rejecting_clause(const VisitDecision& d);

}  // namespace kvittens::sim::load
