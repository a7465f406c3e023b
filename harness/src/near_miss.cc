#include "otaconf/near_miss.h"

#include <algorithm>
#include <cctype>

namespace otaconf::near_miss {

namespace {

bool has_letter(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isalpha(c); });
}

bool all_digits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string mapped(std::string text, int (*f)(int)) {
  std::transform(text.begin(), text.end(), text.begin(), [f](unsigned char c) { return static_cast<char>(f(c)); });
  return text;
}

// The first ASCII letter or digit written as its full-width form (U+FF01..U+FF5E),
// which Unicode compatibility folding (NFKC) turns back into ASCII.
std::string full_width_first(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!std::isalnum(c)) continue;
    const unsigned code = 0xFF01u + (c - 0x21u);
    std::string wide;
    wide += static_cast<char>(0xE0 | (code >> 12));
    wide += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    wide += static_cast<char>(0x80 | (code & 0x3F));
    return text.substr(0, i) + wide + text.substr(i + 1);
  }
  return {};
}

}  // namespace

std::vector<NearMiss> near_misses(const std::string& value) {
  std::vector<NearMiss> out;
  auto add = [&](const std::string& kind, const std::string& text) {
    if (text.empty() || text == value) return;
    if (std::any_of(out.begin(), out.end(), [&](const NearMiss& m) { return m.value == text; })) return;
    out.push_back({kind, text});
  };
  if (has_letter(value)) {
    add("case", mapped(value, ::toupper));
    add("case", mapped(value, ::tolower));
  }
  add("padding", " " + value);
  add("padding", value + " ");
  add("c-string", value + std::string(1, '\0') + "x");
  add("full-width", full_width_first(value));
  if (all_digits(value)) {
    add("numeric", "0" + value);  // the same number with a leading zero
    add("numeric", "+" + value);
  }
  if (value.find('.') != std::string::npos) add("numeric", value + "0");  // 1.2 and 1.20 as numbers
  add("extension", value + ".1");                                         // a prefix match takes it
  if (value.size() > 1) add("prefix", value.substr(0, value.size() - 1));
  return out;
}

std::vector<std::int64_t> text_order_misses(std::int64_t bound) {
  const auto text = std::to_string(bound);
  std::vector<std::int64_t> out;
  for (std::int64_t candidate : {bound * 10, bound / 10, std::int64_t{9}, std::int64_t{99}, std::int64_t{100},
                                 std::int64_t{1000}, bound - 1, bound + 1}) {
    if (candidate < 0 || candidate == bound) continue;
    const bool below = candidate < bound;
    const bool text_below = std::to_string(candidate) < text;
    if (below != text_below && std::find(out.begin(), out.end(), candidate) == out.end()) out.push_back(candidate);
  }
  return out;
}

}  // namespace otaconf::near_miss
