#include "service/export.hpp"

#include <memory>
#include <unordered_set>

namespace kvittens::service {
namespace {

std::optional<Date> day(const std::string& text) {
  try {
    const Date d = parse_date(text);
    if (format_date(d) != text) return std::nullopt;
    const int y = static_cast<int>(d.year());
    if (y < wire::Limits::first_year || y > wire::Limits::last_year) return std::nullopt;
    return d;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The day a dated registration is about; nullopt for edits, payments and approvals, which
// follow what they name.
std::optional<Date> day_of(const Registration& r) {
  return std::visit(
      [](const auto& x) -> std::optional<Date> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Visit> || std::is_same_v<T, DoubleStaffing> ||
                      std::is_same_v<T, SharedInsats> || std::is_same_v<T, Absence>)
          return local_date(x.start);
        else if constexpr (std::is_same_v<T, DeclinedVisit>)
          return local_date(x.planned_start);
        else
          return std::nullopt;
      },
      r);
}

// The shift a registration is worked in, as the engine names an unnamed one (STAFF/DATE).
std::optional<std::string> shift_of(const Registration& r) {
  return std::visit(
      [](const auto& x) -> std::optional<std::string> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, Visit> || std::is_same_v<T, DoubleStaffing>)
          return x.shift.empty() ? x.staff + "/" + format_date(local_date(x.start)) : x.shift;
        else if constexpr (std::is_same_v<T, DeclinedVisit>)
          return x.shift.empty() ? x.staff + "/" + format_date(local_date(x.planned_start))
                                 : x.shift;
        else
          return std::nullopt;
      },
      r);
}

}  // namespace

std::optional<ExportPeriod> export_period(const std::map<std::string, std::string>& query,
                                          std::string& error) {
  for (const auto& [key, value] : query) {
    (void)value;
    if (key != "from" && key != "to" && key != "provider") {
      error = "unknown query parameter '" + key + "' (expected from, to and optionally provider)";
      return std::nullopt;
    }
  }
  ExportPeriod p;
  for (const char* key : {"from", "to"}) {
    const auto it = query.find(key);
    if (it == query.end()) {
      error =
          std::string("missing '") + key + "': give the period as ?from=YYYY-MM-DD&to=YYYY-MM-DD";
      return std::nullopt;
    }
    const auto d = day(it->second);
    if (!d) {
      error = std::string(key) + ": expected a date YYYY-MM-DD in the years " +
              std::to_string(wire::Limits::first_year) + "-" +
              std::to_string(wire::Limits::last_year) + ", got '" + it->second + "'";
      return std::nullopt;
    }
    (std::string_view(key) == "from" ? p.from : p.to) = *d;
  }
  if (p.to < p.from) {
    error = "from " + format_date(p.from) + " is after to " + format_date(p.to);
    return std::nullopt;
  }
  if (const auto it = query.find("provider"); it != query.end()) {
    if (it->second.empty()) {
      error = "provider: expected a provider id, got an empty value";
      return std::nullopt;
    }
    p.provider = it->second;
  }
  return p;
}

std::vector<std::size_t> select_period(const std::vector<Arrived>& arrived, Date from, Date to) {
  const auto within = [&](Date d) { return from <= d && d <= to; };
  const auto key = [](const std::string& owner, const std::string& id) {
    return owner + '\0' + id;
  };
  // What edits, payments and approvals name, to be looked for among the period's registrations:
  // they are few beside the visits, so only they are kept in sets.
  std::unordered_set<std::string> named_visits, found_visits, named_shifts, found_shifts;
  for (const auto& a : arrived) {
    if (const auto* e = std::get_if<VisitEdit>(a.registration))
      named_visits.insert(key(*a.owner, e->visit));
    if (const auto* p = std::get_if<Payment>(a.registration))
      named_visits.insert(key(*a.owner, p->visit));
    if (const auto* s = std::get_if<ShiftApproval>(a.registration))
      named_shifts.insert(key(*a.owner, s->shift));
  }
  std::vector<bool> picked(arrived.size(), false);
  for (std::size_t i = 0; i < arrived.size(); ++i) {
    const auto& r = *arrived[i].registration;
    const auto& owner = *arrived[i].owner;
    bool in = false;
    if (const auto* a = std::get_if<Absence>(&r)) {
      in = local_date(a->start) <= to && (!a->end || from <= local_date(*a->end));
    } else if (const auto d = day_of(r)) {
      in = within(*d);
    }
    if (!in) continue;
    picked[i] = true;
    if (const auto* v = std::get_if<Visit>(&r); v && !named_visits.empty())
      if (auto k = key(owner, v->id); named_visits.count(k)) found_visits.insert(std::move(k));
    if (named_shifts.empty()) continue;
    if (auto s = shift_of(r))
      if (auto k = key(owner, *s); named_shifts.count(k)) found_shifts.insert(std::move(k));
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < arrived.size(); ++i) {
    const auto& r = *arrived[i].registration;
    const auto& owner = *arrived[i].owner;
    if (const auto* e = std::get_if<VisitEdit>(&r)) {
      picked[i] = found_visits.count(key(owner, e->visit)) > 0;
    } else if (const auto* p = std::get_if<Payment>(&r)) {
      picked[i] = found_visits.count(key(owner, p->visit)) > 0;
    } else if (const auto* s = std::get_if<ShiftApproval>(&r)) {
      picked[i] =
          found_shifts.count(key(owner, s->shift)) > 0 || within(local_date(s->approved_at));
    }
    if (picked[i]) out.push_back(i);
  }
  return out;
}

Response export_response(wire::ExportHeader header, World world,
                         std::vector<std::pair<std::string, Registration>> lines) {
  struct Body {
    wire::ExportHeader header;
    World world;
    std::vector<std::pair<std::string, Registration>> lines;
    std::size_t at = 0;
    bool opened = false;
  };
  header.registrations = lines.size();
  auto body = std::make_shared<Body>(Body{std::move(header), std::move(world), std::move(lines)});
  Response r{200, "application/x-ndjson", "", {}};
  r.stream = [body](std::string& out) {
    auto& b = *body;
    const auto start = out.size();
    if (!b.opened) {
      out += wire::export_header_line(b.header, b.world);
      out += '\n';
      b.opened = true;
      b.world = World{};  // written: not held while the rest streams
    }
    for (; b.at < b.lines.size() && out.size() - start < kStreamPiece; ++b.at) {
      out += wire::export_registration_line(b.lines[b.at].first, b.lines[b.at].second);
      out += '\n';
    }
    return b.at < b.lines.size();
  };
  return r;
}

}  // namespace kvittens::service
