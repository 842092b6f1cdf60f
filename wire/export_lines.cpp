// Writing and reading the export's JSON Lines. A line the export wrote is read by the canonical
// reader (canonical_line.hpp), which takes only that exact shape; any other line, and every
// problem, goes through the strict decoder of a request body, so the file is held to exactly
// what the service accepts.
#include "wire/export_lines.hpp"

#include <algorithm>
#include <array>

#include "wire/canonical_line.hpp"
#include "wire/json_reader.hpp"
#include "wire/wire.hpp"

namespace kvittens::wire {

using OrderedJson = nlohmann::ordered_json;

namespace {

constexpr int kFormat = 1;

std::string dumped(const OrderedJson& j) {
  return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

// The issues of a body decoded on its own, moved under `prefix` of the line.
void add_under(std::vector<ExportIssue>& out, const std::string& prefix,
               const std::vector<WireIssue>& issues) {
  for (const auto& i : issues) out.push_back({0, prefix + i.pointer, i.message});
}

// A syntax error of a line on its own is at "line 1, column C" of it: the file's line is
// already said, so only the column is kept.
void add(std::vector<ExportIssue>& out, const std::vector<WireIssue>& issues) {
  static constexpr std::string_view first_line = "line 1, column ";
  for (const auto& i : issues)
    out.push_back(
        {0, i.pointer,
         i.message.starts_with(first_line) ? i.message.substr(first_line.size() - 7) : i.message});
}

// A provider as a line names it: an id, or "" for a scope stored before providers.
std::string provider_of(JsonReader& r, const Json& j, const std::string& at) {
  if (j.is_string() && j.get_ref<const std::string&>().empty()) return {};
  return r.id(j, at, "provider id");
}

bool canonical_date(const std::string& text) {
  try {
    return format_date(parse_date(text)) == text;
  } catch (const std::exception&) {
    return false;
  }
}

ExportHeader read_header(std::string_view line, World& world, std::vector<ExportIssue>& issues) {
  ExportHeader h;
  std::vector<WireIssue> parse_issues;
  const auto j = parse_strict(line, Limits::max_depth + 1, parse_issues);
  if (!j) {
    add(issues, parse_issues);
    return h;
  }
  JsonReader r;
  const std::vector<std::string> keys = {"kvittens", "format",   "from",  "to",
                                         "rules",    "provider", "world", "registrations"};
  if (!r.object(*j, "", keys, "the export's first line")) {
    add(issues, r.issues());
    return h;
  }
  const auto text = [&](const char* key, const std::string& what) -> std::string {
    const Json* v = r.require(*j, "", key, "the export's first line");
    return v ? r.id(*v, pointer_to("", key), what) : std::string();
  };
  if (text("kvittens", "kind of file") != "export" && r.issues().empty())
    r.fail("/kvittens", "expected \"export\": this is not an export of kvittens serve");
  if (const Json* f = r.require(*j, "", "format", "the export's first line"))
    if (r.integer(*f, "/format", "format", kFormat, kFormat) != kFormat && r.issues().empty())
      r.fail("/format", "unknown format");
  for (const char* key : {"from", "to"}) {
    auto& out = std::string_view(key) == "from" ? h.from : h.to;
    out = text(key, std::string(key) + " date");
    if (!out.empty() && !canonical_date(out))
      r.fail(pointer_to("", key),
             std::string("expected ") + key + " as YYYY-MM-DD, got '" + out + "'");
  }
  h.rules = text("rules", "rule selection");
  if (const Json* p = r.optional(*j, "provider")) h.provider = provider_of(r, *p, "/provider");
  if (const Json* n = r.require(*j, "", "registrations", "the export's first line"))
    h.registrations = static_cast<std::uint64_t>(
        r.integer(*n, "/registrations", "registrations", 0, std::int64_t{1} << 53));
  add(issues, r.issues());
  if (const Json* w = r.require(*j, "", "world", "the export's first line")) {
    try {
      world = decode_world(w->dump());
    } catch (const WireError& e) {
      add_under(issues, "/world", e.issues());
    }
  } else {
    add(issues, r.issues());
  }
  return h;
}

}  // namespace

ExportError::ExportError(std::vector<ExportIssue> issues, std::size_t more)
    : std::runtime_error(issues.empty() ? std::string("export: no issue")
                                        : "line " + std::to_string(issues.front().line) + ": " +
                                              (issues.front().pointer.empty()
                                                   ? std::string()
                                                   : issues.front().pointer + ": ") +
                                              issues.front().message),
      issues_(std::move(issues)),
      more_(more) {}

std::string export_header_line(const ExportHeader& h, const World& world) {
  OrderedJson j{{"kvittens", "export"},
                {"format", kFormat},
                {"from", h.from},
                {"to", h.to},
                {"rules", h.rules}};
  if (!h.provider.empty()) j["provider"] = h.provider;
  j["registrations"] = h.registrations;
  j["world"] = encode_world(world);
  return dumped(j);
}

std::string export_registration_line(const std::string& provider, const Registration& r) {
  return dumped(OrderedJson{{"provider", provider}, {"registration", encode_registration(r)}});
}

ExportLine read_export_line(std::string_view line, std::vector<ExportIssue>& issues) {
  ExportLine out;
  if (read_canonical_line(line, out.provider, out.registration)) return out;
  std::vector<WireIssue> parse_issues;
  const auto j = parse_strict(line, Limits::max_depth + 1, parse_issues);
  if (!j) {
    add(issues, parse_issues);
    return out;
  }
  JsonReader r;
  if (r.object(*j, "", {"provider", "registration"}, "an export line")) {
    if (const Json* p = r.require(*j, "", "provider", "an export line"))
      out.provider = provider_of(r, *p, "/provider");
    if (const Json* body = r.require(*j, "", "registration", "an export line")) {
      try {
        // The body on its own, as POST /v1/registrations would read it.
        out.registration = decode_registration(body->dump());
      } catch (const WireError& e) {
        for (const auto& i : e.issues()) r.fail("/registration" + i.pointer, i.message);
      }
    }
  }
  add(issues, r.issues());
  return out;
}

void read_export(std::istream& in, const ExportReader& reader) {
  std::vector<ExportIssue> issues;
  std::size_t more = 0;
  const auto report = [&](std::size_t line, std::vector<ExportIssue>& found) {
    for (auto& i : found) {
      i.line = line;
      if (issues.size() < ExportError::kMaxIssues)
        issues.push_back(std::move(i));
      else
        ++more;
    }
    found.clear();
  };
  std::vector<ExportIssue> found;
  std::string line;
  std::size_t number = 0, registrations = 0;
  bool have_header = false;
  ExportHeader header;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1) {
      World world;
      header = read_header(line, world, found);
      have_header = found.empty();
      report(number, found);
      if (have_header && reader.header) reader.header(header, std::move(world));
      continue;
    }
    ++registrations;
    auto read = read_export_line(line, found);
    if (!found.empty()) {
      report(number, found);
      continue;
    }
    if (reader.registration)
      reader.registration(number, std::move(read.provider), std::move(read.registration));
  }
  if (number == 0) {
    found.push_back({0, "", "empty file: expected the export's first line (the world)"});
    report(1, found);
  } else if (have_header && registrations != header.registrations) {
    found.push_back({0, "",
                     "the first line announces " + std::to_string(header.registrations) +
                         " registration(s) and " + std::to_string(registrations) +
                         " follow: the file is cut short or was edited"});
    report(number, found);
  }
  if (!issues.empty()) throw ExportError(std::move(issues), more);
}

}  // namespace kvittens::wire
