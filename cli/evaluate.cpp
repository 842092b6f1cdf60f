// `kvittens evaluate INPUT --rules PACK@VERSION [--json]`: decisions for a world plus
// registrations, without scenarios or devices.
#include <cstdio>
#include <iostream>

#include "backend/inprocess.hpp"
#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "kvittens/clauses.hpp"
#include "scenario/evaluate_input.hpp"
#include "wire/decisions_json.hpp"

namespace kvittens::cli {
namespace {

struct EvaluateOptions {
  std::string input;
  std::string rules;
  bool json = false;
};

// The table's CLAUSES column: every clause the decision cites, in the order first cited.
std::string clause_column(const VisitDecision& d) {
  std::string out;
  for (const auto& c : clauses_cited(d)) (out += out.empty() ? "" : ",") += c;
  return out;
}

void print_table(const Decisions& decisions) {
  std::printf("%-14s %-15s %-8s %-8s %-17s %5s %5s  %-9s %-3s %s\n", "ID", "KIND", "CUSTOMER",
              "STAFF", "START", "REG", "PAID", "STATE", "FEE", "CLAUSES");
  for (const auto& d : decisions.visits) {
    std::printf("%-14s %-15s %-8s %-8s %-17s %5d %5d  %-9s %-3s %s\n", d.id.c_str(), d.kind.c_str(),
                d.customer.c_str(), d.staff.c_str(), format_local(d.start).c_str(),
                d.registered_minutes, d.paid_minutes, to_string(d.state),
                d.customer_fee ? "yes" : "no", clause_column(d).c_str());
    for (const auto& i : d.insatser)
      std::printf("  %-28s %31d %5d  %-9s %-3s\n", i.insats.c_str(), i.registered_minutes,
                  i.paid_minutes, to_string(i.state), i.customer_fee ? "yes" : "no");
  }
  for (const auto& m : decisions.months) {
    std::printf("\n%s %s: %d visits, %d manual (%.1f %%%s), %d min paid, %d rejected\n",
                m.provider.c_str(), m.month.c_str(), m.visits, m.manual_visits,
                m.manual_share * 100, m.manual_share_exceeded ? ", above the limit" : "",
                m.paid_minutes, m.rejected);
    for (const auto& r : m.repayments)
      std::printf("  repayment %s: paid %d min, due %d min (%s)\n", r.visit.c_str(), r.paid_before,
                  r.due_now, r.reason.clause.c_str());
  }
  if (!decisions.visits.empty()) {
    const auto& s = *decisions.visits.front().stamp;
    std::printf("\nrules %s@%s (effective %s, sha256 %.12s)\n", s.pack.c_str(), s.version.c_str(),
                s.effective.c_str(), s.hash.c_str());
  }
}

int evaluate(const EvaluateOptions& o) {
  harness::EvaluateInput in;
  try {
    in = harness::load_evaluate_input(o.input);
  } catch (const harness::ScenarioError& e) {
    std::fprintf(stderr, "kvittens evaluate: %s\n", e.what());
    return kUsage;
  }
  const std::string rules = !o.rules.empty() ? o.rules : in.rules.value_or("");
  if (rules.empty()) {
    std::fprintf(stderr,
                 "kvittens evaluate: no rules given: use --rules PACK@VERSION or 'rules:' in %s\n",
                 o.input.c_str());
    return kUsage;
  }
  std::unique_ptr<backend::InProcessBackend> b;
  try {
    b = backend::make_inprocess_backend(rules);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kvittens evaluate: %s\n", e.what());
    return kUsage;
  }
  b->sync_world(in.world);
  for (const auto& r : in.registrations) {
    const auto res = b->submit(r.registration);
    if (!res.accepted) {
      std::fprintf(stderr, "kvittens evaluate: %s: registration '%s' refused: %s%s\n",
                   r.where.str().c_str(), registration_id(r.registration).c_str(),
                   res.reason.c_str(),
                   res.clause.empty() ? "" : (" (clause " + res.clause + ")").c_str());
      return kUsage;
    }
  }
  const auto decisions = b->decisions();
  if (o.json) {
    std::cout << wire::to_json(decisions).dump(2) << "\n";
  } else {
    print_table(decisions);
  }
  return kOk;
}

}  // namespace

void add_evaluate(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<EvaluateOptions>();
  auto* cmd = app.add_subcommand("evaluate",
                                 "Decide a world plus registrations (YAML or JSON, "
                                 "docs/evaluate-format.md) under a rule pack");
  cmd->add_option("INPUT", opts->input, "Input file: world and registrations")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--rules", opts->rules, rules_help("Rule pack (default: 'rules:' in the input)"));
  add_rules_dir_option(*cmd);
  cmd->add_flag("--json", opts->json, "Print decisions as JSON (docs/decisions-format.md)");
  cmd->callback([opts, &exit_code] { exit_code = evaluate(*opts); });
}

}  // namespace kvittens::cli
