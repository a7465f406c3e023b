#pragma once

#include <cstring>

#include "fuzz_support.h"

namespace otaconf::fuzz {

template <typename Parse>
void check_response_parser(std::string_view body, Parse&& parse) {
  SpecJudgements judgements(body);
  for (const auto& profile : shipped_spec().profiles) {
    otaconf_result parsed;
    std::memset(&parsed, 0, sizeof parsed);
    if (parse(body, profile.id, parsed) != 0) {
      oracle_failure("the parser reported an internal failure", "profile " + profile.id + "\nbody: " + printable(body));
    }
    if (auto mismatch = response_disagreement(profile, judgements, parsed)) {
      oracle_failure("the parser and the spec disagree",
                     "profile " + profile.id + "\nbody: " + printable(body) + "\n" + *mismatch);
    }
  }
}

}  // namespace otaconf::fuzz
