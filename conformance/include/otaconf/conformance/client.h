// The client conformance catalog: response vectors and properties run
// against a device-side parser through an adapter (otaconf_adapter.h or the
// subprocess protocol), judged per profile.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "otaconf/client_adapter.h"
#include "otaconf/conformance/plan.h"
#include "otaconf/results.h"
#include "otaconf/spec.h"

namespace otaconf::conformance {

struct ClientOptions {
  std::uint64_t seed = 1;
  int cases = 100;                      // property cases
  std::filesystem::path vectors;        // directory of response vectors
  std::vector<std::string> only, skip;  // clause globs
  bool enforce_decisions = false;       // grade decision-based misses at their clause's level
  std::string reproduce;                // replay one property's failure (its evidence's reproduce string)
};

// Whether the globs select any clause the client checks judge (a selection
// that matches nothing is a usage error).
bool client_selection_matches(const spec::Spec& spec, const ClientOptions& options);

// The checks a run makes with their selected clauses (--dry-run, run.plan).
std::vector<PlannedCheck> client_plan(const spec::Spec& spec, const ClientOptions& options);

void run_client_suite(const spec::Spec& spec, const spec::Profile& profile, client::Adapter& adapter,
                      const ClientOptions& options, results::Recorder& recorder, results::RunInfo& run);

struct ClientMutantVerdict {
  std::string name, clause, description;
  bool killed = false;
  std::string profile;
  std::vector<std::string> by_clauses;
};

// Receives, for each mutant, the run that decided its verdict: the one in
// the profile that killed it, else the last one tried (run.mutant set).
using ClientMutantRunSink =
    std::function<void(const ClientMutantVerdict&, const results::RunInfo&, const results::Recorder&)>;

// Runs the client suite against the reference client with each of its
// mutants ($OTACLIENT_MUTANT, read by the adapter each `make_adapter` starts),
// in each profile until one kills it.
std::vector<ClientMutantVerdict> client_mutation_analysis(
    const spec::Spec& spec, const std::function<std::unique_ptr<client::Adapter>()>& make_adapter,
    const ClientOptions& options,
    const std::vector<std::pair<std::string, std::pair<std::string, std::string>>>& mutants,
    const std::function<void(const ClientMutantVerdict&)>& progress = {}, const ClientMutantRunSink& deciding_run = {});

struct ClientVariantVerdict {
  std::string name, reading, description;
  bool passed = true;                   // no FAIL and no ERROR in any profile
  std::string profile;                  // where it did not pass
  std::vector<std::string> by_clauses;  // the clauses that FAILed (or ERRORed) there
};

// Runs the client suite against each legal variant of the reference client
// ($OTACLIENT_VARIANT) in every profile; `each_run` sees every run.
std::vector<ClientVariantVerdict> client_variant_analysis(
    const spec::Spec& spec, const std::function<std::unique_ptr<client::Adapter>()>& make_adapter,
    const ClientOptions& options,
    const std::vector<std::pair<std::string, std::pair<std::string, std::string>>>& variants,
    const std::function<void(const ClientVariantVerdict&)>& progress = {},
    const std::function<void(const ClientVariantVerdict&, const results::RunInfo&, const results::Recorder&)>&
        each_run = {});

}  // namespace otaconf::conformance
