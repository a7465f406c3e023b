#include "otaconf/token.h"

#include "otaconf/crypto.h"

namespace otaconf::token {

namespace {

std::string version_of(const spec::Authorization& auth, const TokenRequest& request) {
  if (!request.version.empty()) return request.version;
  for (const auto& param : auth.params) {
    if (param.name == "version" && !param.values.empty()) return param.values.front();
  }
  return {};
}

std::string value_of(const spec::Authorization& auth, const TokenRequest& request, const std::string& name,
                     const std::string& signature) {
  if (name == "version") return version_of(auth, request);
  if (name == "res") return request.res;
  if (name == "et") return request.et_text.empty() ? std::to_string(request.et) : request.et_text;
  if (name == "method") return request.method;
  if (name == "sign") return signature;
  return {};
}

}  // namespace

std::optional<std::string> sign(const spec::Authorization& auth, const std::string& key_base64,
                                const TokenRequest& request) {
  const auto key = auth.key_encoding == "base64" ? crypto::base64_decode(key_base64) : key_base64;
  if (!key) return std::nullopt;
  std::string message;
  for (std::size_t i = 0; i < auth.string_to_sign.size(); ++i) {
    if (i > 0) message += auth.separator;
    message += value_of(auth, request, auth.string_to_sign[i], {});
  }
  const auto mac = crypto::hmac(request.method, *key, message);
  if (!mac) return std::nullopt;
  return auth.sign_encoding == "base64" ? crypto::base64_encode(*mac) : crypto::hex_encode(*mac);
}

std::string assemble(const spec::Authorization& auth, const TokenRequest& request, const std::string& signature) {
  std::string header;
  for (const auto& param : auth.params) {
    if (!header.empty()) header += '&';
    const auto value = value_of(auth, request, param.name, signature);
    header += param.name + "=" + (request.url_encode_values ? crypto::url_encode(value) : value);
  }
  return header;
}

std::optional<std::string> mint(const spec::Authorization& auth, const std::string& key_base64,
                                const TokenRequest& request) {
  const auto signature = sign(auth, key_base64, request);
  if (!signature) return std::nullopt;
  return assemble(auth, request, *signature);
}

}  // namespace otaconf::token
