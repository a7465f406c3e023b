// Fuzz target: OneNET Authorization token parsing and verification.
//
// Oracle (differential): for the same header value and the same fixed clock,
// the reference server's verifier (reference/server/src/auth.cc, written from
// the notes) and the harness's spec-driven verifier (oracle::
// verify_authorization, driven by the spec's token parameters, string to
// sign and encodings) must reach the same status (ok, missing, malformed,
// unknown-key, bad-signature, expired) and, when ok, the same product and
// device name; under the strict profile (URL-encoded values only) and the
// lenient one (raw values too).
#include <cstddef>
#include <cstdint>

#include "auth.h"
#include "otaconf/oracle.h"
#include "support/fuzz_support.h"

namespace {

using namespace otaconf;

std::string server_status(const refserver::AuthResult& result) { return result.ok ? "ok" : result.reason; }

// malformed and unknown-key both mean "no usable token".
std::string status_class(const std::string& status) { return status == "unknown-key" ? "malformed" : status; }

void compare(const spec::Profile& profile, bool raw_values_ok, const std::string& header) {
  const auto& spec = fuzz::shipped_spec();
  const refserver::TokenVerifier verifier(fuzz::default_fixture(), raw_values_ok, refserver::Fault::None);
  const auto server = verifier.verify(header, fuzz::kNow);
  const auto harness =
      oracle::verify_authorization(*spec.authorization, profile, fuzz::default_fixture(), header, fuzz::kNow, nullptr);
  const bool agree =
      status_class(server_status(server)) == status_class(harness.status) &&
      (!server.ok || (server.product == harness.product && server.device_name.value_or("") == harness.device_name));
  if (!agree) {
    fuzz::oracle_failure("the two token verifiers disagree",
                         "profile " + profile.id + "\nheader: " + fuzz::printable(header) + "\nreference server: " +
                             server_status(server) + " " + server.product + " " + server.device_name.value_or("") +
                             "\nharness: " + harness.status + " " + harness.product + " " + harness.device_name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string header(reinterpret_cast<const char*>(data), size);
  const auto& spec = fuzz::shipped_spec();
  compare(*spec.profile("strict"), false, header);
  compare(*spec.profile("lenient"), true, header);
  return 0;
}
