#include "fuzz_support.h"

#include <cstdio>
#include <cstdlib>

#include "embedded_spec.h"
#include "otaconf/spec_loader.h"

namespace otaconf::fuzz {

const spec::Spec& shipped_spec() {
  static const spec::Spec spec = spec::load_spec_text(kShippedSpecText, "onenet-ota-v1.json");
  return spec;
}

const spec::Endpoint& check_endpoint() {
  static const spec::Endpoint& endpoint = *shipped_spec().endpoint_by_role("check");
  return endpoint;
}

const fixture::Fixture& default_fixture() {
  static const fixture::Fixture fixture = fixture::default_fixture();
  return fixture;
}

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

bool enforce_decisions(bool by_default) {
  const auto value = environment("OTACONF_FUZZ_ENFORCE_DECISIONS");
  if (value.empty()) return by_default;
  return value != "0";
}

void oracle_failure(std::string_view what, std::string_view details) {
  std::fprintf(stderr, "ORACLE FAILURE: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(details.size()), details.data());
  std::abort();
}

std::string printable(std::string_view bytes, std::size_t limit) {
  std::string out;
  for (const char ch : bytes.substr(0, limit)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    }
  }
  if (bytes.size() > limit) out += "...(" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

}  // namespace otaconf::fuzz
