#include "support/server_oracle.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "otaconf/interpret.h"
#include "otaconf/readings.h"
#include "support/fuzz_support.h"
#include "support/response_oracle.h"

namespace otaconf::fuzz {

namespace {

using nlohmann::json;
using Verdict = interpret::ResponseJudgement::Verdict;

// A clause the answer breaks under the reading judged (the blamed clause of
// a wrong errno depends on the reading), and how.
struct Miss {
  std::string clause;
  std::string why;
};

std::string expected_text(const oracle::Expectation& expected) {
  std::string codes;
  for (const auto code : expected.codes) codes += (codes.empty() ? "" : " or ") + std::to_string(code);
  return "errno " + (codes.empty() ? std::to_string(expected.errno_value) : codes) + " (" + expected.why + ")";
}

// One answer to one request, judged under any reading: the body parsed
// once, the spec's response judgement made once per distinct reading.
class AnswerJudge {
 public:
  AnswerJudge(const oracle::Oracle& oracle, const http::Request& request, const http::Response& answer,
              std::int64_t now)
      : oracle_(oracle),
        request_(request),
        answer_(answer),
        now_(now),
        body_(json::parse(answer.body, nullptr, false)),
        judgements_(answer_.body) {}

  // Every clause the answer breaks under `reading`.
  std::vector<Miss> misses(const spec::Profile& reading) {
    const auto& endpoint = oracle_.context().endpoint;
    const auto& envelope = *endpoint.response;
    const auto expected = oracle_.expect_under(reading, request_, now_);
    const auto& judgement = judgements_.under(reading);
    if (judgement.verdict == Verdict::Undecided) return {};
    if (judgement.verdict == Verdict::Reject) {
      // Not an envelope: right only where the reading lets this request be refused without one.
      if (!body_.is_object() && expected.allows(oracle::Answer{answer_.status, std::nullopt, false})) return {};
      // The judgement is the client side's; a body that is no object breaks the envelope clause.
      const auto clause = body_.is_object() ? judgement.clause : std::string("RESP.ENVELOPE.JSON");
      return {{clause, "HTTP " + std::to_string(answer_.status) +
                           " with a body that is not an envelope the spec accepts: " + judgement.reason}};
    }
    std::vector<Miss> found;
    const auto content_type = answer_.header("Content-Type");
    if (!interpret::labelled_acceptably(endpoint, reading, content_type)) {
      found.push_back({"RESP.CONTENT_TYPE", "an envelope labelled Content-Type '" + content_type + "'"});
    }
    for (const auto& rule : envelope.status_when) {
      if (rule.when.holds(reading) && answer_.status != rule.status) {
        found.push_back({"RESP.HTTP_STATUS", "an envelope with HTTP " + std::to_string(answer_.status) + ", not " +
                                                 std::to_string(rule.status)});
      }
    }
    const auto code = judgement.result["errno"].get<std::int64_t>();
    const oracle::Answer observed{answer_.status, code, true};
    if (!expected.allows(observed)) {
      found.push_back({oracle_.blame(expected, observed),
                       "expected " + expected_text(expected) + ", got errno " + std::to_string(code)});
    }
    if (code != envelope.success_code && interpret::carries_data(endpoint, reading, body_)) {
      found.push_back({"RESP.DATA.ABSENT", "errno " + std::to_string(code) + " with a data member"});
    }
    if (expected.success && code == envelope.success_code) add_data_misses(envelope, expected, judgement, found);
    return found;
  }

 private:
  // The values the fixture implies, field by field (a field the fixture
  // gives no value for, or the server invents, such as the download token,
  // is not compared).
  static void add_data_misses(const spec::Response& envelope, const oracle::Expectation& expected,
                              const interpret::ResponseJudgement& judgement, std::vector<Miss>& found) {
    const auto& data = judgement.result["data"];
    for (const auto& field : envelope.data_fields) {
      if (field.generated || !expected.data.contains(field.name) || !data.is_object() || !data.contains(field.name))
        continue;
      if (!interpret::same_data_value(field, data[field.name], expected.data[field.name])) {
        found.push_back({"RESP.DATA.VALUES", "data." + field.name + " is " + data[field.name].dump() +
                                                 ", the fixture implies " + expected.data[field.name].dump()});
      }
    }
  }

  const oracle::Oracle& oracle_;
  const http::Request& request_;
  const http::Response& answer_;
  std::int64_t now_;
  json body_;
  SpecJudgements judgements_;
};

bool is_must(const spec::Spec& spec, const std::string& clause) {
  const auto* found = spec.clause(clause);
  return found && found->level == spec::Level::Must;
}

}  // namespace

std::optional<ServerFinding> judge_server_answer(const oracle::Oracle& oracle, const http::Request& request,
                                                 const http::Response& answer, std::int64_t now, bool enforce) {
  const auto& context = oracle.context();
  if (!context.endpoint.response || !interpret::judged_request(context.endpoint, request)) return std::nullopt;
  if (!answer.ok()) {
    return ServerFinding{"RESP.ENVELOPE.JSON", "no HTTP answer to a well-formed check request", answer.error};
  }
  AnswerJudge judge(oracle, request, answer, now);
  const auto& spec = context.spec;
  auto must_misses = [&](const spec::Profile& reading) {
    auto found = judge.misses(reading);
    std::erase_if(found, [&](const Miss& m) { return !is_must(spec, m.clause); });
    return found;
  };
  const auto misses = judge.misses(context.profile);
  const auto musts = must_misses(context.profile);
  if (musts.empty() && (!enforce || misses.empty())) return std::nullopt;  // a SHOULD: NON-STRICT in a suite run
  // Held to the document: is there a reading under which the answer breaks no MUST?
  const readings::Allowed right_at_must_level = [&](const spec::Profile& reading) {
    return must_misses(reading).empty();
  };
  const auto other = readings::search(spec, context.profile, right_at_must_level);
  if (!enforce && (other.found || other.exhausted)) return std::nullopt;  // the profile's decision, or no proof
  const auto& miss = musts.empty() ? misses.front() : musts.front();
  return ServerFinding{miss.clause, miss.why,
                       "profile " + context.profile.id + ": " +
                           (other.found ? "allowed under another reading (" +
                                              readings::decision_basis(context.profile, *other.found).decisions_text() +
                                              "); a finding because decisions are enforced"
                            : other.exhausted ? "no reading tried allows it (the search budget ran out); a finding "
                                                "because decisions are enforced"
                            : musts.empty()   ? "a SHOULD; a finding because decisions are enforced"
                                              : "no reading of the document allows it")};
}

}  // namespace otaconf::fuzz
