// The catalog of server conformance checks and the runner that executes it
// against any OTA check server over HTTP. One catalog serves `otaconf
// server`, `otaconf mutation --side server` and the ctest suite.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "otaconf/check_request.h"
#include "otaconf/fixture.h"
#include "otaconf/http.h"
#include "otaconf/oracle.h"
#include "otaconf/results.h"
#include "otaconf/spec.h"

namespace otaconf::conformance {

struct ServerTarget {
  http::Url url;
  std::string implementation;     // a name for reports
  bool fault_injection = false;   // the server honours the fixture's fault-injection header
  bool follow_download_host = false;  // fetch packages from a data.ip that is not the target's host
};

struct ServerOptions {
  std::uint64_t seed = 1;
  int cases = 40;  // property cases per property check
  double timeout_seconds = 5;
  int concurrency = 4;  // parallel keep-alive connections
  std::vector<std::string> only, skip;  // clause-id globs
  std::string reproduce;  // a RapidCheck reproduce string from an earlier run's evidence
};

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
};

// Every server check, in a stable order.
const std::vector<ServerCheck>& server_checks();

// Runs the selected checks; fills `recorder` and the counters of `run`.
// Throws nothing: a target that does not answer produces ERROR verdicts.
void run_server_suite(const ServerSuite& suite, results::Recorder& recorder, results::RunInfo& run);

// Whether `clause` passes the --only/--skip globs.
bool clause_selected(const ServerOptions& options, const std::string& clause);

// ---- what checks use ------------------------------------------------------

struct Exchange {
  requests::CheckRequest request;
  http::Request wire;
  http::Response response;
  oracle::Expectation expected;
  nlohmann::json body;                      // the parsed body (discarded when not JSON)
  std::optional<std::int64_t> observed;     // errno, when the body has an integer one
  std::string curl;
};

// A pool of requests derived from the spec's triggers and the fixture: one
// success request per (task, device) the fixture offers, and single changes
// of it.
struct RequestPool {
  std::vector<requests::CheckRequest> bases;      // derived from a task and a device
  std::vector<requests::CheckRequest> mutations;  // one change of a base each
};

class Session {
 public:
  Session(const ServerSuite& suite, const ServerCheck& check, const oracle::Oracle& oracle,
          const requests::Renderer& renderer, const RequestPool& pool, results::Recorder& recorder,
          http::Client& client, std::atomic<std::uint64_t>& request_count);

  const ServerSuite& suite() const { return suite_; }
  const spec::Endpoint& endpoint() const;
  const RequestPool& pool() const { return pool_; }
  const requests::Renderer& renderer() const { return renderer_; }
  const oracle::Oracle& oracle() const { return oracle_; }
  http::Client& client() { return client_; }

  // Renders, sends, computes the oracle's expectation and judges the
  // envelope (recorded under the check "server.envelope").
  Exchange send(const requests::CheckRequest& request);

  // The observed errno is what the oracle allows: PASS, or the clause's
  // violation verdict. Several holding codes: INFO (precedence observed).
  void expect_exact(const Exchange& exchange, const std::vector<std::string>& clauses);
  // The request must not succeed (observed errno is not the success code).
  void expect_rejected(const Exchange& exchange, const std::vector<std::string>& clauses);
  // For success expectations: every data value the fixture implies.
  void expect_data(const Exchange& exchange);

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
  void judge_envelope(const Exchange& exchange);
  void record_as(const std::string& check, const std::string& title, const std::string& clause,
                 results::Verdict verdict, const std::string& message, const Exchange* exchange,
                 results::Evidence evidence = {});

  const ServerSuite& suite_;
  const ServerCheck& check_;
  const oracle::Oracle& oracle_;
  const requests::Renderer& renderer_;
  const RequestPool& pool_;
  results::Recorder& recorder_;
  http::Client& client_;
  std::atomic<std::uint64_t>& request_count_;
};

// Derives the pool from the spec's model: a request field compared with a
// binding's member in a trigger or binding takes that member's value.
RequestPool derive_pool(const spec::Spec& spec, const spec::Endpoint& endpoint, const spec::Profile& profile,
                        const fixture::Fixture& fixture);

}  // namespace otaconf::conformance
