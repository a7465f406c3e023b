// Near misses: the values a wrong equivalence takes for a right one.
//
// Real implementations compare request values with their state in ways the
// document does not allow: without regard to letter case, after trimming,
// as C strings (up to a NUL), after folding full-width characters, as
// numbers where the spec has strings, by prefix, or order numbers as text.
// For a value the spec compares, near_misses() derives the values such a
// comparison would confuse with it, each tagged with its kind; the request
// pool offers them where the spec's triggers and bindings compare the field
// (conformance/server/pool.cc), so a new field or trigger gets its probes
// from the spec alone. For ordered comparisons, text_order_misses() gives
// the values on the other side of a bound when numbers are compared as text.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace otaconf::near_miss {

struct NearMiss {
  std::string kind;  // case, padding, c-string, full-width, numeric, prefix, extension
  nlohmann::json value;
};

// Values different from `value` (a string) that a wrong equivalence takes
// for it. None equals `value`; all are strings.
std::vector<NearMiss> near_misses(const std::string& value);

// Integers on the other side of `bound` from where their decimal text sorts:
// n < bound but text(n) > text(bound), or the reverse. A comparison of the
// texts decides them wrongly.
std::vector<std::int64_t> text_order_misses(std::int64_t bound);

}  // namespace otaconf::near_miss
