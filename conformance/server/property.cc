// The property: any request built from the spec's field domains over the
// fixture gets an answer the oracle allows. RapidCheck's generators make the
// requests and their shrinks; the driver below sends them over --concurrency
// connections, judges them in order and shrinks the first failure to a
// minimal request; the reproduce string replays it.
#include <rapidcheck.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "otaconf/conformance/server.h"
#include "otaconf/near_miss.h"
#include "otaconf/rapidcheck_reproduce.h"

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
  auto starts = std::make_shared<std::vector<requests::CheckRequest>>(pool.bases);
  for (const auto& r : pool.mutations) {
    if (!r.fault) starts->push_back(r);
  }
  // The suite, the endpoint and the pool outlive every use of the generator;
  // the starts are shared, not copied with the callable (RapidCheck copies
  // it for every value and every shrink).
  return rc::gen::exec([starts = std::shared_ptr<const std::vector<requests::CheckRequest>>(std::move(starts)), &suite,
                        &endpoint, &pool]() {
    const auto& fields = endpoint.request_fields;
    const auto& profile = suite.profile;
    const auto& fixture = suite.fixture;
    ChangedRequest changed{(*starts)[*uniform<std::size_t>(0, starts->size())], {}};
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

namespace {

// At most this many requests go into shrinking one failure.
constexpr int kMaxShrinkRequests = 500;

// The property's verdict on one exchange: empty when the answer is one some
// reading allows (then judged and recorded as expect() does), else why not.
std::string property_problem(Session& s, const Exchange& exchange) {
  if (!exchange.response.ok()) return "no answer: " + exchange.response.error;
  if (s.allowed_by_some_reading(exchange)) {
    // Right under the profile, or under another reading of the document:
    // recorded (and graded with the whole run), but not a counterexample.
    s.expect(exchange);
    return {};
  }
  return "expected errno " + std::to_string(exchange.expected.errno_value) + ", got " +
         (exchange.observed ? std::to_string(*exchange.observed)
                            : "no integer errno (HTTP " + std::to_string(exchange.response.status) + ")") +
         "; " + exchange.expected.why;
}

// One generated case: where it came from (for its reproduce string) and its
// request with every smaller version of it.
// (RapidCheck evaluates a shrinkable's value on each call, through global
// state that is not thread-safe: `value` is taken once, on the driver's thread.)
struct Case {
  rc::Random random;
  int size = 0;
  rc::Shrinkable<ChangedRequest> request;
  ChangedRequest value;
};

// Cases are sent `concurrency` at a time, in batches, and judged in their
// order afterwards: what is recorded, and which case fails first, do not
// depend on the concurrency (a seed gives the same results at any).
class PropertyDriver {
 public:
  PropertyDriver(Session& s, rc::Gen<ChangedRequest> requests) : s_(s), requests_(std::move(requests)) {
    const auto wanted = std::max(1, s.suite().options.concurrency);
    for (int i = 1; i < wanted; ++i) {
      auto client = s.new_client();
      if (!client) break;
      extra_clients_.push_back(std::move(client));
    }
  }

  // Runs `cases` cases from `seed`; false at the first failing one (then
  // `failure()` describes it, shrunk).
  bool run(std::uint64_t seed, int cases) {
    rc::Random root(seed);
    const auto batch = static_cast<int>(connections()) * 8;
    // Batches are generated in order; the next one is on the wire while
    // this one is judged (on this thread, in order).
    auto generate = [&](int start) {
      std::vector<Case> generated;
      for (int i = start; i < std::min(cases, start + batch); ++i) {
        // The size grows from 0 towards its maximum over the run, as in RapidCheck (and change_mix).
        auto random = root.split();
        const auto size = i * kPropertyMaxSize / cases;
        auto shrinkable = requests_(random, size);
        auto value = shrinkable.value();
        generated.push_back({random, size, std::move(shrinkable), std::move(value)});
      }
      return generated;
    };
    auto current = generate(0);
    auto in_flight = std::async(std::launch::async, [&, cases_ = &current] { return transmit_all(*cases_); });
    for (int start = 0; start < cases; start += batch) {
      auto exchanges = in_flight.get();
      auto judged = std::move(current);
      if (start + batch < cases) {
        current = generate(start + batch);
        in_flight = std::async(std::launch::async, [&, cases_ = &current] { return transmit_all(*cases_); });
      }
      for (std::size_t i = 0; i < judged.size(); ++i) {
        count_changes(judged[i].value, mix_);
        s_.judge_envelope(exchanges[i]);
        ++seen_[exchanges[i].expected.errno_value];
        if (auto problem = property_problem(s_, exchanges[i]); !problem.empty()) {
          if (in_flight.valid()) in_flight.wait();  // its answers are not judged: this case fails first
          passed_ = start + static_cast<int>(i);
          shrink(judged[i], exchanges[i], problem);
          return false;
        }
      }
    }
    passed_ = cases;
    return true;
  }

  // Runs the one case a reproduce string names (its shrink path followed).
  bool replay(const rc::detail::Reproduce& reproduce) {
    Case c{reproduce.random, reproduce.size, requests_(reproduce.random, reproduce.size), {}};
    for (const auto index : reproduce.shrinkPath) {
      auto shrinks = c.request.shrinks();
      std::size_t at = 0;
      bool found = false;
      while (auto next = shrinks.next()) {
        if (at++ == index) {
          c.request = *next;
          found = true;
          break;
        }
      }
      if (!found) break;
    }
    c.value = c.request.value();
    auto exchange = s_.send(c.value.request);
    ++seen_[exchange.expected.errno_value];
    count_changes(c.value, mix_);
    auto problem = property_problem(s_, exchange);
    if (problem.empty()) return true;
    failure_ = exchange;
    message_ = problem + "; sent " + c.value.request.describe();
    reproduce_ = reproduce;
    return false;
  }

  const std::optional<Exchange>& failure() const { return failure_; }
  const std::string& message() const { return message_; }
  const rc::detail::Reproduce& reproduce() const { return reproduce_; }
  int passed() const { return passed_; }
  const std::map<std::int64_t, int>& seen() const { return seen_; }
  const ChangeMix& mix() const { return mix_; }

 private:
  std::size_t connections() const { return extra_clients_.size() + 1; }

  // Sends the cases over every connection (the session's own and the
  // extra ones), each connection on a thread of its own.
  std::vector<Exchange> transmit_all(const std::vector<Case>& cases) {
    std::vector<Exchange> out(cases.size());
    std::vector<http::Client*> clients{&s_.client()};
    for (auto& client : extra_clients_) clients.push_back(client.get());
    for_each_on_clients(cases.size(), clients, [&](std::size_t i, http::Client& client) {
      out[i] = s_.transmit(cases[i].value.request, client);
    });
    return out;
  }

  // Greedy, as RapidCheck shrinks: the first smaller request that still
  // fails replaces the case, until none does (or the budget is spent).
  void shrink(const Case& failing, Exchange exchange, std::string problem) {
    auto current = failing.request;
    auto described = failing.value.request.describe();
    std::vector<std::size_t> path;
    int spent = 0;
    for (bool smaller = true; smaller && spent < kMaxShrinkRequests;) {
      smaller = false;
      auto shrinks = current.shrinks();
      std::size_t index = 0;
      while (auto next = shrinks.next()) {
        if (++spent > kMaxShrinkRequests) break;
        const auto smaller_request = next->value().request;
        auto candidate = s_.send(smaller_request);
        if (auto why = property_problem(s_, candidate); !why.empty()) {
          current = *next;
          described = smaller_request.describe();
          exchange = std::move(candidate);
          problem = std::move(why);
          path.push_back(index);
          smaller = true;
          break;
        }
        ++index;
      }
    }
    failure_ = std::move(exchange);
    message_ = problem + "; sent " + described;
    reproduce_ = {failing.random, failing.size, path};
  }

  Session& s_;
  rc::Gen<ChangedRequest> requests_;
  std::vector<std::unique_ptr<http::Client>> extra_clients_;
  std::optional<Exchange> failure_;
  std::string message_;
  rc::detail::Reproduce reproduce_;
  int passed_ = 0;
  std::map<std::int64_t, int> seen_;  // expected errno -> cases
  ChangeMix mix_;
};

}  // namespace

void property_check(Session& s) {
  const auto& pool = s.pool();
  if (pool.bases.empty()) {
    s.record("ERR.00", Verdict::NotTestable, "the fixture offers no request to start from");
    return;
  }
  const std::string id = s.suite().profile.id + "/server.property";
  PropertyDriver driver(s, changed_requests(s.suite(), s.endpoint(), pool));
  bool passed = true;
  if (!s.suite().options.reproduce.empty()) {
    std::unordered_map<std::string, rc::detail::Reproduce> replay;
    try {
      replay = rc::detail::stringToReproduceMap(s.suite().options.reproduce);
    } catch (const std::exception& e) {
      s.record("ERR.00", Verdict::Error, std::string("--reproduce is not a reproduce string: ") + e.what());
      return;
    }
    const auto found = replay.find(id);
    if (found == replay.end()) {
      s.record("ERR.00", Verdict::Error, "--reproduce names no case of " + id + " (another --profile?)");
      return;
    }
    passed = driver.replay(found->second);
  } else {
    passed = driver.run(s.suite().options.seed, std::max(1, s.suite().options.cases));
  }
  if (!passed) {
    const auto& failure = driver.failure();
    const auto reproduce = rc::detail::reproduceMapToString({{id, driver.reproduce()}});
    auto evidence = failure ? s.evidence(*failure) : results::Evidence{};
    evidence.reproduce = reproduce;
    // The shrunk case is wrong under every reading: a document FAIL on the clause its answer breaks.
    const auto clause = failure ? s.oracle().blame(failure->expected, failure->answer) : std::string("ERR.00");
    const auto* c = s.suite().spec.clause(clause);
    s.record(clause,
             failure && !failure->response.ok() ? Verdict::Error
             : c                                ? results::violation_of(c->level)
                                                : Verdict::Fail,
             "after " + std::to_string(driver.passed()) + " passing cases, shrunk to: " + driver.message(), evidence);
    return;
  }
  std::string kinds;
  for (const auto& [kind, cases] : driver.mix().cases_with)
    kinds += (kinds.empty() ? "" : ", ") + kind + " " + std::to_string(cases);
  for (const auto& [errno_value, cases] : driver.seen()) {
    const auto* code = s.endpoint().error_code(errno_value);
    if (!code) continue;
    for (const auto& c : code->clauses) {
      const auto* clause = s.suite().spec.clause(c);
      if (clause && clause->side != spec::Side::Client) {
        s.record(c, Verdict::Pass,
                 std::to_string(cases) + " random requests expected errno " + std::to_string(errno_value) +
                     " and got an answer the oracle allows (cases with each kind of change, of " +
                     std::to_string(driver.mix().cases) + ": " + kinds + ")");
      }
    }
  }
}

}  // namespace otaconf::conformance
