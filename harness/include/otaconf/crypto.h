// Small wrappers over OpenSSL and the encodings the OneNET API uses.
// Error convention: decoders return std::nullopt on malformed input; nothing
// here throws except std::bad_alloc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace otaconf::crypto {

// Lower-case hex MD5 of `bytes`.
std::string md5_hex(std::string_view bytes);

// Incremental MD5 for packages generated piece by piece.
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void update(std::string_view bytes);
  std::string hex_digest();  // ends the computation

 private:
  void* context_;
};

// HMAC of `message` under `key` with "md5", "sha1" or "sha256";
// nullopt for any other method name.
std::optional<std::string> hmac(std::string_view method, std::string_view key, std::string_view message);

std::string base64_encode(std::string_view bytes);
// Strict RFC 4648 decoding (padding required, no whitespace).
std::optional<std::string> base64_decode(std::string_view text);

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);
// Decodes %XX escapes; nullopt on a malformed escape. With plus_is_space,
// '+' decodes to ' ' (application/x-www-form-urlencoded).
std::optional<std::string> url_decode(std::string_view text, bool plus_is_space = false);

// Whether `text` is fully percent-encoded: only RFC 3986 unreserved
// characters and %XX escapes. (A loop: std::regex recurses per character
// and exhausts the stack on values of a few kilobytes.)
bool is_percent_encoded(std::string_view text);

// Comparison whose time does not depend on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// `count` bytes from the operating system's CSPRNG (OpenSSL RAND_bytes).
std::string random_bytes(std::size_t count);

std::string hex_encode(std::string_view bytes);

bool is_valid_utf8(std::string_view text);

// `text` with every byte that is not part of a valid UTF-8 sequence written
// as the four characters \xNN: what a peer sent, made safe for JSON output.
std::string escape_invalid_utf8(std::string_view text);
// `text` with every such byte replaced by `with`.
std::string replace_invalid_utf8(std::string_view text, char with);

}  // namespace otaconf::crypto
