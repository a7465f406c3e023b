// The oracle: given the spec, a profile, a fixture and a request, what must a
// conforming server answer? It evaluates the spec's trigger expressions
// (three-valued logic, spec/README.md) over the request's interpretation,
// the derived facts and the fixture records the model's bindings select.
// It never looks at how any server is implemented.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "otaconf/fixture.h"
#include "otaconf/http.h"
#include "otaconf/interpret.h"
#include "otaconf/spec.h"

namespace otaconf::oracle {

// The fact check.auth for an Authorization value (spec-driven verification:
// the spec's token parameters, string-to-sign and encodings, the fixture's
// keys). `device` is the fixture device the request names, if any.
struct AuthFact {
  std::string status;  // ok, missing, malformed, expired, bad-signature, wrong-scope, unknown-key
  std::string product;
  std::string device_name;
};
AuthFact verify_authorization(const spec::Authorization& auth, const spec::Profile& profile,
                              const fixture::Fixture& fixture, const std::string& header, std::int64_t now,
                              const nlohmann::json* device);

enum class Tri { False, True, Unknown };

// What a server answered, as far as the expectation cares.
struct Answer {
  int status = 0;                           // HTTP status; 0: no answer
  std::optional<std::int64_t> errno_value;  // the integer errno of a JSON object body
  bool envelope = false;                    // the body is a JSON object
};

struct Expectation {
  // Exact: one code's trigger holds (or none: the success code).
  // Several: more than one holds; the document gives no order.
  enum class Kind { Exact, Several } kind = Kind::Exact;
  std::vector<std::int64_t> codes;  // the holding codes, in the spec's precedence order
  std::int64_t errno_value = 0;     // codes.front(), or the success code
  bool success = false;
  nlohmann::json data = nlohmann::json::object();  // expected data values (success only)
  interpret::Interpretation interpretation;
  AuthFact auth;
  std::string why;  // a readable account of the decision
  std::int64_t success_code = 0;
  // Other answers the profile's reading allows (spec: error code
  // alternatives): these HTTP statuses without an envelope, or any answer
  // that is not a success.
  std::vector<int> statuses;
  bool any_rejection = false;

  bool allows(std::int64_t observed) const;
  bool allows(const Answer& answer) const;
};

struct Context {
  const spec::Spec& spec;
  const spec::Endpoint& endpoint;  // the check endpoint
  const spec::Profile& profile;
  const fixture::Fixture& fixture;
  fixture::SelfAddress self;  // the server's address, for hosts written "@self"
};

class Oracle {
 public:
  explicit Oracle(Context context);

  // `fault_injected`: the request carries the target's fault-injection trigger.
  Expectation expect(const http::Request& request, std::int64_t now, bool fault_injected = false) const;
  // The same under another reading (readings::apply of the context's profile).
  Expectation expect_under(const spec::Profile& reading, const http::Request& request, std::int64_t now,
                           bool fault_injected = false) const;

  // The clause whose expectation `answer` breaks (docs/architecture.md,
  // "Blame"): a success where a rejection was due is charged to the rule
  // that makes the request fail (the parameter's clause, the token's, the
  // code's own); another code where one was due, to that code's clause; a
  // refusal where success was due, to the success code's clause.
  std::string blame(const Expectation& expected, const Answer& answer) const;

  // Whether `reading` differs from the profile only in how much of a request
  // it reads (spellings, encodings, types, domains, the token's encoding),
  // and reads more of this one: a server following it accepts more than the
  // profile's clients send, which is observed, never failed.
  bool reads_more(const spec::Profile& reading, const http::Request& request, std::int64_t now) const;

  // Evaluates an expression against a request's values and facts, for tests.
  Tri evaluate(const spec::Expr& expr, const nlohmann::json& values, const nlohmann::json& facts,
               bool fault_injected = false) const;

  const Context& context() const { return context_; }

 private:
  std::string first_server_clause(std::int64_t code, bool must_only) const;

  Context context_;
  std::vector<nlohmann::json> devices_, tasks_;
  std::set<std::string> deciding_;  // ambiguities triggers, values and alternatives decide on
  std::set<std::string> fact_clauses_;
};

}  // namespace otaconf::oracle
