#include "report/explain.hpp"

#include <set>
#include <sstream>
#include <stdexcept>

#include "wire/decisions_json.hpp"

namespace kvittens::harness {
namespace {

using Json = nlohmann::ordered_json;

std::string seed_short(const std::string& seed) {
  return seed.substr(0, seed.find('_'));
}

Json rule(const backend::RulePack& pack, const Trace::Line& t, const std::string& scope) {
  const auto* c = pack.clause(t.clause);
  return Json{{"scope", scope},
              {"clause", t.clause},
              {"reference", pack.document + " (" + pack.name + "@" + pack.version + "), seed " +
                                seed_short(pack.seed) + " section " + std::string(t.clause)},
              {"title", c ? c->title : "(clause missing from the pack)"},
              {"statement", c ? c->statement : ""},
              {"reason", t.reason}};
}

Json receipt_json(const Receipt& r, Place place) {
  Json j{{"kind", to_string(r.kind)}, {"place", to_string(place)}};
  if (r.kind == ReceiptKind::Nfc) j["tag"] = r.tag_uid;
  if (r.kind == ReceiptKind::Lock && r.lock)
    j["lock"] = Json{{"lock", r.lock->lock_id},
                     {"seq", r.lock->seq},
                     {"time", format_local(Instant{std::chrono::seconds{r.lock->time}})}};
  return j;
}

const Visit* find_visit(const Registrations* regs, const std::string& id) {
  if (!regs) return nullptr;
  for (const auto& v : regs->visits)
    if (v.id == id) return &v;
  return nullptr;
}

}  // namespace

Json explain(const ExplainRequest& q) {
  const auto& pack = *q.pack;
  const auto& d = *q.decision;
  Json inputs{{"id", d.id},
              {"kind", d.kind},
              {"customer", d.customer},
              {"staff", d.staff},
              {"start", format_local(d.start)},
              {"end", format_local(d.end)},
              {"registered_minutes", d.registered_minutes}};
  if (const auto* v = find_visit(q.registrations, d.id)) {
    inputs["registered_start"] = format_local(v->start);
    inputs["registered_end"] = format_local(v->end);
    inputs["start_receipt"] = receipt_json(v->start_receipt, v->start_place);
    inputs["end_receipt"] = receipt_json(v->end_receipt, v->end_place);
    // Whether a note exists matters to the rules; its text is personal data and stays out.
    inputs["note_present"] = !v->note.empty();
    inputs["manual"] = v->manual;
    if (v->edit) {
      inputs["edit"] = Json{{"start", format_local(v->edit->start)},
                            {"end", format_local(v->edit->end)},
                            {"note_present", !v->edit->note.empty()}};
      // When it was made decides whether it came before the shift's approval (4.12).
      if (v->edit->made_at) inputs["edit"]["made_at"] = format_local(*v->edit->made_at);
    }
    Json performed = Json::array();
    for (const auto& p : v->insatser) {
      Json o{{"insats", p.insats}, {"status", to_string(p.status)}};
      if (q.world)
        for (const auto& ord : q.world->orders)
          if (ord.customer == v->customer && ord.insats == p.insats)
            o["ordered_minutes"] = ord.minutes;
      performed.push_back(o);
    }
    inputs["insatser"] = performed;
  }

  Json fired = Json::array();
  std::set<std::string> clauses;
  const bool all = q.insats.empty();
  bool found = all;
  if (all)
    for (const auto& t : d.trace)
      fired.push_back(rule(pack, t, "visit")), clauses.emplace(t.clause);
  for (const auto& i : d.insatser) {
    if (!all && i.insats != q.insats) continue;
    found = true;
    for (const auto& t : i.trace)
      fired.push_back(rule(pack, t, i.insats)), clauses.emplace(t.clause);
  }
  if (!found) throw std::invalid_argument("decision " + d.id + " has no insats '" + q.insats + "'");

  Json params = Json::array();
  for (const auto& [name, p] : pack.parameters)
    if (clauses.count(p.clause))
      params.push_back(Json{{"name", name},
                            {"clause", p.clause},
                            {"value", p.value},
                            {"unit", p.unit},
                            {"effective", p.effective},
                            {"description", p.description}});
  Json interpretations = Json::array();
  for (const auto& i : pack.interpretations)
    if (clauses.count(i.clause))
      interpretations.push_back(Json{{"id", i.id}, {"clause", i.clause}, {"text", i.text}});

  Json outcome;
  if (all) {
    outcome = Json{{"paid_minutes", d.paid_minutes},
                   {"state", to_string(d.state)},
                   {"customer_fee", d.customer_fee},
                   {"manual", d.manual}};
    Json per = Json::array();
    for (const auto& i : d.insatser)
      per.push_back(Json{{"insats", i.insats},
                         {"paid_minutes", i.paid_minutes},
                         {"state", to_string(i.state)},
                         {"customer_fee", i.customer_fee}});
    outcome["insatser"] = per;
  } else {
    for (const auto& i : d.insatser)
      if (i.insats == q.insats)
        outcome = Json{{"insats", i.insats},
                       {"paid_minutes", i.paid_minutes},
                       {"state", to_string(i.state)},
                       {"customer_fee", i.customer_fee}};
  }
  return Json{{"decision", d.id},
              {"inputs", inputs},
              {"rules", fired},
              {"parameters", params},
              {"interpretations", interpretations},
              {"outcome", outcome},
              {"stamp", wire::to_json(*d.stamp)}};
}

std::string explain_text(const Json& e) {
  std::ostringstream o;
  const auto& in = e["inputs"];
  o << "Decision " << e["decision"].get<std::string>() << " (" << in["kind"].get<std::string>()
    << "), customer " << in["customer"].get<std::string>() << ", staff "
    << in["staff"].get<std::string>() << "\n\n";
  o << "Inputs\n";
  o << "  time        " << in["start"].get<std::string>() << " – " << in["end"].get<std::string>()
    << " (" << in["registered_minutes"].get<int>() << " min)\n";
  for (const char* end : {"start_receipt", "end_receipt"}) {
    if (!in.contains(end)) continue;
    const auto& r = in[end];
    o << "  " << (std::string(end) == "start_receipt" ? "start       " : "end         ")
      << r["kind"].get<std::string>();
    if (r.contains("tag")) o << " tag " << r["tag"].get<std::string>();
    if (r.contains("lock"))
      o << " " << r["lock"]["lock"].get<std::string>() << " seq " << r["lock"]["seq"].get<int>()
        << " at " << r["lock"]["time"].get<std::string>();
    o << " (" << r["place"].get<std::string>() << ")\n";
  }
  if (in.contains("note_present"))
    o << "  note        " << (in["note_present"].get<bool>() ? "present" : "none") << "\n";
  if (in.contains("edit"))
    o << "  edit        " << in["edit"]["start"].get<std::string>() << " – "
      << in["edit"]["end"].get<std::string>()
      << (in["edit"]["note_present"].get<bool>() ? " (with note)" : " (no note)")
      << (in["edit"].contains("made_at") ? ", made " + in["edit"]["made_at"].get<std::string>()
                                         : std::string())
      << "\n";
  if (in.contains("insatser"))
    for (const auto& p : in["insatser"]) {
      o << "  insats      " << p["insats"].get<std::string>() << " ("
        << p["status"].get<std::string>();
      if (p.contains("ordered_minutes"))
        o << ", ordered " << p["ordered_minutes"].get<int>() << " min";
      o << ")\n";
    }
  o << "\nRules, in the order they fired\n";
  int n = 0;
  for (const auto& r : e["rules"]) {
    o << "  " << ++n << ". [" << r["clause"].get<std::string>() << "] "
      << r["title"].get<std::string>() << " — " << r["scope"].get<std::string>() << "\n";
    o << "     " << r["reference"].get<std::string>() << "\n";
    o << "     rule:   " << r["statement"].get<std::string>() << "\n";
    o << "     here:   " << r["reason"].get<std::string>() << "\n";
  }
  if (!e["parameters"].empty()) {
    o << "\nParameters used\n";
    for (const auto& p : e["parameters"])
      o << "  " << p["name"].get<std::string>() << " = " << p["value"].get<std::string>() << " "
        << p["unit"].get<std::string>() << " (clause " << p["clause"].get<std::string>()
        << ", in force from " << p["effective"].get<std::string>() << ")\n";
  }
  if (!e["interpretations"].empty()) {
    o << "\nInterpretations of the text applied\n";
    for (const auto& i : e["interpretations"])
      o << "  " << i["id"].get<std::string>() << " (" << i["clause"].get<std::string>()
        << "): " << i["text"].get<std::string>() << "\n";
  }
  const auto& out = e["outcome"];
  o << "\nOutcome\n  " << out["paid_minutes"].get<int>() << " min paid, "
    << out["state"].get<std::string>() << ", customer fee "
    << (out["customer_fee"].get<bool>() ? "yes" : "no") << "\n";
  if (out.contains("insatser"))
    for (const auto& i : out["insatser"])
      o << "    " << i["insats"].get<std::string>() << ": " << i["paid_minutes"].get<int>()
        << " min, " << i["state"].get<std::string>() << "\n";
  const auto& s = e["stamp"];
  o << "\nRules " << s["pack"].get<std::string>() << "@" << s["version"].get<std::string>()
    << ", effective " << s["effective"].get<std::string>() << ", sha256 "
    << s["hash"].get<std::string>() << "\n";
  return o.str();
}

}  // namespace kvittens::harness
