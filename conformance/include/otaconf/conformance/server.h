// The catalog of server conformance checks and the runner that executes it
// against any OTA check server over HTTP. One catalog serves `otaconf
// server`, `otaconf mutation --side server` and the ctest suite.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "otaconf/check_request.h"
#include "otaconf/conformance/plan.h"
#include "otaconf/fixture.h"
#include "otaconf/har.h"
#include "otaconf/http.h"
#include "otaconf/oracle.h"
#include "otaconf/readings.h"
#include "otaconf/results.h"
#include "otaconf/spec.h"

namespace rc {
template <typename T>
class Gen;  // <rapidcheck.h>
}  // namespace rc

namespace otaconf::conformance {

struct ServerTarget {
  http::Url url;
  std::string implementation;         // a name for reports
  bool fault_injection = false;       // the server honours the fixture's fault-injection header
  bool follow_download_host = false;  // fetch packages from a data.ip that is not the target's host
};

struct ServerOptions {
  std::uint64_t seed = 1;
  int cases = 40;                              // property cases per property check
  double timeout_seconds = 5;                  // each exchange, whole (http::Limits)
  std::size_t max_answer_bytes = 16u << 20;    // each answer's body (http::Limits)
  int concurrency = 4;                         // parallel keep-alive connections
  std::vector<std::string> only, skip;         // clause-id globs
  std::string reproduce;                       // a RapidCheck reproduce string from an earlier run's evidence
  bool enforce_decisions = false;              // grade decision-based misses at their clause's level
  std::shared_ptr<http::Recording> recording;  // every exchange, for --record FILE.har (null: none)
  http::Tls tls;                               // how an https server is trusted (--cacert, --insecure)
  std::shared_ptr<http::RateLimiter> rate;     // --rate-limit, shared by every connection (null: none)
};

// The budget of every exchange with the server under test.
http::Limits exchange_limits(const ServerOptions& options);

struct ServerSuite {
  const spec::Spec& spec;
  const spec::Profile& profile;
  const fixture::Fixture& fixture;
  ServerTarget target;
  requests::Credentials credentials;
  ServerOptions options;
};

class Session;

struct ServerCheck {
  std::string id;
  std::string title;
  std::vector<std::string> clauses;  // every clause it may judge
  bool exclusive = false;            // runs alone (RapidCheck properties)
  std::function<void(Session&)> run;
  // Its exchanges are judged by the oracle, which may charge any clause an
  // answer can break (answer_clauses), not only those above.
  bool judges_answers = true;
};

// Every server check, in a stable order.
const std::vector<ServerCheck>& server_checks();

// Runs the selected checks; fills `recorder` and the counters of `run`.
// Throws nothing: a target that does not answer produces ERROR verdicts.
void run_server_suite(const ServerSuite& suite, results::Recorder& recorder, results::RunInfo& run);

// Whether `clause`, judged by check `check`, passes the --only/--skip globs
// (each matched against the clause ID and the check ID).
bool clause_selected(const ServerOptions& options, const std::string& clause, const std::string& check = {});
// Whether the globs select any clause some check judges (a selection that
// matches nothing is a usage error).
bool selection_matches(const ServerOptions& options);
// Every clause the oracle and the envelope rules may charge an answer to:
// the error codes', the request's and the response's.
std::vector<std::string> answer_clauses(const spec::Spec& spec);
// The selected checks with their selected clauses (--dry-run, run.plan);
// `answers`: answer_clauses of the spec, added to checks that judge answers.
std::vector<PlannedCheck> server_plan(const ServerOptions& options, const std::vector<std::string>& answers = {});

// ---- what checks use ------------------------------------------------------

struct Exchange {
  requests::CheckRequest request;
  http::Request wire;
  http::Response response;
  oracle::Expectation expected;
  nlohmann::json body;                   // the parsed body (null when it is not JSON)
  bool json_body = false;                // the body is JSON text
  std::optional<std::int64_t> observed;  // errno, when the body has an integer one
  oracle::Answer answer;
  std::int64_t at = 0;  // the clock the token and the oracle used
  bool fault = false;   // fault injected (and honoured by the target)
  std::string curl;
  // The profile's decisions the oracle consulted for `expected`: judging
  // the answer under the profile again replays them instead of the oracle.
  std::vector<const spec::When*> expected_whens;
};

// What the oracle compares, as a reading reads an exchange's answer: its
// status, and the integer errno under a spelling and a number form the
// reading accepts.
oracle::Answer answer_under(const spec::Endpoint& endpoint, const spec::Profile& reading, const Exchange& exchange);

// The server's own address as the fixture writes hosts ("@self"): by IP
// and by name.
fixture::SelfAddress self_address_of(const http::Url& url);

// A pool of requests derived from the spec's triggers and the fixture: one
// success request per (task, device) the fixture offers, and single changes
// of it.
struct NearMissProbe {
  requests::CheckRequest request;  // a success base with one value replaced
  std::string field, kind;         // what was replaced, and how (otaconf/near_miss.h)
};

struct RequestPool {
  std::vector<requests::CheckRequest> bases;      // derived from a task and a device
  std::vector<requests::CheckRequest> mutations;  // one change of a base each
  // For every value the spec compares with the fixture, the values a wrong
  // equivalence takes for it, on one base per task the fixture offers.
  std::vector<NearMissProbe> near_misses;
};

// The property's random requests (property.cc): a request from the pool
// with up to three single changes, each of one kind, chosen uniformly at
// every RapidCheck size.
enum class ChangeKind { Drop, Respell, Retype, Value, NearMiss, Token };
inline constexpr int kChangeKinds = 6;
inline constexpr int kPropertyMaxSize = 50;
std::string_view name_of(ChangeKind kind);

struct ChangedRequest {
  requests::CheckRequest request;
  std::vector<std::pair<ChangeKind, std::string>> changes;  // kind, field ("auth" for the token)
};

rc::Gen<ChangedRequest> changed_requests(const ServerSuite& suite, const spec::Endpoint& endpoint,
                                         const RequestPool& pool);

// How many of the property's cases carry each kind of change ("none": the
// request unchanged), drawn as a run with the suite's seed and --cases would.
struct ChangeMix {
  int cases = 0;
  std::map<std::string, int> cases_with;      // kind -> cases
  std::map<std::string, int> cases_changing;  // field ("auth": the token) -> cases
};
ChangeMix change_mix(const ServerSuite& suite, const spec::Endpoint& endpoint, const RequestPool& pool);

class Session {
 public:
  using ClientFactory = std::function<std::unique_ptr<http::Client>()>;
  // `make_client`: more connections to the target, for a check that sends
  // concurrently (the property); none: it sends on `client` only.
  Session(const ServerSuite& suite, const ServerCheck& check, const oracle::Oracle& oracle,
          const requests::Renderer& renderer, const RequestPool& pool, results::Recorder& recorder,
          readings::Ledger& ledger, http::Client& client, std::atomic<std::uint64_t>& request_count,
          ClientFactory make_client = {});

  const ServerSuite& suite() const { return suite_; }
  const spec::Endpoint& endpoint() const;
  const RequestPool& pool() const { return pool_; }
  const requests::Renderer& renderer() const { return renderer_; }
  const oracle::Oracle& oracle() const { return oracle_; }
  http::Client& client() { return client_; }
  // Another connection to the target (null when the session has none to give).
  std::unique_ptr<http::Client> new_client() const { return make_client_ ? make_client_() : nullptr; }

  // Renders, sends, computes the oracle's expectation and judges the
  // envelope (recorded under the check "server.envelope").
  Exchange send(const requests::CheckRequest& request);
  // The same without judging anything, on any client: safe to call from
  // several threads at once (judge_envelope the result afterwards, in order).
  Exchange transmit(const requests::CheckRequest& request, http::Client& client);
  // A request already on the wire (a fuzzer's): sent as it is, judged alike.
  Exchange transmit_wire(const http::Request& wire, http::Client& client);
  // What send() judges of every answer: its envelope.
  void judge_envelope(const Exchange& exchange);

  // Who answers for a miss: the clause the oracle blames (Oracle::blame),
  // or the probe itself where the case differs from a valid request only in
  // what the probe is about (a spelling, an encoding).
  enum class Charge { Oracle, Probe };

  // The answer is one the oracle allows. A PASS is recorded on `probe` (the
  // clause the case was made for; empty: the one the oracle would blame for
  // a success) and on the expected code's clause; a miss is charged to one
  // clause (see Charge; with Charge::Oracle, a refusal with another code goes
  // to `code_clause` when given) and graded at the end of the run. Several
  // holding codes: INFO (precedence observed).
  void expect(const Exchange& exchange, const std::string& probe = "", Charge charge = Charge::Oracle,
              const std::string& code_clause = "");
  // The rule RESP.ENVELOPE.JSON applies to an exchange: a JSON object, or a
  // refusal without one where a reading allows it (HTTP 401, 400, ...).
  readings::Allowed envelope_rule(const Exchange& exchange) const;
  // The rule expect() applies: the answer is one the oracle allows.
  readings::Allowed answer_rule(const Exchange& exchange) const;
  // Whether some reading of the document allows the answer (the profile's
  // own included); no consistency with the rest of the run is asked.
  bool allowed_by_some_reading(const Exchange& exchange) const;
  // For success expectations: every data value the fixture implies.
  void expect_data(const Exchange& exchange);

  // Judges one rule of a case: PASS (with `pass_message`) when `allowed`
  // holds under the profile, else a Miss on `clause` (with `miss_message`).
  // Decision-independent rules are graded at once.
  // `evidence`: for a case that is no exchange of the check endpoint (a download).
  void judge(const std::string& clause, const Exchange* exchange, const readings::Allowed& allowed,
             const std::string& pass_message, const std::string& miss_message,
             std::function<bool(const spec::Profile&)> reads_more = {}, results::Evidence evidence = {});

  void pass(const std::string& clause, const std::string& message, const Exchange* exchange = nullptr);
  void violation(const std::string& clause, const std::string& message, const Exchange* exchange,
                 nlohmann::json expected = nullptr, nlohmann::json observed = nullptr);
  void record(const std::string& clause, results::Verdict verdict, const std::string& message,
              results::Evidence evidence = {});
  void observe(const std::string& ambiguity, const std::string& text);

  results::Evidence evidence(const Exchange& exchange, nlohmann::json expected = nullptr,
                             nlohmann::json observed = nullptr) const;
  std::int64_t now() const;
  std::uint64_t count_request();

 private:
  // The oracle's expectation, the exchange itself and the answer read.
  void complete(Exchange& exchange, http::Client& client);
  void judge_as(const std::string& check, const std::string& title, const std::string& clause, const Exchange* exchange,
                const readings::Allowed& allowed, const std::string& pass_message, const std::string& miss_message,
                std::function<bool(const spec::Profile&)> reads_more = {}, results::Evidence evidence = {});
  void record_as(const std::string& check, const std::string& title, const std::string& clause,
                 results::Verdict verdict, const std::string& message, const Exchange* exchange,
                 results::Evidence evidence = {});

  const ServerSuite& suite_;
  const ServerCheck& check_;
  const oracle::Oracle& oracle_;
  const requests::Renderer& renderer_;
  const RequestPool& pool_;
  results::Recorder& recorder_;
  readings::Ledger& ledger_;
  http::Client& client_;
  std::atomic<std::uint64_t>& request_count_;
  ClientFactory make_client_;
};

// Runs `body` on one session of `check` with everything a suite run sets
// up (oracle, pool, ledger, connections) and grades the run's misses at the
// end, as run_server_suite does for the catalog (otaconf fuzz-server).
void with_suite_session(const ServerSuite& suite, const ServerCheck& check, results::Recorder& recorder,
                        results::RunInfo& run, const std::function<void(Session&)>& body);

// Runs fn(i, client) for every i below `count`, one thread per client, each
// taking the next i: concurrent exchanges whose results land by index.
void for_each_on_clients(std::size_t count, const std::vector<http::Client*>& clients,
                         const std::function<void(std::size_t, http::Client&)>& fn);

// Derives the pool from the spec's model: a request field compared with a
// binding's member in a trigger or binding takes that member's value.
RequestPool derive_pool(const spec::Spec& spec, const spec::Endpoint& endpoint, const spec::Profile& profile,
                        const fixture::Fixture& fixture);

}  // namespace otaconf::conformance
