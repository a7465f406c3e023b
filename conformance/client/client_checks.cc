// Client checks: every response vector under the profile, and RapidCheck
// properties over responses generated from the spec's data field domains.
//
// A case that agrees with its expectation is a PASS on the clause it probes
// and a case of the run's ledger; one that does not is charged to the one
// clause its difference breaks (interpret::outcome_difference) and graded
// when every case is in: FAIL where no reading of the document allows what
// the parser did, NON-STRICT where only the profile's decisions forbid it
// (readings::Ledger). A crash or a hang is a FAIL on any input.
#include <fnmatch.h>
#include <rapidcheck.h>
#include <rapidcheck/detail/TestListenerAdapter.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "otaconf/conformance/client.h"
#include "otaconf/crypto.h"
#include "otaconf/interpret.h"
#include "otaconf/rapidcheck_reproduce.h"
#include "otaconf/readings.h"
#include "otaconf/vectors.h"

namespace otaconf::conformance {

using nlohmann::json;
using results::Verdict;
using Judgement = interpret::ResponseJudgement;

namespace {

// Each glob is matched against the clause ID and the check ID.
bool selected(const ClientOptions& options, const std::string& clause, const std::string& check = {}) {
  auto matches = [&](const std::vector<std::string>& globs) {
    return std::any_of(globs.begin(), globs.end(), [&](const std::string& glob) {
      return fnmatch(glob.c_str(), clause.c_str(), 0) == 0 ||
             (!check.empty() && fnmatch(glob.c_str(), check.c_str(), 0) == 0);
    });
  };
  if (!options.only.empty() && !matches(options.only)) return false;
  return !matches(options.skip);
}

// What a parser reported, in the shape of a judgement's result.
json reported(const client::Normalized& n) {
  return results::printable({{"errno", n.errno_value},
                             {"error", n.error},
                             {"data", n.has_data ? n.data : json(nullptr)},
                             {"action", n.action}});
}

json observed_json(const client::Outcome& outcome) {
  auto observed = outcome.kind == client::Outcome::Kind::Parsed
                      ? outcome.result.to_json()
                      : json{{"outcome", client::to_string(outcome.kind)}, {"detail", outcome.detail}};
  if (!outcome.output.empty()) observed["output"] = outcome.output;
  return results::printable(observed);
}

// The body as evidence: text where it is text, escaped where it is not.
json body_text(const std::string& body) { return crypto::escape_invalid_utf8(body.substr(0, 2000)); }

struct Context {
  const spec::Spec& spec;
  const spec::Endpoint& endpoint;
  const spec::Profile& profile;
  client::Adapter& adapter;
  const ClientOptions& options;
  results::Recorder& recorder;
  readings::Ledger ledger;
  std::uint64_t parses = 0;

  void record(const std::string& check, const std::string& title, const std::string& clause, Verdict verdict,
              const std::string& message, results::Evidence evidence = {}) {
    if (!selected(options, clause, check)) return;
    recorder.record({check, title, clause, verdict, message, std::move(evidence), results::Basis::document()});
  }
  Verdict violation(const std::string& clause) const {
    const auto* c = spec.clause(clause);
    return c ? results::violation_of(c->level) : Verdict::Fail;
  }
  client::Outcome parse(const std::string& body) {
    ++parses;
    return adapter.parse(body, profile.id);
  }
  std::vector<client::Outcome> parse_many(const std::vector<std::string>& bodies) {
    parses += bodies.size();
    return adapter.parse_many(bodies, profile.id);
  }

  // The parser's outcome for `body` is right under a reading: the spec's
  // judgement under it allows what the parser reported.
  readings::Allowed allowed(const std::string& body, const client::Normalized& result) const {
    return [&spec = spec, &endpoint = endpoint, body, accepted = result.accepted,
            observed = reported(result)](const spec::Profile& reading) {
      const auto judgement = interpret::interpret_response(endpoint, reading, body);
      return !interpret::outcome_difference(spec, endpoint, judgement, accepted, observed, "").has_value();
    };
  }

  // PASS on `clause` (a case of the ledger), or a miss to grade later.
  void judge(const std::string& check, const std::string& title, const std::string& clause,
             const std::optional<interpret::Difference>& difference, const std::string& pass_message,
             results::Evidence evidence, const readings::Allowed& allowed) {
    const auto charged = difference ? difference->clause : clause;
    if (!selected(options, charged, check)) return;
    bool decision_free = false;
    if (!difference && ledger.judge(clause + " (" + pass_message + ")", allowed, decision_free)) {
      recorder.record(
          {check, title, clause, Verdict::Pass, pass_message, std::move(evidence), results::Basis::document()});
      return;
    }
    ledger.miss(
        {check, title, charged, difference ? difference->text : pass_message, std::move(evidence), allowed, {}});
  }
};

// ---- vectors ------------------------------------------------------------------

const std::string kVectorsCheck = "client.vectors";
const std::string kVectorsTitle = "Response vectors: y_ accepted with the exact result, n_ rejected, i_ recorded";
const std::string kRoundTripCheck = "client.round-trip";
const std::string kRoundTripTitle = "Success answers generated from the spec's domains (RapidCheck)";
const std::string kSingleViolationCheck = "client.single-violation";
const std::string kSingleViolationTitle = "A valid answer with one field beside its domain (RapidCheck)";

// A vector's expectation under a profile as a judgement.
Judgement expectation_of(const vectors::Vector& vector, const std::string& profile) {
  const auto expect = vector.expectation(profile);
  Judgement judgement;
  judgement.clause = vector.probe();
  judgement.reason = vector.meta.value("note", std::string());
  judgement.verdict = expect == "accept"   ? Judgement::Verdict::Accept
                      : expect == "reject" ? Judgement::Verdict::Reject
                                           : Judgement::Verdict::Undecided;
  if (vector.meta.contains("result")) judgement.result = vector.meta["result"];
  return judgement;
}

void vectors_check(Context& c) {
  std::vector<vectors::Vector> list;
  try {
    list = vectors::load(c.options.vectors);
  } catch (const InputError& e) {
    c.record(kVectorsCheck, kVectorsTitle, "CLI.PARSE.REJECT", Verdict::Error, e.what());
    return;
  }
  if (list.empty()) {
    c.record(kVectorsCheck, kVectorsTitle, "CLI.PARSE.REJECT", Verdict::Error,
             c.options.vectors.string() + ": no vectors (NAME.body with NAME.json)");
    return;
  }
  // Every vector parsed first, so a vector can be compared with its base.
  std::map<std::string, client::Outcome> outcomes;
  std::map<std::string, const vectors::Vector*> by_name;
  std::vector<std::string> bodies;
  for (const auto& vector : list) bodies.push_back(vector.body);
  auto parsed = c.parse_many(bodies);
  for (std::size_t i = 0; i < list.size(); ++i) {
    outcomes.emplace(list[i].name, std::move(parsed[i]));
    by_name.emplace(list[i].name, &list[i]);
  }
  auto difference_of = [&](const vectors::Vector& v) -> std::optional<interpret::Difference> {
    const auto& outcome = outcomes.at(v.name);
    if (outcome.kind != client::Outcome::Kind::Parsed) return interpret::Difference{v.probe(), "not parsed"};
    return interpret::outcome_difference(c.spec, c.endpoint, expectation_of(v, c.profile.id), outcome.result.accepted,
                                         reported(outcome.result), v.probe());
  };
  auto base_read_right = [&](const vectors::Vector& v) {
    const auto base = by_name.find(v.base());
    return base != by_name.end() && !difference_of(*base->second);
  };
  for (const auto& vector : list) {
    const auto expected = expectation_of(vector, c.profile.id);
    auto probe = vector.probe();
    const auto& outcome = outcomes.at(vector.name);
    results::Evidence evidence;
    evidence.vector_file = vector.file.string();
    evidence.request = {{"body", body_text(vector.body)}, {"profile", c.profile.id}};
    evidence.expected = {{"expect", vector.expectation(c.profile.id)}};
    if (vector.meta.contains("result")) evidence.expected["result"] = vector.meta["result"];
    evidence.observed = observed_json(outcome);
    // A valid answer refused like the valid base it differs from: the refusal is the base's business.
    if (const auto base = outcomes.find(vector.base());
        base != outcomes.end() && expected.verdict == Judgement::Verdict::Accept) {
      const auto* base_vector =
          &*std::find_if(list.begin(), list.end(), [&](const vectors::Vector& v) { return v.name == base->first; });
      const bool base_refused = base->second.kind != client::Outcome::Kind::Parsed || !base->second.result.accepted;
      const bool refused = outcome.kind != client::Outcome::Kind::Parsed || !outcome.result.accepted;
      if (refused && base_refused && expectation_of(*base_vector, c.profile.id).verdict == Judgement::Verdict::Accept) {
        probe = base_vector->probe();
      }
    }
    if (outcome.kind == client::Outcome::Kind::Crashed || outcome.kind == client::Outcome::Kind::TimedOut) {
      // A crash or a hang is wrong on any input: on one it must accept, it
      // breaks what the vector probes; otherwise, rejecting without crashing.
      const auto clause = expected.verdict == Judgement::Verdict::Accept ? probe : std::string("CLI.PARSE.REJECT");
      c.record(kVectorsCheck, kVectorsTitle, clause, Verdict::Fail,
               vector.name + ": the parser " + client::to_string(outcome.kind) + ": " + outcome.detail, evidence);
      continue;
    }
    if (outcome.kind != client::Outcome::Kind::Parsed) {
      c.record(kVectorsCheck, kVectorsTitle, probe, Verdict::Error,
               vector.name + ": the adapter " + client::to_string(outcome.kind) + ": " + outcome.detail, evidence);
      continue;
    }
    const auto& result = outcome.result;
    if (expected.verdict == Judgement::Verdict::Undecided) {
      c.record(kVectorsCheck, kVectorsTitle, probe, Verdict::Info,
               vector.name + ": " + (result.accepted ? "accepted" : "rejected") + " (left open)", evidence);
      continue;
    }
    auto named = interpret::outcome_difference(c.spec, c.endpoint, expected, result.accepted, reported(result), probe);
    // A value misread here but not in the base: the one difference between them is to blame.
    if (named && named->misread() && base_read_right(vector)) named->clause = probe;
    if (named) named->text = vector.name + ": " + named->text;
    c.judge(kVectorsCheck, kVectorsTitle, probe, named,
            vector.name + ": " + (result.accepted ? "accepted, as expected" : "rejected: " + result.reason),
            std::move(evidence), c.allowed(vector.body, result));
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

// Values next to a field's domain: wrong types and the bounds' neighbours.
std::vector<json> beside(const spec::Field& field, const spec::Domain& domain) {
  std::vector<json> out = {nullptr, json::array()};
  if (field.type == spec::ValueType::Integer) {
    out.push_back("1");
    out.push_back(1.5);
    if (domain.max && *domain.max < INT64_MAX) out.push_back(*domain.max + 1);
    if (domain.min && *domain.min > INT64_MIN) out.push_back(*domain.min - 1);
  } else {
    out.push_back(7);
    if (domain.max_length) out.push_back(std::string(*domain.max_length + 1, 'a'));
    out.push_back("");
  }
  return out;
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

// A property's counterexample: the body, what the parser did, the clause.
struct Counterexample {
  std::string body;
  json observed;
  std::string clause;
  std::string message;
};

struct PropertyRun {
  bool passed = true;
  std::string failure;    // RapidCheck's description
  std::string reproduce;  // the reproduce string (otaconf client --reproduce)
  int cases = 0;
};

template <typename Property>
PropertyRun run_property(Context& c, const std::string& id, Property property) {
  load_rapidcheck_configuration_quietly();
  rc::detail::TestMetadata metadata{c.profile.id + "/" + id, id};
  rc::detail::TestParams params;
  params.seed = c.options.seed;
  params.maxSuccess = std::max(1, c.options.cases);
  params.maxSize = 50;
  rc::detail::TestListenerAdapter quiet;
  std::unordered_map<std::string, rc::detail::Reproduce> replay;
  if (!c.options.reproduce.empty()) {
    try {
      replay = rc::detail::stringToReproduceMap(c.options.reproduce);
    } catch (const std::exception& e) {
      return {false, std::string("--reproduce is not a RapidCheck reproduce string: ") + e.what(), "", 0};
    }
    if (!replay.count(metadata.id)) return {true, "", "", 0};  // the string replays another property
  }
  const auto result = rc::detail::checkProperty(rc::detail::toProperty(property), metadata, params, quiet, replay);
  PropertyRun out;
  if (result.template is<rc::detail::FailureResult>()) {
    const auto& failure = result.template get<rc::detail::FailureResult>();
    out.passed = false;
    out.failure = failure.description;
    out.cases = failure.numSuccess;
    out.reproduce = rc::detail::reproduceMapToString({{metadata.id, failure.reproduce}});
  } else if (result.template is<rc::detail::GaveUpResult>()) {
    out.passed = false;
    out.failure = "gave up: " + result.template get<rc::detail::GaveUpResult>().description;
  } else if (result.template is<rc::detail::SuccessResult>()) {
    out.cases = result.template get<rc::detail::SuccessResult>().numSuccess;
  }
  return out;
}

class Properties {
 public:
  explicit Properties(Context& c) : c_(c), response_(*c.endpoint.response) {}

  void run() {
    // Any spec-valid success answer: accepted, every field round-trips, and
    // parsing it twice gives the same result.
    property(kRoundTripCheck, kRoundTripTitle, [this] {
      const auto body = envelope(valid_data());
      check(body, twice_the_same(body));
    });
    // One field of a valid answer replaced by a value beside its domain:
    // judged like any answer (rejected where the reading forbids it).
    property(kSingleViolationCheck, kSingleViolationTitle, [this] {
      auto data = valid_data();
      const auto& field = *rc::gen::elementOf(response_.data_fields);
      data[field.name] = *rc::gen::elementOf(beside(field, field.domain_under(c_.profile)));
      check(envelope(data), {});
    });
  }

 private:
  json valid_data() const {
    json data = json::object();
    for (const auto& field : response_.data_fields) data[field.name] = *value_in(field, field.domain_under(c_.profile));
    return data;
  }

  std::string envelope(const json& data) const {
    const json body = {{response_.envelope_role("code")->name, response_.success_code},
                       {response_.envelope_role("message")->name, response_.success_message},
                       {response_.envelope_role("data")->name, data}};
    return body.dump();
  }

  // A difference between two parses of the same body, if any.
  std::optional<interpret::Difference> twice_the_same(const std::string& body) {
    const auto first = c_.parse(body);
    const auto second = c_.parse(body);
    if (first.kind == second.kind && first.kind == client::Outcome::Kind::Parsed &&
        first.result.to_json() == second.result.to_json()) {
      return std::nullopt;
    }
    return interpret::Difference{"CLI.PARSE.JSON",
                                 "two parses of the same answer differ: " + observed_json(first).dump() + " then " +
                                     observed_json(second).dump()};
  }

  // Judges one generated case; a counterexample only when no reading of the
  // document allows what the parser did (decision misses are graded with the
  // run, as the vectors' are).
  void check(const std::string& body, const std::optional<interpret::Difference>& unstable) {
    const auto judgement = interpret::interpret_response(c_.endpoint, c_.profile, body);
    const auto accept_clause = first_client_clause_of_success();
    const auto outcome = c_.parse(body);
    last_ = {body, observed_json(outcome), "", ""};
    if (outcome.kind != client::Outcome::Kind::Parsed) {
      // A crash or a hang is the parser's failure; garbage or a refusal to run, the adapter's (no clause: ERROR).
      const bool parser =
          outcome.kind == client::Outcome::Kind::Crashed || outcome.kind == client::Outcome::Kind::TimedOut;
      const bool valid = judgement.verdict == Judgement::Verdict::Accept;
      last_.clause = !parser ? std::string() : valid ? accept_clause : std::string("CLI.PARSE.REJECT");
      last_.message =
          (parser ? "the parser " : "the adapter ") + client::to_string(outcome.kind) + ": " + outcome.detail;
      RC_FAIL(last_.message);
    }
    if (unstable) {
      last_.clause = unstable->clause;
      last_.message = unstable->text;
      RC_FAIL(last_.message);
    }
    const auto difference = interpret::outcome_difference(c_.spec, c_.endpoint, judgement, outcome.result.accepted,
                                                          reported(outcome.result), accept_clause);
    results::Evidence evidence;
    evidence.request = {{"body", body_text(body)}, {"profile", c_.profile.id}};
    evidence.expected = {{"judgement", interpret::to_string(judgement.verdict)}, {"result", judgement.result}};
    evidence.observed = observed_json(outcome);
    const auto allowed = c_.allowed(body, outcome.result);
    if (difference && !readings::search(c_.spec, c_.profile, allowed).found) {
      last_.clause = difference->clause;
      last_.message = difference->text;
      RC_FAIL(last_.message);
    }
    c_.judge(check_id_, title_, difference ? difference->clause : accept_or_reject_clause(judgement, accept_clause),
             difference, "as the spec judges it", std::move(evidence), allowed);
  }

  std::string accept_or_reject_clause(const Judgement& judgement, const std::string& accept_clause) const {
    return judgement.verdict == Judgement::Verdict::Accept ? accept_clause : judgement.clause;
  }

  // The clause a client breaks by not acting on a valid success answer.
  std::string first_client_clause_of_success() const {
    const auto* success = c_.endpoint.error_code(response_.success_code);
    if (success) {
      for (const auto& id : success->clauses) {
        const auto* clause = c_.spec.clause(id);
        if (clause && clause->side != spec::Side::Server) return id;
      }
    }
    return "RESP.DATA.PRESENT";
  }

  template <typename Body>
  void property(const std::string& id, const std::string& title, Body body) {
    check_id_ = id;
    title_ = title;
    last_ = {};
    const auto run = run_property(c_, id, body);
    if (run.passed) {
      if (run.cases > 0) {
        c_.record(id, title, first_client_clause_of_success(), Verdict::Pass,
                  std::to_string(run.cases) + " generated answers judged as the spec judges them");
      }
      return;
    }
    results::Evidence evidence;
    evidence.request = {{"body", body_text(last_.body)}, {"profile", c_.profile.id}};
    evidence.observed = last_.observed;
    evidence.reproduce = run.reproduce;
    evidence.seed = c_.options.seed;
    if (last_.clause.empty()) {
      c_.record(id, title, first_client_clause_of_success(), Verdict::Error,
                last_.message.empty() ? run.failure : last_.message, evidence);
      return;
    }
    // Wrong under every reading: a document FAIL on the clause the shrunk case breaks.
    c_.record(id, title, last_.clause, c_.violation(last_.clause),
              "shrunk to: " + last_.message + "; body " + body_text(last_.body).get<std::string>() +
                  (run.reproduce.empty() ? "" : "; replay with --reproduce " + run.reproduce),
              evidence);
  }

  Context& c_;
  const spec::Response& response_;
  std::string check_id_, title_;
  Counterexample last_;
};

}  // namespace

namespace {

// The client-side clauses among `ids` that the options select, once each.
void add_client_clauses(const spec::Spec& spec, const ClientOptions& options, const std::string& check,
                        const std::vector<std::string>& ids, std::vector<std::string>& out) {
  for (const auto& id : ids) {
    const auto* clause = spec.clause(id);
    if (clause && clause->side != spec::Side::Server && selected(options, id, check) &&
        std::find(out.begin(), out.end(), id) == out.end())
      out.push_back(id);
  }
}

// Every client clause the check response's model names: an answer's
// judgement is charged to one of these (or to CLI.PARSE.REJECT).
std::vector<std::string> response_model_clauses(const spec::Endpoint& endpoint) {
  std::vector<std::string> ids = {"CLI.PARSE.REJECT"};
  const auto& response = *endpoint.response;
  ids.insert(ids.end(), response.clauses.begin(), response.clauses.end());
  for (const auto* fields : {&response.envelope, &response.data_fields}) {
    for (const auto& field : *fields) ids.insert(ids.end(), field.clauses.begin(), field.clauses.end());
  }
  for (const auto& code : endpoint.error_codes) ids.insert(ids.end(), code.clauses.begin(), code.clauses.end());
  return ids;
}

}  // namespace

std::vector<PlannedCheck> client_plan(const spec::Spec& spec, const ClientOptions& options) {
  std::vector<PlannedCheck> plan;
  const auto* endpoint = spec.endpoint_by_role("check");
  if (!endpoint || !endpoint->response) return plan;
  if (options.reproduce.empty()) {
    PlannedCheck vectors_check{kVectorsCheck, kVectorsTitle, {}, {}, "0 vectors"};
    std::vector<std::string> probes = {"CLI.PARSE.REJECT"};
    try {
      const auto list = vectors::load(options.vectors);
      for (const auto& vector : list) probes.push_back(vector.probe());
      vectors_check.size = std::to_string(list.size()) + " vectors";
    } catch (const InputError&) {
      vectors_check.size = "no readable vectors";
    }
    add_client_clauses(spec, options, kVectorsCheck, probes, vectors_check.clauses);
    if (!vectors_check.clauses.empty()) plan.push_back(std::move(vectors_check));
  }
  const auto model = response_model_clauses(*endpoint);
  for (const auto& [id, title] :
       {std::pair{kRoundTripCheck, kRoundTripTitle}, std::pair{kSingleViolationCheck, kSingleViolationTitle}}) {
    PlannedCheck property{id, title, {}, {}, std::to_string(options.cases) + " cases"};
    add_client_clauses(spec, options, id, model, property.clauses);
    if (!property.clauses.empty()) plan.push_back(std::move(property));
  }
  return plan;
}

bool client_selection_matches(const spec::Spec& spec, const ClientOptions& options) {
  return !client_plan(spec, options).empty();
}

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
  run.enforce_decisions = options.enforce_decisions;
  run.plan = plan_pairs(client_plan(spec, options));
  const auto* endpoint = spec.endpoint_by_role("check");
  if (!endpoint || !endpoint->response) {
    recorder.record({"client",
                     "the spec",
                     "CLI.PARSE.REJECT",
                     Verdict::Error,
                     "the spec has no check response",
                     {},
                     results::Basis::document()});
    return;
  }
  Context c{spec, *endpoint, profile, adapter, options, recorder, readings::Ledger(spec, profile), 0};
  if (options.reproduce.empty()) vectors_check(c);
  Properties(c).run();
  c.ledger.grade_misses(options.enforce_decisions, recorder);
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
      const auto failed = recorder.clauses_with({Verdict::Fail});
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

std::vector<ClientVariantVerdict> client_variant_analysis(
    const spec::Spec& spec, const std::function<std::unique_ptr<client::Adapter>()>& make_adapter,
    const ClientOptions& options,
    const std::vector<std::pair<std::string, std::pair<std::string, std::string>>>& variants,
    const std::function<void(const ClientVariantVerdict&)>& progress,
    const std::function<void(const ClientVariantVerdict&, const results::RunInfo&, const results::Recorder&)>&
        each_run) {
  std::vector<ClientVariantVerdict> verdicts;
  for (const auto& [name, info] : variants) {
    ClientVariantVerdict verdict{name, info.first, info.second, true, {}, {}};
    setenv("OTACLIENT_VARIANT", name.c_str(), 1);
    for (const auto& profile : spec.profiles) {
      auto adapter = make_adapter();
      results::Recorder recorder;
      results::RunInfo run;
      run.implementation = "otaclient (" + profile.id + ", variant " + name + ")";
      run.variant = std::make_pair(name, info.first + ": " + info.second);
      run_client_suite(spec, profile, *adapter, options, recorder, run);
      const auto bad = recorder.clauses_with({Verdict::Fail, Verdict::Error});
      if (!bad.empty() && verdict.passed) {
        verdict.passed = false;
        verdict.profile = profile.id;
        verdict.by_clauses = bad;
      }
      if (each_run) each_run(verdict, run, recorder);
    }
    unsetenv("OTACLIENT_VARIANT");
    if (progress) progress(verdict);
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

}  // namespace otaconf::conformance
