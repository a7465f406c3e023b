// Range handling of the download endpoint.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "download.h"
#include "support.h"

namespace otaconf::refserver {
namespace {

using Kind = RangeDecision::Kind;

struct RangeCase {
  std::string header;
  bool all_forms;
  Kind kind;
  std::uint64_t first = 0, last = 0;
};

TEST(DecideRange, Forms) {
  const std::vector<RangeCase> cases = {
      {"", false, Kind::Whole},
      {"bytes=0-9", false, Kind::Partial, 0, 9},
      {"bytes=90-", false, Kind::Partial, 90, 99},
      {"bytes=-10", false, Kind::Partial, 90, 99},
      {"bytes=-1000", false, Kind::Partial, 0, 99},
      {"bytes=50-1000", false, Kind::Partial, 50, 99},  // clamped
      {"bytes=100-200", false, Kind::Unsatisfiable},
      {"bytes=-0", false, Kind::Unsatisfiable},
      {"bytes=9-0", false, Kind::Whole},  // malformed: the whole file
      {"bytes=0-1,5-6", false, Kind::Whole},
      {"bytes=a-b", false, Kind::Whole},
      {"0-9", false, Kind::Whole},
      {"0-9", true, Kind::Partial, 0, 9},
      {"Range=0-9", false, Kind::Whole},
      {"Range=0-9", true, Kind::Partial, 0, 9},
      {"bytes=99999999999999999999-", false, Kind::Whole},
  };
  for (const auto& c : cases) {
    const auto decision = decide_range(c.header, 100, c.all_forms, false);
    EXPECT_EQ(decision.kind, c.kind) << c.header;
    if (c.kind == Kind::Partial) {
      EXPECT_EQ(decision.first, c.first) << c.header;
      EXPECT_EQ(decision.last, c.last) << c.header;
    }
  }
}

// Every range in bounds returns exactly those bytes, with 206 and a
// Content-Range naming them.
RC_GTEST_PROP(Download, EveryRangeInBoundsReturnsExactlyThoseBytes, ()) {
  static testing::Server server;
  const auto answer = testing::body_of(server.call({testing::example_request()}));
  const auto token = answer["data"]["token"].get<std::string>();
  const auto size = answer["data"]["size"].get<std::uint64_t>();
  const auto first = *rc::gen::inRange<std::uint64_t>(0, size);
  const auto last = *rc::gen::inRange<std::uint64_t>(first, size);
  WireRequest request;
  request.target = "/ota/download/" + token;
  request.headers.emplace("Range", "bytes=" + std::to_string(first) + "-" + std::to_string(last));
  const auto response = server.raw(request);
  RC_ASSERT(response.status == 206);
  const auto* package = server.service().fixture().package("m5310-fw-1.3");
  RC_ASSERT(response.body == *package->read(first, last - first + 1));
  RC_ASSERT(response.header("Content-Range") ==
            "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size));
}

TEST(Download, WholeFileMatchesSizeAndMd5) {
  testing::Server server;
  const auto answer = testing::body_of(server.call({testing::example_request()}));
  WireRequest request;
  request.target = "/ota/download/" + answer["data"]["token"].get<std::string>();
  const auto response = server.raw(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body.size(), answer["data"]["size"].get<std::size_t>());
  EXPECT_EQ(crypto::md5_hex(response.body), answer["data"]["md5"]);
}

TEST(Download, UnknownAndExpiredTokensAreRefused) {
  std::int64_t now = testing::kNow;
  auto options = testing::options_for("strict");
  options.clock = [&now] { return now; };
  options.token_ttl = std::chrono::seconds(60);
  Service service(testing::shipped_spec(), fixture::default_fixture(), options);
  const auto answer = testing::body_of(service.handle(testing::request_of({testing::example_request()}), testing::kSelf));
  WireRequest request;
  request.target = "/ota/download/ota_00000000000000000000000000000000";
  auto response = service.handle(request, testing::kSelf);
  EXPECT_EQ(response.status, 404);
  EXPECT_TRUE(testing::body_of(response).contains("error"));
  request.target = "/ota/download/" + answer["data"]["token"].get<std::string>();
  EXPECT_EQ(service.handle(request, testing::kSelf).status, 200);
  now += 61;
  response = service.handle(request, testing::kSelf);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body.find("\x7f"), std::string::npos);
}

TEST(DownloadTokens, AreUnguessableAndDistinct) {
  DownloadTokens tokens;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto token = tokens.issue("p", 0, 10);
    EXPECT_EQ(token.size(), 4u + 32u);  // 128 bits of hex
    EXPECT_TRUE(seen.insert(token).second);
  }
}

TEST(DownloadTokens, CapacityIsBounded) {
  DownloadTokens tokens(100);
  std::vector<std::string> issued;
  for (int i = 0; i < 1000; ++i) issued.push_back(tokens.issue("p", 0, 1000));
  EXPECT_TRUE(tokens.package_of(issued.back(), 0).has_value());
  EXPECT_FALSE(tokens.package_of(issued.front(), 0).has_value());
}

}  // namespace
}  // namespace otaconf::refserver
