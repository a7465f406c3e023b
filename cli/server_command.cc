// otaconf server: the server conformance suite against any OTA check server
// (--url), or against the bundled reference server when no URL is given.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>

#include "commands.h"
#include "otaconf/conformance/embedded.h"
#include "otaconf/conformance/fuzz_server.h"
#include "otaconf/conformance/server.h"
#include "otaconf/fixture.h"
#include "otaconf/spec_loader.h"
#include "outputs.h"
#include "progress.h"
#include "started_server.h"

namespace otaconf::cli {

conformance::RequestCodec fuzz_codec();  // fuzz_codec.cc

namespace {

struct ServerArgs {
  std::string start;
  double start_timeout = 30;
  std::string url, fixture_file, spec_file, profile, key, res, token, implementation, mutant, variant;
  conformance::ServerOptions options;
  RunOutputs outputs;
  bool fault_injection = false;
  bool dry_run = false;
  std::vector<std::string> headers;
  std::string record_file;
  bool follow_download_host = false;
  bool insecure = false;
  double rate_limit = 0;
  std::string provision;
  double provision_timeout = 120;
  // otaconf fuzz-server
  bool fuzz = false;
  conformance::FuzzServerOptions fuzz_options;
  std::string corpus_dir;
};

int fail_usage(const std::string& message) {
  std::cerr << "otaconf: " << message << "\n";
  return kExitUsage;
}

void print_header(const results::RunInfo& run) {
  std::cout << "otaconf server: " << run.implementation << " at " << run.target << ", profile " << run.profile
            << ", seed " << run.seed << ", " << run.requests << " requests in " << static_cast<long>(run.duration_ms)
            << " ms\n";
}

// --record FILE.har: the run's exchanges, written whatever the verdicts.
int with_recording(const ServerArgs& args, int exit_code) {
  if (!args.options.recording) return exit_code;
  try {
    args.options.recording->write(args.record_file);
  } catch (const InputError& e) {
    std::cerr << "otaconf: " << e.what() << "\n";
    return kExitUsage;
  }
  return exit_code;
}

// --provision with the fixture's file: the one given, or the embedded
// default written to a temporary file for the command's time.
std::string provision_with_fixture(const ServerArgs& args, const std::string& url) {
  if (!args.fixture_file.empty()) {
    return provision(args.provision, std::filesystem::absolute(args.fixture_file).string(), url,
                     args.provision_timeout);
  }
  std::string path = (std::filesystem::temp_directory_path() / "otaconf-fixture-XXXXXX.json").string();
  const int fd = ::mkstemps(path.data(), 5);
  if (fd < 0) return "cannot write the default fixture to a temporary file";
  const auto text = fixture::default_fixture_text();
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  const auto why = written ? provision(args.provision, path, url, args.provision_timeout)
                           : std::string("cannot write the default fixture to a temporary file");
  std::filesystem::remove(path);
  return why;
}

// SIGINT and SIGTERM end a campaign at its next batch; its results are written.
std::atomic<bool> campaign_stop{false};

extern "C" void stop_campaign(int) { campaign_stop = true; }

// Runs the campaign and prints its summary; -1 to go on to the findings and
// the outputs, as any run does.
int run_fuzz_campaign(const ServerArgs& args, const conformance::ServerSuite& suite, results::Recorder& recorder,
                      results::RunInfo& run) {
  auto options = args.fuzz_options;
  options.corpus = args.corpus_dir;
  options.stop = &campaign_stop;
  struct sigaction action {};
  action.sa_handler = stop_campaign;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  ::sigaction(SIGINT, &action, &old_int);
  ::sigaction(SIGTERM, &action, &old_term);
  conformance::FuzzServerSummary summary;
  {
    const ProgressLine progress(recorder, "otaconf fuzz-server", ProgressLine::wanted(args.outputs.quiet));
    summary = conformance::run_fuzz_server(suite, fuzz_codec(), options, recorder, run);
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  std::cout << "otaconf fuzz-server: " << run.implementation << " at " << run.target << ", profile " << run.profile
            << ", seed " << run.seed << ", " << summary.requests << " requests in "
            << static_cast<long>(summary.seconds * 1000) << " ms" << (summary.interrupted ? " (interrupted)" : "")
            << "\n  corpus: " << summary.corpus_loaded << " read, " << summary.corpus_added << " added; "
            << summary.shapes << " answer shapes; " << summary.buckets << " finding bucket"
            << (summary.buckets == 1 ? "" : "s");
  if (summary.first_finding_seconds >= 0)
    std::cout << ", the first after " << static_cast<long>(summary.first_finding_seconds * 1000) << " ms";
  std::cout << "\n";
  return -1;
}

int run(const ServerArgs& args) {
  spec::Spec spec;
  fixture::Fixture fixture;
  try {
    spec = spec::load_spec(args.spec_file.empty() ? spec::default_spec_path() : std::filesystem::path(args.spec_file));
    fixture = args.fixture_file.empty() ? fixture::default_fixture() : fixture::load_fixture(args.fixture_file);
  } catch (const InputError& e) {
    return fail_usage(e.what());
  }
  const auto* profile = spec.profile(args.profile.empty() ? spec.default_profile : args.profile);
  if (!profile) return fail_usage("--profile: the spec has no profile '" + args.profile + "'");
  if (args.fuzz && args.url.empty() && args.start.empty()) {
    return fail_usage("fuzz-server needs the server under test: --url or --start");
  }
  if (!args.fuzz && !conformance::selection_matches(args.options)) {
    return fail_usage("--only/--skip select no clause any server check judges (otaconf spec show lists them)");
  }

  if (args.dry_run) {
    print_plan(conformance::server_plan(args.options, conformance::answer_clauses(spec)), spec, spec::Side::Server);
    return kExitOk;
  }

  results::Recorder recorder;

  recorder.redact_signatures(args.outputs.redact_tokens);
  results::RunInfo run;
  if (args.url.empty() && args.start.empty()) {
    conformance::EmbeddedRun embedded;
    embedded.recorder.redact_signatures(args.outputs.redact_tokens);
    try {
      const ProgressLine progress(embedded.recorder, "otaconf server", ProgressLine::wanted(args.outputs.quiet));
      conformance::run_against_reference(spec, *profile, fixture, args.mutant, args.options, embedded, args.variant);
    } catch (const std::exception& e) {
      return fail_usage(e.what());
    }
    print_header(embedded.info);
    return with_recording(args, finish_run(embedded.info, embedded.recorder, spec, spec::Side::Server, args.outputs));
  }

  if (!args.mutant.empty() || !args.variant.empty()) {
    return fail_usage("--mutant and --variant apply to the bundled reference server only (omit --url and --start)");
  }
  if (!args.provision.empty() && args.url.empty() && args.start.empty()) {
    return fail_usage("--provision needs the server under test: --url or --start");
  }
  std::string why;
  std::unique_ptr<StartedServer> started;
  std::string url_text = args.url;
  if (!args.start.empty()) {
    started = StartedServer::start(args.start, args.start_timeout, &why);
    if (!started) return fail_usage("--start: " + why);
    url_text = started->url();
  }
  const auto url = http::parse_url(url_text, &why);
  if (!url) return fail_usage("--url: " + why);
  conformance::ServerTarget target;
  target.url = *url;
  target.implementation = !args.implementation.empty() ? args.implementation : started ? args.start : url->base();
  target.fault_injection = args.fault_injection;
  target.follow_download_host = args.follow_download_host;
  requests::Credentials credentials;
  if (!args.key.empty()) credentials.key = args.key;
  if (!args.res.empty()) credentials.res = args.res;
  if (!args.token.empty()) credentials.token = args.token;
  credentials.extra_headers = header_lines(args.headers);
  if (!args.provision.empty()) {
    if (const auto failed = provision_with_fixture(args, url_text); !failed.empty())
      return fail_usage("--provision: " + failed);
  }
  const conformance::ServerSuite suite{spec, *profile, fixture, target, credentials, args.options};
  {
    // One probe first: an unreachable server is a usage error, not a run of ERRORs.
    http::Client probe(*url, conformance::exchange_limits(args.options));
    const auto* check = spec.endpoint_by_role("check");
    const auto answer = probe.send({"GET", check ? check->path : "/", {}, {}});
    if (!answer.ok()) return fail_usage("cannot reach " + url->base() + ": " + answer.error);
  }
  if (args.fuzz) {
    const auto code = run_fuzz_campaign(args, suite, recorder, run);
    if (started) started->stop();
    return with_recording(args, code < 0 ? finish_run(run, recorder, spec, spec::Side::Server, args.outputs) : code);
  }
  {
    const ProgressLine progress(recorder, "otaconf server", ProgressLine::wanted(args.outputs.quiet));
    conformance::run_server_suite(suite, recorder, run);
  }
  print_header(run);
  // A server that died during the run explains its ERRORs: say how.
  if (started) {
    if (const auto how = started->stop(); how != "stopped") std::cout << "  the started server: " << how << "\n";
  }
  return with_recording(args, finish_run(run, recorder, spec, spec::Side::Server, args.outputs));
}

// What server and fuzz-server share: the server under test, the state and
// credentials it was provisioned with, the limits of each exchange, the
// outputs.
void add_target_options(CLI::App* sub, const std::shared_ptr<ServerArgs>& args) {
  auto* url =
      sub->add_option("--url", args->url,
                      "the server under test, http://host:port[/base/path] (default: start ota-refserver in-process)");
  sub->add_option("--start", args->start,
                  "start the server under test: a shell command whose {port} becomes a free loopback port; otaconf "
                  "waits until it accepts connections, tests it, and stops it (its whole process group)")
      ->excludes(url);
  sub->add_option("--start-timeout", args->start_timeout, "seconds --start waits for the server to accept connections")
      ->capture_default_str()
      ->check(seconds_between(0.1, 600.0));
  sub->add_option("--fixture", args->fixture_file,
                  "the state the server was provisioned with (default: the embedded default)");
  sub->add_option("--spec", args->spec_file, "spec file (default: the shipped spec)");
  sub->add_option("--profile", args->profile, "strict, lenient or as-documented (default: the spec's default)");
  sub->add_option("--key", args->key, "access key (base64) to mint tokens with, instead of the fixture's keys");
  sub->add_option("--res", args->res, "token resource to use with --key, e.g. products/123");
  add_header_option(sub, args->headers,
                    "a header sent with every request, 'Name: value' (a gateway's key, say; repeatable; not judged)");
  sub->add_option("--token", args->token,
                  "a fixed Authorization value for every request (auth checks become NOT-TESTABLE)");
  sub->add_option("--record", args->record_file,
                  "write every exchange of the run to this file as HAR 1.2 (a browser's network panel opens it)");
  sub->add_option("--timeout", args->options.timeout_seconds,
                  "seconds per exchange: connect, send, and the whole answer (past it: ERROR)")
      ->capture_default_str()
      ->check(seconds_between(0.1, 600.0));
  sub->add_option("--max-answer-bytes", args->options.max_answer_bytes,
                  "largest answer body read (a package download included; past it: ERROR)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 31));
  sub->add_option("--concurrency", args->options.concurrency, "parallel connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  add_run_outputs(sub, args->outputs);
  sub->add_option("--implementation", args->implementation, "a name for the server in reports");
  sub->add_flag("--fault-injection", args->fault_injection,
                "the server honours the fixture's fault-injection header (errno 7)");
  sub->add_flag("--follow-download-host", args->follow_download_host, "fetch packages from a data.ip on another host");
  add_connection_options(sub, args->options.tls.ca_file, args->insecure, args->rate_limit);
  sub->add_option("--provision", args->provision,
                  "before the suite, run this shell command to put the fixture's state into the server: {fixture} "
                  "becomes the fixture file and {url} the server's URL (also $OTACONF_FIXTURE, $OTACONF_URL); a "
                  "non-zero exit stops the run");
  sub->add_option("--provision-timeout", args->provision_timeout, "seconds --provision may take")
      ->capture_default_str()
      ->check(seconds_between(0.1, 3600.0));
}

void finish_and_run(const std::shared_ptr<ServerArgs>& args, int& exit_code) {
  args->options.enforce_decisions = args->outputs.enforce_decisions;
  args->options.tls.verify = !args->insecure;
  if (args->rate_limit > 0) args->options.rate = std::make_shared<http::RateLimiter>(args->rate_limit);
  if (!args->record_file.empty()) args->options.recording = std::make_shared<http::Recording>();
  exit_code = run(*args);
}

}  // namespace

void add_server_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServerArgs>();
  auto* sub =
      app.add_subcommand("server", "Test an OTA check server against the spec (the bundled reference without --url)");
  add_target_options(sub, args);
  add_property_options(sub, args->options.seed, args->options.cases);
  sub->add_option("--only", args->options.only,
                  "judge only clauses or checks matching these globs (e.g. 'ERR.*', 'server.params')")
      ->delimiter(',');
  sub->add_option("--skip", args->options.skip, "skip clauses or checks matching these globs")->delimiter(',');
  sub->add_flag("--dry-run", args->dry_run,
                "list the checks this run would make and the clauses each judges, then the server clauses no "
                "selected check judges; send nothing");
  sub->add_option("--reproduce", args->options.reproduce,
                  "replay a property failure: the reproduce string its evidence gives (same --profile and --fixture)")
      ->check(reproduce_string());
  sub->add_option("--mutant", args->mutant,
                  "without --url: run the reference server with this fault (see ota-refserver --list-mutants)");
  sub->add_option("--variant", args->variant,
                  "without --url: run the reference server as this legal variant (see ota-refserver --list-variants)");
  sub->callback([args, &exit_code] { finish_and_run(args, exit_code); });
}

void add_fuzz_server_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServerArgs>();
  args->fuzz = true;
  auto* sub = app.add_subcommand(
      "fuzz-server", "Fuzz an OTA check server over HTTP: mutated requests, every answer judged, findings bucketed");
  add_target_options(sub, args);
  sub->add_option("--seed", args->options.seed, "seed of the campaign (the same seed, the same requests)")
      ->capture_default_str()
      ->check(digits_only());
  sub->add_option("--duration", args->fuzz_options.duration_seconds, "seconds to run (0: until --requests or a signal)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 7 * 24 * 3600.0));
  sub->add_option("--requests", args->fuzz_options.max_requests, "stop after this many requests (0: no bound)")
      ->capture_default_str()
      ->check(digits_only());
  sub->add_option("--corpus", args->corpus_dir,
                  "a directory of requests (the fuzzers' format): read at the start, each request whose answer has "
                  "a new shape added, so the next run goes on from there");
  sub->callback([args, &exit_code] { finish_and_run(args, exit_code); });
}

}  // namespace otaconf::cli
