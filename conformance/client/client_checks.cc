// Client checks: every response vector under the profile, and RapidCheck
// properties over responses generated from the spec's data field domains.
#include <fnmatch.h>
#include <rapidcheck.h>
#include <rapidcheck/detail/TestListenerAdapter.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <mutex>
#include <sstream>

#include "otaconf/conformance/client.h"
#include "otaconf/interpret.h"
#include "otaconf/vectors.h"

namespace otaconf::conformance {

using nlohmann::json;
using results::Verdict;

namespace {

bool selected(const ClientOptions& options, const std::string& clause) {
  auto matches = [&](const std::vector<std::string>& globs) {
    return std::any_of(globs.begin(), globs.end(),
                       [&](const std::string& glob) { return fnmatch(glob.c_str(), clause.c_str(), 0) == 0; });
  };
  if (!options.only.empty() && !matches(options.only)) return false;
  return !matches(options.skip);
}

struct Context {
  const spec::Spec& spec;
  const spec::Profile& profile;
  client::Adapter& adapter;
  const ClientOptions& options;
  results::Recorder& recorder;
  std::uint64_t parses = 0;

  void record(const std::string& check, const std::string& title, const std::string& clause, Verdict verdict,
              const std::string& message, results::Evidence evidence = {}) {
    if (!selected(options, clause)) return;
    recorder.record({check, title, clause, verdict, message, std::move(evidence)});
  }
  Verdict violation(const std::string& clause) const {
    const auto* c = spec.clause(clause);
    return c ? results::violation_of(c->level) : Verdict::Fail;
  }
  client::Outcome parse(const std::string& body) {
    ++parses;
    return adapter.parse(body, profile.id);
  }
};

std::string printable(const std::string& body) {
  return json::parse(json(body.substr(0, 2000)).dump(-1, ' ', false, json::error_handler_t::replace))
      .get<std::string>();
}

// What an accepted vector's expectation says the parser must report.
std::string compare(const client::Normalized& observed, const json& expected) {
  if (observed.errno_value != expected.value("errno", std::int64_t{-1})) {
    return "errno " + std::to_string(observed.errno_value) + ", expected " + expected["errno"].dump();
  }
  if (expected.contains("action") && observed.action != expected["action"].get<std::string>()) {
    return "action " + observed.action + ", expected " + expected["action"].get<std::string>();
  }
  if (expected.contains("error") && observed.error != expected["error"].get<std::string>()) {
    return "error \"" + observed.error + "\", expected " + expected["error"].dump();
  }
  const auto& data = expected.contains("data") ? expected["data"] : json(nullptr);
  if (data.is_null()) return observed.has_data ? "took data from an answer whose data must be ignored" : "";
  if (!observed.has_data) return "reported no data";
  for (const auto& [key, value] : data.items()) {
    if (!observed.data.contains(key) || observed.data[key] != value) {
      return "data." + key + " is " +
             (observed.data.contains(key) ? observed.data[key].dump() : std::string("missing")) + ", expected " +
             value.dump();
    }
  }
  return "";
}

const std::string kVectorsCheck = "client.vectors";
const std::string kVectorsTitle = "Response vectors: y_ accepted with the exact result, n_ rejected, i_ recorded";

void vectors_check(Context& c) {
  std::vector<vectors::Vector> list;
  try {
    list = vectors::load(c.options.vectors);
  } catch (const InputError& e) {
    c.record(kVectorsCheck, kVectorsTitle, "CLI.PARSE.REJECT", Verdict::Error, e.what());
    return;
  }
  for (const auto& vector : list) {
    const auto expectation = vector.expectation(c.profile.id);
    const auto outcome = c.parse(vector.body);
    results::Evidence evidence;
    evidence.vector_file = vector.file.string();
    evidence.request = {{"body", printable(vector.body)}, {"profile", c.profile.id}};
    evidence.expected = {{"expect", expectation}};
    if (vector.meta.contains("result")) evidence.expected["result"] = vector.meta["result"];
    evidence.observed = outcome.kind == client::Outcome::Kind::Parsed
                            ? outcome.result.to_json()
                            : json{{"outcome", client::to_string(outcome.kind)}, {"detail", outcome.detail}};
    const auto clauses = vector.clauses();
    auto record_all = [&](Verdict verdict, const std::string& message) {
      for (const auto& clause : clauses) {
        c.record(kVectorsCheck, kVectorsTitle, clause, verdict == Verdict::Fail ? c.violation(clause) : verdict,
                 vector.name + ": " + message, evidence);
      }
    };
    if (outcome.kind == client::Outcome::Kind::Crashed || outcome.kind == client::Outcome::Kind::TimedOut) {
      // A crash or a hang on any input is a failure whatever the clause's level.
      for (const auto& clause : clauses) {
        c.record(kVectorsCheck, kVectorsTitle, clause, Verdict::Fail,
                 vector.name + ": the parser " + client::to_string(outcome.kind) + ": " + outcome.detail, evidence);
      }
      continue;
    }
    if (outcome.kind != client::Outcome::Kind::Parsed) {
      record_all(Verdict::Error, "the adapter " + client::to_string(outcome.kind) + ": " + outcome.detail);
      continue;
    }
    const auto& result = outcome.result;
    if (expectation == "either") {
      record_all(Verdict::Info, std::string(result.accepted ? "accepted" : "rejected") + " (implementation-defined)");
      continue;
    }
    if (expectation == "reject") {
      record_all(result.accepted ? Verdict::Fail : Verdict::Pass,
                 result.accepted ? "accepted a response it must reject" : "rejected: " + result.reason);
      continue;
    }
    if (!result.accepted) {
      record_all(Verdict::Fail, "rejected a response it must accept: " + result.reason);
      continue;
    }
    const auto difference = vector.meta.contains("result") ? compare(result, vector.meta["result"]) : "";
    record_all(difference.empty() ? Verdict::Pass : Verdict::Fail,
               difference.empty() ? "accepted, as expected" : difference);
  }
}

// ---- properties ---------------------------------------------------------------

rc::Gen<json> value_in(const spec::Field& field, const spec::Domain& domain) {
  if (field.type == spec::ValueType::Integer) {
    const auto low = std::max<std::int64_t>(domain.min.value_or(-1000000), -(std::int64_t{1} << 40));
    const auto high = std::min<std::int64_t>(domain.max.value_or(1000000), std::int64_t{1} << 40);
    return rc::gen::suchThat(
        rc::gen::map(rc::gen::inRange<std::int64_t>(low, high + 1), [](std::int64_t n) { return json(n); }),
        [&domain](const json& v) { return interpret::in_domain(domain, v); });
  }
  const bool hex =
      domain.pattern && domain.pattern->find("0-9a-f") != std::string::npos && domain.min_length == domain.max_length;
  if (hex) {
    const auto length = static_cast<std::size_t>(domain.max_length.value_or(32));
    return rc::gen::map(rc::gen::container<std::string>(length, rc::gen::elementOf(std::string("0123456789abcdef"))),
                        [](std::string s) { return json(s); });
  }
  const auto max_length = static_cast<std::size_t>(std::min<std::size_t>(domain.max_length.value_or(40), 40));
  const auto min_length = static_cast<std::size_t>(std::max<std::size_t>(domain.min_length.value_or(1), 1));
  return rc::gen::suchThat(
      rc::gen::map(rc::gen::mapcat(rc::gen::inRange<std::size_t>(min_length, max_length + 1),
                                   [](std::size_t n) {
                                     return rc::gen::container<std::string>(
                                         n, rc::gen::elementOf(std::string(
                                                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")));
                                   }),
                   [](std::string s) { return json(s); }),
      [&domain](const json& v) { return interpret::in_domain(domain, v); });
}

void load_rapidcheck_configuration_quietly() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::ostringstream sink;
    auto* previous = std::cerr.rdbuf(sink.rdbuf());
    rc::detail::configuration();
    std::cerr.rdbuf(previous);
  });
}

template <typename Property>
bool run_property(Context& c, const std::string& id, Property property, std::string& failure) {
  load_rapidcheck_configuration_quietly();
  rc::detail::TestMetadata metadata{c.profile.id + "/" + id, id};
  rc::detail::TestParams params;
  params.seed = c.options.seed;
  params.maxSuccess = std::max(1, c.options.cases);
  params.maxSize = 50;
  rc::detail::TestListenerAdapter quiet;
  const auto result = rc::detail::checkProperty(rc::detail::toProperty(property), metadata, params, quiet);
  if (result.template is<rc::detail::FailureResult>()) {
    failure = result.template get<rc::detail::FailureResult>().description;
    return false;
  }
  if (result.template is<rc::detail::GaveUpResult>()) {
    failure = "gave up: " + result.template get<rc::detail::GaveUpResult>().description;
    return false;
  }
  return true;
}

void properties_check(Context& c) {
  const auto* endpoint = c.spec.endpoint_by_role("check");
  if (!endpoint || !endpoint->response) return;
  const auto& response = *endpoint->response;
  const auto code_name = response.envelope_role("code")->name;
  const auto message_name = response.envelope_role("message")->name;
  const auto data_name = response.envelope_role("data")->name;
  const std::string title = "Responses generated from the spec's domains (RapidCheck)";

  // Any spec-valid success response is accepted, every field round-trips,
  // and parsing it twice gives the same result.
  std::string last_clause = "CLI.PARSE.REJECT", last_body;
  auto round_trip = [&] {
    json data = json::object();
    for (const auto& field : response.data_fields) data[field.name] = *value_in(field, field.domain_under(c.profile));
    const json body = {{code_name, response.success_code}, {message_name, response.success_message}, {data_name, data}};
    last_body = body.dump();
    const auto first = c.parse(last_body);
    RC_ASSERT(first.kind == client::Outcome::Kind::Parsed);
    last_clause = "RESP.DATA.PRESENT";
    RC_ASSERT(first.result.accepted);
    for (const auto& field : response.data_fields) {
      auto expected = data[field.name];
      if (field.name == "md5") {
        auto text = expected.get<std::string>();
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        expected = text;
      }
      last_clause = field.clauses.empty() ? "RESP.DATA.VALUES" : field.clauses.front();
      RC_ASSERT(first.result.data.value(field.name, json(nullptr)) == expected);
    }
    last_clause = "CLI.PARSE.JSON";
    const auto second = c.parse(last_body);
    RC_ASSERT(second.kind == client::Outcome::Kind::Parsed && second.result.to_json() == first.result.to_json());
  };
  std::string failure;
  if (run_property(c, "client.round-trip", round_trip, failure)) {
    c.record("client.round-trip", title, "RESP.DATA.PRESENT", Verdict::Pass,
             std::to_string(c.options.cases) +
                 " generated success answers accepted; every field round-trips; parsing is deterministic");
  } else {
    results::Evidence evidence;
    evidence.request = {{"body", last_body}, {"profile", c.profile.id}};
    c.record("client.round-trip", title, last_clause, c.violation(last_clause), "shrunk to: " + failure, evidence);
  }

  // Under the strict profile, one field outside its domain is rejected.
  if (c.profile.id != c.spec.default_profile) return;
  std::string violation_clause = "CLI.PARSE.REJECT", violation_body;
  auto single_violation = [&] {
    json data = json::object();
    for (const auto& field : response.data_fields) data[field.name] = *value_in(field, field.domain_under(c.profile));
    const auto& field = *rc::gen::elementOf(response.data_fields);
    const auto& domain = field.domain_under(c.profile);
    std::vector<json> invalid = {nullptr, json::array()};
    if (field.type == spec::ValueType::Integer) {
      invalid.push_back("1");
      invalid.push_back(1.5);
      if (domain.max && *domain.max < INT64_MAX) invalid.push_back(*domain.max + 1);
      if (domain.min && *domain.min > INT64_MIN) invalid.push_back(*domain.min - 1);
    } else {
      invalid.push_back(7);
      if (domain.max_length) invalid.push_back(std::string(*domain.max_length + 1, 'a'));
      invalid.push_back("");
    }
    data[field.name] = *rc::gen::elementOf(invalid);
    const json body = {{code_name, response.success_code}, {message_name, response.success_message}, {data_name, data}};
    violation_body = body.dump();
    violation_clause = field.clauses.empty() ? "CLI.PARSE.REJECT" : field.clauses.front();
    const auto outcome = c.parse(violation_body);
    RC_ASSERT(outcome.kind == client::Outcome::Kind::Parsed);
    RC_ASSERT(!outcome.result.accepted);
  };
  if (run_property(c, "client.single-violation", single_violation, failure)) {
    c.record("client.single-violation", title, "CLI.PARSE.REJECT", Verdict::Pass,
             std::to_string(c.options.cases) + " answers with one field outside its domain, all rejected");
  } else {
    results::Evidence evidence;
    evidence.request = {{"body", violation_body}, {"profile", c.profile.id}};
    c.record("client.single-violation", title, violation_clause, c.violation(violation_clause), "shrunk to: " + failure,
             evidence);
  }
}

}  // namespace

void run_client_suite(const spec::Spec& spec, const spec::Profile& profile, client::Adapter& adapter,
                      const ClientOptions& options, results::Recorder& recorder, results::RunInfo& run) {
  const auto started = std::chrono::steady_clock::now();
  run.side = "client";
  run.target = adapter.describe();
  if (run.implementation.empty()) run.implementation = adapter.describe();
  run.profile = profile.id;
  run.seed = options.seed;
  run.spec_id = spec.id;
  run.started = results::utc_now();
  Context c{spec, profile, adapter, options, recorder};
  vectors_check(c);
  properties_check(c);
  run.requests = c.parses;
  run.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

std::vector<ClientMutantVerdict> client_mutation_analysis(
    const spec::Spec& spec, const std::function<std::unique_ptr<client::Adapter>()>& make_adapter,
    const ClientOptions& options,
    const std::vector<std::pair<std::string, std::pair<std::string, std::string>>>& mutants,
    const std::function<void(const ClientMutantVerdict&)>& progress, const ClientMutantRunSink& deciding_run) {
  std::vector<ClientMutantVerdict> verdicts;
  for (const auto& [name, info] : mutants) {
    ClientMutantVerdict verdict{name, info.first, info.second, false, {}, {}};
    setenv("OTACLIENT_MUTANT", name.c_str(), 1);  // read by the library in each forked parse
    for (std::size_t i = 0; i < spec.profiles.size(); ++i) {
      const auto& profile = spec.profiles[i];
      auto adapter = make_adapter();
      results::Recorder recorder;
      results::RunInfo run;
      run.implementation = "otaclient (" + profile.id + ", mutant " + name + ")";
      run.mutant = std::make_pair(name, info.first);
      run_client_suite(spec, profile, *adapter, options, recorder, run);
      std::vector<std::string> failed;
      for (const auto& entry : recorder.entries()) {
        if (entry.verdict == Verdict::Fail && std::find(failed.begin(), failed.end(), entry.clause) == failed.end()) {
          failed.push_back(entry.clause);
        }
      }
      if (std::find(failed.begin(), failed.end(), verdict.clause) != failed.end()) {
        verdict.killed = true;
        verdict.profile = profile.id;
        verdict.by_clauses = failed;
      }
      if (verdict.killed || i + 1 == spec.profiles.size()) {
        if (deciding_run) deciding_run(verdict, run, recorder);
        break;
      }
    }
    unsetenv("OTACLIENT_MUTANT");
    if (progress) progress(verdict);
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

}  // namespace otaconf::conformance
