// What a run will do before it sends anything (--dry-run, spec show
// --judged-by): each selected check, the clauses it may judge, and how many
// requests, vectors or scenarios it uses. The same plan goes into the
// results (run.plan) so that JUnit has one testcase per (check, clause)
// whatever the run reached.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "otaconf/spec.h"

namespace otaconf::conformance {

struct PlannedCheck {
  std::string id, title;
  std::vector<std::string> clauses;         // the clauses it is made for (selected ones only)
  std::vector<std::string> answer_clauses;  // others any answer it judges may be charged to
  std::string size;                         // "40 cases", "63 vectors", "1 scenario"
};

// The (check, clause) pairs of a plan, in plan order.
inline std::vector<std::pair<std::string, std::string>> plan_pairs(const std::vector<PlannedCheck>& plan) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& check : plan) {
    for (const auto& clause : check.clauses) pairs.emplace_back(check.id, clause);
    for (const auto& clause : check.answer_clauses) pairs.emplace_back(check.id, clause);
  }
  return pairs;
}

// The IDs among `ids` that name a clause of the spec, once each, in order;
// with `not_of`, none of that side only.
inline std::vector<std::string> known_clauses(const spec::Spec& spec, const std::vector<std::string>& ids,
                                              std::optional<spec::Side> not_of = std::nullopt) {
  std::vector<std::string> out;
  for (const auto& id : ids) {
    const auto* clause = spec.clause(id);
    if (clause && (!not_of || clause->side != *not_of) && std::find(out.begin(), out.end(), id) == out.end())
      out.push_back(id);
  }
  return out;
}

}  // namespace otaconf::conformance
