// The request codec of otaconf fuzz-server: the fuzzers' request format
// (fuzz/support/request_input.h) and their spec-aware mutators. Outside
// libFuzzer, the byte-level mutations those mutators leave to
// LLVMFuzzerMutate are the small set below.
#include <algorithm>
#include <cstdint>
#include <random>

#include "commands.h"
#include "otaconf/conformance/fuzz_server.h"
#include "support/mutators.h"
#include "support/request_input.h"

namespace {

// Seeded by each mutation (fuzz_codec's `mutate`): a seed gives the same bytes.
thread_local std::mt19937 byte_random;

}  // namespace

// libFuzzer's byte mutator, for builds without libFuzzer: flip a bit, change,
// insert or erase a byte, or duplicate a run of bytes.
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size) {
  if (size == 0) return max_size > 0 ? (data[0] = static_cast<std::uint8_t>(byte_random()), 1) : 0;
  const auto at = byte_random() % size;
  switch (byte_random() % 5) {
    case 0: data[at] ^= static_cast<std::uint8_t>(1u << (byte_random() % 8)); return size;
    case 1: data[at] = static_cast<std::uint8_t>(byte_random()); return size;
    case 2:
      if (size >= max_size) return size;
      std::copy_backward(data + at, data + size, data + size + 1);
      data[at] = static_cast<std::uint8_t>(byte_random());
      return size + 1;
    case 3:
      if (size <= 1) return size;
      std::copy(data + at + 1, data + size, data + at);
      return size - 1;
    default: {
      const auto length = std::min<std::size_t>(1 + byte_random() % 8, std::min(size - at, max_size - size));
      std::copy_backward(data + at, data + size, data + size + length);
      return size + length;
    }
  }
}

namespace otaconf::cli {

conformance::RequestCodec fuzz_codec() {
  conformance::RequestCodec codec;
  codec.encode = [](const http::Request& request) { return fuzz::encode_request(request); };
  codec.decode = [](std::string_view text) { return fuzz::decode_request(text); };
  codec.mutate = [](std::string& text, std::size_t max_size, unsigned int seed) {
    byte_random.seed(seed);
    const auto size = std::min(text.size(), max_size);
    text.resize(max_size);
    const auto mutated = fuzz::mutate_request(reinterpret_cast<std::uint8_t*>(text.data()), size, max_size, seed);
    text.resize(std::min(mutated, max_size));
  };
  return codec;
}

}  // namespace otaconf::cli
