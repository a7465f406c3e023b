#include "auth.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <string_view>

#include "otaconf/crypto.h"

namespace otaconf::refserver {

namespace {
constexpr const char* kVersion = "2018-10-31";

AuthResult failure(std::string reason) {
  AuthResult result;
  result.reason = std::move(reason);
  return result;
}

bool all_digits(std::string_view text, std::size_t max_length) {
  return !text.empty() && text.size() <= max_length &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// products/{digits} or products/{digits}/devices/{name}: product and device.
// Parsed by hand: std::regex recurses per character, so a long res would
// exhaust the stack.
std::optional<std::pair<std::string, std::optional<std::string>>> parse_resource(std::string_view res) {
  constexpr std::string_view products = "products/", devices = "/devices/";
  if (res.substr(0, products.size()) != products) return std::nullopt;
  res.remove_prefix(products.size());
  const auto slash = res.find('/');
  const auto product = res.substr(0, slash);
  if (!all_digits(product, 20)) return std::nullopt;
  if (slash == std::string_view::npos) return std::pair{std::string(product), std::optional<std::string>()};
  const auto rest = res.substr(slash);
  if (rest.substr(0, devices.size()) != devices) return std::nullopt;
  const auto device = rest.substr(devices.size());
  if (device.empty() || device.find('/') != std::string_view::npos) return std::nullopt;
  return std::pair{std::string(product), std::optional<std::string>(device)};
}
}  // namespace

bool AuthResult::covers(const fixture::Device& device) const {
  if (unscoped) return true;
  if (device.product != product) return false;
  return !device_name || *device_name == device.name;
}

TokenVerifier::TokenVerifier(const fixture::Fixture& fixture, bool raw_values_ok, Fault fault,
                             std::int64_t leeway_seconds)
    : fixture_(fixture), raw_values_ok_(raw_values_ok), fault_(fault), leeway_(leeway_seconds) {}

namespace {

// The signature check, and the ways mutants get it wrong.
bool signature_matches(const std::string& expected, const std::string& sent, Fault fault) {
  if (fault == Fault::SignCaseInsensitive) {
    return expected.size() == sent.size() &&
           std::equal(expected.begin(), expected.end(), sent.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
  }
  if (fault == Fault::SignPrefix) return expected.compare(0, 8, sent, 0, 8) == 0 && sent.size() >= 8;
  return crypto::constant_time_equal(expected, sent);
}

}  // namespace

// Strict: every value URL-encoded. Lenient: raw values too (the vendor's own
// curl examples send res=products/1 and a trailing '=' in sign).
std::optional<std::string> TokenVerifier::decode_value(const std::string& value) const {
  if (crypto::is_percent_encoded(value)) return crypto::url_decode(value);
  if (!raw_values_ok_) return std::nullopt;
  if (auto decoded = crypto::url_decode(value); decoded && value.find('%') != std::string::npos) return decoded;
  return value;
}

AuthResult TokenVerifier::verify(const std::string& header, std::int64_t now) const {
  if (header.empty()) {
    if (fault_ == Fault::AcceptMissingAuthorization) {
      AuthResult anyone;
      anyone.ok = true;
      anyone.unscoped = true;
      return anyone;
    }
    return failure("missing");
  }
  std::map<std::string, std::string> values;
  std::size_t start = 0;
  while (start <= header.size()) {
    auto end = header.find('&', start);
    if (end == std::string::npos) end = header.size();
    const auto pair = header.substr(start, end - start);
    start = end + 1;
    const auto equals = pair.find('=');
    if (equals == std::string::npos) return failure("malformed");
    auto value = decode_value(pair.substr(equals + 1));
    if (!value || !values.emplace(pair.substr(0, equals), *value).second) return failure("malformed");
  }
  for (const char* key : {"version", "res", "et", "method", "sign"}) {
    if (!values.count(key)) return failure("malformed");
  }
  const auto& method = values["method"];
  const auto resource = parse_resource(values["res"]);
  const auto& et = values["et"];
  std::int64_t expiry = 0;
  const bool et_ok = all_digits(et, 19) && std::from_chars(et.data(), et.data() + et.size(), expiry).ec == std::errc();
  if (values["version"] != kVersion || !et_ok || !resource ||
      (method != "md5" && method != "sha1" && method != "sha256")) {
    return failure("malformed");  // an et past int64 included
  }

  AuthResult result;
  result.product = resource->first;
  result.device_name = resource->second;
  const std::string* key = nullptr;
  if (result.device_name) {
    const auto* device = fixture_.device_named(result.product, *result.device_name);
    if (device && device->access_key) key = &*device->access_key;
  } else if (const auto* product = fixture_.product(result.product)) {
    key = &product->access_key;
  }
  if (!key) return failure("unknown-key");
  if (fault_ == Fault::DeviceTokenRefused && result.device_name) return failure("bad-signature");

  const bool skip_signature = fault_ == Fault::UncheckedSha256Signature && method == "sha256";
  if (!skip_signature) {
    const auto key_bytes = crypto::base64_decode(*key);
    const auto message = values["et"] + "\n" + method + "\n" + values["res"] + "\n" + values["version"];
    const auto mac = key_bytes ? crypto::hmac(method, *key_bytes, message) : std::nullopt;
    if (!mac || !signature_matches(crypto::base64_encode(*mac), values["sign"], fault_)) {
      return failure("bad-signature");
    }
  }
  const std::int64_t leeway = fault_ == Fault::ExpiryHourLeeway ? 3600 : leeway_;
  const bool checks_expiry =
      fault_ != Fault::AcceptExpiredToken && !(fault_ == Fault::DeviceTokenExpiryUnchecked && result.device_name);
  if (checks_expiry && expiry < now - leeway) return failure("expired");
  result.ok = true;
  result.unscoped = fault_ == Fault::IgnoreTokenScope;
  return result;
}

}  // namespace otaconf::refserver
