// What every server check does with a request: send it, ask the oracle,
// judge the envelope, and record verdicts with evidence.
#include <algorithm>
#include <chrono>
#include <fnmatch.h>

#include "otaconf/conformance/server.h"
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

json safe_text(const std::string& text) {
  // Bodies may hold invalid UTF-8: keep them readable in JSON.
  return json::parse(json(truncated(text)).dump(-1, ' ', false, json::error_handler_t::replace));
}

json headers_json(const http::Headers& headers) {
  json out = json::object();
  for (const auto& [name, value] : headers) out[name] = safe_text(value);
  return out;
}

std::string media_type(std::string value) {
  value = value.substr(0, value.find(';'));
  value.erase(std::remove(value.begin(), value.end(), ' '), value.end());
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value;
}

bool equal_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool clause_selected(const ServerOptions& options, const std::string& clause) {
  auto matches = [&](const std::vector<std::string>& globs) {
    return std::any_of(globs.begin(), globs.end(),
                       [&](const std::string& glob) { return fnmatch(glob.c_str(), clause.c_str(), 0) == 0; });
  };
  if (!options.only.empty() && !matches(options.only)) return false;
  return !matches(options.skip);
}

Session::Session(const ServerSuite& suite, const ServerCheck& check, const oracle::Oracle& oracle,
                 const requests::Renderer& renderer, const RequestPool& pool, results::Recorder& recorder,
                 http::Client& client, std::atomic<std::uint64_t>& request_count)
    : suite_(suite),
      check_(check),
      oracle_(oracle),
      renderer_(renderer),
      pool_(pool),
      recorder_(recorder),
      client_(client),
      request_count_(request_count) {}

const spec::Endpoint& Session::endpoint() const { return oracle_.context().endpoint; }

std::int64_t Session::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::uint64_t Session::count_request() { return ++request_count_; }

Exchange Session::send(const requests::CheckRequest& request) {
  Exchange exchange;
  exchange.request = request;
  const auto at = now();
  exchange.wire = renderer_.render(request, at);
  exchange.expected = oracle_.expect(exchange.wire, at, request.fault && suite_.target.fault_injection);
  exchange.response = client_.send(exchange.wire);
  count_request();
  exchange.curl = http::curl_command(suite_.target.url, exchange.wire);
  exchange.body = json::parse(exchange.response.body, nullptr, false);
  const auto* code = endpoint().response ? endpoint().response->envelope_role("code") : nullptr;
  if (code && exchange.body.is_object() && exchange.body.contains(code->name) &&
      exchange.body[code->name].is_number_integer()) {
    exchange.observed = exchange.body[code->name].get<std::int64_t>();
  }
  judge_envelope(exchange);
  return exchange;
}

results::Evidence Session::evidence(const Exchange& exchange, json expected, json observed) const {
  results::Evidence e;
  e.request = {{"method", exchange.wire.method},
               {"url", suite_.target.url.base() + exchange.wire.target},
               {"headers", headers_json(exchange.wire.headers)},
               {"body", safe_text(exchange.wire.body)},
               {"sent", exchange.request.describe()}};
  if (exchange.response.ok()) {
    e.response = {{"status", exchange.response.status},
                  {"headers", headers_json(exchange.response.headers)},
                  {"body", safe_text(exchange.response.body)},
                  {"elapsed_ms", exchange.response.elapsed_ms}};
  } else {
    e.response = {{"error", exchange.response.error}, {"elapsed_ms", exchange.response.elapsed_ms}};
  }
  if (expected.is_null()) {
    expected = {{"errno", exchange.expected.errno_value}, {"why", exchange.expected.why}};
    if (exchange.expected.kind == oracle::Expectation::Kind::Several) expected["one_of"] = exchange.expected.codes;
    if (exchange.expected.success) expected["data"] = exchange.expected.data;
  }
  if (observed.is_null()) observed = {{"errno", exchange.observed ? json(*exchange.observed) : json(nullptr)}};
  e.expected = std::move(expected);
  e.observed = std::move(observed);
  e.curl = exchange.curl;
  e.seed = suite_.options.seed;
  return e;
}

// Evidence of an exchange is built only when the recorder will keep it.
void Session::record_as(const std::string& check, const std::string& title, const std::string& clause,
                        Verdict verdict, const std::string& message, const Exchange* exchange,
                        results::Evidence evidence) {
  if (!clause_selected(suite_.options, clause)) return;
  if (exchange && recorder_.keeps_evidence(check, clause, verdict)) evidence = this->evidence(*exchange);
  recorder_.record({check, title, clause, verdict, message, std::move(evidence)});
}

void Session::record(const std::string& clause, Verdict verdict, const std::string& message,
                     results::Evidence evidence) {
  record_as(check_.id, check_.title, clause, verdict, message, nullptr, std::move(evidence));
}

void Session::pass(const std::string& clause, const std::string& message, const Exchange* exchange) {
  record_as(check_.id, check_.title, clause, Verdict::Pass, message, exchange);
}

void Session::violation(const std::string& clause, const std::string& message, const Exchange* exchange,
                        json expected, json observed) {
  const auto* c = suite_.spec.clause(clause);
  const auto verdict = c ? results::violation_of(c->level) : Verdict::Fail;
  record(clause, verdict, message, exchange ? evidence(*exchange, std::move(expected), std::move(observed)) : results::Evidence{});
}

void Session::observe(const std::string& ambiguity, const std::string& text) {
  recorder_.observe({ambiguity, check_.id, text});
}

void Session::expect_exact(const Exchange& exchange, const std::vector<std::string>& clauses) {
  const auto& expected = exchange.expected;
  if (!exchange.response.ok()) {
    for (const auto& clause : clauses) record(clause, Verdict::Error, "no answer: " + exchange.response.error, evidence(exchange));
    return;
  }
  const auto sent = exchange.request.describe();
  if (!exchange.observed) {
    for (const auto& clause : clauses) violation(clause, "the answer carries no integer errno; sent " + sent, &exchange);
    return;
  }
  const auto observed = *exchange.observed;
  if (expected.kind == oracle::Expectation::Kind::Several && expected.allows(observed)) {
    std::string codes;
    for (auto c : expected.codes) codes += (codes.empty() ? "" : ", ") + std::to_string(c);
    const auto text = "precedence observed: errno " + std::to_string(observed) + " when " + codes + " all hold";
    for (const auto& clause : clauses) record(clause, Verdict::Info, text + "; sent " + sent, evidence(exchange));
    record("ERR.PRECEDENCE", Verdict::Info, text, evidence(exchange));
    observe("AMB.PRECEDENCE", text);
    return;
  }
  if (expected.allows(observed)) {
    for (const auto& clause : clauses) {
        record_as(check_.id, check_.title, clause, Verdict::Pass, "errno " + std::to_string(observed) + " as expected; sent " + sent,
                &exchange);
    }
    return;
  }
  for (const auto& clause : clauses) {
    violation(clause, "expected errno " + std::to_string(expected.errno_value) + ", got " + std::to_string(observed) +
                          "; sent " + sent + "; " + expected.why,
              &exchange);
  }
}

void Session::expect_rejected(const Exchange& exchange, const std::vector<std::string>& clauses) {
  if (!exchange.response.ok()) {
    for (const auto& clause : clauses) record(clause, Verdict::Error, "no answer: " + exchange.response.error, evidence(exchange));
    return;
  }
  const auto success = endpoint().response ? endpoint().response->success_code : 0;
  const auto sent = exchange.request.describe();
  for (const auto& clause : clauses) {
    if (exchange.observed && *exchange.observed != success) {
      record_as(check_.id, check_.title, clause, Verdict::Pass,
                "rejected with errno " + std::to_string(*exchange.observed) + "; sent " + sent, &exchange);
    } else if (!exchange.observed) {
      violation(clause, "the answer carries no integer errno; sent " + sent, &exchange);
    } else {
      violation(clause, "accepted (errno " + std::to_string(success) + ") a request that must be rejected; sent " + sent +
                            "; " + exchange.expected.why,
                &exchange);
    }
  }
}

void Session::expect_data(const Exchange& exchange) {
  const auto& response = endpoint().response;
  if (!response || !exchange.expected.success || !exchange.observed || *exchange.observed != response->success_code) return;
  const auto* data_field = response->envelope_role("data");
  if (!data_field || !exchange.body.contains(data_field->name) || !exchange.body[data_field->name].is_object()) return;
  const auto& data = exchange.body[data_field->name];
  for (const auto& field : response->data_fields) {
    auto expected = exchange.expected.data.find(field.name);
    if (expected == exchange.expected.data.end() || !data.contains(field.name)) continue;
    const auto& observed = data[field.name];
    bool equal = observed == *expected;
    if (!equal && observed.is_string() && expected->is_string()) {
      equal = equal_ignoring_case(observed.get<std::string>(), expected->get<std::string>()) &&
              interpret::in_domain(field.domain_under(suite_.profile), observed);
    }
    for (const auto& clause : {std::string("RESP.DATA.VALUES"), field.clauses.empty() ? std::string() : field.clauses.front()}) {
      if (clause.empty()) continue;
      if (equal) {
        record_as(check_.id, check_.title, clause, Verdict::Pass, "data." + field.name + " is the fixture's value",
                  &exchange);
      } else {
        violation(clause, "data." + field.name + " is " + observed.dump() + ", the fixture implies " + expected->dump(),
                  &exchange, *expected, observed);
      }
    }
  }
}

// ---- the envelope, on every response --------------------------------------

void Session::judge_envelope(const Exchange& exchange) {
  auto judge = [&](const std::string& clause, bool ok, const std::string& message) {
    const auto* c = suite_.spec.clause(clause);
    if (!c) return;
    record_as(kEnvelopeCheck, kEnvelopeTitle, clause, ok ? Verdict::Pass : results::violation_of(c->level), message,
              &exchange);
  };
  if (!exchange.response.ok()) {
    record_as(kEnvelopeCheck, kEnvelopeTitle, "RESP.ENVELOPE.JSON", Verdict::Error,
              "no answer: " + exchange.response.error, &exchange);
    return;
  }
  const auto& response = endpoint().response;
  if (!response) return;
  const auto& body = exchange.body;
  const bool object = body.is_object();
  judge("RESP.ENVELOPE.JSON", object,
        object ? "a JSON object" : "HTTP " + std::to_string(exchange.response.status) + ", body is not a JSON object: " +
                                       truncated(exchange.response.body, 80));
  const auto content_type = exchange.response.header("Content-Type");
  judge("RESP.CONTENT_TYPE", media_type(content_type) == media_type(response->media_type),
        "Content-Type '" + content_type + "'");
  // A request malformed at the HTTP level may get a 4xx from the HTTP stack.
  const bool http_garbage = exchange.request.raw_query.has_value() || exchange.wire.target.size() > 4096;
  for (const auto& rule : response->status_when) {
    if (rule.when.holds(suite_.profile) && object && !http_garbage) {
      judge("RESP.HTTP_STATUS", exchange.response.status == rule.status,
            "HTTP " + std::to_string(exchange.response.status) + " (the profile expects " + std::to_string(rule.status) + ")");
    }
  }
  if (!object) return;

  const auto* code = response->envelope_role("code");
  const auto* message = response->envelope_role("message");
  const auto* data = response->envelope_role("data");
  if (code) {
    const bool integer = body.contains(code->name) && body[code->name].is_number_integer();
    judge("RESP.ERRNO.TYPE", integer, integer ? code->name + " is an integer" : code->name + " is missing or not an integer");
    if (integer) {
      const auto value = body[code->name].get<std::int64_t>();
      judge("RESP.ERRNO.CODESET", endpoint().error_code(value) != nullptr,
            code->name + " " + std::to_string(value) + (endpoint().error_code(value) ? " is a code of the spec" : " is not a code of the spec"));
    }
  }
  const bool success = exchange.observed && *exchange.observed == response->success_code;
  if (message) {
    const bool text = body.contains(message->name) && body[message->name].is_string();
    judge("RESP.ERROR.TYPE", text, text ? message->name + " is a string" : message->name + " is missing or not a string");
    if (text && exchange.observed) {
      const bool says_success = body[message->name] == response->success_message;
      judge("RESP.ERROR.SUCC", says_success == success,
            message->name + " is " + body[message->name].dump() + " with " + code->name + " " + std::to_string(*exchange.observed));
    }
  }
  if (!data || !exchange.observed) return;
  const bool has_data = body.contains(data->name) && !body[data->name].is_null();
  if (!success) {
    judge("RESP.DATA.ABSENT", !has_data, has_data ? "data present with errno " + std::to_string(*exchange.observed) : "no data on error");
    return;
  }
  if (!has_data || !body[data->name].is_object()) {
    judge("RESP.DATA.PRESENT", false, "no data object on success");
    return;
  }
  const auto& fields = body[data->name];
  std::vector<std::string> missing;
  for (const auto& field : response->data_fields) {
    if (!fields.contains(field.name)) {
      missing.push_back(field.name);
      continue;
    }
    const auto& value = fields[field.name];
    const auto clause = field.clauses.empty() ? std::string() : field.clauses.front();
    std::string why;
    const bool typed = interpret::has_json_type(value, field.type);
    const bool ok = typed && interpret::in_domain(field.domain_under(suite_.profile), value, &why);
    judge(clause, ok,
          "data." + field.name + " = " + value.dump(-1, ' ', false, json::error_handler_t::replace) +
              (typed ? (ok ? "" : ": " + why) : ": not of type " + spec::to_string(field.type)));
  }
  std::string list;
  for (const auto& name : missing) list += (list.empty() ? "" : ", ") + name;
  judge("RESP.DATA.PRESENT", missing.empty(), missing.empty() ? "every data field present" : "data lacks " + list);
}

}  // namespace otaconf::conformance
