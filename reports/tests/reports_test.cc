// The report renderers on documents built in the test: JUnit counts and the
// mapping of every verdict, script-safe embedding, loading errors.
#include "otaconf/reports.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "otaconf/results.h"
#include "otaconf/spec_loader.h"

namespace otaconf::reports {
namespace {

using nlohmann::json;

const spec::Spec& shipped() {
  static const spec::Spec spec = spec::load_spec(spec::default_spec_path());
  return spec;
}

// A valid results document with one entry per verdict; `message` goes into
// every entry.
json document(const std::string& implementation, const std::string& message) {
  results::Recorder recorder;
  const std::vector<std::pair<results::Verdict, std::string>> outcomes = {
      {results::Verdict::Pass, "ERR.09"},        {results::Verdict::Fail, "ERR.13"},
      {results::Verdict::NonStrict, "ERR.19"},   {results::Verdict::Info, "ERR.07"},
      {results::Verdict::NotTestable, "ERR.08"}, {results::Verdict::Error, "ERR.10"}};
  for (const auto& [verdict, clause] : outcomes) {
    results::Outcome outcome{"server.error-codes", "errno", clause, verdict, message, {}, results::Basis::document()};
    outcome.evidence.curl = "curl -sS 'http://127.0.0.1/ota?x=<1>'";
    outcome.evidence.expected = {{"errno", 0}};
    recorder.record(outcome);
  }
  recorder.observe({"AMB.POWS", "server.spellings", "read 'Pows'"});
  results::RunInfo run;
  run.side = "server";
  run.implementation = implementation;
  run.target = "http://127.0.0.1:1";
  run.profile = "strict";
  run.spec_id = shipped().id;
  run.started = results::utc_now();
  return results::to_json(run, recorder, shipped(), spec::Side::Server);
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Document, IsValidAgainstTheSchema) {
  const auto errors = results::validate(document("a", "m"));
  EXPECT_TRUE(errors.empty()) << errors.front();
}

TEST(JUnit, OneTestcasePerEntryAndEachVerdictMapped) {
  const auto xml = junit_xml({{"a.json", document("impl-a", "m")}, {"b.json", document("impl-b", "m")}});
  EXPECT_EQ(occurrences(xml, "<testsuite "), 2u);
  EXPECT_EQ(occurrences(xml, "<testcase "), 12u);
  EXPECT_NE(xml.find("<testsuites name=\"otaconf\" tests=\"12\" failures=\"2\" errors=\"2\" skipped=\"2\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"impl-a [strict]\" tests=\"6\" failures=\"1\" errors=\"1\" skipped=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"server.error-codes\" name=\"ERR.13 server.error-codes\">\n      <failure "
                     "message=\"m\" type=\"FAIL\">FAIL ERR.13"),
            std::string::npos)
      << xml;
  EXPECT_EQ(occurrences(xml, "<error message="), 2u);
  EXPECT_EQ(occurrences(xml, "<skipped message="), 2u);
  EXPECT_EQ(occurrences(xml, "<system-out>NON-STRICT ERR.19"), 2u);
  EXPECT_EQ(occurrences(xml, "<system-out>INFO ERR.07"), 2u);
  EXPECT_NE(xml.find("curl: curl -sS &apos;http://127.0.0.1/ota?x=&lt;1&gt;&apos;"), std::string::npos) << xml;
}

TEST(JUnit, EscapesMarkupAndControlCharacters) {
  EXPECT_EQ(xml_escape("a<b>&\"'\x01\t\n"), "a&lt;b&gt;&amp;&quot;&apos;\\x01\t\n");
  const auto xml = junit_xml({{"a.json", document("x", "</failure><injected/>\x02")}});
  EXPECT_EQ(xml.find("<injected/>"), std::string::npos);
  EXPECT_EQ(xml.find('\x02'), std::string::npos);
}

TEST(Labels, AreUniqueAndNameProfileAndMutant) {
  auto a = document("ota-refserver", "m");
  auto b = a;
  b["run"]["mutant"] = {{"name", "no-version-check"}, {"clause", "ERR.09"}};
  const auto labels = run_labels({{"1", a}, {"2", a}, {"3", b}});
  EXPECT_EQ(labels[0], "ota-refserver [strict] #1");
  EXPECT_EQ(labels[1], "ota-refserver [strict] #2");
  EXPECT_EQ(labels[2], "ota-refserver [strict] mutant no-version-check");
}

TEST(Html, EmbedsTheDataSafelyAndLoadsNothing) {
  const std::string hostile = "</script><script>window.pwned=1</script><!--";
  const auto page = html_report(shipped(), {{"a.json", document("impl-a", hostile)}});
  // The template's own two scripts close; the message cannot close a third.
  EXPECT_EQ(occurrences(page, "</script>"), 2u);
  EXPECT_EQ(page.find("window.pwned=1</script>"), std::string::npos);
  EXPECT_EQ(occurrences(page, "<!--"), 1u);  // the template's comment
  EXPECT_EQ(page.find("{{OTACONF_REPORT_DATA}}"), std::string::npos);
  for (const char* remote : {" src=", "<link", "url(", "@import", "fetch(", "XMLHttpRequest"}) {
    EXPECT_EQ(page.find(remote), std::string::npos) << remote;
  }
  // The blob parses back to the data.
  const auto open = page.find("<script type=\"application/json\" id=\"report-data\">");
  ASSERT_NE(open, std::string::npos);
  const auto start = page.find('>', open) + 1;
  const auto blob = json::parse(page.substr(start, page.find("</script>", start) - start));
  // Entries are arrays of entryKeys' values; messages index the shared table.
  const auto& keys = blob["entryKeys"];
  const auto message_at = std::find(keys.begin(), keys.end(), "message") - keys.begin();
  const auto& row = blob["runs"][0]["results"][0];
  EXPECT_EQ(blob["shared"][row[static_cast<std::size_t>(message_at)].get<std::size_t>()], hostile);
  EXPECT_EQ(blob["runs"][0]["verdicts"]["ERR.13"], "FAIL");
  const auto clause_at = std::find(keys.begin(), keys.end(), "clause") - keys.begin();
  EXPECT_TRUE(blob["shared"][row[static_cast<std::size_t>(clause_at)].get<std::size_t>()].is_string());
  EXPECT_EQ(blob["ambiguities"].size(), shipped().ambiguities.size());
  EXPECT_EQ(blob["clauses"].size(), shipped().clauses.size());
}

TEST(ScriptSafeJson, HasNoAngleBracketAndRoundTrips) {
  const json data = {{"a", "</script>"}, {"b", "<!-- x -->"}, {"c", "\u2028"}};
  const auto text = script_safe_json(data);
  EXPECT_EQ(text.find('<'), std::string::npos);
  EXPECT_EQ(json::parse(text), data);
}

class LoadRuns : public ::testing::Test {
 protected:
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("otaconf-reports-" + std::to_string(getpid()));
  void SetUp() override { std::filesystem::create_directories(dir); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return dir / name;
  }
  std::string error_of(const std::filesystem::path& path) {
    try {
      load_runs({path});
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  }
};

TEST_F(LoadRuns, ReadsFilesAndDirectories) {
  write("b.json", document("b", "m").dump());
  write("a.json", document("a", "m").dump());
  write("notes.txt", "not results");
  const auto runs = load_runs({dir});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].results["run"]["implementation"], "a");
  EXPECT_EQ(load_runs({dir / "b.json"}).size(), 1u);
}

TEST_F(LoadRuns, BadInputIsOneInputErrorNamingTheFile) {
  EXPECT_EQ(error_of(dir / "none.json").rfind((dir / "none.json").string() + ": cannot read the file", 0), 0u);
  EXPECT_NE(error_of(write("broken.json", "{\"format\": ")).find("broken.json: not valid JSON"), std::string::npos);
  auto wrong = document("a", "m");
  wrong["results"][0]["verdict"] = "MAYBE";
  EXPECT_NE(error_of(write("wrong.json", wrong.dump())).find("wrong.json: /results/0/verdict: "), std::string::npos);
  EXPECT_NE(error_of(write("spec.json", "{\"format\": \"otaconf-spec/1\"}")).find("spec.json: "), std::string::npos);
  std::filesystem::create_directories(dir / "empty");
  EXPECT_NE(error_of(dir / "empty").find("no *.json results file"), std::string::npos);
}

}  // namespace
}  // namespace otaconf::reports
