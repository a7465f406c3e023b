// Verdicts, evidence and the results JSON (docs/results.md,
// reports/results.schema.json) shared by server, client and mock runs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "otaconf/spec.h"

namespace otaconf::results {

enum class Verdict { Pass, Fail, NonStrict, Info, NotTestable, Error };

std::string to_string(Verdict verdict);  // PASS, FAIL, NON-STRICT, INFO, NOT-TESTABLE, ERROR
// For "the worst of": ERROR > FAIL > NON-STRICT > INFO > NOT-TESTABLE > PASS.
int severity(Verdict verdict);
// What missing a clause of this level means: MUST -> FAIL, SHOULD -> NON-STRICT, MAY -> INFO.
Verdict violation_of(spec::Level level);

struct Evidence {
  nlohmann::json request;   // method, url, headers, body
  nlohmann::json response;  // status, headers, body (or error)
  nlohmann::json expected;
  nlohmann::json observed;
  std::string curl;         // a command that reproduces it
  std::string reproduce;    // RapidCheck reproduce string (properties)
  std::string vector_file;  // a response vector that reproduces it (client side)
  std::optional<std::uint64_t> seed;

  nlohmann::json to_json() const;
};

struct Outcome {
  std::string check;  // check id
  std::string title;
  std::string clause;
  Verdict verdict = Verdict::Pass;
  std::string message;
  Evidence evidence;
};

struct Observation {
  std::string ambiguity;
  std::string check;
  std::string text;
};

struct RunInfo {
  std::string side;            // server, client, mock
  std::string implementation;  // what was tested
  std::string target;          // URL, library or command
  std::string profile;
  std::uint64_t seed = 0;
  std::string spec_id;
  std::string fixture;
  std::string started;  // UTC, ISO 8601
  double duration_ms = 0;
  std::uint64_t requests = 0;
  std::optional<std::pair<std::string, std::string>> mutant;  // name, clause
};

// Collects outcomes from concurrent checks and aggregates them per
// (check, clause): the worst verdict, counts, and the evidence of the first
// case with that verdict.
class Recorder {
 public:
  void record(Outcome outcome);
  // Whether an outcome with this verdict would be kept as the entry's
  // evidence (the first, or a worse one): callers skip building evidence
  // that would be dropped.
  bool keeps_evidence(const std::string& check, const std::string& clause, Verdict verdict) const;
  void observe(Observation observation);

  struct Entry {
    std::string check, title, clause;
    Verdict verdict = Verdict::Pass;
    std::map<Verdict, std::uint64_t> counts;
    std::string message;
    Evidence evidence;
  };
  std::vector<Entry> entries() const;  // sorted by check, then clause
  std::vector<Observation> observations() const;
  std::map<Verdict, std::uint64_t> summary() const;  // entries per verdict
  // FAIL entries whose clause is MUST-level in `spec`.
  std::vector<Entry> must_failures(const spec::Spec& spec) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;
  std::vector<Observation> observations_;
};

nlohmann::json to_json(const RunInfo& run, const Recorder& recorder, const spec::Spec& spec, spec::Side side);

// The results schema (reports/results.schema.json), compiled in.
std::string_view results_schema_text();
// Validation errors of a results document against the schema (empty: valid).
std::vector<std::string> validate(const nlohmann::json& results);

// Reads a results file written by any run (server, client, mock) and checks
// it against the schema. Error convention of the harness's loaders
// (otaconf/diagnostic.h): throws InputError naming the file, the JSON pointer
// and the first problem (unreadable, not JSON, not the results format).
nlohmann::json load_results(const std::filesystem::path& file);
// Deepest nesting of arrays and objects load_results accepts.
inline constexpr int kMaxResultsDepth = 64;

std::string utc_now();

}  // namespace otaconf::results
