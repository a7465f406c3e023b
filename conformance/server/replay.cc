// otaconf replay (replay.h): a results file's failing cases sent again.
#include "otaconf/conformance/replay.h"

#include <chrono>

#include "otaconf/conformance/server.h"
#include "otaconf/oracle.h"

namespace otaconf::conformance {

using nlohmann::json;

namespace {

// What the evidence's request says, as a request to send, and where.
struct Recorded {
  http::Url url;
  http::Request request;
  std::string why;  // not empty: the evidence holds no request to send
};

std::string text(const json& object, const char* member) {
  return object.is_object() && object.contains(member) && object[member].is_string() ? object[member].get<std::string>()
                                                                                     : std::string();
}

Recorded recorded_request(const json& evidence, const ReplayTarget& target) {
  Recorded out;
  const auto request = evidence.value("request", json::object());
  const auto url = text(request, "url");
  const auto scheme_end = url.find("://");
  const auto path_at = scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
  if (path_at == std::string::npos) {
    out.why = "its evidence holds no request (it judges no single exchange)";
    return out;
  }
  std::string why;
  const auto parsed = http::parse_url(url.substr(0, path_at), &why);
  if (!parsed && !target.url) {
    out.why = "its request's URL cannot be read: " + why;
    return out;
  }
  out.url = target.url ? *target.url : *parsed;
  out.request.method = text(request, "method").empty() ? "GET" : text(request, "method");
  out.request.target = url.substr(path_at);
  out.request.body = text(request, "body");
  const auto headers = request.value("headers", json::object());
  for (const auto& [name, value] : headers.items()) {
    if (value.is_string()) out.request.headers.emplace_back(name, value.get<std::string>());
  }
  if (const auto range = text(request, "range"); !range.empty()) out.request.headers.emplace_back("Range", range);
  for (const auto& header : target.extra_headers) out.request.headers.push_back(header);
  return out;
}

// The answer as the results file records it, to compare with (body cut at
// the length recorded: evidence keeps at most 4 KiB of it).
bool same_answer(const json& recorded, const http::Response& now) {
  if (!recorded.is_object() || !recorded.contains("status") || recorded["status"] != now.status) return false;
  const auto body = text(recorded, "body");
  if (body.empty() && recorded.contains("bytes")) return recorded["bytes"] == now.body.size();
  const auto cut = body.find("... (");
  return cut == std::string::npos ? body == now.body : now.body.compare(0, cut, body, 0, cut) == 0;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A check-endpoint answer judged again: Passes when the oracle allows it
// (and, for a success, its data are the fixture's), else StillFails.
void judge_again(const spec::Spec& spec, const spec::Profile& profile, const fixture::Fixture& fixture,
                 const Recorded& recorded, const http::Response& response, const json& evidence, Replayed& out) {
  const auto& endpoint = *spec.endpoint_by_role("check");
  const oracle::Oracle oracle({spec, endpoint, profile, fixture, self_address_of(recorded.url)});
  const auto expected = oracle.expect(recorded.request, unix_now());
  const auto was = evidence.value("expected", json::object()).value("errno", json(nullptr));
  if (was.is_number_integer() && was.get<std::int64_t>() != expected.errno_value) {
    out.now = Replayed::Now::NotReplayable;
    out.detail = "the oracle now expects errno " + std::to_string(expected.errno_value) + ", not " + was.dump() + " (" +
                 expected.why + "): a token in it may have expired; run the suite again";
    return;
  }
  Exchange exchange;
  exchange.response = response;
  auto body = json::parse(response.body, nullptr, false);
  if (!body.is_discarded()) exchange.body = std::move(body);
  const auto answer = answer_under(endpoint, profile, exchange);
  bool allowed = expected.allows(answer);
  const auto* data = endpoint.response ? endpoint.response->envelope_role("data") : nullptr;
  if (allowed && expected.success && data) {
    const auto got = exchange.body.is_object() ? exchange.body.value(data->name, json(nullptr)) : json(nullptr);
    for (const auto& [name, value] : expected.data.items()) {
      allowed = allowed && got.is_object() && got.contains(name) && got[name] == value;
    }
  }
  const auto now = answer.errno_value ? "errno " + std::to_string(*answer.errno_value)
                                      : "HTTP " + std::to_string(answer.status) + " without an errno";
  out.now = allowed ? Replayed::Now::Passes : Replayed::Now::StillFails;
  out.detail = (allowed ? "now " + now + ", as the oracle expects"
                        : "now " + now + ", the oracle expects errno " + std::to_string(expected.errno_value)) +
               " (" + expected.why + ")";
}

}  // namespace

fixture::SelfAddress self_address_of(const http::Url& url) {
  const auto port = ":" + std::to_string(url.port);
  const bool by_name = url.host == "localhost";
  return {(by_name ? std::string("127.0.0.1") : url.host) + port,
          (by_name || url.host.rfind("127.", 0) == 0 ? std::string("localhost") : url.host) + port};
}

std::string to_string(Replayed::Now now) {
  switch (now) {
    case Replayed::Now::StillFails: return "still fails";
    case Replayed::Now::Passes: return "passes now";
    case Replayed::Now::Changed: return "changed";
    case Replayed::Now::NotReplayable: return "not replayable";
    case Replayed::Now::NoAnswer: return "no answer";
  }
  return "?";
}

std::vector<Replayed> replay_failures(const spec::Spec& spec, const spec::Profile& profile,
                                      const fixture::Fixture& fixture, const json& results,
                                      const ReplayTarget& target) {
  std::vector<Replayed> out;
  const auto* check = spec.endpoint_by_role("check");
  for (const auto& entry : results.value("results", json::array())) {
    const auto verdict = entry.value("verdict", "");
    if (verdict != "FAIL" && verdict != "NON-STRICT") continue;
    Replayed r{entry.value("check", ""), entry.value("clause", ""), verdict, Replayed::Now::NotReplayable, "", ""};
    const auto evidence = entry.value("evidence", json::object());
    const auto recorded = recorded_request(evidence, target);
    if (!recorded.why.empty()) {
      r.detail = recorded.why;
      out.push_back(std::move(r));
      continue;
    }
    r.curl = http::curl_command(recorded.url, recorded.request);
    http::Client client(recorded.url, target.limits);
    const auto response = client.send(recorded.request);
    const auto recorded_answer = evidence.value("response", json::object());
    if (!response.ok()) {
      r.now = Replayed::Now::NoAnswer;
      r.detail = response.error;
    } else if (same_answer(recorded_answer, response)) {
      r.now = Replayed::Now::StillFails;
      r.detail = "the same answer: HTTP " + std::to_string(response.status);
    } else if (check && recorded.request.target.substr(0, recorded.request.target.find('?')) ==
                            recorded.url.path + check->path) {
      judge_again(spec, profile, fixture, recorded, response, evidence, r);
    } else {
      r.now = Replayed::Now::Changed;
      r.detail = "was HTTP " + recorded_answer.value("status", json(nullptr)).dump() + ", now HTTP " +
                 std::to_string(response.status) + ": run the suite again to judge it";
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace otaconf::conformance
