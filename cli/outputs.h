// What every run command (server, client, client-e2e, mock) shares at its
// end: the verdict options, the findings printed, the results JSON (--results)
// and JUnit XML (--junit) written from one validated document, and the exit
// status (docs/results.md, "Exit status").
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "otaconf/conformance/plan.h"
#include "otaconf/http.h"
#include "otaconf/results.h"
#include "otaconf/spec.h"

namespace otaconf::cli {

struct RunOutputs {
  std::string results_file, junit_file;
  std::string fail_on = "fail";    // fail or non-strict: what makes the exit status 1
  bool enforce_decisions = false;  // decision-based misses graded at their clause's level
  bool quiet = false;              // only FAIL and ERROR lines
  bool redact_tokens = false;      // token signatures masked in everything recorded
  std::string baseline_file;       // known failures: they do not fail the run
  std::string color = "auto";      // auto, always, never
};

// --results, --junit, --fail-on, --enforce-decisions, --quiet, --redact-tokens.
void add_run_outputs(CLI::App* sub, RunOutputs& outputs);

// A number of seconds in [min, max]: finite ("nan" and "inf" are not
// durations), written as a plain decimal number.
CLI::Validator seconds_between(double min, double max);

// A non-negative integer written in decimal digits only ("-1" does not wrap).
CLI::Validator digits_only();

// A RapidCheck reproduce string (what a property's evidence gives).
CLI::Validator reproduce_string();

// --cacert, --insecure and --rate-limit: how an https server is trusted and
// how fast it may be asked (every command that sends to a server).
void add_connection_options(CLI::App* sub, std::string& ca_file, bool& insecure, double& rate_limit);

// -H/--header NAME: VALUE (repeatable), each checked to be one header line.
void add_header_option(CLI::App* sub, std::vector<std::string>& headers, const std::string& help);
// The -H lines as headers (name, value without its leading spaces).
http::Headers header_lines(const std::vector<std::string>& lines);

// --seed and --cases of the RapidCheck properties.
void add_property_options(CLI::App* sub, std::uint64_t& seed, int& cases);

// One line per entry that is not a PASS, with a way to reproduce FAILs,
// `before_summary` (unless quiet), then the verdict counts.
void print_findings(const results::Recorder& recorder, bool quiet, bool color = false,
                    const std::string& before_summary = {});

// The clauses of `side` the run judged nothing on, and why: its checks
// reached no case of them (in run.plan), or no selected check judges them.
// Empty when every clause was judged.
std::string unjudged_text(const results::RunInfo& run, const results::Recorder& recorder, const spec::Spec& spec,
                          spec::Side side);

// A --dry-run: each planned check with its size and clauses, then the
// clauses of `side` no selected check judges.
void print_plan(const std::vector<conformance::PlannedCheck>& plan, const spec::Spec& spec, spec::Side side);

// Writes the files whose names are not empty. On failure prints one line
// ("otaconf: FILE: cannot write the file: ...") and returns false.
bool write_run_outputs(const nlohmann::json& results, const std::string& results_file, const std::string& junit_file);

// Prints the findings, writes the files and returns the exit status:
// 1 for a FAIL (or NON-STRICT with --fail-on non-strict), else 3 for an
// ERROR, else 0; 2 when a file cannot be written.
int finish_run(const results::RunInfo& run, const results::Recorder& recorder, const spec::Spec& spec, spec::Side side,
               const RunOutputs& outputs);

}  // namespace otaconf::cli
