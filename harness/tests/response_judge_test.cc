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

// A parser's outcome against the judge: each difference charged to its own clause.
TEST(OutcomeDifference, ChargesEachPartToItsClause) {
  const auto& spec = shipped_spec();
  const auto& endpoint = *spec.endpoint_by_role("check");
  const auto& strict = *spec.profile("strict");
  using nlohmann::json;
  using otaconf::interpret::outcome_difference;
  const auto error = interpret_response(endpoint, strict, R"({"errno":19,"error":"suspended"})");
  ASSERT_EQ(error.verdict, Verdict::Accept);
  json observed = error.result;
  EXPECT_FALSE(outcome_difference(spec, endpoint, error, true, observed, "X"));
  observed["action"] = "download";
  EXPECT_EQ(outcome_difference(spec, endpoint, error, true, observed, "X")->clause, "CLI.ACTION.NO_DOWNLOAD_ON_ERROR");
  observed["action"] = "no-update";
  EXPECT_EQ(outcome_difference(spec, endpoint, error, true, observed, "X")->clause, "CLI.ACTION.19");
  EXPECT_EQ(outcome_difference(spec, endpoint, error, false, observed, "X")->clause, "X");  // refused what it must take

  const std::string success =
      R"({"errno":0,"error":"succ","data":{"target":"1.2","token":"t","size":5,"signal":12,"power":90,"retry":1,)"
      R"("interval":9,"md5":"0123456789abcdef0123456789abcdef","ip":"10.0.0.1"}})";
  const auto accepted = interpret_response(endpoint, strict, success);
  ASSERT_EQ(accepted.verdict, Verdict::Accept);
  observed = accepted.result;
  observed["data"]["md5"] = "0123456789ABCDEF0123456789ABCDEF";  // compared without regard to case
  EXPECT_FALSE(outcome_difference(spec, endpoint, accepted, true, observed, "X"));
  observed["data"]["size"] = 6;
  EXPECT_EQ(outcome_difference(spec, endpoint, accepted, true, observed, "X")->clause, "RESP.DATA.SIZE");
}

TEST(ResponseJudge, AnUnknownErrnoIsAcceptedWithoutADownloadWhereTheProfileSaysSo) {
  const auto& spec = shipped_spec();
  const auto& endpoint = *spec.endpoint_by_role("check");
  const std::string body = R"({"errno":3,"error":"x","data":{}})";
  EXPECT_EQ(interpret_response(endpoint, *spec.profile("strict"), body).verdict, Verdict::Reject);
  const auto lenient = interpret_response(endpoint, *spec.profile("lenient"), body);
  ASSERT_EQ(lenient.verdict, Verdict::Accept);
  ASSERT_TRUE(lenient.result["action"].is_array());
  for (const auto& action : lenient.result["action"]) EXPECT_NE(action, "download");
  // Found by the adapter fuzzer: an errno past int32 is just a code the table lacks; past int64 it is no errno.
  EXPECT_EQ(interpret_response(endpoint, *spec.profile("lenient"), R"({"errno":2147483648,"error":"x"})").verdict,
            Verdict::Accept);
  EXPECT_EQ(
      interpret_response(endpoint, *spec.profile("lenient"), R"({"errno":9223372036854775808,"error":"x"})").verdict,
      Verdict::Reject);
  // 0.0 is 0 where the profile reads numbers by value; 0.5 is no integer anywhere.
  const std::string float_errno = R"({"errno":9.0,"error":"x"})";
  EXPECT_EQ(interpret_response(endpoint, *spec.profile("strict"), float_errno).verdict, Verdict::Reject);
  EXPECT_EQ(interpret_response(endpoint, *spec.profile("lenient"), float_errno).result["errno"], 9);
  EXPECT_EQ(interpret_response(endpoint, *spec.profile("lenient"), R"({"errno":9.5,"error":"x"})").verdict,
            Verdict::Reject);
}

}  // namespace
