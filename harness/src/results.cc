#include "otaconf/results.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>

#include "json_input.h"
#include "otaconf/crypto.h"
#include "results_schema_text.h"

namespace otaconf::results {

using nlohmann::json;

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Pass: return "PASS";
    case Verdict::Fail: return "FAIL";
    case Verdict::NonStrict: return "NON-STRICT";
    case Verdict::Info: return "INFO";
    case Verdict::NotTestable: return "NOT-TESTABLE";
    case Verdict::Error: return "ERROR";
  }
  return "?";
}

std::optional<Verdict> verdict_named(std::string_view name) {
  for (auto v :
       {Verdict::Pass, Verdict::Fail, Verdict::NonStrict, Verdict::Info, Verdict::NotTestable, Verdict::Error}) {
    if (to_string(v) == name) return v;
  }
  return std::nullopt;
}

int severity(Verdict verdict) {
  switch (verdict) {
    case Verdict::Pass: return 0;
    case Verdict::NotTestable: return 1;
    case Verdict::Info: return 2;
    case Verdict::NonStrict: return 3;
    case Verdict::Fail: return 4;
    case Verdict::Error: return 5;
  }
  return 0;
}

Verdict violation_of(spec::Level level) {
  switch (level) {
    case spec::Level::Must: return Verdict::Fail;
    case spec::Level::Should: return Verdict::NonStrict;
    case spec::Level::May: return Verdict::Info;
  }
  return Verdict::Fail;
}

std::string Basis::decisions_text() const {
  std::string out;
  for (const auto& d : decisions) {
    out +=
        (out.empty() ? "" : ", ") + d.ambiguity + " (profile '" + d.decided + "', implementation '" + d.reading + "')";
  }
  return out;
}

std::string Basis::describe() const {
  if (kind == Kind::Document) return conflict.empty() ? "document" : "document (" + conflict + ")";
  return "decision: " + decisions_text();
}

json Basis::to_json() const {
  if (kind == Kind::Document) {
    json out = {{"kind", "document"}};
    if (!conflict.empty()) out["conflict"] = conflict;
    return out;
  }
  json list = json::array();
  for (const auto& d : decisions) {
    list.push_back({{"ambiguity", d.ambiguity}, {"decided", d.decided}, {"reading", d.reading}});
  }
  return {{"kind", "decision"}, {"decisions", list}};
}

Verdict grade(spec::Level level, const Basis& basis, bool enforce_decisions, bool accepts_more) {
  const auto at_level = violation_of(level);
  if (!basis.rests_on_decisions() || enforce_decisions) return at_level;
  const auto soft = accepts_more ? Verdict::Info : Verdict::NonStrict;
  return severity(at_level) < severity(soft) ? at_level : soft;
}

json FailingCase::to_json() const {
  json out = {{"verdict", results::to_string(verdict)}, {"message", message}, {"basis", basis.to_json()}};
  if (!reproduce.is_null() && !reproduce.empty()) out["reproduce"] = reproduce;
  return out;
}

namespace {

json reproduction(const Evidence& e) {
  json out = json::object();
  if (!e.curl.empty()) out["curl"] = e.curl;
  if (!e.reproduce.empty()) out["reproduce"] = e.reproduce;
  if (!e.vector_file.empty()) out["vector_file"] = e.vector_file;
  if (e.seed) out["seed"] = *e.seed;
  if (out.empty() && e.request.is_object() && e.request.contains("body")) out["body"] = e.request["body"];
  return out;
}

bool listed(Verdict verdict) { return verdict != Verdict::Pass && verdict != Verdict::NotTestable; }

}  // namespace

json Evidence::to_json() const {
  json out = json::object();
  if (!request.is_null()) out["request"] = request;
  if (!response.is_null()) out["response"] = response;
  if (!expected.is_null()) out["expected"] = expected;
  if (!observed.is_null()) out["observed"] = observed;
  if (!curl.empty()) out["curl"] = curl;
  if (!reproduce.empty()) out["reproduce"] = reproduce;
  if (!vector_file.empty()) out["vector_file"] = vector_file;
  if (seed) out["seed"] = *seed;
  return out;
}

namespace {

void make_printable(std::string& text) {
  if (!crypto::is_valid_utf8(text)) text = crypto::escape_invalid_utf8(text);
}

// In place, touching only what holds bytes that are not UTF-8 (most
// evidence is valid: no copy then).
void make_printable(json& value) {
  if (value.is_string()) {
    make_printable(value.get_ref<std::string&>());
  } else if (value.is_array()) {
    for (auto& element : value) make_printable(element);
  } else if (value.is_object()) {
    bool bad_key = false;
    for (auto it = value.begin(); it != value.end(); ++it) {
      bad_key = bad_key || !crypto::is_valid_utf8(it.key());
      make_printable(it.value());
    }
    if (bad_key) value = printable(value);
  } else if (value.is_discarded()) {
    value = "(not JSON)";
  }
}

// "sign=VALUE" (an Authorization token's signature) as "sign=REDACTED".
std::string without_signatures(std::string text) {
  static constexpr std::string_view kName = "sign=";
  for (auto at = text.find(kName); at != std::string::npos; at = text.find(kName, at + 1)) {
    if (at > 0 && (std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_')) continue;
    const auto from = at + kName.size();
    const auto to = text.find_first_of("& \t\r\n\"'\\;", from);
    text.replace(from, (to == std::string::npos ? text.size() : to) - from, "REDACTED");
  }
  return text;
}

void redact(json& value) {
  if (value.is_string()) {
    auto& text = value.get_ref<std::string&>();
    if (text.find("sign=") != std::string::npos) text = without_signatures(std::move(text));
  } else if (value.is_structured()) {
    for (auto& element : value) redact(element);
  }
}

void redact(Outcome& outcome) {
  for (auto* text : {&outcome.message, &outcome.evidence.curl}) *text = without_signatures(std::move(*text));
  for (auto* document :
       {&outcome.evidence.request, &outcome.evidence.response, &outcome.evidence.expected, &outcome.evidence.observed})
    redact(*document);
}

// Everything a peer may have put into an outcome, as valid UTF-8: a verdict
// is printed, written to results, JUnit and the report, and each of them
// needs text (docs/reliability.md, "Lossless output").
void make_printable(Outcome& outcome) {
  for (auto* text : {&outcome.check, &outcome.title, &outcome.clause, &outcome.message, &outcome.evidence.curl,
                     &outcome.evidence.reproduce, &outcome.evidence.vector_file, &outcome.basis.conflict})
    make_printable(*text);
  for (auto* document :
       {&outcome.evidence.request, &outcome.evidence.response, &outcome.evidence.expected, &outcome.evidence.observed})
    make_printable(*document);
  for (auto& decision : outcome.basis.decisions) {
    make_printable(decision.ambiguity);
    make_printable(decision.decided);
    make_printable(decision.reading);
  }
}

}  // namespace

void Recorder::record(Outcome outcome) {
  make_printable(outcome);
  if (redact_signatures_) redact(outcome);
  std::lock_guard lock(mutex_);
  ++recorded_;
  if (last_check_ != outcome.check) last_check_ = outcome.check;
  auto& entry = entries_[{outcome.check, outcome.clause}];
  if (listed(outcome.verdict)) {
    ++entry.failure_count;
    FailingCase listed_case{outcome.verdict, outcome.message, outcome.basis, reproduction(outcome.evidence)};
    // Worst first; among equals, first come first.
    auto at = std::find_if(entry.failures.begin(), entry.failures.end(),
                           [&](const FailingCase& c) { return severity(c.verdict) < severity(outcome.verdict); });
    if (static_cast<std::size_t>(at - entry.failures.begin()) < kMaxListedCases) {
      entry.failures.insert(at, std::move(listed_case));
      if (entry.failures.size() > kMaxListedCases) entry.failures.pop_back();
    }
  }
  if (entry.counts.empty()) {
    entry.check = outcome.check;
    entry.title = outcome.title;
    entry.clause = outcome.clause;
    entry.verdict = outcome.verdict;
    entry.message = outcome.message;
    entry.evidence = std::move(outcome.evidence);
    entry.basis = std::move(outcome.basis);
  } else if (severity(outcome.verdict) > severity(entry.verdict)) {
    entry.verdict = outcome.verdict;
    entry.message = outcome.message;
    entry.evidence = std::move(outcome.evidence);
    entry.basis = std::move(outcome.basis);
  }
  ++entry.counts[outcome.verdict];
}

bool Recorder::keeps_evidence(const std::string& check, const std::string& clause, Verdict verdict) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find({check, clause});
  return found == entries_.end() || severity(verdict) > severity(found->second.verdict);
}

std::uint64_t Recorder::recorded() const {
  std::lock_guard lock(mutex_);
  return recorded_;
}

std::string Recorder::last_check() const {
  std::lock_guard lock(mutex_);
  return last_check_;
}

void Recorder::observe(Observation observation) {
  for (auto* text : {&observation.ambiguity, &observation.check, &observation.text}) make_printable(*text);
  std::lock_guard lock(mutex_);
  for (const auto& known : observations_) {
    if (known.ambiguity == observation.ambiguity && known.text == observation.text) return;
  }
  observations_.push_back(std::move(observation));
}

std::vector<Recorder::Entry> Recorder::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<Entry> out;
  for (const auto& [key, entry] : entries_) out.push_back(entry);
  return out;
}

std::vector<Observation> Recorder::observations() const {
  std::lock_guard lock(mutex_);
  auto out = observations_;
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return std::tie(a.ambiguity, a.text) < std::tie(b.ambiguity, b.text); });
  return out;
}

std::map<Verdict, std::uint64_t> Recorder::summary() const {
  std::map<Verdict, std::uint64_t> out;
  for (auto v :
       {Verdict::Pass, Verdict::Fail, Verdict::NonStrict, Verdict::Info, Verdict::NotTestable, Verdict::Error}) {
    out[v] = 0;
  }
  for (const auto& entry : entries()) ++out[entry.verdict];
  return out;
}

std::size_t Recorder::count(Verdict verdict) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(),
                                                [&](const auto& item) { return item.second.verdict == verdict; }));
}

std::vector<std::string> Recorder::clauses_with(std::initializer_list<Verdict> verdicts) const {
  std::vector<std::string> out;
  for (const auto& entry : entries()) {
    const bool wanted = std::find(verdicts.begin(), verdicts.end(), entry.verdict) != verdicts.end();
    if (wanted && std::find(out.begin(), out.end(), entry.clause) == out.end()) out.push_back(entry.clause);
  }
  return out;
}

int exit_status(const Recorder& recorder, Verdict fail_on) {
  for (const auto& entry : recorder.entries()) {
    if (entry.verdict == Verdict::Fail || (fail_on == Verdict::NonStrict && entry.verdict == Verdict::NonStrict)) {
      return kExitFindings;
    }
  }
  return recorder.count(Verdict::Error) > 0 ? kExitError : kExitOk;
}

int exit_status(const json& results, Verdict fail_on) {
  bool error = false;
  for (const auto& entry : results.at("results")) {
    const auto verdict = entry.at("verdict").get<std::string>();
    if (verdict == "FAIL" || (fail_on == Verdict::NonStrict && verdict == "NON-STRICT")) return kExitFindings;
    error = error || verdict == "ERROR";
  }
  return error ? kExitError : kExitOk;
}

std::vector<Recorder::Entry> Recorder::must_failures(const spec::Spec& spec) const {
  std::vector<Entry> out;
  for (const auto& entry : entries()) {
    const auto* clause = spec.clause(entry.clause);
    if (entry.verdict == Verdict::Fail && clause && clause->level == spec::Level::Must) out.push_back(entry);
  }
  return out;
}

namespace {
bool on_side(spec::Side clause_side, spec::Side side) { return clause_side == spec::Side::Both || clause_side == side; }

json failures_json(const Recorder::Entry& entry) {
  json out = json::array();
  for (const auto& c : entry.failures) out.push_back(c.to_json());
  return out;
}
}  // namespace

json to_json(const RunInfo& run, const Recorder& recorder, const spec::Spec& spec, spec::Side side) {
  json out;
  out["format"] = "otaconf-results/1";
  out["tool"] = {{"name", "otaconf"}, {"version", OTACONF_VERSION}};
  json run_json = {{"side", run.side},
                   {"implementation", run.implementation},
                   {"target", run.target},
                   {"profile", run.profile},
                   {"seed", run.seed},
                   {"spec", run.spec_id},
                   {"fixture", run.fixture},
                   {"started", run.started},
                   {"duration_ms", run.duration_ms},
                   {"requests", run.requests}};
  if (run.mutant) run_json["mutant"] = {{"name", run.mutant->first}, {"clause", run.mutant->second}};
  if (run.variant) run_json["variant"] = {{"name", run.variant->first}, {"description", run.variant->second}};
  run_json["enforce_decisions"] = run.enforce_decisions;
  if (!run.plan.empty()) {
    json plan = json::array();
    for (const auto& [check, clause] : run.plan) plan.push_back({{"check", check}, {"clause", clause}});
    run_json["plan"] = plan;
  }
  out["run"] = run_json;

  const auto entries = recorder.entries();
  json summary = json::object();
  for (const auto& [verdict, count] : recorder.summary()) summary[to_string(verdict)] = count;
  summary["must_failures"] = recorder.must_failures(spec).size();
  out["summary"] = summary;

  std::map<std::string, Verdict> worst;
  for (const auto& entry : entries) {
    auto [it, inserted] = worst.emplace(entry.clause, entry.verdict);
    if (!inserted && severity(entry.verdict) > severity(it->second)) it->second = entry.verdict;
  }
  json clauses = json::array();
  for (const auto& clause : spec.clauses) {
    if (!on_side(clause.side, side) && !worst.count(clause.id)) continue;
    json quote = clause.quotes.empty() ? json(nullptr) : json(clause.quotes.front().text);
    auto found = worst.find(clause.id);
    clauses.push_back({{"id", clause.id},
                       {"level", spec::to_string(clause.level)},
                       {"side", spec::to_string(clause.side)},
                       {"statement", clause.statement},
                       {"quote", quote},
                       {"ambiguities", clause.ambiguities},
                       {"verdict", found == worst.end() ? json(nullptr) : json(to_string(found->second))}});
  }
  out["clauses"] = clauses;

  json list = json::array();
  for (const auto& entry : entries) {
    const auto* clause = spec.clause(entry.clause);
    json counts = json::object();
    std::uint64_t cases = 0;
    for (const auto& [verdict, count] : entry.counts) {
      counts[to_string(verdict)] = count;
      cases += count;
    }
    list.push_back({{"check", entry.check},
                    {"title", entry.title},
                    {"clause", entry.clause},
                    {"level", clause ? spec::to_string(clause->level) : "MAY"},
                    {"verdict", to_string(entry.verdict)},
                    {"cases", cases},
                    {"counts", counts},
                    {"message", entry.message},
                    {"basis", entry.basis.to_json()},
                    {"failures", failures_json(entry)},
                    {"failure_count", entry.failure_count},
                    {"evidence", entry.evidence.to_json()}});
  }
  out["results"] = list;
  json observations = json::array();
  for (const auto& o : recorder.observations()) {
    observations.push_back({{"ambiguity", o.ambiguity}, {"check", o.check}, {"observation", o.text}});
  }
  out["observations"] = observations;
  return out;
}

std::string_view results_schema_text() { return kResultsSchemaText; }

json printable(const json& value) {
  switch (value.type()) {
    case json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      return crypto::is_valid_utf8(text) ? value : json(crypto::escape_invalid_utf8(text));
    }
    case json::value_t::object: {
      json out = json::object();
      for (const auto& [key, member] : value.items()) out[crypto::escape_invalid_utf8(key)] = printable(member);
      return out;
    }
    case json::value_t::array: {
      json out = json::array();
      for (const auto& element : value) out.push_back(printable(element));
      return out;
    }
    case json::value_t::discarded: return "(not JSON)";
    default: return value;
  }
}

namespace {
const detail::JsonSchema& results_schema() {
  static const detail::JsonSchema schema(kResultsSchemaText, "matches none of the allowed forms");
  return schema;
}
}  // namespace

std::vector<std::string> validate(const json& results) {
  const auto& schema = results_schema();
  detail::Collector out("results");
  schema.validate(results, out);
  std::vector<std::string> errors;
  for (const auto& e : out.errors()) errors.push_back(e.line());
  return errors;
}

std::string serialize(const json& results) {
  const auto document = printable(results);
  const auto errors = validate(document);
  if (!errors.empty()) throw std::logic_error("otaconf wrote results that break its own schema: " + errors.front());
  return document.dump(2) + "\n";
}

json load_results(const std::filesystem::path& file) {
  const auto& schema = results_schema();
  detail::Collector out(file.string());
  const auto text = detail::read_file(file, out);
  std::optional<json> document;
  if (text) document = detail::parse_bounded(*text, kMaxResultsDepth, out);
  if (document && out.empty()) schema.validate(*document, out);
  if (!out.empty()) throw InputError(out.errors().front());
  return std::move(*document);
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace otaconf::results
