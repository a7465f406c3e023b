// The harness's HTTP transport: requests as data, a keep-alive client with
// timeouts, and curl reproductions. Transport failures are data too (an
// HttpResponse with `error` set), never exceptions.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace otaconf::http {

class Recording;  // otaconf/har.h

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string target;  // path and query, already percent-encoded
  Headers headers;
  std::string body;

  std::string header(std::string_view name) const;        // case-insensitive; "" if absent
  std::size_t header_count(std::string_view name) const;  // how many times it was sent, any case
};

// The raw (still percent-encoded) name=value pairs of a query string, empty
// pairs skipped; a pair without '=' has an empty value.
std::vector<std::pair<std::string_view, std::string_view>> split_query(std::string_view query);

struct Response {
  int status = 0;
  Headers headers;  // as received: names and values may hold any bytes
  std::string body;
  std::string error;  // set when no whole HTTP answer arrived (refused, a limit passed, ...)
  double elapsed_ms = 0;
  std::size_t received_bytes = 0;  // of the answer, headers included, whole or not

  bool ok() const { return error.empty(); }
  std::string header(std::string_view name) const;
};

// What one exchange (connect, send, status line, headers, body) may cost. A
// peer is code under test: past a limit the exchange ends with an error that
// names the limit and what had arrived, never with a hang or unbounded memory.
// Spaces the exchanges of every client that shares it (--rate-limit): at
// most `per_second` sends begin each second, whatever the connections.
class RateLimiter {
 public:
  explicit RateLimiter(double per_second);
  void wait();  // returns when the next send may begin

 private:
  std::mutex mutex_;
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point next_;
};

// How https answers are trusted: by default the peer's certificate must
// chain to the system's roots (or to `ca_file`, --cacert) and name the host;
// `verify` false (--insecure) accepts any certificate.
struct Tls {
  bool verify = true;
  std::string ca_file;
};

struct Limits {
  double deadline_seconds = 5;               // the whole exchange
  std::size_t max_header_bytes = 64 * 1024;  // status line and headers
  std::size_t max_body_bytes = 16 << 20;     // the body, after chunked decoding
  Tls tls;
  std::shared_ptr<RateLimiter> rate;  // shared by the clients of a run (null: no limit)
};

struct Url {
  std::string scheme;  // http or https
  std::string host;
  int port = 0;
  std::string path;          // a base path the server is mounted under ("/gateway"), or empty
  std::string base() const;  // scheme://host:port
};

// Parses http[s]://host[:port][/base/path]; nullopt with `why` set when it is
// not one. Every request's target is sent below the base path.
std::optional<Url> parse_url(const std::string& text, std::string* why = nullptr);

// Shared by the clients of one run: once `limit` exchanges in a row have
// ended without an answer, the server is taken for gone and nothing more is
// sent (each later send fails at once, saying why), so a dead or hostile
// server costs a run seconds, not hours.
class Breaker {
 public:
  explicit Breaker(int limit) : limit_(limit) {}
  void record(const Response& response);
  bool tripped() const { return failures_.load() >= limit_; }
  std::string why() const;

 private:
  const int limit_;
  std::atomic<int> failures_{0};
  mutable std::mutex mutex_;
  std::string last_error_;
};

// One keep-alive connection to one server; not thread-safe (one per worker).
// HTTP/1.1 over TCP, or TLS for https (verified as `Limits::tls` says).
class Client {
 public:
  Client(const Url& url, Limits limits);
  Client(const Url& url, double timeout_seconds);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Response send(const Request& request);
  void set_breaker(std::shared_ptr<Breaker> breaker);
  // Every exchange from now on is added to `recording` (--record FILE.har).
  void set_recording(std::shared_ptr<Recording> recording);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The bytes Client::send writes for `request` to `url` (Host, Accept,
// User-Agent and, for a body, Content-Type and Content-Length added unless
// the request has them).
std::string request_bytes(const Url& url, const Request& request);

// One whole HTTP/1.x answer held in memory (what an in-process handler
// wrote), read as Client::send reads one from a connection; `error` set when
// the bytes are not one within `limits`.
Response parse_response(std::string_view bytes, const std::string& method, const Limits& limits = {});

// Whether `request` is a well-formed HTTP/1.1 message that no server may
// refuse at the HTTP level: a token method, an origin-form target of RFC 3986
// characters, token header names, values without control bytes, framed one
// way only (no Transfer-Encoding, no Content-Length other than the body's),
// at most one well-formed Host, no Expect, and at most 8000 bytes of request
// line and headers. The spec judges answers to these; other bytes only need
// an answer.
bool well_formed(const Request& request);

// A shell command that sends the same request with curl and prints the
// response (status line, headers, body).
std::string curl_command(const Url& url, const Request& request);

std::string shell_quote(std::string_view text);

}  // namespace otaconf::http
