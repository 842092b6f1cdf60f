// The HTML report: escaping and structure from the page text, and the page itself in headless
// Chromium — it loads without console errors and has a timeline SVG for every scenario run.
// The browser check is shown to catch a page with a script error and one missing a timeline.
#include "report/report_html.hpp"

#include "report/markup.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../cli/run_cli.hpp"
#include "../nfc/subprocess.hpp"
#include "../service/serve_process.hpp"

namespace kvittens::harness {
namespace {

namespace fs = std::filesystem;
using kvittens::testing::Child;
using kvittens::testing::TempDir;

const std::string kSource = KVITTENS_SOURCE_DIR;
const char* kChromium = "/usr/bin/chromium";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// ---------------------------------------------------------------- the page text

struct Built {
  Scenario scenario;
  RunResult result;
};

Built hostile_run() {
  Built b;
  b.scenario.world.staff.push_back(
      {"anna", "syd", "Anna <&> \"Ö\"", std::nullopt, std::nullopt, ""});
  auto& r = b.result;
  r.file = "scenarios/x.yaml";
  r.name = "<script>alert(1)</script> & co";
  r.rules = "nacka-hemtjanst@3.0";
  r.status = RunStatus::Fail;
  Visit v;
  v.id = "v<1>";
  v.staff = "anna";
  v.customer = "vera";
  v.start = parse_local("2026-03-02T08:00");
  v.end = parse_local("2026-03-02T08:30");
  v.start_receipt.kind = ReceiptKind::Nfc;
  v.start_receipt.tag_uid = "04:A1";
  v.note = "nyckel </title><b>";
  r.registrations.visits.push_back(v);
  VisitDecision d;
  d.id = v.id;
  d.kind = "visit";
  d.staff = "anna";
  d.customer = "vera";
  d.start = v.start;
  d.end = v.end;
  d.registered_minutes = 30;
  d.state = DecisionState::Rejected;
  d.trace = {{"2", "visit time"}, {"4.10", "end without receipt & no note"}};
  r.decisions.visits.push_back(d);
  r.mismatches.push_back({Where{"scenarios/x.yaml", 9, 3}, "decision v<1>", "paid_minutes",
                          nlohmann::ordered_json(30), nlohmann::ordered_json(0), "v<1>"});
  return b;
}

TEST(HtmlReport, EscapesEveryTextFromTheScenario) {
  const auto b = hostile_run();
  const auto page = html_report({b.result}, {&b.scenario}, {});
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"), std::string::npos);
  EXPECT_NE(page.find("Anna &lt;&amp;&gt; &quot;Ö&quot;"), std::string::npos);
  EXPECT_NE(page.find("note: nyckel &lt;/title&gt;&lt;b&gt;"), std::string::npos);
  EXPECT_EQ(page.find("v<1>"), std::string::npos);
  EXPECT_EQ(escape_markup("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(escape_markup(std::string("bell\a\ttab")), "bell \ttab");
}

TEST(HtmlReport, ABarShowsItsDecisionAndLinksToTheExplanation) {
  const auto b = hostile_run();
  const auto page = html_report({b.result}, {&b.scenario}, {});
  // The anchor of decision "v<1>" in run 0, the bar's link to it and its explanation.
  EXPECT_NE(page.find("<details id=\"d0-v_3C1_3E\">"), std::string::npos);
  EXPECT_NE(page.find("<a href=\"#d0-v_3C1_3E\">"), std::string::npos);
  EXPECT_NE(page.find("v&lt;1&gt; · rejected (4.10)"), std::string::npos);
  EXPECT_NE(page.find("Rules, in the order they fired"), std::string::npos) << "explain text";
  // Receipts at both ends: a tag at the start, none at the end.
  EXPECT_NE(page.find("start: NFC tag 04:A1"), std::string::npos);
  EXPECT_NE(page.find("end: no receipt"), std::string::npos);
  // The failure beside the timeline, linked to the decision.
  EXPECT_NE(page.find("Expected vs actual"), std::string::npos);
  EXPECT_NE(page.find("scenarios/x.yaml:9:3"), std::string::npos);
  EXPECT_EQ(count(page, "<svg class=\"timeline\""), 1u);
  // Self-contained: nothing is fetched.
  for (const char* ref : {"src=", "<link", "@import", "url(http", "fetch("}) {
    EXPECT_EQ(page.find(ref), std::string::npos) << ref;
  }
}

TEST(HtmlReport, EachRunSaysTheStampItsDecisionsCarry) {
  // Decided under a draft that is gone: the explanation cannot load it, the stamp still shows.
  auto b = hostile_run();
  b.result.rules = "/no/such/draft.yaml@2027-01-01";
  b.result.decisions.visits.front().stamp =
      SharedStamp(Stamp{"nacka-hemtjanst", "2027-01-01", "2027-01-01", std::string(64, 'a')});
  const auto page = html_report({b.result}, {&b.scenario}, {});
  EXPECT_NE(page.find("<p class=\"stamp\">Decided under nacka-hemtjanst@2027-01-01, effective "
                      "2027-01-01, sha256 " +
                      std::string(64, 'a') + "</p>"),
            std::string::npos);
  EXPECT_NE(page.find("no explanation: "), std::string::npos) << "the pack is not there";
  // A run that decided nothing states no stamp.
  b.result.decisions = {};
  EXPECT_EQ(html_report({b.result}, {&b.scenario}, {}).find("class=\"stamp\""), std::string::npos);
}

TEST(HtmlReport, AnAbsenceIsACustomerLaneWithItsDecision) {
  Scenario s;
  RunResult r;
  r.name = "absence";
  Absence a{
      "a1",         "bertil",  parse_local("2026-03-09T12:00"), parse_local("2026-03-10T08:00"),
      std::nullopt, "hospital"};
  r.registrations.absences.push_back(a);
  VisitDecision d;
  d.id = "a1";
  d.kind = "absence";
  d.customer = "bertil";
  d.start = a.start;
  d.end = a.start + std::chrono::hours(7);
  d.registered_minutes = 420;
  d.paid_minutes = 210;
  d.state = DecisionState::Reduced;
  r.decisions.visits.push_back(d);
  const auto page = html_report({r}, {&s}, {});
  EXPECT_NE(page.find(">customer bertil<"), std::string::npos);
  EXPECT_NE(page.find("a1 · 210 of 420 min paid · absence (hospital), end unknown"),
            std::string::npos);
  EXPECT_NE(page.find("<a href=\"#d0-a1\"><g class=\"bar reduced\">"), std::string::npos);
}

TEST(HtmlReport, TheDeviceLogIsFoldedPerStep) {
  auto b = hostile_run();
  auto entry = [](std::string step, std::string what, std::string verdict, std::uint64_t seq) {
    DeviceLogEntry e;
    e.device = "lock:AA:BB:CC:DD:EE:01";
    e.transport = "dbus";
    e.direction = "call";
    e.what = std::move(what);
    e.detail = "<&>";
    e.verdict = std::move(verdict);
    e.step = std::move(step);
    e.scenario_time = parse_local("2026-03-02T08:00");
    e.seq = seq;
    return e;
  };
  b.result.device_log = {
      entry("2 start_visit v1", "org.bluez.Device1.Connect", "ok", 1),
      entry("2 start_visit v1", "org.bluez.Device1.Connect", "org.bluez.Error.Failed", 2),
      entry("5 end_visit v1", "org.bluez.GattCharacteristic1.WriteValue", "ok", 3)};
  const auto page = html_report({b.result}, {&b.scenario}, {});
  EXPECT_NE(page.find("<summary>Device log (3 entries, 2 steps)</summary>"), std::string::npos);
  EXPECT_NE(page.find("<summary>2 start_visit v1 <span class=\"n\">2 entries, 1 not ok</span>"),
            std::string::npos);
  EXPECT_NE(page.find("<summary>5 end_visit v1 <span class=\"n\">1 entries</span>"),
            std::string::npos);
  EXPECT_NE(page.find("<tr class=\"bad\"><td>2</td><td>08:00</td>"), std::string::npos);
  EXPECT_NE(page.find("<code>&lt;&amp;&gt;</code>"), std::string::npos);
  // No log, no section.
  EXPECT_EQ(html_report({hostile_run().result}, {&b.scenario}, {}).find("Device log"),
            std::string::npos);
}

TEST(HtmlReport, ARunThatCouldNotRunStillHasItsTimeline) {
  RunResult r;
  r.name = "broken";
  r.status = RunStatus::Error;
  r.error = "backend unreachable";
  const auto page = html_report({r}, {nullptr}, {});
  EXPECT_EQ(count(page, "<svg class=\"timeline\""), 1u);
  EXPECT_NE(page.find("backend unreachable"), std::string::npos);
}

TEST(HtmlReport, AnUnwritableDirectoryIsAClearError) {
  const auto r = kvittens::cli_test::run_kvittens(
      "run --hardware none " + kSource + "/scenarios/versions/kallsortering-both-versions.yaml" +
      " --html /proc/no-such-dir");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("kvittens run: cannot"), std::string::npos) << r.out;
}

// ---------------------------------------------------------------- the page in Chromium

struct PageCheck {
  bool loaded = false;               // the page's own script ran to the end
  int script_errors = -1;            // recorded by the page's error probe
  std::vector<std::string> console;  // console lines Chromium logged
  std::size_t runs = 0, timelines = 0;
  std::string output;
};

// Loads the page in headless Chromium (fresh profile, no network) and reads back the DOM and
// the console. Bounded: a browser that hangs is killed after 60 s.
PageCheck check_page(const fs::path& page) {
  TempDir profile;
  Child chrome({kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--user-data-dir=" + (profile.path / "profile").string(),
                "--enable-logging=stderr", "--v=0", "--dump-dom", "file://" + page.string()});
  PageCheck c;
  const auto rc = chrome.wait(std::chrono::seconds(60));
  c.output = chrome.output();
  if (!rc || *rc != 0) return c;
  const std::string& out = c.output;
  c.loaded = out.find("data-ready=\"yes\"") != std::string::npos;
  const std::string probe = "data-errors=\"";
  if (const auto at = out.find(probe); at != std::string::npos) {
    c.script_errors = std::atoi(out.c_str() + at + probe.size());
  }
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos) c.console.push_back(line);
  }
  c.runs = count(out, "<section class=\"run ");
  c.timelines = count(out, "<svg class=\"timeline\"");
  return c;
}

// The whole library plus a failing copy of one versions scenario (staff renamed with <&>),
// reported once for the suite.
class HtmlReportInChromium : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(kChromium)) return;
    dir_ = new TempDir;
    const fs::path src = dir_->path / "scenarios";
    fs::create_directories(src);
    for (const char* f : {"versions.world.yaml", "stadning-tvatt-without-note.yaml"}) {
      std::string text = slurp(kSource + "/scenarios/versions/" + f);
      text = std::regex_replace(text, std::regex("\\{id: anna, name: Anna\\}"),
                                "{id: anna, name: \"Anna <&> Ö\"}");
      text = std::regex_replace(text, std::regex("paid_minutes: 90"), "paid_minutes: 80");
      std::ofstream(src / f) << text;
    }
    const auto r = kvittens::cli_test::run_kvittens(
        "run --hardware none -j 2 " + kSource + "/scenarios " + src.string() + " --html " +
        (dir_->path / "report").string() + " --json " + (dir_->path / "run.json").string());
    generated_ = r.exit_code == 1;  // one run fails by design
    if (!generated_) std::cerr << r.out;
    runs_ = nlohmann::json::parse(slurp(dir_->path / "run.json"))["runs"].size();
    page_ = dir_->path / "report" / "index.html";
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    // Not a skip: `./dev test` installs chromium, so a missing browser is a broken setup.
    ASSERT_TRUE(fs::exists(kChromium))
        << "chromium is not installed (scripts/debian-packages.txt; run ./dev setup)";
    ASSERT_TRUE(generated_);
  }

  static inline TempDir* dir_ = nullptr;
  static inline bool generated_ = false;
  static inline std::size_t runs_ = 0;
  static inline fs::path page_;
};

TEST_F(HtmlReportInChromium, LoadsWithoutConsoleErrorsAndHasATimelinePerRun) {
  const auto c = check_page(page_);
  EXPECT_TRUE(c.loaded) << c.output.substr(0, 2000);
  EXPECT_EQ(c.script_errors, 0);
  EXPECT_TRUE(c.console.empty()) << c.console.front();
  EXPECT_GT(runs_, 100u) << "the whole library";
  EXPECT_EQ(c.runs, runs_);
  EXPECT_EQ(c.timelines, runs_);
}

TEST_F(HtmlReportInChromium, TheCheckCatchesAScriptError) {
  std::string text = slurp(page_);
  text.replace(text.rfind("</body>"), 7, "<script>window.noSuchFunction();</script></body>");
  const fs::path broken = dir_->path / "broken.html";
  std::ofstream(broken) << text;
  const auto c = check_page(broken);
  EXPECT_EQ(c.script_errors, 1);
  ASSERT_FALSE(c.console.empty());
  EXPECT_NE(c.console.front().find("noSuchFunction"), std::string::npos) << c.console.front();
}

TEST_F(HtmlReportInChromium, TheCheckCatchesAMissingTimeline) {
  std::string text = slurp(page_);
  const auto at = text.find("<svg class=\"timeline\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 21, "<svg class=\"gone\"");
  const fs::path broken = dir_->path / "missing.html";
  std::ofstream(broken) << text;
  const auto c = check_page(broken);
  EXPECT_TRUE(c.loaded);
  EXPECT_EQ(c.runs, runs_);
  EXPECT_EQ(c.timelines, runs_ - 1);
}

}  // namespace
}  // namespace kvittens::harness
