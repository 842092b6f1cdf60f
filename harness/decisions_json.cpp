#include "harness/decisions_json.hpp"

namespace kvittens::harness {

using Json = nlohmann::ordered_json;

Json to_json(const TraceEntry& t) {
  return Json{{"clause", t.clause}, {"reason", t.reason}};
}

Json to_json(const Stamp& s) {
  return Json{
      {"pack", s.pack}, {"version", s.version}, {"effective", s.effective}, {"hash", s.hash}};
}

namespace {
Json trace_json(const Trace& trace) {
  Json out = Json::array();
  for (const auto& t : trace) out.push_back(Json{{"clause", t.clause}, {"reason", t.reason}});
  return out;
}
}  // namespace

Json to_json(const InsatsDecision& d) {
  return Json{{"insats", d.insats},
              {"registered_minutes", d.registered_minutes},
              {"paid_minutes", d.paid_minutes},
              {"state", to_string(d.state)},
              {"customer_fee", d.customer_fee},
              {"trace", trace_json(d.trace)}};
}

Json to_json(const VisitDecision& d) {
  Json insatser = Json::array();
  for (const auto& i : d.insatser) insatser.push_back(to_json(i));
  return Json{{"id", d.id},
              {"kind", d.kind},
              {"provider", d.provider},
              {"customer", d.customer},
              {"staff", d.staff},
              {"start", format_local(d.start)},
              {"end", format_local(d.end)},
              {"registered_minutes", d.registered_minutes},
              {"paid_minutes", d.paid_minutes},
              {"state", to_string(d.state)},
              {"customer_fee", d.customer_fee},
              {"manual", d.manual},
              {"insatser", insatser},
              {"trace", trace_json(d.trace)},
              {"stamp", to_json(*d.stamp)}};
}

Json to_json(const MonthlySummary& m) {
  Json repayments = Json::array();
  for (const auto& r : m.repayments)
    repayments.push_back(Json{{"visit", r.visit},
                              {"paid_before", r.paid_before},
                              {"due_now", r.due_now},
                              {"clause", r.reason.clause},
                              {"reason", r.reason.reason}});
  // The share is written with 4 decimals so the text does not depend on float printing.
  const double share = static_cast<double>(static_cast<long>(m.manual_share * 10000 + 0.5)) / 10000;
  return Json{{"provider", m.provider},
              {"month", m.month},
              {"visits", m.visits},
              {"manual_visits", m.manual_visits},
              {"manual_share", share},
              {"manual_share_exceeded", m.manual_share_exceeded},
              {"paid_minutes", m.paid_minutes},
              {"rejected", m.rejected},
              {"repayments", repayments},
              {"trace", trace_json(m.trace)},
              {"stamp", to_json(*m.stamp)}};
}

Json to_json(const Decisions& d) {
  Json visits = Json::array();
  for (const auto& v : d.visits) visits.push_back(to_json(v));
  Json months = Json::array();
  for (const auto& m : d.months) months.push_back(to_json(m));
  return Json{{"decisions", visits}, {"months", months}};
}

}  // namespace kvittens::harness
