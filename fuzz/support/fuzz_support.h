// What every otaconf fuzz target shares: the shipped spec (compiled in),
// the default fixture, a fixed clock, and how an oracle reports a failure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "otaconf/fixture.h"
#include "otaconf/spec.h"

namespace otaconf::fuzz {

// The fuzzers' clock: tokens in the seed corpora expire long after it, so a
// seed means the same thing on every run and every machine.
inline constexpr std::int64_t kNow = 1767225600;            // 2026-01-01T00:00:00Z
inline constexpr std::int64_t kTokenLifetime = 3153600000;  // a century

const spec::Spec& shipped_spec();
const spec::Endpoint& check_endpoint();
const fixture::Fixture& default_fixture();

// $name, or "" when unset (mutant selection, mutator switch).
std::string environment(const char* name);

// Whether an answer the profile's reading rejects is a finding even when
// another reading of the document allows it: $OTACONF_FUZZ_ENFORCE_DECISIONS
// (1 or 0), else `by_default`.
bool enforce_decisions(bool by_default);

// Prints "ORACLE FAILURE: <what>" and the details to stderr and aborts, so
// libFuzzer saves the input and the replay test fails.
[[noreturn]] void oracle_failure(std::string_view what, std::string_view details);

// Bytes as a readable one-line string (escapes control and non-ASCII bytes).
std::string printable(std::string_view bytes, std::size_t limit = 2000);

}  // namespace otaconf::fuzz

// libFuzzer's byte-level mutator; the replay main provides a stand-in.
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);
