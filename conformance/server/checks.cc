// The catalog of server checks. Each names the clauses it judges; requests
// come from the spec's model and the fixture (pool.cc), expectations from
// the oracle.
#include <algorithm>
#include <map>
#include <set>

#include "otaconf/conformance/server.h"
#include "otaconf/crypto.h"
#include "otaconf/interpret.h"

namespace otaconf::conformance {

using nlohmann::json;
using requests::CheckRequest;
using results::Verdict;

namespace {

std::vector<std::string> server_clauses(const spec::Spec& spec, const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  for (const auto& id : ids) {
    const auto* clause = spec.clause(id);
    if (clause && clause->side != spec::Side::Client) out.push_back(id);
  }
  return out;
}

// The spelling under which a base request carries `field`.
std::string spelling_in(const CheckRequest& request, const spec::Field& field) {
  for (const auto& [name, value] : request.params) {
    if (name == field.name) return name;
    for (const auto& alias : field.aliases) {
      if (alias.spelling == name) return name;
    }
  }
  return field.name;
}

std::optional<CheckRequest> success_base(Session& s) {
  const auto at = s.now();
  for (const auto& base : s.pool().bases) {
    if (s.oracle().expect(s.renderer().render(base, at), at).success) return base;
  }
  return std::nullopt;
}

void not_testable(Session& s, const std::vector<std::string>& clauses, const std::string& why) {
  for (const auto& clause : clauses) s.record(clause, Verdict::NotTestable, why);
}

// ---- envelope -------------------------------------------------------------

void envelope_check(Session& s) {
  // Every base request, success or not, and every change the oracle expects
  // to succeed: the envelope is judged on each, the data on successes.
  for (const auto& base : s.pool().bases) {
    auto exchange = s.send(base);
    s.expect_data(exchange);
  }
  const auto at = s.now();
  for (const auto& request : s.pool().mutations) {
    if (request.fault || !s.oracle().expect(s.renderer().render(request, at), at).success) continue;
    auto exchange = s.send(request);
    s.expect(exchange, "ERR.00");
    s.expect_data(exchange);
  }
}

// ---- error codes provoked with exactly one fault --------------------------

void error_codes_check(Session& s) {
  const auto at = s.now();
  std::map<std::int64_t, std::vector<const CheckRequest*>> single;
  for (const auto* list : {&s.pool().bases, &s.pool().mutations}) {
    for (const auto& request : *list) {
      if (request.fault && !s.suite().target.fault_injection) continue;
      const auto expected = s.oracle().expect(s.renderer().render(request, at), at, request.fault);
      if (expected.kind == oracle::Expectation::Kind::Exact) single[expected.errno_value].push_back(&request);
    }
  }
  for (const auto& code : s.endpoint().error_codes) {
    const auto clauses = server_clauses(s.suite().spec, code.clauses);
    if (clauses.empty()) continue;
    auto found = single.find(code.code);
    if (found == single.end()) {
      const bool external = code.trigger.op == spec::Expr::Op::External ||
                            (code.trigger.op == spec::Expr::Op::Any && !code.trigger.args.empty() &&
                             code.trigger.args.front().op == spec::Expr::Op::External);
      not_testable(
          s, clauses,
          external && !s.suite().target.fault_injection
              ? "errno " + std::to_string(code.code) + " needs fault injection, which the target does not offer"
              : "the fixture provokes errno " + std::to_string(code.code) + " with no single-fault request");
      continue;
    }
    // A few distinct requests per code: enough to tell a rule from a coincidence.
    const std::size_t limit = 4;
    for (std::size_t i = 0; i < found->second.size() && i < limit; ++i) {
      auto exchange = s.send(*found->second[i]);
      s.expect(exchange);
      s.expect_data(exchange);
    }
  }
}

// ---- near misses: values a wrong equivalence takes for the right ones -----

void near_misses_check(Session& s) {
  // A few of each (field, kind): enough to catch a wrong comparison, bounded in requests.
  std::map<std::pair<std::string, std::string>, int> sent;
  for (const auto& probe : s.pool().near_misses) {
    if (sent[{probe.field, probe.kind}]++ >= 2) continue;
    auto exchange = s.send(probe.request);
    s.expect(exchange);
  }
  if (sent.empty()) s.record("ERR.08", Verdict::NotTestable, "the fixture offers no value to near-miss");
}

// ---- several faults at once: the order is not documented -----------------

void multi_fault_check(Session& s) {
  const auto at = s.now();
  int sent = 0;
  const auto& mutations = s.pool().mutations;
  for (std::size_t i = 0; i < mutations.size() && sent < 8; ++i) {
    for (std::size_t j = i + 1; j < mutations.size() && sent < 8; ++j) {
      // Combine two single changes of the same base: parameters of the second on top of the first.
      auto combined = mutations[i];
      const auto& other = mutations[j];
      if (combined.auth.kind != other.auth.kind || combined.fault || other.fault) continue;
      bool changed = false;
      for (const auto& [name, value] : other.params) {
        const auto* mine = combined.find(name);
        if (!mine || *mine != value) {
          combined.set(name, value);
          changed = true;
        }
      }
      if (!changed) continue;
      const auto expected = s.oracle().expect(s.renderer().render(combined, at), at);
      if (expected.kind != oracle::Expectation::Kind::Several) continue;
      auto exchange = s.send(combined);
      s.expect(exchange, "ERR.PRECEDENCE");
      ++sent;
    }
  }
  if (sent == 0) s.record("ERR.PRECEDENCE", Verdict::NotTestable, "the fixture yields no request with two faults");
}

// ---- parameters: missing, wrong type, outside the domain ------------------

std::vector<json> invalid_values(const spec::Field& field, const spec::Domain& domain) {
  std::vector<json> out;
  switch (field.type) {
    case spec::ValueType::Integer:
      out.push_back("abc");
      out.push_back(1.5);
      out.push_back(2147483648LL);
      out.push_back(-1);
      if (domain.min) out.push_back(*domain.min - 1);
      if (domain.max && *domain.max < INT64_MAX) out.push_back(*domain.max + 1);
      for (const auto& [low, high] : domain.excluded_ranges) out.push_back(low);
      if (!domain.enum_values.empty()) {
        std::int64_t low = INT64_MAX, high = INT64_MIN;
        for (const auto& e : domain.enum_values) {
          low = std::min(low, e.value.get<std::int64_t>());
          high = std::max(high, e.value.get<std::int64_t>());
        }
        out.push_back(low - 1);
        out.push_back(high + 1);
      }
      break;
    case spec::ValueType::String:
      out.push_back("");
      if (domain.max_length) out.push_back(std::string(*domain.max_length + 1, '7'));
      if (domain.pattern) out.push_back("bad value!");
      break;
    case spec::ValueType::Boolean:
      out.push_back("yes");
      out.push_back(2);
      break;
    default: break;
  }
  return out;
}

bool body_accepted(Session& s) {
  for (const auto& encoding : s.endpoint().encodings) {
    if (encoding.typed && (encoding.accepted_when.empty() || encoding.accepted_when.holds(s.suite().profile)))
      return true;
  }
  return false;
}

void params_check(Session& s) {
  const auto base = success_base(s);
  if (!base) {
    not_testable(s, {"ERR.PARAM.REJECT", "ERR.02"}, "the fixture offers no task a request can succeed on");
    return;
  }
  for (const auto& field : s.endpoint().request_fields) {
    const auto spelling = spelling_in(*base, field);
    if (field.required_under(s.suite().profile) && base->find(spelling)) {
      auto dropped = *base;
      auto exchange = s.send(dropped.drop(spelling));
      s.expect(exchange, interpret::field_clause(field, ".REQUIRED"));
    }
    // In the query string values travel as text; where the profile accepts a
    // JSON body, they travel typed too, with JSON-only wrong types ("1", 1.0).
    auto values = invalid_values(field, field.domain_under(s.suite().profile));
    std::vector<std::pair<std::string, json>> cases;
    for (const auto& value : values) cases.emplace_back("query", value);
    if (body_accepted(s)) {
      for (const auto& value : values) cases.emplace_back("json-body", value);
      if (field.type == spec::ValueType::Integer) cases.emplace_back("json-body", json("1"));
      if (field.type == spec::ValueType::Integer) cases.emplace_back("json-body", json(1.0));
      if (field.type == spec::ValueType::Boolean) cases.emplace_back("json-body", json("true"));
    }
    for (const auto& [encoding, value] : cases) {
      auto request = *base;
      request.encoding = encoding;
      request.set(spelling, value);
      auto exchange = s.send(request);
      s.expect(exchange, interpret::field_clause(field, ".TYPE"));
    }
  }
}

// ---- spellings and encodings per profile ----------------------------------

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string capitalized(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

// A request where `field` matters: with it, the oracle expects something
// else than without it (a required field, or a threshold the value fails).
std::optional<CheckRequest> request_where_field_matters(Session& s, const spec::Field& field) {
  const auto at = s.now();
  for (const auto* list : {&s.pool().bases, &s.pool().mutations}) {
    for (const auto& request : *list) {
      const auto spelling = spelling_in(request, field);
      if (!request.find(spelling) || request.auth.kind != requests::Auth::Kind::Mint || request.fault) continue;
      auto without = request;
      without.drop(spelling);
      const auto with_it = s.oracle().expect(s.renderer().render(request, at), at);
      const auto without_it = s.oracle().expect(s.renderer().render(without, at), at);
      if (with_it.kind == oracle::Expectation::Kind::Exact && with_it.errno_value != without_it.errno_value)
        return request;
    }
  }
  return std::nullopt;
}

void spellings_check(Session& s) {
  for (const auto& field : s.endpoint().request_fields) {
    auto request = request_where_field_matters(s, field);
    if (!request) continue;
    const auto current = spelling_in(*request, field);
    std::vector<std::pair<std::string, std::string>> spellings;  // spelling, ambiguity it tests
    spellings.emplace_back(field.name, "AMB.CASING");
    for (const auto& alias : field.aliases) {
      spellings.emplace_back(alias.spelling, alias.accepted_when.decided.empty()
                                                 ? "AMB.CASING"
                                                 : alias.accepted_when.decided.rbegin()->first);
    }
    spellings.emplace_back(upper(field.name), "AMB.CASING");
    spellings.emplace_back(capitalized(field.name), "AMB.CASING");
    std::set<std::string> tried;
    for (const auto& [spelling, ambiguity] : spellings) {
      if (!tried.insert(spelling).second) continue;
      auto renamed = *request;
      renamed.rename(current, spelling);
      auto exchange = s.send(renamed);
      s.expect(exchange, "REQ.NAMES", Session::Charge::Probe);
      const bool read = exchange.observed && *exchange.observed == exchange.expected.errno_value &&
                        exchange.expected.interpretation.spellings.count(field.name);
      s.observe(ambiguity, "parameter spelled '" + spelling + "' for " + field.name + ": " +
                               (exchange.observed ? (read ? "read" : "not read") + std::string(" (errno ") +
                                                        std::to_string(*exchange.observed) + ")"
                                                  : std::string("no errno")));
    }
  }
}

void encodings_check(Session& s) {
  const auto base = success_base(s);
  if (!base) {
    not_testable(s, {"EP.CHECK.ENCODING"}, "the fixture offers no task a request can succeed on");
    return;
  }
  for (const auto& encoding : s.endpoint().encodings) {
    auto request = *base;
    request.encoding = encoding.id;
    auto exchange = s.send(request);
    s.expect(exchange, "EP.CHECK.ENCODING", Session::Charge::Probe);
    s.expect_data(exchange);
    s.observe("AMB.ENCODING", "parameters in " + encoding.id + ": errno " +
                                  (exchange.observed ? std::to_string(*exchange.observed) : std::string("none")));
    if (!encoding.typed) continue;
    // Type variants (dev_id as a JSON number) travel in typed encodings only.
    for (const auto& field : s.endpoint().request_fields) {
      for (const auto& variant : field.type_variants) {
        const auto spelling = spelling_in(request, field);
        const auto* value = request.find(spelling);
        if (!value || variant.type != spec::ValueType::Integer || !value->is_string()) continue;
        const auto text = value->get<std::string>();
        if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), ::isdigit)) continue;
        auto typed = request;
        typed.set(spelling, std::stoll(text));
        auto typed_exchange = s.send(typed);
        s.expect(typed_exchange, interpret::field_clause(field, ".TYPE"), Session::Charge::Probe);
        s.observe(variant.accepted_when.decided.empty() ? "AMB.CASING" : variant.accepted_when.decided.begin()->first,
                  field.name + " as a JSON " + spec::to_string(variant.type) + ": errno " +
                      (typed_exchange.observed ? std::to_string(*typed_exchange.observed) : std::string("none")));
      }
    }
  }
  // Without Content-Type (real clients send a query string without it).
  auto bare = *base;
  bare.content_type = false;
  auto exchange = s.send(bare);
  s.expect(exchange, "EP.CHECK.ENCODING", Session::Charge::Probe);
  s.observe("AMB.CONTENT_TYPE", std::string("no Content-Type header: errno ") +
                                    (exchange.observed ? std::to_string(*exchange.observed) : "none"));
}

// ---- thresholds ------------------------------------------------------------

void thresholds_check(Session& s) {
  // The pool holds each ordered comparison at, below and above its bound.
  const auto at = s.now();
  int sent = 0;
  for (const auto& request : s.pool().mutations) {
    bool ordered = false;
    for (const auto& field : s.endpoint().request_fields) {
      if (!field.required && request.find(spelling_in(request, field)) && field.type == spec::ValueType::Integer)
        ordered = true;
    }
    if (!ordered || request.auth.kind != requests::Auth::Kind::Mint || request.auth.lifetime < 0 || request.fault)
      continue;
    // Only where the thresholds decide: the oracle expects success or 10.
    const auto expected = s.oracle().expect(s.renderer().render(request, at), at);
    if (expected.kind != oracle::Expectation::Kind::Exact || (expected.errno_value != 0 && expected.errno_value != 10))
      continue;
    auto exchange = s.send(request);
    s.expect(exchange, "ERR.10");
    ++sent;
  }
  // Omitted values: the bases carry none of the optional ones.
  for (const auto& base : s.pool().bases) {
    const auto expected = s.oracle().expect(s.renderer().render(base, at), at);
    if (expected.kind != oracle::Expectation::Kind::Exact || expected.errno_value != 0) continue;
    auto exchange = s.send(base);
    s.expect(exchange, "ERR.10");
  }
  if (sent == 0) s.record("ERR.10", Verdict::NotTestable, "the fixture has no task with a signal or power threshold");
}

// ---- authorization ---------------------------------------------------------

void auth_check(Session& s) {
  const std::vector<std::string> all = {"AUTH.REJECT",          "AUTH.REJECT.CODE", "AUTH.TOKEN.EXPIRY",
                                        "AUTH.TOKEN.SIGNATURE", "AUTH.TOKEN.SCOPE", "AUTH.TOKEN.FORMAT"};
  const auto base = success_base(s);
  if (!base) {
    not_testable(s, all, "the fixture offers no task a request can succeed on");
    return;
  }
  if (!s.renderer().can_mint()) {
    not_testable(s, all, "a fixed --token cannot be varied: give --key/--res or a fixture with keys");
    return;
  }
  auto rejected = [&](CheckRequest request, const std::string& clause) {
    auto exchange = s.send(request);
    s.expect(exchange, clause, Session::Charge::Oracle, "AUTH.REJECT.CODE");
  };
  auto missing = *base;
  missing.auth.kind = requests::Auth::Kind::Omit;
  rejected(missing, "AUTH.REJECT");
  auto garbage = *base;
  garbage.auth.kind = requests::Auth::Kind::Fixed;
  garbage.auth.fixed = "this is not a token";
  rejected(garbage, "AUTH.TOKEN.FORMAT");
  auto expired = *base;
  expired.auth.lifetime = -600;
  rejected(expired, "AUTH.TOKEN.EXPIRY");
  // Expiry near misses: seconds past et (a clock may differ: AMB.CLOCK_SKEW), and seconds before it.
  for (std::int64_t lifetime : {-2, -200, 5}) {
    auto near = *base;
    near.auth.lifetime = lifetime;
    auto exchange = s.send(near);
    s.expect(exchange, "AUTH.TOKEN.EXPIRY", Session::Charge::Oracle, "AUTH.REJECT.CODE");
  }
  // Signature near misses: what a case-insensitive, a prefix or a lenient comparison takes for the right one.
  for (const char* variant : {"case", "bit", "truncated"}) {
    auto near = *base;
    near.auth.sign_variant = variant;
    rejected(near, "AUTH.TOKEN.SIGNATURE");
  }
  // A valid device-level token (and an expired one), where the fixture gives a device its own key.
  for (const auto& request : s.pool().bases) {
    const auto* id = request.find("dev_id");
    const auto* keyed = id ? s.suite().fixture.device(requests::as_text(*id)) : nullptr;
    if (!keyed || !keyed->access_key || !s.oracle().expect(s.renderer().render(request, s.now()), s.now()).success)
      continue;
    auto device_token = request;
    device_token.auth.res = "products/" + keyed->product + "/devices/" + keyed->name;
    auto exchange = s.send(device_token);
    s.expect(exchange, "AUTH.TOKEN.SCOPE");
    device_token.auth.lifetime = -600;
    rejected(device_token, "AUTH.TOKEN.EXPIRY");
    break;
  }
  for (const auto& param : s.suite().spec.authorization->params) {
    if (param.name != "method") continue;
    for (const auto& method : param.values) {
      auto valid = *base;
      valid.auth.method = method;
      auto exchange = s.send(valid);
      s.expect(exchange, "AUTH.TOKEN.SIGNATURE");
      for (int position : {0, 5}) {
        auto tampered = *base;
        tampered.auth.method = method;
        tampered.auth.tamper_sign = position;
        rejected(tampered, "AUTH.TOKEN.SIGNATURE");
      }
    }
  }
  // Scope: another product's token, a device-level token of another device.
  const auto* dev_id = base->find("dev_id");
  const auto* device = dev_id ? s.suite().fixture.device(requests::as_text(*dev_id)) : nullptr;
  bool scoped = false;
  for (const auto& product : s.suite().fixture.products) {
    if (!device || product.id == device->product) continue;
    auto foreign = *base;
    foreign.auth.res = "products/" + product.id;
    rejected(foreign, "AUTH.TOKEN.SCOPE");
    scoped = true;
    break;
  }
  for (const auto& other : s.suite().fixture.devices) {
    if (!device || !other.access_key || other.dev_id == device->dev_id) continue;
    auto foreign = *base;
    foreign.auth.res = "products/" + other.product + "/devices/" + other.name;
    rejected(foreign, "AUTH.TOKEN.SCOPE");
    scoped = true;
    break;
  }
  if (!scoped) s.record("AUTH.TOKEN.SCOPE", Verdict::NotTestable, "the fixture has no second product or device key");
  // Raw (not URL-encoded) values: an ambiguity, reported as an observation.
  auto raw = *base;
  raw.auth.url_encode = false;
  auto exchange = s.send(raw);
  s.expect(exchange, "AUTH.TOKEN.FORMAT");
  s.observe("AMB.TOKEN_ENCODING", std::string("a token with raw (not URL-encoded) values: errno ") +
                                      (exchange.observed ? std::to_string(*exchange.observed) : "none"));
}

// ---- robustness ------------------------------------------------------------

void robustness_check(Session& s) {
  const auto base = success_base(s);
  if (!base) {
    not_testable(s, {"RESP.ENVELOPE.JSON"}, "the fixture offers no task a request can succeed on");
    return;
  }
  // Whatever the request, an answer: an envelope, or a refusal a reading allows.
  auto well_formed = [&](const Exchange& exchange, const std::string& what) {
    if (!exchange.response.ok()) {
      s.record("RESP.ENVELOPE.JSON", Verdict::Error, what + ": no answer (" + exchange.response.error + ")",
               s.evidence(exchange));
      return;
    }
    s.judge("RESP.ENVELOPE.JSON", &exchange, s.envelope_rule(exchange), what + ": a JSON object",
            what + ": HTTP " + std::to_string(exchange.response.status) + ", the body is not a JSON object");
  };
  auto extra = *base;
  extra.params.emplace_back("otaconf_unknown", "1");
  auto exchange = s.send(extra);
  s.expect(exchange, "REQ.UNKNOWN_PARAMS", Session::Charge::Probe);
  well_formed(exchange, "an unknown parameter");

  auto duplicate = *base;
  duplicate.params.push_back(duplicate.params.front());
  exchange = s.send(duplicate);
  well_formed(exchange, "a parameter given twice with the same value");
  s.observe("AMB.PARAM_ERROR", "a parameter given twice with the same value: errno " +
                                   (exchange.observed ? std::to_string(*exchange.observed) : std::string("none")));

  for (const auto& field : s.endpoint().request_fields) {
    if (field.type != spec::ValueType::String) continue;
    const auto spelling = spelling_in(*base, field);
    if (!base->find(spelling)) continue;
    // Invalid UTF-8 and a very long value, percent-encoded in the query.
    std::string query;
    for (const auto& [name, value] : base->params) {
      query += (query.empty() ? "" : "&") + crypto::url_encode(name) + "=" +
               (name == spelling ? std::string("%FF%FEotaconf") : crypto::url_encode(requests::as_text(value)));
    }
    auto invalid = *base;
    invalid.raw_query = query;
    exchange = s.send(invalid);
    well_formed(exchange, "invalid UTF-8 in " + field.name);
    s.expect(exchange, "ERR.PARAM.REJECT");
    auto long_value = *base;
    long_value.set(spelling, std::string(6000, 'x'));
    exchange = s.send(long_value);
    well_formed(exchange, "a 6000-byte " + field.name);
    break;
  }
  auto garbage = *base;
  garbage.raw_query = "%%%&&==&" + std::string(200, '%');
  exchange = s.send(garbage);
  well_formed(exchange, "a garbage query string");
}

// ---- determinism -----------------------------------------------------------

// What ERR.DETERMINISM compares: the errno and the data (fields the server
// generates aside), or for an answer that is no envelope, its HTTP status.
json comparable(const Session& s, const Exchange& exchange) {
  if (!exchange.body.is_object()) return {{"status", exchange.response.status}, {"envelope", false}};
  json out = {{"errno", exchange.observed ? json(*exchange.observed) : json(nullptr)}};
  const auto& response = s.endpoint().response;
  const auto* data_field = response ? response->envelope_role("data") : nullptr;
  const auto* data =
      data_field ? interpret::find_member(s.endpoint(), s.suite().profile, exchange.body, *data_field) : nullptr;
  if (data && data->is_object()) {
    json kept = json::object();
    for (const auto& field : response->data_fields) {
      const auto* value =
          field.generated ? nullptr : interpret::find_member(s.endpoint(), s.suite().profile, *data, field);
      if (value) kept[field.name] = *value;
    }
    out["data"] = kept;
  }
  return out;
}

void determinism_check(Session& s) {
  std::size_t compared = 0;
  for (const auto& base : s.pool().bases) {
    if (compared++ >= 3) break;
    auto first = s.send(base);
    auto second = s.send(base);
    if (!first.response.ok() || !second.response.ok()) {
      s.record("ERR.DETERMINISM", Verdict::Error, "no answer", s.evidence(first.response.ok() ? second : first));
      continue;
    }
    const auto a = comparable(s, first), b = comparable(s, second);
    if (a == b) {
      s.pass("ERR.DETERMINISM", "the same request twice: the same errno and data", &second);
    } else {
      s.violation("ERR.DETERMINISM", "the same request twice got a different errno or data; sent " + base.describe(),
                  &second, a, b);
    }
  }
}

}  // namespace

void download_check(Session& s);  // download.cc
void property_check(Session& s);  // property.cc

const std::vector<ServerCheck>& server_checks() {
  static const std::vector<ServerCheck> checks = {
      {"server.envelope",
       "Every answer is a well-formed envelope with the fixture's data",
       {"RESP.ENVELOPE.JSON", "RESP.CONTENT_TYPE", "RESP.HTTP_STATUS", "RESP.ERRNO.TYPE", "RESP.ERRNO.CODESET",
        "RESP.ERROR.TYPE", "RESP.ERROR.SUCC", "RESP.DATA.PRESENT", "RESP.DATA.ABSENT", "RESP.DATA.VALUES"},
       false,
       envelope_check},
      {"server.error-codes",
       "Each error code, provoked from the fixture with exactly one fault",
       {"ERR.00", "ERR.01", "ERR.02", "ERR.07", "ERR.08", "ERR.09", "ERR.10", "ERR.11", "ERR.13", "ERR.19"},
       false,
       error_codes_check},
      {"server.multi-fault",
       "Several faults at once: which code wins (observed, not judged)",
       {"ERR.PRECEDENCE"},
       false,
       multi_fault_check},
      {"server.near-misses",
       "Values next to the right ones: other letter case, padding, a NUL, full-width, numeric respellings, prefixes, "
       "numbers ordered as text",
       {"ERR.00", "ERR.01", "ERR.02", "ERR.08", "ERR.09", "ERR.10", "ERR.11", "ERR.PARAM.REJECT", "REQ.DEV_ID.TYPE",
        "REQ.MANUF.TYPE", "REQ.MODEL.TYPE", "REQ.VERSION.TYPE", "REQ.SIGNALS.TYPE", "REQ.POWERS.TYPE"},
       false,
       near_misses_check},
      {"server.params",
       "Missing parameters, wrong types, values outside their domain",
       {"ERR.PARAM.REJECT", "ERR.02", "REQ.DEV_ID.REQUIRED", "REQ.DEV_ID.TYPE", "REQ.MANUF.REQUIRED", "REQ.MANUF.TYPE",
        "REQ.MODEL.REQUIRED", "REQ.MODEL.TYPE", "REQ.TYPE.REQUIRED", "REQ.TYPE.TYPE", "REQ.VERSION.REQUIRED",
        "REQ.VERSION.TYPE", "REQ.SIGNALS.TYPE", "REQ.POWERS.TYPE", "REQ.CDN.REQUIRED", "REQ.CDN.TYPE"},
       false,
       params_check},
      {"server.spellings",
       "Every documented spelling and letter case, as the profile decides",
       {"REQ.NAMES"},
       false,
       spellings_check},
      {"server.encodings",
       "Query string and JSON body, type variants, Content-Type",
       {"EP.CHECK.ENCODING", "REQ.DEV_ID.TYPE"},
       false,
       encodings_check},
      {"server.thresholds",
       "Signal and power at, below and above the task's threshold, and omitted",
       {"ERR.10"},
       false,
       thresholds_check},
      {"server.authorization",
       "Tokens: missing, malformed, expired, tampered, out of scope, each method",
       {"AUTH.REJECT", "AUTH.REJECT.CODE", "AUTH.TOKEN.EXPIRY", "AUTH.TOKEN.SIGNATURE", "AUTH.TOKEN.SCOPE",
        "AUTH.TOKEN.FORMAT"},
       false,
       auth_check},
      {"server.robustness",
       "Unknown and duplicated parameters, invalid UTF-8, long values, garbage",
       {"RESP.ENVELOPE.JSON", "REQ.UNKNOWN_PARAMS", "ERR.PARAM.REJECT"},
       false,
       robustness_check},
      {"server.determinism",
       "The same request twice gets the same answer",
       {"ERR.DETERMINISM"},
       false,
       determinism_check,
       false},
      {"server.download",
       "The token and ip of a success answer lead to the package, whole and by Range",
       {"DL.ADDRESS", "DL.CONTENT", "DL.RANGE", "DL.UNKNOWN_TOKEN"},
       false,
       download_check,
       false},
      {"server.property",
       "Random requests from the spec's domains, judged by the oracle (RapidCheck, shrinking)",
       {"ERR.00", "ERR.01", "ERR.02", "ERR.08", "ERR.09", "ERR.10", "ERR.11", "ERR.13", "ERR.19"},
       true,
       property_check},
  };
  return checks;
}

}  // namespace otaconf::conformance
