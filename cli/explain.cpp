// `kvittens explain SCENARIO|INPUT --visit ID [--insats NAME] [--rules PACK@VERSION] [--json]`:
// the chain behind one decision (docs/explain.md).
#include <iostream>

#include "backend/inprocess.hpp"
#include "cli/commands.hpp"
#include "cli/inputs.hpp"
#include "report/explain.hpp"
#include "runner/runner.hpp"
#include "scenario/discover.hpp"
#include "scenario/evaluate_input.hpp"
#include "scenario/scenario_load.hpp"

namespace kvittens::cli {
namespace {

struct ExplainOptions {
  std::string input;
  std::string visit;
  std::string insats;
  std::string rules;
  bool json = false;
};

// Forwards to an in-process backend that outlives the run, so its registrations can be shown.
class Keeping final : public BackendClient {
 public:
  explicit Keeping(std::shared_ptr<backend::InProcessBackend> b) : b_(std::move(b)) {}
  void sync_world(const World& w) override { b_->sync_world(w); }
  SubmitResult submit(const Registration& r) override { return b_->submit(r); }
  Decisions decisions() override { return b_->decisions(); }

 private:
  std::shared_ptr<backend::InProcessBackend> b_;
};

bool is_scenario(const std::string& path) {
  try {
    return static_cast<bool>(YAML::LoadFile(path)["scenario"]);
  } catch (const YAML::Exception&) {
    return false;  // the loaders report the syntax error with its place
  }
}

int explain_cmd(const ExplainOptions& o) {
  std::shared_ptr<backend::InProcessBackend> b;
  World world;
  try {
    if (is_scenario(o.input)) {
      harness::LoadOptions load;
      load.insats_catalogue = [](const std::string& r) {
        return backend::load_rule_pack(r).insats_names();
      };
      load.clause_ids = [](const std::string& r) {
        std::vector<std::string> ids;
        for (const auto& c : backend::load_rule_pack(r).clauses) ids.push_back(c.id);
        return ids;
      };
      if (!o.rules.empty()) load.rules_override = {o.rules};
      const auto s = harness::load_scenario(o.input, load, harness::display_path(o.input));
      const std::string rules = !o.rules.empty() ? o.rules : s.rules.at(0);
      harness::RunOptions run;
      run.backend = [&](const std::string& r) -> std::unique_ptr<BackendClient> {
        b = std::shared_ptr<backend::InProcessBackend>(backend::make_inprocess_backend(r));
        return std::make_unique<Keeping>(b);
      };
      const auto result = harness::run_scenario(s, rules, run);
      if (result.status == harness::RunStatus::Error) {
        std::cerr << "kvittens explain: the scenario could not run: " << result.error << "\n";
        return kUsage;
      }
      world = s.world;
    } else {
      const auto in = harness::load_evaluate_input(o.input);
      const std::string rules = !o.rules.empty() ? o.rules : in.rules.value_or("");
      if (rules.empty()) {
        std::cerr << "kvittens explain: no rules given: use --rules PACK@VERSION\n";
        return kUsage;
      }
      b = std::shared_ptr<backend::InProcessBackend>(backend::make_inprocess_backend(rules));
      b->sync_world(in.world);
      for (const auto& r : in.registrations) {
        const auto res = b->submit(r.registration);
        if (!res.accepted) {
          std::cerr << "kvittens explain: " << r.where.str()
                    << ": registration refused: " << res.reason << "\n";
          return kUsage;
        }
      }
      world = in.world;
    }
  } catch (const harness::ScenarioError& e) {
    std::cerr << "kvittens explain: " << e.what() << "\n";
    return kUsage;
  } catch (const backend::RulePackError& e) {
    std::cerr << "kvittens explain: " << e.what() << "\n";
    return kUsage;
  }
  const auto decisions = b->decisions();
  const VisitDecision* d = nullptr;
  for (const auto& x : decisions.visits)
    if (x.id == o.visit) d = &x;
  if (!d) {
    std::string ids;
    for (const auto& x : decisions.visits) ids += (ids.empty() ? "" : ", ") + x.id;
    std::cerr << "kvittens explain: no decision '" << o.visit << "' (decisions: " << ids << ")\n";
    return kUsage;
  }
  try {
    const auto json =
        harness::explain({&b->engine().pack(), &world, &b->registrations(), d, o.insats});
    if (o.json)
      std::cout << json.dump(2) << "\n";
    else
      std::cout << harness::explain_text(json);
  } catch (const std::invalid_argument& e) {
    std::cerr << "kvittens explain: " << e.what() << "\n";
    return kUsage;
  }
  return kOk;
}

}  // namespace

void add_explain(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ExplainOptions>();
  auto* cmd = app.add_subcommand(
      "explain",
      "Explain one decision: inputs, rules fired with their source, parameters, outcome");
  cmd->add_option("INPUT", o->input, "A scenario file or an evaluate input")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--visit", o->visit, "Registration id of the decision")->required();
  cmd->add_option("--insats", o->insats, "Only this insats' chain");
  cmd->add_option("--rules", o->rules,
                  rules_help("Rule pack (default: the scenario's first, or the input's)"));
  add_rules_dir_option(*cmd);
  cmd->add_flag("--json", o->json, "Print the explanation as JSON (docs/explain.md)");
  cmd->callback([o, &exit_code] { exit_code = explain_cmd(*o); });
}

}  // namespace kvittens::cli
