// Fuzz target: ota-refserver's request handler in-process (no sockets), in
// every profile. The input is one request as text (support/request_input.h).
//
// Oracle, for the check endpoint: the answer is HTTP 200 with a body the
// spec's response judgement accepts under the same profile (a JSON object,
// errno an integer of the code table, error a string, on errno 0 a data
// object with every field typed and in its domain); no data member with a
// non-zero errno; and when the harness oracle expects exactly one code (a
// request with at most one fault), the server answers that code, with the
// data the fixture implies on success. Other paths: no crash, a response.
// The clock is fixed (support/fuzz_support.h) so seed tokens stay valid.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>

#include "otaconf/interpret.h"
#include "otaconf/oracle.h"
#include "otaconf/refserver.h"
#include "support/fuzz_support.h"
#include "support/mutators.h"
#include "support/request_input.h"

namespace {

using namespace otaconf;
using nlohmann::json;

const fixture::SelfAddress kSelf{"127.0.0.1:8080", "localhost:8080"};

struct ProfileUnderTest {
  const spec::Profile* profile;
  std::unique_ptr<refserver::Service> service;
  std::unique_ptr<oracle::Oracle> oracle;
};

std::vector<ProfileUnderTest>& profiles() {
  static std::vector<ProfileUnderTest> list = [] {
    std::vector<ProfileUnderTest> out;
    const auto& spec = fuzz::shipped_spec();
    for (const auto& profile : spec.profiles) {
      refserver::Options options;
      options.profile = profile.id;
      options.mutant = fuzz::environment("OTACONF_FUZZ_MUTANT");
      options.clock = [] { return fuzz::kNow; };
      auto service = std::make_unique<refserver::Service>(spec, fuzz::default_fixture(), options);
      auto model = std::make_unique<oracle::Oracle>(
          oracle::Context{spec, fuzz::check_endpoint(), profile, fuzz::default_fixture(), kSelf});
      out.push_back({&profile, std::move(service), std::move(model)});
    }
    return out;
  }();
  return list;
}

refserver::WireRequest to_wire(const http::Request& request) {
  refserver::WireRequest wire;
  wire.method = request.method;
  wire.target = request.target;
  for (const auto& [name, value] : request.headers) wire.headers.emplace(name, value);
  wire.body = request.body;
  return wire;
}

[[noreturn]] void fail(const std::string& what, const spec::Profile& profile, const http::Request& request,
                       const refserver::WireResponse& response, const std::string& more = "") {
  fuzz::oracle_failure(what, "profile " + profile.id + "\nrequest: " + fuzz::printable(fuzz::encode_request(request)) +
                                 "\nstatus " + std::to_string(response.status) +
                                 " body: " + fuzz::printable(response.body) + (more.empty() ? "" : "\n" + more));
}

// Data the server invents (the download token) is not compared.
json comparable(json data) {
  for (const auto& field : fuzz::check_endpoint().response->data_fields) {
    if (field.generated) data.erase(field.name);
  }
  return data;
}

void judge_check_answer(const ProfileUnderTest& p, const http::Request& request,
                        const refserver::WireResponse& response) {
  const auto& endpoint = fuzz::check_endpoint();
  const auto& envelope = *endpoint.response;
  if (response.status != 200) fail("the check answer is not HTTP 200", *p.profile, request, response);
  const auto judgement = interpret::interpret_response(endpoint, *p.profile, response.body);
  if (judgement.verdict != interpret::ResponseJudgement::Verdict::Accept) {
    fail("the answer is not a well-formed envelope", *p.profile, request, response,
         judgement.clause + ": " + judgement.reason);
  }
  const auto observed = judgement.result["errno"].get<std::int64_t>();
  // The judgement ignores data on an error answer; look for it only there.
  if (observed != envelope.success_code && json::parse(response.body).contains(envelope.envelope_role("data")->name)) {
    fail("an error answer carries data (RESP.DATA.ABSENT)", *p.profile, request, response);
  }
  const auto expected = p.oracle->expect(request, fuzz::kNow);
  if (expected.kind != oracle::Expectation::Kind::Exact) return;  // several faults: no order to hold it to
  if (observed != expected.errno_value) {
    fail("the server and the oracle disagree on errno", *p.profile, request, response,
         "oracle: errno " + std::to_string(expected.errno_value) + " (" + expected.why + ")");
  }
  if (expected.success && comparable(judgement.result["data"]) != comparable(expected.data)) {
    fail("the server's data differs from what the fixture implies", *p.profile, request, response,
         "oracle data: " + expected.data.dump());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto request = fuzz::decode_request(std::string_view(reinterpret_cast<const char*>(data), size));
  const auto path = request.target.substr(0, request.target.find('?'));
  for (auto& p : profiles()) {
    const auto response = p.service->handle(to_wire(request), kSelf);
    if (path == fuzz::check_endpoint().path) judge_check_answer(p, request, response);
  }
  return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  return otaconf::fuzz::mutate_request(data, size, max_size, seed);
}
