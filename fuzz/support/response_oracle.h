// The client-parser fuzzers' oracle: a parser's result for a response body,
// held against the spec's own judgement (interpret_response).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <map>
#include <vector>

#include "otaconf/interpret.h"
#include "otaconf/spec.h"
#include "otaconf_adapter.h"

namespace otaconf::fuzz {

// The spec's judgements of one body, each made once per distinct reading:
// a profile that decides every ambiguity a judgement consulted as the
// profile it was made under gets that judgement again (spec::DecisionTrace),
// so three profiles that read a body alike cost one judgement, not three.
class SpecJudgements {
 public:
  explicit SpecJudgements(std::string_view body) : body_(body) {}
  const interpret::ResponseJudgement& under(const spec::Profile& profile);

 private:
  struct Known {
    std::map<std::string, std::string> decided;  // consulted ambiguity -> decision ("" when undecided)
    std::vector<const spec::When*> whens;        // noted again on reuse, for an enclosing trace
    interpret::ResponseJudgement judgement;
  };
  std::string_view body_;
  std::vector<Known> known_;
};

// nullopt when the parser agrees with the spec, the spec leaves the body
// open, or another reading of the document's ambiguities allows what the
// parser did (readings::search; the client suite grades those NON-STRICT);
// otherwise both sides, printed. OTACONF_FUZZ_ENFORCE_DECISIONS=1 makes
// every disagreement with the profile a finding.
std::optional<std::string> response_disagreement(const spec::Profile& profile, std::string_view body,
                                                 const otaconf_result& parsed);
// The same, judging through `judgements` (made for this body).
std::optional<std::string> response_disagreement(const spec::Profile& profile, SpecJudgements& judgements,
                                                 const otaconf_result& parsed);

// Runs `parse` on `body` under every profile of the shipped spec and aborts
// on the first disagreement.
template <typename Parse>
void check_response_parser(std::string_view body, Parse&& parse);

}  // namespace otaconf::fuzz

#include "response_oracle_inl.h"
