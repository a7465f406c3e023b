// Fuzz target: query strings and percent-decoding, as the check endpoint
// reads them (harness interpret_request and ota-refserver's ParamReader, in
// every profile).
//
// Oracle (properties):
//  - url_decode(url_encode(x)) == x for every byte string x, and the
//    encoding uses only unreserved characters and %XX;
//  - url_decode never yields more bytes than it reads, and fails exactly
//    when a '%' is not followed by two hex digits;
//  - crypto::is_valid_utf8 agrees with nlohmann's UTF-8 validation (dump);
//  - the harness's reading of a query is stable: writing the parameters it
//    read back as a canonical query string and reading that again gives the
//    same values;
//  - both readers survive any query (sanitizers watch).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "otaconf/check_request.h"
#include "otaconf/crypto.h"
#include "otaconf/interpret.h"
#include "params.h"
#include "support/fuzz_support.h"

namespace {

using namespace otaconf;
using nlohmann::json;

bool well_formed_escapes(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      return false;
    }
  }
  return true;
}

void decoding_properties(std::string_view bytes) {
  const auto encoded = crypto::url_encode(bytes);
  const auto round_trip = crypto::url_decode(encoded);
  if (!round_trip || *round_trip != bytes)
    fuzz::oracle_failure("url_decode(url_encode(x)) != x", fuzz::printable(bytes));
  for (const char ch : encoded) {
    const auto c = static_cast<unsigned char>(ch);
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.' && c != '~' && c != '%') {
      fuzz::oracle_failure("url_encode left a reserved character", fuzz::printable(encoded));
    }
  }
  const auto decoded = crypto::url_decode(bytes);
  if (decoded.has_value() != well_formed_escapes(bytes)) {
    fuzz::oracle_failure("url_decode fails on the wrong inputs", fuzz::printable(bytes));
  }
  if (decoded && decoded->size() > bytes.size())
    fuzz::oracle_failure("url_decode grew its input", fuzz::printable(bytes));
  bool nlohmann_valid = true;
  try {
    (void)json(std::string(bytes)).dump();
  } catch (const json::type_error&) {
    nlohmann_valid = false;
  }
  if (crypto::is_valid_utf8(bytes) != nlohmann_valid) {
    fuzz::oracle_failure("is_valid_utf8 and nlohmann disagree", fuzz::printable(bytes));
  }
}

http::Request with_query(const std::string& query) {
  http::Request request;
  request.target = fuzz::check_endpoint().path + "?" + query;
  request.headers = {{"Content-Type", "application/json"}};
  return request;
}

void reading_is_stable(const spec::Profile& profile, const std::string& query) {
  const auto first = interpret::interpret_request(fuzz::check_endpoint(), profile, with_query(query));
  std::string canonical;
  for (const auto& [name, value] : first.values.items()) {
    if (!first.spellings.count(name)) continue;  // a default, not sent
    if (!canonical.empty()) canonical += "&";
    canonical += crypto::url_encode(first.spellings.at(name)) + "=" + crypto::url_encode(requests::as_text(value));
  }
  const auto second = interpret::interpret_request(fuzz::check_endpoint(), profile, with_query(canonical));
  for (const auto& [name, value] : first.values.items()) {
    if (!first.spellings.count(name)) continue;
    if (!second.values.contains(name) || second.values[name] != value) {
      fuzz::oracle_failure("re-reading a canonical query changes a value",
                           "profile " + profile.id + "\nquery: " + fuzz::printable(query) +
                               "\ncanonical: " + fuzz::printable(canonical) + "\nfield " + name + ": " + value.dump() +
                               " then " + (second.values.contains(name) ? second.values[name].dump() : "absent"));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string query(reinterpret_cast<const char*>(data), size);
  decoding_properties(query);
  for (const auto& profile : fuzz::shipped_spec().profiles) {
    reading_is_stable(profile, query);
    const refserver::ParamReader reader(fuzz::check_endpoint(), profile, refserver::rules_for(profile.id),
                                        refserver::Fault::None);
    refserver::WireRequest wire;
    wire.target = fuzz::check_endpoint().path + "?" + query;
    (void)reader.read(wire);
  }
  return 0;
}
