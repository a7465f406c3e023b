// Results of the mock cloud and of client-e2e follow the same results schema
// as server and client runs (reports/results.schema.json).
#include <gtest/gtest.h>

#include "otaconf/conformance/mock.h"
#include "otaconf/spec_loader.h"

namespace otaconf::conformance {
namespace {

TEST(ClientE2e, ResultsFollowTheSchema) {
  const auto spec = spec::load_spec(spec::default_spec_path());
  const auto fixture = fixture::default_fixture();
  results::Recorder recorder;
  // A "device" that never asks and claims success: FAILs with evidence.
  const auto outcomes =
      run_client_e2e(spec, *spec.profile("strict"), fixture, "exit 0", {"fixture", "malformed"}, 10, recorder);
  ASSERT_EQ(outcomes.size(), 2u);
  results::RunInfo run;
  run.side = "mock";
  run.implementation = "exit 0";
  run.target = "exit 0";
  run.profile = "strict";
  run.spec_id = spec.id;
  run.started = results::utc_now();
  const auto document = results::to_json(run, recorder, spec, spec::Side::Client);
  const auto errors = results::validate(document);
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
  results::RunInfo run;
  run.side = "mock";
  run.implementation = "device on the bench";
  run.target = "http://127.0.0.1:1";
  run.profile = "strict";
  run.spec_id = spec.id;
  run.started = results::utc_now();
  const auto document = results::to_json(run, recorder, spec, spec::Side::Client);
  const auto errors = results::validate(document);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_FALSE(document["results"].empty());
}

}  // namespace
}  // namespace otaconf::conformance
