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
std::optional<Verdict> verdict_named(std::string_view name);
// For "the worst of": ERROR > FAIL > NON-STRICT > INFO > NOT-TESTABLE > PASS.
int severity(Verdict verdict);
// What missing a clause of this level means: MUST -> FAIL, SHOULD -> NON-STRICT, MAY -> INFO.
Verdict violation_of(spec::Level level);

// One ambiguity a verdict rests on: what the profile decided, and the
// reading under which the implementation's behaviour would have been right.
struct Decision {
  std::string ambiguity;
  std::string decided;  // the profile's interpretation
  std::string reading;  // the interpretation the implementation followed
};

// Why a case expects what it expects (docs/results.md, "Basis"): the
// document's own words (`document`), or only the profile's decisions of
// these ambiguities (`decision`): under another reading of them the
// implementation's behaviour is right.
struct Basis {
  enum class Kind { Document, Decision } kind = Kind::Document;
  std::vector<Decision> decisions;
  // Document basis reached because the only readings that allow the case
  // contradict what the implementation did elsewhere in the run.
  std::string conflict;

  static Basis document() { return {}; }
  bool rests_on_decisions() const { return kind == Kind::Decision; }
  std::string describe() const;        // "document", or "decision: " + decisions_text()
  std::string decisions_text() const;  // "AMB.X (profile 'a', implementation 'b'), ..."
  nlohmann::json to_json() const;
};

// The verdict of a broken expectation. With a document basis: the clause's
// level (violation_of). With a decision basis: NON-STRICT, or INFO where the
// implementation only accepted more than the profile's clients send (a MAY
// clause stays INFO); --enforce-decisions grades those at the clause's level.
Verdict grade(spec::Level level, const Basis& basis, bool enforce_decisions, bool accepts_more = false);

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
  Basis basis;
};

// One failing case of an entry, as the entry lists it: enough to find and
// replay it (the full evidence is kept for the entry's worst case only).
struct FailingCase {
  Verdict verdict = Verdict::Fail;
  std::string message;
  Basis basis;
  nlohmann::json reproduce;  // curl, reproduce, vector_file, seed: whichever the case has

  nlohmann::json to_json() const;
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
  std::optional<std::pair<std::string, std::string>> mutant;   // name, clause
  std::optional<std::pair<std::string, std::string>> variant;  // name, description: a legal variant
  bool enforce_decisions = false;                              // decision-based misses graded at their clause's level
  // (check, clause): every pair the run's selected checks may judge, reached
  // or not (conformance/plan.h); JUnit has a testcase for each.
  std::vector<std::pair<std::string, std::string>> plan;
};

// Collects outcomes from concurrent checks and aggregates them per
// (check, clause): the worst verdict, counts, the evidence of the first
// case with that verdict, and every case that was not a PASS (the first
// kMaxListedCases of them listed, all of them counted).
class Recorder {
 public:
  void record(Outcome outcome);
  // Whether an outcome with this verdict would be kept as the entry's
  // evidence (the first, or a worse one): callers skip building evidence
  // that would be dropped.
  bool keeps_evidence(const std::string& check, const std::string& clause, Verdict verdict) const;
  void observe(Observation observation);
  // From now on, every token signature ("sign=...") in what is recorded
  // reads "sign=REDACTED" (--redact-tokens): results that can be shared.
  void redact_signatures(bool on) { redact_signatures_ = on; }

  static constexpr std::size_t kMaxListedCases = 20;

  // For a progress line: outcomes recorded so far, and the last one's check.
  std::uint64_t recorded() const;
  std::string last_check() const;

  struct Entry {
    std::string check, title, clause;
    Verdict verdict = Verdict::Pass;
    std::map<Verdict, std::uint64_t> counts;
    std::string message;
    Evidence evidence;
    Basis basis;
    std::vector<FailingCase> failures;  // listed failing cases, worst first
    std::uint64_t failure_count = 0;    // every failing case, listed or not
  };
  std::vector<Entry> entries() const;  // sorted by check, then clause
  std::vector<Observation> observations() const;
  std::map<Verdict, std::uint64_t> summary() const;  // entries per verdict
  // FAIL entries whose clause is MUST-level in `spec`.
  std::vector<Entry> must_failures(const spec::Spec& spec) const;
  std::size_t count(Verdict verdict) const;  // entries with this verdict
  // The clauses of entries with one of these verdicts, each once, in entry order.
  std::vector<std::string> clauses_with(std::initializer_list<Verdict> verdicts) const;

 private:
  mutable std::mutex mutex_;
  bool redact_signatures_ = false;
  std::uint64_t recorded_ = 0;
  std::string last_check_;
  std::map<std::pair<std::string, std::string>, Entry> entries_;
  std::vector<Observation> observations_;
};

nlohmann::json to_json(const RunInfo& run, const Recorder& recorder, const spec::Spec& spec, spec::Side side);

// Exit statuses of every run command (docs/results.md, "Exit status").
inline constexpr int kExitOk = 0;        // nothing failed at the --fail-on level, no ERROR
inline constexpr int kExitFindings = 1;  // a FAIL (or, with --fail-on non-strict, a NON-STRICT)
inline constexpr int kExitUsage = 2;     // a usage or input error: nothing was judged
inline constexpr int kExitError = 3;     // no FAIL, but some verdicts are ERROR: the run is incomplete

// The exit status a run's entries call for: findings at or above
// `fail_on` (FAIL or NON-STRICT) first, then ERROR, else 0.
int exit_status(const Recorder& recorder, Verdict fail_on = Verdict::Fail);
int exit_status(const nlohmann::json& results, Verdict fail_on = Verdict::Fail);

// The results schema (reports/results.schema.json), compiled in.
std::string_view results_schema_text();
// Validation errors of a results document against the schema (empty: valid).
std::vector<std::string> validate(const nlohmann::json& results);

// The document as text, validated first: every writer of results goes
// through here. Strings holding bytes that are not UTF-8 are escaped
// (crypto::escape_invalid_utf8), never dropped; a document that still
// breaks the schema throws std::logic_error (a bug of otaconf, not input).
std::string serialize(const nlohmann::json& results);

// A copy of `value` whose strings (and member names) are valid UTF-8:
// for anything a peer sent that goes into results.
nlohmann::json printable(const nlohmann::json& value);

// Reads a results file written by any run (server, client, mock) and checks
// it against the schema. Error convention of the harness's loaders
// (otaconf/diagnostic.h): throws InputError naming the file, the JSON pointer
// and the first problem (unreadable, not JSON, not the results format).
nlohmann::json load_results(const std::filesystem::path& file);
// Deepest nesting of arrays and objects load_results accepts.
inline constexpr int kMaxResultsDepth = 64;

std::string utc_now();

}  // namespace otaconf::results
