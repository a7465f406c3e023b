// otaconf spec lint|show|dict [FILE]
#include <algorithm>
#include <iostream>
#include <string>

#include "commands.h"
#include "otaconf/conformance/client.h"
#include "otaconf/conformance/mock.h"
#include "otaconf/conformance/server.h"
#include "otaconf/paths.h"
#include "otaconf/spec_loader.h"
#include "otaconf/spec_tools.h"
#include "otaconf/vectors.h"

namespace otaconf::cli {

namespace {

namespace spec = otaconf::spec;

// Reports load errors on stderr and returns nullopt on failure: every error
// for lint, otherwise the first one on a single line.
std::optional<spec::Spec> load_or_report(const std::string& file, bool all_errors) {
  auto outcome = spec::try_load_spec(file.empty() ? spec::default_spec_path() : std::filesystem::path(file));
  const auto& errors = outcome.errors;
  if (all_errors) {
    for (const auto& error : errors) std::cerr << "otaconf: " << error.line() << "\n";
  } else if (!errors.empty()) {
    std::cerr << "otaconf: " << errors.front().line();
    if (errors.size() > 1) std::cerr << " (and " << errors.size() - 1 << " more: otaconf spec lint lists them)";
    std::cerr << "\n";
  }
  return std::move(outcome.spec);
}

int lint(const std::string& file) {
  auto loaded = load_or_report(file, true);
  if (!loaded) return kExitUsage;
  const auto findings = spec::lint(*loaded);
  for (const auto& finding : findings) std::cout << finding.line() << "\n";
  std::cout << loaded->file.string() << ": " << findings.size() << " finding" << (findings.size() == 1 ? "" : "s")
            << " (" << spec::summary_counts(*loaded) << ")\n";
  return findings.empty() ? kExitOk : kExitFindings;
}

int show(const std::string& file) {
  auto loaded = load_or_report(file, false);
  if (!loaded) return kExitUsage;
  std::cout << spec::summary(*loaded);
  return kExitOk;
}

// Each clause with the checks that judge it: those made for it, then how
// many more may charge it on any answer they judge; "no check" marks a
// clause no run judges (docs/cli.md).
int judged_by(const std::string& file) {
  auto loaded = load_or_report(file, false);
  if (!loaded) return kExitUsage;
  const auto& s = *loaded;
  std::vector<conformance::PlannedCheck> plan = conformance::server_plan({}, conformance::answer_clauses(s));
  conformance::ClientOptions client;
  client.vectors = vectors::default_directory();
  for (auto&& planned : conformance::client_plan(s, client)) plan.push_back(std::move(planned));
  std::vector<std::string> scenarios;
  for (const auto& scenario : conformance::mock_scenarios(s)) scenarios.push_back(scenario.id);
  for (auto&& planned : conformance::client_e2e_plan(s, scenarios)) plan.push_back(std::move(planned));
  std::size_t unjudged = 0;
  for (const auto& clause : s.clauses) {
    std::string made_for;
    std::size_t on_answers = 0;
    for (const auto& check : plan) {
      if (std::find(check.clauses.begin(), check.clauses.end(), clause.id) != check.clauses.end())
        made_for += " " + check.id;
      else if (std::find(check.answer_clauses.begin(), check.answer_clauses.end(), clause.id) !=
               check.answer_clauses.end())
        ++on_answers;
    }
    std::cout << clause.id << " (" << spec::to_string(clause.level) << ", " << spec::to_string(clause.side) << "):";
    if (made_for.empty() && on_answers == 0) {
      std::cout << " no check\n";
      ++unjudged;
      continue;
    }
    std::cout << made_for;
    if (on_answers > 0) std::cout << (made_for.empty() ? " " : "; ") << "on any answer of " << on_answers << " checks";
    std::cout << "\n";
  }
  std::cout << s.clauses.size() << " clauses, " << unjudged << " judged by no check\n";
  return kExitOk;
}

int dict(const std::string& file) {
  auto loaded = load_or_report(file, false);
  if (!loaded) return kExitUsage;
  std::cout << spec::fuzz_dictionary(*loaded);
  return kExitOk;
}

}  // namespace

void add_spec_command(CLI::App& app, int& exit_code) {
  auto* spec_app = app.add_subcommand("spec", "Check, summarise and use a machine-readable spec");
  spec_app->require_subcommand(1);
  struct Verb {
    const char* name;
    const char* help;
    int (*run)(const std::string&);
  };
  static const Verb verbs[] = {
      {"lint", "Validate a spec (schema, references, quotes against its sources); exit 1 on findings", lint},
      {"show", "Print a readable summary of fields, codes, clauses and ambiguities", show},
      {"dict", "Print a libFuzzer dictionary made of the spec's names and values", dict},
  };
  for (const auto& verb : verbs) {
    auto* sub = spec_app->add_subcommand(verb.name, verb.help);
    auto file = std::make_shared<std::string>();
    auto by_check = std::make_shared<bool>(false);
    sub->add_option("FILE", *file, "the spec (default: the shipped spec/onenet-ota-v1.json)");
    if (verb.run == show) {
      sub->add_flag("--judged-by", *by_check,
                    "instead: each clause with the checks that judge it (server, client and client-e2e), and the "
                    "clauses no check judges");
    }
    sub->callback(
        [&exit_code, file, by_check, run = verb.run] { exit_code = *by_check ? judged_by(*file) : run(*file); });
  }
}

std::string version_text() {
  std::string text = std::string("otaconf ") + OTACONF_VERSION;
  const auto data = paths::data_dir();
  auto outcome = spec::try_load_spec(spec::default_spec_path());
  if (outcome.spec) {
    const auto& s = *outcome.spec;
    text += "\nspec: " + s.id + " (" + s.format + ")";
    if (s.authorization) {
      for (const auto& param : s.authorization->params) {
        if (param.name == "version" && !param.values.empty()) text += ", token version " + param.values.front();
      }
    }
  } else {
    text += "\nspec: none readable at " + spec::default_spec_path().string();
  }
  text += "\ndata: " + (data.empty() ? std::string("not found (set OTACONF_DATA_DIR)") : data.string());
  return text;
}

}  // namespace otaconf::cli
