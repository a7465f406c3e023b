// --record FILE.har: every exchange of a run as HTTP Archive 1.2, which a
// browser's network panel opens. Filled by http::Client (thread-safe),
// written once at the end of the run.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "otaconf/http.h"

namespace otaconf::http {

class Recording {
 public:
  static constexpr std::size_t kMaxEntries = 50000;                          // past it, exchanges are counted, not kept
  static constexpr std::size_t kMaxBodyBytes = 1 << 20;                      // of each body kept
  static constexpr std::size_t kMaxTotalBodyBytes = std::size_t{256} << 20;  // of all bodies kept, in all

  void add(const Url& url, const Request& request, const Response& response,
           std::chrono::system_clock::time_point started);
  // The HAR document: {"log": {"version": "1.2", "creator", "entries"}}.
  nlohmann::json har() const;
  // Writes har() to `file`; throws InputError (one line) when it cannot.
  void write(const std::filesystem::path& file) const;

 private:
  mutable std::mutex mutex_;
  nlohmann::json entries_ = nlohmann::json::array();
  std::size_t dropped_ = 0;
  std::size_t body_bytes_ = 0;  // kept so far, against kMaxTotalBodyBytes
};

}  // namespace otaconf::http
