// What the clause functions share while one batch of registrations is evaluated: the pack,
// indexes over the world, and running totals that span visits (caps, lock sequence numbers).
#pragma once

#include <array>
#include <deque>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "backend/rulepack/rule_pack.hpp"
#include "kvittens/model.hpp"
#include "model/trace_arena.hpp"

namespace kvittens::backend::detail {

// Stockholm local time for the engine's hot path: the same dates and text as
// kvittens/time.hpp (local_date, format_local, format_date, format_month), without a zone
// lookup and printf per call. It remembers the UTC offset interval it last used; instants
// near an offset change fall back to the general functions.
class LocalTime {
 public:
  // A formatted time held by value, so a reason can be assembled from parts without a
  // temporary string (format_local is at most 27 characters).
  struct Text {
    char data[32];
    std::size_t size = 0;
    operator std::string_view() const { return {data, size}; }
  };
  Date date(Instant t);
  std::chrono::year_month month(Instant t);
  Text text(Instant t);                               // == format_local(t)
  static void append_date(std::string& out, Date d);  // appends format_date(d)

 private:
  void refresh(Instant t);
  // Looks t up and remembers its local day: civil_, prefix_ and the windows below.
  void locate(Instant t);
  // The civil date of a local day, remembered for the last day asked: visits in time
  // order mostly fall on the day before them.
  const Date& civil(std::chrono::sys_days day);
  Instant begin_{}, end_{};
  std::chrono::seconds offset_{0};
  bool loaded_ = false;
  std::chrono::sys_days day_{};
  Date civil_{};
  bool civil_loaded_ = false;
  char prefix_[11] = {};  // "YYYY-MM-DDT" of day_ (when its year has four digits)
  bool prefix_ok_ = false;
  // The instants of day_ under one UTC offset, answered with a compare: date() within
  // [day_from_, day_to_), text() within [text_from_, text_to_) (away from offset changes
  // and with a four-digit year). midnight_ is day_'s local midnight as an instant.
  Instant day_from_{}, day_to_{}, text_from_{}, text_to_{}, midnight_{};
};

// A number as text held by value, for reasons assembled from parts (std::to_string
// without the string).
struct Number {
  explicit Number(long v);
  char data[24];
  std::size_t size = 0;
  operator std::string_view() const { return {data, size}; }
};

// A reason as a list of parts, each a view: literals, the registration's own text, or
// text a Context buffer holds until the next call that fills it. Added to a trace with
// Trace::add(clause, parts.view()).
struct ReasonParts {
  std::array<std::string_view, 10> items;
  std::size_t size = 0;
  void push(std::string_view p) { items.at(size++) = p; }
  void clear() { size = 0; }
  std::span<const std::string_view> view() const { return {items.data(), size}; }
};

// Hash for the id-keyed maps, looked up by std::string_view (no key string built per
// lookup). Ids are short ("c123", "shift-s12") and a visit looks up four or five of them:
// up to 16 bytes are hashed by reading them as two words, a few instructions where
// std::hash walks them byte-wise (engine throughput, bench/RESULTS.md). Longer text goes to
// std::hash.
struct TextHash {
  using is_transparent = void;
  // Not noexcept, on purpose: libstdc++ keeps each key's hash in its node only for a hasher
  // that may throw (or is slow). With it kept, a lookup passes other keys of the bucket on a
  // compare of hashes and finds the bucket's end without hashing the next node's key, and
  // both read the nodes' key bytes, which is where a lookup misses the cache.
  std::size_t operator()(std::string_view s) const;
};
static_assert(!std::is_nothrow_invocable_v<const TextHash&, const std::string&>,
              "TextHash must stay potentially-throwing: libstdc++ caches its hash codes then");
template <class V>
using TextMap = std::unordered_map<std::string, V, TextHash, std::equal_to<>>;

struct Context {
  Context(const RulePack& pack, const World& world, const Registrations& regs);

  const RulePack& pack;
  const World& world;
  const Registrations& regs;
  SharedStamp stamp;

  // A customer with their orders: one lookup per registration finds both.
  struct CustomerEntry {
    const Customer* customer = nullptr;  // null: orders for a customer the world lacks
    std::vector<const Order*> orders;
  };
  TextMap<CustomerEntry> customers;
  // The verdict on one shift for one month (3.2, 4.13), computed once per pair.
  struct ShiftVerdict {
    int month = 0;  // year * 100 + month
    bool approved = false;
    std::string_view clause;  // 4.13 when the shift was approved at all, 3.2 when not
    std::string reason;
  };
  // A staff member with the verdicts of the day last asked about them: accounts (5.2) and
  // shifts (3.2, 4.13) change by the day, so a staff member's visits on one day cost one
  // lookup here, not one per rule.
  struct StaffEntry {
    const StaffMember* member = nullptr;
    bool account_asked = false;
    Date account_day{};
    bool active = false;
    std::string inactive_reason;
    const ShiftVerdict* shift = nullptr;  // null: not asked yet
    Date shift_day{};
    std::string shift_named;  // as the app named it; empty: the staff/date shift
  };
  TextMap<StaffEntry> staff;
  StaffEntry* find_staff(const std::string& id);  // null: the world does not know them
  std::unordered_map<std::string, const LockRecord*> locks;
  // The lock on each customer's door: the customer's own `lock`, else a lock that lists them.
  const LockRecord* lock_of(const Customer& c) const;
  // Whether the pack has clause 7 (a tag is no receipt where a lock is mounted): hemtjänst.
  bool tags_yield_to_locks = false;
  std::unordered_map<std::string, const LockRecord*> lock_by_customer;
  std::unordered_map<std::string, const SharedInsats*> shared;
  TextMap<Instant> approvals;  // shift -> approved_at
  // The pack's catalogue by name (RulePack::insats walks the list).
  std::unordered_map<std::string_view, const InsatsInfo*, TextHash> catalogue;
  const InsatsInfo* insats(std::string_view name) const;

  // Lock receipts by (lock, seq) -> the registration that used it first, in arrival order:
  // a later registration presenting the same entry replays it (I-6).
  // The key is the entry; the value names the registration and "start" or "end".
  // Built on the first lock receipt judged: months without locks never walk the visits
  // for it.
  const std::string* first_use_of(const std::string& lock, std::uint32_t seq);
  // Running state across visits in time order.
  std::map<std::string, int> cap_used;  // customer|insats[|year] -> minutes paid

  std::map<std::pair<std::string, std::uint32_t>, std::string> first_use;
  bool first_use_indexed = false;

  mutable LocalTime local;
  // Where decisions' traces are frozen (model/trace_arena.hpp).
  TraceArena arena;
  // Buffers reused from visit to visit, so judging a visit allocates only its decision.
  // judge_receipt's verdict, refilled by each call (no zeroing or copying per receipt).
  struct ReceiptVerdict {
    bool valid = false;
    std::string_view clause;  // clause behind the verdict ("4.10", "4.5", "B2"): a literal or
                              // the receipt clause passed in
    // Starts with "start: " or "end: "; its parts view literals, the registration and the
    // text below.
    ReasonParts reason;
    std::string seq, gap;
    LocalTime::Text time;
  } receipt_verdict;
  // Hemtjänst's view of the insatser of the visit being judged: the matrix (4.15) weighs
  // them all before any is traced.
  struct InsatsPlan {
    const InsatsInfo* info = nullptr;
    const Order* order = nullptr;     // the customer's order for it on the visit's day
    int minutes = 0;                  // its registered minutes (split_minutes)
    bool performed = false;           // neither Avböjd insats nor withdrawn
    bool rejected_otherwise = false;  // rejected by 4.1 or 4.4 (no note)
  };
  struct MatrixFinding {
    std::size_t insats = 0;   // index into insats_plan
    std::size_t partner = 0;  // the kept insats it was weighed against
    MatrixState state = MatrixState::Combine;
    bool allowed = false;  // an individual assessment documented in a note
  };
  std::vector<InsatsPlan> insats_plan;
  std::vector<std::size_t> matrix_order, matrix_kept, split_order;
  std::vector<MatrixFinding> matrix_findings;
  // A deque: StaffEntry keeps pointers to verdicts while more are added.
  mutable TextMap<std::deque<ShiftVerdict>> shift_verdicts;
  const ShiftVerdict& shift_verdict(std::string_view shift, Instant start) const;
  mutable std::string shift_name;  // shift_of's buffer for an unnamed shift
  // Visits by staff and customer ("staff\x1fcustomer"), built on first use (4.10 cohabitant).
  mutable std::unordered_map<std::string, std::vector<const Visit*>> visits_by_staff_customer;
  mutable bool visits_indexed = false;
  const std::vector<const Visit*>& visits_of(const std::string& staff,
                                             const std::string& customer) const;

  // The customer's entry; std::out_of_range when the world does not know them (check()
  // refuses such registrations before they reach evaluate()).
  const CustomerEntry& customer_entry(const std::string& customer) const;
  const Customer& customer(const std::string& id) const { return *customer_entry(id).customer; }
  const Customer* find_customer(const std::string& id) const;
  const Order* order_for(const std::string& customer, const std::string& insats, Instant at) const;
  static const Order* order_for(const CustomerEntry& entry, const std::string& insats, Date day);
  bool has_double_staffing_order(const std::string& customer, Instant at) const;
  const std::string& provider_of(const std::string& customer) const;
};

inline void trace(Trace& t, std::string_view clause, std::string_view reason) {
  t.add(clause, reason);
}
// The reason is the concatenation of `parts` (no temporary string).
inline void trace(Trace& t, std::string_view clause,
                  std::initializer_list<std::string_view> parts) {
  t.add(clause, parts);
}

// The shift a registration belongs to: named by the app, or staff/local date. The view is
// valid until the next call.
std::string_view shift_of(const Context& ctx, const std::string& named, const std::string& staff,
                          Instant start);
// The verdict on the shift a registration of `staff` (null: unknown to the world) belongs
// to, remembered in the staff member's entry for the day (hemtjanst/3_2_4_13_shift_approval.cpp).
const Context::ShiftVerdict& shift_verdict_of(Context& ctx, Context::StaffEntry* staff,
                                              const std::string& named, const std::string& staff_id,
                                              Instant start);

// 5.2 as both services cite it (hemtjanst/5_2_accounts.cpp): whether the account (null:
// unknown to the world) may register at `at`, judged once per staff member and day; when not,
// d's trace says why.
bool clause_5_2_account(Context& ctx, Context::StaffEntry* staff, Instant at, VisitDecision& d);
// The clause clause_5_2_account cites.
std::string_view clause_5_2_id();
// Whether the pack has clause 7, under which a tag is no receipt where a lock is mounted
// (hemtjanst/4_10_receipts.cpp).
bool clause_7_applies(const RulePack& pack);
// A receipt judged against the visit it was registered for (hemtjanst/4_10_receipts.cpp):
// ctx.receipt_verdict, valid until the next call. The receipt's registration is "visit_id/start" or
// "visit_id/end" (replay check, I-6).
Context::ReceiptVerdict& judge_receipt(Context& ctx, const Receipt& r, const Customer& customer,
                                       Instant at, std::string_view receipt_clause,
                                       const std::string& visit_id, bool at_start);

// Clause functions per service; each fills decisions for one registration.
// Fills `d`, a default-constructed decision (in place: decisions are large).
void hemtjanst_visit(Context& ctx, const Visit& v, VisitDecision& d);
// `visits` are the visit decisions at d's customer, in registration order.
VisitDecision hemtjanst_double_staffing(Context& ctx, const DoubleStaffing& d,
                                        const std::vector<const VisitDecision*>& visits);
VisitDecision hemtjanst_declined(Context& ctx, const DeclinedVisit& d);
VisitDecision hemtjanst_absence(Context& ctx, const Absence& a);

VisitDecision boendestod_visit(Context& ctx, const Visit& v);
VisitDecision boendestod_declined(Context& ctx, const DeclinedVisit& d);
// Appends the absence's decisions: one, or one per month its days begin in (I-B7).
void boendestod_absence(Context& ctx, const Absence& a, VisitDecisions& out);
// B1: applies the month's granted-time cap to decisions in time order.
void boendestod_monthly_cap(Context& ctx, std::vector<VisitDecision*>& in_time_order);

// Section 2: monthly summaries (manual share, repayments).
std::vector<MonthlySummary> monthly_summaries(const Context& ctx, const VisitDecisions& decisions);

// A decision for one registration, stamped, with its registered minutes and nothing paid yet.
VisitDecision decision_for(const Context& ctx, const std::string& id, const char* kind,
                           const std::string& customer, const std::string& staff, Instant start,
                           Instant end);

// Sets state from registered vs paid minutes (visit and insats decisions alike).
template <class D>
void settle(D& d) {
  if (d.paid_minutes <= 0) {
    d.paid_minutes = 0;
    d.state = DecisionState::Rejected;
  } else if (d.paid_minutes < d.registered_minutes) {
    d.state = DecisionState::Reduced;
  } else {
    d.state = DecisionState::Approved;
  }
}

}  // namespace kvittens::backend::detail
