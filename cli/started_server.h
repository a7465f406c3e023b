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

// --provision: a user command that puts the fixture's state into the server
// under test before the suite (Pact's provider-state hook). "{fixture}"
// becomes the fixture file's path and "{url}" the server's URL, both
// shell-quoted; both are also in $OTACONF_FIXTURE and $OTACONF_URL. Empty
// when it exits 0 within `seconds`; else why, with the tail of its output.
std::string provision(const std::string& command, const std::string& fixture_path, const std::string& url,
                      double seconds);

}  // namespace otaconf::cli
