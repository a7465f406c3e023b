// ota-refserver over real loopback sockets (127.0.0.1 only).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <thread>

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
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
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
  auto clamped =
      client_->Get("/ota/download/" + body["data"]["token"].get<std::string>(), {{"Range", "bytes=4000-99999"}});
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
  auto next =
      client.Get("/ota/check?" + testing::query_of(testing::example_request()), {{"Authorization", live_token()}});
  ASSERT_TRUE(next);
  EXPECT_EQ(nlohmann::json::parse(next->body)["errno"], 0) << next->body;
  server.stop();
}

TEST_F(HttpServerTest, RawTokenValuesReachTheVerifierUndecoded) {
  // strict: values must be URL-encoded, so a raw token is malformed.
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
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

// ---- raw sockets: what a hostile client does ---------------------------------

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  timeval wait{10, 0};  // a test never waits forever
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  return fd;
}

void send_text(int fd, const std::string& text) {
  ASSERT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
}

// Everything the server sends until it closes the connection (or 10 s pass).
std::string read_to_close(int fd) {
  std::string out;
  char chunk[4096];
  for (ssize_t n; (n = ::recv(fd, chunk, sizeof chunk, 0)) > 0;) out.append(chunk, static_cast<std::size_t>(n));
  return out;
}

int count_of(const std::string& text, const std::string& what) {
  int count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

// Two different lengths frame the body two ways: a 400 and a close, and the
// request hidden in the body is never answered (request smuggling).
TEST_F(HttpServerTest, TwoDifferentContentLengthsAreRefusedAndNothingIsSmuggled) {
  const int fd = connect_to(port_);
  ASSERT_GE(fd, 0);
  const std::string smuggled = "GET /ota/check HTTP/1.1\r\nHost: x\r\n\r\n";
  send_text(fd, "GET /ota/check HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: " +
                    std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled);
  const auto answer = read_to_close(fd);
  ::close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("two different Content-Length values"), std::string::npos) << answer;
  EXPECT_EQ(count_of(answer, "HTTP/1.1 "), 1) << answer;
}

TEST_F(HttpServerTest, ContentLengthWithTransferEncodingIsRefused) {
  const int fd = connect_to(port_);
  ASSERT_GE(fd, 0);
  send_text(fd,
            "GET /ota/check HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  const auto answer = read_to_close(fd);
  ::close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer;
  EXPECT_EQ(count_of(answer, "HTTP/1.1 "), 1) << answer;
}

TEST_F(HttpServerTest, EqualContentLengthsAreOneLength) {
  const int fd = connect_to(port_);
  ASSERT_GE(fd, 0);
  send_text(fd, "GET /ota/check?" + testing::query_of(testing::example_request()) +
                    " HTTP/1.1\r\nHost: x\r\nAuthorization: " + live_token() +
                    "\r\nContent-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
  const auto answer = read_to_close(fd);
  ::close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 ", 0), 0u) << answer;
}

// A request has one deadline from its first byte: a byte now and then does
// not keep it open (the old per-read timeout did).
TEST(HttpServerLimits, ARequestTricklingInGetsA408AtItsDeadline) {
  auto options = testing::options_for("strict");
  Service service(testing::shipped_spec(), fixture::default_fixture(), options);
  ServerLimits limits;
  limits.read_timeout_seconds = 1;
  HttpServer server(service, limits, nullptr);
  const int fd = connect_to(server.start("127.0.0.1", 0));
  ASSERT_GE(fd, 0);
  std::string answer;
  for (const char c : std::string("GET /ota/check HTTP/1.1\r\nHost: x\r\n")) {
    if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) break;  // closed on us: the deadline passed
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  answer = read_to_close(fd);
  ::close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 408 ", 0), 0u) << answer;
}

// Slow clients hold buffers, not workers: with 64 of them mid-request (and
// a single worker), a normal check is answered while they are still there.
TEST(HttpServerLimits, SixtyFourSlowClientsDoNotStarveANormalOne) {
  auto options = testing::options_for("strict");
  options.clock = {};
  Service service(testing::shipped_spec(), fixture::default_fixture(), options);
  ServerLimits limits;
  limits.threads = 1;
  limits.read_timeout_seconds = 30;
  HttpServer server(service, limits, nullptr);
  const int port = server.start("127.0.0.1", 0);
  std::vector<int> slow;
  for (int i = 0; i < 64; ++i) {
    slow.push_back(connect_to(port));
    ASSERT_GE(slow.back(), 0);
    send_text(slow.back(), "GET /ota/ch");  // and nothing more, for now
  }
  httplib::Client client("127.0.0.1", port);
  client.set_tcp_nodelay(true);
  client.set_read_timeout(10);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto res = client.Get("/ota/check?" + testing::query_of(testing::example_request()),
                        {{"Authorization", testing::token_for("products/123123", "sha1", now + 3600)}});
  ASSERT_TRUE(res);
  EXPECT_EQ(nlohmann::json::parse(res->body)["errno"], 0) << res->body;
  for (const int fd : slow) {  // each slow one is still served when it finishes
    send_text(fd, "eck HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(read_to_close(fd).rfind("HTTP/1.1 200 ", 0), 0u);
    ::close(fd);
  }
  server.stop();
}

TEST_F(HttpServerTest, StopsPromptly) {
  const auto started = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_FALSE(client_->Get("/ota/check"));
}

}  // namespace
}  // namespace otaconf::refserver
