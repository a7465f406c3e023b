// The server fuzzers' oracle: one server's answer to one request, held
// against what the spec's oracle (harness/oracle.h) expects under a profile
// and, where the profile's expectation is missed, under every other reading
// of the document's ambiguities (readings::search).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "otaconf/http.h"
#include "otaconf/oracle.h"

namespace otaconf::fuzz {

struct ServerFinding {
  std::string clause;  // the clause whose expectation the answer broke
  std::string what;    // one line
  std::string details;
};

// For a well-formed request to the check endpoint (http::well_formed, the
// endpoint's method and path): the answer must exist, be an HTTP/1.x
// message, and carry an envelope with the code, data and data values a
// reading allows (interpret_response, Expectation::allows, the fixture's
// data; generated fields such as the download token are not compared).
// A miss is a finding when no reading of the document allows the answer
// and the clause it breaks is a MUST, or, with `enforce` (the profile is
// the server's own: OTACONF_FUZZ_ENFORCE_DECISIONS), whenever the profile's
// reading rejects it. Other requests only need no crash. Each answer is
// judged alone: `otaconf fuzz-server` also holds a server to one reading
// across its answers.
std::optional<ServerFinding> judge_server_answer(const oracle::Oracle& oracle, const http::Request& request,
                                                 const http::Response& answer, std::int64_t now, bool enforce);

}  // namespace otaconf::fuzz
