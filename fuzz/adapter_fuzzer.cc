// Fuzz target: any device-side parser behind the in-process C ABI of
// otaconf_adapter.h (docs/adapters.md), chosen at configure time with
// -DOTACONF_CLIENT_ADAPTER=<library or source files>; by default the
// reference client's adapter, so the target always builds and replays.
//
// Oracle: the same differential as client_parser_fuzzer: for every profile
// the adapter's otaconf_result must agree with the spec's judgement
// (interpret_response) on accept/reject and, on accept, on errno, error,
// action and every data field; the adapter must return 0 (it ran). Build the
// adapter from sources to give libFuzzer its coverage.
#include <cstddef>
#include <cstdint>

#include "otaconf_adapter.h"
#include "support/fuzz_support.h"
#include "support/mutators.h"
#include "support/response_oracle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  otaconf::fuzz::check_response_parser(
      body, [](std::string_view text, const std::string& profile, otaconf_result& out) {
        return otaconf_adapter_parse(reinterpret_cast<const unsigned char*>(text.data()), text.size(), profile.c_str(),
                                     &out);
      });
  return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  return otaconf::fuzz::mutate_response(data, size, max_size, seed);
}
