#include "request_input.h"

namespace otaconf::fuzz {

namespace {

std::string_view next_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  const auto line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return line;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace

http::Request decode_request(std::string_view input) {
  http::Request request;
  auto rest = input;
  const auto target = next_line(rest);
  request.target = !target.empty() && target.front() == '/' ? std::string(target) : "/ota/check?" + std::string(target);
  while (!rest.empty()) {
    const auto line = next_line(rest);
    if (trim(line).empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    request.headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  request.body = std::string(rest);
  return request;
}

std::string encode_request(const http::Request& request) {
  std::string out = request.target + "\n";
  for (const auto& [name, value] : request.headers) out += name + ": " + value + "\n";
  out += "\n";
  out += request.body;
  return out;
}

}  // namespace otaconf::fuzz
