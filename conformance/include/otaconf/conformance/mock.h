// The mock OTA cloud: plays the check and download endpoints for a device
// client, judges every request it receives against the spec (method, path,
// spellings, types, required fields, Content-Type, Authorization and its
// signature when the key is known) and answers from a scenario.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "otaconf/conformance/plan.h"
#include "otaconf/fixture.h"
#include "otaconf/interpret.h"
#include "otaconf/refserver.h"
#include "otaconf/results.h"
#include "otaconf/spec.h"

namespace otaconf::conformance {

struct MockScenario {
  std::string id;
  std::string description;
  // What a conforming device does: download, no-update, retry-later, reject,
  // no-download (any of the last three), or any.
  std::string expect;
};

// Every scenario: fixture (answers as ota-refserver), errno-N for each error
// code and errno-N-with-data (the same code beside a success's data object),
// bad-md5, boundary, malformed, truncated, oversized, slow.
std::vector<MockScenario> mock_scenarios(const spec::Spec& spec);

// What client-e2e judges over these scenarios: the device's behaviour and
// every request it sends (--dry-run, run.plan).
std::vector<PlannedCheck> client_e2e_plan(const spec::Spec& spec, const std::vector<std::string>& scenarios);

class MockCloud {
 public:
  // Throws std::invalid_argument for an unknown scenario.
  MockCloud(const spec::Spec& spec, const spec::Profile& profile, fixture::Fixture fixture, const std::string& scenario,
            results::Recorder& recorder);
  ~MockCloud();

  refserver::WireResponse handle(const refserver::WireRequest& request, const fixture::SelfAddress& self);

  int check_requests() const { return checks_; }
  // A download of a token this mock issued, whole or by ranges, seen.
  bool downloaded() const { return downloaded_; }
  // Every request to the download path, answered or refused.
  int download_attempts() const { return download_attempts_; }
  // When each check request arrived, in seconds since the mock started.
  std::vector<double> check_times() const;
  // The errno of the last check answer (-1: none, or not an envelope).
  std::int64_t last_errno() const { return last_errno_; }
  const MockScenario& scenario() const { return scenario_; }
  // Grade a device request's decision-based problems at their clause's level.
  void enforce_decisions(bool enforce) { enforce_decisions_ = enforce; }

 private:
  refserver::WireResponse answer(const refserver::WireRequest& request, const fixture::SelfAddress& self);
  void judge(const refserver::WireRequest& request);
  // Optional parameters sent under a spelling the profile's server does not
  // read (but another reading does): what is wrong with each, and its basis.
  std::vector<std::pair<std::string, results::Basis>> unread_fields(
      const refserver::WireRequest& request, const interpret::Interpretation& interpretation) const;

  const spec::Spec& spec_;
  const spec::Profile& profile_;
  fixture::Fixture fixture_;
  bool enforce_decisions_ = false;
  MockScenario scenario_;
  results::Recorder& recorder_;
  std::unique_ptr<refserver::Service> service_;
  std::atomic<int> checks_{0};
  std::atomic<bool> downloaded_{false};
  std::atomic<int> download_attempts_{0};
  std::atomic<std::int64_t> last_errno_{-1};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::vector<double> check_times_;
  mutable std::mutex mutex_;
};

struct E2eResult {
  std::string scenario;
  std::string expect;
  int exit_code = -1;
  bool timed_out = false;  // stopped by otaconf: out of time, memory or requests (`stopped` says which)
  int check_requests = 0;
  bool downloaded = false;
  int download_attempts = 0;
  double shortest_gap = -1;  // seconds between the closest two check requests; -1: fewer than two
  std::string stopped;
};

// Runs `command` (with /bin/sh) once per scenario against an in-process mock
// on a free loopback port, with OTACONF_URL, OTA_KEY, OTA_RES, OTA_DEV_ID,
// OTA_MANUF, OTA_MODEL, OTA_TYPE, OTA_VERSION and OTA_PROFILE in its
// environment, and judges its requests and its exit status
// (docs/client-e2e.md). Verdicts go to `recorder`.
std::vector<E2eResult> run_client_e2e(const spec::Spec& spec, const spec::Profile& profile,
                                      const fixture::Fixture& fixture, const std::string& command,
                                      const std::vector<std::string>& scenarios, double timeout_seconds,
                                      results::Recorder& recorder, bool enforce_decisions = false);

}  // namespace otaconf::conformance
