// ota-refserver without sockets: the bytes answer_in_memory writes (what the
// in-process server ABI returns) read back by the harness's answer parser,
// and the harness's rule for which requests the spec judges.
#include <gtest/gtest.h>

#include "otaconf/http.h"
#include "support.h"

namespace otaconf::refserver {
namespace {

class InMemoryTest : public ::testing::Test {
 protected:
  InMemoryTest() : service_(testing::shipped_spec(), fixture::default_fixture(), testing::options_for("strict")) {}

  http::Response answer(std::string_view bytes, const std::string& method = "GET") {
    const Handler handler = [this](const WireRequest& wire, const fixture::SelfAddress& self) {
      return service_.handle(wire, self);
    };
    return http::parse_response(answer_in_memory(handler, bytes, testing::kSelf), method);
  }

  static std::string check_request() {
    http::Request request;
    request.target = "/ota/check?" + testing::query_of(testing::example_request());
    request.headers = {{"Authorization", testing::token_for("products/123123")}};
    return http::request_bytes(http::Url{"http", "127.0.0.1", 8080, ""}, request);
  }

  Service service_;
};

TEST_F(InMemoryTest, AWholeCheckRequestGetsTheServiceAnswer) {
  const auto response = answer(check_request());
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 200);
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["errno"], 0) << response.body;
  EXPECT_EQ(body["data"]["target"], "1.3");
}

TEST_F(InMemoryTest, BytesThatAreNoRequestGetTheProtocolErrorOfASocket) {
  EXPECT_EQ(answer("GET /ota/check HTTP/1.1 extra\r\n\r\n").status, 400);
  EXPECT_EQ(answer("GET ota/check HTTP/1.1\r\n\r\n").status, 400);
  EXPECT_EQ(answer("GET /ota/check HTTP/2.0\r\n\r\n").status, 505);
  EXPECT_EQ(answer("GET /ota/check HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc").status,
            400);
  // On a connection the server would wait for the rest, then time out.
  EXPECT_EQ(answer("GET /ota/check HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc").status, 408);
}

TEST(ParseResponse, ManyTinyChunksAndInterimAnswersCostLinearTime) {
  std::string chunks = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 150000; ++i) chunks += "1\r\nx\r\n";
  chunks += "0\r\n\r\n";
  const auto many = http::parse_response(chunks, "GET");
  ASSERT_TRUE(many.ok()) << many.error;
  EXPECT_EQ(many.body.size(), 150000U);
  std::string interim;
  for (int i = 0; i < 75000; ++i) interim += "HTTP/1.1 100 Continue\n\n";
  const auto refused = http::parse_response(interim, "GET");
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.error.find("interim"), std::string::npos) << refused.error;
}

TEST(ParseResponse, ReadsLengthAndChunkedFramingAndRejectsTruncation) {
  const auto framed = http::parse_response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", "GET");
  ASSERT_TRUE(framed.ok()) << framed.error;
  EXPECT_EQ(framed.body, "{}");
  const auto chunked =
      http::parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n1\r\n}\r\n0\r\n\r\n", "GET");
  ASSERT_TRUE(chunked.ok()) << chunked.error;
  EXPECT_EQ(chunked.body, "{}");
  EXPECT_FALSE(http::parse_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n{}", "GET").ok());
  EXPECT_FALSE(http::parse_response("{\"errno\":0}", "GET").ok());
  EXPECT_FALSE(http::parse_response("", "GET").ok());
}

TEST(WellFormed, HoldsForMessagesEveryServerFramesAlike) {
  http::Request request;
  request.target = "/ota/check?dev_id=1";
  request.headers = {{"Authorization", "x"}};
  EXPECT_TRUE(http::well_formed(request));
  auto with = [&](auto change) {
    auto copy = request;
    change(copy);
    return http::well_formed(copy);
  };
  EXPECT_FALSE(with([](http::Request& r) { r.target = "/ota/check?a b"; }));
  EXPECT_FALSE(with([](http::Request& r) { r.headers.push_back({"Bad Name", "v"}); }));
  EXPECT_FALSE(with([](http::Request& r) { r.headers.push_back({"X", "a\rb"}); }));
  EXPECT_FALSE(with([](http::Request& r) { r.headers.push_back({"Transfer-Encoding", "chunked"}); }));
  EXPECT_FALSE(with([](http::Request& r) { r.headers.push_back({"Content-Length", "9"}); }));
  EXPECT_FALSE(with([](http::Request& r) { r.target = "/ota/check?a#b"; }));
  EXPECT_FALSE(with([](http::Request& r) { r.target = "/ota/check?a={}"; }));
  EXPECT_FALSE(with([](http::Request& r) { r.headers.push_back({"Expect", "100-continue"}); }));
  EXPECT_FALSE(with([](http::Request& r) { r.headers.push_back({"Host", "a b"}); }));
  EXPECT_FALSE(with([](http::Request& r) {
    r.headers.push_back({"Host", "127.0.0.1:8080"});
    r.headers.push_back({"host", "127.0.0.1:8080"});
  }));
  EXPECT_FALSE(with([](http::Request& r) { r.headers.push_back({"X-Padding", std::string(8000, 'x')}); }));
  EXPECT_TRUE(with([](http::Request& r) { r.headers.push_back({"Host", "[::1]:8080"}); }));
  EXPECT_TRUE(with([](http::Request& r) {
    r.body = "abc";
    r.headers.push_back({"Content-Length", "3"});
  }));
}

}  // namespace
}  // namespace otaconf::refserver
