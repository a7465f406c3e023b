// What the spec says about an HTTP request to the check endpoint under a
// profile: which parameters it carries (by canonical name, typed), which
// encoding was used, and every problem with its clause. The oracle derives
// the fact check.params from it; the mock OTA cloud judges device clients
// with it. Spec-driven: spellings, types, domains, required flags and
// encodings all come from the spec's model.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "otaconf/http.h"
#include "otaconf/spec.h"

namespace otaconf::interpret {

struct Problem {
  std::string clause;  // the clause the request breaks
  std::string field;   // the field concerned, if any
  std::string message;
};

struct Interpretation {
  nlohmann::json values = nlohmann::json::object();  // canonical name -> typed value (defaults applied)
  std::vector<std::string> encodings;                 // encodings that carried parameters
  std::map<std::string, std::string> spellings;       // canonical name -> spelling used
  std::vector<Problem> problems;
  // Fields that were sent but could not be read (wrong type, outside the
  // domain, given twice): their value is unknown, not absent.
  std::vector<std::string> invalid_fields;

  bool params_valid() const { return problems.empty(); }
};

Interpretation interpret_request(const spec::Endpoint& endpoint, const spec::Profile& profile,
                                 const http::Request& request);

// Whether `value` (already of a JSON type the field accepts) lies in the
// domain; `why` says what is wrong when not.
bool in_domain(const spec::Domain& domain, const nlohmann::json& value, std::string* why = nullptr);

// Whether a JSON value is of the spec's type (Integer: no fraction, no exponent).
bool has_json_type(const nlohmann::json& value, spec::ValueType type);

// The clause of `field` whose id ends with `suffix` (".REQUIRED", ".TYPE",
// ...), or the field's first clause.
std::string field_clause(const spec::Field& field, std::string_view suffix);

}  // namespace otaconf::interpret

namespace otaconf::interpret {

// What the spec says a device-side parser must make of a check response body
// under a profile: accept it (with the result every field implies), reject
// it, or leave it open where neither the document nor RFC 8259 decides
// (duplicate member names, a byte order mark, one field spelled two accepted
// ways at once). Spec-driven like interpret_request: spellings, types,
// domains, the code table and each code's action come from the model.
struct ResponseJudgement {
  enum class Verdict { Accept, Reject, Undecided } verdict = Verdict::Reject;
  std::string clause;  // the clause a rejection or an open question rests on
  std::string reason;
  // Accept only: {"errno", "error", "data": {the data fields} | null,
  // "action": an action id, or "none"}; md5 normalized to lower case, as the
  // adapter contract (otaconf_adapter.h) reports it.
  nlohmann::json result;
};

std::string to_string(ResponseJudgement::Verdict verdict);

ResponseJudgement interpret_response(const spec::Endpoint& endpoint, const spec::Profile& profile,
                                     std::string_view body);

}  // namespace otaconf::interpret
