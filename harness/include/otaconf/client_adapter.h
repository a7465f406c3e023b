// Device-side parsers under test: a shared library implementing the C ABI of
// otaconf_adapter.h (each parse in a child process, so crashes, hangs and
// sanitizer reports become verdicts), or any program speaking the framed
// stdin/stdout protocol of docs/adapters.md.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "otaconf/process.h"
#include "otaconf_adapter.h"

namespace otaconf::client {

// What every adapter reports, whatever it is written in.
struct Normalized {
  bool accepted = false;
  std::string reason;
  std::int64_t errno_value = 0;
  std::string error;
  bool has_data = false;
  nlohmann::json data = nlohmann::json::object();  // the nine fields, when has_data
  std::string action = "none";                     // none, download, retry-later, no-update

  nlohmann::json to_json() const;
  // From the subprocess protocol's JSON line; nullopt (with `why`) if malformed.
  static std::optional<Normalized> from_json(const nlohmann::json& line, std::string* why);
  static Normalized from_c(const otaconf_result& result);
};

struct Outcome {
  enum class Kind { Parsed, Crashed, TimedOut, Garbage, Failed } kind = Kind::Failed;
  Normalized result;
  std::string detail;  // signal, stderr tail, or what was wrong with the output
  std::string output;  // what the parser printed meanwhile (its last bytes), when it printed anything
};

std::string to_string(Outcome::Kind kind);

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual Outcome parse(const std::string& body, const std::string& profile) = 0;
  // The same for many bodies, each outcome charged to its own body as
  // parse() would; streaming adapters keep several bodies in flight.
  virtual std::vector<Outcome> parse_many(const std::vector<std::string>& bodies, const std::string& profile);
  virtual std::string describe() const = 0;
};

// What one parse may take: wall time, and the child's memory and captured
// output (process::Budget). Past any of them the parse is a verdict.
struct AdapterLimits {
  double timeout_seconds = 5;
  process::Budget budget{64 * 1024, 512ull << 20};
};

// Loads `path` in a worker process that calls otaconf_adapter_parse for
// body after body (the library is never loaded into otaconf itself); a
// crash, hang or memory overrun there is tried again in a fresh worker, so
// it is charged to the body that causes it alone. Throws
// std::runtime_error (one line) when the library or symbol is missing or
// loading it crashes or hangs.
std::unique_ptr<Adapter> library_adapter(const std::string& path, const AdapterLimits& limits);

// Starts `command` once (directly, or with /bin/sh) and reuses it;
// restarts it after a crash, a hang, garbage output or output out of step
// with the bodies. parse_many keeps several bodies in flight.
std::unique_ptr<Adapter> command_adapter(const std::string& command, const AdapterLimits& limits);

}  // namespace otaconf::client
