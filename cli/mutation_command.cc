// otaconf mutation --side server|client: how many of a reference
// implementation's mutants the suite kills (a FAIL, or a crash, on the clause
// each mutant declares).
#include <iostream>

#include "commands.h"
#include "otaclient.h"
#include "otaconf/conformance/client.h"
#include "otaconf/conformance/embedded.h"
#include "otaconf/fixture.h"
#include "otaconf/http.h"
#include "otaconf/paths.h"
#include "otaconf/reports.h"
#include "otaconf/spec_loader.h"
#include "otaconf/vectors.h"
#include "outputs.h"

namespace otaconf::cli {

namespace {

void print(bool killed, const std::string& name, const std::string& clause, const std::string& profile,
           const std::vector<std::string>& by) {
  std::string list;
  for (const auto& c : by) list += (list.empty() ? "" : ",") + c;
  std::cout << (killed ? "killed   " : "SURVIVED ") << name << " (" << clause << ")"
            << (killed ? " in " + profile + " by " + list : "") << "\n"
            << std::flush;
}

void print_variant(bool passed, const std::string& name, const std::string& reading, const std::string& profile,
                   const std::vector<std::string>& by) {
  std::string list;
  for (const auto& c : by) list += (list.empty() ? "" : ",") + c;
  std::cout << (passed ? "legal    " : "FAILED   ") << name << " (" << reading << ")"
            << (passed ? "" : " in " + profile + " on " + list) << "\n"
            << std::flush;
}

// Whether a variant's run is the one --results-dir keeps: where it failed,
// else its run in the default profile.
bool deciding_variant_run(bool passed, const std::string& failed_in, const std::string& profile,
                          const spec::Spec& spec) {
  return passed ? profile == spec.default_profile : profile == failed_in;
}

// Where --results-dir puts one run: DIR/mutant-NAME.json, DIR/reference-PROFILE.json.
std::filesystem::path results_path(const std::string& directory, const std::string& kind, const std::string& name) {
  return std::filesystem::path(directory) / (kind + "-" + name + ".json");
}

void write_results(const std::filesystem::path& file, const results::RunInfo& run, const results::Recorder& recorder,
                   const spec::Spec& spec, spec::Side side) {
  reports::write_text_file(file, results::serialize(results::to_json(run, recorder, spec, side)));
}

// The reference runs beside the mutants' in --results-dir, one per profile.
void write_server_references(const spec::Spec& spec, const fixture::Fixture& fixture,
                             const conformance::ServerOptions& options, const std::string& directory) {
  for (const auto& profile : spec.profiles) {
    conformance::EmbeddedRun run;
    conformance::run_against_reference(spec, profile, fixture, "", options, run);
    write_results(results_path(directory, "reference", profile.id), run.info, run.recorder, spec, spec::Side::Server);
  }
}

void write_client_references(const spec::Spec& spec,
                             const std::function<std::unique_ptr<client::Adapter>()>& make_adapter,
                             const conformance::ClientOptions& options, const std::string& directory) {
  for (const auto& profile : spec.profiles) {
    auto adapter = make_adapter();
    results::Recorder recorder;
    results::RunInfo run;
    run.implementation = "otaclient (" + profile.id + ")";
    conformance::run_client_suite(spec, profile, *adapter, options, recorder, run);
    write_results(results_path(directory, "reference", profile.id), run, recorder, spec, spec::Side::Client);
  }
}

}  // namespace

void add_mutation_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string side = "server", spec_file, fixture_file, results_dir, command;
    conformance::ServerOptions options;
  };
  auto args = std::make_shared<Args>();
  args->options.cases = 20;
  auto* sub = app.add_subcommand(
      "mutation",
      "Run the suite against every mutant (each must FAIL on its clause) and every legal variant (none may FAIL) of a "
      "reference implementation");
  sub->add_option("--side", args->side, "server or client")
      ->check(CLI::IsMember({"server", "client"}))
      ->capture_default_str();
  sub->add_option("--spec", args->spec_file, "spec file (default: the shipped spec)");
  sub->add_option("--fixture", args->fixture_file, "server side: fixture (default: the embedded default)");
  sub->add_option("--client-adapter", args->command,
                  "client side: the reference client behind the subprocess protocol (default: otaclient-adapter-asan "
                  "beside otaconf, built with ASan, so memory errors end it)");
  add_property_options(sub, args->options.seed, args->options.cases);
  sub->add_option("--results-dir", args->results_dir,
                  "write a results JSON per mutant (the run that decided it) and per reference profile here, for "
                  "otaconf report");
  sub->callback([args, &exit_code] {
    try {
      const auto spec =
          spec::load_spec(args->spec_file.empty() ? spec::default_spec_path() : std::filesystem::path(args->spec_file));
      std::size_t killed = 0, total = 0, legal = 0, variants = 0;
      const auto& dir = args->results_dir;
      if (!dir.empty()) std::filesystem::create_directories(dir);
      if (args->side == "server") {
        const auto fixture =
            args->fixture_file.empty() ? fixture::default_fixture() : fixture::load_fixture(args->fixture_file);
        if (!dir.empty()) write_server_references(spec, fixture, args->options, dir);
        conformance::MutantRunSink sink;
        if (!dir.empty()) {
          sink = [&](const conformance::MutantVerdict& v, const conformance::EmbeddedRun& run) {
            write_results(results_path(dir, "mutant", v.name), run.info, run.recorder, spec, spec::Side::Server);
          };
        }
        conformance::mutation_analysis(
            spec, fixture, args->options,
            [&](const conformance::MutantVerdict& v) {
              ++total;
              killed += v.killed ? 1 : 0;
              print(v.killed, v.name, v.clause, v.profile, v.by_clauses);
            },
            sink);
        conformance::VariantRunSink variant_sink;
        if (!dir.empty()) {
          variant_sink = [&](const conformance::VariantVerdict& v, const conformance::EmbeddedRun& run) {
            if (deciding_variant_run(v.passed, v.profile, run.info.profile, spec)) {
              write_results(results_path(dir, "variant", v.name), run.info, run.recorder, spec, spec::Side::Server);
            }
          };
        }
        conformance::variant_analysis(
            spec, fixture, args->options,
            [&](const conformance::VariantVerdict& v) {
              ++variants;
              legal += v.passed ? 1 : 0;
              print_variant(v.passed, v.name, v.reading, v.profile, v.by_clauses);
            },
            variant_sink);
      } else {
        conformance::ClientOptions options;
        options.seed = args->options.seed;
        options.cases = args->options.cases;
        options.vectors = vectors::default_directory();
        std::vector<std::pair<std::string, std::pair<std::string, std::string>>> list;
        for (const auto& m : otaclient::mutants()) list.push_back({m.name, {m.clause, m.description}});
        auto command = args->command;
        if (command.empty()) {
          const auto shipped = paths::companion("otaclient-adapter-asan");
          if (!shipped) {
            std::cerr << "otaconf: the reference adapter otaclient-adapter-asan is not beside otaconf ("
                      << paths::executable_dir().string() << "); give --client-adapter\n";
            exit_code = kExitUsage;
            return;
          }
          command = http::shell_quote(shipped->string());
        }
        auto make_adapter = [command] { return client::command_adapter(command, {.timeout_seconds = 5}); };
        if (!dir.empty()) write_client_references(spec, make_adapter, options, dir);
        conformance::ClientMutantRunSink sink;
        if (!dir.empty()) {
          sink = [&](const conformance::ClientMutantVerdict& v, const results::RunInfo& run,
                     const results::Recorder& recorder) {
            write_results(results_path(dir, "mutant", v.name), run, recorder, spec, spec::Side::Client);
          };
        }
        conformance::client_mutation_analysis(
            spec, make_adapter, options, list,
            [&](const conformance::ClientMutantVerdict& v) {
              ++total;
              killed += v.killed ? 1 : 0;
              print(v.killed, v.name, v.clause, v.profile, v.by_clauses);
            },
            sink);
        std::vector<std::pair<std::string, std::pair<std::string, std::string>>> variant_list;
        for (const auto& v : otaclient::variants()) variant_list.push_back({v.name, {v.clause, v.description}});
        conformance::client_variant_analysis(
            spec, make_adapter, options, variant_list,
            [&](const conformance::ClientVariantVerdict& v) {
              ++variants;
              legal += v.passed ? 1 : 0;
              print_variant(v.passed, v.name, v.reading, v.profile, v.by_clauses);
            },
            [&](const conformance::ClientVariantVerdict& v, const results::RunInfo& run,
                const results::Recorder& recorder) {
              if (!dir.empty() && deciding_variant_run(v.passed, v.profile, run.profile, spec)) {
                write_results(results_path(dir, "variant", v.name), run, recorder, spec, spec::Side::Client);
              }
            });
      }
      // Both lines always: every mutant killed and every legal variant passing is the goal.
      std::cout << "mutation score: " << killed << "/" << total << "\n";
      std::cout << "variant score: " << legal << "/" << variants << "\n";
      exit_code = killed == total && legal == variants ? kExitOk : kExitFindings;
    } catch (const InputError& e) {
      std::cerr << "otaconf: " << e.what() << "\n";
      exit_code = kExitUsage;
    } catch (const std::runtime_error& e) {
      std::cerr << "otaconf: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

}  // namespace otaconf::cli
