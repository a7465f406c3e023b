// otaconf mutation --side server: how many of the reference server's mutants
// the suite kills (a FAIL on the clause each mutant declares).
#include <iostream>

#include "commands.h"
#include "otaconf/conformance/embedded.h"
#include "otaconf/fixture.h"
#include "otaconf/spec_loader.h"

namespace otaconf::cli {

void add_mutation_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::string side = "server", spec_file, fixture_file;
    conformance::ServerOptions options;
  };
  auto args = std::make_shared<Args>();
  args->options.cases = 20;
  auto* sub = app.add_subcommand("mutation", "Run the suite against every mutant of a reference implementation");
  sub->add_option("--side", args->side, "server (client: later)")->check(CLI::IsMember({"server"}))->capture_default_str();
  sub->add_option("--spec", args->spec_file, "spec file (default: the shipped spec)");
  sub->add_option("--fixture", args->fixture_file, "fixture (default: the embedded default)");
  sub->add_option("--seed", args->options.seed, "seed of the property checks")->capture_default_str();
  sub->add_option("--cases", args->options.cases, "cases per property check")->capture_default_str();
  sub->callback([args, &exit_code] {
    try {
      const auto spec =
          spec::load_spec(args->spec_file.empty() ? spec::default_spec_path() : std::filesystem::path(args->spec_file));
      const auto fixture =
          args->fixture_file.empty() ? fixture::default_fixture() : fixture::load_fixture(args->fixture_file);
      std::size_t killed = 0, total = 0;
      conformance::mutation_analysis(spec, fixture, args->options, [&](const conformance::MutantVerdict& v) {
        ++total;
        if (v.killed) ++killed;
        std::string by;
        for (const auto& c : v.by_clauses) by += (by.empty() ? "" : ",") + c;
        std::cout << (v.killed ? "killed   " : "SURVIVED ") << v.name << " (" << v.clause << ")"
                  << (v.killed ? " in " + v.profile + " by " + by : "") << "\n"
                  << std::flush;
      });
      std::cout << "mutation score: " << killed << "/" << total << "\n";
      exit_code = killed == total ? kExitOk : kExitFindings;
    } catch (const InputError& e) {
      std::cerr << "otaconf: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

}  // namespace otaconf::cli
