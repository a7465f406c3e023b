// Results: every failing case is listed (capped, counted), the document is
// always valid JSON of the schema whatever bytes a peer sent, and the exit
// status says what happened.
#include "otaconf/results.h"

#include <gtest/gtest.h>

#include "otaconf/spec_loader.h"

namespace otaconf::results {
namespace {

using nlohmann::json;

const spec::Spec& shipped() {
  static const auto spec = spec::load_spec(OTACONF_TEST_SPEC);
  return spec;
}

Outcome outcome(Verdict verdict, const std::string& message, const std::string& clause = "ERR.09") {
  Evidence evidence;
  evidence.curl = "curl " + message;
  return {"server.error-codes", "errno", clause, verdict, message, evidence, Basis::document()};
}

TEST(Recorder, ListsEveryFailingCaseWorstFirstCappedAndCounted) {
  Recorder recorder;
  recorder.record(outcome(Verdict::Pass, "fine"));
  recorder.record(outcome(Verdict::NonStrict, "soft"));
  for (int i = 0; i < 30; ++i) recorder.record(outcome(Verdict::Fail, "hard " + std::to_string(i)));
  const auto entry = recorder.entries().front();
  EXPECT_EQ(entry.verdict, Verdict::Fail);
  EXPECT_EQ(entry.failure_count, 31u);
  ASSERT_EQ(entry.failures.size(), Recorder::kMaxListedCases);
  EXPECT_EQ(entry.failures.front().message, "hard 0");
  EXPECT_EQ(entry.failures.front().reproduce["curl"], "curl hard 0");
  for (const auto& c : entry.failures) EXPECT_EQ(c.verdict, Verdict::Fail);  // the soft one is pushed out
}

TEST(Results, BytesThatAreNotUtf8AreEscapedNeverLost) {
  Recorder recorder;
  auto bad = outcome(Verdict::Fail, std::string("answer \xff\xfe ") + "\xe4\xb8\xad");
  bad.evidence.observed = {{std::string("h\xc3"), std::string("v\x80")}};
  recorder.record(bad);
  RunInfo run;
  run.side = "server";
  run.implementation = std::string("srv \xff");
  const auto text = serialize(to_json(run, recorder, shipped(), spec::Side::Server));
  const auto parsed = json::parse(text);  // throws if the text were not valid JSON / UTF-8
  EXPECT_NE(text.find("\\\\xff\\\\xfe"), std::string::npos) << text.substr(0, 400);
  EXPECT_NE(text.find("\xe4\xb8\xad"), std::string::npos);  // valid UTF-8 stays as it is
  EXPECT_TRUE(validate(parsed).empty());
}

TEST(Recorder, HoldsOnlyPrintableTextSoEveryWriterCanUseIt) {
  // The console, JUnit and the report read entries, not the document: what
  // a peer sent is escaped when it is recorded.
  Recorder recorder;
  auto bad = outcome(Verdict::Fail, std::string("manuf \xb2\xe2\xca\xd4"));
  bad.evidence.response = {{"headers", {{std::string("X-\xff"), "1"}}}, {"body", std::string("\xc0")}};
  bad.basis.decisions.push_back({"AMB.X", "a", std::string("b \xfe")});
  recorder.record(bad);
  recorder.observe({"AMB.X", "server.error-codes", std::string("saw \xff")});
  const auto entry = recorder.entries().front();
  EXPECT_EQ(entry.message, "manuf \\xb2\\xe2\\xca\\xd4");
  EXPECT_NO_THROW((void)entry.evidence.to_json().dump());
  EXPECT_TRUE(entry.evidence.response["headers"].contains("X-\\xff"));
  EXPECT_EQ(entry.failures.front().basis.decisions.front().reading, "b \\xfe");
  EXPECT_EQ(recorder.observations().front().text, "saw \\xff");
}

TEST(Recorder, RedactsSignaturesEverywhereWhenAsked) {
  Recorder recorder;
  recorder.redact_signatures(true);
  auto o = outcome(Verdict::Fail, "token version=2018-10-31&res=products%2F1&sign=abc%3D rejected");
  o.evidence.curl = "curl -H 'Authorization: version=2018-10-31&sign=Zm9v%2Bbar&et=1' http://x/ota/check";
  o.evidence.request = {{"headers", {{"Authorization", "et=1&sign=Zm9v"}}}, {"design", "assign=keep"}};
  recorder.record(o);
  const auto entry = recorder.entries().front();
  EXPECT_EQ(entry.message, "token version=2018-10-31&res=products%2F1&sign=REDACTED rejected");
  EXPECT_EQ(entry.evidence.curl, "curl -H 'Authorization: version=2018-10-31&sign=REDACTED&et=1' http://x/ota/check");
  EXPECT_EQ(entry.evidence.request["headers"]["Authorization"], "et=1&sign=REDACTED");
  EXPECT_EQ(entry.evidence.request["design"], "assign=keep");  // a word ending in "sign" is not a signature
  EXPECT_EQ(entry.failures.front().reproduce["curl"], entry.evidence.curl);
}

TEST(Results, TheBasisAndTheListedCasesAreInTheDocument) {
  Recorder recorder;
  auto soft = outcome(Verdict::NonStrict, "a decision");
  soft.basis.kind = Basis::Kind::Decision;
  soft.basis.decisions.push_back({"AMB.POWS", "powers", "pows"});
  recorder.record(soft);
  RunInfo run;
  run.side = "server";
  const auto document = to_json(run, recorder, shipped(), spec::Side::Server);
  EXPECT_TRUE(validate(document).empty());
  const auto& entry = document["results"].front();
  EXPECT_EQ(entry["basis"]["kind"], "decision");
  EXPECT_EQ(entry["basis"]["decisions"].front()["reading"], "pows");
  EXPECT_EQ(entry["failure_count"], 1);
  EXPECT_EQ(entry["failures"].front()["basis"]["kind"], "decision");
}

TEST(ExitStatus, FindingsThenErrorsThenOk) {
  Recorder ok, soft, error, both;
  ok.record(outcome(Verdict::Pass, "p"));
  soft.record(outcome(Verdict::NonStrict, "n"));
  error.record(outcome(Verdict::Error, "e"));
  both.record(outcome(Verdict::Error, "e"));
  both.record(outcome(Verdict::Fail, "f", "ERR.08"));
  EXPECT_EQ(exit_status(ok), kExitOk);
  EXPECT_EQ(exit_status(soft), kExitOk);
  EXPECT_EQ(exit_status(soft, Verdict::NonStrict), kExitFindings);
  EXPECT_EQ(exit_status(error), kExitError);
  EXPECT_EQ(exit_status(both), kExitFindings);
  RunInfo run;
  run.side = "server";
  EXPECT_EQ(exit_status(to_json(run, error, shipped(), spec::Side::Server)), kExitError);
}

}  // namespace
}  // namespace otaconf::results
