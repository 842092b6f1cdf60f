// report.json, junit.xml and report.html of a certification.
#include "harness/certify/certification_report.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kvittens::certify {
namespace {

std::string escape_xml(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // XML 1.0 forbids most control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

std::string wall_time(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t tt = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03d", buf, static_cast<int>(ms.count() % 1000));
  return out;
}

struct Counts {
  int pass = 0, fail = 0, blocked = 0, not_run = 0;
};

Counts count(const Certification& cert) {
  Counts c;
  for (const auto& r : cert.results) {
    switch (r.verdict) {
      case Verdict::Pass:
        ++c.pass;
        break;
      case Verdict::Fail:
        ++c.fail;
        break;
      case Verdict::Blocked:
        ++c.blocked;
        break;
      case Verdict::NotRun:
        ++c.not_run;
        break;
    }
  }
  return c;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

nlohmann::json to_json(const Certification& cert) {
  using nlohmann::json;
  const auto c = count(cert);
  json mandatory_failed = json::array();
  for (const auto& r : cert.results) {
    if (r.requirement.mandatory && r.verdict != Verdict::Pass) {
      mandatory_failed.push_back(r.requirement.id);
    }
  }
  json reqs = json::array();
  for (const auto& r : cert.results) {
    json evidence = json::array();
    for (const auto& e : r.evidence) {
      evidence.push_back({{"seq", e.seq},
                          {"step", e.step},
                          {"wall", wall_time(e.wall)},
                          {"device", e.device},
                          {"transport", e.transport},
                          {"direction", e.direction},
                          {"what", e.what},
                          {"detail", e.detail},
                          {"verdict", e.verdict}});
    }
    reqs.push_back({{"id", r.requirement.id},
                    {"title", r.requirement.title},
                    {"mandatory", r.requirement.mandatory},
                    {"proves", r.requirement.proves},
                    {"verdict", to_string(r.verdict)},
                    {"reason", r.reason},
                    {"seconds", r.seconds},
                    {"lock_seconds", r.lock_seconds},
                    {"steps", r.steps},
                    {"evidence", evidence}});
  }
  return {{"kvittens_certification", 1},
          {"profile", "kvittens lock profile, version 1 (docs/lock-profile.md)"},
          {"lock", cert.lock},
          {"target", cert.target},
          {"started", cert.started},
          {"seconds", cert.seconds},
          {"passed", cert.passed()},
          {"setup_error", cert.setup_error ? json(*cert.setup_error) : json(nullptr)},
          {"summary",
           {{"pass", c.pass},
            {"fail", c.fail},
            {"blocked", c.blocked},
            {"not_run", c.not_run},
            {"mandatory_not_passed", mandatory_failed}}},
          {"requirements", reqs}};
}

std::string to_junit(const Certification& cert) {
  int failures = 0, skipped = 0;
  for (const auto& r : cert.results) {
    if (r.verdict == Verdict::Pass) continue;
    if (r.requirement.mandatory) {
      ++failures;
    } else {
      ++skipped;
    }
  }
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x << "<testsuites name=\"kvittens certify lock\" tests=\"" << cert.results.size()
    << "\" failures=\"" << failures << "\" time=\"" << seconds(cert.seconds) << "\">\n";
  x << "  <testsuite name=\"lock " << escape_xml(cert.lock) << "\" tests=\"" << cert.results.size()
    << "\" failures=\"" << failures << "\" skipped=\"" << skipped << "\" errors=\"0\" time=\""
    << seconds(cert.seconds) << "\" timestamp=\"" << escape_xml(cert.started) << "\">\n";
  for (const auto& r : cert.results) {
    x << "    <testcase classname=\"lock-profile\" name=\"" << escape_xml(r.requirement.id) << " "
      << escape_xml(r.requirement.title) << "\" time=\"" << seconds(r.seconds) << "\">";
    if (r.verdict != Verdict::Pass) {
      std::string body;
      for (const auto& s : r.steps) body += s + "\n";
      const std::string message = std::string(to_string(r.verdict)) + ": " + r.reason;
      if (r.requirement.mandatory) {
        x << "\n      <failure type=\"" << to_string(r.verdict) << "\" message=\""
          << escape_xml(message) << "\">" << escape_xml(body) << "</failure>\n    ";
      } else {
        x << "\n      <skipped message=\"optional requirement, " << escape_xml(message)
          << "\"/>\n    ";
      }
    }
    x << "</testcase>\n";
  }
  x << "  </testsuite>\n</testsuites>\n";
  return x.str();
}

std::string to_html(const Certification& cert) {
  const auto c = count(cert);
  const bool ok = cert.passed();
  std::ostringstream h;
  h << R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Lock certification )"
    << escape_xml(cert.lock) << R"(</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1180px;color:#1d1d1f;padding:0 1em}
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.15em;margin:0}
.verdict{display:inline-block;padding:.1em .6em;border-radius:.3em;font-weight:600;color:#fff;font-size:.85em;text-transform:uppercase}
.pass{background:#1a7f37}.fail{background:#cf222e}.blocked,.not-run{background:#8c6d1f}
.banner{padding:1em 1.2em;border-radius:.5em;margin:1em 0;color:#fff;font-size:1.15em;font-weight:600}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f3f3f3}.meta td:first-child{color:#555;width:10em}
section{border:1px solid #ddd;border-radius:.5em;padding:.8em 1em;margin:1em 0}
.req-head{display:flex;gap:.8em;align-items:center;flex-wrap:wrap}.muted{color:#666}
.reason{color:#cf222e;font-weight:600;margin:.4em 0}
ol.steps{margin:.4em 0 .4em 1.2em;padding:0}ol.steps li{font-family:ui-monospace,monospace;font-size:.9em}
details summary{cursor:pointer;color:#0969da;margin-top:.4em}
table.frames td{font-family:ui-monospace,monospace;font-size:.8em;word-break:break-all}
table.frames td:nth-child(-n+3){white-space:nowrap;word-break:normal}
.dir-call{color:#0969da}.dir-reply{color:#1a7f37}.dir-error{color:#cf222e}.dir-signal{color:#8250df}
</style></head><body>
)";
  h << "<h1>Receipt lock certification</h1>\n<div class=\"muted\">kvittens lock profile, version 1 "
       "— docs/lock-profile.md</div>\n";
  h << "<div class=\"banner " << (ok ? "pass" : "fail") << "\">"
    << (ok ? "CERTIFIED: every mandatory requirement passes"
           : "NOT CERTIFIED: a mandatory requirement did not pass")
    << "</div>\n";
  if (cert.setup_error) {
    h << "<p class=\"reason\">Bench problem: " << escape_xml(*cert.setup_error) << "</p>\n";
  }
  h << "<table class=\"meta\">\n<tr><td>Lock</td><td>" << escape_xml(cert.lock) << "</td></tr>\n"
    << "<tr><td>Bench</td><td>" << escape_xml(cert.target) << "</td></tr>\n"
    << "<tr><td>Started</td><td>" << escape_xml(cert.started) << "</td></tr>\n"
    << "<tr><td>Duration</td><td>" << seconds(cert.seconds) << " s</td></tr>\n"
    << "<tr><td>Verdicts</td><td>" << c.pass << " pass, " << c.fail << " fail, " << c.blocked
    << " blocked, " << c.not_run << " not run</td></tr>\n</table>\n";
  h << "<h2 style=\"margin-top:1.2em\">Summary</h2>\n<table>\n<tr><th>Requirement</th><th></th>"
       "<th>Kind</th><th>Verdict</th><th>Wall</th><th>Lock time</th></tr>\n";
  for (const auto& r : cert.results) {
    const char* v = to_string(r.verdict);
    h << "<tr><td><a href=\"#" << escape_xml(r.requirement.id) << "\">"
      << escape_xml(r.requirement.id) << "</a></td><td>" << escape_xml(r.requirement.title)
      << "</td><td>" << (r.requirement.mandatory ? "mandatory" : "optional")
      << "</td><td><span class=\"verdict " << v << "\">" << v << "</span></td><td>"
      << seconds(r.seconds) << " s</td><td>" << r.lock_seconds << " s</td></tr>\n";
  }
  h << "</table>\n";
  for (const auto& r : cert.results) {
    const char* v = to_string(r.verdict);
    h << "<section id=\"" << escape_xml(r.requirement.id) << "\">\n<div class=\"req-head\">"
      << "<span class=\"verdict " << v << "\">" << v << "</span><h2>"
      << escape_xml(r.requirement.id) << " " << escape_xml(r.requirement.title) << "</h2>"
      << "<span class=\"muted\">" << (r.requirement.mandatory ? "mandatory" : "optional") << " · "
      << seconds(r.seconds) << " s wall · " << r.lock_seconds << " s lock time</span></div>\n";
    h << "<div class=\"muted\">Proves: " << escape_xml(r.requirement.proves) << "</div>\n";
    if (!r.reason.empty()) h << "<div class=\"reason\">" << escape_xml(r.reason) << "</div>\n";
    if (!r.steps.empty()) {
      h << "<ol class=\"steps\">\n";
      for (const auto& s : r.steps) h << "<li>" << escape_xml(s) << "</li>\n";
      h << "</ol>\n";
    }
    if (!r.evidence.empty()) {
      h << (r.verdict == Verdict::Pass ? "<details>" : "<details open>") << "<summary>"
        << r.evidence.size()
        << " D-Bus frames (evidence)</summary>\n<table class=\"frames\"><tr><th>#</th><th>UTC</th>"
           "<th>dir</th><th>member</th><th>detail</th><th>result</th></tr>\n";
      for (const auto& e : r.evidence) {
        h << "<tr><td>" << e.seq << "</td><td>" << wall_time(e.wall) << "</td><td class=\"dir-"
          << escape_xml(e.direction) << "\">" << escape_xml(e.direction) << "</td><td>"
          << escape_xml(e.what) << "</td><td>" << escape_xml(e.detail) << "</td><td>"
          << escape_xml(e.verdict) << "</td></tr>\n";
      }
      h << "</table></details>\n";
    }
    h << "</section>\n";
  }
  h << "</body></html>\n";
  return h.str();
}

void write_reports(const Certification& cert, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  write_file(dir / "report.json", to_json(cert).dump(2) + "\n");
  write_file(dir / "junit.xml", to_junit(cert));
  write_file(dir / "report.html", to_html(cert));
}

}  // namespace kvittens::certify
