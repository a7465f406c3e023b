#include "otaconf/http.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include "otaconf/har.h"

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
    pairs.emplace_back(pair.substr(0, equals),
                       equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
  }
  return pairs;
}
std::string Response::header(std::string_view name) const { return find_header(headers, name); }

std::string Url::base() const { return scheme + "://" + host + ":" + std::to_string(port); }

std::optional<Url> parse_url(const std::string& text, std::string* why) {
  static const std::regex syntax(
      R"(^(https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:([0-9]{1,5}))?(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$)");
  // A host name has at most 253 bytes; the bound also keeps std::regex,
  // which recurses per character, off long hostile input.
  constexpr std::size_t kMaxUrl = 300;
  std::smatch match;
  if (text.size() > kMaxUrl || !std::regex_match(text, match, syntax)) {
    if (why) *why = "not a URL of the form http://host[:port][/base/path]: '" + text + "'";
    return std::nullopt;
  }
  Url url;
  url.scheme = match[1].str();
  url.host = match[2].str();
  url.port = match[4].matched ? std::stoi(match[4].str()) : (url.scheme == "https" ? 443 : 80);
  url.path = match[5].str();
  while (!url.path.empty() && url.path.back() == '/') url.path.pop_back();
  if (url.port < 1 || url.port > 65535) {
    if (why) *why = "port out of range in '" + text + "'";
    return std::nullopt;
  }
  return url;
}

namespace {

using Clock = std::chrono::steady_clock;

// An exchange that ended early: what went wrong, for Response::error.
struct Failure {
  std::string what;
};

std::string describe_errno(const char* doing, int error) { return std::string(doing) + ": " + std::strerror(error); }

std::string bytes_text(std::size_t n) { return std::to_string(n) + " byte" + (n == 1 ? "" : "s"); }

// One TCP (or TLS) connection with every wait bounded by the exchange's deadline.
class Connection {
 public:
  // `tls`: the context https connections are made with (null for http).
  Connection(const Url& url, Clock::time_point deadline, double deadline_seconds, SSL_CTX* tls)
      : url_(url), deadline_(deadline), deadline_seconds_(deadline_seconds) {
    open_socket();
    if (url.scheme == "https") start_tls(tls);
  }
  ~Connection() {
    if (ssl_) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }

  void write_all(std::string_view data) {
    while (!data.empty()) {
      const auto n = write_some(data);
      data.remove_prefix(n);
    }
  }

  // TLS wants the socket readable or writable before it can go on: waits
  // for that (bounded by the deadline) and says so; false for other errors.
  bool tls_waited(int ssl_error, const char* doing) {
    if (ssl_error == SSL_ERROR_WANT_READ) {
      wait(POLLIN, doing);
      return true;
    }
    if (ssl_error == SSL_ERROR_WANT_WRITE) {
      wait(POLLOUT, doing);
      return true;
    }
    return false;
  }

  // Appends what arrives (at most `most` bytes) to `buffer`; 0 at end of stream.
  std::size_t read_some(std::string& buffer, std::size_t most) {
    char chunk[16384];
    const auto want = std::min(most, sizeof chunk);
    for (;;) {
      if (ssl_) {
        const int n = SSL_read(ssl_, chunk, static_cast<int>(want));
        if (n > 0) return append(buffer, chunk, static_cast<std::size_t>(n));
        const int why = SSL_get_error(ssl_, n);
        if (why == SSL_ERROR_ZERO_RETURN) return 0;
        if (tls_waited(why, "reading the answer")) continue;
        if (why == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return 0;  // closed without close_notify
        throw Failure{"TLS read failed"};
      }
      const auto n = ::recv(fd_, chunk, want, 0);
      if (n > 0) return append(buffer, chunk, static_cast<std::size_t>(n));
      if (n == 0) return 0;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        wait(POLLIN, "reading the answer");
      } else if (errno != EINTR) {
        throw Failure{describe_errno("reading the answer", errno)};
      }
    }
  }

  // Whether the peer has closed the connection (or sent bytes nobody asked for).
  bool stale() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
  }

 private:
  static std::size_t append(std::string& buffer, const char* data, std::size_t n) {
    buffer.append(data, n);
    return n;
  }

  void wait(short events, const char* doing) {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
      if (left <= 0)
        throw Failure{std::string("the exchange passed its deadline of ") + seconds_text() + " while " + doing};
      pollfd p{fd_, events, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
      if (ready > 0) return;
      if (ready < 0 && errno != EINTR) throw Failure{describe_errno("waiting for the server", errno)};
    }
  }

  std::string seconds_text() const {
    std::ostringstream out;
    out << deadline_seconds_ << " s";
    return out.str();
  }

  std::size_t write_some(std::string_view data) {
    for (;;) {
      if (ssl_) {
        const int n = SSL_write(ssl_, data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 20)));
        if (n > 0) return static_cast<std::size_t>(n);
        if (tls_waited(SSL_get_error(ssl_, n), "sending the request")) continue;
        throw Failure{"TLS write failed"};
      }
      const auto n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        wait(POLLOUT, "sending the request");
      } else if (errno != EINTR) {
        throw Failure{describe_errno("sending the request", errno)};
      }
    }
  }

  void open_socket() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    auto host = url_.host;
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    const int status = ::getaddrinfo(host.c_str(), std::to_string(url_.port).c_str(), &hints, &found);
    if (status != 0) throw Failure{"cannot resolve " + url_.host + ": " + ::gai_strerror(status)};
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
    std::string last = "no address for " + url_.host;
    for (auto* a = found; a; a = a->ai_next) {
      fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
      if (fd_ < 0) continue;
      if (::connect(fd_, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
        try {
          wait(POLLOUT, "connecting");
        } catch (const Failure&) {
          ::close(fd_);
          fd_ = -1;
          throw;
        }
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error == 0) {
          const int one = 1;  // requests go out whole: no delayed-ACK stalls on keep-alive
          ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          return;
        }
        last = describe_errno(("connecting to " + url_.base()).c_str(), error);
      } else {
        last = describe_errno(("connecting to " + url_.base()).c_str(), errno);
      }
      ::close(fd_);
      fd_ = -1;
    }
    throw Failure{last};
  }

  void start_tls(SSL_CTX* context) {
    if (!context) throw Failure{"cannot set up TLS"};
    ssl_ = SSL_new(context);
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) throw Failure{"cannot set up TLS"};
    // The name (or address) the certificate must carry; SNI only for names.
    const std::string host = url_.host.front() == '[' ? url_.host.substr(1, url_.host.size() - 2) : url_.host;
    if (host.find_first_not_of("0123456789.") == std::string::npos || host.find(':') != std::string::npos) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_, host.c_str());
      SSL_set1_host(ssl_, host.c_str());
    }
    for (;;) {
      const int n = SSL_connect(ssl_);
      if (n == 1) return;
      if (!tls_waited(SSL_get_error(ssl_, n), "the TLS handshake")) throw Failure{handshake_failure()};
    }
  }

  std::string handshake_failure() const {
    const long verified = SSL_get_verify_result(ssl_);
    if (verified != X509_V_OK) {
      return std::string("the TLS handshake failed: the server's certificate is not trusted (") +
             X509_verify_cert_error_string(verified) + "; --cacert FILE trusts its issuer, --insecure skips the check)";
    }
    return "the TLS handshake failed";
  }

  Url url_;
  Clock::time_point deadline_;
  double deadline_seconds_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return std::string(text.substr(first, last - first + 1));
}

// Where an answer's bytes come from: appends at most `most` bytes to the
// buffer and returns how many; 0 at the end of the stream.
using ByteSource = std::function<std::size_t(std::string& buffer, std::size_t most)>;

// Reads one answer from `source` (a connection, or bytes in memory), within
// `limits`. `pending` holds bytes already read past the previous answer, and
// on return the bytes read past this one. Parsed bytes are consumed by an
// offset (the buffer is compacted now and then), so an answer of many tiny
// chunks or interim answers costs linear time, not quadratic.
class AnswerReader {
 public:
  AnswerReader(ByteSource source, const Limits& limits, std::string& pending)
      : source_(std::move(source)), limits_(limits), buffer_(pending) {}

  // Fills `out` (status, headers, body); true when the connection may be reused.
  bool read(const std::string& method, Response& out) {
    const bool reusable = read_answer(method, out);
    buffer_.erase(0, start_);
    start_ = 0;
    return reusable;
  }

 private:
  static constexpr int kMaxInterimAnswers = 100;

  bool read_answer(const std::string& method, Response& out) {
    for (int interim = 0;; ++interim) {
      if (interim > kMaxInterimAnswers) {
        throw Failure{"more than " + std::to_string(kMaxInterimAnswers) + " interim (1xx) answers"};
      }
      read_head(out);
      if (out.status >= 200 || out.status == 101) break;  // 1xx: an interim answer, another follows
      out.headers.clear();
    }
    const bool reusable = keep_alive(out);
    if (method == "HEAD" || out.status == 204 || out.status == 304 || out.status / 100 == 1) return reusable;
    const auto encoding = lower(out.header("Transfer-Encoding"));
    if (!encoding.empty() && encoding.find("chunked") != std::string::npos) {
      read_chunked(out);
      return reusable;
    }
    const auto lengths = content_lengths(out);
    if (lengths.size() > 1) throw Failure{"the answer has Content-Length headers that disagree"};
    if (lengths.empty()) {
      read_to_close(out);
      return false;
    }
    read_exactly(out, lengths.front());
    return reusable;
  }

  std::string_view unread() const { return std::string_view(buffer_).substr(start_); }

  void consume(std::size_t n) {
    start_ += n;
    if (start_ >= 65536 && start_ * 2 >= buffer_.size()) {
      buffer_.erase(0, start_);
      start_ = 0;
    }
  }

  void read_head(Response& out) {
    std::size_t end;
    std::size_t separator = 4;
    for (;;) {
      // Only the first max_header_bytes can hold the end of a head we accept.
      const auto window = unread().substr(0, limits_.max_header_bytes + 4);
      end = window.find("\r\n\r\n");
      const auto bare = window.find("\n\n");
      if (bare != std::string_view::npos && (end == std::string_view::npos || bare < end)) {
        end = bare;
        separator = 2;
      }
      if (end != std::string_view::npos) break;
      if (unread().size() > limits_.max_header_bytes) {
        throw Failure{"the answer's status line and headers passed the limit of " +
                      bytes_text(limits_.max_header_bytes) + " (" + bytes_text(unread().size()) + " arrived)"};
      }
      if (fill(limits_.max_header_bytes + 4 - unread().size()) == 0) {
        throw Failure{unread().empty() ? "the server closed the connection without answering"
                                       : "the server closed the connection after " + bytes_text(unread().size()) +
                                             " of status line and headers"};
      }
    }
    if (end > limits_.max_header_bytes) {
      throw Failure{"the answer's status line and headers passed the limit of " + bytes_text(limits_.max_header_bytes)};
    }
    const std::string head(unread().substr(0, end));
    consume(end + separator);
    parse_head(head, out);
  }

  static void parse_head(const std::string& head, Response& out) {
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (line.size() < 12 || line.compare(0, 7, "HTTP/1.") != 0 || line[8] != ' ' ||
        !std::isdigit(static_cast<unsigned char>(line[9])) || !std::isdigit(static_cast<unsigned char>(line[10])) ||
        !std::isdigit(static_cast<unsigned char>(line[11]))) {
      throw Failure{"the answer does not start with an HTTP/1.x status line"};
    }
    out.status = std::stoi(line.substr(9, 3));
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      const auto colon = line.find(':');
      if (colon == std::string::npos || colon == 0) throw Failure{"the answer has a header line without a name"};
      out.headers.emplace_back(line.substr(0, colon), trim(std::string_view(line).substr(colon + 1)));
    }
  }

  static bool keep_alive(const Response& out) {
    const auto connection = lower(out.header("Connection"));
    return connection.find("close") == std::string::npos;
  }

  static std::vector<std::uint64_t> content_lengths(const Response& out) {
    std::vector<std::uint64_t> values;
    for (const auto& [name, value] : out.headers) {
      if (lower(name) != "content-length") continue;
      if (value.empty() || value.size() > 19 ||
          !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
        throw Failure{"the answer's Content-Length is not a number: '" + value.substr(0, 40) + "'"};
      }
      const auto n = std::stoull(value);
      if (std::find(values.begin(), values.end(), n) == values.end()) values.push_back(n);
    }
    return values;
  }

  void body_limit(std::size_t size) const {
    if (size > limits_.max_body_bytes) {
      throw Failure{"the answer's body passed the limit of " + bytes_text(limits_.max_body_bytes)};
    }
  }

  void read_exactly(Response& out, std::uint64_t length) {
    if (length > limits_.max_body_bytes) {
      throw Failure{"the answer announces a body of " + bytes_text(length) + ", past the limit of " +
                    bytes_text(limits_.max_body_bytes)};
    }
    const auto n = static_cast<std::size_t>(length);
    while (unread().size() < n) {
      if (fill(n - unread().size()) == 0) {
        throw Failure{"the server closed the connection after " + bytes_text(unread().size()) + " of a " +
                      bytes_text(n) + " body"};
      }
    }
    out.body = std::string(unread().substr(0, n));
    consume(n);
  }

  void read_to_close(Response& out) {
    while (fill(limits_.max_body_bytes + 1 - std::min(unread().size(), limits_.max_body_bytes)) > 0) {
      body_limit(unread().size());
    }
    body_limit(unread().size());
    out.body = std::string(unread());
    consume(unread().size());
  }

  // A line of the chunked framing, without its CRLF.
  std::string framing_line() {
    constexpr std::size_t kMaxLine = 4096;  // a chunk size with extensions, or a trailer
    for (;;) {
      const auto end = unread().substr(0, kMaxLine + 1).find('\n');
      if (end != std::string_view::npos) {
        std::string line(unread().substr(0, end));
        consume(end + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (unread().size() > kMaxLine) throw Failure{"a chunk-size or trailer line passed " + bytes_text(kMaxLine)};
      if (fill(kMaxLine + 1) == 0) throw Failure{"the server closed the connection inside the chunked body"};
    }
  }

  void read_chunked(Response& out) {
    std::size_t trailer_bytes = 0;
    for (;;) {
      const auto line = framing_line();
      const auto digits = line.substr(0, line.find(';'));
      const auto size_text = trim(digits);
      if (size_text.empty() || size_text.size() > 15 ||
          !std::all_of(size_text.begin(), size_text.end(), [](unsigned char c) { return std::isxdigit(c); })) {
        throw Failure{"a chunk size is not hexadecimal: '" + line.substr(0, 40) + "'"};
      }
      const auto size = static_cast<std::size_t>(std::stoull(size_text, nullptr, 16));
      if (size == 0) break;
      body_limit(out.body.size() + size);
      while (unread().size() < size + 2) {
        if (fill(size + 2 - unread().size()) == 0) throw Failure{"the server closed the connection inside a chunk"};
      }
      out.body.append(unread().substr(0, size));
      if (unread().substr(size, 2) != "\r\n") throw Failure{"a chunk does not end with CRLF"};
      consume(size + 2);
    }
    for (;;) {  // trailers, up to an empty line
      const auto line = framing_line();
      if (line.empty()) return;
      trailer_bytes += line.size();
      if (trailer_bytes > limits_.max_header_bytes) throw Failure{"the chunked trailers passed the header limit"};
    }
  }

  std::size_t fill(std::size_t most) {
    const auto n = source_(buffer_, std::max<std::size_t>(most, 1));
    received_ += n;
    return n;
  }

 public:
  std::size_t received() const { return received_; }

 private:
  ByteSource source_;
  const Limits& limits_;
  std::string& buffer_;
  std::size_t start_ = 0;  // bytes of buffer_ already parsed
  std::size_t received_ = 0;
};

}  // namespace

std::string request_bytes(const Url& url, const Request& request) {
  std::string text =
      request.method + " " + url.path + (request.target.empty() ? "/" : request.target) + " HTTP/1.1\r\n";
  if (request.header_count("Host") == 0) {
    const bool default_port = (url.scheme == "http" && url.port == 80) || (url.scheme == "https" && url.port == 443);
    text += "Host: " + url.host + (default_port ? "" : ":" + std::to_string(url.port)) + "\r\n";
  }
  if (request.header_count("Accept") == 0) text += "Accept: */*\r\n";
  if (request.header_count("User-Agent") == 0) text += "User-Agent: otaconf\r\n";
  for (const auto& [name, value] : request.headers) text += name + ": " + value + "\r\n";
  if (!request.body.empty() && request.header_count("Content-Type") == 0) {
    text += "Content-Type: application/octet-stream\r\n";
  }
  if (request.header_count("Content-Length") == 0 &&
      (!request.body.empty() || request.method == "POST" || request.method == "PUT")) {
    text += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  return text + "\r\n" + request.body;
}

Response parse_response(std::string_view bytes, const std::string& method, const Limits& limits) {
  Response out;
  std::string buffer;
  std::size_t offset = 0;
  // Handed out as a connection would: at most what the reader asks for.
  AnswerReader reader(
      [bytes, &offset](std::string& into, std::size_t most) {
        const auto piece = bytes.substr(offset, std::min<std::size_t>(most, 16384));
        into.append(piece);
        offset += piece.size();
        return piece.size();
      },
      limits, buffer);
  try {
    reader.read(method, out);
  } catch (const Failure& failure) {
    out = Response{};
    out.error = failure.what;
  }
  out.received_bytes = bytes.size();
  return out;
}

namespace {

// RFC 3986 characters of an origin-form target (path and query); anything
// else (space, '#', '"', '{', '|', ...) a server may refuse with a 400.
bool target_char(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("-._~%!$&'()*+,;=:@/?").find(static_cast<char>(c)) != std::string_view::npos;
}

bool token_char(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool token(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return token_char(static_cast<unsigned char>(c)); });
}

bool field_value(const std::string& value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return (b < 0x20 && b != '\t') || b == 0x7f;
  });
}

// host[:port] as a Host header carries it (a name, an IPv4 or a bracketed IPv6 address).
bool host_value(const std::string& value) {
  return !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view(".-:[]").find(c) != std::string_view::npos;
  });
}

}  // namespace

bool well_formed(const Request& request) {
  constexpr std::size_t kMaxHead = 8000;  // the request line every server must read (RFC 9112, section 3)
  std::size_t head = request.method.size() + request.target.size() + 12;
  for (const auto& [name, value] : request.headers) head += name.size() + value.size() + 4;
  const bool target = !request.target.empty() && request.target.front() == '/' &&
                      std::all_of(request.target.begin(), request.target.end(),
                                  [](char c) { return target_char(static_cast<unsigned char>(c)); });
  // Framed one way only (no Transfer-Encoding, every Content-Length the
  // body's), at most one Host, and no Expect a server may answer 417.
  const auto length = std::to_string(request.body.size());
  const bool framed = std::all_of(request.headers.begin(), request.headers.end(), [&](const auto& header) {
    if (same_name(header.first, "Transfer-Encoding") || same_name(header.first, "Expect")) return false;
    if (same_name(header.first, "Host")) return host_value(header.second);
    return !same_name(header.first, "Content-Length") || header.second == length;
  });
  return head <= kMaxHead && token(request.method) && target && framed && request.header_count("Host") <= 1 &&
         std::all_of(request.headers.begin(), request.headers.end(),
                     [](const auto& header) { return token(header.first) && field_value(header.second); });
}

namespace {

Limits limits_of(double timeout_seconds) {
  Limits limits;
  limits.deadline_seconds = timeout_seconds;
  return limits;
}

// A client context per Client: loading the system's roots is slow, so it
// is done once, not per connection.
std::shared_ptr<SSL_CTX> tls_context(const Tls& tls, std::string& why) {
  std::shared_ptr<SSL_CTX> context(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  if (!context) {
    why = "cannot set up TLS";
    return nullptr;
  }
  if (!tls.verify) {
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_NONE, nullptr);
    return context;
  }
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  const bool loaded = tls.ca_file.empty()
                          ? SSL_CTX_set_default_verify_paths(context.get()) == 1
                          : SSL_CTX_load_verify_locations(context.get(), tls.ca_file.c_str(), nullptr) == 1;
  if (!loaded) {
    why = tls.ca_file.empty() ? "cannot load the system's certificate roots"
                              : "--cacert " + tls.ca_file + ": not a readable PEM certificate file";
    return nullptr;
  }
  return context;
}

}  // namespace

RateLimiter::RateLimiter(double per_second)
    : interval_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(1.0 / per_second))),
      next_(std::chrono::steady_clock::now()) {}

void RateLimiter::wait() {
  std::chrono::steady_clock::time_point at;
  {
    std::lock_guard lock(mutex_);
    at = std::max(next_, std::chrono::steady_clock::now());
    next_ = at + interval_;
  }
  std::this_thread::sleep_until(at);
}

void Breaker::record(const Response& response) {
  if (response.ok()) {
    failures_ = 0;
    return;
  }
  std::lock_guard lock(mutex_);
  last_error_ = response.error;
  ++failures_;
}

std::string Breaker::why() const {
  std::lock_guard lock(mutex_);
  return "not sent: the server stopped answering (" + std::to_string(limit_) +
         " exchanges in a row ended without an answer; the last: " + last_error_ + ")";
}

struct Client::Impl {
  Impl(const Url& u, Limits l) : url(u), limits(std::move(l)) {
    if (url.scheme == "https") tls = tls_context(limits.tls, tls_error);
  }
  Url url;
  Limits limits;
  std::shared_ptr<SSL_CTX> tls;
  std::string tls_error;  // why `tls` could not be made
  std::shared_ptr<Breaker> breaker;
  std::shared_ptr<Recording> recording;
  std::unique_ptr<Connection> connection;
  std::string pending;  // bytes read past the last answer

  // One attempt on the current connection (or a new one).
  Response attempt(const Request& request, Clock::time_point deadline, bool& sent_on_reused) {
    Response out;
    sent_on_reused = false;
    if (connection && (connection->stale() || !pending.empty())) drop();
    const bool reused = connection != nullptr;
    std::size_t received = 0;
    try {
      if (!tls_error.empty()) throw Failure{tls_error};
      if (!connection) connection = std::make_unique<Connection>(url, deadline, limits.deadline_seconds, tls.get());
      connection->set_deadline(deadline);
      connection->write_all(request_bytes(url, request));
      sent_on_reused = reused;
      AnswerReader reader([&connection = *connection](std::string& buffer,
                                                      std::size_t most) { return connection.read_some(buffer, most); },
                          limits, pending);
      const bool reusable = [&] {
        try {
          return reader.read(request.method, out);
        } catch (...) {
          received = reader.received();
          throw;
        }
      }();
      out.received_bytes = reader.received();
      if (!reusable || !pending.empty()) drop();
    } catch (const Failure& failure) {
      drop();
      out.error = failure.what;
      out.received_bytes = received;
      if (received > 0 && failure.what.find("arrived") == std::string::npos &&
          failure.what.find(" after ") == std::string::npos) {
        out.error += " (" + bytes_text(received) + " of the answer had arrived)";
      }
    }
    return out;
  }

  void drop() {
    connection.reset();
    pending.clear();
  }
};

Client::Client(const Url& url, Limits limits) : impl_(std::make_unique<Impl>(url, limits)) {}
Client::Client(const Url& url, double timeout_seconds) : Client(url, limits_of(timeout_seconds)) {}
Client::~Client() = default;

void Client::set_breaker(std::shared_ptr<Breaker> breaker) { impl_->breaker = std::move(breaker); }
void Client::set_recording(std::shared_ptr<Recording> recording) { impl_->recording = std::move(recording); }

Response Client::send(const Request& request) {
  if (impl_->breaker && impl_->breaker->tripped()) {
    Response out;
    out.error = impl_->breaker->why();
    return out;
  }
  if (impl_->limits.rate) impl_->limits.rate->wait();
  const auto started = Clock::now();
  const auto started_at = std::chrono::system_clock::now();
  const auto deadline =
      started + std::chrono::microseconds(static_cast<long long>(impl_->limits.deadline_seconds * 1e6));
  bool sent_on_reused = false;
  auto out = impl_->attempt(request, deadline, sent_on_reused);
  // A keep-alive connection the server closed while idle fails before any
  // byte of an answer: send once more on a fresh connection.
  if (!out.ok() && sent_on_reused && out.received_bytes == 0 && Clock::now() < deadline) {
    out = impl_->attempt(request, deadline, sent_on_reused);
  }
  out.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  if (impl_->breaker) impl_->breaker->record(out);
  if (impl_->recording) impl_->recording->add(impl_->url, request, out, started_at);
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
  command += " " + shell_quote(url.base() + url.path + request.target);
  return command;
}

}  // namespace otaconf::http
