// Runs the catalog: checks spread over worker threads, each with its own
// keep-alive connection; exclusive checks (RapidCheck) afterwards, alone.
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "otaconf/conformance/server.h"

namespace otaconf::conformance {

http::Limits exchange_limits(const ServerOptions& options) {
  http::Limits limits;
  limits.deadline_seconds = options.timeout_seconds;
  limits.max_body_bytes = options.max_answer_bytes;
  limits.tls = options.tls;
  limits.rate = options.rate;
  return limits;
}

using nlohmann::json;

namespace {

constexpr int kExchangesBeforeGivingUp = 8;

// The encoding a reading's clients use: its canonical one if it accepts it, else the first it accepts.
std::string encoding_under(const spec::Endpoint& endpoint, const spec::Profile& reading) {
  std::string chosen;
  for (const auto& encoding : endpoint.encodings) {
    const bool accepted = encoding.accepted_when.empty() || encoding.accepted_when.holds(reading);
    if (accepted && (chosen.empty() || encoding.canonical)) chosen = encoding.id;
  }
  return chosen.empty() ? "query" : chosen;
}

// A reading may explain misses only if the server answers requests that are
// right under it as it says: two of the fixture's success requests, written
// as the reading's clients write them. "" when confirmed, else the refutation.
std::string confirm_reading(const ServerSuite& suite, const oracle::Oracle& oracle, const requests::Renderer& renderer,
                            const spec::Profile& reading, std::atomic<std::uint64_t>& requests,
                            const std::shared_ptr<http::Breaker>& breaker) {
  const auto& endpoint = oracle.context().endpoint;
  const auto pool = derive_pool(suite.spec, endpoint, reading, suite.fixture);
  http::Client client(suite.target.url, exchange_limits(suite.options));
  client.set_breaker(breaker);
  if (suite.options.recording) client.set_recording(suite.options.recording);
  int sent = 0;
  for (auto base : pool.bases) {
    if (sent >= 2) break;
    base.encoding = encoding_under(endpoint, reading);
    const auto at =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    Exchange exchange;
    exchange.request = base;
    exchange.at = at;
    exchange.wire = renderer.render(base, at);
    const auto expected = oracle.expect_under(reading, exchange.wire, at);
    if (!expected.success) continue;
    exchange.response = client.send(exchange.wire);
    ++requests;
    ++sent;
    auto parsed = json::parse(exchange.response.body, nullptr, false);
    if (exchange.response.ok() && !parsed.is_discarded()) exchange.body = std::move(parsed);
    if (!expected.allows(answer_under(endpoint, reading, exchange))) {
      return "a request right under that reading (" + base.describe() + ") answered " +
             (exchange.response.ok() ? "HTTP " + std::to_string(exchange.response.status) : exchange.response.error);
    }
  }
  return sent == 0 ? "no request of the fixture succeeds under that reading" : "";
}

bool selected(const ServerOptions& options, const ServerCheck& check) {
  for (const auto& clause : check.clauses) {
    if (clause_selected(options, clause, check.id)) return true;
  }
  return false;
}

}  // namespace

void run_server_suite(const ServerSuite& suite, results::Recorder& recorder, results::RunInfo& run) {
  const auto started = std::chrono::steady_clock::now();
  run.side = "server";
  run.target = suite.target.url.base();
  run.implementation = suite.target.implementation;
  run.profile = suite.profile.id;
  run.seed = suite.options.seed;
  run.spec_id = suite.spec.id;
  run.fixture = suite.fixture.file.string();
  run.started = results::utc_now();
  run.plan = plan_pairs(server_plan(suite.options, answer_clauses(suite.spec)));

  const auto* endpoint = suite.spec.endpoint_by_role("check");
  if (!endpoint) {
    recorder.record({"server",
                     "the spec",
                     "EP.CHECK.PATH",
                     results::Verdict::Error,
                     "the spec has no check endpoint",
                     {},
                     results::Basis::document()});
    return;
  }
  oracle::Oracle oracle({suite.spec, *endpoint, suite.profile, suite.fixture, self_address_of(suite.target.url)});
  requests::Renderer renderer(suite.spec, *endpoint, suite.fixture, suite.credentials);
  const auto pool = derive_pool(suite.spec, *endpoint, suite.profile, suite.fixture);
  std::atomic<std::uint64_t> requests{0};
  readings::Ledger ledger(suite.spec, suite.profile);
  // A server that stops answering ends the run's sending quickly (ERRORs), not after hours.
  auto breaker = std::make_shared<http::Breaker>(kExchangesBeforeGivingUp);
  auto client_for_run = [&] {
    auto client = std::make_unique<http::Client>(suite.target.url, exchange_limits(suite.options));
    client->set_breaker(breaker);
    if (suite.options.recording) client->set_recording(suite.options.recording);
    return client;
  };
  run.enforce_decisions = suite.options.enforce_decisions;

  std::vector<const ServerCheck*> parallel, exclusive;
  for (const auto& check : server_checks()) {
    if (!selected(suite.options, check)) continue;
    (check.exclusive ? exclusive : parallel).push_back(&check);
  }
  auto run_check = [&](const ServerCheck& check, http::Client& client) {
    Session session(suite, check, oracle, renderer, pool, recorder, ledger, client, requests, client_for_run);
    try {
      check.run(session);
    } catch (const std::exception& e) {
      session.record(check.clauses.front(), results::Verdict::Error, std::string("the check stopped: ") + e.what());
    }
  };

  std::mutex queue_mutex;
  std::size_t next = 0;
  const auto workers = std::max(1, std::min<int>(suite.options.concurrency, static_cast<int>(parallel.size())));
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      const auto client = client_for_run();
      while (true) {
        const ServerCheck* check = nullptr;
        {
          std::lock_guard lock(queue_mutex);
          if (next >= parallel.size()) return;
          check = parallel[next++];
        }
        run_check(*check, *client);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto client = client_for_run();
  for (const auto* check : exclusive) run_check(*check, *client);
  // Every case is in: grade the misses against the whole run, each reading
  // confirmed by requests that are right under it.
  ledger.set_confirm([&](const readings::Changes& changes) {
    return confirm_reading(suite, oracle, renderer, readings::apply(suite.profile, changes), requests, breaker);
  });
  ledger.grade_misses(suite.options.enforce_decisions, recorder);

  run.requests = requests.load();  // confirmations included
  run.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace otaconf::conformance
