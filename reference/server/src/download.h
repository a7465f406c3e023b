// Download tokens issued by check answers, and the Range rules of the
// download endpoint (v1 notes: Range gives 206 with that range, otherwise
// 200 with the whole file; malformed ranges get the whole file).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace otaconf::refserver {

class DownloadTokens {
 public:
  explicit DownloadTokens(std::size_t capacity = 100000) : capacity_(capacity) {}
  // A fresh unguessable token (128 bits from the CSPRNG) for a package.
  std::string issue(const std::string& package_id, std::int64_t now, std::int64_t ttl_seconds);
  // The package of a live token (`fold_case`, `prefix`: the mutants' lookups).
  std::optional<std::string> package_of(const std::string& token, std::int64_t now, bool fold_case = false,
                                        bool prefix = false);

 private:
  struct Entry {
    std::string package_id;
    std::int64_t expires = 0;
    std::uint64_t serial = 0;
  };
  void evict(std::int64_t now);

  std::mutex mutex_;
  std::map<std::string, Entry> tokens_;
  std::size_t capacity_;
  std::uint64_t next_serial_ = 0;
};

struct RangeDecision {
  enum class Kind { Whole, Partial, Unsatisfiable } kind = Kind::Whole;
  std::uint64_t first = 0, last = 0;  // inclusive, for Partial
};

// `all_forms`: also bare "a-b" and "Range=a-b" (lenient); `off_by_one`: the
// range-off-by-one mutant.
RangeDecision decide_range(const std::string& header, std::uint64_t size, bool all_forms, bool off_by_one);

}  // namespace otaconf::refserver
