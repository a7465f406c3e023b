// Loading a spec: JSON parsing, JSON Schema validation (spec/spec.schema.json,
// embedded at build time) and reference checks, into the typed model.
//
// Error convention (otaconf/diagnostic.h): load_spec* throw SpecError
// carrying one Diagnostic (file, JSON pointer, message); try_load_spec
// collects them all. No other exception type escapes.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "otaconf/diagnostic.h"
#include "otaconf/spec.h"

namespace otaconf::spec {

using Diagnostic = otaconf::Diagnostic;
using SpecError = otaconf::InputError;

struct LoadOutcome {
  std::optional<Spec> spec;        // set when errors is empty
  std::vector<Diagnostic> errors;  // every problem found, in document order
};

// Reads and validates a spec file; collects every error instead of throwing.
LoadOutcome try_load_spec(const std::filesystem::path& file);
// The same for text already in memory; `label` names it in diagnostics and
// `base_dir` is where the spec's sources are looked up.
LoadOutcome try_load_spec_text(std::string_view text, const std::string& label,
                               const std::filesystem::path& base_dir = {});

// Throw SpecError with the first diagnostic.
Spec load_spec(const std::filesystem::path& file);
Spec load_spec_text(std::string_view text, const std::string& label, const std::filesystem::path& base_dir = {});

// The shipped spec: $OTACONF_SPEC when set, else spec/onenet-ota-v1.json of
// the source tree otaconf was built from.
std::filesystem::path default_spec_path();

// The text of spec/spec.schema.json compiled into the harness.
std::string_view spec_schema_text();

// Deepest nesting of arrays and objects the loader accepts.
inline constexpr int kMaxSpecDepth = 64;

}  // namespace otaconf::spec
