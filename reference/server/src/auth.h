// Verifying OneNET Authorization tokens (format and algorithm from the
// notes): version=V&res=RES&et=ET&method=M&sign=SIGN.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mutants.h"
#include "otaconf/fixture.h"

namespace otaconf::refserver {

struct AuthResult {
  bool ok = false;
  std::string reason;  // missing, malformed, expired, bad-signature, unknown-key
  std::string product;
  std::optional<std::string> device_name;  // set for device-level tokens
  bool unscoped = false;                   // covers every device (a mutant's doing)

  // Whether the token may speak for `device`.
  bool covers(const fixture::Device& device) const;
};

class TokenVerifier {
 public:
  // `leeway_seconds`: how long past et a token is still taken (clocks differ).
  TokenVerifier(const fixture::Fixture& fixture, bool raw_values_ok, Fault fault, std::int64_t leeway_seconds = 0);
  AuthResult verify(const std::string& header, std::int64_t now) const;

 private:
  std::optional<std::string> decode_value(const std::string& value) const;

  const fixture::Fixture& fixture_;
  bool raw_values_ok_;
  Fault fault_;
  std::int64_t leeway_;
};

}  // namespace otaconf::refserver
