#include "wire/decisions_json.hpp"

namespace kvittens::wire {

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

namespace {

DecisionState state(const std::string& s) {
  if (s == "approved") return DecisionState::Approved;
  if (s == "reduced") return DecisionState::Reduced;
  if (s == "rejected") return DecisionState::Rejected;
  throw WireError({{"", "decision state '" + s + "' is not approved, reduced or rejected"}});
}

Trace trace(const nlohmann::json& j) {
  Trace out;
  for (const auto& t : j) {
    const auto& clause = t.at("clause").get_ref<const std::string&>();
    if (clause.size() > 255)
      throw WireError({{"", "decisions: trace clause id of " + std::to_string(clause.size()) +
                                " bytes (at most 255)"}});
    out.add(clause, t.at("reason").get_ref<const std::string&>());
  }
  return out;
}

Stamp stamp(const nlohmann::json& j) {
  return {j.at("pack"), j.at("version"), j.at("effective"), j.at("hash")};
}

template <class F>
auto wire(F&& f) {
  try {
    return f();
  } catch (const nlohmann::json::exception& e) {
    throw WireError({{"", std::string("decisions: ") + e.what()}});
  } catch (const TimeError& e) {
    throw WireError({{"", std::string("decisions: ") + e.what()}});
  }
}

}  // namespace

VisitDecision decode_visit_decision(const nlohmann::json& j) {
  return wire([&] {
    VisitDecision d;
    d.id = j.at("id");
    d.kind = j.at("kind");
    d.provider = j.at("provider");
    d.customer = j.at("customer");
    d.staff = j.at("staff");
    d.start = parse_local(j.at("start").get<std::string>());
    d.end = parse_local(j.at("end").get<std::string>());
    d.registered_minutes = j.at("registered_minutes");
    d.paid_minutes = j.at("paid_minutes");
    d.state = state(j.at("state"));
    d.customer_fee = j.at("customer_fee");
    d.manual = j.at("manual");
    for (const auto& i : j.at("insatser")) {
      InsatsDecision x;
      x.insats = i.at("insats");
      x.registered_minutes = i.at("registered_minutes");
      x.paid_minutes = i.at("paid_minutes");
      x.state = state(i.at("state"));
      x.customer_fee = i.at("customer_fee");
      x.trace = trace(i.at("trace"));
      d.insatser.push_back(std::move(x));
    }
    d.trace = trace(j.at("trace"));
    d.stamp = stamp(j.at("stamp"));
    return d;
  });
}

Decisions decode_decisions(const nlohmann::json& j) {
  return wire([&] {
    Decisions out;
    for (const auto& v : j.at("decisions")) out.visits.push_back(decode_visit_decision(v));
    for (const auto& m : j.at("months")) {
      MonthlySummary s;
      s.provider = m.at("provider");
      s.month = m.at("month");
      s.visits = m.at("visits");
      s.manual_visits = m.at("manual_visits");
      // The text carries the share to 4 decimals; the engine's value is manual/visits
      // (backend/engine/monthly.cpp), restored exactly from the two counts.
      s.manual_share = s.visits ? static_cast<double>(s.manual_visits) / s.visits
                                : m.at("manual_share").get<double>();
      s.manual_share_exceeded = m.at("manual_share_exceeded");
      s.paid_minutes = m.at("paid_minutes");
      s.rejected = m.at("rejected");
      for (const auto& r : m.at("repayments"))
        s.repayments.push_back({r.at("visit"),
                                r.at("paid_before"),
                                r.at("due_now"),
                                {r.at("clause"), r.at("reason")}});
      s.trace = trace(m.at("trace"));
      s.stamp = stamp(m.at("stamp"));
      out.months.push_back(std::move(s));
    }
    return out;
  });
}

}  // namespace kvittens::wire
