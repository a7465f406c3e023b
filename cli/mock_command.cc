// otaconf mock: the mock OTA cloud for a device on the bench;
// otaconf client-e2e: a device client command run once per scenario.
#include <csignal>
#include <iostream>
#include <thread>

#include "commands.h"
#include "otaconf/conformance/mock.h"
#include "otaconf/spec_loader.h"
#include "outputs.h"
#include "progress.h"

namespace otaconf::cli {

namespace {

struct Common {
  std::string spec_file, fixture_file, profile;
  RunOutputs outputs;
};

void add_common(CLI::App* sub, Common& common) {
  sub->add_option("--spec", common.spec_file, "spec file (default: the shipped spec)");
  sub->add_option("--fixture", common.fixture_file, "fixture (default: the embedded default)");
  sub->add_option("--profile", common.profile, "strict, lenient or as-documented (default: the spec's default)");
  add_run_outputs(sub, common.outputs);
}

}  // namespace

void add_mock_command(CLI::App& app, int& exit_code) {
  struct Args : Common {
    int port = 0;
    std::string scenario = "fixture";
    bool list = false;
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand("mock", "Play the OTA cloud for a device client and judge its requests (Ctrl-C ends)");
  add_common(sub, *args);
  sub->add_option("--port", args->port, "port on 127.0.0.1 (0: a free one, printed)")->check(CLI::Range(0, 65535));
  sub->add_option("--scenario", args->scenario, "how to answer (--list-scenarios)")->capture_default_str();
  sub->add_flag("--list-scenarios", args->list, "print the scenarios");
  sub->callback([args, &exit_code] {
    try {
      const auto spec =
          spec::load_spec(args->spec_file.empty() ? spec::default_spec_path() : std::filesystem::path(args->spec_file));
      if (args->list) {
        for (const auto& s : conformance::mock_scenarios(spec))
          std::cout << s.id << "\t" << s.expect << "\t" << s.description << "\n";
        exit_code = kExitOk;
        return;
      }
      const auto* profile = spec.profile(args->profile.empty() ? spec.default_profile : args->profile);
      if (!profile) throw std::invalid_argument("--profile: the spec has no profile '" + args->profile + "'");
      auto fixture =
          args->fixture_file.empty() ? fixture::default_fixture() : fixture::load_fixture(args->fixture_file);
      results::Recorder recorder;
      recorder.redact_signatures(args->outputs.redact_tokens);
      conformance::MockCloud mock(spec, *profile, std::move(fixture), args->scenario, recorder);
      mock.enforce_decisions(args->outputs.enforce_decisions);
      sigset_t signals;
      sigemptyset(&signals);
      sigaddset(&signals, SIGINT);
      sigaddset(&signals, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &signals, nullptr);
      refserver::HttpServer server(
          [&mock](const refserver::WireRequest& r, const fixture::SelfAddress& self) { return mock.handle(r, self); },
          {}, &std::cerr);
      const int port = server.start("127.0.0.1", args->port);
      std::cout << "http://127.0.0.1:" << port << std::endl;
      int received = 0;
      sigwait(&signals, &received);
      server.stop();
      results::RunInfo run;
      run.side = "mock";
      run.implementation = "device on the bench";
      run.target = "http://127.0.0.1:" + std::to_string(port);
      run.profile = profile->id;
      run.spec_id = spec.id;
      run.started = results::utc_now();
      run.requests = static_cast<std::uint64_t>(mock.check_requests());
      run.enforce_decisions = args->outputs.enforce_decisions;
      std::cout << "otaconf mock: " << mock.check_requests() << " check requests, scenario " << args->scenario << "\n";
      exit_code = finish_run(run, recorder, spec, spec::Side::Client, args->outputs);
    } catch (const std::exception& e) {
      std::cerr << "otaconf: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

void add_client_e2e_command(CLI::App& app, int& exit_code) {
  struct Args : Common {
    std::string command;
    std::vector<std::string> scenarios;
    double timeout = 20;
    bool dry_run = false;
  };
  auto args = std::make_shared<Args>();
  auto* sub =
      app.add_subcommand("client-e2e", "Run a device client once per scenario against the mock cloud and judge it");
  add_common(sub, *args);
  sub->add_option("--cmd", args->command, "the device client command (docs/client-e2e.md)");
  sub->add_flag("--dry-run", args->dry_run,
                "list the scenarios and the clauses they judge, then the client clauses none judges; run nothing");
  sub->add_option("--scenario", args->scenarios, "scenarios to run (default: all)")->delimiter(',');
  sub->add_option("--timeout", args->timeout, "seconds per run")
      ->capture_default_str()
      ->check(seconds_between(1.0, 600.0));
  sub->callback([args, &exit_code] {
    try {
      const auto spec =
          spec::load_spec(args->spec_file.empty() ? spec::default_spec_path() : std::filesystem::path(args->spec_file));
      const auto* profile = spec.profile(args->profile.empty() ? spec.default_profile : args->profile);
      if (!profile) throw std::invalid_argument("--profile: the spec has no profile '" + args->profile + "'");
      const auto fixture =
          args->fixture_file.empty() ? fixture::default_fixture() : fixture::load_fixture(args->fixture_file);
      auto scenarios = args->scenarios;
      const auto known = conformance::mock_scenarios(spec);
      if (scenarios.empty()) {
        for (const auto& s : known) scenarios.push_back(s.id);
      }
      for (const auto& id : scenarios) {
        if (std::none_of(known.begin(), known.end(), [&](const conformance::MockScenario& s) { return s.id == id; }))
          throw std::invalid_argument("--scenario: no scenario '" + id + "' (otaconf mock --list-scenarios)");
      }
      if (args->dry_run) {
        print_plan(conformance::client_e2e_plan(spec, scenarios), spec, spec::Side::Client);
        exit_code = kExitOk;
        return;
      }
      if (args->command.empty()) throw std::invalid_argument("--cmd is required: the device client command");
      results::Recorder recorder;
      recorder.redact_signatures(args->outputs.redact_tokens);
      results::RunInfo run;
      run.side = "mock";
      run.implementation = args->command;
      run.target = args->command;
      run.profile = profile->id;
      run.spec_id = spec.id;
      run.started = results::utc_now();
      run.enforce_decisions = args->outputs.enforce_decisions;
      run.plan = conformance::plan_pairs(conformance::client_e2e_plan(spec, scenarios));
      std::vector<conformance::E2eResult> outcomes;
      {
        const ProgressLine progress(recorder, "otaconf client-e2e", ProgressLine::wanted(args->outputs.quiet));
        outcomes = conformance::run_client_e2e(spec, *profile, fixture, args->command, scenarios, args->timeout,
                                               recorder, args->outputs.enforce_decisions);
      }
      std::cout << "otaconf client-e2e: " << args->command << ", profile " << profile->id << "\n";
      for (const auto& o : outcomes) {
        std::cout << "  " << o.scenario << ": expected " << o.expect << ", exit "
                  << (o.timed_out ? "(stopped: " + o.stopped + ")" : std::to_string(o.exit_code)) << ", "
                  << o.check_requests << " check request(s)"
                  << (o.downloaded              ? ", downloaded"
                      : o.download_attempts > 0 ? ", " + std::to_string(o.download_attempts) + " download request(s)"
                                                : std::string())
                  << "\n";
        run.requests += static_cast<std::uint64_t>(o.check_requests);
      }
      exit_code = finish_run(run, recorder, spec, spec::Side::Client, args->outputs);
    } catch (const std::exception& e) {
      std::cerr << "otaconf: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

}  // namespace otaconf::cli
