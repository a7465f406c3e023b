// otaconf client: the client suite against a device-side parser;
// otaconf vectors generate: the response vectors the spec implies.
#include <fstream>
#include <iostream>

#include "commands.h"
#include "otaconf/conformance/client.h"
#include "otaconf/spec_loader.h"
#include "otaconf/vectors.h"
#include "outputs.h"
#include "progress.h"

namespace otaconf::cli {

namespace {

spec::Spec load(const std::string& file) {
  return spec::load_spec(file.empty() ? spec::default_spec_path() : std::filesystem::path(file));
}

}  // namespace

void add_client_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string library, command, spec_file, profile, implementation, vectors_dir;
    conformance::ClientOptions options;
    RunOutputs outputs;
    double timeout = 5;
    std::size_t memory_mib = 512;
    bool dry_run = false;
  };
  auto args = std::make_shared<Args>();
  auto* sub =
      app.add_subcommand("client", "Test a device-side parser of check responses (response vectors and properties)");
  auto* lib = sub->add_option("--adapter-lib", args->library,
                              "a shared library exporting otaconf_adapter_parse (otaconf_adapter.h)");
  auto* cmd =
      sub->add_option("--adapter-cmd", args->command, "a command speaking the subprocess protocol (docs/adapters.md)");
  lib->excludes(cmd);
  sub->add_option("--profile", args->profile, "strict, lenient or as-documented (default: the spec's default)");
  sub->add_option("--spec", args->spec_file, "spec file (default: the shipped spec)");
  sub->add_option("--vectors", args->vectors_dir, "directory of response vectors (default: corpus/vectors/response)");
  add_property_options(sub, args->options.seed, args->options.cases);
  sub->add_option("--timeout", args->timeout, "seconds per parse")
      ->capture_default_str()
      ->check(seconds_between(0.1, 600.0));
  sub->add_option("--adapter-memory", args->memory_mib, "MiB of memory a parse may use before it is killed")
      ->capture_default_str()
      ->check(digits_only())
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 20));
  sub->add_option("--only", args->options.only,
                  "judge only clauses or checks matching these globs (e.g. 'CLI.ACTION.*', 'client.vectors')")
      ->delimiter(',');
  sub->add_option("--skip", args->options.skip, "skip clauses or checks matching these globs")->delimiter(',');
  sub->add_option("--reproduce", args->options.reproduce,
                  "replay a property's failure: the reproduce string its evidence gives (same --profile and --seed)")
      ->check(reproduce_string());
  sub->add_option("--implementation", args->implementation, "a name for the parser in reports");
  sub->add_flag("--dry-run", args->dry_run,
                "list the checks this run would make (vectors, property cases) and the clauses each judges, then the "
                "client clauses no selected check judges; run no parser");
  add_run_outputs(sub, args->outputs);
  sub->callback([args, &exit_code] {
    try {
      if (args->library.empty() && args->command.empty() && !args->dry_run) {
        std::cerr << "otaconf: give --adapter-lib PATH or --adapter-cmd COMMAND\n";
        exit_code = kExitUsage;
        return;
      }
      const auto spec = load(args->spec_file);
      const auto* profile = spec.profile(args->profile.empty() ? spec.default_profile : args->profile);
      if (!profile) {
        std::cerr << "otaconf: --profile: the spec has no profile '" << args->profile << "'\n";
        exit_code = kExitUsage;
        return;
      }
      if (!conformance::client_selection_matches(spec, args->options)) {
        std::cerr << "otaconf: --only/--skip select no clause the client checks judge (otaconf spec show lists them)\n";
        exit_code = kExitUsage;
        return;
      }
      args->options.enforce_decisions = args->outputs.enforce_decisions;
      args->options.vectors =
          args->vectors_dir.empty() ? vectors::default_directory() : std::filesystem::path(args->vectors_dir);
      if (std::error_code ec; !std::filesystem::is_directory(args->options.vectors, ec)) {
        std::cerr << "otaconf: --vectors: " << args->options.vectors.string() << ": not a directory of vectors\n";
        exit_code = kExitUsage;
        return;
      }
      if (args->dry_run) {
        print_plan(conformance::client_plan(spec, args->options), spec, spec::Side::Client);
        exit_code = kExitOk;
        return;
      }
      client::AdapterLimits limits;
      limits.timeout_seconds = args->timeout;
      limits.budget.max_rss_bytes = args->memory_mib << 20;
      auto adapter = args->library.empty() ? client::command_adapter(args->command, limits)
                                           : client::library_adapter(args->library, limits);
      // One parse first: an adapter that cannot run at all is a usage error, not a run of ERRORs.
      if (const auto probe = adapter->parse("{}", profile->id); probe.kind == client::Outcome::Kind::Failed) {
        std::cerr << "otaconf: the adapter cannot run: " << probe.detail.substr(0, 300) << "\n";
        exit_code = kExitUsage;
        return;
      }
      results::Recorder recorder;
      recorder.redact_signatures(args->outputs.redact_tokens);
      results::RunInfo run;
      run.implementation = args->implementation;
      {
        const ProgressLine progress(recorder, "otaconf client", ProgressLine::wanted(args->outputs.quiet));
        conformance::run_client_suite(spec, *profile, *adapter, args->options, recorder, run);
      }
      std::cout << "otaconf client: " << run.implementation << ", profile " << run.profile << ", " << run.requests
                << " parses in " << static_cast<long>(run.duration_ms) << " ms\n";
      exit_code = finish_run(run, recorder, spec, spec::Side::Client, args->outputs);
    } catch (const InputError& e) {
      std::cerr << "otaconf: " << e.what() << "\n";
      exit_code = kExitUsage;
    } catch (const std::runtime_error& e) {
      std::cerr << "otaconf: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

void add_vectors_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string out, spec_file;
    bool check = false;
  };
  auto args = std::make_shared<Args>();
  auto* vectors_app = app.add_subcommand("vectors", "Response vectors for client parsers");
  vectors_app->require_subcommand(1);
  auto* sub = vectors_app->add_subcommand("generate", "Write the vectors the spec implies (deterministic)");
  sub->add_option("--out", args->out, "directory (default: corpus/vectors/response)");
  sub->add_option("--spec", args->spec_file, "spec file (default: the shipped spec)");
  sub->add_flag("--check", args->check, "write nothing; exit 1 if the directory differs from what the spec implies");
  sub->callback([args, &exit_code] {
    try {
      const auto spec = load(args->spec_file);
      const auto generated = vectors::generate(spec);
      const auto directory = args->out.empty() ? vectors::default_directory() : std::filesystem::path(args->out);
      if (args->check) {
        std::size_t stale = 0;
        for (const auto& v : generated) {
          std::ifstream body(directory / (v.name + ".body"), std::ios::binary), meta(directory / (v.name + ".json"));
          std::string body_text((std::istreambuf_iterator<char>(body)), {}),
              meta_text((std::istreambuf_iterator<char>(meta)), {});
          if (body_text != v.body || meta_text != v.meta.dump(2) + "\n") {
            std::cout << "stale: " << v.name << "\n";
            ++stale;
          }
        }
        std::cout << generated.size() << " generated vectors, " << stale << " stale\n";
        exit_code = stale == 0 ? kExitOk : kExitFindings;
        return;
      }
      const auto changed = vectors::write(generated, directory);
      std::cout << generated.size() << " vectors in " << directory.string() << " (" << changed << " files written)\n";
      exit_code = kExitOk;
    } catch (const InputError& e) {
      std::cerr << "otaconf: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

}  // namespace otaconf::cli
