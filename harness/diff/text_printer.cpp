// The diff for people: the changed scenarios and decisions, the month's totals per provider,
// colour only on a terminal (docs/diff.md).
#include "harness/diff/diff.hpp"

#include <string>

namespace kvittens::harness {
namespace {

using Json = nlohmann::ordered_json;

struct Paint {
  bool on;
  std::string operator()(const char* code, const std::string& text) const {
    return on ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
  }
};

std::string value(const std::string& field, const Json& j) {
  if (j.is_boolean()) {
    if (field == "present") return j.get<bool>() ? "present" : "absent";
    return j.get<bool>() ? "yes" : "no";
  }
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

std::string label(const std::string& field) {
  if (field == "paid_minutes") return "paid";
  if (field == "registered_minutes") return "registered";
  if (field == "customer_fee") return "fee";
  if (field == "manual_share_exceeded") return "manual share exceeded";
  if (field == "manual_visits") return "manual visits";
  if (field == "paid_before") return "paid before";
  if (field == "due_now") return "due now";
  return field;
}

// "paid 30 → 70 min · state reduced → approved · clauses −4.15 +4.2"
std::string changes(const Difference& d) {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : " · ") + s; };
  if (d.from.is_null() || d.to.is_null()) {
    const Json& side = d.from.is_null() ? d.to : d.from;
    std::string what;
    for (const auto& [k, v] : side.items()) {
      if (k == "clauses" || k == "registered_minutes" || k == "manual" || k == "visits" ||
          k == "manual_visits")
        continue;
      what += (what.empty() ? "" : ", ") + label(k) + " " + value(k, v);
    }
    add(d.from.is_null() ? "none → " + what : what + " → none");
  } else {
    for (const auto& f : d.fields) {
      const bool minutes = f.field.find("minutes") != std::string::npos ||
                           f.field == "paid_before" || f.field == "due_now";
      add(label(f.field) + " " + value(f.field, f.from) + " → " + value(f.field, f.to) +
          (minutes ? " min" : ""));
    }
  }
  if (!d.clauses_removed.empty() || !d.clauses_added.empty()) {
    std::string c = "clauses";
    for (const auto& x : d.clauses_removed) c += " −" + x;
    for (const auto& x : d.clauses_added) c += " +" + x;
    add(c);
  }
  return out;
}

void print_difference(std::ostream& out, const Difference& d, const Paint& paint,
                      bool verdict = true) {
  std::string mark;
  if (verdict && d.outcome_changed()) {
    mark = d.declared ? paint("32", "declared") : paint("31", "UNDECLARED: " + d.note);
    if (d.kind == "month" && d.declared) mark = d.note;  // the visits carry the declaration
  }
  out << "  " << paint("1", d.subject) << (d.context.empty() ? "" : " (" + d.context + ")")
      << (mark.empty() ? "" : "  " + mark) << "\n";
  const std::string line = changes(d);
  if (!line.empty()) out << "    " << line << "\n";
  for (const auto& p : d.parts) out << "    " << p.subject << ": " << changes(p) << "\n";
}

std::string delta(int a, int b) {
  if (a == b) return std::to_string(a);
  return std::to_string(a) + " → " + std::to_string(b) + " (" + (b > a ? "+" : "") +
         std::to_string(b - a) + ")";
}

// "parameter repayment false → true"; a clause's text is too long for a line.
std::string change_line(const PackChange& c) {
  if (c.kind == PackChange::Kind::Clause) {
    if (c.from == "none") return c.name() + " added";
    if (c.to == "none") return c.name() + " removed";
    return c.name() + " title or statement";
  }
  return c.name() + " " + c.from + " → " + c.to;
}

// "Change coverage: 2 of 3 change(s) exercised; not exercised: matrix Städning × Tvätt", then
// each change with what exercised it (the first three) or why nothing could.
void print_coverage(std::ostream& out, const std::vector<ChangeCoverage>& coverage,
                    const Paint& paint) {
  out << "\n";
  if (coverage.empty()) {
    out << "Change coverage: no change between the two versions\n";
    return;
  }
  const int missing = unexercised(coverage);
  out << "Change coverage: " << (coverage.size() - static_cast<std::size_t>(missing)) << " of "
      << coverage.size() << " change(s) exercised";
  if (missing) {
    std::string names;
    for (const auto& c : coverage) {
      if (!c.exercised()) names += (names.empty() ? "" : ", ") + c.change.name();
    }
    out << "; " << paint("31", "not exercised: " + names);
  }
  out << "\n";
  constexpr std::size_t kShown = 3;
  for (const auto& c : coverage) {
    out << "  " << change_line(c.change) << ": ";
    if (!c.exercised()) {
      out << paint("31", "NOT EXERCISED") << (c.why_not.empty() ? "" : " (" + c.why_not + ")")
          << "\n";
      continue;
    }
    out << "exercised by " << c.by.size() << " decision(s): ";
    for (std::size_t i = 0; i < c.by.size() && i < kShown; ++i) out << (i ? ", " : "") << c.by[i];
    if (c.by.size() > kShown) out << " and " << (c.by.size() - kShown) << " more";
    out << "\n";
  }
}

}  // namespace

void print_diff(std::ostream& out, const DiffReport& r, bool color) {
  const Paint paint{color};
  out << "kvittens diff: " << r.from << " → " << r.to << " (" << r.scenarios.size()
      << " scenarios, hardware " << r.hardware << ")\n";
  int changed = 0, reasons = 0, decisions = 0;
  for (const auto& s : r.scenarios) {
    if (!s.error.empty()) {
      out << "\n"
          << paint("31", "ERROR") << "  " << s.file << "  " << s.name << "\n    " << s.error
          << "\n";
      continue;
    }
    if (!s.outcome_changed()) continue;
    ++changed;
    out << "\n"
        << paint(s.undeclared() ? "31" : "33", "CHANGED") << "  " << s.file << "  " << s.name
        << "\n";
    for (const auto& d : s.differences) {
      if (d.outcome_changed() && d.kind != "month") ++decisions;
      if (d.outcome_changed()) print_difference(out, d, paint);
    }
  }
  for (const auto& s : r.scenarios) {
    const bool moved = s.error.empty() && !s.outcome_changed() && !s.differences.empty();
    if (!moved) continue;
    ++reasons;
    out << "\n"
        << "SAME OUTCOME, OTHER CLAUSES  " << s.file << "  " << s.name << "\n";
    for (const auto& d : s.differences) print_difference(out, d, paint);
  }
  const int und = undeclared(r), err = errors(r);
  out << "\n"
      << changed << " scenario(s) with changed outcomes (" << decisions << " decision(s), "
      << (und ? paint("31", std::to_string(und) + " undeclared") : std::string("all declared"))
      << "), " << reasons << " with the same outcome and other clauses, "
      << (r.scenarios.size() - static_cast<std::size_t>(changed + reasons + err)) << " unchanged"
      << (err ? ", " + std::to_string(err) + " could not run" : "") << "\n";
  if (r.coverage) print_coverage(out, *r.coverage, paint);
}

void print_month_diff(std::ostream& out, const MonthDiffReport& r, bool color, std::size_t limit) {
  const Paint paint{color};
  out << "kvittens diff: " << r.from << " → " << r.to << " on a synthetic month (" << r.month
      << ")\n\n";
  out << "Totals per provider (before → after)\n";
  for (const auto& p : r.providers) {
    const auto& a = p.before;
    const auto& b = p.after;
    out << "  " << paint("1", p.id + " " + p.name) << "\n"
        << "    decisions " << delta(a.decisions, b.decisions) << " · paid minutes "
        << delta(a.paid_minutes, b.paid_minutes) << " · rejected " << delta(a.rejected, b.rejected)
        << " · manual visits " << delta(a.manual_visits, b.manual_visits)
        << (a.manual_share_exceeded != b.manual_share_exceeded
                ? std::string(" · manual share exceeded ") +
                      (a.manual_share_exceeded ? "yes" : "no") + " → " +
                      (b.manual_share_exceeded ? "yes" : "no")
                : "")
        << " · repayments " << delta(a.repayments, b.repayments) << " ("
        << delta(a.repayment_minutes, b.repayment_minutes) << " min)\n";
  }
  std::size_t changed = 0, shown = 0;
  for (const auto& part : r.parts) {
    for (const auto& d : part.differences) {
      if (!d.outcome_changed() || d.kind == "month") continue;
      if (changed++ == 0) out << "\nChanged decisions\n";
      if (shown >= limit) continue;
      ++shown;
      print_difference(out, d, paint, false);  // a synthetic month declares nothing
    }
  }
  if (changed > shown) out << "  ... and " << (changed - shown) << " more (--json lists all)\n";
  out << "\n"
      << changed << " of " << r.decisions << " decision(s) changed, "
      << same_outcome_other_clauses(r) << " with the same outcome and other clauses\n";
  if (r.added) {
    out << "\nAdded to the month to exercise the changes\n";
    for (const auto& v : r.added_visits) out << "  " << v << "\n";
    for (const auto& d : r.added->differences) {
      if (d.kind == "visit") print_difference(out, d, paint, false);
    }
  }
  if (r.coverage) print_coverage(out, *r.coverage, paint);
}

}  // namespace kvittens::harness
