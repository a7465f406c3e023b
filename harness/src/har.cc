#include "otaconf/har.h"

#include <algorithm>
#include <ctime>
#include <fstream>

#include "otaconf/crypto.h"
#include "otaconf/diagnostic.h"

namespace otaconf::http {

using nlohmann::json;

namespace {

std::string iso8601(std::chrono::system_clock::time_point when) {
  const auto seconds = std::chrono::system_clock::to_time_t(when);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03lldZ", text, static_cast<long long>(millis));
  return out;
}

json name_values(const Headers& headers) {
  json out = json::array();
  for (const auto& [name, value] : headers)
    out.push_back({{"name", crypto::escape_invalid_utf8(name)}, {"value", crypto::escape_invalid_utf8(value)}});
  return out;
}

// A body as HAR content: text when it is UTF-8, else base64; at most
// `budget` bytes of it kept.
json content(const std::string& body, const std::string& mime_type, std::size_t budget) {
  const auto kept = body.substr(0, std::min(budget, Recording::kMaxBodyBytes));
  json out = {{"size", body.size()}, {"mimeType", crypto::escape_invalid_utf8(mime_type)}};
  if (crypto::is_valid_utf8(kept)) {
    out["text"] = kept;
  } else {
    out["text"] = crypto::base64_encode(kept);
    out["encoding"] = "base64";
  }
  if (kept.size() < body.size()) out["comment"] = "the first " + std::to_string(kept.size()) + " bytes";
  return out;
}

}  // namespace

void Recording::add(const Url& url, const Request& request, const Response& response,
                    std::chrono::system_clock::time_point started) {
  // Bodies kept of this exchange, within what the whole recording may keep.
  std::size_t request_budget = 0, response_budget = 0;
  {
    std::lock_guard lock(mutex_);
    auto left = kMaxTotalBodyBytes - body_bytes_;
    request_budget = std::min({request.body.size(), kMaxBodyBytes, left});
    left -= request_budget;
    response_budget = std::min({response.body.size(), kMaxBodyBytes, left});
    body_bytes_ += request_budget + response_budget;
  }
  const auto query_at = request.target.find('?');
  json query = json::array();
  if (query_at != std::string::npos) {
    for (const auto& [name, value] : split_query(std::string_view(request.target).substr(query_at + 1)))
      query.push_back({{"name", crypto::escape_invalid_utf8(name)}, {"value", crypto::escape_invalid_utf8(value)}});
  }
  json req = {{"method", crypto::escape_invalid_utf8(request.method)},
              {"url", crypto::escape_invalid_utf8(url.base() + url.path + request.target)},
              {"httpVersion", "HTTP/1.1"},
              {"cookies", json::array()},
              {"headers", name_values(request.headers)},
              {"queryString", query},
              {"headersSize", -1},
              {"bodySize", request.body.size()}};
  if (!request.body.empty()) {
    const auto body = content(request.body, request.header("Content-Type"), request_budget);
    req["postData"] = {{"mimeType", body["mimeType"]}, {"text", body["text"]}};
  }
  json res = {{"status", response.status},
              {"statusText", ""},
              {"httpVersion", "HTTP/1.1"},
              {"cookies", json::array()},
              {"headers", name_values(response.headers)},
              {"content", content(response.body, response.header("Content-Type"), response_budget)},
              {"redirectURL", ""},
              {"headersSize", -1},
              {"bodySize", response.ok() ? static_cast<long long>(response.body.size()) : -1}};
  if (!response.ok()) res["_error"] = crypto::escape_invalid_utf8(response.error);  // no whole answer arrived
  json entry = {{"startedDateTime", iso8601(started)},
                {"time", response.elapsed_ms},
                {"request", std::move(req)},
                {"response", std::move(res)},
                {"cache", json::object()},
                {"timings", {{"send", 0}, {"wait", response.elapsed_ms}, {"receive", 0}}}};
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) {
    ++dropped_;
    return;
  }
  entries_.push_back(std::move(entry));
}

json Recording::har() const {
  std::lock_guard lock(mutex_);
  json log = {
      {"version", "1.2"}, {"creator", {{"name", "otaconf"}, {"version", OTACONF_VERSION}}}, {"entries", entries_}};
  if (dropped_ > 0) log["comment"] = std::to_string(dropped_) + " later exchanges were not kept";
  return {{"log", std::move(log)}};
}

void Recording::write(const std::filesystem::path& file) const {
  std::ofstream out(file, std::ios::binary);
  out << har().dump(1) << "\n";
  if (!out) throw InputError(Diagnostic{file.string(), "", "cannot write the file"});
}

}  // namespace otaconf::http
