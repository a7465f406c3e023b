// Response vectors for client parsers, in the style of JSONTestSuite: a
// body (NAME.body, any bytes) and its expectation (NAME.json):
//   {"clauses": [...], "probe": "CLAUSE", "note": "...",
//    "expect": {"strict": "accept"|"reject"|"either", "lenient": ..., "as-documented": ...},
//    "result": {"errno": 0, "error": "succ", "data": {...}|null, "action": "download"}}
// The name's prefix tells the strict expectation: y_ accept, n_ reject,
// i_ implementation-defined. `probe` is the one clause the vector was made
// for (how it differs from a valid answer; default: the first of `clauses`):
// a parser that accepts it where it must reject, or rejects or crashes on it
// where it must accept, is charged to that clause. `base` names the valid
// vector this one differs from: a parser that rejects both rejects the base,
// and the rejection is charged to the base's probe, not to this difference. `otaconf vectors generate` writes the
// vectors the spec implies (gen_ after the prefix); hand-written ones sit beside them.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "otaconf/diagnostic.h"
#include "otaconf/spec.h"

namespace otaconf::vectors {

struct Vector {
  std::string name;
  std::string body;
  nlohmann::json meta;
  std::filesystem::path file;  // the .body file

  // "accept", "reject" or "either" under a profile (missing: "either").
  std::string expectation(const std::string& profile) const;
  std::vector<std::string> clauses() const;
  std::string probe() const;
  std::string base() const;  // "" when the vector names none
};

// Every NAME.body with its NAME.json in `directory`, sorted by name. Throws
// InputError for a missing or malformed expectation file.
std::vector<Vector> load(const std::filesystem::path& directory);

// The vectors the spec implies: every error code, every data field missing,
// mistyped and past its domain, boundaries, spellings per profile.
std::vector<Vector> generate(const spec::Spec& spec);

// Writes NAME.body and NAME.json for each; returns how many files changed.
std::size_t write(const std::vector<Vector>& vectors, const std::filesystem::path& directory);

// corpus/vectors/response of the source tree.
std::filesystem::path default_directory();

}  // namespace otaconf::vectors
