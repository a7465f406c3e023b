// Device-side parsers under test: a shared library implementing the C ABI of
// otaconf_adapter.h (each parse in a child process, so crashes, hangs and
// sanitizer reports become verdicts), or any program speaking the framed
// stdin/stdout protocol of docs/adapters.md.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

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
  std::string action = "none";                      // none, download, retry-later, no-update

  nlohmann::json to_json() const;
  // From the subprocess protocol's JSON line; nullopt (with `why`) if malformed.
  static std::optional<Normalized> from_json(const nlohmann::json& line, std::string* why);
  static Normalized from_c(const otaconf_result& result);
};

struct Outcome {
  enum class Kind { Parsed, Crashed, TimedOut, Garbage, Failed } kind = Kind::Failed;
  Normalized result;
  std::string detail;  // signal, stderr tail, or what was wrong with the output
};

std::string to_string(Outcome::Kind kind);

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual Outcome parse(const std::string& body, const std::string& profile) = 0;
  virtual std::string describe() const = 0;
};

// dlopen()s `path` and calls otaconf_adapter_parse in a fork per body.
// Throws std::runtime_error (one line) when the library or symbol is missing.
std::unique_ptr<Adapter> library_adapter(const std::string& path, double timeout_seconds);

// Starts `command` with /bin/sh once and reuses it; restarts it after a
// crash, a hang or garbage output.
std::unique_ptr<Adapter> command_adapter(const std::string& command, double timeout_seconds);

}  // namespace otaconf::client
