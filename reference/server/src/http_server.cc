// The HTTP layer of ota-refserver. cpp-httplib (Debian's 0.11) accepts
// connections, runs them on its bounded thread pool and stops cleanly; each
// connection is then served here, because httplib's own request handling
// cannot serve this API as documented:
//   - it never reads the body of a GET (the document's JSON example), and the
//     unread bytes corrupt the next request on a keep-alive connection;
//   - it URL-decodes header values, so a raw Authorization token cannot be
//     told from an encoded one;
//   - it answers 416 itself for Range forms the v2 notes allow (bare "a-b").
// The parser is small and strict: size caps, read and idle timeouts,
// Content-Length bodies only, one JSON log line per request, and a JSON body
// on every error.
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "otaconf/refserver.h"

namespace otaconf::refserver {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxRequestLine = 8192;
constexpr std::size_t kMaxHeaderBytes = 16384;
constexpr int kMaxRequestsPerConnection = 1000;
constexpr int kIdleSeconds = 5;

std::string utc_now() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

struct ParsedRequest {
  WireRequest wire;
  std::string version;
  bool keep_alive = true;
};

struct ProtocolError {
  int status;
  std::string message;
};

// One accepted connection: buffered reads with timeouts, strict parsing.
class Connection {
 public:
  Connection(int fd, const ServerLimits& limits, const std::atomic<bool>& stopping)
      : fd_(fd), limits_(limits), stopping_(stopping) {}

  // A request, nullopt when the peer closed or went idle, or a protocol error.
  std::optional<ParsedRequest> read_request(std::optional<ProtocolError>& error) {
    std::size_t end = 0;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (buffer_.size() > kMaxHeaderBytes) {
        error = buffer_.find("\r\n") == std::string::npos || buffer_.find("\r\n") > kMaxRequestLine
                    ? ProtocolError{414, "the request line is longer than 8 KiB"}
                    : ProtocolError{431, "the request headers are longer than 16 KiB"};
        return std::nullopt;
      }
      const bool idle = buffer_.empty();
      if (!fill(idle ? kIdleSeconds : limits_.read_timeout_seconds, idle)) {
        if (!buffer_.empty()) error = ProtocolError{408, "the request did not arrive in time"};
        return std::nullopt;
      }
    }
    const auto head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    ParsedRequest request;
    if (!parse_head(head, request, error)) return std::nullopt;
    const auto length_text = header(request.wire, "content-length");
    if (!header(request.wire, "transfer-encoding").empty()) {
      error = ProtocolError{501, "chunked request bodies are not supported; send Content-Length"};
      return std::nullopt;
    }
    std::size_t length = 0;
    if (!length_text.empty()) {
      if (length_text.size() > 12 || length_text.find_first_not_of("0123456789") != std::string::npos) {
        error = ProtocolError{400, "Content-Length is not a number"};
        return std::nullopt;
      }
      length = std::stoull(length_text);
    }
    if (length > limits_.max_body_bytes) {
      error = ProtocolError{413, "the body is larger than " + std::to_string(limits_.max_body_bytes) + " bytes"};
      return std::nullopt;
    }
    while (buffer_.size() < length) {
      if (!fill(limits_.read_timeout_seconds, false)) {
        error = ProtocolError{408, "the body did not arrive in time"};
        return std::nullopt;
      }
    }
    request.wire.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return request;
  }

  bool write_all(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      pollfd p{fd_, POLLOUT, 0};
      if (poll(&p, 1, limits_.write_timeout_seconds * 1000) <= 0) return false;
      const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  static std::string header(const WireRequest& wire, const std::string& lowercase_name) {
    for (const auto& [name, value] : wire.headers) {
      if (lower(name) == lowercase_name) return value;
    }
    return {};
  }

 private:
  // Reads more bytes; waits in short slices so a stopping server is noticed.
  bool fill(int timeout_seconds, bool idle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (idle && stopping_) return false;
      pollfd p{fd_, POLLIN, 0};
      const int ready = poll(&p, 1, 100);
      if (ready < 0) return false;
      if (ready == 0) continue;
      char chunk[16384];
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    return false;
  }

  static bool parse_head(const std::string& head, ParsedRequest& out, std::optional<ProtocolError>& error) {
    const auto line_end = head.find("\r\n");
    const auto line = head.substr(0, line_end);
    if (line.size() > kMaxRequestLine) {
      error = ProtocolError{414, "the request line is longer than 8 KiB"};
      return false;
    }
    const auto first = line.find(' ');
    const auto second = line.find(' ', first == std::string::npos ? first : first + 1);
    if (first == std::string::npos || second == std::string::npos || line.find(' ', second + 1) != std::string::npos) {
      error = ProtocolError{400, "malformed request line"};
      return false;
    }
    out.wire.method = line.substr(0, first);
    out.wire.target = line.substr(first + 1, second - first - 1);
    out.version = line.substr(second + 1);
    if (out.version != "HTTP/1.1" && out.version != "HTTP/1.0") {
      error = ProtocolError{505, "only HTTP/1.0 and HTTP/1.1 are served"};
      return false;
    }
    if (out.wire.target.empty() || out.wire.target.front() != '/') {
      error = ProtocolError{400, "the request target must start with /"};
      return false;
    }
    std::size_t start = line_end == std::string::npos ? head.size() : line_end + 2;
    while (start < head.size()) {
      auto end = head.find("\r\n", start);
      if (end == std::string::npos) end = head.size();
      const auto field = head.substr(start, end - start);
      start = end + 2;
      const auto colon = field.find(':');
      if (colon == std::string::npos || colon == 0 || field.find_first_of(" \t") < colon) {
        error = ProtocolError{400, "malformed header line"};
        return false;
      }
      out.wire.headers.emplace(field.substr(0, colon), trim(field.substr(colon + 1)));
    }
    const auto connection = lower(header(out.wire, "connection"));
    out.keep_alive = out.version == "HTTP/1.1" ? connection != "close" : connection == "keep-alive";
    return true;
  }

  int fd_;
  const ServerLimits& limits_;
  const std::atomic<bool>& stopping_;
  std::string buffer_;
};

// The body in two chunks (one when it is short): what a chunked answer looks like on the wire.
std::string chunked(const std::string& body) {
  auto chunk = [](std::string_view part) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    return std::string(size) + std::string(part) + "\r\n";
  };
  std::string out;
  const std::string_view text(body);
  const auto half = text.size() / 2;
  if (half > 0) out += chunk(text.substr(0, half));
  if (text.size() > half) out += chunk(text.substr(half));
  return out + "0\r\n\r\n";
}

std::string serialize(const WireResponse& response, bool keep_alive, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
  if (response.chunked) {
    out += "Transfer-Encoding: chunked\r\n";
  } else {
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  }
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head_only) out += response.chunked ? chunked(response.body) : response.body;
  return out;
}

WireResponse protocol_error_response(const ProtocolError& error) {
  WireResponse response;
  response.status = error.status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = json{{"errno", 2}, {"error", error.message}}.dump();
  response.errno_value = 2;
  return response;
}

// httplib's accept loop and thread pool, with connections served by us.
class Acceptor : public httplib::Server {
 public:
  using Serve = std::function<void(int)>;
  explicit Acceptor(Serve serve) : serve_(std::move(serve)) {}

 private:
  bool process_and_close_socket(socket_t sock) override {
    serve_(sock);
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return true;
  }
  Serve serve_;
};

}  // namespace

struct HttpServer::Impl {
  Impl(Handler handler_in, ServerLimits limits_in, std::ostream* log_in)
      : handler(std::move(handler_in)), limits(limits_in), log(log_in), acceptor([this](int fd) { serve(fd); }) {
    acceptor.set_tcp_nodelay(true);
    const auto threads = static_cast<std::size_t>(std::max(1, limits.threads));
    acceptor.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  }

  void serve(int fd) {
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // no stalls on delayed ACK
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    std::string local_host = host;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0 && local.ss_family == AF_INET) {
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&local)->sin_addr, text, sizeof text);
      local_host = text;
    }
    const auto port = std::to_string(bound_port.load());
    const fixture::SelfAddress self{local_host + ":" + port, "localhost:" + port};

    Connection connection(fd, limits, stopping);
    for (int served = 0; served < kMaxRequestsPerConnection; ++served) {
      std::optional<ProtocolError> error;
      auto request = connection.read_request(error);
      const auto started = std::chrono::steady_clock::now();
      if (!request) {
        if (error) {
          const auto response = protocol_error_response(*error);
          log_line("-", "-", response, started);
          connection.write_all(serialize(response, false, false));
        }
        return;
      }
      WireResponse response;
      try {
        response = handler(request->wire, self);
      } catch (const std::exception& e) {
        response = protocol_error_response({500, std::string("internal error: ") + e.what()});
        response.body = json{{"errno", 7}, {"error", std::string("internal error: ") + e.what()}}.dump();
        response.status = 200;
        response.errno_value = 7;
      }
      const bool keep_alive =
          request->keep_alive && !response.close && !stopping && served + 1 < kMaxRequestsPerConnection;
      const auto path = request->wire.target.substr(0, request->wire.target.find('?'));
      // Logged before the answer leaves, so a client that has the answer finds the line.
      log_line(request->wire.method, path, response, started);
      const bool written = connection.write_all(serialize(response, keep_alive, request->wire.method == "HEAD"));
      if (!written || !keep_alive) return;
    }
  }

  void log_line(const std::string& method, const std::string& path, const WireResponse& response,
                std::chrono::steady_clock::time_point started) {
    if (!log) return;
    const double latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    json line = {{"time", utc_now()},
                 {"method", method},
                 {"path", path},
                 {"status", response.status},
                 {"errno", response.errno_value < 0 ? json(nullptr) : json(response.errno_value)},
                 {"latency_ms", latency_ms}};
    const auto text = line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    std::lock_guard lock(log_mutex);
    *log << text << std::flush;
  }

  Handler handler;
  ServerLimits limits;
  std::ostream* log;
  std::mutex log_mutex;
  std::atomic<bool> stopping{false};
  Acceptor acceptor;
  std::thread thread;
  std::atomic<int> bound_port{0};
  std::string host = "127.0.0.1";
};

HttpServer::HttpServer(Service& service, ServerLimits limits, std::ostream* log)
    : HttpServer([&service](const WireRequest& request,
                            const fixture::SelfAddress& self) { return service.handle(request, self); },
                 limits, log) {}

HttpServer::HttpServer(Handler handler, ServerLimits limits, std::ostream* log)
    : impl_(std::make_unique<Impl>(std::move(handler), limits, log)) {}

HttpServer::~HttpServer() { stop(); }

namespace {
int bind_to(httplib::Server& server, const std::string& host, int port) {
  if (port == 0) return server.bind_to_any_port(host);
  return server.bind_to_port(host, port) ? port : -1;
}
}  // namespace

int HttpServer::start(const std::string& host, int port) {
  impl_->host = host;
  const int bound = bind_to(impl_->acceptor, host, port);
  if (bound <= 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  impl_->bound_port = bound;
  impl_->thread = std::thread([this] { impl_->acceptor.listen_after_bind(); });
  // stop() is a no-op until httplib marks itself running: wait for that.
  for (int i = 0; i < 5000 && !impl_->acceptor.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return bound;
}

bool HttpServer::listen(const std::string& host, int port, const std::function<void(int)>& on_bound) {
  impl_->host = host;
  const int bound = bind_to(impl_->acceptor, host, port);
  if (bound <= 0) return false;
  impl_->bound_port = bound;
  if (on_bound) on_bound(bound);
  return impl_->acceptor.listen_after_bind();
}

void HttpServer::stop() {
  impl_->stopping = true;
  if (impl_->acceptor.is_running() || impl_->thread.joinable()) impl_->acceptor.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int HttpServer::port() const { return impl_->bound_port; }

std::string HttpServer::base_url() const {
  return "http://" + impl_->host + ":" + std::to_string(impl_->bound_port.load());
}

}  // namespace otaconf::refserver
