// Results of the mock cloud and of client-e2e follow the same results schema
// as server and client runs (reports/results.schema.json).
#include <gtest/gtest.h>

#include "otaconf/conformance/mock.h"
#include "otaconf/spec_loader.h"

namespace otaconf::conformance {
namespace {

// The results document of a mock-side run, and its schema violations.
nlohmann::json mock_results(const spec::Spec& spec, const results::Recorder& recorder,
                            const std::string& implementation, const std::string& target,
                            std::vector<std::string>& errors) {
  results::RunInfo run;
  run.side = "mock";
  run.implementation = implementation;
  run.target = target;
  run.profile = "strict";
  run.spec_id = spec.id;
  run.started = results::utc_now();
  auto document = results::to_json(run, recorder, spec, spec::Side::Client);
  errors = results::validate(document);
  return document;
}

TEST(ClientE2e, ResultsFollowTheSchema) {
  const auto spec = spec::load_spec(spec::default_spec_path());
  const auto fixture = fixture::default_fixture();
  results::Recorder recorder;
  // A "device" that never asks and claims success: FAILs with evidence.
  const auto outcomes =
      run_client_e2e(spec, *spec.profile("strict"), fixture, "exit 0", {"fixture", "malformed"}, 10, recorder);
  ASSERT_EQ(outcomes.size(), 2u);
  std::vector<std::string> errors;
  const auto document = mock_results(spec, recorder, "exit 0", "exit 0", errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(document["run"]["side"], "mock");
  EXPECT_GT(document["summary"]["FAIL"], 0);
}

TEST(MockCloud, ResultsOfJudgedRequestsFollowTheSchema) {
  const auto spec = spec::load_spec(spec::default_spec_path());
  results::Recorder recorder;
  MockCloud mock(spec, *spec.profile("strict"), fixture::default_fixture(), "fixture", recorder);
  refserver::WireRequest request;
  request.method = "POST";  // the wrong method, and no parameters
  request.target = spec.endpoint_by_role("check")->path;
  mock.handle(request, fixture::SelfAddress{});
  std::vector<std::string> errors;
  const auto document = mock_results(spec, recorder, "device on the bench", "http://127.0.0.1:1", errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_FALSE(document["results"].empty());
}

}  // namespace
}  // namespace otaconf::conformance
