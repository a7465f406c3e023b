#include "download.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "otaconf/crypto.h"

namespace otaconf::refserver {

std::string DownloadTokens::issue(const std::string& package_id, std::int64_t now, std::int64_t ttl_seconds) {
  auto token = "ota_" + crypto::hex_encode(crypto::random_bytes(16));
  std::lock_guard lock(mutex_);
  if (tokens_.size() >= capacity_) evict(now);
  tokens_[token] = Entry{package_id, now + ttl_seconds, next_serial_++};
  return token;
}

std::optional<std::string> DownloadTokens::package_of(const std::string& token, std::int64_t now, bool fold_case,
                                                      bool prefix) {
  std::lock_guard lock(mutex_);
  auto found = tokens_.find(token);
  auto lower = [](std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
  };
  for (auto it = tokens_.begin(); found == tokens_.end() && (fold_case || prefix) && it != tokens_.end(); ++it) {
    const bool match =
        (fold_case && lower(it->first) == lower(token)) || (prefix && !token.empty() && it->first.rfind(token, 0) == 0);
    if (match) found = it;
  }
  if (found == tokens_.end()) return std::nullopt;
  if (found->second.expires < now) {
    tokens_.erase(found);
    return std::nullopt;
  }
  return found->second.package_id;
}

// Drops expired tokens, then the oldest tenth if still full.
void DownloadTokens::evict(std::int64_t now) {
  std::erase_if(tokens_, [now](const auto& entry) { return entry.second.expires < now; });
  if (tokens_.size() < capacity_) return;
  std::vector<std::pair<std::uint64_t, std::string>> by_age;
  for (const auto& [token, entry] : tokens_) by_age.emplace_back(entry.serial, token);
  std::sort(by_age.begin(), by_age.end());
  for (std::size_t i = 0; i < std::max<std::size_t>(1, by_age.size() / 10); ++i) tokens_.erase(by_age[i].second);
}

namespace {
std::optional<std::uint64_t> number(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}
}  // namespace

RangeDecision decide_range(const std::string& header, std::uint64_t size, bool all_forms, bool off_by_one) {
  using Kind = RangeDecision::Kind;
  std::string_view spec = header;
  if (spec.rfind("bytes=", 0) == 0) {
    spec.remove_prefix(6);
  } else if (all_forms && spec.rfind("Range=", 0) == 0) {
    spec.remove_prefix(6);
  } else if (!all_forms) {
    return {};  // malformed for this profile: the whole file
  }
  const auto dash = spec.find('-');
  if (spec.empty() || dash == std::string_view::npos || spec.find(',') != std::string_view::npos || size == 0) {
    return {};
  }
  const auto first_text = spec.substr(0, dash);
  const auto last_text = spec.substr(dash + 1);
  if (first_text.empty()) {  // suffix: the last n bytes
    const auto count = number(last_text);
    if (!count) return {};
    if (*count == 0) return {Kind::Unsatisfiable};
    return {Kind::Partial, size - std::min(*count, size), size - 1};
  }
  const auto first = number(first_text);
  const auto last = last_text.empty() ? std::optional<std::uint64_t>(size - 1) : number(last_text);
  if (!first || !last || *first > *last) return {};
  if (*first >= size) return {Kind::Unsatisfiable};
  auto end = std::min(*last, size - 1);
  if (off_by_one && !last_text.empty() && end > *first) --end;
  return {Kind::Partial, *first, end};
}

}  // namespace otaconf::refserver
