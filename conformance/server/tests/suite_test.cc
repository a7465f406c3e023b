// The server catalog against the bundled reference server: clean in every
// profile, every mutant killed, results that validate, curl reproductions
// that reproduce.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdio>

#include "otaconf/conformance/embedded.h"
#include "otaconf/refserver.h"
#include "otaconf/spec_loader.h"
#include "shipped.h"

namespace otaconf::conformance {
namespace {

using nlohmann::json;

using shipped_data::default_fixture;
using shipped_data::shipped;

ServerOptions fast_options() {
  ServerOptions options;
  options.cases = 30;
  options.seed = 7;
  return options;
}

class ReferenceServer : public ::testing::TestWithParam<std::string> {};

// A server mounted under a base path (behind a gateway): --url
// http://host:port/gw sends every check below /gw, and the run is as clean
// as at the root. The gateway here refuses anything else but downloads.
TEST(BasePath, AServerUnderAGatewayPathIsTestedBelowIt) {
  refserver::Options options;
  options.profile = "strict";
  refserver::Service service(shipped(), default_fixture(), options);
  std::atomic<int> outside{0};
  refserver::HttpServer gateway([&](const refserver::WireRequest& request, const fixture::SelfAddress& self) {
    auto inner = request;
    if (inner.target.rfind("/gw/", 0) == 0) {
      inner.target.erase(0, 3);
    } else if (inner.target.rfind("/ota/download/", 0) != 0) {
      ++outside;
      refserver::WireResponse refused;
      refused.status = 404;
      refused.body = "not behind the gateway";
      return refused;
    }
    return service.handle(inner, self);
  });
  const int port = gateway.start("127.0.0.1", 0);
  const auto url = http::parse_url("http://127.0.0.1:" + std::to_string(port) + "/gw/");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->path, "/gw");
  ServerTarget target;
  target.url = *url;
  const ServerSuite suite{shipped(), *shipped().profile("strict"), default_fixture(), target, {}, fast_options()};
  results::Recorder recorder;
  results::RunInfo info;
  run_server_suite(suite, recorder, info);
  gateway.stop();
  EXPECT_EQ(outside.load(), 0);
  std::string problems;
  for (const auto& entry : recorder.entries()) {
    if (entry.verdict == results::Verdict::Fail || entry.verdict == results::Verdict::Error)
      problems += entry.clause + " [" + entry.check + "] " + entry.message + "\n";
    if (!entry.evidence.curl.empty() && entry.evidence.curl.find("/ota/download/") == std::string::npos) {
      EXPECT_NE(entry.evidence.curl.find("/gw/ota/check"), std::string::npos) << entry.evidence.curl;
    }
  }
  EXPECT_TRUE(problems.empty()) << problems;
  EXPECT_GT(info.requests, 100u);
}

TEST_P(ReferenceServer, PassesWithNoFailureAndNoError) {
  EmbeddedRun run;
  run_against_reference(shipped(), *shipped().profile(GetParam()), default_fixture(), "", fast_options(), run);
  std::string problems;
  for (const auto& entry : run.recorder.entries()) {
    if (entry.verdict == results::Verdict::Fail || entry.verdict == results::Verdict::Error ||
        entry.verdict == results::Verdict::NonStrict) {
      problems +=
          results::to_string(entry.verdict) + " " + entry.clause + " [" + entry.check + "] " + entry.message + "\n";
    }
  }
  EXPECT_TRUE(problems.empty()) << problems;
  EXPECT_GT(run.info.requests, 100u);
  // Every check of the catalog ran and judged something.
  std::set<std::string> checks;
  for (const auto& entry : run.recorder.entries()) checks.insert(entry.check);
  for (const auto& check : server_checks()) EXPECT_TRUE(checks.count(check.id)) << check.id << " judged nothing";
  // The results JSON follows its schema.
  const auto document = results::to_json(run.info, run.recorder, shipped(), spec::Side::Server);
  const auto errors = results::validate(document);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(document["summary"]["must_failures"], 0);
}

INSTANTIATE_TEST_SUITE_P(EveryProfile, ReferenceServer, ::testing::Values("strict", "lenient", "as-documented"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           auto name = param_info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(Mutation, EveryMutantIsKilledOnItsClause) {
  std::string survivors;
  const auto verdicts = mutation_analysis(shipped(), default_fixture(), fast_options());
  for (const auto& v : verdicts) {
    if (!v.killed) survivors += v.name + " (" + v.clause + ")\n";
  }
  EXPECT_EQ(verdicts.size(), refserver::mutants().size());
  EXPECT_GE(verdicts.size(), 20u);
  EXPECT_TRUE(survivors.empty()) << "survivors:\n" << survivors;
}

// Legal variants are the other half of trust: a reading of the document
// other than the reference's, or what HTTP leaves free, is never a FAIL (nor
// an ERROR) in any profile.
TEST(Variants, NoLegalVariantFailsInAnyProfile) {
  std::string failed;
  const auto verdicts = variant_analysis(shipped(), default_fixture(), fast_options());
  for (const auto& v : verdicts) {
    if (v.passed) continue;
    failed += v.name + " in " + v.profile + " on";
    for (const auto& clause : v.by_clauses) failed += " " + clause;
    failed += "\n";
  }
  EXPECT_EQ(verdicts.size(), refserver::variants().size());
  EXPECT_GE(verdicts.size(), 6u);
  EXPECT_TRUE(failed.empty()) << "variants judged as faults:\n" << failed;
}

std::string run_command(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return output;
  std::array<char, 4096> buffer{};
  while (auto n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  pclose(pipe);
  return output;
}

// The body of `curl -i` output, without its headers.
json curl_body(const std::string& output) {
  const auto split = output.find("\r\n\r\n");
  return json::parse(split == std::string::npos ? output : output.substr(split + 4), nullptr, false);
}

json without_token(json body) {
  if (body.is_object() && body.contains("data") && body["data"].is_object()) body["data"].erase("token");
  return body;
}

// Every FAIL carries a curl command that, when run, shows the failure: the
// server answers it as it did in the run.
TEST(Evidence, CurlReproductionsShowTheFailure) {
  if (std::system("command -v curl >/dev/null 2>&1") != 0) {
    FAIL() << "curl is not installed (scripts/install-deps.sh installs it)";
  }
  for (const char* mutant : {"no-version-check", "cdn-inverted", "type-not-validated", "accept-expired-token"}) {
    refserver::Options options;
    options.mutant = mutant;
    options.fault_injection = true;
    refserver::Service service(shipped(), default_fixture(), options);
    refserver::HttpServer server(service);
    const int port = server.start("127.0.0.1", 0);
    ServerTarget target;
    target.url = *http::parse_url("http://127.0.0.1:" + std::to_string(port));
    target.fault_injection = true;
    const ServerSuite suite{shipped(), *shipped().profile("strict"), default_fixture(), target, {}, fast_options()};
    results::Recorder recorder;
    results::RunInfo info;
    run_server_suite(suite, recorder, info);
    int checked = 0;
    for (const auto& entry : recorder.entries()) {
      if (entry.verdict != results::Verdict::Fail) continue;
      ASSERT_FALSE(entry.evidence.curl.empty()) << mutant << ": " << entry.clause << " has no curl reproduction";
      if (entry.evidence.curl.rfind("curl -sS -i", 0) != 0) continue;  // download reproductions write a file
      const auto replayed = curl_body(run_command(entry.evidence.curl));
      const auto recorded = json::parse(entry.evidence.response["body"].get<std::string>(), nullptr, false);
      EXPECT_EQ(without_token(replayed), without_token(recorded)) << mutant << " " << entry.clause << "\n"
                                                                  << entry.evidence.curl;
      ++checked;
    }
    EXPECT_GT(checked, 0) << mutant << " produced no FAIL with a curl reproduction";
    server.stop();
  }
}

}  // namespace
}  // namespace otaconf::conformance

namespace otaconf::conformance {
namespace {

// What a run judged, without what varies from run to run (times, tokens).
std::vector<std::string> judged(const results::Recorder& recorder) {
  std::vector<std::string> out;
  for (const auto& entry : recorder.entries()) {
    std::string counts;
    for (const auto& [verdict, count] : entry.counts) counts += results::to_string(verdict) + std::to_string(count);
    out.push_back(entry.check + " " + entry.clause + " " + results::to_string(entry.verdict) + " " + counts + " " +
                  entry.message + " " + entry.evidence.reproduce);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Property cases go out over --concurrency connections, yet a seed gives
// the same results at any concurrency: the same cases judged, the same
// first failure, shrunk to the same request with the same reproduce string.
TEST(Property, ResultsDoNotDependOnConcurrency) {
  for (const char* mutant : {"", "no-version-check"}) {
    std::vector<std::string> first;
    for (int concurrency : {1, 4, 7}) {
      auto options = fast_options();
      options.cases = 120;
      options.concurrency = concurrency;
      options.only = {"server.property"};
      EmbeddedRun run;
      run_against_reference(shipped(), *shipped().profile("strict"), default_fixture(), mutant, options, run);
      const auto now = judged(run.recorder);
      ASSERT_FALSE(now.empty());
      if (first.empty()) {
        first = now;
        continue;
      }
      EXPECT_EQ(now, first) << "mutant '" << mutant << "' at concurrency " << concurrency;
    }
    if (*mutant) {
      const auto failed = std::any_of(first.begin(), first.end(),
                                      [](const std::string& line) { return line.find(" FAIL ") != std::string::npos; });
      EXPECT_TRUE(failed) << "the property did not catch " << mutant;
    }
  }
}

}  // namespace
}  // namespace otaconf::conformance
