// otaconf spec lint|show|dict [FILE]
#include <iostream>
#include <string>

#include "commands.h"
#include "otaconf/paths.h"
#include "otaconf/spec_loader.h"
#include "otaconf/spec_tools.h"

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
    sub->add_option("FILE", *file, "the spec (default: the shipped spec/onenet-ota-v1.json)");
    sub->callback([&exit_code, file, run = verb.run] { exit_code = run(*file); });
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
