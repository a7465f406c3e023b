// ota-refserver as a library: the reference implementation of the OneNET OTA
// check API (spec/onenet-ota-v1.json) over a fixture, with fault-injected
// variants ("mutants").
//
// Independence: the decisions (which errno, which data) are written here in
// C++ from the document. Only the spellings a profile accepts are read from
// the spec's profile data; nothing here evaluates the spec's trigger rules.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "otaconf/fixture.h"
#include "otaconf/spec.h"

namespace otaconf::refserver {

// A request as it arrives, independent of the socket layer (so tests and
// fuzzers can call the handler directly).
struct WireRequest {
  std::string method = "GET";
  std::string target;                               // path and raw query, e.g. /ota/check?dev_id=1
  std::multimap<std::string, std::string> headers;  // names as received
  std::string body;
};

struct WireResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::int64_t errno_value = -1;  // for the log: -1 when the answer has no errno
  bool chunked = false;           // sent with Transfer-Encoding: chunked
  bool close = false;             // Connection: close, whatever the request asked

  std::string header(std::string_view name) const;
};

struct MutantInfo {
  std::string name;
  std::string clause;       // the clause ID it violates
  std::string description;  // one sentence
};

// Every mutant, in a stable order.
const std::vector<MutantInfo>& mutants();
const MutantInfo* find_mutant(std::string_view name);

// A legal variant: behaviour the document allows that the reference does
// not show (another reading of an ambiguity, or what HTTP leaves free).
struct VariantInfo {
  std::string name;
  std::string reading;      // the ambiguity it reads otherwise, or what it does that HTTP allows
  std::string description;  // one sentence
};
const std::vector<VariantInfo>& variants();
const VariantInfo* find_variant(std::string_view name);

struct Options {
  std::string profile = "strict";  // strict, lenient, as-documented
  std::string mutant;              // empty: the correct server
  std::string variant;             // empty: the reference's own readings
  bool fault_injection = false;    // honour the fixture's fault-injection header
  std::chrono::seconds token_ttl{2 * 24 * 3600};
  // Seconds since the epoch; tests replace it.
  std::function<std::int64_t()> clock;
};

// The transport-free core: decides check answers and serves downloads.
// Thread-safe.
class Service {
 public:
  // Throws std::invalid_argument for an unknown profile or mutant.
  Service(const spec::Spec& spec, fixture::Fixture fixture, Options options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // `self` names this server's address for download hosts written "@self".
  WireResponse handle(const WireRequest& request, const fixture::SelfAddress& self);

  const fixture::Fixture& fixture() const;
  const Options& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ServerLimits {
  std::size_t max_body_bytes = 64 * 1024;
  int read_timeout_seconds = 5;        // for a whole request (head and body), from its first byte
  int write_timeout_seconds = 5;       // for a whole answer
  int idle_seconds = 5;                // a keep-alive connection waiting for its next request
  int threads = 8;                     // workers running the handler (reading and writing is the event loop's)
  std::size_t max_connections = 4096;  // past it, a new connection gets a 503 and is closed
  int max_requests_per_connection = 1000;
};

// What answers a request (a Service, or another handler such as the mock cloud).
using Handler = std::function<WireResponse(const WireRequest&, const fixture::SelfAddress&)>;

// The bytes the HTTP server writes back when `request` (the bytes of one
// request) arrives on a new connection: the handler's answer, a protocol
// error, or the 408 of a request that never completes. No sockets: the
// in-process handler of otaconf_server.h (handler_abi.cc) and the fuzzers.
std::string answer_in_memory(const Handler& handler, std::string_view request, const fixture::SelfAddress& self,
                             const ServerLimits& limits = {});

// The HTTP server over a Service or a Handler: an event loop for every read
// and write, a pool of workers for the handler (http_server.cc).
class HttpServer {
 public:
  // log: one JSON line per request; nullptr for none (--quiet).
  HttpServer(Service& service, ServerLimits limits = {}, std::ostream* log = nullptr);
  HttpServer(Handler handler, ServerLimits limits = {}, std::ostream* log = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0: any free port) and serves on a background
  // thread; returns the bound port. Throws std::runtime_error on failure.
  int start(const std::string& host = "127.0.0.1", int port = 0);
  // Serves on the calling thread until stop(); returns false if binding fails.
  bool listen(const std::string& host, int port, const std::function<void(int)>& on_bound);
  void stop();
  int port() const;
  std::string base_url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace otaconf::refserver
