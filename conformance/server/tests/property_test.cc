// The property explores: at the default --cases, every kind of single change
// (drop, respell, retype, value, near miss, token) and every request field
// turn up in a measured share of the cases, under every profile and seed.
// (RapidCheck scales sized choices with the case's size; a property drawing
// its choices that way only ever changed the first fields.)
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "otaconf/conformance/server.h"
#include "otaconf/spec_loader.h"
#include "shipped.h"

namespace otaconf::conformance {
namespace {

using shipped_data::default_fixture;
using shipped_data::shipped;

struct MixCase {
  std::string profile;
  std::uint64_t seed;
};

void PrintTo(const MixCase& c, std::ostream* os) { *os << c.profile << " seed " << c.seed; }

class PropertyMix : public ::testing::TestWithParam<MixCase> {};

TEST_P(PropertyMix, EveryKindOfChangeAndEveryFieldInAShareOfCases) {
  const auto& [profile_id, seed] = GetParam();
  ServerOptions options;  // the default --cases
  options.seed = seed;
  const auto& profile = *shipped().profile(profile_id);
  const auto& endpoint = *shipped().endpoint_by_role("check");
  const ServerSuite suite{shipped(), profile, default_fixture(), {}, {}, options};
  const auto pool = derive_pool(shipped(), endpoint, profile, default_fixture());
  const auto mix = change_mix(suite, endpoint, pool);

  ASSERT_EQ(mix.cases, options.cases);
  std::cout << profile_id << " seed " << seed << ", cases with each kind of change, of " << mix.cases << ":";
  for (const auto& [kind, cases] : mix.cases_with) std::cout << " " << kind << " " << cases;
  std::cout << "\n";
  // With up to three changes of six kinds, a kind is in ~22% of cases.
  const int share = mix.cases / 10;
  for (int k = 0; k < kChangeKinds; ++k) {
    const std::string kind(name_of(static_cast<ChangeKind>(k)));
    EXPECT_GE(mix.cases_with.count(kind) ? mix.cases_with.at(kind) : 0, share) << kind;
  }
  for (const auto& field : endpoint.request_fields) {
    EXPECT_GE(mix.cases_changing.count(field.name) ? mix.cases_changing.at(field.name) : 0, 1)
        << field.name << " is never changed";
  }
}

std::vector<MixCase> mix_cases() {
  std::vector<MixCase> cases;
  for (const char* profile : {"strict", "lenient", "as-documented"}) {
    for (std::uint64_t seed : {1, 2, 3}) cases.push_back({profile, seed});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(ProfilesAndSeeds, PropertyMix, ::testing::ValuesIn(mix_cases()),
                         [](const ::testing::TestParamInfo<MixCase>& param_info) {
                           auto name = param_info.param.profile + "_seed" + std::to_string(param_info.param.seed);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace otaconf::conformance
