// What the spec says about an HTTP request to the check endpoint under a
// profile: which parameters it carries (by canonical name, typed), which
// encoding was used, and every problem with its clause. The oracle derives
// the fact check.params from it; the mock OTA cloud judges device clients
// with it. Spec-driven: spellings, types, domains, required flags and
// encodings all come from the spec's model.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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
  std::vector<std::string> encodings;                // encodings that carried parameters
  std::map<std::string, std::string> spellings;      // canonical name -> spelling used
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
// Whether `text` matches a domain's pattern (RE2 syntax, searched: the
// spec anchors its patterns). A pattern RE2 cannot compile matches nothing
// (spec lint reports it).
bool matches_pattern(const std::string& pattern, std::string_view text);
// 1 to `max_digits` decimal digits, after a '-' when `signed_allowed`.
bool is_decimal(std::string_view text, std::size_t max_digits, bool signed_allowed = false);

// Whether a JSON value is of the spec's type (Integer: no fraction, no exponent).
bool has_json_type(const nlohmann::json& value, spec::ValueType type);

// The value as the spec's type, or nullopt. With `integral_numbers` (the
// endpoint's integral_numbers_when holds), an Integer also takes a number
// with a fraction or exponent whose value is an integer (0.0 -> 0).
std::optional<nlohmann::json> as_json_type(const nlohmann::json& value, spec::ValueType type, bool integral_numbers);

// The member of `object` that stands for `field` under a profile: the first
// spelling it accepts (in any letter case where the endpoint's names are
// case-insensitive under it); nullptr when none is there or `object` is not
// an object.
const nlohmann::json* find_member(const spec::Endpoint& endpoint, const spec::Profile& profile,
                                  const nlohmann::json& object, const spec::Field& field);

// Whether a request is one the spec's expectations are about: a well-formed
// HTTP/1.1 message (http::well_formed) with the endpoint's method and path.
// Other requests only need an answer.
bool judged_request(const spec::Endpoint& endpoint, const http::Request& request);

// Whether an answer labelled `content_type` is labelled as the endpoint's
// media type, or needs not be under a profile (RESP.CONTENT_TYPE).
bool labelled_acceptably(const spec::Endpoint& endpoint, const spec::Profile& profile, std::string_view content_type);

// Whether a data value is the one due, compared as the field says (without
// regard to letter case where the field is case-insensitive).
bool same_data_value(const spec::Field& field, const nlohmann::json& observed, const nlohmann::json& due);

// Whether an envelope (`body`) carries data under a profile: a data member
// that is not null (an error answer must not, RESP.DATA.ABSENT).
bool carries_data(const spec::Endpoint& endpoint, const spec::Profile& profile, const nlohmann::json& body);

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
  // "action": an action id, or a list of the actions allowed (an errno the
  // table does not list: anything but a download)}; fields compared without
  // regard to case (md5) in lower case, as the adapter contract
  // (otaconf_adapter.h) reports them.
  nlohmann::json result;
};

std::string to_string(ResponseJudgement::Verdict verdict);

ResponseJudgement interpret_response(const spec::Endpoint& endpoint, const spec::Profile& profile,
                                     std::string_view body);

// Where a parser's outcome departs from a judgement: the one clause it
// breaks, and how.
struct Difference {
  enum class Part { Acceptance, Errno, Action, Error, Data, Value };
  std::string clause;
  std::string text;
  Part part = Part::Acceptance;  // what differs: accepted or not, errno, action, error, data taken or not, a value

  // A value read wrong (errno or a data field): something in how the body was read, not what was done.
  bool misread() const { return part == Part::Errno || part == Part::Value; }
};

// How an accepted result ({"errno", "error", "data", "action"}) differs from
// the judge's, each part charged to its own clause: errno to the code
// field's; the action to the code's client clause (a download on any other
// code than success to the MUST clause every failure code shares); error to
// the message field's; data taken from a failure or missing on success to
// the data field's .ABSENT / .PRESENT clause; a data value to its field's
// (compared without regard to case where the field says so). The error text
// may be cut at 255 bytes (the C ABI's capacity). nullopt: no difference.
std::optional<Difference> result_difference(const spec::Spec& spec, const spec::Endpoint& endpoint,
                                            const nlohmann::json& expected, const nlohmann::json& observed);

// A parser's outcome (accepted, and its result) against a judgement: an
// acceptance where the judge rejects is charged to the judgement's clause (the
// rule the body breaks), a rejection where it accepts to `accept_clause` (what
// the case was made for), an acceptance with another result as
// result_difference says; Undecided allows both.
std::optional<Difference> outcome_difference(const spec::Spec& spec, const spec::Endpoint& endpoint,
                                             const ResponseJudgement& judgement, bool accepted,
                                             const nlohmann::json& observed, const std::string& accept_clause);

}  // namespace otaconf::interpret
