// interpret_response against the response vectors: the judge the fuzzers
// use agrees with every vector's expectation in every profile, and with the
// result each accepted vector records.
#include <gtest/gtest.h>

#include "otaconf/interpret.h"
#include "otaconf/spec_loader.h"
#include "otaconf/vectors.h"

namespace {

using otaconf::interpret::interpret_response;
using Verdict = otaconf::interpret::ResponseJudgement::Verdict;

const otaconf::spec::Spec& shipped_spec() {
  static const auto spec = otaconf::spec::load_spec(OTACONF_TEST_SPEC);
  return spec;
}

TEST(ResponseJudge, AgreesWithEveryVectorInEveryProfile) {
  const auto& spec = shipped_spec();
  const auto& endpoint = *spec.endpoint_by_role("check");
  const auto list = otaconf::vectors::load(OTACONF_TEST_VECTORS);
  ASSERT_GT(list.size(), 50u);
  std::size_t compared = 0;
  for (const auto& vector : list) {
    for (const auto& profile : spec.profiles) {
      const auto expected = vector.expectation(profile.id);
      if (expected == "either") continue;
      const auto judgement = interpret_response(endpoint, profile, vector.body);
      ASSERT_EQ(to_string(judgement.verdict), expected)
          << vector.name << " under " << profile.id << ": " << judgement.clause << " " << judgement.reason;
      ++compared;
      if (judgement.verdict != Verdict::Accept || !vector.meta.contains("result")) continue;
      const auto& result = vector.meta["result"];
      EXPECT_EQ(judgement.result["errno"], result["errno"]) << vector.name;
      EXPECT_EQ(judgement.result["action"], result["action"]) << vector.name;
      EXPECT_EQ(judgement.result["error"], result["error"]) << vector.name;
      // Vectors record the data a parser reports; profiles differ only in what they accept.
      EXPECT_EQ(judgement.result["data"], result["data"]) << vector.name << " under " << profile.id;
    }
  }
  EXPECT_GT(compared, 200u);
}

TEST(ResponseJudge, FollowsTheProfileOnWhatRfc8259LeavesToTheParser) {
  const auto& spec = shipped_spec();
  const auto& endpoint = *spec.endpoint_by_role("check");
  const auto& strict = *spec.profile("strict");
  const auto& lenient = *spec.profile("lenient");
  const std::string repeated = R"({"errno":8,"errno":8,"error":"x"})";
  const std::string bom = "\xEF\xBB\xBF{\"errno\":8,\"error\":\"x\"}";
  EXPECT_EQ(interpret_response(endpoint, strict, repeated).verdict, Verdict::Reject);
  EXPECT_EQ(interpret_response(endpoint, lenient, repeated).verdict, Verdict::Undecided);
  EXPECT_EQ(interpret_response(endpoint, strict, bom).verdict, Verdict::Reject);
  EXPECT_EQ(interpret_response(endpoint, lenient, bom).verdict, Verdict::Accept);
  EXPECT_EQ(interpret_response(endpoint, lenient, "\xEF\xBB\xBF" + bom).verdict, Verdict::Reject);
  EXPECT_EQ(interpret_response(endpoint, lenient, std::string("{\"errno\":8,\"error\":\"x\"}\0", 24)).verdict,
            Verdict::Reject);
  // Two spellings of one member, both read under lenient: which counts is open.
  EXPECT_EQ(interpret_response(endpoint, lenient, R"({"errno":8,"ERRNO":9,"error":"x"})").verdict, Verdict::Undecided);
  EXPECT_EQ(interpret_response(endpoint, strict, R"({"errno":8,"ERRNO":9,"error":"x"})").verdict, Verdict::Accept);
}

TEST(ResponseJudge, ErrorAnswersIgnoreDataAndCarryTheirAction) {
  const auto& spec = shipped_spec();
  const auto& endpoint = *spec.endpoint_by_role("check");
  const auto judgement =
      interpret_response(endpoint, *spec.profile("strict"), R"({"errno":19,"error":"suspended","data":{"x":1}})");
  ASSERT_EQ(judgement.verdict, Verdict::Accept) << judgement.reason;
  EXPECT_TRUE(judgement.result["data"].is_null());
  EXPECT_EQ(judgement.result["action"], "retry-later");
}

}  // namespace
