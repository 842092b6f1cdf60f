#include "harness/diff/replay_diff.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <unordered_map>

namespace kvittens::harness {
namespace {

using Json = nlohmann::ordered_json;

// ---------------------------------------------------------------- reading

// Builds each scope as the service's AcceptedRegistrations does: registrations by kind in
// arrival order, an edit applied to the first visit of its scope with the id it names, among the
// visits that came before it (a later edit replaces an earlier one). Edits are few beside the
// visits, so they are kept by the visit they name and applied in one pass at the end, instead of
// indexing every visit by id as it comes.
class ScopeBuilder {
 public:
  void add(std::size_t line, Registration&& r) {
    if (auto* e = std::get_if<VisitEdit>(&r)) {
      edits_[e->visit].push_back({line, regs.visits.size(), std::move(*e)});
      return;
    }
    std::visit(
        [&](auto&& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, Visit>) regs.visits.push_back(std::move(x));
          if constexpr (std::is_same_v<T, DoubleStaffing>)
            regs.double_staffing.push_back(std::move(x));
          if constexpr (std::is_same_v<T, SharedInsats>) regs.shared.push_back(std::move(x));
          if constexpr (std::is_same_v<T, DeclinedVisit>) regs.declined.push_back(std::move(x));
          if constexpr (std::is_same_v<T, Absence>) regs.absences.push_back(std::move(x));
          if constexpr (std::is_same_v<T, ShiftApproval>) regs.approvals.push_back(std::move(x));
          if constexpr (std::is_same_v<T, Payment>) regs.payments.push_back(std::move(x));
        },
        std::move(r));
  }

  // Applies the edits; one that names no visit before it is a problem at its line.
  void finish() {
    if (edits_.empty()) return;
    for (std::size_t i = 0; i < regs.visits.size(); ++i) {
      const auto it = edits_.find(regs.visits[i].id);
      if (it == edits_.end()) continue;
      auto& pending = it->second;
      // In file order: the last of those that came after this visit wins.
      for (auto& edit : pending)
        if (edit.visits_before > i) regs.visits[i].edit = std::move(edit.edit.edit);
      std::erase_if(pending, [&](const Pending& edit) { return edit.visits_before > i; });
    }
    for (const auto& [visit, pending] : edits_)
      for (const auto& edit : pending)
        problems.push_back({edit.line, "/registration/visit_edit/visit",
                            "edit '" + edit.edit.id + "' names visit '" + visit +
                                "', which no earlier line of its provider registers"});
    std::sort(problems.begin(), problems.end(),
              [](const auto& a, const auto& b) { return a.line < b.line; });
  }

  Registrations regs;
  std::vector<wire::ExportIssue> problems;

 private:
  struct Pending {
    std::size_t line;
    std::size_t visits_before;  // the scope's visits when the edit came
    VisitEdit edit;
  };
  std::unordered_map<std::string, std::vector<Pending>> edits_;  // by the visit they name
};

// ---------------------------------------------------------------- comparing

// The clause ids a decision cites, over the visit and its insatser, as bits of an index.
struct ClauseSet {
  std::array<std::uint64_t, 4> bits{};
  bool operator==(const ClauseSet&) const = default;
};

class ClauseIndex {
 public:
  int of(std::string_view clause) {
    if (const auto it = ids_.find(clause); it != ids_.end()) return it->second;
    if (names_.size() == 256)
      throw std::runtime_error("more than 256 different clauses in the decisions");
    const int i = static_cast<int>(names_.size());
    ids_.emplace(names_.emplace_back(clause), i);  // a deque: the key views stay valid
    return i;
  }
  ClauseSet set(const VisitDecision& d) {
    ClauseSet s;
    const auto add = [&](const Trace& t) {
      for (const auto line : t) {
        const int i = of(line.clause);
        s.bits[static_cast<std::size_t>(i / 64)] |= std::uint64_t{1} << (i % 64);
      }
    };
    add(d.trace);
    for (const auto& i : d.insatser) add(i.trace);
    return s;
  }
  // The clauses in `a` and not in `b`, sorted.
  std::vector<std::string> minus(const ClauseSet& a, const ClauseSet& b) const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < names_.size(); ++i) {
      const auto bit = std::uint64_t{1} << (i % 64);
      if ((a.bits[i / 64] & bit) && !(b.bits[i / 64] & bit)) out.push_back(names_[i]);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::unordered_map<std::string_view, int> ids_;
  std::deque<std::string> names_;
};

// What of a decision the comparison needs: a month's decisions are held in this form while the
// other version is decided, not whole.
struct Outcome {
  int paid = 0, registered = 0;
  DecisionState state = DecisionState::Approved;
  bool fee = false, manual = false;
  std::uint64_t insatser = 0;  // the insatser's outcomes, hashed
  ClauseSet clauses;
};

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

Outcome outcome_of(const VisitDecision& d, ClauseIndex& index) {
  Outcome o{d.paid_minutes, d.registered_minutes, d.state, d.customer_fee, d.manual, 0,
            index.set(d)};
  std::uint64_t h = d.insatser.size();
  for (const auto& i : d.insatser) {
    h = mix(h, std::hash<std::string>{}(i.insats));
    h = mix(h, static_cast<std::uint64_t>(i.paid_minutes) << 32 ^
                   static_cast<std::uint32_t>(i.registered_minutes));
    h = mix(h, static_cast<std::uint64_t>(i.state) << 1 | (i.customer_fee ? 1 : 0));
  }
  o.insatser = h;
  return o;
}

bool same_outcome(const Outcome& a, const Outcome& b) {
  return a.paid == b.paid && a.registered == b.registered && a.state == b.state && a.fee == b.fee &&
         a.manual == b.manual && a.insatser == b.insatser;
}

void count(ReplayTotals& t, const MonthlySummary& m) {
  for (const auto& r : m.repayments) {
    ++t.repayments;
    t.repayment_minutes += r.paid_before - r.due_now;
  }
}

void count(ReplayTotals& t, const VisitDecision& d) {
  ++t.decisions;
  t.paid_minutes += d.paid_minutes;
  if (d.state == DecisionState::Rejected) ++t.rejected;
  if (d.manual) ++t.manual_visits;
}

std::string change_text(const ReplayChange& c, const Outcome* a, const Outcome* b) {
  if (!c.present_after) return "decision gone";
  if (!c.present_before) return "new decision";
  std::vector<std::string> parts;
  if (a->state != b->state)
    parts.push_back(std::string("state ") + to_string(a->state) + " → " + to_string(b->state));
  if (a->paid != b->paid) parts.push_back(a->paid < b->paid ? "paid more" : "paid less");
  if (a->registered != b->registered) parts.push_back("registered minutes");
  if (a->fee != b->fee) parts.push_back(b->fee ? "customer fee added" : "customer fee dropped");
  if (a->manual != b->manual) parts.push_back(b->manual ? "counted manual" : "no longer manual");
  if (parts.empty() && a->insatser != b->insatser) parts.push_back("insatser");
  if (parts.empty()) return "same outcome";
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

constexpr std::size_t kExamples = 3;

void add_to_group(std::map<std::string, ReplayGroup>& groups, const std::string& change,
                  const ReplayChange& c) {
  std::string key = change + "|";
  for (const auto& x : c.clauses_removed) key += x + ",";
  key += "|";
  for (const auto& x : c.clauses_added) key += x + ",";
  auto& g = groups[key];
  if (g.decisions == 0) {
    g.change = change;
    g.clauses_removed = c.clauses_removed;
    g.clauses_added = c.clauses_added;
  }
  ++g.decisions;
  g.paid_minutes += c.paid_after - c.paid_before;
  if (g.examples.size() < kExamples) g.examples.push_back(c.provider + "/" + c.id);
}

std::vector<ReplayGroup> most_first(std::map<std::string, ReplayGroup> groups) {
  std::vector<ReplayGroup> out;
  for (auto& [key, g] : groups) out.push_back(std::move(g));
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.decisions > b.decisions; });
  return out;
}

std::string hours(long minutes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(minutes) / 60.0);
  return buf;
}

std::string signed_text(long v) {
  return (v > 0 ? "+" : "") + std::to_string(v);
}

std::string clauses_text(const std::vector<std::string>& removed,
                         const std::vector<std::string>& added) {
  std::string out;
  for (const auto& c : removed) out += (out.empty() ? "" : " ") + std::string("−") + c;
  for (const auto& c : added) out += (out.empty() ? "" : " ") + std::string("+") + c;
  return out.empty() ? "no clause moved" : "clauses " + out;
}

Json totals_json(const ReplayTotals& t) {
  return Json{{"decisions", t.decisions},
              {"paid_minutes", t.paid_minutes},
              {"paid_hours", static_cast<double>(t.paid_minutes) / 60.0},
              {"rejected", t.rejected},
              {"manual_visits", t.manual_visits},
              {"repayments", t.repayments},
              {"repayment_minutes", t.repayment_minutes}};
}

Json group_json(const ReplayGroup& g) {
  return Json{{"change", g.change},
              {"clauses_removed", g.clauses_removed},
              {"clauses_added", g.clauses_added},
              {"decisions", g.decisions},
              {"paid_minutes", g.paid_minutes},
              {"examples", g.examples}};
}

}  // namespace

ReplayInput read_replay(std::istream& in) {
  ReplayInput out;
  std::map<std::string, ScopeBuilder> scopes;
  std::vector<wire::ExportIssue> problems;
  bool have_header = false;
  wire::ExportReader reader;
  reader.header = [&](wire::ExportHeader h, World w) {
    out.header = std::move(h);
    out.world = std::move(w);
    have_header = true;
  };
  reader.registration = [&](std::size_t line, std::string&& provider, Registration&& r) {
    ++out.registrations;
    if (have_header && !out.header.provider.empty() && provider != out.header.provider) {
      problems.push_back({line, "/provider",
                          "provider '" + provider + "' in an export of provider '" +
                              out.header.provider + "'s registrations"});
      return;
    }
    scopes[provider].add(line, std::move(r));
  };
  std::vector<wire::ExportIssue> issues;
  std::size_t more = 0;
  try {
    wire::read_export(in, reader);
  } catch (const wire::ExportError& e) {
    issues = e.issues();
    more = e.more();
  }
  for (auto& [provider, scope] : scopes) {
    scope.finish();
    problems.insert(problems.end(), scope.problems.begin(), scope.problems.end());
  }
  if (!issues.empty() || !problems.empty()) {
    issues.insert(issues.end(), problems.begin(), problems.end());
    std::stable_sort(issues.begin(), issues.end(),
                     [](const auto& a, const auto& b) { return a.line < b.line; });
    if (issues.size() > wire::ExportError::kMaxIssues) {
      more += issues.size() - wire::ExportError::kMaxIssues;
      issues.resize(wire::ExportError::kMaxIssues);
    }
    throw wire::ExportError(std::move(issues), more);
  }
  for (auto& [provider, scope] : scopes) out.scopes.emplace(provider, std::move(scope.regs));
  return out;
}

ReplayReport replay_diff(const ReplayInput& input, const backend::Engine& from,
                         const backend::Engine& to) {
  ReplayReport report;
  report.header = input.header;
  report.registrations = input.registrations;
  std::map<std::string, ReplayProvider> providers;
  for (const auto& p : input.world.providers) providers[p.id] = {p.id, p.name, {}, {}, 0};
  std::map<std::string, ReplayGroup> changed, same;
  ClauseIndex index;

  for (const auto& [scope, regs] : input.scopes) {
    // Before: kept as outcomes and ids while the other version decides.
    std::vector<Outcome> before;
    std::vector<std::string> ids;
    std::vector<std::uint8_t> kinds;  // into kind_names
    std::vector<std::string> kind_names;
    {
      const auto decisions = from.evaluate(input.world, regs);
      before.reserve(decisions.visits.size());
      ids.reserve(decisions.visits.size());
      kinds.reserve(decisions.visits.size());
      for (const auto& d : decisions.visits) {
        before.push_back(outcome_of(d, index));
        ids.push_back(d.id);
        auto k = std::find(kind_names.begin(), kind_names.end(), d.kind);
        if (k == kind_names.end()) k = kind_names.insert(k, d.kind);
        kinds.push_back(static_cast<std::uint8_t>(k - kind_names.begin()));
        auto& p = providers[d.provider];
        p.id = d.provider;
        count(p.before, d);
      }
      for (const auto& m : decisions.months) count(providers[m.provider].before, m);
    }
    const auto after = to.evaluate(input.world, regs);
    for (const auto& m : after.months) count(providers[m.provider].after, m);
    std::vector<bool> paired(before.size(), false);
    std::unordered_map<std::string, std::size_t> by_id;  // only when the orders differ
    const auto find_before = [&](std::size_t i, const std::string& id) -> std::ptrdiff_t {
      if (i < ids.size() && ids[i] == id && !paired[i]) return static_cast<std::ptrdiff_t>(i);
      if (by_id.empty())
        for (std::size_t k = 0; k < ids.size(); ++k) by_id.emplace(ids[k], k);
      const auto it = by_id.find(id);
      return it == by_id.end() || paired[it->second] ? -1 : static_cast<std::ptrdiff_t>(it->second);
    };
    const auto record = [&](ReplayChange c, const Outcome* a, const Outcome* b) {
      const std::string change = change_text(c, a, b);
      if (change == "same outcome") {
        ++report.same_outcome_decisions;
        add_to_group(same, change, c);
        return;
      }
      ++report.changed_decisions;
      add_to_group(changed, change, c);
      report.changes.push_back(std::move(c));
    };
    for (std::size_t i = 0; i < after.visits.size(); ++i) {
      const auto& d = after.visits[i];
      auto& p = providers[d.provider];
      p.id = d.provider;
      count(p.after, d);
      ++report.decisions;
      const Outcome b = outcome_of(d, index);
      const auto k = find_before(i, d.id);
      ReplayChange c{scope, d.id, d.kind, true, true, 0, d.paid_minutes, {}, d.state, {}, {}};
      if (k < 0) {
        c.present_before = false;
        c.clauses_added = index.minus(b.clauses, ClauseSet{});
        ++p.changed;
        record(std::move(c), nullptr, &b);
        continue;
      }
      const auto& a = before[static_cast<std::size_t>(k)];
      paired[static_cast<std::size_t>(k)] = true;
      if (same_outcome(a, b) && a.clauses == b.clauses) continue;
      c.paid_before = a.paid;
      c.state_before = a.state;
      c.clauses_removed = index.minus(a.clauses, b.clauses);
      c.clauses_added = index.minus(b.clauses, a.clauses);
      if (!same_outcome(a, b)) ++p.changed;
      record(std::move(c), &a, &b);
    }
    for (std::size_t k = 0; k < before.size(); ++k) {
      if (paired[k]) continue;
      ++report.decisions;
      const auto& a = before[k];
      ReplayChange c{scope, ids[k], kind_names[kinds[k]], true, false, a.paid, 0, a.state, {},
                     {},    {}};
      c.clauses_removed = index.minus(a.clauses, ClauseSet{});
      record(std::move(c), &a, nullptr);
    }
  }
  for (auto& [id, p] : providers) report.providers.push_back(std::move(p));
  report.changed = most_first(std::move(changed));
  report.same_outcome = most_first(std::move(same));
  return report;
}

void print_replay_diff(std::ostream& out, const ReplayReport& r, bool color) {
  const char* red = color ? "\033[31m" : "";
  const char* bold = color ? "\033[1m" : "";
  const char* plain = color ? "\033[0m" : "";
  out << "kvittens diff: " << r.from << " → " << r.to << " on " << r.registrations
      << " registration(s) from " << r.file << " (" << r.header.from << " to " << r.header.to
      << ", "
      << (r.header.provider.empty() ? std::string("every provider")
                                    : "provider " + r.header.provider)
      << ", exported under " << r.header.rules << ")\n\n";
  out << bold << "Paid hours per provider (before → after)" << plain << "\n";
  for (const auto& p : r.providers) {
    const long delta = p.after.paid_minutes - p.before.paid_minutes;
    out << "  " << p.id << (p.name.empty() ? "" : " " + p.name) << "\n    paid hours "
        << hours(p.before.paid_minutes);
    if (delta == 0)
      out << " (unchanged)";
    else
      out << " → " << (delta < 0 ? red : "") << hours(p.after.paid_minutes) << " ("
          << (delta > 0 ? "+" : "") << hours(delta) << " h, " << signed_text(delta) << " min)"
          << plain;
    const auto figure = [&](const char* name, long a, long b) {
      out << " · " << name << " " << a;
      if (a != b) out << " → " << b;
    };
    figure("decisions", p.before.decisions, p.after.decisions);
    figure("rejected", p.before.rejected, p.after.rejected);
    figure("manual visits", p.before.manual_visits, p.after.manual_visits);
    if (p.before.repayments != 0 || p.after.repayments != 0) {
      figure("repayments", p.before.repayments, p.after.repayments);
      figure("repaid min", p.before.repayment_minutes, p.after.repayment_minutes);
    }
    out << " · " << p.changed << " changed\n";
  }
  if (!r.changed.empty()) {
    out << "\n" << bold << "Changed decisions by clause and change" << plain << "\n";
    for (const auto& g : r.changed) {
      out << "  " << g.decisions << " × " << g.change << " · "
          << clauses_text(g.clauses_removed, g.clauses_added) << " · paid "
          << signed_text(g.paid_minutes) << " min  (e.g.";
      for (const auto& e : g.examples) out << " " << e;
      out << ")\n";
    }
  }
  if (!r.same_outcome.empty()) {
    out << "\n" << bold << "Same outcome, other clauses" << plain << "\n";
    for (const auto& g : r.same_outcome) {
      out << "  " << g.decisions << " × " << clauses_text(g.clauses_removed, g.clauses_added)
          << "  (e.g.";
      for (const auto& e : g.examples) out << " " << e;
      out << ")\n";
    }
  }
  out << "\n"
      << r.changed_decisions << " of " << r.decisions << " decision(s) changed, "
      << r.same_outcome_decisions << " with the same outcome and other clauses\n";
}

Json replay_diff_json(const ReplayReport& r) {
  Json providers = Json::array(), changed = Json::array(), same = Json::array(),
       changes = Json::array();
  for (const auto& p : r.providers)
    providers.push_back(Json{{"id", p.id},
                             {"name", p.name},
                             {"before", totals_json(p.before)},
                             {"after", totals_json(p.after)},
                             {"changed", p.changed}});
  for (const auto& g : r.changed) changed.push_back(group_json(g));
  for (const auto& g : r.same_outcome) same.push_back(group_json(g));
  for (const auto& c : r.changes) {
    const auto side = [](bool present, int paid, DecisionState state) {
      return present ? Json{{"paid_minutes", paid}, {"state", to_string(state)}} : Json(nullptr);
    };
    changes.push_back(Json{{"provider", c.provider},
                           {"id", c.id},
                           {"kind", c.kind},
                           {"from", side(c.present_before, c.paid_before, c.state_before)},
                           {"to", side(c.present_after, c.paid_after, c.state_after)},
                           {"clauses_removed", c.clauses_removed},
                           {"clauses_added", c.clauses_added}});
  }
  return Json{{"kvittens", "diff"},
              {"from", r.from},
              {"to", r.to},
              {"registrations_file", r.file},
              {"export",
               {{"from", r.header.from},
                {"to", r.header.to},
                {"rules", r.header.rules},
                {"provider", r.header.provider.empty() ? Json(nullptr) : Json(r.header.provider)}}},
              {"summary",
               {{"registrations", r.registrations},
                {"decisions", r.decisions},
                {"changed", r.changed_decisions},
                {"same_outcome_other_clauses", r.same_outcome_decisions}}},
              {"providers", providers},
              {"changed", changed},
              {"same_outcome_other_clauses", same},
              {"changes", changes}};
}

}  // namespace kvittens::harness
