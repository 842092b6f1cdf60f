#include "sim/load/planned_visits.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "sim/core/doors.hpp"

namespace kvittens::sim::load {
namespace {

constexpr int kMinutesEach = 30;
constexpr int kPerDay = 8;
constexpr double kGrantedWeeklyHours = 40;

std::string tag_for(std::size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "04:58:%02X:%02X:00:00:01", static_cast<unsigned>((n >> 8) & 0xff),
                static_cast<unsigned>(n & 0xff));
  return buf;
}

}  // namespace

Part planned_visits_part(const Part& like, const Options& options,
                         const std::vector<std::vector<std::string>>& visits) {
  if (like.world.providers.empty())
    throw std::invalid_argument("planned visits need a month with a provider");
  Part part;
  part.rules = like.rules;
  part.service = like.service;
  auto& w = part.world;
  w.providers = like.world.providers;
  w.cutoff_dates = like.world.cutoff_dates;
  const std::string provider = w.providers.front().id;
  const std::string staff = "xs1";
  w.staff.push_back({staff, provider, "Planerad personal", std::nullopt, std::nullopt, ""});

  const Date first = parse_date(options.first_day);
  std::set<Date> days;
  for (std::size_t i = 0; i < visits.size(); ++i) {
    if (visits[i].empty()) throw std::invalid_argument("a planned visit needs an insats");
    const auto n = std::to_string(i + 1);
    Customer c;
    c.id = "xc" + n;
    c.provider = provider;
    c.name = "Planerad kund " + n;
    c.service = like.service;
    // Boendestöd pays within granted weekly hours (B1): enough that the cap decides nothing.
    if (like.service == ServiceType::Boendestod) c.granted_weekly_hours = kGrantedWeeklyHours;
    c.nfc_tags.push_back(tag_for(i + 1));
    w.customers.push_back(c);

    const Date day{std::chrono::sys_days{first} + std::chrono::days{static_cast<int>(i) / kPerDay}};
    days.insert(day);
    const int slot = static_cast<int>(i) % kPerDay;
    PlannedVisit pv;
    pv.visit.id = "xv" + n;
    pv.visit.staff = staff;
    pv.visit.customer = c.id;
    pv.visit.start =
        start_of_local_day(day) + std::chrono::hours{8} + std::chrono::minutes{slot * 90};
    pv.visit.end =
        pv.visit.start + std::chrono::minutes{kMinutesEach * static_cast<int>(visits[i].size())};
    for (const auto& insats : visits[i]) {
      w.orders.push_back(
          {"xo" + std::to_string(w.orders.size() + 1), c.id, insats, kMinutesEach, false, {}, {}});
      pv.visit.insatser.push_back({insats, InsatsStatus::Ordered, kMinutesEach});
    }
    pv.start_receipt = pv.end_receipt = ReceiptKind::Nfc;
    pv.tag_owner = c.id;
    part.events.push_back({pv.visit.start, Event::Kind::VisitStart, part.visits.size()});
    part.events.push_back({pv.visit.end, Event::Kind::VisitEnd, part.visits.size()});
    part.visits.push_back(std::move(pv));
  }
  for (const auto& day : days) {
    const Instant when =
        start_of_local_day(Date{std::chrono::sys_days{day} + std::chrono::days{1}}) +
        std::chrono::hours{9};
    part.events.push_back({when, Event::Kind::Office, part.others.size()});
    part.others.push_back(ShiftApproval{staff + "/" + format_date(day), when});
    part.others_by.push_back("office");
  }
  part.doors = default_doors(w);
  std::stable_sort(part.events.begin(), part.events.end(),
                   [](const Event& a, const Event& b) { return a.at < b.at; });
  return part;
}

}  // namespace kvittens::sim::load
