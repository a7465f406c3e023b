// What `otaconf spec lint|show|dict` compute from a loaded spec.
#pragma once

#include <string>
#include <vector>

#include "otaconf/spec.h"
#include "otaconf/spec_loader.h"

namespace otaconf::spec {

// Findings beyond the loader's own checks: quotes that are not verbatim in
// their source, clauses resting on no normative quote, clauses no part of
// the spec refers to, ambiguities no clause names, error codes missing from
// the precedence, fields tagged with no clause. Sources are read relative
// to spec.file.
std::vector<Diagnostic> lint(const Spec& spec);

// True when `quote` occurs in `source_text`, runs of whitespace counting as
// one space on both sides.
bool quote_occurs(const std::string& quote, const std::string& source_text);

// A readable summary; its last line is exactly
// "clauses=N ambiguities=N error_codes=N fields=N profiles=N".
std::string summary(const Spec& spec);
std::string summary_counts(const Spec& spec);

// A libFuzzer dictionary: field names and aliases (bare, quoted as JSON keys
// and as query keys), enum and boundary values, examples, codes, header and
// token parameter names, paths.
std::string fuzz_dictionary(const Spec& spec);

}  // namespace otaconf::spec
