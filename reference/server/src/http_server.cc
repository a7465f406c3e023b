// The HTTP layer of ota-refserver (and of the mock cloud): one event loop
// (epoll) does every read and write, so a client that sends a byte a second
// holds a buffer, never a thread; complete requests go to a pool of workers
// that run the handler. Written here rather than on cpp-httplib because
// httplib's request handling cannot serve this API as documented (it never
// reads the body of a GET, which then corrupts the next keep-alive request;
// it URL-decodes header values; it answers some Range forms itself), and its
// thread-per-connection model lets slow clients starve everyone else.
//
// The parser is small and strict: size caps, one deadline for a whole
// request, an idle limit for keep-alive connections, a connection limit,
// Content-Length bodies only (two different lengths, or a length with
// Transfer-Encoding, are a 400: request smuggling), one JSON log line per
// request, and a JSON body on every error.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "otaconf/refserver.h"

namespace otaconf::refserver {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxRequestLine = 8192;
constexpr std::size_t kMaxHeaderBytes = 16384;

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

std::string header(const WireRequest& wire, const std::string& lowercase_name) {
  for (const auto& [name, value] : wire.headers) {
    if (lower(name) == lowercase_name) return value;
  }
  return {};
}

// Every value of a header (names compared without case).
std::vector<std::string> headers_named(const WireRequest& wire, const std::string& lowercase_name) {
  std::vector<std::string> out;
  for (const auto& [name, value] : wire.headers) {
    if (lower(name) == lowercase_name) out.push_back(value);
  }
  return out;
}

bool parse_head(const std::string& head, ParsedRequest& out, std::optional<ProtocolError>& error) {
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

// The body's length as the headers frame it; an error for anything that
// two parsers could frame differently (RFC 9112, section 6.3).
std::optional<std::size_t> body_length(const WireRequest& wire, const ServerLimits& limits,
                                       std::optional<ProtocolError>& error) {
  const auto lengths = headers_named(wire, "content-length");
  if (!headers_named(wire, "transfer-encoding").empty()) {
    error = lengths.empty() ? ProtocolError{501, "chunked request bodies are not supported; send Content-Length"}
                            : ProtocolError{400, "Content-Length together with Transfer-Encoding"};
    return std::nullopt;
  }
  std::size_t length = 0;
  for (const auto& text : lengths) {
    if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos) {
      error = ProtocolError{400, "Content-Length is not a number"};
      return std::nullopt;
    }
    const auto value = static_cast<std::size_t>(std::stoull(text));
    if (&text != &lengths.front() && value != length) {
      error = ProtocolError{400, "two different Content-Length values"};
      return std::nullopt;
    }
    length = value;
  }
  if (length > limits.max_body_bytes) {
    error = ProtocolError{413, "the body is larger than " + std::to_string(limits.max_body_bytes) + " bytes"};
    return std::nullopt;
  }
  return length;
}

enum class Parse { Incomplete, Complete, Failed };

// One request from the front of `buffer` (consumed when complete).
Parse parse_request(std::string& buffer, const ServerLimits& limits, ParsedRequest& out,
                    std::optional<ProtocolError>& error) {
  const auto end = buffer.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (buffer.size() <= kMaxHeaderBytes) return Parse::Incomplete;
    const auto line_end = buffer.find("\r\n");
    error = line_end == std::string::npos || line_end > kMaxRequestLine
                ? ProtocolError{414, "the request line is longer than 8 KiB"}
                : ProtocolError{431, "the request headers are longer than 16 KiB"};
    return Parse::Failed;
  }
  if (end > kMaxHeaderBytes) {
    error = ProtocolError{431, "the request headers are longer than 16 KiB"};
    return Parse::Failed;
  }
  ParsedRequest request;
  if (!parse_head(buffer.substr(0, end), request, error)) return Parse::Failed;
  const auto length = body_length(request.wire, limits, error);
  if (!length) return Parse::Failed;
  if (buffer.size() < end + 4 + *length) return Parse::Incomplete;
  request.wire.body = buffer.substr(end + 4, *length);
  buffer.erase(0, end + 4 + *length);
  out = std::move(request);
  return Parse::Complete;
}

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

WireResponse protocol_error_response(const ProtocolError& error, std::int64_t errno_value = 2) {
  WireResponse response;
  response.status = error.status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = json{{"errno", errno_value}, {"error", error.message}}.dump();
  response.errno_value = errno_value;
  return response;
}

// The handler's answer; an exception is the server failing internally (errno 7).
WireResponse run_handler(const Handler& handler, const WireRequest& request, const fixture::SelfAddress& self) {
  try {
    return handler(request, self);
  } catch (const std::exception& e) {
    return protocol_error_response({200, std::string("internal error: ") + e.what()}, 7);
  }
}

using Clock = std::chrono::steady_clock;

// A fixed pool of threads running jobs in order of arrival.
class Workers {
 public:
  explicit Workers(int count) {
    for (int i = 0; i < std::max(1, count); ++i) threads_.emplace_back([this] { run(); });
  }
  ~Workers() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  void post(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return done_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool done_ = false;
};

}  // namespace

struct HttpServer::Impl {
  enum class State { Reading, Handling, Writing };

  struct Connection {
    int fd = -1;
    State state = State::Reading;
    std::string in, out;
    std::size_t written = 0;
    Clock::time_point deadline;  // of the request being read (or of idleness), or of the answer being written
    bool request_started = false;
    bool close_after_write = false;
    int served = 0;
    fixture::SelfAddress self;
  };

  struct Completion {
    std::uint64_t id;
    std::string bytes;
    bool keep_alive;
  };

  Impl(Handler handler_in, ServerLimits limits_in, std::ostream* log_in)
      : handler(std::move(handler_in)), limits(limits_in), log(log_in) {}

  ~Impl() {
    for (int fd : {listener, events, wakeup})
      if (fd >= 0) ::close(fd);
  }

  int bind(const std::string& host_in, int port) {
    host = host_in;
    listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (listener < 0) return -1;
    int on = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
      addrinfo hints{}, *found = nullptr;  // a name ("localhost"): its first IPv4 address
      hints.ai_family = AF_INET;
      hints.ai_socktype = SOCK_STREAM;
      if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || !found) return -1;
      address.sin_addr = reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr;
      ::freeaddrinfo(found);
    }
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return -1;
    if (::listen(listener, 1024) != 0) return -1;
    socklen_t length = sizeof address;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    bound_port = ntohs(address.sin_port);
    events = ::epoll_create1(EPOLL_CLOEXEC);
    wakeup = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (events < 0 || wakeup < 0) return -1;
    watch(listener, EPOLLIN, kListenerKey);
    watch(wakeup, EPOLLIN, kWakeupKey);
    workers = std::make_unique<Workers>(limits.threads);
    return bound_port;
  }

  // The event loop: until stop().
  void run() {
    epoll_event ready[256];
    while (!stopping) {
      const int count = ::epoll_wait(events, ready, 256, 100);
      for (int i = 0; i < count; ++i) {
        const auto key = ready[i].data.u64;
        if (key == kListenerKey) {
          accept_all();
        } else if (key == kWakeupKey) {
          finish_completions();
        } else {
          on_ready(key, ready[i].events);
        }
      }
      enforce_deadlines();
    }
    ::close(listener);  // refused from now on, not queued unanswered
    listener = -1;
    workers.reset();  // lets handlers under way finish
    for (auto& [id, connection] : connections) ::close(connection.fd);
    connections.clear();
  }

  void stop() {
    stopping = true;
    if (wakeup >= 0) {
      const std::uint64_t one = 1;
      [[maybe_unused]] const auto n = ::write(wakeup, &one, sizeof one);
    }
  }

 private:
  static constexpr std::uint64_t kListenerKey = 0, kWakeupKey = 1;

  void watch(int fd, std::uint32_t what, std::uint64_t key, int operation = EPOLL_CTL_ADD) {
    epoll_event event{};
    event.events = what;
    event.data.u64 = key;
    ::epoll_ctl(events, operation, fd, &event);
  }

  fixture::SelfAddress self_of(int fd) const {
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    std::string local_host = host;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0 && local.ss_family == AF_INET) {
      char text[INET_ADDRSTRLEN];
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&local)->sin_addr, text, sizeof text);
      local_host = text;
    }
    const auto port = std::to_string(bound_port.load());
    return {local_host + ":" + port, "localhost:" + port};
  }

  void accept_all() {
    for (;;) {
      const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      if (connections.size() >= limits.max_connections) {
        // Full: a short answer, not a silent close, then the door.
        const auto text = serialize(protocol_error_response({503, "too many connections"}), false, false);
        [[maybe_unused]] const auto n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        ::close(fd);
        continue;
      }
      int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // no stalls on delayed ACK
      const auto id = next_id++;
      auto& connection = connections[id];
      connection.fd = fd;
      connection.self = self_of(fd);
      connection.deadline = Clock::now() + std::chrono::seconds(limits.idle_seconds);
      watch(fd, EPOLLIN, id);
    }
  }

  void on_ready(std::uint64_t id, std::uint32_t what) {
    const auto found = connections.find(id);
    if (found == connections.end()) return;
    auto& connection = found->second;
    if (connection.state == State::Writing && (what & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
      write_some(id, connection);
      return;
    }
    if (connection.state == State::Handling) {
      ::epoll_ctl(events, EPOLL_CTL_DEL, connection.fd, nullptr);  // closed when its answer is ready
      return;
    }
    if (connection.state != State::Reading) return;
    if (!read_some(connection)) {
      close(id);
      return;
    }
    next_request(id, connection);
  }

  // Reads what is there (bounded: a request never needs more than its head
  // and body); false when the peer closed or failed.
  bool read_some(Connection& connection) {
    const auto most = kMaxHeaderBytes + 4 + limits.max_body_bytes + 1;
    char chunk[16384];
    for (;;) {
      if (connection.in.size() > most) return true;  // the parser will refuse it
      const auto n = ::recv(connection.fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        if (!connection.request_started) {
          // One deadline for the whole request, from its first byte: a
          // byte a second does not keep it alive.
          connection.request_started = true;
          connection.deadline = Clock::now() + std::chrono::seconds(limits.read_timeout_seconds);
        }
        connection.in.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) return false;
      return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    }
  }

  // Parses the next request in the buffer: hands it to a worker, answers a
  // protocol error, or waits for more bytes.
  void next_request(std::uint64_t id, Connection& connection) {
    if (connection.in.empty()) return;
    ParsedRequest request;
    std::optional<ProtocolError> error;
    const auto parsed = parse_request(connection.in, limits, request, error);
    if (parsed == Parse::Incomplete) return;
    if (parsed == Parse::Failed) {
      const auto response = protocol_error_response(*error);
      log_line("-", "-", response, Clock::now());
      respond(id, connection, serialize(response, false, false), false);
      return;
    }
    connection.state = State::Handling;
    // Nothing is read while it is handled; a reset meanwhile (always reported) ends the watch.
    watch(connection.fd, 0, id, EPOLL_CTL_MOD);
    const bool last = connection.served + 1 >= limits.max_requests_per_connection;
    workers->post([this, id, self = connection.self, request = std::move(request), last]() mutable {
      const auto started = Clock::now();
      const auto response = run_handler(handler, request.wire, self);
      const bool keep_alive = request.keep_alive && !response.close && !stopping && !last;
      const auto path = request.wire.target.substr(0, request.wire.target.find('?'));
      // Logged before the answer leaves, so a client that has the answer finds the line.
      log_line(request.wire.method, path, response, started);
      complete({id, serialize(response, keep_alive, request.wire.method == "HEAD"), keep_alive});
    });
  }

  void complete(Completion completion) {
    {
      std::lock_guard lock(completions_mutex);
      completions.push_back(std::move(completion));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(wakeup, &one, sizeof one);
  }

  void finish_completions() {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(wakeup, &count, sizeof count);
    std::deque<Completion> done;
    {
      std::lock_guard lock(completions_mutex);
      done.swap(completions);
    }
    for (auto& completion : done) {
      const auto found = connections.find(completion.id);
      if (found == connections.end()) continue;
      ++found->second.served;
      respond(completion.id, found->second, std::move(completion.bytes), completion.keep_alive);
    }
  }

  void respond(std::uint64_t id, Connection& connection, std::string bytes, bool keep_alive) {
    connection.state = State::Writing;
    connection.out = std::move(bytes);
    connection.written = 0;
    connection.close_after_write = !keep_alive;
    connection.deadline = Clock::now() + std::chrono::seconds(limits.write_timeout_seconds);
    write_some(id, connection);
  }

  void write_some(std::uint64_t id, Connection& connection) {
    while (connection.written < connection.out.size()) {
      const auto n = ::send(connection.fd, connection.out.data() + connection.written,
                            connection.out.size() - connection.written, MSG_NOSIGNAL);
      if (n > 0) {
        connection.written += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        watch(connection.fd, EPOLLOUT, id, EPOLL_CTL_MOD);
        return;
      }
      close(id);
      return;
    }
    if (connection.close_after_write) {
      ::shutdown(connection.fd, SHUT_WR);
      close(id);
      return;
    }
    connection.state = State::Reading;
    connection.out.clear();
    connection.request_started = !connection.in.empty();
    connection.deadline = Clock::now() + std::chrono::seconds(connection.request_started ? limits.read_timeout_seconds
                                                                                         : limits.idle_seconds);
    watch(connection.fd, EPOLLIN, id, EPOLL_CTL_MOD);
    next_request(id, connection);  // a pipelined request may be waiting
  }

  void close(std::uint64_t id) {
    const auto found = connections.find(id);
    if (found == connections.end()) return;
    ::epoll_ctl(events, EPOLL_CTL_DEL, found->second.fd, nullptr);
    ::close(found->second.fd);
    connections.erase(found);
  }

  // Every 100 ms at most: a request not complete by its deadline gets a 408;
  // an idle connection, or an answer nobody reads, is closed.
  void enforce_deadlines() {
    const auto now = Clock::now();
    if (now < next_sweep) return;
    next_sweep = now + std::chrono::milliseconds(100);
    std::vector<std::uint64_t> expired;
    for (auto& [id, connection] : connections) {
      if (connection.state != State::Handling && now >= connection.deadline) expired.push_back(id);
    }
    for (const auto id : expired) {
      auto& connection = connections.at(id);
      if (connection.state == State::Reading && connection.request_started) {
        const auto response = protocol_error_response({408, "the request did not arrive in time"});
        log_line("-", "-", response, now);
        respond(id, connection, serialize(response, false, false), false);
      } else {
        close(id);
      }
    }
  }

 public:
  void log_line(const std::string& method, const std::string& path, const WireResponse& response,
                Clock::time_point started) {
    if (!log) return;
    const double latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
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
  std::atomic<int> bound_port{0};
  std::string host = "127.0.0.1";
  int listener = -1, events = -1, wakeup = -1;
  std::unique_ptr<Workers> workers;
  std::unordered_map<std::uint64_t, Connection> connections;  // the loop's alone
  std::uint64_t next_id = 2;
  Clock::time_point next_sweep{};
  std::mutex completions_mutex;
  std::deque<Completion> completions;
  std::thread thread;
};

std::string answer_in_memory(const Handler& handler, std::string_view request, const fixture::SelfAddress& self,
                             const ServerLimits& limits) {
  std::string buffer(request);
  ParsedRequest parsed;
  std::optional<ProtocolError> error;
  switch (parse_request(buffer, limits, parsed, error)) {
    case Parse::Failed: return serialize(protocol_error_response(*error), false, false);
    case Parse::Incomplete:  // on a connection: no more bytes come, the read deadline passes
      return serialize(protocol_error_response({408, "the request did not arrive in time"}), false, false);
    case Parse::Complete: break;
  }
  const auto response = run_handler(handler, parsed.wire, self);
  return serialize(response, parsed.keep_alive && !response.close, parsed.wire.method == "HEAD");
}

HttpServer::HttpServer(Service& service, ServerLimits limits, std::ostream* log)
    : HttpServer([&service](const WireRequest& request,
                            const fixture::SelfAddress& self) { return service.handle(request, self); },
                 limits, log) {}

HttpServer::HttpServer(Handler handler, ServerLimits limits, std::ostream* log)
    : impl_(std::make_unique<Impl>(std::move(handler), limits, log)) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::start(const std::string& host, int port) {
  if (impl_->bind(host, port) <= 0)
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + std::strerror(errno));
  impl_->thread = std::thread([this] { impl_->run(); });
  return impl_->bound_port;
}

bool HttpServer::listen(const std::string& host, int port, const std::function<void(int)>& on_bound) {
  if (impl_->bind(host, port) <= 0) return false;
  if (on_bound) on_bound(impl_->bound_port);
  impl_->run();
  return true;
}

void HttpServer::stop() {
  impl_->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int HttpServer::port() const { return impl_->bound_port; }

std::string HttpServer::base_url() const {
  return "http://" + impl_->host + ":" + std::to_string(impl_->bound_port.load());
}

}  // namespace otaconf::refserver
