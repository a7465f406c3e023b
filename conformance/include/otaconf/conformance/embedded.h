// Running the server suite against the bundled reference server, in-process
// on a free loopback port (what `otaconf server` does without --url, what
// `otaconf mutation --side server` and the ctest suite do).
#pragma once

#include <string>

#include "otaconf/conformance/server.h"

namespace otaconf::conformance {

struct EmbeddedRun {
  results::RunInfo info;
  results::Recorder recorder;
};

// Starts ota-refserver (profile, optional mutant or legal variant, fault
// injection on) over `fixture`, runs the suite against it and stops it.
void run_against_reference(const spec::Spec& spec, const spec::Profile& profile, const fixture::Fixture& fixture,
                           const std::string& mutant, const ServerOptions& options, EmbeddedRun& out,
                           const std::string& variant = "");

struct MutantVerdict {
  std::string name, clause, description;
  bool killed = false;
  std::string profile;                  // where it was killed
  std::vector<std::string> by_clauses;  // the clauses that FAILed there
};

// Receives, for each mutant, the run that decided its verdict: the one in
// the profile that killed it, else the last one tried (run.info.mutant set).
using MutantRunSink = std::function<void(const MutantVerdict&, const EmbeddedRun&)>;

// Runs the suite against each mutant of the reference server, in each
// profile until one kills it: a FAIL on the clause the mutant declares.
struct VariantVerdict {
  std::string name, reading, description;
  bool passed = true;                   // no FAIL and no ERROR in any profile
  std::string profile;                  // where it did not pass
  std::vector<std::string> by_clauses;  // the clauses that FAILed (or ERRORed) there
};

// Runs the suite against each legal variant of the reference server in
// every profile: a variant passes when no run has a FAIL or an ERROR.
using VariantRunSink = std::function<void(const VariantVerdict&, const EmbeddedRun&)>;
std::vector<VariantVerdict> variant_analysis(const spec::Spec& spec, const fixture::Fixture& fixture,
                                             const ServerOptions& options,
                                             const std::function<void(const VariantVerdict&)>& progress = {},
                                             const VariantRunSink& each_run = {});

std::vector<MutantVerdict> mutation_analysis(const spec::Spec& spec, const fixture::Fixture& fixture,
                                             const ServerOptions& options,
                                             const std::function<void(const MutantVerdict&)>& progress = {},
                                             const MutantRunSink& deciding_run = {});

}  // namespace otaconf::conformance
