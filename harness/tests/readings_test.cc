// Readings of the document (otaconf/readings.h): the search finds the fewest
// decision changes under which a case holds, conditions that name two
// ambiguities are toggled whole, and the ledger admits a reading only when
// every case that held still holds and the confirmation agrees. Grading turns
// the basis into a verdict.
#include "otaconf/readings.h"

#include <gtest/gtest.h>

#include "otaconf/interpret.h"
#include "otaconf/spec_loader.h"

namespace otaconf::readings {
namespace {

const spec::Spec& shipped() {
  static const auto spec = spec::load_spec(OTACONF_TEST_SPEC);
  return spec;
}

const spec::Profile& strict() { return *shipped().profile("strict"); }

const spec::Field& request_field(const std::string& name) {
  return *shipped().endpoint_by_role("check")->request_field(name);
}

bool reads(const spec::Field& field, const spec::Profile& profile, const std::string& spelling) {
  const auto spellings = field.spellings_under(profile);
  return std::find(spellings.begin(), spellings.end(), spelling) != spellings.end();
}

TEST(Search, FindsTheOneDecisionACaseRestsOn) {
  const auto& powers = request_field("powers");
  ASSERT_FALSE(reads(powers, strict(), "pows"));
  const auto found = search(shipped(), strict(), [&](const spec::Profile& p) { return reads(powers, p, "pows"); });
  ASSERT_TRUE(found.found.has_value());
  ASSERT_EQ(found.found->size(), 1u);
  EXPECT_EQ(found.found->begin()->first, "AMB.POWS");
}

TEST(Search, ToggledAConditionOfTwoAmbiguitiesAtOnce) {
  // 'Pows' needs both AMB.POWS (pows or both) and AMB.CASING (documented or case-insensitive).
  const auto& powers = request_field("powers");
  const auto found = search(shipped(), strict(), [&](const spec::Profile& p) { return reads(powers, p, "Pows"); });
  ASSERT_TRUE(found.found.has_value());
  EXPECT_EQ(found.found->size(), 2u);
  EXPECT_TRUE(found.found->count("AMB.POWS"));
  EXPECT_TRUE(found.found->count("AMB.CASING"));
}

TEST(Search, NoReadingAllowsWhatNoDecisionTouches) {
  // type must be 1 or 2 in every reading: 3 is never allowed.
  const auto& type = request_field("type");
  const auto found = search(shipped(), strict(), [&](const spec::Profile& p) {
    return interpret::in_domain(type.domain_under(p), nlohmann::json(3));
  });
  EXPECT_FALSE(found.found.has_value());
}

TEST(Ledger, AReadingThatBreaksAHeldCaseIsRefused) {
  const auto& powers = request_field("powers");
  Ledger ledger(shipped(), strict());
  // The implementation was seen to read 'powers' (right under strict, wrong under AMB.POWS=pows).
  std::set<std::string> consulted;
  Allowed reads_powers = [&](const spec::Profile& p) { return reads(powers, p, "powers"); };
  {
    spec::DecisionTrace trace;
    ASSERT_TRUE(reads_powers(strict()));
    consulted = trace.consulted();
  }
  ledger.held("powers read", reads_powers, consulted);
  // ... and 'pows' only: AMB.POWS=pows explains that, but contradicts the case above; 'both' explains both.
  const auto resolution = ledger.resolve([&](const spec::Profile& p) { return reads(powers, p, "pows"); });
  ASSERT_TRUE(resolution.basis.rests_on_decisions());
  EXPECT_EQ(resolution.changes.at("AMB.POWS"), "both");
}

TEST(Ledger, OnlyInconsistentReadingsLeaveADocumentBasisNamingTheConflict) {
  const auto& powers = request_field("powers");
  Ledger ledger(shipped(), strict());
  // Held: 'pows' is NOT read (right under strict and under 'powers'; wrong under 'pows' and 'both').
  Allowed ignores_pows = [&](const spec::Profile& p) { return !reads(powers, p, "pows"); };
  std::set<std::string> consulted;
  {
    spec::DecisionTrace trace;
    ignores_pows(strict());
    consulted = trace.consulted();
  }
  ledger.held("pows ignored", ignores_pows, consulted);
  // Missed: 'powers' is not read either: only AMB.POWS=pows allows that, which the held case refutes.
  const auto resolution = ledger.resolve([&](const spec::Profile& p) { return !reads(powers, p, "powers"); });
  EXPECT_FALSE(resolution.basis.rests_on_decisions());
  EXPECT_NE(resolution.basis.conflict.find("pows ignored"), std::string::npos) << resolution.basis.conflict;
}

TEST(Ledger, AReadingTheConfirmationRefutesExplainsNothing) {
  const auto& powers = request_field("powers");
  Ledger ledger(shipped(), strict());
  ledger.set_confirm([](const Changes&) { return std::string("a request right under it was refused"); });
  const auto resolution = ledger.resolve([&](const spec::Profile& p) { return reads(powers, p, "pows"); });
  EXPECT_FALSE(resolution.basis.rests_on_decisions());
  EXPECT_NE(resolution.basis.conflict.find("was refused"), std::string::npos);
}

TEST(Grade, TheBasisDecidesTheVerdict) {
  using results::Verdict;
  const auto decision = decision_basis(strict(), {{"AMB.POWS", "both"}});
  EXPECT_EQ(decision.decisions.front().decided, "powers");
  EXPECT_EQ(results::grade(spec::Level::Must, results::Basis::document(), false), Verdict::Fail);
  EXPECT_EQ(results::grade(spec::Level::Must, decision, false), Verdict::NonStrict);
  EXPECT_EQ(results::grade(spec::Level::Must, decision, false, true), Verdict::Info);
  EXPECT_EQ(results::grade(spec::Level::Must, decision, true), Verdict::Fail);
  EXPECT_EQ(results::grade(spec::Level::May, decision, false), Verdict::Info);
  EXPECT_EQ(results::grade(spec::Level::Should, results::Basis::document(), false), Verdict::NonStrict);
}

}  // namespace
}  // namespace otaconf::readings
