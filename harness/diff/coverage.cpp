#include "harness/diff/coverage.hpp"

#include <algorithm>
#include <memory>
#include <set>

#include "backend/inprocess.hpp"
#include "kvittens/clauses.hpp"

namespace kvittens::harness {
namespace {

using Kind = PackChange::Kind;

// The subjects of a run in the order they are found, each once.
class Subjects {
 public:
  void add(const std::string& s) {
    if (seen_.insert(s).second) list_.push_back(s);
  }
  const std::vector<std::string>& list() const { return list_; }

 private:
  std::set<std::string> seen_;
  std::vector<std::string> list_;
};

// Whether an insats takes part in the matrix on the side that decided it (I-2): not when
// registered as Avböjd insats (its trace cites 4.8) nor when that side's catalogue withdrew it.
bool in_matrix(const InsatsDecision& i, const backend::RulePack& pack) {
  const auto* info = pack.insats(i.insats);
  return !cites(i.trace, "4.8") && (!info || info->withdrawn.empty());
}

bool has_pair(const VisitDecision& d, const std::vector<std::string>& pair,
              const backend::RulePack& pack) {
  if (pair.size() != 2) return false;
  auto takes_part = [&](const std::string& name) {
    return std::any_of(d.insatser.begin(), d.insatser.end(), [&](const InsatsDecision& i) {
      return i.insats == name && in_matrix(i, pack);
    });
  };
  return takes_part(pair[0]) && takes_part(pair[1]);
}

bool has_insats(const VisitDecision& d, const std::string& name) {
  return std::any_of(d.insatser.begin(), d.insatser.end(),
                     [&](const InsatsDecision& i) { return i.insats == name; });
}

std::string month_subject(const MonthlySummary& m) {
  return "month " + m.provider + " " + m.month;
}

// The decisions of one side that exercise a change found by looking at them (matrix cells,
// catalogue entries, clauses).
void scan(const PackChange& c, const Decisions& ds, const backend::RulePack& pack,
          const std::string& where, Subjects& out) {
  for (const auto& d : ds.visits) {
    const bool hit = (c.kind == Kind::Matrix && has_pair(d, c.pair, pack)) ||
                     (c.kind == Kind::Insats && has_insats(d, c.subject)) ||
                     (c.kind == Kind::Clause && cites(d, c.subject));
    if (hit) out.add(where + "visit " + d.id);
  }
  if (c.kind != Kind::Clause) return;
  for (const auto& m : ds.months) {
    if (cites(m.trace, c.subject)) out.add(where + month_subject(m));
    for (const auto& r : m.repayments) {
      if (r.reason.clause == c.subject)
        out.add(where + "repayment " + r.visit + " (" + m.provider + " " + m.month + ")");
    }
  }
}

// Everything of a decision but its stamp: the alone-run is stamped as `from`.
bool same(const VisitDecision& a, const VisitDecision& b) {
  return a.kind == b.kind && a.registered_minutes == b.registered_minutes &&
         a.paid_minutes == b.paid_minutes && a.state == b.state &&
         a.customer_fee == b.customer_fee && a.manual == b.manual && a.insatser == b.insatser &&
         a.trace == b.trace;
}

bool same_totals(const MonthlySummary& a, const MonthlySummary& b) {
  return a.visits == b.visits && a.manual_visits == b.manual_visits &&
         a.manual_share_exceeded == b.manual_share_exceeded && a.paid_minutes == b.paid_minutes &&
         a.rejected == b.rejected && a.trace == b.trace;
}

// The decisions that differ between two decidings of the same registrations, in `a`'s order
// (then those only `b` has).
void moved(const Decisions& a, const Decisions& b, const std::string& where, Subjects& out) {
  std::map<std::string, const VisitDecision*> by_id;
  for (const auto& d : b.visits) by_id.emplace(d.id, &d);
  std::set<std::string> in_a;
  for (const auto& d : a.visits) {
    in_a.insert(d.id);
    const auto it = by_id.find(d.id);
    if (it == by_id.end() || !same(d, *it->second)) out.add(where + "visit " + d.id);
  }
  for (const auto& d : b.visits) {
    if (!in_a.count(d.id)) out.add(where + "visit " + d.id);
  }
  std::map<std::pair<std::string, std::string>, const MonthlySummary*> months;
  for (const auto& m : b.months) months.emplace(std::make_pair(m.provider, m.month), &m);
  static const MonthlySummary none;
  for (const auto& m : a.months) {
    const auto it = months.find({m.provider, m.month});
    const auto& other = it == months.end() ? none : *it->second;
    if (it == months.end() || !same_totals(m, other)) out.add(where + month_subject(m));
    const auto where_month = " (" + m.provider + " " + m.month + ")";
    for (const auto& r : m.repayments) {
      if (std::find(other.repayments.begin(), other.repayments.end(), r) == other.repayments.end())
        out.add(where + "repayment " + r.visit + where_month);
    }
    for (const auto& r : other.repayments) {
      if (std::find(m.repayments.begin(), m.repayments.end(), r) == m.repayments.end())
        out.add(where + "repayment " + r.visit + where_month);
    }
  }
  for (const auto& m : b.months) {
    const bool in = std::any_of(a.months.begin(), a.months.end(), [&](const MonthlySummary& x) {
      return x.provider == m.provider && x.month == m.month;
    });
    if (!in) out.add(where + month_subject(m));
  }
}

}  // namespace

std::vector<ChangeCoverage> change_coverage(const std::vector<PackChange>& changes,
                                            const std::vector<CoverageRun>& runs,
                                            const backend::RulePack& from,
                                            const backend::RulePack& to) {
  std::vector<ChangeCoverage> out;
  for (std::size_t k = 0; k < changes.size(); ++k) {
    const auto& c = changes[k];
    Subjects by;
    for (const auto& run : runs) {
      if (c.kind == Kind::Parameter) {
        const auto it = run.alone.find(k);
        if (run.from && it != run.alone.end()) moved(*run.from, it->second, run.where, by);
        continue;
      }
      if (run.from) scan(c, *run.from, from, run.where, by);
      if (run.to) scan(c, *run.to, to, run.where, by);
    }
    out.push_back({c, by.list(), ""});
  }
  return out;
}

int unexercised(const std::vector<ChangeCoverage>& coverage) {
  return static_cast<int>(std::count_if(coverage.begin(), coverage.end(),
                                        [](const auto& c) { return !c.exercised(); }));
}

void explain_unexercised_in_month(std::vector<ChangeCoverage>& coverage) {
  for (auto& c : coverage) {
    if (c.exercised()) continue;
    switch (c.change.kind) {
      case Kind::Parameter:
        c.why_not =
            "the month generator makes no registrations aimed at a parameter, and no decision "
            "of the month moves when it alone changes";
        break;
      case Kind::Clause:
        c.why_not =
            "the month generator makes no registrations aimed at a clause, and no decision of "
            "the month cites it";
        break;
      case Kind::Matrix:
      case Kind::Insats:
        c.why_not =
            "the visit added for it was refused on both sides, or its insatser took no part "
            "(withdrawn)";
        break;
    }
  }
}

std::vector<ChangeCoverage> scenario_coverage(const backend::RulePack& from,
                                              const backend::RulePack& to,
                                              const std::vector<Job>& jobs,
                                              const std::vector<RunResult>& from_results,
                                              const std::vector<RunResult>& to_results,
                                              RunOptions options, int threads) {
  const auto changes = pack_changes(from, to);
  std::vector<CoverageRun> runs(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    runs[i].where = jobs[i].scenario->file + ": ";
    runs[i].from = &from_results.at(i).decisions;
    runs[i].to = &to_results.at(i).decisions;
  }
  for (std::size_t k = 0; k < changes.size(); ++k) {
    if (changes[k].kind != Kind::Parameter) continue;
    options.backend = backends_with(with_change(from, to, changes[k]));
    auto alone = run_jobs(jobs, options, threads);
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      // A run that could not run on either side shows nothing of the change.
      if (alone[i].status != RunStatus::Error && from_results[i].status != RunStatus::Error)
        runs[i].alone.emplace(k, std::move(alone[i].decisions));
    }
  }
  return change_coverage(changes, runs, from, to);
}

BackendFactory backends_with(const backend::RulePack& pack) {
  return [pack](const std::string&) -> std::unique_ptr<BackendClient> {
    return std::make_unique<backend::InProcessBackend>(pack);
  };
}

}  // namespace kvittens::harness
