// Lint findings: problems that leave a loadable spec but a wrong one.
#include <gtest/gtest.h>

#include "otaconf/spec_tools.h"
#include "spec_test_support.h"

namespace otaconf::spec {
namespace {

using nlohmann::json;

std::vector<Diagnostic> lint_edited(const std::function<void(json&)>& edit) {
  auto outcome = testing::load_edited(edit);
  if (!outcome.spec) {
    ADD_FAILURE() << "the edited spec does not load: " << outcome.errors.front().line();
    return {};
  }
  return lint(*outcome.spec);
}

bool has_finding(const std::vector<Diagnostic>& findings, const std::string& pointer, const std::string& text) {
  for (const auto& f : findings) {
    if (f.pointer == pointer && f.message.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(SpecLint, QuoteNotInTheSource) {
  auto findings = lint_edited([](json& d) { d["clauses"][0]["quotes"][0]["text"] = "Request mode: ** POST**"; });
  EXPECT_TRUE(has_finding(findings, "/clauses/0/quotes/0/text", "quote not found verbatim in source 'doc'"));
}

TEST(SpecLint, QuoteWhitespaceDoesNotMatter) {
  EXPECT_TRUE(quote_occurs("a  b\nc", "x a b c y"));
  EXPECT_FALSE(quote_occurs("a b d", "x a b c y"));
}

TEST(SpecLint, ClauseWithoutNormativeQuote) {
  auto findings = lint_edited([](json& d) {
    d["clauses"][0]["quotes"] = json::array({{{"source", "notes"}, {"text", "- `et`: expiry, Unix seconds."}}});
  });
  EXPECT_TRUE(has_finding(findings, "/clauses/0/quotes", "has no quote from a normative source"));
}

TEST(SpecLint, OrphanClause) {
  auto findings = lint_edited([](json& d) {
    auto extra = d["clauses"][0];
    extra["id"] = "EXTRA.ORPHAN";
    d["clauses"].push_back(extra);
  });
  const auto pointer = "/clauses/" + std::to_string(testing::shipped_spec_json()["clauses"].size());
  EXPECT_TRUE(has_finding(findings, pointer, "clause EXTRA.ORPHAN is not referenced"));
}

TEST(SpecLint, UnreferencedAmbiguity) {
  auto findings = lint_edited([](json& d) {
    auto extra = d["ambiguities"][0];
    extra["id"] = "AMB.EXTRA";
    d["ambiguities"].push_back(extra);
    for (auto& profile : d["profiles"]) profile["decisions"]["AMB.EXTRA"] = extra["interpretations"][0]["id"];
  });
  const auto pointer = "/ambiguities/" + std::to_string(testing::shipped_spec_json()["ambiguities"].size());
  EXPECT_TRUE(has_finding(findings, pointer, "AMB.EXTRA is named by no clause"));
}

TEST(SpecLint, CodeMissingFromPrecedence) {
  auto findings = lint_edited([](json& d) { d["endpoints"][0]["precedence"].erase(0); });
  EXPECT_TRUE(has_finding(findings, "/endpoints/0/precedence", "error code 7 is missing from the precedence"));
}

TEST(SpecLint, UnreadableSource) {
  auto findings = lint_edited([](json& d) { d["sources"][1]["path"] = "sources/missing.md"; });
  EXPECT_TRUE(has_finding(findings, "/sources/1/path", "cannot read source"));
}

}  // namespace
}  // namespace otaconf::spec
