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

namespace {

// What every session of a run shares: the oracle, the renderer, the pool,
// the ledger, the breaker and the request count; and the run's bookends.
class SuiteRun {
 public:
  SuiteRun(const ServerSuite& suite, results::Recorder& recorder, results::RunInfo& run)
      : suite_(suite), recorder_(recorder), run_(run), started_(std::chrono::steady_clock::now()) {
    run.side = "server";
    run.target = suite.target.url.base();
    run.implementation = suite.target.implementation;
    run.profile = suite.profile.id;
    run.seed = suite.options.seed;
    run.spec_id = suite.spec.id;
    run.fixture = suite.fixture.file.string();
    run.started = results::utc_now();
    run.enforce_decisions = suite.options.enforce_decisions;
    endpoint_ = suite.spec.endpoint_by_role("check");
    if (!endpoint_) {
      recorder.record({"server",
                       "the spec",
                       "EP.CHECK.PATH",
                       results::Verdict::Error,
                       "the spec has no check endpoint",
                       {},
                       results::Basis::document()});
      return;
    }
    oracle_ = std::make_unique<oracle::Oracle>(
        oracle::Context{suite.spec, *endpoint_, suite.profile, suite.fixture, self_address_of(suite.target.url)});
    renderer_ = std::make_unique<requests::Renderer>(suite.spec, *endpoint_, suite.fixture, suite.credentials);
    pool_ = derive_pool(suite.spec, *endpoint_, suite.profile, suite.fixture);
    ledger_ = std::make_unique<readings::Ledger>(suite.spec, suite.profile);
  }

  bool ready() const { return endpoint_ != nullptr; }

  std::unique_ptr<http::Client> client() const {
    auto client = std::make_unique<http::Client>(suite_.target.url, exchange_limits(suite_.options));
    client->set_breaker(breaker_);
    if (suite_.options.recording) client->set_recording(suite_.options.recording);
    return client;
  }

  // Runs `check` on a session of its own, on `client`; an exception is an ERROR.
  void run_check(const ServerCheck& check, http::Client& client, const std::function<void(Session&)>& body) {
    Session session(suite_, check, *oracle_, *renderer_, pool_, recorder_, *ledger_, client, requests_,
                    [this] { return this->client(); });
    try {
      body(session);
    } catch (const std::exception& e) {
      session.record(check.clauses.empty() ? "ERR.00" : check.clauses.front(), results::Verdict::Error,
                     std::string("the check stopped: ") + e.what());
    }
  }

  // Every case is in: the misses graded against the whole run, each reading
  // confirmed by requests that are right under it.
  void finish() {
    if (ready()) {
      ledger_->set_confirm([&](const readings::Changes& changes) {
        return confirm_reading(suite_, *oracle_, *renderer_, readings::apply(suite_.profile, changes), requests_,
                               breaker_);
      });
      ledger_->grade_misses(suite_.options.enforce_decisions, recorder_);
    }
    run_.requests = requests_.load();  // confirmations included
    run_.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
  }

 private:
  const ServerSuite& suite_;
  results::Recorder& recorder_;
  results::RunInfo& run_;
  std::chrono::steady_clock::time_point started_;
  const spec::Endpoint* endpoint_ = nullptr;
  std::unique_ptr<oracle::Oracle> oracle_;
  std::unique_ptr<requests::Renderer> renderer_;
  RequestPool pool_;
  std::unique_ptr<readings::Ledger> ledger_;
  std::atomic<std::uint64_t> requests_{0};
  // A server that stops answering ends the run's sending quickly (ERRORs), not after hours.
  std::shared_ptr<http::Breaker> breaker_ = std::make_shared<http::Breaker>(kExchangesBeforeGivingUp);
};

}  // namespace

void run_server_suite(const ServerSuite& suite, results::Recorder& recorder, results::RunInfo& run) {
  SuiteRun context(suite, recorder, run);
  run.plan = plan_pairs(server_plan(suite.options, answer_clauses(suite.spec)));
  if (!context.ready()) return;
  std::vector<const ServerCheck*> parallel, exclusive;
  for (const auto& check : server_checks()) {
    if (!selected(suite.options, check)) continue;
    (check.exclusive ? exclusive : parallel).push_back(&check);
  }
  std::mutex queue_mutex;
  std::size_t next = 0;
  const auto workers = std::max(1, std::min<int>(suite.options.concurrency, static_cast<int>(parallel.size())));
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      const auto client = context.client();
      while (true) {
        const ServerCheck* check = nullptr;
        {
          std::lock_guard lock(queue_mutex);
          if (next >= parallel.size()) return;
          check = parallel[next++];
        }
        context.run_check(*check, *client, check->run);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto client = context.client();
  for (const auto* check : exclusive) context.run_check(*check, *client, check->run);
  context.finish();
}

void with_suite_session(const ServerSuite& suite, const ServerCheck& check, results::Recorder& recorder,
                        results::RunInfo& run, const std::function<void(Session&)>& body) {
  SuiteRun context(suite, recorder, run);
  run.plan = plan_pairs({{check.id, check.title, {}, answer_clauses(suite.spec), ""}});
  if (!context.ready()) return;
  const auto client = context.client();
  context.run_check(check, *client, body);
  context.finish();
}

}  // namespace otaconf::conformance
