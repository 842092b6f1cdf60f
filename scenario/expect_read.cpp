#include "scenario/expect_read.hpp"

#include <algorithm>

namespace kvittens::harness {
namespace {

DecisionState state_of(const std::string& s) {
  if (s == "reduced") return DecisionState::Reduced;
  if (s == "rejected") return DecisionState::Rejected;
  return DecisionState::Approved;
}

class ExpectReader : public NameCheck {
 public:
  using NameCheck::NameCheck;

  // Clause ids an expectation names, each of which must be a clause of every pack in `packs`:
  // an id no pack has ("4.1O") would pass as not_clauses and fail as clauses without saying why.
  std::vector<std::string> clauses(const YAML::Node& n,
                                   const std::vector<std::string>& packs) const {
    const auto ids = r_.strings(n, "clause ids");
    for (std::size_t i = 0; i < ids.size(); ++i) clause(n.IsSequence() ? n[i] : n, ids[i], packs);
    return ids;
  }
  void clause(const YAML::Node& at, const std::string& id,
              const std::vector<std::string>& packs) const {
    std::string lacking;
    const std::vector<std::string>* known = nullptr;
    for (const auto& rules : packs) {
      const auto it = n_.clause_ids.find(rules);
      if (it == n_.clause_ids.end() || contains(it->second, id)) continue;
      lacking += (lacking.empty() ? "" : ", ") + rules;
      if (!known) known = &it->second;
    }
    if (lacking.empty()) return;
    // Of candidates as close, the one of the same length: "4.1O" is more likely "4.10" than "4.1".
    std::vector<std::string> candidates = *known;
    std::stable_sort(candidates.begin(), candidates.end(), [&](const auto& a, const auto& b) {
      const auto off = [&](const std::string& c) {
        return c.size() > id.size() ? c.size() - id.size() : id.size() - c.size();
      };
      return off(a) < off(b);
    });
    problem(at, "unknown clause '" + id + "' (not a clause of " + lacking + ")" +
                    did_you_mean(id, candidates));
  }

  void known_id(const YAML::Node& key, const std::string& id,
                const std::set<std::string>& registrations) const {
    if (registrations.count(id)) return;
    // Decisions derived from one registration (an absence's days) are named "<id>/...".
    const auto slash = id.find('/');
    if (slash != std::string::npos && registrations.count(id.substr(0, slash))) return;
    const std::vector<std::string> known(registrations.begin(), registrations.end());
    problem(key, "unknown registration id '" + id + "' in expect" + did_you_mean(id, known));
  }

  // `packs`: the rule selections the expectations are held against (the run's for `expect`,
  // its own for a by_rules block).
  Expectations expect(const YAML::Node& node, const std::set<std::string>& registrations,
                      bool allow_by_rules, std::map<std::string, Expectations>* by_rules,
                      const std::vector<std::string>& packs) const {
    Expectations e;
    std::vector<std::string> keys = {"visits", "months", "refusals", "log"};
    if (allow_by_rules) keys.push_back("by_rules");
    r_.check_map(node, keys, allow_by_rules ? "expect" : "by_rules block");
    if (auto vs = node["visits"]) {
      if (!vs.IsMap()) r_.fail(vs, "expected visits as a map: registration id -> expectations");
      for (auto it = vs.begin(); it != vs.end(); ++it) {
        VisitExpect v;
        v.id = r_.str(it->first, "registration id");
        v.where = r_.where(it->first);
        known_id(it->first, v.id, registrations);
        const YAML::Node b = it->second;
        r_.check_map(b,
                     {"registered", "paid_minutes", "registered_minutes", "state", "customer_fee",
                      "manual", "clauses", "not_clauses", "insatser"},
                     "expectation for '" + v.id + "'");
        if (b["registered"]) v.registered = r_.boolean(b["registered"], "registered");
        if (b["paid_minutes"]) v.paid_minutes = r_.integer(b["paid_minutes"], "paid_minutes");
        if (b["registered_minutes"]) {
          v.registered_minutes = r_.integer(b["registered_minutes"], "registered_minutes");
        }
        if (b["state"]) {
          v.state = state_of(r_.choice(b["state"], {"approved", "reduced", "rejected"}, "state"));
        }
        if (b["customer_fee"]) v.customer_fee = r_.boolean(b["customer_fee"], "customer_fee");
        if (b["manual"]) v.manual = r_.boolean(b["manual"], "manual");
        if (b["clauses"]) v.clauses = clauses(b["clauses"], packs);
        if (b["not_clauses"]) v.not_clauses = clauses(b["not_clauses"], packs);
        if (auto is = b["insatser"]) {
          if (!is.IsMap()) r_.fail(is, "expected insatser as a map: insats name -> expectations");
          for (auto jt = is.begin(); jt != is.end(); ++jt) {
            InsatsExpect i;
            i.insats = r_.str(jt->first, "insats name");
            i.where = r_.where(jt->first);
            insats(jt->first, i.insats);
            const YAML::Node ib = jt->second;
            r_.check_map(ib,
                         {"paid_minutes", "registered_minutes", "state", "customer_fee", "clauses"},
                         "expectation for insats '" + i.insats + "'");
            if (ib["paid_minutes"]) i.paid_minutes = r_.integer(ib["paid_minutes"], "paid_minutes");
            if (ib["registered_minutes"]) {
              i.registered_minutes = r_.integer(ib["registered_minutes"], "registered_minutes");
            }
            if (ib["state"]) {
              i.state =
                  state_of(r_.choice(ib["state"], {"approved", "reduced", "rejected"}, "state"));
            }
            if (ib["customer_fee"]) i.customer_fee = r_.boolean(ib["customer_fee"], "customer_fee");
            if (ib["clauses"]) i.clauses = clauses(ib["clauses"], packs);
            v.insatser[i.insats] = i;
          }
        }
        e.visits[v.id] = v;
      }
    }
    if (auto ms = node["months"]) {
      if (!ms.IsSequence()) r_.fail(ms, "expected months as a list");
      for (const auto& m : ms) {
        MonthExpect x;
        x.where = r_.where(m);
        r_.check_map(m,
                     {"provider", "month", "visits", "manual_visits", "paid_minutes", "rejected",
                      "manual_share_exceeded", "repayments", "clauses"},
                     "month expectation");
        if (m["provider"]) {
          x.provider = ref(m["provider"], n_.providers, "provider");
        } else if (n_.providers.size() == 1) {
          x.provider = n_.providers[0];
        } else {
          r_.fail(m, "missing 'provider' in month expectation (the world has several)");
        }
        x.month = r_.str(r_.require(m, "month", "month expectation"), "month");
        try {
          parse_month(x.month);
        } catch (const std::exception&) {
          r_.fail(m["month"], "expected month as YYYY-MM, got '" + x.month + "'");
        }
        if (m["visits"]) x.visits = r_.integer(m["visits"], "visits");
        if (m["manual_visits"]) x.manual_visits = r_.integer(m["manual_visits"], "manual_visits");
        if (m["paid_minutes"]) x.paid_minutes = r_.integer(m["paid_minutes"], "paid_minutes");
        if (m["rejected"]) x.rejected = r_.integer(m["rejected"], "rejected");
        if (m["manual_share_exceeded"]) {
          x.manual_share_exceeded = r_.boolean(m["manual_share_exceeded"], "manual_share_exceeded");
        }
        if (m["clauses"]) x.clauses = clauses(m["clauses"], packs);
        if (auto rs = m["repayments"]) {
          if (!rs.IsSequence()) r_.fail(rs, "expected repayments as a list");
          x.repayments.emplace();
          for (const auto& rp : rs) {
            RepaymentExpect y;
            y.where = r_.where(rp);
            r_.check_map(rp, {"visit", "paid_before", "due_now"}, "repayment");
            y.visit = r_.str(r_.require(rp, "visit", "repayment"), "visit id");
            known_id(rp["visit"], y.visit, registrations);
            if (rp["paid_before"]) y.paid_before = r_.integer(rp["paid_before"], "paid_before");
            if (rp["due_now"]) y.due_now = r_.integer(rp["due_now"], "due_now");
            x.repayments->push_back(y);
          }
        }
        e.months.push_back(x);
      }
    }
    if (auto rs = node["refusals"]) {
      if (!rs.IsMap()) r_.fail(rs, "expected refusals as a map: registration id -> {clause}");
      for (auto it = rs.begin(); it != rs.end(); ++it) {
        RefusalExpect x;
        x.id = r_.str(it->first, "registration id");
        x.where = r_.where(it->first);
        known_id(it->first, x.id, registrations);
        if (it->second && !it->second.IsNull()) {
          r_.check_map(it->second, {"clause"}, "refusal");
          if (it->second["clause"]) {
            x.clause = r_.str(it->second["clause"], "clause id");
            clause(it->second["clause"], x.clause, packs);
          }
        }
        e.refusals[x.id] = x;
      }
    }
    if (auto ls = node["log"]) {
      if (!ls.IsSequence()) r_.fail(ls, "expected log as a list of texts (\"who: what\")");
      for (const auto& l : ls) e.log.push_back({r_.where(l), r_.str(l, "log text")});
    }
    if (auto br = node["by_rules"]; br && by_rules) {
      if (!br.IsMap()) r_.fail(br, "expected by_rules as a map: PACK@VERSION -> expectations");
      for (auto it = br.begin(); it != br.end(); ++it) {
        const std::string rules = r_.str(it->first, "rule version");
        ref(it->first, n_.rules, "rule version (not in the scenario's rules)", rules);
        (*by_rules)[rules] = expect(it->second, registrations, false, nullptr, {rules});
      }
    }
    return e;
  }
};

}  // namespace

Expectations read_expectations(const YamlReader& r, Names& names, const YAML::Node& expect,
                               const std::set<std::string>& registrations,
                               std::map<std::string, Expectations>& by_rules,
                               const std::vector<std::string>& packs) {
  return ExpectReader(r, names).expect(expect, registrations, true, &by_rules, packs);
}

}  // namespace kvittens::harness
