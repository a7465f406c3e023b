#include "otaconf/http.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <regex>

namespace otaconf::http {

namespace {
bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (same_name(key, name)) return value;
  }
  return {};
}
}  // namespace

std::string Request::header(std::string_view name) const { return find_header(headers, name); }
std::size_t Request::header_count(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(headers.begin(), headers.end(), [&](const auto& header) { return same_name(header.first, name); }));
}

std::vector<std::pair<std::string_view, std::string_view>> split_query(std::string_view query) {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const auto pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    pairs.emplace_back(pair.substr(0, equals), equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
  }
  return pairs;
}
std::string Response::header(std::string_view name) const { return find_header(headers, name); }

std::string Url::base() const { return scheme + "://" + host + ":" + std::to_string(port); }

std::optional<Url> parse_url(const std::string& text, std::string* why) {
  static const std::regex syntax(R"(^(https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:([0-9]{1,5}))?/?$)");
  // A host name has at most 253 bytes; the bound also keeps std::regex,
  // which recurses per character, off long hostile input.
  constexpr std::size_t kMaxUrl = 300;
  std::smatch match;
  if (text.size() > kMaxUrl || !std::regex_match(text, match, syntax)) {
    if (why) *why = "not a URL of the form http://host[:port]: '" + text + "'";
    return std::nullopt;
  }
  Url url;
  url.scheme = match[1].str();
  url.host = match[2].str();
  url.port = match[4].matched ? std::stoi(match[4].str()) : (url.scheme == "https" ? 443 : 80);
  if (url.port < 1 || url.port > 65535) {
    if (why) *why = "port out of range in '" + text + "'";
    return std::nullopt;
  }
  return url;
}

struct Client::Impl {
  Impl(const Url& url, double timeout_seconds) : client(url.base()) {
    const auto seconds = static_cast<time_t>(timeout_seconds);
    const auto micros = static_cast<time_t>((timeout_seconds - static_cast<double>(seconds)) * 1e6);
    client.set_tcp_nodelay(true);  // keep-alive requests stall on delayed ACK without it
    client.set_keep_alive(true);
    client.set_connection_timeout(seconds, micros);
    client.set_read_timeout(seconds, micros);
    client.set_write_timeout(seconds, micros);
    client.set_decompress(false);
    client.set_url_encode(false);  // targets are sent exactly as built
  }
  httplib::Client client;
};

Client::Client(const Url& url, double timeout_seconds) : impl_(std::make_unique<Impl>(url, timeout_seconds)) {}
Client::~Client() = default;

Response Client::send(const Request& request) {
  httplib::Request req;
  req.method = request.method;
  req.path = request.target;
  for (const auto& [name, value] : request.headers) req.headers.emplace(name, value);
  req.body = request.body;
  if (!request.body.empty() && !req.has_header("Content-Type")) req.set_header("Content-Type", "application/octet-stream");
  const auto started = std::chrono::steady_clock::now();
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  const bool sent = impl_->client.send(req, res, error);
  Response out;
  out.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!sent) {
    out.error = httplib::to_string(error);
    return out;
  }
  out.status = res.status;
  for (const auto& [name, value] : res.headers) out.headers.emplace_back(name, value);
  out.body = std::move(res.body);
  return out;
}

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string curl_command(const Url& url, const Request& request) {
  std::string command = "curl -sS -i";
  if (request.method != "GET" || !request.body.empty()) command += " -X " + request.method;
  for (const auto& [name, value] : request.headers) command += " -H " + shell_quote(name + ": " + value);
  if (!request.body.empty()) command += " --data-binary " + shell_quote(request.body);
  command += " " + shell_quote(url.base() + request.target);
  return command;
}

}  // namespace otaconf::http
