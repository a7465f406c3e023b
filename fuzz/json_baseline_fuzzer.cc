// Fuzz target: bare nlohmann::json::parse, the yardstick for fuzz/README.md
// (the client parser target's speed as a ratio of this one's, same corpus,
// same flags, one run).
//
// Oracle: none beyond the sanitizers: parsing must not crash, and a parsed
// value must serialize.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto value = nlohmann::json::parse(data, data + size, nullptr, false);
  if (!value.is_discarded()) (void)value.dump();
  return 0;
}
