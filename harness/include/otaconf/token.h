// Minting Authorization tokens from the spec's description of them (the
// harness side; the reference server verifies tokens with code of its own).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "otaconf/spec.h"

namespace otaconf::token {

struct TokenRequest {
  std::string res;              // products/{pid} or products/{pid}/devices/{name}
  std::int64_t et = 0;          // expiry, Unix seconds
  std::string method = "sha1";  // md5, sha1, sha256
  std::string version;          // empty: the first value the spec allows
  bool url_encode_values = true;
  std::string et_text = {};  // et as a token carries it (leading zeros kept); empty: et in decimal
};

// The signature: base64(HMAC_method(base64decode(key), string_to_sign)),
// string_to_sign joined as the spec says. nullopt when the key is not base64
// or the method is unknown.
std::optional<std::string> sign(const spec::Authorization& auth, const std::string& key_base64,
                                const TokenRequest& request);

// The whole header value, parameters in the spec's order.
std::optional<std::string> mint(const spec::Authorization& auth, const std::string& key_base64,
                                const TokenRequest& request);

// Header value with an explicit signature (for tests that tamper with it).
std::string assemble(const spec::Authorization& auth, const TokenRequest& request, const std::string& signature);

}  // namespace otaconf::token
