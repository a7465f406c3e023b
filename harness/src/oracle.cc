#include "otaconf/oracle.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <regex>

#include "otaconf/crypto.h"
#include "otaconf/token.h"

namespace otaconf::oracle {

using nlohmann::json;

// ---- check.auth -------------------------------------------------------------

namespace {

const spec::AuthParam* param_named(const spec::Authorization& auth, std::string_view name) {
  for (const auto& p : auth.params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// Matches res against templates such as products/{product_id}/devices/{device_name}.
bool match_resource(const std::string& res, const std::string& pattern, std::map<std::string, std::string>& captured) {
  std::size_t r = 0, p = 0;
  while (p < pattern.size()) {
    if (pattern[p] == '{') {
      const auto close = pattern.find('}', p);
      const auto name = pattern.substr(p + 1, close - p - 1);
      const auto stop = close + 1 < pattern.size() ? pattern[close + 1] : '\0';
      const auto end = stop ? res.find(stop, r) : res.size();
      if (end == std::string::npos || end == r) return false;
      captured[name] = res.substr(r, end - r);
      if (captured[name].find('/') != std::string::npos) return false;  // one path segment
      r = end;
      p = close + 1;
    } else {
      if (r >= res.size() || res[r] != pattern[p]) return false;
      ++r;
      ++p;
    }
  }
  return r == res.size();
}

}  // namespace

AuthFact verify_authorization(const spec::Authorization& auth, const spec::Profile& profile,
                              const fixture::Fixture& fixture, const std::string& header, std::int64_t now,
                              const json* device) {
  AuthFact fact;
  if (header.empty()) {
    fact.status = "missing";
    return fact;
  }
  const bool raw_ok = !auth.raw_values_when.empty() && auth.raw_values_when.holds(profile);
  std::map<std::string, std::string> values;
  std::size_t start = 0;
  fact.status = "malformed";
  while (start <= header.size()) {
    auto end = header.find('&', start);
    if (end == std::string::npos) end = header.size();
    const auto pair = header.substr(start, end - start);
    start = end + 1;
    const auto equals = pair.find('=');
    if (equals == std::string::npos) return fact;
    const auto raw = pair.substr(equals + 1);
    std::optional<std::string> value;
    if (auth.value_encoding != "url") {
      value = raw;
    } else if (crypto::is_percent_encoded(raw)) {
      value = crypto::url_decode(raw);
    } else if (raw_ok) {
      value = raw.find('%') != std::string::npos ? crypto::url_decode(raw) : raw;
      if (!value) value = raw;
    }
    if (!value || !values.emplace(pair.substr(0, equals), *value).second) return fact;
  }
  for (const auto& param : auth.params) {
    if (!values.count(param.name)) return fact;
    if (param.kind == "enum" &&
        std::find(param.values.begin(), param.values.end(), values[param.name]) == param.values.end()) {
      return fact;
    }
  }
  std::int64_t expiry = 0;
  const auto& et = values["et"];
  if (!interpret::is_decimal(et, 19) || std::from_chars(et.data(), et.data() + et.size(), expiry).ec != std::errc())
    return fact;
  std::map<std::string, std::string> captured;
  const auto* res_param = param_named(auth, "res");
  bool matched = false;
  for (const auto& pattern : res_param ? res_param->values : std::vector<std::string>{}) {
    captured.clear();
    if (match_resource(values["res"], pattern, captured)) {
      matched = true;
      break;
    }
  }
  if (!matched) return fact;
  fact.product = captured["product_id"];
  fact.device_name = captured.count("device_name") ? captured["device_name"] : "";

  const std::string* key = nullptr;
  if (!fact.device_name.empty()) {
    const auto* d = fixture.device_named(fact.product, fact.device_name);
    if (d && d->access_key) key = &*d->access_key;
  } else if (const auto* p = fixture.product(fact.product)) {
    key = &p->access_key;
  }
  if (!key) {
    fact.status = "unknown-key";
    return fact;
  }
  // Signed as sent: "0123" is not the text of 123.
  token::TokenRequest request{values["res"], expiry, values["method"], values["version"]};
  request.et_text = values["et"];
  const auto expected = token::sign(auth, *key, request);
  if (!expected || *expected != values["sign"]) {
    fact.status = "bad-signature";
    return fact;
  }
  const bool leeway = !auth.expiry_leeway_when.empty() && auth.expiry_leeway_when.holds(profile);
  if (expiry < now - (leeway ? auth.expiry_leeway_seconds : 0)) {
    fact.status = "expired";
    return fact;
  }
  if (device) {
    const bool same_product = device->value("product", "") == fact.product;
    const bool same_device = fact.device_name.empty() || device->value("name", "") == fact.device_name;
    if (!same_product || !same_device) {
      fact.status = "wrong-scope";
      return fact;
    }
  }
  fact.status = "ok";
  return fact;
}

// ---- expressions ----------------------------------------------------------

namespace {

// A value is known, absent (nothing there: an optional field not sent, a
// record without that member) or unknown (sent but unreadable, or reached
// through a binding that could not be decided).
struct Value {
  enum class State { Known, Absent, Unknown } state = State::Unknown;
  json v;
  static Value known(json j) { return {State::Known, std::move(j)}; }
  static Value absent() { return {State::Absent, nullptr}; }
  static Value unknown() { return {State::Unknown, nullptr}; }
};

struct Binding {
  enum class State { Bound, Unbound, Unknown } state = State::Unbound;
  const json* record = nullptr;
};

struct Env {
  const json& values;
  const json& facts;
  std::map<std::string, Binding> bound;
  const spec::Profile& profile;
  bool fault_injected = false;
  const std::vector<std::string>* unknown_fields = nullptr;
};

Value lookup(const json& root, const std::string& path) {
  const json* node = &root;
  std::size_t start = 0;
  while (start < path.size()) {
    auto end = path.find('.', start);
    if (end == std::string::npos) end = path.size();
    const auto key = path.substr(start, end - start);
    if (!node->is_object() || !node->contains(key)) return Value::absent();
    node = &(*node)[key];
    start = end + 1;
  }
  return Value::known(*node);
}

Tri from_bool(bool b) { return b ? Tri::True : Tri::False; }

Tri truth(const spec::Expr& e, const Env& env);

Value value(const spec::Expr& e, const Env& env) {
  using Op = spec::Expr::Op;
  switch (e.op) {
    case Op::Literal: return Value::known(e.literal);
    case Op::Ref: {
      const auto dot = e.name.find('.');
      const auto root = e.name.substr(0, dot);
      const auto rest = e.name.substr(dot + 1);
      if (root == "request") {
        const auto field = rest.substr(0, rest.find('.'));
        if (env.unknown_fields &&
            std::find(env.unknown_fields->begin(), env.unknown_fields->end(), field) != env.unknown_fields->end()) {
          return Value::unknown();
        }
        return lookup(env.values, rest);
      }
      if (root == "check") {
        if (!env.facts.contains(e.name)) return Value::unknown();
        return Value::known(env.facts[e.name]);
      }
      auto bound = env.bound.find(root);
      if (bound == env.bound.end() || bound->second.state == Binding::State::Unknown) return Value::unknown();
      if (bound->second.state == Binding::State::Unbound) return Value::absent();
      return lookup(*bound->second.record, rest);
    }
    case Op::If:
      switch (truth(e.args[0], env)) {
        case Tri::True: return value(e.args[1], env);
        case Tri::False: return value(e.args[2], env);
        case Tri::Unknown: return Value::unknown();
      }
      return Value::unknown();
    default: {
      const auto t = truth(e, env);
      if (t == Tri::Unknown) return Value::unknown();
      return Value::known(json(t == Tri::True));
    }
  }
}

Tri compare(const spec::Expr& e, const Env& env) {
  using Op = spec::Expr::Op;
  const auto a = value(e.args[0], env);
  const auto b = value(e.args[1], env);
  if (a.state != Value::State::Known || b.state != Value::State::Known) return Tri::Unknown;
  if (e.op == Op::Eq) return from_bool(a.v == b.v);
  if (e.op == Op::Ne) return from_bool(a.v != b.v);
  if (e.op == Op::In) {
    if (!b.v.is_array()) return Tri::Unknown;
    return from_bool(std::find(b.v.begin(), b.v.end(), a.v) != b.v.end());
  }
  const bool numbers = a.v.is_number() && b.v.is_number();
  const bool strings = a.v.is_string() && b.v.is_string();
  if (!numbers && !strings) return Tri::Unknown;
  const bool less = a.v < b.v;
  const bool equal = a.v == b.v;
  switch (e.op) {
    case Op::Lt: return from_bool(less);
    case Op::Le: return from_bool(less || equal);
    case Op::Gt: return from_bool(!less && !equal);
    case Op::Ge: return from_bool(!less);
    default: return Tri::Unknown;
  }
}

Tri truth(const spec::Expr& e, const Env& env) {
  using Op = spec::Expr::Op;
  switch (e.op) {
    case Op::All: {
      Tri result = Tri::True;
      for (const auto& arg : e.args) {
        const auto t = truth(arg, env);
        if (t == Tri::False) return Tri::False;
        if (t == Tri::Unknown) result = Tri::Unknown;
      }
      return result;
    }
    case Op::Any: {
      Tri result = Tri::False;
      for (const auto& arg : e.args) {
        const auto t = truth(arg, env);
        if (t == Tri::True) return Tri::True;
        if (t == Tri::Unknown) result = Tri::Unknown;
      }
      return result;
    }
    case Op::Not: {
      const auto t = truth(e.args[0], env);
      return t == Tri::Unknown ? Tri::Unknown : from_bool(t == Tri::False);
    }
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
    case Op::In: return compare(e, env);
    case Op::Present:
    case Op::Absent: {
      const auto v = value(e.args[0], env);
      if (v.state == Value::State::Unknown) return Tri::Unknown;
      const bool present = v.state == Value::State::Known;
      return from_bool(e.op == Op::Present ? present : !present);
    }
    case Op::Bound:
    case Op::Unbound: {
      auto bound = env.bound.find(e.name);
      if (bound == env.bound.end()) return Tri::Unknown;
      if (bound->second.state == Binding::State::Unknown) return Tri::Unknown;
      const bool is_bound = bound->second.state == Binding::State::Bound;
      return from_bool(e.op == Op::Bound ? is_bound : !is_bound);
    }
    case Op::Decided: return from_bool(e.decided.holds(env.profile));
    case Op::External: return from_bool(e.name == "fault-injection" && env.fault_injected);
    case Op::Otherwise: return Tri::False;  // handled by the caller
    case Op::Literal:
    case Op::Ref:
    case Op::If: {
      const auto v = value(e, env);
      if (v.state != Value::State::Known || !v.v.is_boolean()) return Tri::Unknown;
      return from_bool(v.v.get<bool>());
    }
  }
  return Tri::Unknown;
}

std::string describe(const json& values) { return values.dump(-1, ' ', false, json::error_handler_t::replace); }

// Binds each of the model's bindings in order: the first record whose
// `where` is true; unknown when none is true but some could not be decided.
void bind(const spec::Spec& spec, const std::vector<json>& devices, const std::vector<json>& tasks, Env& env) {
  for (const auto& binding : spec.model.bindings) {
    const std::vector<json>* records = binding.collection == "devices" ? &devices
                                       : binding.collection == "tasks" ? &tasks
                                                                       : nullptr;
    Binding result;
    bool undecided = records == nullptr;
    for (std::size_t i = 0; records && i < records->size(); ++i) {
      env.bound[binding.name] = {Binding::State::Bound, &(*records)[i]};
      const auto t = truth(binding.where, env);
      if (t == Tri::True) {
        result = env.bound[binding.name];
        undecided = false;
        break;
      }
      if (t == Tri::Unknown) undecided = true;
    }
    if (result.state != Binding::State::Bound)
      result.state = undecided ? Binding::State::Unknown : Binding::State::Unbound;
    env.bound[binding.name] = result;
  }
}

}  // namespace

// ---- expectations -----------------------------------------------------------

bool Expectation::allows(std::int64_t observed) const {
  if (kind == Kind::Exact) return observed == errno_value;
  return std::find(codes.begin(), codes.end(), observed) != codes.end();
}

bool Expectation::allows(const Answer& answer) const {
  if (answer.status == 0) return false;
  if (answer.errno_value && allows(*answer.errno_value)) return true;
  const bool success_answer = answer.errno_value && *answer.errno_value == success_code;
  if (any_rejection && !success_answer) return true;
  return !answer.envelope && std::find(statuses.begin(), statuses.end(), answer.status) != statuses.end();
}

Oracle::Oracle(Context context) : context_(std::move(context)) {
  devices_ = context_.fixture.records("devices");
  tasks_ = context_.fixture.records("tasks");
  // What only triggers, values and alternatives decide (not the reading of
  // the request): changing these is never "reading more".
  auto decided_in = [&](const spec::Expr& expr) {
    expr.visit([&](const spec::Expr& e) {
      if (e.op == spec::Expr::Op::Decided) {
        for (const auto& [ambiguity, interpretations] : e.decided.decided) deciding_.insert(ambiguity);
      }
    });
  };
  for (const auto& code : context_.endpoint.error_codes) {
    decided_in(code.trigger);
    for (const auto& alternative : code.alternatives) {
      for (const auto& [ambiguity, interpretations] : alternative.when.decided) deciding_.insert(ambiguity);
      if (alternative.condition) decided_in(*alternative.condition);
    }
  }
  if (context_.endpoint.response) {
    for (const auto& field : context_.endpoint.response->data_fields) {
      if (field.value) decided_in(*field.value);
    }
  }
  for (const auto& fact : context_.spec.model.facts) {
    for (const auto& [value, clause] : fact.clauses) fact_clauses_.insert(clause);
  }
  // "@self" download hosts name the server under test.
  for (auto& task : tasks_) {
    auto& download = task["download"];
    if (download["ip"] == "@self") download["ip"] = context_.self.by_ip;
    if (download["domain"] == "@self") download["domain"] = context_.self.by_name;
  }
}

Tri Oracle::evaluate(const spec::Expr& expr, const json& values, const json& facts, bool fault_injected) const {
  Env env{values, facts, {}, context_.profile, fault_injected, nullptr};
  return truth(expr, env);
}

Expectation Oracle::expect(const http::Request& request, std::int64_t now, bool fault_injected) const {
  return expect_under(context_.profile, request, now, fault_injected);
}

Expectation Oracle::expect_under(const spec::Profile& profile, const http::Request& request, std::int64_t now,
                                 bool fault_injected) const {
  Expectation out;
  out.interpretation = interpret::interpret_request(context_.endpoint, profile, request);
  const auto& values = out.interpretation.values;
  json facts = json::object();
  Env env{values, facts, {}, profile, fault_injected, &out.interpretation.invalid_fields};
  bind(context_.spec, devices_, tasks_, env);

  const json* device = nullptr;
  if (auto found = env.bound.find("device"); found != env.bound.end() && found->second.state == Binding::State::Bound) {
    device = found->second.record;
  }
  if (context_.spec.authorization) {
    const auto& name = context_.spec.authorization->header;
    // Authorization is not a list header (RFC 9110): sent twice, it is no credential.
    out.auth = request.header_count(name) > 1
                   ? AuthFact{"malformed", "", ""}
                   : verify_authorization(*context_.spec.authorization, profile, context_.fixture, request.header(name),
                                          now, device);
    facts["check.auth"] = out.auth.status;
  }
  facts["check.params"] = out.interpretation.params_valid() ? "ok" : "invalid";

  const auto success_code = context_.endpoint.response ? context_.endpoint.response->success_code : 0;
  for (const auto& code : context_.endpoint.error_codes) {
    if (code.code == success_code) continue;
    if (truth(code.trigger, env) == Tri::True) out.codes.push_back(code.code);
  }
  const auto& order = context_.endpoint.precedence;
  auto rank = [&](std::int64_t code) {
    return static_cast<std::size_t>(std::find(order.begin(), order.end(), code) - order.begin());
  };
  std::stable_sort(out.codes.begin(), out.codes.end(), [&](auto a, auto b) { return rank(a) < rank(b); });

  out.kind = out.codes.size() > 1 ? Expectation::Kind::Several : Expectation::Kind::Exact;
  out.success = out.codes.empty();
  out.errno_value = out.success ? success_code : out.codes.front();
  out.success_code = success_code;
  for (auto holding : out.codes) {
    for (const auto& alternative : context_.endpoint.error_code(holding)->alternatives) {
      if (!alternative.when.holds(profile)) continue;
      if (alternative.condition && truth(*alternative.condition, env) != Tri::True) continue;
      if (alternative.status) out.statuses.push_back(*alternative.status);
      out.any_rejection = out.any_rejection || alternative.any_rejection;
    }
  }
  if (out.success && context_.endpoint.response) {
    for (const auto& field : context_.endpoint.response->data_fields) {
      if (!field.value || field.generated) continue;
      if (auto v = value(*field.value, env); v.state == Value::State::Known) out.data[field.name] = v.v;
    }
  }
  auto binding_text = [&](const char* name, const char* key) -> std::string {
    auto found = env.bound.find(name);
    if (found == env.bound.end()) return "n/a";
    if (found->second.state == Binding::State::Unknown) return "undecided";
    if (found->second.state == Binding::State::Unbound) return "none";
    return found->second.record->value(key, "?");
  };
  std::string codes;
  for (auto c : out.codes) codes += (codes.empty() ? "" : ", ") + std::to_string(c);
  out.why = "auth " + facts.value("check.auth", std::string("n/a")) + ", params " +
            facts["check.params"].get<std::string>() +
            (out.interpretation.problems.empty() ? "" : " (" + out.interpretation.problems.front().message + ")") +
            ", device " + binding_text("device", "dev_id") + ", task " + binding_text("task", "id") +
            "; triggers holding: " + (codes.empty() ? "none (success)" : codes) + "; request " + describe(values);
  return out;
}

std::string Oracle::first_server_clause(std::int64_t code, bool must_only) const {
  const auto* entry = context_.endpoint.error_code(code);
  if (!entry) return {};
  for (const auto& id : entry->clauses) {
    const auto* clause = context_.spec.clause(id);
    if (!clause || clause->side == spec::Side::Client) continue;
    if (must_only && (clause->level != spec::Level::Must || fact_clauses_.count(id))) continue;
    return id;
  }
  return {};
}

std::string Oracle::blame(const Expectation& expected, const Answer& answer) const {
  const auto success_clause = first_server_clause(expected.success_code, false);
  if (expected.success) {
    // Refused with a code whose own condition did not hold: that code's clause, where it is a rule of the
    // document (errno 10 at the threshold); otherwise the promise of success.
    if (answer.errno_value && *answer.errno_value != expected.success_code) {
      if (auto own = first_server_clause(*answer.errno_value, true); !own.empty()) return own;
    }
    return success_clause;
  }
  const bool success_answer = answer.errno_value && *answer.errno_value == expected.success_code;
  if (!success_answer) {
    const auto clause = first_server_clause(expected.codes.front(), false);
    return clause.empty() ? success_clause : clause;
  }
  // Accepted a request that must fail: the rule that makes it fail.
  for (const auto& problem : expected.interpretation.problems) {
    const auto* clause = context_.spec.clause(problem.clause);
    if (clause && clause->side != spec::Side::Client) return problem.clause;
  }
  auto fact_clause = [&](const std::string& name, const std::string& value) -> std::string {
    const auto* fact = context_.spec.fact(name);
    if (!fact) return {};
    auto found = fact->clauses.find(value);
    return found == fact->clauses.end() ? std::string() : found->second;
  };
  if (!expected.interpretation.problems.empty()) {
    if (auto clause = fact_clause("check.params", "invalid"); !clause.empty()) return clause;
  }
  if (!expected.auth.status.empty() && expected.auth.status != "ok") {
    if (auto clause = fact_clause("check.auth", expected.auth.status); !clause.empty()) return clause;
  }
  for (auto code : expected.codes) {
    if (auto clause = first_server_clause(code, true); !clause.empty()) return clause;
  }
  return success_clause;
}

bool Oracle::reads_more(const spec::Profile& reading, const http::Request& request, std::int64_t now) const {
  for (const auto& [ambiguity, decision] : reading.decisions) {
    auto own = context_.profile.decisions.find(ambiguity);
    const bool changed = own == context_.profile.decisions.end() || own->second != decision;
    if (changed && deciding_.count(ambiguity)) return false;
  }
  const auto mine = expect(request, now);
  const auto theirs = expect_under(reading, request, now);
  const bool token = mine.auth.status != "ok" && theirs.auth.status == "ok";
  return theirs.interpretation.problems.size() < mine.interpretation.problems.size() ||
         theirs.interpretation.spellings.size() > mine.interpretation.spellings.size() ||
         theirs.interpretation.encodings.size() > mine.interpretation.encodings.size() || token;
}

}  // namespace otaconf::oracle
