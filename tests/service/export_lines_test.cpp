#include "wire/export_lines.hpp"

#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "wire/canonical_line.hpp"
#include "wire/wire.hpp"

namespace kvittens::wire {
namespace {

Visit sample_visit() {
  Visit v;
  v.id = "v1";
  v.staff = "anna";
  v.customer = "c1";
  v.start = parse_local("2026-03-02T08:00");
  v.end = parse_local("2026-03-02T08:40");
  v.start_receipt = {ReceiptKind::Nfc, "04:A1", std::nullopt};
  v.end_receipt = {ReceiptKind::Lock, "", LockEvent{"AA:BB", 7, 1700000000, 1, 3, "ff00"}};
  v.end_place = Place::Pickup;
  v.insatser = {{"Städning", InsatsStatus::Ordered, std::nullopt},
                {"Tvätt", InsatsStatus::Extra, -5},
                {"Dusch", InsatsStatus::Declined, 0}};
  v.note = "Åsa sov, väckte henne 🙂";
  v.note_about = static_cast<std::uint8_t>(NoteAbout::Extra) |
                 static_cast<std::uint8_t>(NoteAbout::Assessment);
  v.manual = true;
  v.declined_after_start = true;
  v.edit = TimeEdit{v.start, v.end, "varför", parse_local("2026-03-02T12:00")};
  v.shared_group = "g1";
  v.shift = "natt-17";
  v.notice_at = parse_local("2026-03-01T12:00");
  v.cause = "hospital";
  v.registered_at = parse_local("2026-03-02T09:00");
  v.phone = "ph1";
  return v;
}

std::vector<Registration> every_kind() {
  const auto v = sample_visit();
  Visit plain;
  plain.id = "v2";
  plain.staff = "anna";
  plain.customer = "c1";
  plain.start = v.start;
  plain.end = v.end;
  return {v,
          plain,
          DoubleStaffing{"d1", "bo", "c1", v.start, v.end, "n", "bo/x", "ph2"},
          DoubleStaffing{"d2", "bo", "c1", v.start, v.end, "", "", ""},
          SharedInsats{"s1", "anna", "Inköp", v.start, v.end, {"c1", "c2"}, "ph1"},
          DeclinedVisit{"x1", "anna", "c1", v.start, v.end, v.start, "n", "", "ph1"},
          Absence{"a1", "c1", v.start, v.start, std::nullopt, "away"},
          ShiftApproval{"anna/2026-03-02", v.end},
          Payment{"v1", 40},
          VisitEdit{"e1", "v1", TimeEdit{v.start, v.end, "why", v.end}, "ph1"},
          VisitEdit{"e2", "v1", TimeEdit{v.start, v.end, "", std::nullopt}, ""}};
}

// Every kind, written as the export writes it, reads back as it was, and the canonical reader
// (where it takes the line) reads the same as the strict decoder of a request body.
TEST(ExportLines, EveryRegistrationKindReadsBackAsItWasWritten) {
  for (const auto& r : every_kind()) {
    for (const std::string provider : {"p1", ""}) {
      const auto line = export_registration_line(provider, r);
      SCOPED_TRACE(line);
      std::vector<ExportIssue> issues;
      const auto read = read_export_line(line, issues);
      EXPECT_TRUE(issues.empty());
      EXPECT_EQ(read.provider, provider);
      EXPECT_EQ(read.registration, r);
      std::string p;
      Registration fast;
      if (read_canonical_line(line, p, fast)) {
        EXPECT_EQ(fast, decode_registration(encode_registration(r).dump()));
        EXPECT_EQ(p, provider);
      }
    }
  }
  // The kinds a month is made of take the fast way.
  std::string p;
  Registration out;
  for (const auto& r : every_kind()) {
    if (std::holds_alternative<SharedInsats>(r) || std::holds_alternative<DeclinedVisit>(r) ||
        std::holds_alternative<Absence>(r))
      continue;
    EXPECT_TRUE(read_canonical_line(export_registration_line("p1", r), p, out))
        << export_registration_line("p1", r);
  }
}

// Text the export did not write — spaces, keys in another order, escapes, seconds — still reads
// through the strict decoder, to the same registration.
TEST(ExportLines, ALineInAnotherShapeReadsThroughTheStrictDecoder) {
  const auto v = sample_visit();
  const auto canonical = nlohmann::json::parse(export_registration_line("p1", v));
  std::vector<ExportIssue> issues;
  const auto spaced = canonical.dump(1);  // nlohmann::json sorts keys, and indents
  std::string p;
  Registration fast;
  EXPECT_FALSE(read_canonical_line(spaced, p, fast));
  std::string flat = spaced;
  std::erase(flat, '\n');
  const auto read = read_export_line(flat, issues);
  EXPECT_TRUE(issues.empty()) << (issues.empty() ? "" : issues[0].message);
  EXPECT_EQ(read.registration, Registration(v));

  auto quoted = v;
  quoted.note = "sa \"aj\"\toch gick";
  quoted.start += std::chrono::seconds(17);
  const auto line = export_registration_line("p1", quoted);
  EXPECT_FALSE(read_canonical_line(line, p, fast)) << line;
  EXPECT_EQ(read_export_line(line, issues).registration, Registration(quoted));
  EXPECT_TRUE(issues.empty());
}

// What the strict decoder refuses, the canonical reader refuses too (the fuzz target compares
// the two on every input; these are the edges written down).
TEST(ExportLines, TheCanonicalReaderTakesNothingTheStrictDecoderRefuses) {
  const std::string head = R"({"provider":"p1","registration":{"visit":{"id":)";
  const std::string tail =
      R"(,"staff":"anna","customer":"c1","start":"2026-03-02T08:00","end":"2026-03-02T08:40",)"
      R"("start_receipt":"none","end_receipt":"none","start_place":"door","end_place":"door",)"
      R"("insatser":[],"manual":false,"declined_after_start":false}}})";
  std::string p;
  Registration out;
  ASSERT_TRUE(read_canonical_line(head + "\"v1\"" + tail, p, out));
  for (const std::string& id : std::vector<std::string>{
           "\"\"", "\" v1\"", "\"v\x7f\"", "\"\xc3\x28\"", "\"\xed\xa0\x80\"",
           "\"\xf4\x90\x80\x80\"", "\"\xe0\x80\xaf\"", "\"" + std::string(129, 'x') + "\"", "1"}) {
    SCOPED_TRACE(id);
    const auto line = head + id + tail;
    EXPECT_FALSE(read_canonical_line(line, p, out));
    std::vector<ExportIssue> issues;
    read_export_line(line, issues);
    EXPECT_FALSE(issues.empty());
  }
  for (const std::string bad : {R"("2026-03-02T08:00","end":"1999-03-02T08:40")",
                                R"("2026-03-02T25:00","end":"2026-03-02T08:40")"}) {
    auto line = head + "\"v1\"" + tail;
    line.replace(line.find(R"("2026-03-02T08:00","end":"2026-03-02T08:40")"), 42, bad);
    SCOPED_TRACE(line);
    EXPECT_FALSE(read_canonical_line(line, p, out));
    std::vector<ExportIssue> issues;
    read_export_line(line, issues);
    EXPECT_FALSE(issues.empty());
  }
}

// The canonical reader remembers the last day's midnight: on the days the clocks change, and
// the days around them, it reads every time as parse_local does.
TEST(ExportLines, TimesOnTheDaysTheClocksChangeReadAsTheStrictDecoderReadsThem) {
  std::string p;
  Registration fast;
  for (const char* day : {"2026-03-28", "2026-03-29", "2026-03-30", "2026-10-24", "2026-10-25",
                          "2026-10-26", "2026-03-29", "2026-03-28"}) {
    for (const char* time : {"00:00", "01:59", "02:30", "03:00", "03:30", "12:00", "23:59"}) {
      const std::string at = std::string(day) + "T" + time;
      const std::string line =
          R"({"provider":"p1","registration":{"shift_approval":{"shift":"s","approved_at":")" + at +
          R"("}}})";
      SCOPED_TRACE(line);
      const bool read = read_canonical_line(line, p, fast);
      try {
        const auto body = line.find("{\"shift_approval\"");
        const auto strict = decode_registration(line.substr(body, line.size() - body - 1));
        ASSERT_TRUE(read);
        EXPECT_EQ(fast, strict);
      } catch (const WireError&) {
        EXPECT_FALSE(read);  // the hour that does not exist in spring, or happens twice
      }
    }
  }
}

std::string header_line(std::uint64_t n, const std::string& provider = "") {
  World w;
  w.providers = {{"p1", "Omsorg"}};
  return export_header_line({"2026-03-01", "2026-03-31", "nacka-hemtjanst@3.0", provider, n}, w);
}

TEST(ExportLines, AFileReadsHeaderFirstThenEachRegistrationInOrder) {
  std::string text = header_line(2) + "\n" + export_registration_line("p1", sample_visit()) + "\n" +
                     export_registration_line("p2", Payment{"v1", 5}) + "\r\n";
  std::istringstream in(text);
  ExportHeader header;
  std::vector<std::pair<std::size_t, std::string>> seen;
  read_export(in, {[&](ExportHeader h, World w) {
                     header = h;
                     EXPECT_EQ(w.providers.size(), 1u);
                   },
                   [&](std::size_t line, std::string provider, Registration) {
                     seen.emplace_back(line, provider);
                   }});
  EXPECT_EQ(header, (ExportHeader{"2026-03-01", "2026-03-31", "nacka-hemtjanst@3.0", "", 2}));
  EXPECT_EQ(seen, (std::vector<std::pair<std::size_t, std::string>>{{2, "p1"}, {3, "p2"}}));
}

// Every problem at once, each at its line and pointer; a file cut short is one of them.
TEST(ExportLines, EveryBadLineIsReportedAtItsLineAndPointer) {
  const std::string good = export_registration_line("p1", sample_visit());
  auto bad_time = good;
  bad_time.replace(bad_time.find("2026-03-02T08:00"), 16, "yesterday");
  const std::string text = header_line(5) + "\n" + good + "\n" + bad_time + "\n" + "{not json\n" +
                           R"({"provider":"p1","registration":{"payment":{"visit":"v1"}},"x":1})" +
                           "\n";
  std::istringstream in(text);
  std::size_t good_lines = 0;
  try {
    read_export(in, {nullptr, [&](std::size_t, std::string, Registration) { ++good_lines; }});
    FAIL() << "a bad file read";
  } catch (const ExportError& e) {
    std::vector<std::pair<std::size_t, std::string>> where;
    for (const auto& i : e.issues()) where.emplace_back(i.line, i.pointer);
    EXPECT_EQ(where,
              (std::vector<std::pair<std::size_t, std::string>>{{3, "/registration/visit/start"},
                                                                {4, ""},
                                                                {5, "/x"},
                                                                {5, "/registration/payment"},
                                                                {5, ""}}));
    EXPECT_NE(e.issues()[1].message.find("column 3: malformed JSON"), std::string::npos)
        << e.issues()[1].message;
    EXPECT_NE(e.issues()[4].message.find("announces 5 registration(s) and 4 follow"),
              std::string::npos)
        << e.issues()[4].message;
  }
  EXPECT_EQ(good_lines, 1u);
}

TEST(ExportLines, AFirstLineThatIsNotAnExportIsRefused) {
  for (const std::string& first : std::vector<std::string>{
           std::string(""), std::string(R"({"kvittens":"diff"})"),
           header_line(0).replace(header_line(0).find("2026-03-01"), 10, "2026-3-1")}) {
    SCOPED_TRACE(first);
    std::istringstream in(first + "\n");
    EXPECT_THROW(read_export(in, {}), ExportError);
  }
  std::istringstream empty("");
  EXPECT_THROW(read_export(empty, {}), ExportError);
}

}  // namespace
}  // namespace kvittens::wire
