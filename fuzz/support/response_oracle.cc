#include "response_oracle.h"

#include <algorithm>
#include <cstdlib>

#include "fuzz_support.h"
#include "otaconf/client_adapter.h"
#include "otaconf/interpret.h"
#include "otaconf/readings.h"

namespace otaconf::fuzz {

using nlohmann::json;
using Verdict = interpret::ResponseJudgement::Verdict;

namespace {

// What the C ABI can carry of a string: up to its first NUL, within `capacity`.
std::string as_c_field(const std::string& text, std::size_t capacity) {
  return text.substr(0, std::min(text.find('\0'), capacity - 1));
}

// The spec's result as the C ABI reports it.
json as_reported(json result) {
  result["error"] = as_c_field(result["error"].get<std::string>(), sizeof(otaconf_result::error));
  if (result["data"].is_object()) {
    for (auto& [name, value] : result["data"].items()) {
      if (value.is_string()) value = as_c_field(value.get<std::string>(), 256);
    }
  }
  return result;
}

json observed_json(const client::Normalized& n) {
  return {{"errno", n.errno_value},
          {"error", n.error},
          {"data", n.has_data ? n.data : json(nullptr)},
          {"action", n.action}};
}

}  // namespace

const interpret::ResponseJudgement& SpecJudgements::under(const spec::Profile& profile) {
  for (const auto& known : known_) {
    const bool alike = std::all_of(known.decided.begin(), known.decided.end(), [&](const auto& entry) {
      const auto found = profile.decisions.find(entry.first);
      return (found == profile.decisions.end() ? std::string() : found->second) == entry.second;
    });
    if (!alike) continue;
    for (const auto* when : known.whens) spec::DecisionTrace::note(*when);
    return known.judgement;
  }
  Known known;
  {
    spec::DecisionTrace trace;
    known.judgement = interpret::interpret_response(check_endpoint(), profile, body_);
    known.whens = trace.whens();
    for (const auto& ambiguity : trace.consulted()) {
      const auto found = profile.decisions.find(ambiguity);
      known.decided[ambiguity] = found == profile.decisions.end() ? std::string() : found->second;
    }
  }
  known_.push_back(std::move(known));
  return known_.back().judgement;
}

std::optional<std::string> response_disagreement(const spec::Profile& profile, std::string_view body,
                                                 const otaconf_result& parsed) {
  SpecJudgements judgements(body);
  return response_disagreement(profile, judgements, parsed);
}

std::optional<std::string> response_disagreement(const spec::Profile& profile, SpecJudgements& judgements,
                                                 const otaconf_result& parsed) {
  const auto judgement = judgements.under(profile);
  if (judgement.verdict == Verdict::Undecided) return std::nullopt;
  const auto observed = client::Normalized::from_c(parsed);
  auto expected = judgement;
  if (expected.verdict == Verdict::Accept) expected.result = as_reported(judgement.result);
  const auto difference = interpret::outcome_difference(shipped_spec(), check_endpoint(), expected, observed.accepted,
                                                        observed_json(observed), "the spec accepts it");
  if (!difference) return std::nullopt;
  // A disagreement that another reading of the document allows is the
  // profile's decision, not the parser's fault (the client suite grades it
  // NON-STRICT): no finding, unless OTACONF_FUZZ_ENFORCE_DECISIONS is set.
  if (!enforce_decisions(false)) {
    const auto reported = observed_json(observed);
    const readings::Allowed allowed = [&](const spec::Profile& reading) {
      auto under = judgements.under(reading);
      if (under.verdict == Verdict::Accept) under.result = as_reported(under.result);
      return !interpret::outcome_difference(shipped_spec(), check_endpoint(), under, observed.accepted, reported, "")
                  .has_value();
    };
    if (readings::search(shipped_spec(), profile, allowed).found) return std::nullopt;
  }
  return difference->clause + ": " + difference->text + "\nspec: " + to_string(judgement.verdict) + " " +
         (judgement.verdict == Verdict::Accept ? expected.result.dump()
                                               : "(" + judgement.clause + ": " + judgement.reason + ")") +
         "\nparser: " +
         (observed.accepted ? "accept " + observed_json(observed).dump() : "reject (" + observed.reason + ")");
}

}  // namespace otaconf::fuzz
