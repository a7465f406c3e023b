// The property: any request built from the spec's field domains over the
// fixture gets an answer the oracle allows. RapidCheck generates, runs and
// shrinks a failure to a minimal request; the reproduce string replays it.
#include <rapidcheck.h>
#include <rapidcheck/detail/TestListenerAdapter.h>

#include <algorithm>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <unordered_map>

#include "otaconf/rapidcheck_reproduce.h"
#include "otaconf/conformance/server.h"
#include "otaconf/near_miss.h"


namespace otaconf::conformance {

using nlohmann::json;
using results::Verdict;

namespace {

// RapidCheck scales inRange with the case's size, and the property runs at
// sizes below kNominalSize: a sized choice would only ever pick the first
// fields and the first kinds of change. Choices are uniform at every size.
template <typename T>
rc::Gen<T> uniform(T low, T high_exclusive) {
  return rc::gen::resize(rc::kNominalSize, rc::gen::inRange<T>(low, high_exclusive));
}

rc::Gen<json> pick(std::vector<json> values) {
  const auto count = values.size();  // before the lambda takes them
  return rc::gen::map(uniform<std::size_t>(0, count),
                      [values = std::move(values)](std::size_t i) { return values[i]; });
}

std::vector<json> known_values(const spec::Field& field, const spec::Domain& domain, const fixture::Fixture& fixture) {
  std::vector<json> known;
  for (const auto& example : field.examples) known.push_back(example);
  for (const auto& e : domain.enum_values) known.push_back(e.value);
  for (const auto& task : fixture.tasks) {
    for (const auto& text : {task.manuf, task.model, task.target}) known.push_back(text);
    for (const auto& version : task.from_versions) known.push_back(version);
    if (task.signal) known.push_back(*task.signal);
    if (task.power) known.push_back(*task.power);
  }
  for (const auto& device : fixture.devices) known.push_back(device.dev_id);
  return known;
}

// A value of the field's own type: known to the fixture, at the domain's
// edges, or anywhere in it.
rc::Gen<json> value_for(const spec::Field& field, const spec::Domain& domain, const fixture::Fixture& fixture) {
  auto known = known_values(field, domain, fixture);
  switch (field.type) {
    case spec::ValueType::Integer: {
      const auto low = domain.min.value_or(-1000);
      const auto high = domain.max.value_or(1000);
      return rc::gen::oneOf(rc::gen::map(uniform<std::int64_t>(std::max<std::int64_t>(low, -1000000),
                                                               std::min<std::int64_t>(high, 1000000) + 1),
                                         [](std::int64_t n) { return json(n); }),
                            pick({low - 1, low, high, high + 1, 0, -1}), pick(std::move(known)));
    }
    case spec::ValueType::Boolean: return pick({true, false});
    default:
      return rc::gen::oneOf(pick(std::move(known)),
                            rc::gen::map(rc::gen::container<std::string>(rc::gen::inRange<char>(0x21, 0x7f)),
                                         [](std::string s) { return json(s); }));
  }
}

// A value of another JSON type than the field's.
rc::Gen<json> retyped(const spec::Field& field, const json* current) {
  const auto text = current ? (current->is_string() ? current->get<std::string>() : current->dump()) : "1";
  switch (field.type) {
    case spec::ValueType::Integer: return pick({text, json(1.5), true, nullptr});
    case spec::ValueType::Boolean: return pick({"true", "false", 1, 0, "yes"});
    default: {
      std::vector<json> values{true, nullptr, json::array({text})};
      char* end = nullptr;
      const auto number = std::strtoll(text.c_str(), &end, 10);
      values.push_back(end && *end == '\0' && !text.empty() ? json(number) : json(7));
      return pick(std::move(values));
    }
  }
}

// A value next to the field's current one that a wrong equivalence takes for
// it (otaconf/near_miss.h), or the pool's near misses of the field.
std::vector<json> near_values(const spec::Field& field, const json* current, const RequestPool& pool) {
  std::vector<json> values;
  if (current && current->is_string()) {
    for (const auto& miss : near_miss::near_misses(current->get<std::string>())) values.push_back(miss.value);
  }
  if (current && current->is_number_integer()) {
    values.push_back(current->get<std::int64_t>() - 1);
    values.push_back(current->get<std::int64_t>() + 1);
  }
  for (const auto& probe : pool.near_misses) {
    if (probe.field != field.name) continue;
    for (const auto& param : probe.request.params) {
      const auto& name = param.first;
      if (name == field.name || std::any_of(field.aliases.begin(), field.aliases.end(),
                                            [&](const auto& alias) { return alias.spelling == name; })) {
        values.push_back(param.second);
      }
    }
  }
  return values;
}

void count_changes(const ChangedRequest& changed, ChangeMix& mix) {
  ++mix.cases;
  std::set<ChangeKind> kinds;
  std::set<std::string> fields;
  for (const auto& [kind, field] : changed.changes) {
    kinds.insert(kind);
    fields.insert(field);
  }
  for (auto kind : kinds) ++mix.cases_with[std::string(name_of(kind))];
  for (const auto& field : fields) ++mix.cases_changing[field];
  if (changed.changes.empty()) ++mix.cases_with["none"];
}

// RapidCheck prints "Using configuration: ..." to stderr when it first reads
// RC_PARAMS; otaconf passes its own parameters, so the line only confuses.
void load_rapidcheck_configuration_quietly() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::ostringstream sink;
    auto* previous = std::cerr.rdbuf(sink.rdbuf());
    rc::detail::configuration();
    std::cerr.rdbuf(previous);
  });
}

}  // namespace

std::string_view name_of(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::Drop: return "drop";
    case ChangeKind::Respell: return "respell";
    case ChangeKind::Retype: return "retype";
    case ChangeKind::Value: return "value";
    case ChangeKind::NearMiss: return "near-miss";
    case ChangeKind::Token: return "token";
  }
  return "?";
}

rc::Gen<ChangedRequest> changed_requests(const ServerSuite& suite, const spec::Endpoint& endpoint,
                                         const RequestPool& pool) {
  std::vector<requests::CheckRequest> starts = pool.bases;
  for (const auto& r : pool.mutations) {
    if (!r.fault) starts.push_back(r);
  }
  // The suite, the endpoint and the pool outlive every use of the generator.
  return rc::gen::exec([starts, &suite, &endpoint, &pool]() {
    const auto& fields = endpoint.request_fields;
    const auto& profile = suite.profile;
    const auto& fixture = suite.fixture;
    ChangedRequest changed{starts[*uniform<std::size_t>(0, starts.size())], {}};
    auto& request = changed.request;
    const auto count = *uniform(0, 4);
    for (int i = 0; i < count; ++i) {
      const auto& field = fields[*uniform<std::size_t>(0, fields.size())];
      std::string spelling = field.name;
      for (const auto& p : request.params) {
        for (const auto& alias : field.aliases) {
          if (p.first == alias.spelling) spelling = p.first;
        }
      }
      const auto* current = request.find(spelling);
      auto kind = static_cast<ChangeKind>(*uniform<int>(0, kChangeKinds));
      switch (kind) {
        case ChangeKind::Drop: request.drop(spelling); break;
        case ChangeKind::Respell: {
          std::vector<std::string> names{field.name};
          for (const auto& alias : field.aliases) names.push_back(alias.spelling);
          request.rename(spelling, names[*uniform<std::size_t>(0, names.size())]);
          break;
        }
        case ChangeKind::Retype: request.set(spelling, *retyped(field, current)); break;
        case ChangeKind::Value: request.set(spelling, *value_for(field, field.domain_under(profile), fixture)); break;
        case ChangeKind::NearMiss: {
          auto values = near_values(field, current, pool);
          if (values.empty()) {
            kind = ChangeKind::Value;
            request.set(spelling, *value_for(field, field.domain_under(profile), fixture));
          } else {
            request.set(spelling, *pick(std::move(values)));
          }
          break;
        }
        case ChangeKind::Token:
          // A few seconds either side of et, an hour past it, or a day ahead.
          request.auth.lifetime = (*pick({-3600, -2, 2, 86400})).get<std::int64_t>();
          break;
      }
      changed.changes.emplace_back(kind, kind == ChangeKind::Token ? "auth" : field.name);
    }
    return changed;
  });
}

ChangeMix change_mix(const ServerSuite& suite, const spec::Endpoint& endpoint, const RequestPool& pool) {
  const auto requests = changed_requests(suite, endpoint, pool);
  ChangeMix mix;
  rc::Random random(suite.options.seed);
  const auto cases = std::max(1, suite.options.cases);
  for (int i = 0; i < cases; ++i) {
    // RapidCheck grows the size from 0 towards its maximum over the run.
    count_changes(requests(random.split(), i * kPropertyMaxSize / cases).value(), mix);
  }
  return mix;
}

void property_check(Session& s) {
  load_rapidcheck_configuration_quietly();
  const auto& pool = s.pool();
  if (pool.bases.empty()) {
    s.record("ERR.00", Verdict::NotTestable, "the fixture offers no request to start from");
    return;
  }
  const auto requests = changed_requests(s.suite(), s.endpoint(), pool);

  std::optional<Exchange> last_failure;
  std::string last_message;
  std::map<std::int64_t, int> seen;  // expected errno -> cases
  ChangeMix mix;

  auto property = [&] {
    const auto changed = *requests;
    const auto& request = changed.request;
    count_changes(changed, mix);
    auto exchange = s.send(request);
    ++seen[exchange.expected.errno_value];
    std::string problem;
    if (!exchange.response.ok()) {
      problem = "no answer: " + exchange.response.error;
    } else if (s.allowed_by_some_reading(exchange)) {
      // Right under the profile, or under another reading of the document:
      // recorded (and graded with the whole run), but not a counterexample.
      s.expect(exchange);
    } else {
      problem = "expected errno " + std::to_string(exchange.expected.errno_value) + ", got " +
                (exchange.observed ? std::to_string(*exchange.observed)
                                   : "no integer errno (HTTP " + std::to_string(exchange.response.status) + ")") +
                "; " + exchange.expected.why;
    }
    if (!problem.empty()) {
      last_failure = exchange;
      last_message = problem + "; sent " + request.describe();
      RC_FAIL(last_message);
    }
  };

  rc::detail::TestMetadata metadata{s.suite().profile.id + "/server.property", "server.property"};
  rc::detail::TestParams params;
  params.seed = s.suite().options.seed;
  params.maxSuccess = std::max(1, s.suite().options.cases);
  params.maxSize = kPropertyMaxSize;
  // A listener of our own: the default one prints an RC_PARAMS hint at exit.
  rc::detail::TestListenerAdapter quiet;
  std::unordered_map<std::string, rc::detail::Reproduce> replay;
  if (!s.suite().options.reproduce.empty()) {
    try {
      replay = rc::detail::stringToReproduceMap(s.suite().options.reproduce);
    } catch (const std::exception& e) {
      s.record("ERR.00", Verdict::Error, std::string("--reproduce is not a RapidCheck reproduce string: ") + e.what());
      return;
    }
  }
  const auto result = rc::detail::checkProperty(rc::detail::toProperty(property), metadata, params, quiet, replay);

  if (result.template is<rc::detail::FailureResult>()) {
    const auto* failure = &result.template get<rc::detail::FailureResult>();
    std::unordered_map<std::string, rc::detail::Reproduce> reproduce_map{{metadata.id, failure->reproduce}};
    const auto reproduce = rc::detail::reproduceMapToString(reproduce_map);
    auto evidence = last_failure ? s.evidence(*last_failure) : results::Evidence{};
    evidence.reproduce = reproduce;
    // The shrunk case is wrong under every reading: a document FAIL on the clause its answer breaks.
    const auto clause =
        last_failure ? s.oracle().blame(last_failure->expected, last_failure->answer) : std::string("ERR.00");
    const auto* c = s.suite().spec.clause(clause);
    s.record(clause,
             last_failure && !last_failure->response.ok() ? Verdict::Error
             : c                                          ? results::violation_of(c->level)
                                                          : Verdict::Fail,
             "after " + std::to_string(failure->numSuccess) + " passing cases, shrunk to: " + last_message, evidence);
    return;
  }
  if (result.template is<rc::detail::GaveUpResult>()) {
    const auto* gave_up = &result.template get<rc::detail::GaveUpResult>();
    s.record("ERR.00", Verdict::Error, "the property gave up: " + gave_up->description);
    return;
  }
  std::string kinds;
  for (const auto& [kind, cases] : mix.cases_with)
    kinds += (kinds.empty() ? "" : ", ") + kind + " " + std::to_string(cases);
  for (const auto& [errno_value, cases] : seen) {
    const auto* code = s.endpoint().error_code(errno_value);
    if (!code) continue;
    for (const auto& c : code->clauses) {
      const auto* clause = s.suite().spec.clause(c);
      if (clause && clause->side != spec::Side::Client) {
        s.record(c, Verdict::Pass,
                 std::to_string(cases) + " random requests expected errno " + std::to_string(errno_value) +
                     " and got an answer the oracle allows (cases with each kind of change, of " +
                     std::to_string(mix.cases) + ": " + kinds + ")");
      }
    }
  }
}

}  // namespace otaconf::conformance
