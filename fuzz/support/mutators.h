// Structure-aware mutators for libFuzzer's LLVMFuzzerCustomMutator, driven by
// the spec: they respell members and parameters with the spellings the spec
// lists, retype values, put values on and past the spec's domain boundaries,
// drop, duplicate and reorder members, move parameters between the query and
// a JSON body, and tamper with headers. One call in three (and every input
// they cannot read) is left to libFuzzer's byte-level LLVMFuzzerMutate.
// OTACONF_FUZZ_MUTATOR=bytes turns them off, for measuring what they add.
#pragma once

#include <cstddef>
#include <cstdint>

namespace otaconf::fuzz {

// A check response body (client parser targets).
std::size_t mutate_response(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned int seed);
// A request in the format of request_input.h (server targets).
std::size_t mutate_request(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned int seed);

}  // namespace otaconf::fuzz
