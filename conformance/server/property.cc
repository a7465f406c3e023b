// The property: any request built from the spec's field domains over the
// fixture gets an answer the oracle allows. RapidCheck generates, runs and
// shrinks a failure to a minimal request; the reproduce string replays it.
#include <rapidcheck.h>
#include <rapidcheck/detail/TestListenerAdapter.h>

#include <iostream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "otaconf/conformance/server.h"

// Declared by RapidCheck's sources, not by its installed headers: turns the
// failure's Reproduce into the RC_PARAMS "reproduce=" string.
namespace rc::detail {
std::string reproduceMapToString(const std::unordered_map<std::string, Reproduce>& reproduceMap);
std::unordered_map<std::string, Reproduce> stringToReproduceMap(const std::string& str);
}  // namespace rc::detail

namespace otaconf::conformance {

using nlohmann::json;
using results::Verdict;

namespace {

rc::Gen<json> value_for(const spec::Field& field, const spec::Domain& domain, const fixture::Fixture& fixture) {
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
  switch (field.type) {
    case spec::ValueType::Integer: {
      const auto low = domain.min.value_or(-1000);
      const auto high = domain.max.value_or(1000);
      return rc::gen::oneOf(rc::gen::map(rc::gen::inRange<std::int64_t>(std::max<std::int64_t>(low, -1000000),
                                                                        std::min<std::int64_t>(high, 1000000) + 1),
                                         [](std::int64_t n) { return json(n); }),
                            rc::gen::map(rc::gen::element<std::int64_t>(low - 1, high + 1, 0, -1, 3),
                                         [](std::int64_t n) { return json(n); }),
                            rc::gen::elementOf(known));
    }
    case spec::ValueType::Boolean:
      return rc::gen::oneOf(rc::gen::map(rc::gen::arbitrary<bool>(), [](bool b) { return json(b); }),
                            rc::gen::element(json("yes"), json(1)));
    default:
      return rc::gen::oneOf(rc::gen::elementOf(known),
                            rc::gen::map(rc::gen::container<std::string>(rc::gen::inRange<char>(0x21, 0x7f)),
                                         [](std::string s) { return json(s); }));
  }
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

void property_check(Session& s) {
  load_rapidcheck_configuration_quietly();
  const auto& pool = s.pool();
  if (pool.bases.empty()) {
    s.record("ERR.00", Verdict::NotTestable, "the fixture offers no request to start from");
    return;
  }
  std::vector<const requests::CheckRequest*> starts;
  for (const auto& r : pool.bases) starts.push_back(&r);
  for (const auto& r : pool.mutations) {
    if (!r.fault) starts.push_back(&r);
  }
  const auto& fields = s.endpoint().request_fields;
  const auto& profile = s.suite().profile;

  std::optional<Exchange> last_failure;
  std::string last_message;
  std::map<std::int64_t, int> seen;  // expected errno -> cases

  auto property = [&] {
    auto request = **rc::gen::elementOf(starts);
    const auto changes = *rc::gen::inRange(0, 4);
    for (int i = 0; i < changes; ++i) {
      const auto& field = fields[*rc::gen::inRange<std::size_t>(0, fields.size())];
      std::string spelling = field.name;
      for (const auto& p : request.params) {
        for (const auto& alias : field.aliases) {
          if (p.first == alias.spelling) spelling = p.first;
        }
      }
      switch (*rc::gen::inRange(0, 5)) {
        case 0: request.drop(spelling); break;
        case 1: {
          std::vector<std::string> names{field.name};
          for (const auto& alias : field.aliases) names.push_back(alias.spelling);
          request.rename(spelling, *rc::gen::elementOf(names));
          break;
        }
        case 2: request.auth.lifetime = *rc::gen::element<std::int64_t>(-3600, 86400); break;
        default: request.set(spelling, *value_for(field, field.domain_under(profile), s.suite().fixture)); break;
      }
    }
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
  params.maxSize = 50;
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
  for (const auto& [errno_value, cases] : seen) {
    const auto* code = s.endpoint().error_code(errno_value);
    if (!code) continue;
    for (const auto& c : code->clauses) {
      const auto* clause = s.suite().spec.clause(c);
      if (clause && clause->side != spec::Side::Client) {
        s.record(c, Verdict::Pass,
                 std::to_string(cases) + " random requests expected errno " + std::to_string(errno_value) +
                     " and got an answer the oracle allows");
      }
    }
  }
}

}  // namespace otaconf::conformance
