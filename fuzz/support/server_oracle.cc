#include "support/server_oracle.h"

#include <nlohmann/json.hpp>

#include "otaconf/interpret.h"
#include "otaconf/readings.h"
#include "support/fuzz_support.h"

namespace otaconf::fuzz {

namespace {

using nlohmann::json;
using Verdict = interpret::ResponseJudgement::Verdict;

bool to_check_endpoint(const spec::Endpoint& endpoint, const http::Request& request) {
  return http::well_formed(request) && request.method == endpoint.method &&
         request.target.substr(0, request.target.find('?')) == endpoint.path;
}

// Data the server invents (the download token) is not compared.
json comparable(const spec::Endpoint& endpoint, json data) {
  if (!data.is_object()) return data;
  for (const auto& field : endpoint.response->data_fields) {
    if (field.generated) data.erase(field.name);
  }
  return data;
}

struct Miss {
  std::string clause;
  std::string why;
};

std::string expected_text(const oracle::Expectation& expected) {
  std::string codes;
  for (const auto code : expected.codes) codes += (codes.empty() ? "" : " or ") + std::to_string(code);
  return "errno " + (codes.empty() ? std::to_string(expected.errno_value) : codes) + " (" + expected.why + ")";
}

// What `reading` finds wrong with the answer, if anything.
std::optional<Miss> miss_under(const oracle::Oracle& oracle, const spec::Profile& reading, const http::Request& request,
                               const http::Response& answer, std::int64_t now) {
  const auto& endpoint = oracle.context().endpoint;
  const auto& envelope = *endpoint.response;
  const auto expected = oracle.expect_under(reading, request, now);
  const auto judgement = interpret::interpret_response(endpoint, reading, answer.body);
  if (judgement.verdict == Verdict::Undecided) return std::nullopt;
  const auto body = json::parse(answer.body, nullptr, false);
  if (judgement.verdict == Verdict::Reject) {
    // Not an envelope: right only where the reading lets this request be refused without one.
    if (!body.is_object() && expected.allows(oracle::Answer{answer.status, std::nullopt, false})) return std::nullopt;
    // The judgement is the client side's; a body that is no object breaks the envelope clause.
    const auto clause = body.is_object() ? judgement.clause : std::string("RESP.ENVELOPE.JSON");
    return Miss{clause, "HTTP " + std::to_string(answer.status) +
                            " with a body that is not an envelope the spec accepts: " + judgement.reason};
  }
  for (const auto& rule : envelope.status_when) {
    if (rule.when.holds(reading) && answer.status != rule.status) {
      return Miss{"RESP.HTTP_STATUS",
                  "an envelope with HTTP " + std::to_string(answer.status) + ", not " + std::to_string(rule.status)};
    }
  }
  const auto code = judgement.result["errno"].get<std::int64_t>();
  const oracle::Answer observed{answer.status, code, true};
  if (!expected.allows(observed)) {
    return Miss{oracle.blame(expected, observed),
                "expected " + expected_text(expected) + ", got errno " + std::to_string(code)};
  }
  if (code != envelope.success_code && interpret::carries_data(endpoint, reading, body)) {
    return Miss{"RESP.DATA.ABSENT", "errno " + std::to_string(code) + " with a data member"};
  }
  if (expected.success && code == envelope.success_code &&
      comparable(endpoint, judgement.result["data"]) != comparable(endpoint, expected.data)) {
    return Miss{"RESP.DATA.VALUES", "data " + comparable(endpoint, judgement.result["data"]).dump() +
                                        ", the fixture implies " + comparable(endpoint, expected.data).dump()};
  }
  return std::nullopt;
}

std::string changes_text(const readings::Changes& changes) {
  std::string out;
  for (const auto& [ambiguity, interpretation] : changes) {
    out += (out.empty() ? "" : ", ") + ambiguity + "=" + interpretation;
  }
  return out;
}

}  // namespace

std::optional<ServerFinding> judge_server_answer(const oracle::Oracle& oracle, const http::Request& request,
                                                 const http::Response& answer, std::int64_t now, bool enforce) {
  const auto& context = oracle.context();
  if (!context.endpoint.response || !to_check_endpoint(context.endpoint, request)) return std::nullopt;
  if (!answer.ok()) {
    return ServerFinding{"RESP.ENVELOPE.JSON", "no HTTP answer to a well-formed check request", answer.error};
  }
  const auto miss = miss_under(oracle, context.profile, request, answer, now);
  if (!miss) return std::nullopt;
  const readings::Allowed allowed = [&](const spec::Profile& reading) {
    return !miss_under(oracle, reading, request, answer, now).has_value();
  };
  const auto other = readings::search(context.spec, context.profile, allowed);
  if (!enforce) {
    if (other.found) return std::nullopt;  // the profile's decision, not the server's fault
    const auto* clause = context.spec.clause(miss->clause);
    if (clause && clause->level != spec::Level::Must) return std::nullopt;  // a SHOULD: NON-STRICT in a suite run
  }
  return ServerFinding{miss->clause, miss->why,
                       "profile " + context.profile.id + ": " +
                           (other.found ? "allowed under another reading (" + changes_text(*other.found) +
                                              "); a finding because decisions are enforced"
                                        : "no reading of the document allows it")};
}

}  // namespace otaconf::fuzz
