// otaconf replay: the failing cases of a server results file sent again
// (RESTler's bug buckets replayed, Schemathesis' `st replay`). Each case's
// recorded request goes to the server as it was (or to another one, --url);
// its new answer is compared with the recorded one and, for the check
// endpoint, judged again by the oracle.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "otaconf/fixture.h"
#include "otaconf/http.h"
#include "otaconf/spec.h"

namespace otaconf::conformance {

struct ReplayTarget {
  std::optional<http::Url> url;  // replaces each request's recorded scheme, host and port (none: as recorded)
  http::Limits limits;
  http::Headers extra_headers;  // -H: added to each request
};

struct Replayed {
  // StillFails: the same answer, or one the oracle still refuses.
  // Passes: an answer the oracle allows now. Changed: another answer that
  // only the suite can judge (run it again). NotReplayable: no request in
  // the evidence, or the oracle's expectation moved (an expired token).
  // NoAnswer: the exchange failed.
  enum class Now { StillFails, Passes, Changed, NotReplayable, NoAnswer };
  std::string check, clause, verdict;  // the entry, as recorded
  Now now = Now::NotReplayable;
  std::string detail;
  std::string curl;  // the request as sent now
};

std::string to_string(Replayed::Now now);

// Every FAIL and NON-STRICT entry of `results` (a server run's results
// document, already loaded and validated), replayed in order.
std::vector<Replayed> replay_failures(const spec::Spec& spec, const spec::Profile& profile,
                                      const fixture::Fixture& fixture, const nlohmann::json& results,
                                      const ReplayTarget& target);

}  // namespace otaconf::conformance
