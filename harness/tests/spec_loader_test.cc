// The shipped spec loads into the typed model and says what the source
// document says.
#include "otaconf/spec_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "otaconf/spec_tools.h"
#include "spec_test_support.h"

namespace otaconf::spec {
namespace {

const Spec& shipped() {
  static const Spec spec = load_spec(testing::shipped_spec_path());
  return spec;
}

TEST(ShippedSpec, LoadsWithoutErrors) {
  auto outcome = try_load_spec(testing::shipped_spec_path());
  std::string errors;
  for (const auto& e : outcome.errors) errors += e.line() + "\n";
  ASSERT_TRUE(outcome.spec) << errors;
  EXPECT_EQ(outcome.spec->id, "onenet-ota-v1");
}

TEST(ShippedSpec, LintsClean) {
  const auto findings = lint(shipped());
  std::string lines;
  for (const auto& f : findings) lines += f.line() + "\n";
  EXPECT_TRUE(findings.empty()) << lines;
}

TEST(ShippedSpec, HasEnoughClausesAndAmbiguities) {
  EXPECT_GE(shipped().clauses.size(), 40u);
  EXPECT_GE(shipped().ambiguities.size(), 15u);
  EXPECT_GE(shipped().profiles.size(), 3u);
}

TEST(ShippedSpec, EveryClauseQuotesTheSourceDocument) {
  std::ifstream in(shipped().file.parent_path() / shipped().source("doc")->path);
  std::stringstream doc;
  doc << in.rdbuf();
  ASSERT_FALSE(doc.str().empty());
  for (const auto& clause : shipped().clauses) {
    bool quoted = std::any_of(clause.quotes.begin(), clause.quotes.end(),
                              [&](const Quote& q) { return q.source == "doc" && quote_occurs(q.text, doc.str()); });
    EXPECT_TRUE(quoted) << clause.id;
  }
}

TEST(ShippedSpec, CheckEndpointIsAGetOfOtaCheckWithBothEncodings) {
  const auto* check = shipped().endpoint_by_role("check");
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->method, "GET");
  EXPECT_EQ(check->path, "/ota/check");
  ASSERT_EQ(check->encodings.size(), 2u);
  EXPECT_EQ(check->encodings[0].id, "query");
  EXPECT_TRUE(check->encodings[0].canonical);
  EXPECT_EQ(check->encodings[1].id, "json-body");
  const auto* download = shipped().endpoint_by_role("download");
  ASSERT_NE(download, nullptr);
  EXPECT_EQ(download->path, "/ota/download/{token}");
  ASSERT_TRUE(download->range);
  EXPECT_EQ(download->range->partial_status, 206);
}

TEST(ShippedSpec, DocumentedErrorCodesAllHaveTriggersAndActions) {
  const auto* check = shipped().endpoint_by_role("check");
  for (std::int64_t code : {0, 7, 8, 9, 10, 11, 13, 19}) {
    const auto* entry = check->error_code(code);
    ASSERT_NE(entry, nullptr) << code;
    EXPECT_EQ(entry->origin, "doc") << code;
    EXPECT_NE(shipped().action(entry->action), nullptr) << code;
  }
  EXPECT_EQ(check->error_code(0)->action, "download");
  EXPECT_EQ(check->error_code(0)->trigger.op, Expr::Op::Otherwise);
  EXPECT_EQ(check->error_code(7)->trigger.op, Expr::Op::Any);
  EXPECT_EQ(check->error_code(7)->trigger.args.front().op, Expr::Op::External);
}

TEST(ShippedSpec, ProfilesResolveSpellingsDifferently) {
  const auto* check = shipped().endpoint_by_role("check");
  const auto* powers = check->request_field("powers");
  ASSERT_NE(powers, nullptr);
  using Spellings = std::vector<std::string>;
  EXPECT_EQ(powers->spellings_under(*shipped().profile("strict")), (Spellings{"powers"}));
  EXPECT_EQ(powers->spellings_under(*shipped().profile("as-documented")), (Spellings{"powers", "Pows", "pows"}));
  const auto* cdn = check->request_field("cdn");
  EXPECT_TRUE(cdn->required_under(*shipped().profile("strict")));
  EXPECT_FALSE(cdn->required_under(*shipped().profile("lenient")));
  const auto* dev_id = check->request_field("dev_id");
  EXPECT_EQ(dev_id->types_under(*shipped().profile("strict")).size(), 1u);
  EXPECT_EQ(dev_id->types_under(*shipped().profile("lenient")).size(), 2u);
}

TEST(ShippedSpec, Md5DomainFollowsTheProfile) {
  const auto& data = shipped().endpoint_by_role("check")->response->data_fields;
  auto md5 = std::find_if(data.begin(), data.end(), [](const Field& f) { return f.name == "md5"; });
  ASSERT_NE(md5, data.end());
  EXPECT_EQ(*md5->domain_under(*shipped().profile("strict")).pattern, "^[0-9a-f]{32}$");
  EXPECT_EQ(*md5->domain_under(*shipped().profile("lenient")).pattern, "^[0-9a-fA-F]{32}$");
  EXPECT_FALSE(md5->domain_under(*shipped().profile("as-documented")).pattern.has_value());
}

TEST(ShippedSpec, AuthorizationComesFromTheNotesWithTheWorkedExample) {
  ASSERT_TRUE(shipped().authorization);
  const auto& auth = *shipped().authorization;
  EXPECT_EQ(auth.origin, "notes");
  EXPECT_EQ(auth.string_to_sign, (std::vector<std::string>{"et", "method", "res", "version"}));
  EXPECT_EQ(auth.separator, "\n");
  ASSERT_EQ(auth.test_vectors.size(), 3u);
  EXPECT_EQ(auth.test_vectors[0].sign, "lsaPSiiGvEFFjXu5WU7a6IkScqE=");
}

TEST(ShippedSpec, SummaryEndsWithTheCountsLine) {
  const auto text = summary(shipped());
  const auto last = text.substr(text.rfind('\n', text.size() - 2) + 1);
  EXPECT_EQ(last, summary_counts(shipped()) + "\n");
  EXPECT_EQ(summary_counts(shipped()).rfind("clauses=" + std::to_string(shipped().clauses.size()) + " ambiguities=", 0),
            0u);
}

TEST(ShippedSpec, DictionaryHoldsNamesAliasesAndValues) {
  const auto dict = fuzz_dictionary(shipped());
  for (const char* token : {R"("dev_id")", R"("\"dev_id\":")", R"("dev_id=")", R"("Pows")", R"("succ")", R"("sha256")",
                            R"("/ota/check")", R"("Error no")", R"("2018-10-31")"}) {
    EXPECT_NE(dict.find(token), std::string::npos) << token;
  }
  // UTF-8 of the example manufacturer is escaped byte by byte.
  EXPECT_NE(dict.find(R"(\xE4\xB8\xAD)"), std::string::npos);
  std::istringstream lines(dict);
  std::string line;
  std::set<std::string> tokens;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    ASSERT_NE(line.find("=\""), std::string::npos) << line;
    ASSERT_EQ(line.back(), '"') << line;
    EXPECT_TRUE(tokens.insert(line.substr(line.find('='))).second) << "duplicate " << line;
  }
}

TEST(SpecLoader, MissingFileIsOneClearError) {
  auto outcome = try_load_spec("/nonexistent/spec.json");
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].line(), "/nonexistent/spec.json: cannot read the file: No such file or directory");
  EXPECT_THROW(load_spec("/nonexistent/spec.json"), SpecError);
}

TEST(SpecLoader, DirectoryIsOneClearError) {
  auto outcome = try_load_spec("/tmp");
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_NE(outcome.errors[0].message.find("directory"), std::string::npos);
}

TEST(SpecLoader, SchemaIsEmbedded) { EXPECT_NE(spec_schema_text().find("otaconf-spec/1"), std::string_view::npos); }

}  // namespace
}  // namespace otaconf::spec
