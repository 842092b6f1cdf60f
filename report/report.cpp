#include "report/report.hpp"

#include <unistd.h>

#include <cstdlib>
#include <set>
#include <sstream>

#include "report/device_log_json.hpp"
#include "report/markup.hpp"
#include "wire/decisions_json.hpp"

namespace kvittens::harness {
namespace {

using Json = nlohmann::ordered_json;

struct Paint {
  bool on;
  std::string operator()(const char* code, const std::string& text) const {
    return on ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
  }
};

Json trace_json(const Trace& trace) {
  Json a = Json::array();
  for (const auto& t : trace) a.push_back(Json{{"clause", t.clause}, {"reason", t.reason}});
  return a;
}

Json decision_json(const VisitDecision& d) {
  Json j;
  j["id"] = d.id;
  j["kind"] = d.kind;
  j["provider"] = d.provider;
  j["customer"] = d.customer;
  j["staff"] = d.staff;
  j["start"] = format_local(d.start);
  j["end"] = format_local(d.end);
  j["registered_minutes"] = d.registered_minutes;
  j["paid_minutes"] = d.paid_minutes;
  j["state"] = to_string(d.state);
  j["customer_fee"] = d.customer_fee;
  j["manual"] = d.manual;
  Json is = Json::array();
  for (const auto& i : d.insatser) {
    is.push_back(Json{{"insats", i.insats},
                      {"registered_minutes", i.registered_minutes},
                      {"paid_minutes", i.paid_minutes},
                      {"state", to_string(i.state)},
                      {"customer_fee", i.customer_fee},
                      {"trace", trace_json(i.trace)}});
  }
  j["insatser"] = is;
  j["trace"] = trace_json(d.trace);
  j["rules"] = d.stamp->pack + "@" + d.stamp->version;
  // The whole stamp, as `evaluate --json` gives it: a draft and the pack it copies share
  // pack@version, and only the effective date and hash tell their decisions apart.
  j["stamp"] = wire::to_json(*d.stamp);
  return j;
}

Json month_json(const MonthlySummary& m) {
  Json reps = Json::array();
  for (const auto& r : m.repayments) {
    reps.push_back(Json{{"visit", r.visit},
                        {"paid_before", r.paid_before},
                        {"due_now", r.due_now},
                        {"clause", r.reason.clause},
                        {"reason", r.reason.reason}});
  }
  return Json{{"provider", m.provider},
              {"month", m.month},
              {"visits", m.visits},
              {"manual_visits", m.manual_visits},
              {"manual_share", m.manual_share},
              {"manual_share_exceeded", m.manual_share_exceeded},
              {"paid_minutes", m.paid_minutes},
              {"rejected", m.rejected},
              {"repayments", reps},
              {"trace", trace_json(m.trace)}};
}

std::string title(const RunResult& r) {
  return r.file + "  " + r.name + "  [" + r.rules + "]";
}

std::string show(const Json& j) {
  return j.is_string() ? j.get<std::string>() : j.dump();
}

void trace_lines(std::ostream& out, const VisitDecision& d, const Paint& paint) {
  out << "    " << paint("1", "trace of " + d.id) << " (" << d.kind << ", " << to_string(d.state)
      << ", paid " << d.paid_minutes << " of " << d.registered_minutes << " min):\n";
  for (const auto& t : d.trace) out << "      " << t.clause << "  " << t.reason << "\n";
  for (const auto& i : d.insatser) {
    out << "      insats " << i.insats << ": " << to_string(i.state) << ", paid " << i.paid_minutes
        << " of " << i.registered_minutes << " min\n";
    for (const auto& t : i.trace) out << "        " << t.clause << "  " << t.reason << "\n";
  }
}

}  // namespace

bool console_wants_color(int fd) {
  const char* no = std::getenv("NO_COLOR");
  if (no && *no) return false;
  return isatty(fd) != 0;
}

std::string failure_text(const RunResult& r, bool color) {
  const Paint paint{color};
  std::ostringstream out;
  if (r.status == RunStatus::Error) {
    out << "    " << paint("31", "could not run: ") << r.error << "\n";
    return out.str();
  }
  std::set<std::string> traced;
  for (const auto& m : r.mismatches) {
    out << "    " << m.where.str() << "  " << m.subject << " › " << m.field << "\n";
    out << "      " << paint("32", "- expected: " + show(m.expected)) << "\n";
    out << "      " << paint("31", "+ actual:   " + show(m.actual)) << "\n";
  }
  for (const auto& m : r.mismatches) {
    if (m.id.empty() || !traced.insert(m.id).second) continue;
    for (const auto& d : r.decisions.visits) {
      if (d.id == m.id) trace_lines(out, d, paint);
    }
  }
  if (!r.log.lines.empty()) {
    out << "    " << paint("1", "what happened") << ":\n";
    for (const auto& l : r.log.lines) {
      out << "      " << format_local(l.at) << "  " << l.who << ": " << l.what << "\n";
    }
  }
  return out.str();
}

void print_console(std::ostream& out, const std::vector<RunResult>& results,
                   const ReportOptions& options) {
  const Paint paint{options.color};
  int pass = 0, fail = 0, error = 0;
  for (const auto& r : results) {
    switch (r.status) {
      case RunStatus::Pass:
        ++pass;
        out << paint("32", "PASS ") << " " << title(r) << "\n";
        break;
      case RunStatus::Fail:
        ++fail;
        out << paint("31", "FAIL ") << " " << title(r) << "\n" << failure_text(r, options.color);
        break;
      case RunStatus::Error:
        ++error;
        out << paint("31", "ERROR") << " " << title(r) << "\n" << failure_text(r, options.color);
        break;
    }
  }
  out << pass << " passed, " << fail << " failed, " << error << " could not run";
  if (options.skipped > 0) out << ", " << options.skipped << " scenario file(s) skipped";
  out << " (" << results.size() << " scenario runs, hardware " << options.hardware << ", seed "
      << options.seed << ")\n";
}

nlohmann::ordered_json to_json(const std::vector<RunResult>& results,
                               const ReportOptions& options) {
  Json doc;
  int pass = 0, fail = 0, error = 0;
  Json runs = Json::array();
  for (const auto& r : results) {
    (r.status == RunStatus::Pass ? pass : r.status == RunStatus::Fail ? fail : error)++;
    Json j;
    j["file"] = r.file;
    j["scenario"] = r.name;
    j["clause"] = r.clause;
    j["rules"] = r.rules;
    j["tags"] = r.tags;
    j["status"] = to_string(r.status);
    if (r.status == RunStatus::Error) j["error"] = r.error;
    Json ms = Json::array();
    for (const auto& m : r.mismatches) {
      ms.push_back(Json{{"at", m.where.str()},
                        {"subject", m.subject},
                        {"field", m.field},
                        {"expected", m.expected},
                        {"actual", m.actual}});
    }
    j["mismatches"] = ms;
    Json ds = Json::array();
    for (const auto& d : r.decisions.visits) ds.push_back(decision_json(d));
    j["decisions"] = ds;
    Json months = Json::array();
    for (const auto& m : r.decisions.months) months.push_back(month_json(m));
    j["months"] = months;
    Json subs = Json::array();
    for (const auto& s : r.log.submissions) {
      Json x{{"at", format_local(s.at)}, {"by", s.by}, {"id", s.id}, {"delivered", s.delivered}};
      if (s.delivered) {
        x["accepted"] = s.result.accepted;
        x["new"] = s.result.is_new;
        if (!s.result.reason.empty()) x["reason"] = s.result.reason;
        if (!s.result.clause.empty()) x["clause"] = s.result.clause;
      } else {
        x["note"] = s.note;
      }
      subs.push_back(x);
    }
    j["submissions"] = subs;
    Json lines = Json::array();
    for (const auto& l : r.log.lines) {
      lines.push_back(Json{{"at", format_local(l.at)}, {"who", l.who}, {"what", l.what}});
    }
    j["log"] = lines;
    if (options.device_log) j["device_log"] = device_log_json(r.device_log);
    runs.push_back(j);
  }
  doc["kvittens"] = "run";
  doc["seed"] = options.seed;
  doc["hardware"] = options.hardware;
  doc["summary"] =
      Json{{"runs", results.size()}, {"passed", pass}, {"failed", fail}, {"errors", error}};
  if (options.skipped > 0) doc["summary"]["skipped"] = options.skipped;
  doc["runs"] = runs;
  return doc;
}

std::string to_junit(const std::vector<RunResult>& results, const std::string& suite) {
  int fail = 0, error = 0;
  for (const auto& r : results) {
    if (r.status == RunStatus::Fail) ++fail;
    if (r.status == RunStatus::Error) ++error;
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"kvittens run\" tests=\"" << results.size() << "\" failures=\"" << fail
      << "\" errors=\"" << error << "\">\n";
  out << "  <testsuite name=\"" << escape_markup(suite) << "\" tests=\"" << results.size()
      << "\" failures=\"" << fail << "\" errors=\"" << error << "\">\n";
  for (const auto& r : results) {
    // classname: the scenario's folder as a dotted suite name (scenarios.hemtjanst).
    std::string cls = r.file.substr(
        0, r.file.find_last_of('/') == std::string::npos ? 0 : r.file.find_last_of('/'));
    for (auto& c : cls) {
      if (c == '/') c = '.';
    }
    out << "    <testcase classname=\"" << escape_markup(cls) << "\" name=\""
        << escape_markup(r.name + " [" + r.rules + "]") << "\" file=\"" << escape_markup(r.file)
        << "\">\n";
    if (r.status == RunStatus::Fail) {
      const auto& m = r.mismatches.front();
      out << "      <failure message=\""
          << escape_markup(m.subject + " " + m.field + ": expected " + show(m.expected) +
                           ", actual " + show(m.actual))
          << "\">" << escape_markup(failure_text(r, false)) << "</failure>\n";
    } else if (r.status == RunStatus::Error) {
      out << "      <error message=\"" << escape_markup(r.error) << "\"/>\n";
    }
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

}  // namespace kvittens::harness
