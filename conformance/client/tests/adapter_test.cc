// The subprocess adapter survives what third-party parsers do: crash, hang,
// print garbage. Each gets its verdict and the adapter is restarted.
#include <gtest/gtest.h>

#include "otaconf/client_adapter.h"

namespace otaconf::client {
namespace {

// A misbehaving parser: its behaviour is chosen by the body it gets.
const char* kScript = R"(python3 -c '
import json, os, sys, time
while True:
    header = sys.stdin.buffer.readline()
    if not header:
        break
    length = int(header.split()[0])
    body = sys.stdin.buffer.read(length)
    if body == b"crash":
        os.kill(os.getpid(), 9)
    if body == b"hang":
        time.sleep(30)
    if body == b"garbage":
        print("this is not json", flush=True)
        continue
    print(json.dumps({"accepted": True, "errno": 11, "error": "no task", "data": None, "action": "no-update"}), flush=True)
')";

TEST(CommandAdapter, CrashHangAndGarbageAreVerdictsAndTheAdapterRestarts) {
  auto adapter = command_adapter(kScript, {.timeout_seconds = 1.0});
  EXPECT_EQ(adapter->parse("fine", "strict").kind, Outcome::Kind::Parsed);
  const auto crashed = adapter->parse("crash", "strict");
  EXPECT_EQ(crashed.kind, Outcome::Kind::Crashed) << crashed.detail;
  EXPECT_NE(crashed.detail.find("signal 9"), std::string::npos) << crashed.detail;
  const auto after_crash = adapter->parse("fine", "strict");
  ASSERT_EQ(after_crash.kind, Outcome::Kind::Parsed) << after_crash.detail;
  EXPECT_EQ(after_crash.result.errno_value, 11);
  EXPECT_EQ(after_crash.result.action, "no-update");
  EXPECT_EQ(adapter->parse("hang", "strict").kind, Outcome::Kind::TimedOut);
  EXPECT_EQ(adapter->parse("fine", "strict").kind, Outcome::Kind::Parsed);
  EXPECT_EQ(adapter->parse("garbage", "strict").kind, Outcome::Kind::Garbage);
  EXPECT_EQ(adapter->parse("fine", "strict").kind, Outcome::Kind::Parsed);
}

TEST(CommandAdapter, AfterFourHangsInARowOnlyEveryThirtySecondBodyIsTried) {
  auto adapter = command_adapter("sleep 3600", {.timeout_seconds = 0.1});
  for (int i = 0; i < 4; ++i) ASSERT_EQ(adapter->parse("x", "strict").kind, Outcome::Kind::TimedOut) << i;
  for (int i = 1; i < 32; ++i) {
    const auto skipped = adapter->parse("x", "strict");
    ASSERT_EQ(skipped.kind, Outcome::Kind::Failed) << i;
    ASSERT_NE(skipped.detail.find("timed out in a row"), std::string::npos) << skipped.detail;
  }
  EXPECT_EQ(adapter->parse("x", "strict").kind, Outcome::Kind::TimedOut);  // the 32nd is tried again
}

TEST(CommandAdapter, AMissingCommandIsAFailureNotACrashOfTheRunner) {
  auto adapter = command_adapter("/nonexistent/parser", {.timeout_seconds = 1.0});
  const auto outcome = adapter->parse("{}", "strict");
  EXPECT_NE(outcome.kind, Outcome::Kind::Parsed);
}

TEST(LibraryAdapter, AMissingLibraryIsOneClearError) {
  try {
    library_adapter("/nonexistent/libparser.so", {.timeout_seconds = 1.0});
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot load adapter library"), std::string::npos) << e.what();
  }
}

TEST(LibraryAdapter, ASanitizerReportIsACrashWhateverTheExitStatus) {
  auto adapter = library_adapter(OTACONF_REPORT_LIBRARY, {.timeout_seconds = 5.0});
  const auto outcome = adapter->parse(R"({"errno":8,"error":"x"})", "strict");
  EXPECT_EQ(outcome.kind, Outcome::Kind::Crashed) << outcome.detail;
  EXPECT_NE(outcome.detail.find("runtime error"), std::string::npos) << outcome.detail;
}

TEST(LibraryAdapter, TheReferenceClientParsesInAChild) {
  auto adapter = library_adapter(OTACONF_CLIENT_LIBRARY, {.timeout_seconds = 5.0});
  const auto outcome = adapter->parse(R"({"errno":19,"error":"suspended"})", "strict");
  ASSERT_EQ(outcome.kind, Outcome::Kind::Parsed) << outcome.detail;
  EXPECT_TRUE(outcome.result.accepted);
  EXPECT_EQ(outcome.result.action, "retry-later");
  EXPECT_FALSE(adapter->parse("<html>", "strict").result.accepted);
}

}  // namespace
}  // namespace otaconf::client

#include "otaconf/conformance/client.h"
#include "otaconf/spec_loader.h"
#include "otaconf/vectors.h"

namespace otaconf::conformance {
namespace {

TEST(ClientSuite, ReferenceClientResultsFollowTheSchema) {
  const auto spec = spec::load_spec(spec::default_spec_path());
  auto adapter = client::library_adapter(OTACONF_CLIENT_LIBRARY, {.timeout_seconds = 5.0});
  ClientOptions options;
  options.cases = 20;
  options.vectors = vectors::default_directory();
  results::Recorder recorder;
  results::RunInfo run;
  run_client_suite(spec, *spec.profile("strict"), *adapter, options, recorder, run);
  const auto document = results::to_json(run, recorder, spec, spec::Side::Client);
  const auto errors = results::validate(document);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(document["summary"]["FAIL"], 0);
  EXPECT_EQ(document["run"]["side"], "client");
  // Every vector was parsed: the count of parses covers them all.
  EXPECT_GE(run.requests, vectors::load(vectors::default_directory()).size());
}

TEST(ClientSuite, GeneratedVectorsAreDeterministicAndTagged) {
  const auto spec = spec::load_spec(spec::default_spec_path());
  const auto first = vectors::generate(spec);
  const auto second = vectors::generate(spec);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].name, second[i].name);
    EXPECT_EQ(first[i].body, second[i].body);
    for (const auto& clause : first[i].clauses())
      EXPECT_NE(spec.clause(clause), nullptr) << first[i].name << ": " << clause;
    EXPECT_EQ(first[i].name[1], '_');
  }
  EXPECT_GE(first.size(), 60u);
}

}  // namespace
}  // namespace otaconf::conformance
