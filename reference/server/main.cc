// ota-refserver: the reference OTA server of otaconf (see README.md here).
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "otaconf/fixture.h"
#include "otaconf/refserver.h"
#include "otaconf/spec_loader.h"

namespace {

void list_mutants(bool as_json) {
  if (as_json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& m : otaconf::refserver::mutants()) {
      list.push_back({{"name", m.name}, {"clause", m.clause}, {"description", m.description}});
    }
    std::cout << list.dump(2) << "\n";
    return;
  }
  for (const auto& m : otaconf::refserver::mutants())
    std::cout << m.name << "\t" << m.clause << "\t" << m.description << "\n";
}

void list_variants(bool as_json) {
  if (as_json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& v : otaconf::refserver::variants()) {
      list.push_back({{"name", v.name}, {"reading", v.reading}, {"description", v.description}});
    }
    std::cout << list.dump(2) << "\n";
    return;
  }
  for (const auto& v : otaconf::refserver::variants())
    std::cout << v.name << "\t" << v.reading << "\t" << v.description << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ota-refserver: reference OneNET OTA check server with fault-injected mutants", "ota-refserver"};
  std::string fixture_file, spec_file, host = "127.0.0.1";
  int port = 8080;
  int threads = 8;
  bool quiet = false, show_mutants = false, show_variants = false, mutants_json = false, packages_anywhere = false;
  otaconf::refserver::Options options;
  long long ttl = options.token_ttl.count();
  app.add_option("--fixture", fixture_file, "fixture file (default: the embedded reference/fixtures/default.json)");
  app.add_option("--spec", spec_file, "spec file (default: the shipped spec)");
  app.add_option("--host", host, "address to listen on")->capture_default_str();
  app.add_option("--port", port, "port; 0 picks a free one and prints the URL")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app.add_option("--profile", options.profile, "strict, lenient or as-documented")->capture_default_str();
  app.add_option("--mutant", options.mutant, "enable one fault (see --list-mutants)");
  app.add_option("--variant", options.variant,
                 "behave as one legal variant: another reading of the document (see --list-variants)");
  app.add_flag("--list-mutants", show_mutants, "print one line per mutant: name, clause, what it does");
  app.add_flag("--list-variants", show_variants, "print one line per legal variant: name, reading, what it does");
  app.add_flag("--json", mutants_json, "with --list-mutants or --list-variants: as a JSON array");
  app.add_flag("--fault-injection", options.fault_injection, "honour the fixture's fault-injection header (errno 7)");
  app.add_option("--token-ttl", ttl, "seconds a download token lives")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "worker threads")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_flag("--quiet", quiet, "no per-request log lines");
  app.add_flag("--packages-anywhere", packages_anywhere,
               "serve package files outside the fixture's directory (refused by default)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "ota-refserver: " << e.what() << "\n";
    return 2;
  }
  if (show_mutants) {
    list_mutants(mutants_json);
    return 0;
  }
  if (show_variants) {
    list_variants(mutants_json);
    return 0;
  }
  options.token_ttl = std::chrono::seconds(ttl);

  try {
    const auto spec = otaconf::spec::load_spec(spec_file.empty() ? otaconf::spec::default_spec_path()
                                                                 : std::filesystem::path(spec_file));
    auto fixture =
        fixture_file.empty() ? otaconf::fixture::default_fixture() : otaconf::fixture::load_fixture(fixture_file);
    if (const auto outside = otaconf::fixture::packages_outside(fixture); outside && !packages_anywhere) {
      std::cerr << "ota-refserver: " << fixture_file << ": " << *outside << " (--packages-anywhere serves it)\n";
      return 2;
    }
    otaconf::refserver::Service service(spec, std::move(fixture), options);

    // SIGINT and SIGTERM go to a thread that stops the server cleanly.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    otaconf::refserver::ServerLimits limits;
    limits.threads = threads;
    otaconf::refserver::HttpServer server(service, limits, quiet ? nullptr : &std::cerr);
    std::thread stopper([&] {
      int received = 0;
      sigwait(&signals, &received);
      server.stop();
    });
    const bool served = server.listen(host, port, [&](int bound) {
      std::cout << "http://" << host << ":" << bound << std::endl;
      if (!quiet) {
        std::cerr << "ota-refserver: profile " << options.profile
                  << (options.mutant.empty() ? "" : ", mutant " + options.mutant)
                  << (options.variant.empty() ? "" : ", variant " + options.variant) << ", listening on " << host << ":"
                  << bound << "\n";
      }
    });
    if (!served) {
      std::cerr << "ota-refserver: cannot listen on " << host << ":" << port << "\n";
      pthread_kill(stopper.native_handle(), SIGTERM);
      stopper.join();
      return 2;
    }
    stopper.join();
    if (!quiet) std::cerr << "ota-refserver: stopped\n";
    return 0;
  } catch (const otaconf::InputError& e) {
    std::cerr << "ota-refserver: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ota-refserver: " << e.what() << "\n";
    return 2;
  }
}
