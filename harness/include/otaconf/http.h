// The harness's HTTP transport: requests as data, a keep-alive client with
// timeouts, and curl reproductions. Transport failures are data too (an
// HttpResponse with `error` set), never exceptions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace otaconf::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string target;  // path and query, already percent-encoded
  Headers headers;
  std::string body;

  std::string header(std::string_view name) const;  // case-insensitive; "" if absent
  std::size_t header_count(std::string_view name) const;  // how many times it was sent, any case
};

// The raw (still percent-encoded) name=value pairs of a query string, empty
// pairs skipped; a pair without '=' has an empty value.
std::vector<std::pair<std::string_view, std::string_view>> split_query(std::string_view query);

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
  std::string error;  // set when no HTTP answer arrived (refused, timeout, ...)
  double elapsed_ms = 0;

  bool ok() const { return error.empty(); }
  std::string header(std::string_view name) const;
};

struct Url {
  std::string scheme;  // http or https
  std::string host;
  int port = 0;
  std::string base() const;  // scheme://host:port
};

// Parses http[s]://host[:port][/]; nullopt with `why` set when it is not one.
std::optional<Url> parse_url(const std::string& text, std::string* why = nullptr);

// One keep-alive connection to one server; not thread-safe (one per worker).
class Client {
 public:
  Client(const Url& url, double timeout_seconds);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  Response send(const Request& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A shell command that sends the same request with curl and prints the
// response (status line, headers, body).
std::string curl_command(const Url& url, const Request& request);

std::string shell_quote(std::string_view text);

}  // namespace otaconf::http
