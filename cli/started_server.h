// otaconf server --start: the server under test started by otaconf itself,
// on a free loopback port, in its own process group; stopped (the whole
// group) when the run ends. What it prints is drained all along, so a
// server that logs every request never blocks on a full pipe.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "otaconf/process.h"

namespace otaconf::cli {

class StartedServer {
 public:
  // Runs `command` with every "{port}" replaced by a free loopback port and
  // waits until that port accepts connections (at most `ready_seconds`).
  // Null, with `why` (and what the server printed), when it exits or stays
  // deaf meanwhile.
  static std::unique_ptr<StartedServer> start(const std::string& command, double ready_seconds, std::string* why);
  ~StartedServer();

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Stops it (its whole process group); how it ended, and its stderr's tail.
  std::string stop();

 private:
  StartedServer() = default;
  std::unique_ptr<process::Child> child_;
  std::thread drainer_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

}  // namespace otaconf::cli
