// Fuzz target: the reference client parser (otaclient) on check response bodies.
//
// Oracle (differential): for every profile of the shipped spec, otaclient and
// the spec's own judgement (interpret_response) must agree on accept/reject
// and, on accept, on errno, error, action and every data field; bodies the
// spec leaves open are skipped. A mismatch prints both sides and aborts.
// ASan/UBSan catch memory and arithmetic errors. $OTACONF_FUZZ_MUTANT picks
// one of otaclient's mutants (otaclient --list-mutants) to measure the oracle.
// Structure: the spec-driven response mutator (support/mutators.h) runs
// alongside libFuzzer's byte mutations.
#include <cstddef>
#include <cstdint>

#include "otaclient.h"
#include "support/fuzz_support.h"
#include "support/mutators.h"
#include "support/response_oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string mutant = otaconf::fuzz::environment("OTACONF_FUZZ_MUTANT");
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (body.size() > otaclient::kMaxBody) return 0;  // past the device's buffer: rejected by design, not judged
  otaconf::fuzz::check_response_parser(body,
                                       [&](std::string_view text, const std::string& profile, otaconf_result& out) {
                                         otaclient::parse(text, otaclient::profile_named(profile), mutant, out);
                                         return 0;
                                       });
  return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  return otaconf::fuzz::mutate_response(data, size, max_size, seed);
}
