#include "report/report_html.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "backend/rulepack/rule_pack.hpp"
#include "report/explain.hpp"
#include "report/markup.hpp"
#include "report/timeline.hpp"

namespace kvittens::harness {

namespace {

using Json = nlohmann::ordered_json;

std::string esc(const std::string& s) {
  return escape_markup(s);
}

std::string show(const Json& j) {
  return j.is_string() ? j.get<std::string>() : j.dump();
}

// ---------------------------------------------------------------- the page

const char* kStyle = R"CSS(
:root{--ok:#15803d;--reduced:#b45309;--rejected:#b91c1c;--none:#6b7280;--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f9fafb}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);margin:0;background:var(--bg)}
header{background:#111827;color:#f9fafb;padding:18px 28px}
header h1{margin:0 0 4px;font-size:20px;font-weight:600}
header p{margin:0;color:#d1d5db}
main{padding:18px 28px;max-width:1500px}
.counts{display:flex;gap:10px;margin:4px 0 14px;flex-wrap:wrap}
.count{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px}
.count b{display:block;font-size:22px}
.count.pass b{color:var(--ok)}.count.fail b{color:var(--rejected)}.count.error b{color:var(--reduced)}
table{border-collapse:collapse;background:#fff}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}
table.runs{width:100%}
a{color:#1d4ed8;text-decoration:none}a:hover{text-decoration:underline}
.badge{display:inline-block;font-size:11px;font-weight:700;border-radius:4px;padding:1px 6px;color:#fff;letter-spacing:.04em}
.badge.pass{background:var(--ok)}.badge.fail{background:var(--rejected)}.badge.error{background:var(--reduced)}
section.run{background:#fff;border:1px solid var(--line);border-radius:10px;margin:18px 0;padding:14px 18px}
section.run.fail{border-left:5px solid var(--rejected)}section.run.error{border-left:5px solid var(--reduced)}
section.run h2{font-size:16px;margin:0 0 2px}
.meta{color:var(--muted);margin:0 0 10px;font-size:13px}
.stamp{color:var(--muted);margin:-6px 0 10px;font-size:12px;font-family:monospace;overflow-wrap:anywhere}
.row{display:flex;gap:18px;align-items:flex-start;flex-wrap:wrap}
.timeline-wrap{overflow-x:auto;max-width:100%}
aside.mismatches{flex:1;min-width:320px}
aside.mismatches h3,.decisions h3{font-size:13px;margin:6px 0;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
aside.mismatches td.expected{color:var(--ok)}aside.mismatches td.actual{color:var(--rejected)}
aside.mismatches code{white-space:pre-wrap;word-break:break-word}
aside.mismatches .where{font:11px ui-monospace,"DejaVu Sans Mono",monospace;color:var(--muted);word-break:break-all}
.error-text{color:var(--rejected);font-weight:600}
details{margin:3px 0}
details>summary{cursor:pointer}
details:target>summary{background:#fef9c3}
details pre{background:#f3f4f6;border-radius:6px;padding:10px;overflow-x:auto;font-size:12px;margin:6px 0 10px}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:baseline}
.dot.approved{background:var(--ok)}.dot.reduced{background:var(--reduced)}.dot.rejected{background:var(--rejected)}
details.device-log details.step{margin-left:16px}
details.device-log .n{color:var(--muted);font-size:12px}
table.devlog{font:11px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;margin:4px 0 8px}
table.devlog td{padding:1px 6px;border-bottom:1px solid #f3f4f6}
table.devlog code{word-break:break-all}
table.devlog tr.bad td{background:#fef2f2;color:var(--rejected)}
p.more{color:var(--muted);font-size:12px;margin:2px 0 8px}
ol.log{font:12px/1.5 ui-monospace,"DejaVu Sans Mono",monospace;margin:6px 0}
.legend{display:flex;gap:16px;flex-wrap:wrap;align-items:center;font-size:12px;color:var(--muted);margin:8px 0 0}
.legend svg{vertical-align:middle}
label.filter{font-size:13px}
h3.list{font-size:13px;margin:10px 0 4px;color:var(--rejected);text-transform:uppercase;letter-spacing:.03em}
details.all-runs>summary{font-weight:600;margin:10px 0 4px}
p.tools{margin:8px 0 0}
body.failures-only section.run.pass,body.failures-only tr.pass{display:none}
svg.timeline{font:11px system-ui,"DejaVu Sans",sans-serif;display:block}
svg .lane-bg{fill:#fff;stroke:var(--line)}
svg .lane-label{font-size:12px;font-weight:600;fill:var(--ink)}
svg .axis line{stroke:#eef0f3}svg .axis .tick{fill:var(--muted);text-anchor:middle;font-size:10px}
svg .axis .day{fill:var(--ink);font-weight:600;font-size:11px}
svg .bar rect{stroke:rgba(0,0,0,.25)}
svg .bar.approved rect{fill:#86efac}svg .bar.reduced rect{fill:#fcd34d}svg .bar.rejected rect{fill:#fca5a5}
svg .bar.none rect{fill:#e5e7eb}svg .bar.shared rect{fill:#bfdbfe}svg .bar.absence rect{fill:#ddd6fe}
svg .bar.manual>rect:first-child{stroke-dasharray:4 2;stroke:#374151}
svg .bar rect.hatch{fill:url(#hatch);stroke:none}
svg .bar-label{fill:var(--ink);font-size:11px}
svg a:hover .bar-label{text-decoration:underline;fill:#1d4ed8}
svg rect.original{fill:none;stroke:#6b7280;stroke-dasharray:3 3}
svg .mark.tag circle{fill:#1d4ed8;stroke:#fff;stroke-width:1.5}
svg .mark.lock rect{fill:#7c3aed;stroke:#fff;stroke-width:1}svg .mark.lock .shackle{fill:none;stroke:#7c3aed;stroke-width:1.8}
svg .mark.none circle{fill:#fff;stroke:var(--rejected);stroke-width:1.5}svg .mark.none path{stroke:var(--rejected);stroke-width:1.5}
svg .mark.note rect{fill:#facc15;stroke:#854d0e}
svg .mark.edit path{fill:#60a5fa;stroke:#1e3a8a}
svg .mark.declined circle{fill:#fff;stroke:#111827;stroke-width:1.5}svg .mark.declined path{stroke:#111827;stroke-width:1.5}
svg .mark.error path{fill:#f97316;stroke:#7c2d12}
svg .empty{fill:var(--muted)}
)CSS";

// Runs first: records script errors on the page itself, so a check can read them from the DOM.
const char* kErrorProbe =
    "document.documentElement.setAttribute('data-errors','0');"
    "window.addEventListener('error',function(){var e=document.documentElement;"
    "e.setAttribute('data-errors',String(Number(e.getAttribute('data-errors'))+1));});";

const char* kScript = R"JS(
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === 'DETAILS') { el.open = true; el.scrollIntoView({block: 'center'}); }
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
  var only = document.getElementById('only-failures');
  if (only) only.addEventListener('change', function () {
    document.body.classList.toggle('failures-only', only.checked);
  });
  document.documentElement.setAttribute('data-ready', 'yes');
})();
)JS";

const char* kDefs =
    "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
    "<pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
    "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
    "stroke=\"#111827\" stroke-width=\"1.2\" stroke-opacity=\".45\"/></pattern></defs></svg>";

std::string legend() {
  auto item = [](const std::string& svg, const std::string& text) {
    return "<span><svg width=\"22\" height=\"16\" viewBox=\"0 0 22 16\">" + svg + "</svg> " + text +
           "</span>";
  };
  std::string o = "<div class=\"legend\">";
  o += item(
      "<g class=\"bar approved\"><rect x=\"1\" y=\"3\" width=\"20\" height=\"10\" rx=\"2\"/></g>",
      "approved");
  o += item(
      "<g class=\"bar reduced\"><rect x=\"1\" y=\"3\" width=\"20\" height=\"10\" rx=\"2\"/></g>",
      "reduced");
  o += item(
      "<g class=\"bar rejected\"><rect x=\"1\" y=\"3\" width=\"20\" height=\"10\" rx=\"2\"/></g>",
      "rejected");
  o += item("<g class=\"bar none\"><rect x=\"1\" y=\"3\" width=\"20\" height=\"10\" rx=\"2\"/></g>",
            "no decision / refused");
  o += item("<g class=\"mark tag\"><circle cx=\"11\" cy=\"8\" r=\"5.5\"/></g>", "NFC tag receipt");
  o += item(
      "<g class=\"mark lock\"><path class=\"shackle\" d=\"M8 6v-3a3 3 0 0 1 6 0v3\"/>"
      "<rect x=\"6\" y=\"5.5\" width=\"10\" height=\"8\" rx=\"1.5\"/></g>",
      "lock receipt");
  o += item(
      "<g class=\"mark none\"><circle cx=\"11\" cy=\"8\" r=\"5.5\"/><path d=\"M8 5l6 6m0 -6l-6 "
      "6\"/></g>",
      "no receipt");
  o += item(
      "<g class=\"mark note\"><rect x=\"7\" y=\"4\" width=\"8\" height=\"8\" transform=\"rotate(45 "
      "11 8)\"/></g>",
      "note");
  o += item(
      "<rect class=\"original\" x=\"1\" y=\"3\" width=\"20\" height=\"10\" "
      "style=\"fill:none;stroke:#6b7280;stroke-dasharray:3 3\"/>"
      "<g class=\"mark edit\"><path d=\"M7 12l8 -8l3 3l-8 8z\"/></g>",
      "edited (dashed: as recorded)");
  o += item(
      "<g class=\"mark declined\"><circle cx=\"11\" cy=\"8\" r=\"5\"/><path d=\"M7.5 11.5l7 "
      "-7\"/></g>",
      "declined");
  o += item("<g class=\"mark error\"><path d=\"M11 2l6 12h-12z\"/></g>", "device error");
  return o + "</div>";
}

class Explainer {
 public:
  std::string text(const RunResult& r, const Scenario* s, const VisitDecision& d) {
    try {
      auto it = packs_.find(r.rules);
      if (it == packs_.end()) it = packs_.emplace(r.rules, backend::load_rule_pack(r.rules)).first;
      return explain_text(
          explain({&it->second, s ? &s->world : nullptr, &r.registrations, &d, ""}));
    } catch (const std::exception& e) {
      return std::string("no explanation: ") + e.what();
    }
  }

 private:
  std::map<std::string, backend::RulePack> packs_;
};

void mismatches(std::ostringstream& o, const RunResult& r, std::size_t n) {
  o << "<aside class=\"mismatches\">";
  if (r.status == RunStatus::Error) {
    o << "<h3>Could not run</h3><p class=\"error-text\">" << esc(r.error) << "</p></aside>";
    return;
  }
  o << "<h3>Expected vs actual</h3><table><tr><th>what</th><th>expected</th><th>actual</th></tr>";
  for (const auto& m : r.mismatches) {
    o << "<tr><td>";
    const bool decided = std::any_of(r.decisions.visits.begin(), r.decisions.visits.end(),
                                     [&](const VisitDecision& d) { return d.id == m.id; });
    if (decided) {
      o << "<a href=\"#" << decision_anchor(n, m.id) << "\">" << esc(m.subject) << "</a>";
    } else {
      o << esc(m.subject);
    }
    o << " › " << esc(m.field) << "<div class=\"where\">" << esc(m.where.str())
      << "</div></td><td class=\"expected\"><code>" << esc(show(m.expected))
      << "</code></td><td class=\"actual\"><code>" << esc(show(m.actual)) << "</code></td></tr>";
  }
  o << "</table></aside>";
}

// The per-device interaction log (docs/device-log.md), folded per scenario step.
void device_log_section(std::ostringstream& o, const std::vector<DeviceLogEntry>& entries) {
  if (entries.empty()) return;
  std::vector<std::string> steps;
  std::map<std::string, std::vector<const DeviceLogEntry*>> by_step;
  for (const auto& e : entries) {
    const std::string step = e.step.empty() ? "outside a step" : e.step;
    if (!by_step.count(step)) steps.push_back(step);
    by_step[step].push_back(&e);
  }
  o << "<details class=\"device-log\"><summary>Device log (" << entries.size() << " entries, "
    << steps.size() << " steps)</summary>";
  constexpr std::size_t kMax = 400;  // per step; the rest is counted
  for (const auto& step : steps) {
    const auto& list = by_step[step];
    const auto bad = std::count_if(list.begin(), list.end(), [](const DeviceLogEntry* e) {
      return !e->verdict.empty() && e->verdict != "ok";
    });
    o << "<details class=\"step\"><summary>" << esc(step) << " <span class=\"n\">" << list.size()
      << " entries" << (bad ? ", " + std::to_string(bad) + " not ok" : "")
      << "</span></summary><table class=\"devlog\"><tr><th>#</th><th>time</th><th>device</th>"
         "<th>direction</th><th>what</th><th>detail</th><th>verdict</th></tr>";
    for (std::size_t i = 0; i < list.size() && i < kMax; ++i) {
      const auto& e = *list[i];
      const bool ok = e.verdict.empty() || e.verdict == "ok";
      o << "<tr" << (ok ? "" : " class=\"bad\"") << "><td>" << e.seq << "</td><td>"
        << (e.scenario_time ? esc(format_local(*e.scenario_time).substr(11)) : "") << "</td><td>"
        << esc(e.device) << "</td><td>" << esc(e.transport + " " + e.direction) << "</td><td>"
        << esc(e.what) << "</td><td><code>" << esc(e.detail) << "</code></td><td>" << esc(e.verdict)
        << "</td></tr>";
    }
    o << "</table>";
    if (list.size() > kMax) o << "<p class=\"more\">… " << list.size() - kMax << " more</p>";
    o << "</details>";
  }
  o << "</details>";
}

// The stamps the run's decisions carry (one, unless a backend changed rules mid-run), as
// `evaluate --json` gives them: the page says which rules decided, even where the pack cannot
// be loaded again to explain a decision.
std::string stamps_line(const RunResult& r) {
  std::vector<Stamp> seen;
  const auto add = [&](const SharedStamp& s) {
    if (!s->pack.empty() && std::find(seen.begin(), seen.end(), *s) == seen.end())
      seen.push_back(*s);
  };
  for (const auto& d : r.decisions.visits) add(d.stamp);
  for (const auto& m : r.decisions.months) add(m.stamp);
  if (seen.empty()) return "";
  std::string line;
  for (const auto& s : seen) {
    line += (line.empty() ? "Decided under " : "; ") + s.pack + "@" + s.version + ", effective " +
            s.effective + ", sha256 " + s.hash;
  }
  return "<p class=\"stamp\">" + esc(line) + "</p>";
}

void run_section(std::ostringstream& o, std::size_t n, const RunResult& r, const Scenario* s,
                 Explainer& explainer) {
  const std::string status = to_string(r.status);
  o << "<section class=\"run " << status << "\" id=\"run-" << n << "\" data-status=\"" << status
    << "\"><h2><span class=\"badge " << status << "\">"
    << (r.status == RunStatus::Pass   ? "PASS"
        : r.status == RunStatus::Fail ? "FAIL"
                                      : "ERROR")
    << "</span> " << esc(r.name) << "</h2><p class=\"meta\">" << esc(r.file) << " · "
    << esc(r.rules);
  if (!r.clause.empty()) o << " · seed " << esc(r.clause);
  if (!r.tags.empty()) {
    std::string tags;
    for (const auto& t : r.tags) tags += (tags.empty() ? "" : ", ") + t;
    o << " · " << esc(tags);
  }
  o << "</p>" << stamps_line(r) << "<div class=\"row\"><div class=\"timeline-wrap\">"
    << timeline_svg(r, s, n) << "</div>";
  if (r.status != RunStatus::Pass) mismatches(o, r, n);
  o << "</div>";

  if (!r.decisions.visits.empty()) {
    o << "<div class=\"decisions\"><h3>Decisions</h3>";
    for (const auto& d : r.decisions.visits) {
      o << "<details id=\"" << decision_anchor(n, d.id) << "\"><summary><span class=\"dot "
        << to_string(d.state) << "\"></span><b>" << esc(d.id) << "</b> — " << to_string(d.state)
        << ", " << d.paid_minutes << " of " << d.registered_minutes << " min paid · " << esc(d.kind)
        << " · customer " << esc(d.customer) << " · staff " << esc(d.staff) << "</summary><pre>"
        << esc(explainer.text(r, s, d)) << "</pre></details>";
    }
    o << "</div>";
  }
  if (!r.decisions.months.empty()) {
    o << "<details><summary>Monthly summaries (" << r.decisions.months.size()
      << ")</summary><table><tr><th>provider</th><th>month</th><th>visits</th><th>manual</th>"
         "<th>paid min</th><th>rejected</th><th>repayments</th></tr>";
    for (const auto& m : r.decisions.months) {
      std::string reps;
      for (const auto& x : m.repayments) {
        reps += (reps.empty() ? "" : "; ") + x.visit + ": paid " + std::to_string(x.paid_before) +
                ", due " + std::to_string(x.due_now);
      }
      o << "<tr><td>" << esc(m.provider) << "</td><td>" << esc(m.month) << "</td><td>" << m.visits
        << "</td><td>" << m.manual_visits << (m.manual_share_exceeded ? " (over 10 %)" : "")
        << "</td><td>" << m.paid_minutes << "</td><td>" << m.rejected << "</td><td>"
        << esc(reps.empty() ? "none" : reps) << "</td></tr>";
    }
    o << "</table></details>";
  }
  if (!r.log.lines.empty() || !r.log.submissions.empty()) {
    o << "<details><summary>What happened (" << r.log.lines.size() << " events, "
      << r.log.submissions.size() << " submissions)</summary><ol class=\"log\">";
    for (const auto& l : r.log.lines) {
      o << "<li>" << esc(format_local(l.at)) << "  " << esc(l.who) << ": " << esc(l.what)
        << "</li>";
    }
    for (const auto& sub : r.log.submissions) {
      o << "<li>" << esc(format_local(sub.at)) << "  " << esc(sub.by) << " sent " << esc(sub.id)
        << ": ";
      if (!sub.delivered) {
        o << "not delivered (" << esc(sub.note) << ")";
      } else if (sub.result.accepted) {
        o << (sub.result.is_new ? "accepted" : "accepted again (retry)");
      } else {
        o << "refused: " << esc(sub.result.reason)
          << (sub.result.clause.empty() ? "" : " (" + esc(sub.result.clause) + ")");
      }
      o << "</li>";
    }
    o << "</ol></details>";
  }
  device_log_section(o, r.device_log);
  o << "</section>\n";
}

}  // namespace

std::string html_report(const std::vector<RunResult>& results,
                        const std::vector<const Scenario*>& scenarios,
                        const ReportOptions& options) {
  int pass = 0, fail = 0, error = 0;
  for (const auto& r : results) {
    (r.status == RunStatus::Pass ? pass : r.status == RunStatus::Fail ? fail : error)++;
  }
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
       "<title>kvittens run: "
    << pass << " passed, " << fail << " failed</title><script>" << kErrorProbe << "</script><style>"
    << kStyle << "</style></head>\n<body>" << kDefs;
  o << "<header><h1>kvittens run</h1><p>" << results.size() << " scenario runs · hardware "
    << esc(options.hardware) << " · seed " << options.seed << "</p></header><main>";
  o << "<div class=\"counts\"><div class=\"count pass\"><b>" << pass
    << "</b>passed</div><div class=\"count fail\"><b>" << fail
    << "</b>failed</div><div class=\"count error\"><b>" << error << "</b>could not run</div></div>";
  auto table = [&](bool failures_only) {
    o << "<table "
         "class=\"runs\"><tr><th>result</th><th>scenario</th><th>file</th><th>rules</th></tr>";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      if (failures_only && r.status == RunStatus::Pass) continue;
      const std::string status = to_string(r.status);
      o << "<tr class=\"" << status << "\"><td><span class=\"badge " << status << "\">" << status
        << "</span></td><td><a href=\"#run-" << i << "\">" << esc(r.name) << "</a></td><td>"
        << esc(r.file) << "</td><td>" << esc(r.rules) << "</td></tr>";
    }
    o << "</table>";
  };
  if (fail + error > 0) {
    o << "<h3 class=\"list\">Failures</h3>";
    table(true);
  }
  // A long list of passing runs is folded away; a short one is shown.
  o << "<details class=\"all-runs\"" << (results.size() <= 25 ? " open" : "") << "><summary>All "
    << results.size() << " runs</summary>";
  table(false);
  o << "</details><p class=\"tools\"><label class=\"filter\"><input type=\"checkbox\" "
       "id=\"only-failures\"> show only failed runs below</label></p>";
  o << legend() << "\n";
  Explainer explainer;
  for (std::size_t i = 0; i < results.size(); ++i) {
    run_section(o, i, results[i], i < scenarios.size() ? scenarios[i] : nullptr, explainer);
  }
  o << "</main><script>" << kScript << "</script></body></html>\n";
  return o.str();
}

void write_html_report(const std::string& dir, const std::vector<RunResult>& results,
                       const std::vector<const Scenario*>& scenarios,
                       const ReportOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path file = fs::path(dir) / "index.html";
  if (ec) throw std::runtime_error("cannot create " + dir + ": " + ec.message());
  std::ofstream out(file, std::ios::binary);
  out << html_report(results, scenarios, options);
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace kvittens::harness
