// otaconf replay RESULTS.json: a server run's failing cases sent again, to
// see which still fail (conformance/replay.h).
#include <iostream>

#include "commands.h"
#include "otaconf/conformance/replay.h"
#include "otaconf/conformance/server.h"
#include "otaconf/fixture.h"
#include "otaconf/spec_loader.h"
#include "outputs.h"

namespace otaconf::cli {

namespace {

struct ReplayArgs {
  std::string results_file, url, fixture_file, spec_file, profile, ca_file;
  std::vector<std::string> headers;
  double timeout = 5;
  bool insecure = false;
  double rate_limit = 0;
};

int fail_usage(const std::string& message) {
  std::cerr << "otaconf replay: " << message << " (otaconf replay --help)\n";
  return kExitUsage;
}

// 1 when a case still fails, else 3 when one could not be judged, else 0.
int exit_of(const std::vector<conformance::Replayed>& replayed) {
  using Now = conformance::Replayed::Now;
  bool undecided = false;
  for (const auto& r : replayed) {
    if (r.now == Now::StillFails) return kExitFindings;
    undecided = undecided || r.now != Now::Passes;
  }
  return undecided ? kExitError : kExitOk;
}

int run(const ReplayArgs& args) {
  nlohmann::json results;
  spec::Spec spec;
  fixture::Fixture fixture;
  try {
    results = results::load_results(args.results_file);
    spec = spec::load_spec(args.spec_file.empty() ? spec::default_spec_path() : std::filesystem::path(args.spec_file));
    fixture = args.fixture_file.empty() ? fixture::default_fixture() : fixture::load_fixture(args.fixture_file);
  } catch (const InputError& e) {
    return fail_usage(e.what());
  }
  const auto& run_info = results["run"];
  if (run_info.value("side", "") != "server") {
    return fail_usage(args.results_file + ": a " + run_info.value("side", "?") +
                      " run; only server runs replay (a client run's vectors and reproduce strings replay it)");
  }
  const auto profile_id = args.profile.empty() ? run_info.value("profile", spec.default_profile) : args.profile;
  const auto* profile = spec.profile(profile_id);
  if (!profile) return fail_usage("the spec has no profile '" + profile_id + "' (--profile)");
  conformance::ReplayTarget target;
  if (!args.url.empty()) {
    std::string why;
    target.url = http::parse_url(args.url, &why);
    if (!target.url) return fail_usage("--url: " + why);
  }
  target.limits.deadline_seconds = args.timeout;
  target.limits.tls = {!args.insecure, args.ca_file};
  if (args.rate_limit > 0) target.limits.rate = std::make_shared<http::RateLimiter>(args.rate_limit);
  target.extra_headers = header_lines(args.headers);
  const auto replayed = conformance::replay_failures(spec, *profile, fixture, results, target);
  std::size_t counts[5] = {};
  for (const auto& r : replayed) {
    ++counts[static_cast<int>(r.now)];
    std::cout << "  " << conformance::to_string(r.now) << ": " << r.verdict << " " << r.clause << " [" << r.check
              << "] " << r.detail << "\n";
    if (r.now == conformance::Replayed::Now::StillFails) std::cout << "      reproduce: " << r.curl << "\n";
  }
  using Now = conformance::Replayed::Now;
  std::cout << "replayed " << replayed.size() << " failing cases of " << args.results_file << ": "
            << counts[static_cast<int>(Now::StillFails)] << " still fail, " << counts[static_cast<int>(Now::Passes)]
            << " pass now, " << counts[static_cast<int>(Now::Changed)] << " changed, "
            << counts[static_cast<int>(Now::NotReplayable)] << " not replayable, "
            << counts[static_cast<int>(Now::NoAnswer)] << " without an answer\n";
  return exit_of(replayed);
}

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReplayArgs>();
  auto* sub = app.add_subcommand(
      "replay", "Send a server run's failing cases again (from its results file) and say which still fail");
  sub->add_option("RESULTS", args->results_file, "the results file of an otaconf server run (--results)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--url", args->url,
                  "send to this server instead, http://host:port (each request's recorded path is kept)");
  sub->add_option("--fixture", args->fixture_file, "the fixture of that run (default: the embedded default)");
  sub->add_option("--spec", args->spec_file, "spec file (default: the shipped spec)");
  sub->add_option("--profile", args->profile, "judge under this profile (default: the run's)");
  add_header_option(sub, args->headers, "a header added to every request, 'Name: value' (repeatable)");
  sub->add_option("--timeout", args->timeout, "seconds per exchange")
      ->capture_default_str()
      ->check(seconds_between(0.1, 600.0));
  add_connection_options(sub, args->ca_file, args->insecure, args->rate_limit);
  sub->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace otaconf::cli
