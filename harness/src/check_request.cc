#include "otaconf/check_request.h"

#include <algorithm>
#include <cctype>

#include "otaconf/crypto.h"
#include "otaconf/token.h"

namespace otaconf::requests {

using nlohmann::json;

CheckRequest from_example(const fixture::Example& example, std::int64_t lifetime) {
  CheckRequest request;
  for (const auto& [name, value] : example.request.items()) request.params.emplace_back(name, value);
  if (example.auth.omit) request.auth.kind = Auth::Kind::Omit;
  request.auth.res = example.auth.res;
  request.auth.method = example.auth.method;
  // A day past et: expired under any clock-skew leeway (AMB.CLOCK_SKEW).
  request.auth.lifetime = example.auth.expired ? -86400 : lifetime;
  request.fault = example.fault;
  return request;
}

std::string as_text(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

CheckRequest& CheckRequest::set(const std::string& name, json value) {
  for (auto& [spelling, current] : params) {
    if (spelling == name) {
      current = std::move(value);
      return *this;
    }
  }
  params.emplace_back(name, std::move(value));
  return *this;
}

CheckRequest& CheckRequest::drop(const std::string& name) {
  params.erase(std::remove_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; }),
               params.end());
  return *this;
}

CheckRequest& CheckRequest::rename(const std::string& from, const std::string& to) {
  for (auto& param : params) {
    if (param.first == from) param.first = to;
  }
  return *this;
}

const json* CheckRequest::find(const std::string& name) const {
  for (const auto& [spelling, value] : params) {
    if (spelling == name) return &value;
  }
  return nullptr;
}

std::string CheckRequest::describe() const {
  std::string out = encoding + " ";
  if (raw_query) {
    out += raw_query->substr(0, 120);
  } else {
    bool first = true;
    for (const auto& [name, value] : params) {
      out += (first ? "" : "&") + name + "=" + value.dump(-1, ' ', false, json::error_handler_t::replace);
      first = false;
    }
  }
  switch (auth.kind) {
    case Auth::Kind::Omit: out += " (no Authorization)"; break;
    case Auth::Kind::Fixed: out += " (Authorization: " + auth.fixed.substr(0, 60) + ")"; break;
    case Auth::Kind::Mint:
      out += " (token " + (auth.res.empty() ? std::string("of the device's product") : auth.res) + " " + auth.method +
             (auth.lifetime < 0 ? ", expired " + std::to_string(-auth.lifetime) + " s ago" : "") +
             (auth.url_encode ? "" : ", raw values") + (auth.tamper_sign >= 0 ? ", signature tampered" : "") +
             (auth.sign_variant.empty() ? "" : ", signature near miss: " + auth.sign_variant) + ")";
      break;
  }
  if (fault) out += " (fault injected)";
  return out;
}

Renderer::Renderer(const spec::Spec& spec, const spec::Endpoint& endpoint, const fixture::Fixture& fixture,
                   Credentials credentials)
    : spec_(spec), endpoint_(endpoint), fixture_(fixture), credentials_(std::move(credentials)) {}

bool Renderer::can_mint() const { return spec_.authorization.has_value() && !credentials_.token; }

namespace {

// The signature a wrong comparison takes for the right one (Auth::sign_variant).
std::string near_signature(std::string signature, const std::string& variant) {
  if (variant.empty() || signature.size() < 8) return signature;
  if (variant == "case") {
    for (auto& c : signature) {
      if (std::isalpha(static_cast<unsigned char>(c))) {
        c = static_cast<char>(std::isupper(static_cast<unsigned char>(c)) ? std::tolower(c) : std::toupper(c));
        break;
      }
    }
  } else if (variant == "bit") {
    // The last character before padding, one bit away in the base64 alphabet.
    const auto last = signature.find_last_not_of('=');
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto at = alphabet.find(signature[last]);
    if (at != std::string::npos) signature[last] = alphabet[at ^ 1u];
  } else if (variant == "truncated") {
    signature.resize(signature.size() - 4);
  }
  return signature;
}

}  // namespace

std::string Renderer::authorization(const CheckRequest& request, std::int64_t now) const {
  const auto& auth = request.auth;
  if (auth.kind == Auth::Kind::Omit) return {};
  if (auth.kind == Auth::Kind::Fixed) return auth.fixed;
  if (credentials_.token) return *credentials_.token;
  if (!spec_.authorization) return {};
  std::string res = auth.res.empty() && credentials_.res ? *credentials_.res : auth.res;
  std::string dev_id;
  for (const auto& [name, value] : request.params) {
    if (name == "dev_id") dev_id = as_text(value);
  }
  if (res.empty()) {
    const auto* device = fixture_.device(dev_id);
    res = "products/" + (device ? device->product : (fixture_.products.empty() ? "0" : fixture_.products.front().id));
  }
  // The key that signs res: the override, the device's own, or the product's.
  std::string key;
  if (credentials_.key) {
    key = *credentials_.key;
  } else if (const auto slash = res.find("/devices/"); slash != std::string::npos) {
    const auto* device = fixture_.device_named(res.substr(9, slash - 9), res.substr(slash + 9));
    if (device && device->access_key) key = *device->access_key;
  } else if (res.size() > 9) {
    if (const auto* product = fixture_.product(res.substr(9))) key = product->access_key;
  }
  if (key.empty()) key = crypto::base64_encode("otaconf: no key for this resource");
  token::TokenRequest token_request{res, now + auth.lifetime, auth.method, {}, auth.url_encode};
  auto signature = token::sign(*spec_.authorization, key, token_request).value_or("");
  if (auth.tamper_sign >= 0 && !signature.empty()) {
    auto& c = signature[static_cast<std::size_t>(auth.tamper_sign) % signature.size()];
    c = c == 'A' ? 'B' : 'A';
  }
  signature = near_signature(signature, auth.sign_variant);
  return token::assemble(*spec_.authorization, token_request, signature);
}

http::Request Renderer::render(const CheckRequest& request, std::int64_t now) const {
  http::Request out;
  out.method = endpoint_.method;
  out.target = endpoint_.path;
  if (request.encoding == "json-body") {
    json body = json::object();
    for (const auto& [name, value] : request.params) body[name] = value;
    out.body = request.raw_body ? *request.raw_body : body.dump(-1, ' ', false, json::error_handler_t::replace);
    if (request.raw_query) out.target += "?" + *request.raw_query;
  } else {
    std::string query;
    for (const auto& [name, value] : request.params) {
      if (!query.empty()) query += '&';
      query += crypto::url_encode(name) + "=" + crypto::url_encode(as_text(value));
    }
    if (request.raw_query) query = *request.raw_query;
    if (!query.empty()) out.target += "?" + query;
    if (request.raw_body) out.body = *request.raw_body;
  }
  if (request.content_type) out.headers.emplace_back("Content-Type", "application/json");
  if (spec_.authorization) {
    const auto value = authorization(request, now);
    if (!value.empty()) out.headers.emplace_back(spec_.authorization->header, value);
  }
  if (request.fault && fixture_.fault_injection) {
    out.headers.emplace_back(fixture_.fault_injection->header, fixture_.fault_injection->value);
  }
  for (const auto& header : request.headers) out.headers.push_back(header);
  for (const auto& header : credentials_.extra_headers) out.headers.push_back(header);
  return out;
}

}  // namespace otaconf::requests
