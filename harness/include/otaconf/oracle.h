// The oracle: given the spec, a profile, a fixture and a request, what must a
// conforming server answer? It evaluates the spec's trigger expressions
// (three-valued logic, spec/README.md) over the request's interpretation,
// the derived facts and the fixture records the model's bindings select.
// It never looks at how any server is implemented.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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

  bool allows(std::int64_t observed) const;
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

  // Evaluates an expression against a request's values and facts, for tests.
  Tri evaluate(const spec::Expr& expr, const nlohmann::json& values, const nlohmann::json& facts,
               bool fault_injected = false) const;

  const Context& context() const { return context_; }

 private:
  Context context_;
  std::vector<nlohmann::json> devices_, tasks_;
};

}  // namespace otaconf::oracle
