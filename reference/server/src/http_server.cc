// cpp-httplib glue: limits, timeouts, a bounded thread pool, one JSON log
// line per request, and JSON bodies for the errors httplib answers itself
// (414 URI too long, 413 payload too large, 400 bad request line, ...).
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "otaconf/refserver.h"

namespace otaconf::refserver {

using nlohmann::json;

namespace {

thread_local std::chrono::steady_clock::time_point request_started;
thread_local std::int64_t request_errno = -1;

WireRequest to_wire(const httplib::Request& req) {
  WireRequest wire;
  wire.method = req.method;
  wire.target = req.target;
  for (const auto& [name, value] : req.headers) {
    // httplib adds these for its own bookkeeping; they did not come over the wire.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT") continue;
    wire.headers.emplace(name, value);
  }
  wire.body = req.body;
  wire.header_values_decoded = true;
  return wire;
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

struct HttpServer::Impl {
  Impl(Service& service_in, ServerLimits limits_in, std::ostream* log_in)
      : service(service_in), limits(limits_in), log(log_in) {
    configure();
  }

  void configure() {
    server.set_tcp_nodelay(true);  // without it keep-alive requests stall on delayed ACK
    server.set_read_timeout(limits.read_timeout_seconds, 0);
    server.set_write_timeout(limits.write_timeout_seconds, 0);
    server.set_keep_alive_max_count(1000);
    server.set_keep_alive_timeout(5);
    server.set_payload_max_length(limits.max_body_bytes);
    const auto threads = static_cast<std::size_t>(std::max(1, limits.threads));
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

    server.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
      request_started = std::chrono::steady_clock::now();
      request_errno = -1;
      return httplib::Server::HandlerResponse::Unhandled;
    });
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { serve(req, res); };
    for (const char* pattern : {R"(.*)"}) {
      server.Get(pattern, handler);
      server.Post(pattern, handler);
      server.Put(pattern, handler);
      server.Delete(pattern, handler);
      server.Patch(pattern, handler);
      server.Options(pattern, handler);
    }
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) {
        res.set_content(json{{"errno", 2}, {"error", "HTTP " + std::to_string(res.status)}}.dump(), "application/json");
      }
    });
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      res.status = 200;
      res.set_content(json{{"errno", 7}, {"error", "internal error"}}.dump(), "application/json");
      request_errno = 7;
    });
    server.set_logger([this](const httplib::Request& req, const httplib::Response& res) { log_line(req, res); });
  }

  void serve(const httplib::Request& req, httplib::Response& res) {
    // The service applies Range itself (profiles differ in what they accept);
    // httplib must not apply it a second time.
    const_cast<httplib::Request&>(req).ranges.clear();
    const auto port = req.local_port > 0 ? req.local_port : bound_port.load();
    const fixture::SelfAddress self{req.local_addr + ":" + std::to_string(port), "localhost:" + std::to_string(port)};
    auto wire = service.handle(to_wire(req), self);
    request_errno = wire.errno_value;
    res.status = wire.status;
    std::string content_type = "application/octet-stream";
    for (const auto& [name, value] : wire.headers) {
      if (name == "Content-Type") {
        content_type = value;
      } else {
        res.set_header(name, value);
      }
    }
    res.set_content(std::move(wire.body), content_type);
  }

  void log_line(const httplib::Request& req, const httplib::Response& res) {
    if (!log) return;
    const bool timed = request_started.time_since_epoch().count() != 0;
    const double latency_ms =
        timed ? std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - request_started).count()
              : 0.0;
    json line = {{"time", utc_now()},          {"method", req.method}, {"path", req.path}, {"status", res.status},
                 {"errno", request_errno < 0 ? json(nullptr) : json(request_errno)}, {"latency_ms", latency_ms}};
    const auto text = line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    std::lock_guard lock(log_mutex);
    *log << text << std::flush;
    request_started = {};
  }

  Service& service;
  ServerLimits limits;
  std::ostream* log;
  std::mutex log_mutex;
  httplib::Server server;
  std::thread thread;
  std::atomic<int> bound_port{0};
  std::string host = "127.0.0.1";
};

HttpServer::HttpServer(Service& service, ServerLimits limits, std::ostream* log)
    : impl_(std::make_unique<Impl>(service, limits, log)) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::start(const std::string& host, int port) {
  impl_->host = host;
  const int bound = port == 0 ? impl_->server.bind_to_any_port(host) : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  impl_->bound_port = bound;
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // stop() is a no-op until httplib marks itself running: wait for that.
  for (int i = 0; i < 5000 && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return bound;
}

bool HttpServer::listen(const std::string& host, int port, const std::function<void(int)>& on_bound) {
  impl_->host = host;
  const int bound = port == 0 ? impl_->server.bind_to_any_port(host) : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return false;
  impl_->bound_port = bound;
  if (on_bound) on_bound(bound);
  return impl_->server.listen_after_bind();
}

void HttpServer::stop() {
  if (impl_->server.is_running() || impl_->thread.joinable()) impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int HttpServer::port() const { return impl_->bound_port; }

std::string HttpServer::base_url() const {
  return "http://" + impl_->host + ":" + std::to_string(impl_->bound_port.load());
}

}  // namespace otaconf::refserver
