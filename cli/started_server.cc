#include "started_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string_view>

#include "otaconf/http.h"

namespace otaconf::cli {

namespace {

using process::Clock;

// A port nobody listens on now (the kernel's choice for port 0).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
    port = ntohs(address.sin_port);
  if (fd >= 0) ::close(fd);
  return port;
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  if (fd >= 0) ::close(fd);
  return ok;
}

std::string replaced(std::string command, std::string_view placeholder, const std::string& value) {
  for (auto at = command.find(placeholder); at != std::string::npos; at = command.find(placeholder, at + value.size()))
    command.replace(at, placeholder.size(), value);
  return command;
}

std::string with_port(const std::string& command, int port) {
  return replaced(command, "{port}", std::to_string(port));
}

std::string tail_of(const process::Capture& capture) {
  auto text = capture.text();
  if (text.size() > 1000) text = "..." + text.substr(text.size() - 1000);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

std::unique_ptr<StartedServer> StartedServer::start(const std::string& command, double ready_seconds,
                                                    std::string* why) {
  std::unique_ptr<StartedServer> server(new StartedServer());
  server->port_ = free_port();
  if (server->port_ == 0) {
    *why = "no free loopback port";
    return nullptr;
  }
  process::Options options;                             // stdout and stderr captured, memory watched
  options.budget.max_rss_bytes = std::size_t{1} << 34;  // a server's memory is its own business here
  server->child_ = process::Child::shell(with_port(command, server->port_), options, why);
  if (!server->child_) return nullptr;
  const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(ready_seconds * 1000));
  while (!accepts(server->port_)) {
    const auto event = server->child_->wait(-1, std::min(deadline, Clock::now() + std::chrono::milliseconds(50)));
    if (event == process::Child::Event::Exited || Clock::now() >= deadline) {
      const bool exited = event == process::Child::Event::Exited;
      const auto how = server->child_->finish(std::chrono::milliseconds(0));
      *why = (exited ? "the server " + how + " before it accepted connections on port "
                     : "the server accepted no connection on port ") +
             std::to_string(server->port_) + (exited ? "" : " within the time given (--start-timeout)") +
             "; its output: " + tail_of(server->child_->err()) + tail_of(server->child_->out());
      return nullptr;
    }
  }
  auto* self = server.get();
  server->drainer_ = std::thread([self] {
    while (!self->stopping_) {
      if (self->child_->wait(-1, Clock::now() + std::chrono::milliseconds(200)) == process::Child::Event::Exited) break;
    }
  });
  return server;
}

std::string StartedServer::stop() {
  if (!child_) return {};
  stopping_ = true;
  if (drainer_.joinable()) drainer_.join();
  const bool was_running = !child_->exited();
  if (was_running) child_->kill_group();
  const auto how = child_->finish(std::chrono::milliseconds(0));
  const auto errors = tail_of(child_->err());
  auto text = was_running ? std::string("stopped") : "it had " + how;
  if (!was_running && !errors.empty()) text += "; its stderr: " + errors;
  child_.reset();
  return text;
}

StartedServer::~StartedServer() { stop(); }

std::string provision(const std::string& command, const std::string& fixture_path, const std::string& url,
                      double seconds) {
  process::Options options;
  options.environment = {"OTACONF_FIXTURE=" + fixture_path, "OTACONF_URL=" + url};
  options.budget.max_rss_bytes = std::size_t{1} << 34;  // a provisioning tool's memory is its own business
  std::string why;
  const auto filled =
      replaced(replaced(command, "{fixture}", http::shell_quote(fixture_path)), "{url}", http::shell_quote(url));
  auto child = process::Child::shell(filled, options, &why);
  if (!child) return why;
  const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  while (child->wait(-1, deadline) != process::Child::Event::Exited) {
    if (Clock::now() >= deadline) {
      child->kill_group();
      child->finish(std::chrono::milliseconds(0));
      return "did not finish within " + std::to_string(static_cast<long>(seconds)) +
             " s (--provision-timeout); its output: " + tail_of(child->err()) + tail_of(child->out());
    }
  }
  const auto how = child->finish(std::chrono::milliseconds(0));
  if (WIFEXITED(child->status()) && WEXITSTATUS(child->status()) == 0) return {};
  return how + "; its output: " + tail_of(child->err()) + tail_of(child->out());
}

}  // namespace otaconf::cli
