#include "otaconf/conformance/embedded.h"

#include "otaconf/refserver.h"

namespace otaconf::conformance {

void run_against_reference(const spec::Spec& spec, const spec::Profile& profile, const fixture::Fixture& fixture,
                           const std::string& mutant, const ServerOptions& options, EmbeddedRun& out,
                           const std::string& variant) {
  refserver::Options server_options;
  server_options.profile = profile.id;
  server_options.mutant = mutant;
  server_options.variant = variant;
  server_options.fault_injection = true;
  refserver::Service service(spec, fixture, server_options);
  refserver::ServerLimits limits;
  limits.threads = std::max(2, options.concurrency);
  refserver::HttpServer server(service, limits, nullptr);
  const int port = server.start("127.0.0.1", 0);

  ServerTarget target;
  target.url = *http::parse_url("http://127.0.0.1:" + std::to_string(port));
  target.implementation = "ota-refserver (" + profile.id + (mutant.empty() ? "" : ", mutant " + mutant) +
                          (variant.empty() ? "" : ", variant " + variant) + ")";
  target.fault_injection = true;
  const ServerSuite suite{spec, profile, fixture, target, requests::Credentials{}, options};
  run_server_suite(suite, out.recorder, out.info);
  if (!mutant.empty()) {
    if (const auto* info = refserver::find_mutant(mutant)) out.info.mutant = std::make_pair(info->name, info->clause);
  }
  if (!variant.empty()) {
    if (const auto* info = refserver::find_variant(variant)) {
      out.info.variant = std::make_pair(info->name, info->reading + ": " + info->description);
    }
  }
  server.stop();
}

std::vector<VariantVerdict> variant_analysis(const spec::Spec& spec, const fixture::Fixture& fixture,
                                             const ServerOptions& options,
                                             const std::function<void(const VariantVerdict&)>& progress,
                                             const VariantRunSink& each_run) {
  std::vector<VariantVerdict> verdicts;
  for (const auto& variant : refserver::variants()) {
    VariantVerdict verdict{variant.name, variant.reading, variant.description, true, {}, {}};
    for (const auto& profile : spec.profiles) {
      EmbeddedRun run;
      run_against_reference(spec, profile, fixture, "", options, run, variant.name);
      const auto bad = run.recorder.clauses_with({results::Verdict::Fail, results::Verdict::Error});
      if (!bad.empty() && verdict.passed) {
        verdict.passed = false;
        verdict.profile = profile.id;
        verdict.by_clauses = bad;
      }
      if (each_run) each_run(verdict, run);
    }
    if (progress) progress(verdict);
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

std::vector<MutantVerdict> mutation_analysis(const spec::Spec& spec, const fixture::Fixture& fixture,
                                             const ServerOptions& options,
                                             const std::function<void(const MutantVerdict&)>& progress,
                                             const MutantRunSink& deciding_run) {
  std::vector<MutantVerdict> verdicts;
  for (const auto& mutant : refserver::mutants()) {
    MutantVerdict verdict{mutant.name, mutant.clause, mutant.description, false, {}, {}};
    for (std::size_t i = 0; i < spec.profiles.size(); ++i) {
      const auto& profile = spec.profiles[i];
      EmbeddedRun run;
      run_against_reference(spec, profile, fixture, mutant.name, options, run);
      const auto failed = run.recorder.clauses_with({results::Verdict::Fail});
      if (std::find(failed.begin(), failed.end(), mutant.clause) != failed.end()) {
        verdict.killed = true;
        verdict.profile = profile.id;
        verdict.by_clauses = failed;
      }
      if (verdict.killed || i + 1 == spec.profiles.size()) {
        if (deciding_run) deciding_run(verdict, run);
        break;
      }
    }
    if (progress) progress(verdict);
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

}  // namespace otaconf::conformance
