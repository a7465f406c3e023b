// ota-refserver over real loopback sockets (127.0.0.1 only).
#include <gtest/gtest.h>
#include <httplib.h>

#include <sstream>

#include "support.h"

namespace otaconf::refserver {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto options = testing::options_for("strict");
    options.clock = {};  // real time: tokens are minted an hour ahead of now
    service_ = std::make_unique<Service>(testing::shipped_spec(), fixture::default_fixture(), options);
    server_ = std::make_unique<HttpServer>(*service_, ServerLimits{}, &log_);
    port_ = server_->start("127.0.0.1", 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_tcp_nodelay(true);
    client_->set_connection_timeout(5);
    client_->set_read_timeout(5);
  }
  void TearDown() override { server_->stop(); }

  static std::string live_token() {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return testing::token_for("products/123123", "sha1", now + 3600);
  }

  std::stringstream log_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

TEST_F(HttpServerTest, ServesTheDocumentExampleAndItsDownload) {
  httplib::Headers headers{{"Authorization", live_token()}, {"Content-Type", "application/json"}};
  auto res = client_->Get("/ota/check?" + testing::query_of(testing::example_request()), headers);
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  const auto body = nlohmann::json::parse(res->body);
  ASSERT_EQ(body["errno"], 0) << res->body;
  // data.ip names this server (cdn=true: by name) and the token leads to the package.
  EXPECT_EQ(body["data"]["ip"], "localhost:" + std::to_string(port_));
  auto file = client_->Get("/ota/download/" + body["data"]["token"].get<std::string>());
  ASSERT_TRUE(file);
  EXPECT_EQ(file->status, 200);
  EXPECT_EQ(file->body.size(), body["data"]["size"].get<std::size_t>());
  EXPECT_EQ(crypto::md5_hex(file->body), body["data"]["md5"]);
  auto part = client_->Get("/ota/download/" + body["data"]["token"].get<std::string>(), {{"Range", "bytes=10-19"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, file->body.substr(10, 10));
  EXPECT_EQ(part->get_header_value("Content-Range"), "bytes 10-19/" + std::to_string(file->body.size()));
  // A Range form the strict profile does not know: the whole file.
  auto bare = client_->Get("/ota/download/" + body["data"]["token"].get<std::string>(), {{"Range", "10-19"}});
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->status, 200);
  EXPECT_EQ(bare->body.size(), file->body.size());
  // An end beyond the package is clamped (v2 notes).
  auto clamped = client_->Get("/ota/download/" + body["data"]["token"].get<std::string>(), {{"Range", "bytes=4000-99999"}});
  ASSERT_TRUE(clamped);
  EXPECT_EQ(clamped->status, 206);
  EXPECT_EQ(clamped->body, file->body.substr(4000));
}

TEST_F(HttpServerTest, LogsOneJsonLinePerRequest) {
  client_->Get("/ota/check?dev_id=1", {{"Authorization", live_token()}});
  client_->Get("/nowhere");
  std::string line;
  std::vector<nlohmann::json> lines;
  while (std::getline(log_, line)) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["method"], "GET");
  EXPECT_EQ(lines[0]["path"], "/ota/check");
  EXPECT_EQ(lines[0]["errno"], 2);
  EXPECT_TRUE(lines[0]["latency_ms"].is_number());
  EXPECT_EQ(lines[1]["status"], 404);
  EXPECT_TRUE(lines[1]["errno"].is_null());
}

TEST_F(HttpServerTest, LimitsAnswerWithJson) {
  auto long_uri = client_->Get("/ota/check?x=" + std::string(10000, 'a'));
  ASSERT_TRUE(long_uri);
  EXPECT_EQ(long_uri->status, 414);
  EXPECT_TRUE(nlohmann::json::parse(long_uri->body, nullptr, false).is_object()) << long_uri->body;
  auto big_body = client_->Post("/ota/check", std::string(100 * 1024, 'x'), "application/json");
  ASSERT_TRUE(big_body);
  EXPECT_EQ(big_body->status, 413);
  EXPECT_TRUE(nlohmann::json::parse(big_body->body, nullptr, false).is_object()) << big_body->body;
}

// The document's JSON example travels in the body of a GET: served, and the
// next request on the same connection is unaffected.
TEST_F(HttpServerTest, ReadsTheBodyOfAGetAndKeepsTheConnectionInStep) {
  auto options = testing::options_for("lenient");
  options.clock = {};
  Service lenient(testing::shipped_spec(), fixture::default_fixture(), options);
  HttpServer server(lenient, ServerLimits{}, nullptr);
  const int port = server.start("127.0.0.1", 0);
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  httplib::Request with_body;
  with_body.method = "GET";
  with_body.path = "/ota/check";
  with_body.headers = {{"Authorization", live_token()}, {"Content-Type", "application/json"}};
  with_body.body = testing::example_request().dump();
  httplib::Response answer;
  httplib::Error error = httplib::Error::Success;
  ASSERT_TRUE(client.send(with_body, answer, error));
  EXPECT_EQ(nlohmann::json::parse(answer.body)["errno"], 0) << answer.body;
  auto next = client.Get("/ota/check?" + testing::query_of(testing::example_request()),
                         {{"Authorization", live_token()}});
  ASSERT_TRUE(next);
  EXPECT_EQ(nlohmann::json::parse(next->body)["errno"], 0) << next->body;
  server.stop();
}

TEST_F(HttpServerTest, RawTokenValuesReachTheVerifierUndecoded) {
  // strict: values must be URL-encoded, so a raw token is malformed.
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto raw = testing::token_for("products/123123", "sha1", now + 3600, false);
  auto res = client_->Get("/ota/check?" + testing::query_of(testing::example_request()),
                          {{"Authorization", raw}, {"Content-Type", "application/json"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(nlohmann::json::parse(res->body)["error"], "authorization failed: malformed") << res->body;
}

// A token value just under the header cap once overflowed the stack of the
// verifier's std::regex (found by fuzz/token_fuzzer): now errno 1, and the
// server keeps serving.
TEST_F(HttpServerTest, SurvivesAnAuthorizationValueOfFifteenKilobytes) {
  const std::string huge = "version=" + std::string(15000, 'a') + "&res=products%2F123123&et=1&method=sha1&sign=x";
  auto res = client_->Get("/ota/check?" + testing::query_of(testing::example_request()),
                          {{"Authorization", huge}, {"Content-Type", "application/json"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(nlohmann::json::parse(res->body)["errno"], 1) << res->body;
  auto next = client_->Get("/ota/check?" + testing::query_of(testing::example_request()),
                           {{"Authorization", live_token()}, {"Content-Type", "application/json"}});
  ASSERT_TRUE(next);
  EXPECT_EQ(nlohmann::json::parse(next->body)["errno"], 0) << next->body;
}

TEST_F(HttpServerTest, StopsPromptly) {
  const auto started = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_FALSE(client_->Get("/ota/check"));
}

}  // namespace
}  // namespace otaconf::refserver
