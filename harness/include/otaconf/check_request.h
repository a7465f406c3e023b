// Requests to the check endpoint as data (what to send, how to authorize),
// rendered into HTTP with tokens minted from the fixture's keys.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "otaconf/fixture.h"
#include "otaconf/http.h"
#include "otaconf/spec.h"

namespace otaconf::requests {

struct Auth {
  enum class Kind { Mint, Omit, Fixed } kind = Kind::Mint;
  std::string res;  // empty: products/{the product of the request's device}
  std::string method = "sha1";
  std::int64_t lifetime = 86400;  // seconds from now to et; negative: already expired
  bool url_encode = true;
  std::string fixed;     // Kind::Fixed: this header value, as is
  int tamper_sign = -1;  // >= 0: change this character of the signature
  // A near miss of the right signature: "case" (one letter's case flipped),
  // "bit" (the last character's lowest bit flipped), "truncated" (the last
  // four characters dropped). Empty: the signature as computed.
  std::string sign_variant;
};

struct CheckRequest {
  std::vector<std::pair<std::string, nlohmann::json>> params;  // spelling -> value, in order
  std::string encoding = "query";                              // query or json-body
  std::optional<std::string> raw_query;                        // sent instead of the params
  std::optional<std::string> raw_body;
  bool content_type = true;  // send Content-Type: application/json
  http::Headers headers;     // more headers
  Auth auth;
  bool fault = false;  // add the fixture's fault-injection header

  // Replaces (or adds) the value of the parameter spelled `name`.
  CheckRequest& set(const std::string& name, nlohmann::json value);
  // Removes every parameter spelled `name`.
  CheckRequest& drop(const std::string& name);
  // Renames the parameter `from` to `to`, keeping its value.
  CheckRequest& rename(const std::string& from, const std::string& to);
  const nlohmann::json* find(const std::string& name) const;
  // A short readable form for messages: "query dev_id=6523&type=1 (auth products/123123 sha1)".
  std::string describe() const;
};

// A fixture's documented example as a request: its parameters in order, its
// authorization (omitted, another res or method, or expired) and fault flag;
// a token that is not expired lives `lifetime` seconds.
CheckRequest from_example(const fixture::Example& example, std::int64_t lifetime = 86400);

// The text a query string carries for a JSON value (strings as is).
std::string as_text(const nlohmann::json& value);

// Credentials overriding the fixture's keys (otaconf server --key/--res/--token).
struct Credentials {
  std::optional<std::string> key;
  std::optional<std::string> res;
  std::optional<std::string> token;
  http::Headers extra_headers;  // sent with every request (-H: a gateway's key, say); not judged
};

class Renderer {
 public:
  Renderer(const spec::Spec& spec, const spec::Endpoint& endpoint, const fixture::Fixture& fixture,
           Credentials credentials = {});
  // `now`: Unix seconds the token's et is counted from.
  http::Request render(const CheckRequest& request, std::int64_t now) const;
  // Whether tokens can be minted (keys known), so auth checks can run.
  bool can_mint() const;

 private:
  std::string authorization(const CheckRequest& request, std::int64_t now) const;

  const spec::Spec& spec_;
  const spec::Endpoint& endpoint_;
  const fixture::Fixture& fixture_;
  Credentials credentials_;
};

}  // namespace otaconf::requests
