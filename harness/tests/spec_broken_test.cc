// Broken specs are rejected with a diagnostic naming the place and the
// problem. Each case edits the shipped spec in one way.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "otaconf/interpret.h"
#include "spec_test_support.h"

namespace otaconf::spec {
namespace {

using nlohmann::json;
using Edit = std::function<void(json&)>;

struct BrokenCase {
  std::string name;
  Edit edit;
  std::string pointer;  // the pointer of the expected diagnostic
  std::string message;  // a substring of its message
};

void PrintTo(const BrokenCase& c, std::ostream* os) { *os << c.name; }

json& at(json& doc, const char* pointer) { return doc.at(json::json_pointer(pointer)); }

// The index of a request field or error code, so cases survive reordering.
std::string field_pointer(const json& doc, const std::string& name) {
  const auto& fields = doc["endpoints"][0]["request_fields"];
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i]["name"] == name) return "/endpoints/0/request_fields/" + std::to_string(i);
  }
  return "?";
}
std::string code_pointer(const json& doc, int code) {
  const auto& codes = doc["endpoints"][0]["error_codes"];
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i]["code"] == code) return "/endpoints/0/error_codes/" + std::to_string(i);
  }
  return "?";
}

const json& doc0() { return testing::shipped_spec_json(); }

std::vector<BrokenCase> cases() {
  const auto manuf = field_pointer(doc0(), "manuf");
  const auto code8 = code_pointer(doc0(), 8);
  const auto code0 = code_pointer(doc0(), 0);
  return {
      {"MissingMember", [](json& d) { at(d, "/clauses/0").erase("statement"); }, "/clauses/0",
       "Missing required property 'statement'"},
      {"WrongType", [](json& d) { at(d, "/clauses/0/statement") = 3; }, "/clauses/0/statement",
       "Value type not permitted by 'type' constraint"},
      {"WrongEnumValue", [](json& d) { at(d, "/clauses/0/level") = "MUSTNT"; }, "/clauses/0/level",
       "Failed to match against any enum values"},
      {"UnknownMember", [](json& d) { at(d, "/clauses/0")["levle"] = "MUST"; }, "/clauses/0", "levle"},
      {"ClauseWithoutQuote", [](json& d) { at(d, "/clauses/0/quotes") = json::array(); }, "/clauses/0/quotes",
       "Array should contain no fewer than 1 elements"},
      {"DuplicateClauseId", [](json& d) { at(d, "/clauses/1/id") = at(d, "/clauses/0/id"); }, "/clauses/1",
       "duplicate clause id 'EP.CHECK.METHOD'"},
      {"DanglingAliasInterpretation",
       [manuf](json& d) { d.at(json::json_pointer(manuf + "/aliases/0/accepted_when"))["AMB.CASING"] = {"shouting"}; },
       manuf + "/aliases/0/accepted_when/AMB.CASING", "'shouting' is not an interpretation of AMB.CASING"},
      {"DanglingAliasAmbiguity",
       [manuf](json& d) { d.at(json::json_pointer(manuf + "/aliases/0/accepted_when"))["AMB.NOPE"] = {"x"}; },
       manuf + "/aliases/0/accepted_when/AMB.NOPE", "unknown ambiguity 'AMB.NOPE'"},
      {"AliasNamesAnotherField",
       [manuf](json& d) { d.at(json::json_pointer(manuf + "/aliases/0/spelling")) = "model"; },
       manuf + "/aliases/0/spelling", "alias 'model' of 'manuf' already names field 'model'"},
      {"UnknownCodeInPrecedence", [](json& d) { at(d, "/endpoints/0/precedence").push_back(42); },
       "/endpoints/0/precedence/9", "code 42 in the precedence is not an error code of 'check'"},
      {"DuplicateErrorCode", [code8](json& d) { d.at(json::json_pointer(code8 + "/code")) = 9; },
       "/endpoints/0/error_codes/" + code_pointer(doc0(), 9).substr(code_pointer(doc0(), 9).rfind('/') + 1),
       "duplicate error code '9'"},
      {"UnknownAction", [code8](json& d) { d.at(json::json_pointer(code8 + "/action")) = "reboot"; }, code8 + "/action",
       "unknown action 'reboot'"},
      {"UnknownClauseReference",
       [manuf](json& d) { d.at(json::json_pointer(manuf + "/clauses")).push_back("REQ.NOPE.X"); }, manuf + "/clauses/3",
       "unknown clause 'REQ.NOPE.X'"},
      {"DecisionForUnknownAmbiguity", [](json& d) { at(d, "/profiles/0/decisions")["AMB.NOPE"] = "x"; },
       "/profiles/0/decisions/AMB.NOPE", "decision for unknown ambiguity 'AMB.NOPE'"},
      {"ProfileMissesADecision", [](json& d) { at(d, "/profiles/1/decisions").erase("AMB.POWS"); },
       "/profiles/1/decisions", "profile 'lenient' does not decide AMB.POWS"},
      {"UnknownDefaultProfile", [](json& d) { d["default_profile"] = "sloppy"; }, "/default_profile",
       "unknown profile 'sloppy'"},
      {"TriggerNamesUnknownField",
       [code8](json& d) { d.at(json::json_pointer(code8 + "/trigger/any/0/ne/0")) = "$request.maker"; },
       code8 + "/trigger/any/0/ne/0", "'$request.maker' names no request field of endpoint 'check'"},
      {"MalformedReference",
       [code8](json& d) { d.at(json::json_pointer(code8 + "/trigger/any/0/ne/0")) = "$Request..manuf"; },
       code8 + "/trigger/any/0/ne/0", "malformed reference '$Request..manuf'"},
      {"FactValueTypo", [](json& d) { at(d, "/endpoints/0/error_codes/1/trigger/any/0/ne/1") = "okay"; },
       "/endpoints/0/error_codes/1/trigger/any/0/ne/1", "'okay' is not a value of check.auth"},
      {"OtherwiseNested",
       [code0](json& d) {
         d.at(json::json_pointer(code0 + "/trigger")) = {{"any", {{{"otherwise", true}}}}};
       },
       code0 + "/trigger/any/0", "'otherwise' may only be a whole trigger"},
      {"UnknownOperator",
       [code8](json& d) {
         d.at(json::json_pointer(code8 + "/trigger")) = {{"xor", 1}};
       },
       code8 + "/trigger", "matches none of the allowed forms"},
      {"OperatorWithWrongOperands",
       [code8](json& d) {
         d.at(json::json_pointer(code8 + "/trigger/any/0")) = {{"eq", "$request.manuf"}};
       },
       code8 + "/trigger/any/0/eq", "Value type not permitted by 'type' constraint"},
      {"InvalidPattern", [manuf](json& d) { d.at(json::json_pointer(manuf + "/domain"))["pattern"] = "^[a-"; },
       manuf + "/domain/pattern", "not a valid RE2 regular expression"},
      {"MinAboveMax", [](json& d) { at(d, "/endpoints/0/response/data_fields/4/domain/min") = 101; },
       "/endpoints/0/response/data_fields/4/domain", "min is greater than max"},
      {"UnknownQuoteSource", [](json& d) { at(d, "/clauses/0/quotes/0/source") = "rumour"; },
       "/clauses/0/quotes/0/source", "unknown source 'rumour'"},
      {"WrongFormat", [](json& d) { d["format"] = "otaconf-spec/2"; }, "/format", "const"},
      {"NotAnObject",
       [](json& d) {
         d = json::array({1, 2});
       },
       "", "not permitted"},
      {"TooDeep",
       [](json& d) {
         json deep = 1;
         for (int i = 0; i < 200; ++i) deep = json::array({deep});
         d["clauses"][0]["statement"] = deep;
       },
       "", "nested more than 64 levels deep"},
  };
}

class BrokenSpec : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenSpec, IsRejectedWithTheRightDiagnostic) {
  const auto& c = GetParam();
  auto outcome = testing::load_edited(c.edit);
  ASSERT_FALSE(outcome.spec.has_value()) << "the broken spec loaded";
  ASSERT_FALSE(outcome.errors.empty());
  std::string all;
  bool found = false;
  for (const auto& e : outcome.errors) {
    all += e.line() + "\n";
    if (e.pointer == c.pointer && e.message.find(c.message) != std::string::npos) found = true;
  }
  EXPECT_TRUE(found) << "expected " << c.pointer << ": ..." << c.message << "...\ngot:\n" << all;
  EXPECT_EQ(outcome.errors.front().file, "onenet-ota-v1.json");
  auto document = testing::shipped_spec_json();
  c.edit(document);
  EXPECT_THROW(load_spec_text(document.dump(), "x.json"), SpecError);
}

INSTANTIATE_TEST_SUITE_P(Kinds, BrokenSpec, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<BrokenCase>& param_info) { return param_info.param.name; });

TEST(BrokenSpecText, NotJsonNamesTheByte) {
  auto outcome = try_load_spec_text("{\"format\": ", "bad.json");
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].pointer, "");
  EXPECT_NE(outcome.errors[0].line().find("bad.json: not valid JSON: "), std::string::npos) << outcome.errors[0].line();
}

TEST(BrokenSpecText, EveryMissingMemberIsListed) {
  auto outcome = try_load_spec_text(R"({"format": "otaconf-spec/1"})", "thin.json");
  ASSERT_GE(outcome.errors.size(), 10u);
  for (const auto& e : outcome.errors) {
    EXPECT_EQ(e.pointer, "");
    EXPECT_EQ(e.message.rfind("Missing required property", 0), 0u) << e.line();
  }
}

TEST(BrokenSpecText, EmptyTextIsAnError) {
  auto outcome = try_load_spec_text("", "empty.json");
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_NE(outcome.errors[0].message.find("not valid JSON"), std::string::npos);
}

// Patterns are matched with RE2, linear in the value: a pattern needs no
// max_length any more, and a value of megabytes is matched, not a stack
// overflow (the regression std::regex needed the bound for).
TEST(SpecPatterns, NeedNoLengthBoundAndMatchLongValues) {
  auto outcome = testing::load_edited([](json& d) {
    for (auto& field : d["endpoints"][0]["request_fields"]) {
      if (field["name"] != "manuf") continue;
      field["domain"]["pattern"] = "^.+$";
      field["domain"].erase("max_length");
    }
  });
  ASSERT_TRUE(outcome.spec.has_value()) << (outcome.errors.empty() ? "" : outcome.errors.front().line());
  Domain domain;
  domain.kind = ValueType::String;
  domain.pattern = "^[A-Za-z0-9.-]{1,255}(:[0-9]{1,5})?$";
  EXPECT_TRUE(interpret::in_domain(domain, json("ota.example.com:8080")));
  EXPECT_FALSE(interpret::in_domain(domain, json("ota.example.com:")));
  domain.pattern = "^.+$";
  EXPECT_TRUE(interpret::in_domain(domain, json(std::string(4 << 20, 'x'))));
  domain.pattern = "^[a-";  // not RE2: matches nothing
  EXPECT_FALSE(interpret::in_domain(domain, json("a")));
}

}  // namespace
}  // namespace otaconf::spec
