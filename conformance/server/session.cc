// What every server check does with a request: send it, ask the oracle,
// judge the envelope, and record verdicts with evidence. A rule that holds
// under the profile is a PASS (and a case of the run's ledger); one that
// does not is a Miss, graded when the run is over (grade_misses): FAIL where
// the document itself requires what was missed, NON-STRICT or INFO where only
// the profile's decisions do.
#include <fnmatch.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "otaconf/conformance/server.h"
#include "otaconf/crypto.h"
#include "otaconf/interpret.h"

namespace otaconf::conformance {

using nlohmann::json;
using results::Verdict;

namespace {

const std::string kEnvelopeCheck = "server.envelope";
const std::string kEnvelopeTitle = "Every answer is a well-formed envelope (judged on every response of the run)";

std::string truncated(const std::string& text, std::size_t limit = 4096) {
  if (text.size() <= limit) return text;
  return text.substr(0, limit) + "... (" + std::to_string(text.size()) + " bytes)";
}

// Bodies and headers may hold bytes that are not UTF-8: escaped, never lost.
json safe_text(const std::string& text) { return crypto::escape_invalid_utf8(truncated(text)); }

json headers_json(const http::Headers& headers) {
  json out = json::object();
  for (const auto& [name, value] : headers) out[crypto::escape_invalid_utf8(name)] = safe_text(value);
  return out;
}

bool holds(const spec::When& when, const spec::Profile& profile) { return !when.empty() && when.holds(profile); }

// The value of `field` in an answer's object as a reading reads it: the
// member under a spelling it accepts, of a type it accepts.
std::optional<json> typed_member(const spec::Endpoint& endpoint, const spec::Profile& reading, const json& object,
                                 const spec::Field& field) {
  const auto* value = interpret::find_member(endpoint, reading, object, field);
  if (!value) return std::nullopt;
  const bool integral = holds(endpoint.integral_numbers_when, reading);
  for (auto type : field.types_under(reading)) {
    if (auto typed = interpret::as_json_type(*value, type, integral)) return typed;
  }
  return std::nullopt;
}

}  // namespace

oracle::Answer answer_under(const spec::Endpoint& endpoint, const spec::Profile& reading, const Exchange& exchange) {
  oracle::Answer answer;
  answer.status = exchange.response.ok() ? exchange.response.status : 0;
  answer.envelope = exchange.body.is_object();
  const auto* code = endpoint.response ? endpoint.response->envelope_role("code") : nullptr;
  if (code && answer.envelope) {
    if (auto value = typed_member(endpoint, reading, exchange.body, *code); value && value->is_number_integer()) {
      answer.errno_value = value->get<std::int64_t>();
    }
  }
  return answer;
}

namespace {

std::string errno_text(const oracle::Answer& answer) {
  if (answer.errno_value) return "errno " + std::to_string(*answer.errno_value);
  return "HTTP " + std::to_string(answer.status) + " without an integer errno";
}

}  // namespace

bool clause_selected(const ServerOptions& options, const std::string& clause, const std::string& check) {
  auto matches = [&](const std::vector<std::string>& globs) {
    return std::any_of(globs.begin(), globs.end(), [&](const std::string& glob) {
      return fnmatch(glob.c_str(), clause.c_str(), 0) == 0 ||
             (!check.empty() && fnmatch(glob.c_str(), check.c_str(), 0) == 0);
    });
  };
  if (!options.only.empty() && !matches(options.only)) return false;
  return !matches(options.skip);
}

bool selection_matches(const ServerOptions& options) {
  for (const auto& check : server_checks()) {
    for (const auto& clause : check.clauses) {
      if (clause_selected(options, clause, check.id)) return true;
    }
  }
  return false;
}

std::vector<std::string> answer_clauses(const spec::Spec& spec) {
  // What Oracle::blame may name (codes, facts, the interpreter's problems)
  // and what the envelope rules judge on every answer.
  std::vector<std::string> ids = {"ERR.PRECEDENCE", "RESP.DATA.VALUES", "EP.CHECK.ENCODING"};
  auto add = [&ids](const std::vector<std::string>& more) { ids.insert(ids.end(), more.begin(), more.end()); };
  auto ends_with = [](const std::string& id, std::string_view suffix) {
    return id.size() >= suffix.size() && id.compare(id.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (const auto* check = spec.endpoint_by_role("check")) {
    for (const auto& code : check->error_codes) add(code.clauses);
    for (const auto& field : check->request_fields) {
      for (const auto& id : field.clauses) {
        if (ends_with(id, ".REQUIRED") || ends_with(id, ".TYPE")) ids.push_back(id);
      }
    }
    for (const auto& header : check->headers) add(header.clauses);
    if (check->response) {
      add(check->response->clauses);
      for (const auto& field : check->response->envelope) add(field.clauses);
      for (const auto& field : check->response->data_fields) add(field.clauses);
    }
  }
  for (const auto& fact : spec.model.facts) {
    for (const auto& [value, id] : fact.clauses) ids.push_back(id);
  }
  return known_clauses(spec, ids, spec::Side::Client);
}

std::vector<PlannedCheck> server_plan(const ServerOptions& options, const std::vector<std::string>& answers) {
  std::vector<PlannedCheck> plan;
  for (const auto& check : server_checks()) {
    PlannedCheck planned{
        check.id, check.title, {}, {}, check.exclusive ? std::to_string(options.cases) + " cases" : ""};
    auto add = [&](const std::string& clause, std::vector<std::string>& to) {
      const auto& own = planned.clauses;
      if (clause_selected(options, clause, check.id) && std::find(own.begin(), own.end(), clause) == own.end() &&
          std::find(to.begin(), to.end(), clause) == to.end())
        to.push_back(clause);
    };
    for (const auto& clause : check.clauses) add(clause, planned.clauses);
    if (check.judges_answers) {
      for (const auto& clause : answers) add(clause, planned.answer_clauses);
    }
    if (!planned.clauses.empty()) plan.push_back(std::move(planned));
  }
  return plan;
}

void for_each_on_clients(std::size_t count, const std::vector<http::Client*>& clients,
                         const std::function<void(std::size_t, http::Client&)>& fn) {
  std::atomic<std::size_t> next{0};
  auto work = [&](http::Client& client) {
    for (auto i = next++; i < count; i = next++) fn(i, client);
  };
  std::vector<std::thread> threads;
  for (std::size_t c = 1; c < clients.size(); ++c) threads.emplace_back(work, std::ref(*clients[c]));
  if (!clients.empty()) work(*clients.front());
  for (auto& thread : threads) thread.join();
}

// ---- sessions ---------------------------------------------------------------

Session::Session(const ServerSuite& suite, const ServerCheck& check, const oracle::Oracle& oracle,
                 const requests::Renderer& renderer, const RequestPool& pool, results::Recorder& recorder,
                 readings::Ledger& ledger, http::Client& client, std::atomic<std::uint64_t>& request_count,
                 ClientFactory make_client)
    : suite_(suite),
      check_(check),
      oracle_(oracle),
      renderer_(renderer),
      pool_(pool),
      recorder_(recorder),
      ledger_(ledger),
      client_(client),
      request_count_(request_count),
      make_client_(std::move(make_client)) {}

const spec::Endpoint& Session::endpoint() const { return oracle_.context().endpoint; }

std::int64_t Session::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::uint64_t Session::count_request() { return ++request_count_; }

Exchange Session::send(const requests::CheckRequest& request) {
  auto exchange = transmit(request, client_);
  judge_envelope(exchange);
  return exchange;
}

Exchange Session::transmit(const requests::CheckRequest& request, http::Client& client) {
  Exchange exchange;
  exchange.request = request;
  exchange.at = now();
  exchange.fault = request.fault && suite_.target.fault_injection;
  exchange.wire = renderer_.render(request, exchange.at);
  complete(exchange, client);
  return exchange;
}

Exchange Session::transmit_wire(const http::Request& wire, http::Client& client) {
  Exchange exchange;
  exchange.at = now();
  exchange.wire = wire;
  // A fault is injected when the target honours the fixture's header and the
  // request carries it once, as the fixture writes it.
  const auto& injection = suite_.fixture.fault_injection;
  exchange.fault = suite_.target.fault_injection && injection && wire.header_count(injection->header) == 1 &&
                   wire.header(injection->header) == injection->value;
  complete(exchange, client);
  return exchange;
}

void Session::complete(Exchange& exchange, http::Client& client) {
  {
    spec::DecisionTrace trace;
    exchange.expected = oracle_.expect(exchange.wire, exchange.at, exchange.fault);
    exchange.expected_whens = trace.whens();
  }
  exchange.response = client.send(exchange.wire);
  count_request();
  exchange.curl = http::curl_command(suite_.target.url, exchange.wire);
  auto parsed = json::parse(exchange.response.body, nullptr, false);
  exchange.json_body = exchange.response.ok() && !parsed.is_discarded();
  if (exchange.json_body) exchange.body = std::move(parsed);
  exchange.answer = answer_under(endpoint(), suite_.profile, exchange);
  exchange.observed = exchange.answer.errno_value;
}

results::Evidence Session::evidence(const Exchange& exchange, json expected, json observed) const {
  results::Evidence e;
  e.request = {{"method", exchange.wire.method},
               {"url", safe_text(suite_.target.url.base() + suite_.target.url.path + exchange.wire.target)},
               {"headers", headers_json(exchange.wire.headers)},
               {"body", safe_text(exchange.wire.body)},
               {"sent", safe_text(exchange.request.describe())}};
  if (exchange.response.ok()) {
    e.response = {{"status", exchange.response.status},
                  {"headers", headers_json(exchange.response.headers)},
                  {"body", safe_text(exchange.response.body)},
                  {"elapsed_ms", exchange.response.elapsed_ms}};
  } else {
    e.response = {{"error", safe_text(exchange.response.error)}, {"elapsed_ms", exchange.response.elapsed_ms}};
  }
  if (expected.is_null()) {
    expected = {{"errno", exchange.expected.errno_value}, {"why", safe_text(exchange.expected.why)}};
    if (exchange.expected.kind == oracle::Expectation::Kind::Several) expected["one_of"] = exchange.expected.codes;
    if (exchange.expected.success) expected["data"] = results::printable(exchange.expected.data);
  }
  if (observed.is_null()) observed = {{"errno", exchange.observed ? json(*exchange.observed) : json(nullptr)}};
  e.expected = results::printable(expected);
  e.observed = results::printable(observed);
  e.curl = safe_text(exchange.curl);
  e.seed = suite_.options.seed;
  return e;
}

// Evidence of an exchange is built only when the recorder will keep it.
void Session::record_as(const std::string& check, const std::string& title, const std::string& clause, Verdict verdict,
                        const std::string& message, const Exchange* exchange, results::Evidence evidence) {
  if (!clause_selected(suite_.options, clause, check)) return;
  if (exchange && recorder_.keeps_evidence(check, clause, verdict)) evidence = this->evidence(*exchange);
  recorder_.record({check, title, clause, verdict, message, std::move(evidence), results::Basis::document()});
}

void Session::record(const std::string& clause, Verdict verdict, const std::string& message,
                     results::Evidence evidence) {
  record_as(check_.id, check_.title, clause, verdict, message, nullptr, std::move(evidence));
}

void Session::pass(const std::string& clause, const std::string& message, const Exchange* exchange) {
  record_as(check_.id, check_.title, clause, Verdict::Pass, message, exchange);
}

void Session::violation(const std::string& clause, const std::string& message, const Exchange* exchange, json expected,
                        json observed) {
  const auto* c = suite_.spec.clause(clause);
  const auto verdict = c ? results::violation_of(c->level) : Verdict::Fail;
  record(clause, verdict, message,
         exchange ? evidence(*exchange, std::move(expected), std::move(observed)) : results::Evidence{});
}

void Session::observe(const std::string& ambiguity, const std::string& text) {
  recorder_.observe({ambiguity, check_.id, text});
}

void Session::judge(const std::string& clause, const Exchange* exchange, const readings::Allowed& allowed,
                    const std::string& pass_message, const std::string& miss_message,
                    std::function<bool(const spec::Profile&)> reads_more, results::Evidence evidence) {
  judge_as(check_.id, check_.title, clause, exchange, allowed, pass_message, miss_message, std::move(reads_more),
           std::move(evidence));
}

void Session::judge_as(const std::string& check, const std::string& title, const std::string& clause,
                       const Exchange* exchange, const readings::Allowed& allowed, const std::string& pass_message,
                       const std::string& miss_message, std::function<bool(const spec::Profile&)> reads_more,
                       results::Evidence given) {
  if (!clause_selected(suite_.options, clause, check)) return;
  const auto sent = exchange ? "; sent " + exchange->request.describe() : std::string();
  bool decision_free = false;
  if (ledger_.judge(clause + " (" + pass_message + sent + ")", allowed, decision_free)) {
    record_as(check, title, clause, Verdict::Pass, pass_message, exchange, exchange ? results::Evidence{} : given);
    return;
  }
  auto evidence = exchange ? this->evidence(*exchange) : std::move(given);
  if (decision_free) {
    // No decision entered the judgement: no reading can change it.
    const auto* c = suite_.spec.clause(clause);
    recorder_.record({check, title, clause, c ? results::violation_of(c->level) : Verdict::Fail, miss_message,
                      std::move(evidence), results::Basis::document()});
    return;
  }
  ledger_.miss({check, title, clause, miss_message, std::move(evidence), allowed, std::move(reads_more)});
}

readings::Allowed Session::envelope_rule(const Exchange& exchange) const {
  auto shared = std::make_shared<const Exchange>(exchange);
  return [&oracle = oracle_, shared](const spec::Profile& reading) {
    if (shared->body.is_object()) return true;
    if (!shared->response.ok()) return false;
    const auto under = oracle.expect_under(reading, shared->wire, shared->at, shared->fault);
    return under.allows(oracle::Answer{shared->response.status, std::nullopt, false});
  };
}

readings::Allowed Session::answer_rule(const Exchange& exchange) const {
  auto shared = std::make_shared<const Exchange>(exchange);
  return [&oracle = oracle_, &endpoint = endpoint(), shared](const spec::Profile& reading) {
    // Under the profile itself the expectation is the exchange's own (the
    // decisions it consulted noted again for the ledger's trace).
    if (&reading == &oracle.context().profile && !shared->wire.method.empty()) {
      for (const auto* when : shared->expected_whens) spec::DecisionTrace::note(*when);
      return shared->expected.allows(answer_under(endpoint, reading, *shared));
    }
    const auto under = oracle.expect_under(reading, shared->wire, shared->at, shared->fault);
    return under.allows(answer_under(endpoint, reading, *shared));
  };
}

bool Session::allowed_by_some_reading(const Exchange& exchange) const {
  if (exchange.expected.allows(exchange.answer)) return true;
  return readings::search(suite_.spec, suite_.profile, answer_rule(exchange)).found.has_value();
}

void Session::expect(const Exchange& exchange, const std::string& probe, Charge charge,
                     const std::string& code_clause) {
  const auto& expected = exchange.expected;
  // The clause of the expected code, and the one a success would break.
  const auto own_clause = oracle_.blame(expected, oracle::Answer{200, expected.errno_value, true});
  const auto probe_clause =
      probe.empty() ? oracle_.blame(expected, oracle::Answer{200, expected.success_code, true}) : probe;
  if (!exchange.response.ok()) {
    record(probe_clause, Verdict::Error, "no answer: " + exchange.response.error, evidence(exchange));
    return;
  }
  const auto sent = exchange.request.describe();
  const auto observed = exchange.answer;
  if (expected.kind == oracle::Expectation::Kind::Several && observed.errno_value &&
      expected.allows(*observed.errno_value)) {
    std::string codes;
    for (auto c : expected.codes) codes += (codes.empty() ? "" : ", ") + std::to_string(c);
    const auto text =
        "precedence observed: errno " + std::to_string(*observed.errno_value) + " when " + codes + " all hold";
    // One of the holding codes: right for what the case probes; which one is an observation.
    if (probe_clause != "ERR.PRECEDENCE") pass(probe_clause, text + "; sent " + sent, &exchange);
    record("ERR.PRECEDENCE", Verdict::Info, text + "; sent " + sent, evidence(exchange));
    observe("AMB.PRECEDENCE", text);
    return;
  }
  const auto allowed = answer_rule(exchange);
  auto reads_more = [&oracle = oracle_, wire = exchange.wire, at = exchange.at](const spec::Profile& reading) {
    return oracle.reads_more(reading, wire, at);
  };
  const bool wrong_code =
      !expected.success && !(observed.errno_value && *observed.errno_value == expected.success_code);
  auto blamed = charge == Charge::Probe ? probe_clause : oracle_.blame(expected, observed);
  if (charge == Charge::Oracle && wrong_code && !code_clause.empty()) blamed = code_clause;
  // An envelope whose errno is there but no integer: that is the broken expectation (RESP.ERRNO.TYPE), not
  // the code it may well spell.
  const auto* code = endpoint().response ? endpoint().response->envelope_role("code") : nullptr;
  if (code && !code->clauses.empty() && observed.envelope && !observed.errno_value &&
      interpret::find_member(endpoint(), suite_.profile, exchange.body, *code)) {
    blamed = code->clauses.front();
  }
  const auto pass_text = errno_text(observed) + " as expected; sent " + sent;
  const auto miss_text = "expected errno " + std::to_string(expected.errno_value) + ", got " + errno_text(observed) +
                         "; sent " + sent + "; " + expected.why;
  // The clauses the case stands for pass together; a miss goes to the blamed clause alone.
  if (expected.allows(observed)) {
    std::set<std::string> passed;
    for (const auto& clause : {probe_clause, own_clause, code_clause}) {
      if (!clause.empty() && passed.insert(clause).second)
        judge(clause, &exchange, allowed, pass_text, miss_text, reads_more);
    }
    return;
  }
  judge(blamed, &exchange, allowed, pass_text, miss_text, reads_more);
}

void Session::expect_data(const Exchange& exchange) {
  const auto& response = endpoint().response;
  if (!response || !exchange.expected.success || !exchange.observed || *exchange.observed != response->success_code)
    return;
  const auto* data_field = response->envelope_role("data");
  const auto* data =
      data_field ? interpret::find_member(endpoint(), suite_.profile, exchange.body, *data_field) : nullptr;
  if (!data || !data->is_object()) return;
  const auto& oracle = oracle_;
  const auto& endpoint = this->endpoint();
  auto shared = std::make_shared<const Exchange>(exchange);
  for (const auto& field : response->data_fields) {
    auto expected = exchange.expected.data.find(field.name);
    const auto* observed = interpret::find_member(endpoint, suite_.profile, *data, field);
    if (expected == exchange.expected.data.end() || !observed) continue;
    // The value the fixture implies under a reading, compared as the field says.
    readings::Allowed allowed = [&oracle, &endpoint, &field, data_field, shared](const spec::Profile& reading) {
      const auto under = oracle.expect_under(reading, shared->wire, shared->at, shared->fault);
      if (!under.success || !under.data.contains(field.name)) return true;  // no value is due then
      const auto* object = interpret::find_member(endpoint, reading, shared->body, *data_field);
      const auto* value = object ? interpret::find_member(endpoint, reading, *object, field) : nullptr;
      if (!value) return true;  // a missing field is RESP.DATA.PRESENT's business
      return interpret::same_data_value(field, *value, under.data[field.name]);
    };
    const bool values_clause =
        std::find(field.clauses.begin(), field.clauses.end(), "RESP.DATA.VALUES") != field.clauses.end();
    const auto clause =
        values_clause || field.clauses.empty() ? std::string("RESP.DATA.VALUES") : field.clauses.front();
    judge(clause, &exchange, allowed, "data." + field.name + " is the fixture's value",
          "data." + field.name + " is " + results::printable(*observed).dump() + ", the fixture implies " +
              results::printable(*expected).dump() + "; sent " + exchange.request.describe());
  }
}

// ---- the envelope, on every response --------------------------------------

void Session::judge_envelope(const Exchange& exchange) {
  if (!exchange.response.ok()) {
    record_as(kEnvelopeCheck, kEnvelopeTitle, "RESP.ENVELOPE.JSON", Verdict::Error,
              "no answer: " + exchange.response.error, &exchange);
    return;
  }
  const auto& response = endpoint().response;
  if (!response) return;
  const auto& endpoint = this->endpoint();
  auto shared = std::make_shared<const Exchange>(exchange);
  auto rule = [&](const std::string& clause, const readings::Allowed& allowed, const std::string& pass,
                  const std::string& miss) {
    judge_as(kEnvelopeCheck, kEnvelopeTitle, clause, &exchange, allowed, pass, miss);
  };
  const auto sent = "; sent " + exchange.request.describe();
  const bool object = exchange.body.is_object();
  // Not an envelope: right only where a reading lets this request be refused without one (HTTP 401, 400, ...).
  rule("RESP.ENVELOPE.JSON", envelope_rule(exchange), "a JSON object",
       "HTTP " + std::to_string(exchange.response.status) +
           ", body is not a JSON object: " + crypto::escape_invalid_utf8(truncated(exchange.response.body, 80)) + sent);
  if (!object) return;  // the label of a body that is not JSON is no concern of the envelope

  const auto content_type = exchange.response.header("Content-Type");
  rule(
      "RESP.CONTENT_TYPE",
      [&endpoint, content_type](const spec::Profile& reading) {
        return interpret::labelled_acceptably(endpoint, reading, content_type);
      },
      "Content-Type '" + content_type + "'", "Content-Type '" + crypto::escape_invalid_utf8(content_type) + "'" + sent);
  // A request malformed at the HTTP level may get a 4xx from the HTTP stack.
  const bool http_garbage = exchange.request.raw_query.has_value() || exchange.wire.target.size() > 4096;
  if (!http_garbage) {
    const int status = exchange.response.status;
    rule(
        "RESP.HTTP_STATUS",
        [status, &response](const spec::Profile& reading) {
          return std::all_of(response->status_when.begin(), response->status_when.end(),
                             [&](const spec::StatusRule& r) { return !r.when.holds(reading) || status == r.status; });
        },
        "HTTP " + std::to_string(status), "HTTP " + std::to_string(status) + " with an envelope" + sent);
  }

  const auto* code = response->envelope_role("code");
  const auto* message = response->envelope_role("message");
  const auto* data = response->envelope_role("data");
  if (code) {
    rule(
        "RESP.ERRNO.TYPE",
        [&endpoint, shared](const spec::Profile& reading) {
          return answer_under(endpoint, reading, *shared).errno_value.has_value();
        },
        code->name + " is an integer", code->name + " is missing or not an integer" + sent);
    if (exchange.observed) {
      const auto value = *exchange.observed;
      const bool known = endpoint.error_code(value) != nullptr;
      rule(
          "RESP.ERRNO.CODESET", [known](const spec::Profile&) { return known; },
          code->name + " " + std::to_string(value) + " is a code of the spec",
          code->name + " " + std::to_string(value) + " is not a code of the spec" + sent);
    }
  }
  const bool success = exchange.observed && *exchange.observed == response->success_code;
  if (message) {
    rule(
        "RESP.ERROR.TYPE",
        [&endpoint, message, shared](const spec::Profile& reading) {
          const auto value = typed_member(endpoint, reading, shared->body, *message);
          return value && value->is_string();
        },
        message->name + " is a string", message->name + " is missing or not a string" + sent);
    const auto text = typed_member(endpoint, suite_.profile, exchange.body, *message);
    if (text && text->is_string() && exchange.observed) {
      const bool says_success = *text == response->success_message;
      rule(
          "RESP.ERROR.SUCC", [ok = says_success == success](const spec::Profile&) { return ok; },
          message->name + " " + text->dump() + " with " + code->name + " " + std::to_string(*exchange.observed),
          message->name + " is " + results::printable(*text).dump() + " with " + code->name + " " +
              std::to_string(*exchange.observed) + sent);
    }
  }
  if (!data || !exchange.observed) return;
  auto data_under = [&endpoint, data, shared](const spec::Profile& reading) {
    return interpret::find_member(endpoint, reading, shared->body, *data);
  };
  if (!success) {
    rule(
        "RESP.DATA.ABSENT",
        [&endpoint, shared](const spec::Profile& reading) {
          return !interpret::carries_data(endpoint, reading, shared->body);
        },
        "no data on error", "data present with errno " + std::to_string(*exchange.observed) + sent);
    return;
  }
  rule(
      "RESP.DATA.PRESENT",
      [data_under, &response, &endpoint](const spec::Profile& reading) {
        const auto* found = data_under(reading);
        if (!found || !found->is_object()) return false;
        return std::all_of(response->data_fields.begin(), response->data_fields.end(), [&](const spec::Field& f) {
          return interpret::find_member(endpoint, reading, *found, f) != nullptr;
        });
      },
      "every data field present", "no data object with every data field on success" + sent);
  const auto* fields = data_under(suite_.profile);
  if (!fields || !fields->is_object()) return;
  for (const auto& field : response->data_fields) {
    const auto* value = interpret::find_member(endpoint, suite_.profile, *fields, field);
    if (!value || field.clauses.empty()) continue;
    rule(
        field.clauses.front(),
        [data_under, &endpoint, &field](const spec::Profile& reading) {
          const auto* found = data_under(reading);
          if (!found || !found->is_object()) return true;  // RESP.DATA.PRESENT's business
          if (!interpret::find_member(endpoint, reading, *found, field)) return true;
          const auto typed = typed_member(endpoint, reading, *found, field);
          return typed && interpret::in_domain(field.domain_under(reading), *typed);
        },
        "data." + field.name + " = " + results::printable(*value).dump(),
        "data." + field.name + " = " + results::printable(*value).dump() + ": not of type " +
            spec::to_string(field.type) + " in its domain" + sent);
  }
}

}  // namespace otaconf::conformance
