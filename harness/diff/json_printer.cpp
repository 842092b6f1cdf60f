// The diff for machines: deterministic JSON, no times or host details (docs/diff.md).
#include "harness/diff/diff.hpp"

namespace kvittens::harness {
namespace {

using Json = nlohmann::ordered_json;

Json field_json(const FieldChange& f) {
  return Json{{"field", f.field}, {"from", f.from}, {"to", f.to}};
}

Json difference_json(const Difference& d) {
  Json j{{"kind", d.kind}, {"subject", d.subject}};
  if (!d.context.empty()) j["context"] = d.context;
  j["outcome_changed"] = d.outcome_changed();
  if (d.outcome_changed()) {
    j["declared"] = d.declared;
    j["note"] = d.note;
  }
  j["from"] = d.from;
  j["to"] = d.to;
  Json fs = Json::array();
  for (const auto& f : d.fields) fs.push_back(field_json(f));
  j["fields"] = fs;
  j["clauses_removed"] = d.clauses_removed;
  j["clauses_added"] = d.clauses_added;
  if (d.kind == "visit") {
    Json ps = Json::array();
    for (const auto& p : d.parts) ps.push_back(difference_json(p));
    j["insatser"] = ps;
  }
  return j;
}

Json totals_json(const ProviderTotals& t) {
  return Json{{"decisions", t.decisions},
              {"paid_minutes", t.paid_minutes},
              {"rejected", t.rejected},
              {"manual_visits", t.manual_visits},
              {"manual_share_exceeded", t.manual_share_exceeded},
              {"repayments", t.repayments},
              {"repayment_minutes", t.repayment_minutes}};
}

// A decision's stamp as `evaluate --json` writes it; null when there is none.
Json stamp_json(const std::optional<Stamp>& s) {
  if (!s) return Json();
  return Json{
      {"pack", s->pack}, {"version", s->version}, {"effective", s->effective}, {"hash", s->hash}};
}

Json stamps_json(const ScenarioDiff& s) {
  return Json{{"from", stamp_json(s.from_stamp)}, {"to", stamp_json(s.to_stamp)}};
}

Json coverage_json(const std::vector<ChangeCoverage>& coverage) {
  Json list = Json::array();
  for (const auto& c : coverage) {
    Json j{{"change", c.change.name()},
           {"kind", to_string(c.change.kind)},
           {"subject", c.change.subject},
           {"from", c.change.from},
           {"to", c.change.to},
           {"exercised", c.exercised()},
           {"by", c.by}};
    if (!c.why_not.empty()) j["why_not"] = c.why_not;
    list.push_back(j);
  }
  return list;
}

Json coverage_summary(const std::vector<ChangeCoverage>& coverage) {
  return Json{{"changes", coverage.size()},
              {"exercised", coverage.size() - static_cast<std::size_t>(unexercised(coverage))}};
}

}  // namespace

nlohmann::ordered_json diff_json(const DiffReport& r) {
  Json doc;
  doc["kvittens"] = "diff";
  doc["from"] = r.from;
  doc["to"] = r.to;
  doc["hardware"] = r.hardware;
  // The stamps of the whole run, so a diff that lists no scenario still says what it compared:
  // the first each side's decisions carry.
  ScenarioDiff first;
  for (const auto& s : r.scenarios) {
    if (!first.from_stamp) first.from_stamp = s.from_stamp;
    if (!first.to_stamp) first.to_stamp = s.to_stamp;
  }
  doc["stamps"] = stamps_json(first);
  int changed = 0, reasons = 0, decisions = 0;
  Json list = Json::array();
  for (const auto& s : r.scenarios) {
    if (s.error.empty() && s.differences.empty()) continue;
    Json j{{"file", s.file},
           {"scenario", s.name},
           {"from_rules", s.from_rules},
           {"to_rules", s.to_rules},
           {"stamps", stamps_json(s)}};
    if (!s.error.empty()) {
      j["status"] = "error";
      j["error"] = s.error;
    } else {
      j["status"] = s.outcome_changed() ? "changed" : "same_outcome";
      (s.outcome_changed() ? changed : reasons)++;
      j["expectations"] = Json{{"from", to_string(s.from_status)}, {"to", to_string(s.to_status)}};
    }
    Json ds = Json::array();
    for (const auto& d : s.differences) {
      if (d.outcome_changed() && d.kind != "month") ++decisions;
      ds.push_back(difference_json(d));
    }
    j["differences"] = ds;
    list.push_back(j);
  }
  const int err = errors(r);
  doc["summary"] =
      Json{{"scenarios", r.scenarios.size()},
           {"changed", changed},
           {"same_outcome_other_clauses", reasons},
           {"unchanged", r.scenarios.size() - static_cast<std::size_t>(changed + reasons + err)},
           {"errors", err},
           {"decisions_changed", decisions},
           {"undeclared", undeclared(r)}};
  doc["scenarios"] = list;
  if (r.coverage) {
    doc["coverage_summary"] = coverage_summary(*r.coverage);
    doc["coverage"] = coverage_json(*r.coverage);
  }
  return doc;
}

nlohmann::ordered_json month_diff_json(const MonthDiffReport& r) {
  Json doc{
      {"kvittens", "diff"}, {"mode", "month"}, {"from", r.from}, {"to", r.to}, {"month", r.month}};
  Json ps = Json::array();
  for (const auto& p : r.providers) {
    ps.push_back(Json{{"provider", p.id},
                      {"name", p.name},
                      {"before", totals_json(p.before)},
                      {"after", totals_json(p.after)}});
  }
  doc["providers"] = ps;
  Json changes = Json::array();
  for (const auto& part : r.parts) {
    for (const auto& d : part.differences) {
      if (!d.outcome_changed() || d.kind == "month") continue;
      auto j = difference_json(d);
      j.erase("declared");
      j.erase("note");
      j["rules"] = part.name;
      changes.push_back(j);
    }
  }
  Json others = Json::array();
  for (const auto& part : r.parts) {
    for (const auto& d : part.differences) {
      if (d.kind == "visit" && !d.outcome_changed()) others.push_back(d.subject);
    }
  }
  doc["same_outcome_other_clauses"] = others;
  doc["summary"] = Json{{"decisions", r.decisions},
                        {"changed", changes.size()},
                        {"same_outcome_other_clauses", same_outcome_other_clauses(r)}};
  doc["changes"] = changes;
  Json stamps = Json::array();
  for (const auto& part : r.parts) {
    auto j = stamps_json(part);
    j["rules"] = part.name;
    stamps.push_back(j);
  }
  doc["stamps"] = stamps;
  if (r.added) {
    Json added = Json::array();
    for (const auto& d : r.added->differences) {
      if (d.kind != "visit") continue;
      auto j = difference_json(d);
      j.erase("declared");
      j.erase("note");
      added.push_back(j);
    }
    doc["added"] = Json{{"visits", r.added_visits}, {"changes", added}};
  }
  if (r.coverage) {
    doc["coverage_summary"] = coverage_summary(*r.coverage);
    doc["coverage"] = coverage_json(*r.coverage);
  }
  return doc;
}

}  // namespace kvittens::harness
