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

// For a request the spec judges (interpret::judged_request: well-formed,
// the check endpoint's method and path): the answer must exist, be an
// HTTP/1.x message, and carry an envelope the spec's response judgement
// accepts (or be a refusal without one that the reading allows), labelled
// and with the status the reading asks, with an errno the oracle allows, no
// data on an error, and the data values the fixture implies on a success
// (field by field; generated fields such as the download token are not
// compared). Each clause the profile finds broken is held to the document:
// a finding is a MUST clause broken under every reading readings::search
// tries (and only when the search was not cut short), or, with `enforce`
// (the server claims the profile: OTACONF_FUZZ_ENFORCE_DECISIONS), any
// clause the profile finds broken. Other requests only need no crash. Each
// answer is judged alone: `otaconf fuzz-server` also holds a server to one
// reading across its answers.
std::optional<ServerFinding> judge_server_answer(const oracle::Oracle& oracle, const http::Request& request,
                                                 const http::Response& answer, std::int64_t now, bool enforce);

}  // namespace otaconf::fuzz
