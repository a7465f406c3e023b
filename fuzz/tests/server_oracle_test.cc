// The server fuzz oracle (support/server_oracle.h) on answers written by
// hand: what it must stop on, and what the document allows.
#include "support/server_oracle.h"

#include <gtest/gtest.h>

#include "otaconf/oracle.h"
#include "otaconf/token.h"
#include "support/fuzz_support.h"

namespace otaconf::fuzz {
namespace {

const fixture::SelfAddress kSelf{"127.0.0.1:8080", "localhost:8080"};

class ServerOracleTest : public ::testing::Test {
 protected:
  ServerOracleTest()
      : oracle_(oracle::Context{shipped_spec(), check_endpoint(), *shipped_spec().profile("strict"), default_fixture(),
                                kSelf}) {}

  // The document's example request with a valid token.
  static http::Request example(const std::string& query_tail = "") {
    token::TokenRequest t;
    t.res = "products/123123";
    t.et = kNow + 3600;
    http::Request request;
    request.target =
        "/ota/check?dev_id=6523&manuf=%E4%B8%AD%E5%9B%BD%E7%A7%BB%E5%8A%A8&model=M5310&type=1&version=1.2"
        "&signals=10&powers=30&cdn=true" +
        query_tail;
    request.headers = {{"Content-Type", "application/json"},
                       {"Authorization", *token::mint(*shipped_spec().authorization,
                                                      "KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=", t)}};
    return request;
  }

  static http::Response answer(int status, const std::string& body,
                               const std::string& content_type = "application/json") {
    http::Response response;
    response.status = status;
    response.headers = {{"Content-Type", content_type}};
    response.body = body;
    return response;
  }

  static std::string success(const std::string& retry = "3") {
    return R"({"errno":0,"error":"succ","data":{"target":"1.3","token":"t1","size":4096,"signal":8,"power":20,)"
           R"("retry":)" +
           retry + R"(,"interval":60,"md5":"c9ad7b292ec77639ce0b2def2b7a20d8","ip":"localhost:8080"}})";
  }

  std::optional<ServerFinding> judge(const http::Request& request, const http::Response& response,
                                     bool enforce = false) {
    return judge_server_answer(oracle_, request, response, kNow, enforce);
  }

  oracle::Oracle oracle_;
};

TEST_F(ServerOracleTest, TheFixturesAnswerPasses) { EXPECT_FALSE(judge(example(), answer(200, success()))); }

TEST_F(ServerOracleTest, AWrongDataValueIsAFindingOnItsClause) {
  const auto finding = judge(example(), answer(200, success("60")));
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->clause, "RESP.DATA.VALUES");
  EXPECT_NE(finding->what.find("data.retry"), std::string::npos) << finding->what;
}

TEST_F(ServerOracleTest, AWrongStatusDoesNotHideAWrongValue) {
  // HTTP 500 breaks a SHOULD (RESP.HTTP_STATUS), a wrong retry a MUST: the MUST is named.
  const auto finding = judge(example(), answer(500, success("60")));
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->clause, "RESP.DATA.VALUES");
  EXPECT_NE(finding->details.find("no reading of the document allows it"), std::string::npos) << finding->details;
  // The SHOULD alone is no finding, unless decisions are enforced.
  EXPECT_FALSE(judge(example(), answer(500, success())));
  const auto enforced = judge(example(), answer(500, success()), true);
  ASSERT_TRUE(enforced);
  EXPECT_EQ(enforced->clause, "RESP.HTTP_STATUS");
}

TEST_F(ServerOracleTest, WhatAReadingAllowsIsNoFindingUnlessDecisionsAreEnforced) {
  auto unsigned_request = example();
  unsigned_request.headers.pop_back();
  // No envelope for a request without a token: right under AMB.AUTH_ERROR=any-rejection.
  const auto refusal = answer(401, "unauthorized", "text/plain");
  EXPECT_FALSE(judge(unsigned_request, refusal));
  const auto enforced = judge(unsigned_request, refusal, true);
  ASSERT_TRUE(enforced);
  EXPECT_NE(enforced->details.find("allowed under another reading"), std::string::npos) << enforced->details;
  // "data": null is no data on an error answer.
  EXPECT_FALSE(judge(unsigned_request, answer(200, R"({"errno":1,"error":"auth","data":null})")));
  EXPECT_TRUE(judge(unsigned_request, answer(200, R"({"errno":1,"error":"auth","data":{}})")));
}

TEST_F(ServerOracleTest, NoAnswerToAWellFormedCheckIsAFindingAndOtherRequestsNeedNone) {
  http::Response none;
  none.error = "the handler closed the connection without an answer";
  const auto finding = judge(example(), none);
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->clause, "RESP.ENVELOPE.JSON");
  auto elsewhere = example();
  elsewhere.target = "/ota/other";
  EXPECT_FALSE(judge(elsewhere, none));
  auto garbled = example();
  garbled.target += "#fragment";
  EXPECT_FALSE(judge(garbled, none));
}

}  // namespace
}  // namespace otaconf::fuzz
