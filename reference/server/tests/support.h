// Helpers for the reference server's tests: a Service over the shipped spec
// and the default fixture, and requests built the way a device sends them.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "otaconf/crypto.h"
#include "otaconf/fixture.h"
#include "otaconf/refserver.h"
#include "otaconf/spec_loader.h"
#include "otaconf/token.h"

namespace otaconf::refserver::testing {

inline const spec::Spec& shipped_spec() {
  static const spec::Spec spec = spec::load_spec(spec::default_spec_path());
  return spec;
}

inline const fixture::SelfAddress kSelf{"127.0.0.1:8080", "localhost:8080"};
inline constexpr std::int64_t kNow = 1'700'000'000;

inline Options options_for(const std::string& profile, const std::string& mutant = "",
                           const std::string& variant = "") {
  Options options;
  options.profile = profile;
  options.mutant = mutant;
  options.variant = variant;
  options.fault_injection = true;
  options.clock = [] { return kNow; };
  return options;
}

// A token minted by the harness (independently of the server's verifier).
inline std::string token_for(const std::string& res, const std::string& method = "sha1", std::int64_t et = kNow + 3600,
                             bool url_encode = true) {
  static const auto fx = fixture::default_fixture();
  std::string key;
  const auto slash = res.find("/devices/");
  if (slash == std::string::npos) {
    key = fx.product(res.substr(9))->access_key;
  } else {
    key = *fx.device_named(res.substr(9, slash - 9), res.substr(slash + 9))->access_key;
  }
  token::TokenRequest request;
  request.res = res;
  request.et = et;
  request.method = method;
  request.url_encode_values = url_encode;
  return *token::mint(*shipped_spec().authorization, key, request);
}

inline std::string as_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

inline std::string query_of(const nlohmann::json& params) {
  std::string query;
  for (const auto& [name, value] : params.items()) {
    if (!query.empty()) query += '&';
    query += crypto::url_encode(name) + "=" + crypto::url_encode(as_text(value));
  }
  return query;
}

struct Call {
  nlohmann::json params;                 // sent as the query string (or body)
  std::string auth = "products/123123";  // res to mint for; "" sends no Authorization
  bool as_body = false;
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
};

inline WireRequest request_of(const Call& call) {
  WireRequest request;
  request.target = "/ota/check";
  if (call.as_body) {
    request.body = call.params.dump();
  } else {
    request.target += "?" + query_of(call.params);
  }
  for (const auto& [name, value] : call.headers) request.headers.emplace(name, value);
  if (!call.auth.empty()) request.headers.emplace("Authorization", token_for(call.auth));
  return request;
}

inline nlohmann::json body_of(const WireResponse& response) {
  return nlohmann::json::parse(response.body, nullptr, false);
}

inline nlohmann::json example_request() {
  return {{"dev_id", "6523"}, {"manuf", "中国移动"}, {"model", "M5310"}, {"type", 1},
          {"version", "1.2"}, {"signals", 10},       {"powers", 30},     {"cdn", true}};
}

class Server {
 public:
  explicit Server(const std::string& profile = "strict", const std::string& mutant = "",
                  const std::string& variant = "")
      : service_(shipped_spec(), fixture::default_fixture(), options_for(profile, mutant, variant)) {}
  WireResponse call(const Call& call) { return service_.handle(request_of(call), kSelf); }
  WireResponse raw(const WireRequest& request) { return service_.handle(request, kSelf); }
  std::int64_t errno_of(const Call& call) {
    const auto body = body_of(this->call(call));
    return body.is_object() && body.contains("errno") && body["errno"].is_number_integer()
               ? body["errno"].get<std::int64_t>()
               : -1;
  }
  Service& service() { return service_; }

 private:
  Service service_;
};

}  // namespace otaconf::refserver::testing
