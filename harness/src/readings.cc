#include "otaconf/readings.h"

#include <algorithm>

namespace otaconf::readings {

spec::Profile apply(const spec::Profile& profile, const Changes& changes) {
  auto out = profile;
  for (const auto& [ambiguity, interpretation] : changes) out.decisions[ambiguity] = interpretation;
  return out;
}

results::Basis decision_basis(const spec::Profile& profile, const Changes& changes) {
  results::Basis basis;
  basis.kind = results::Basis::Kind::Decision;
  for (const auto& [ambiguity, interpretation] : changes) {
    auto decided = profile.decisions.find(ambiguity);
    basis.decisions.push_back(
        {ambiguity, decided == profile.decisions.end() ? std::string("?") : decided->second, interpretation});
  }
  return basis;
}

namespace {

const std::vector<spec::Interpretation>* interpretations(const spec::Spec& spec, const std::string& ambiguity) {
  const auto* entry = spec.ambiguity(ambiguity);
  return entry ? &entry->interpretations : nullptr;
}

bool accepts(const std::vector<std::string>& accepted, const std::string& interpretation) {
  return std::find(accepted.begin(), accepted.end(), interpretation) != accepted.end();
}

// The smallest change sets that flip `when` under `reading`: to make a
// condition that holds fail, move one of its ambiguities outside its list;
// to make one that fails hold, move every ambiguity outside its list into it.
void toggles_of(const spec::Spec& spec, const spec::When& when, const spec::Profile& reading,
                std::vector<Changes>& out) {
  auto decision = [&](const std::string& ambiguity) {
    auto found = reading.decisions.find(ambiguity);
    return found == reading.decisions.end() ? std::string() : found->second;
  };
  bool holds = true;
  for (const auto& [ambiguity, accepted] : when.decided) holds = holds && accepts(accepted, decision(ambiguity));
  if (holds) {
    for (const auto& [ambiguity, accepted] : when.decided) {
      const auto* all = interpretations(spec, ambiguity);
      for (const auto& i : all ? *all : std::vector<spec::Interpretation>{}) {
        if (!accepts(accepted, i.id)) out.push_back({{ambiguity, i.id}});
      }
    }
    return;
  }
  std::vector<Changes> partial{{}};
  for (const auto& [ambiguity, accepted] : when.decided) {
    if (accepts(accepted, decision(ambiguity))) continue;
    std::vector<Changes> extended;
    for (const auto& interpretation : accepted) {
      for (auto changes : partial) {
        changes[ambiguity] = interpretation;
        extended.push_back(std::move(changes));
      }
    }
    partial = std::move(extended);
    if (partial.size() > 16) partial.resize(16);  // conditions name one or two ambiguities in practice
  }
  out.insert(out.end(), partial.begin(), partial.end());
}

std::vector<Changes> toggles(const spec::Spec& spec, const std::vector<const spec::When*>& whens,
                             const spec::Profile& reading) {
  std::vector<Changes> out;
  for (const auto* when : whens) toggles_of(spec, *when, reading, out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// `changes` extended by `toggle`, without entries that restate the profile.
Changes merged(const spec::Profile& profile, Changes changes, const Changes& toggle) {
  for (const auto& [ambiguity, interpretation] : toggle) changes[ambiguity] = interpretation;
  for (auto it = changes.begin(); it != changes.end();) {
    auto decided = profile.decisions.find(it->first);
    if (decided != profile.decisions.end() && decided->second == it->second) {
      it = changes.erase(it);
    } else {
      ++it;
    }
  }
  return changes;
}

}  // namespace

SearchResult search(const spec::Spec& spec, const spec::Profile& profile, const Allowed& allowed,
                    const std::function<bool(const Changes&)>& admissible, Limits limits) {
  SearchResult result;
  struct Node {
    Changes changes;
    std::vector<Changes> toggles;
    std::set<const spec::When*> seen_whens;  // every condition consulted on the way here
  };
  std::vector<Node> frontier;
  {
    spec::DecisionTrace trace;
    allowed(profile);
    frontier.push_back({{}, toggles(spec, trace.whens(), profile), {trace.whens().begin(), trace.whens().end()}});
  }
  std::set<Changes> seen{{}};
  int evaluations = 0;
  for (int depth = 1; depth <= limits.depth && !frontier.empty(); ++depth) {
    std::vector<std::pair<Changes, const Node*>> candidates;
    for (const auto& node : frontier) {
      for (const auto& toggle : node.toggles) {
        auto changes = merged(profile, node.changes, toggle);
        if (!changes.empty() && seen.insert(changes).second) candidates.emplace_back(std::move(changes), &node);
      }
    }
    // Fewest changed ambiguities first: the simplest account of the case.
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const auto& a, const auto& b) { return a.first.size() < b.first.size(); });
    std::vector<Node> next;
    for (const auto& [changes, parent] : candidates) {
      if (++evaluations > limits.budget) {
        result.exhausted = true;
        return result;
      }
      const auto reading = readings::apply(profile, changes);
      spec::DecisionTrace trace;
      if (allowed(reading)) {
        if (!admissible || admissible(changes)) {
          result.found = changes;
          return result;
        }
        if (!result.refused) result.refused = changes;
        continue;
      }
      // Extended only by conditions this reading newly consulted: a condition
      // already open to the reading it came from was tried there.
      std::vector<const spec::When*> fresh;
      auto seen_whens = parent->seen_whens;
      for (const auto* when : trace.whens()) {
        if (seen_whens.insert(when).second) fresh.push_back(when);
      }
      if (!fresh.empty()) next.push_back({changes, toggles(spec, fresh, reading), std::move(seen_whens)});
    }
    frontier = std::move(next);
  }
  return result;
}

Ledger::Ledger(const spec::Spec& spec, const spec::Profile& profile, Limits limits)
    : spec_(spec), profile_(profile), limits_(limits) {}

void Ledger::held(std::string description, Allowed allowed, std::set<std::string> consulted) {
  if (consulted.empty()) return;  // no reading can change its judgement
  std::lock_guard lock(mutex_);
  held_.push_back({std::move(description), std::move(allowed), std::move(consulted)});
}

bool Ledger::judge(const std::string& description, const Allowed& allowed, bool& decision_free) {
  std::set<std::string> consulted;
  bool holds = false;
  {
    spec::DecisionTrace trace;
    holds = allowed(profile_);
    consulted = trace.consulted();
  }
  decision_free = consulted.empty();
  if (holds) held(description, allowed, std::move(consulted));
  return holds;
}

void Ledger::miss(Miss miss) {
  std::lock_guard lock(mutex_);
  misses_.push_back(std::move(miss));
}

void Ledger::grade_misses(bool enforce_decisions, results::Recorder& recorder) {
  std::vector<Miss> misses;
  {
    std::lock_guard lock(mutex_);
    misses = std::move(misses_);
  }
  // The same request and answer judged by the same rule resolve alike.
  std::map<std::string, Resolution> resolved;
  for (auto& miss : misses) {
    const auto key = miss.clause + "\n" + miss.message;
    auto found = resolved.find(key);
    if (found == resolved.end()) found = resolved.emplace(key, resolve(miss.allowed)).first;
    const auto& basis = found->second.basis;
    const bool decision = basis.rests_on_decisions();
    const bool more = decision && miss.reads_more && miss.reads_more(readings::apply(profile_, found->second.changes));
    const auto* clause = spec_.clause(miss.clause);
    const auto verdict = results::grade(clause ? clause->level : spec::Level::Must, basis, enforce_decisions, more);
    auto message = miss.message;
    if (decision) {
      message += more ? "; accepted more than the profile's clients send: " : "; rests on the profile's reading: ";
      message += basis.decisions_text();
    } else if (!basis.conflict.empty()) {
      message += "; " + basis.conflict;
    }
    for (const auto& d : basis.decisions) {
      recorder.observe({d.ambiguity, miss.check,
                        miss.clause + ": behaves as under '" + d.reading + "' where " + profile_.id + " decides '" +
                            d.decided + "'" + (more ? " (reads more)" : "")});
    }
    recorder.record({miss.check, miss.title, miss.clause, verdict, message, std::move(miss.evidence), basis});
  }
}

std::size_t Ledger::size() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

bool Ledger::consistent(const Changes& changes, std::string* conflict) {
  std::lock_guard lock(mutex_);
  auto cached = verdicts_.find(changes);
  if (cached == verdicts_.end()) {
    const auto reading = readings::apply(profile_, changes);
    std::string found;
    for (const auto& c : held_) {
      const bool touched = std::any_of(changes.begin(), changes.end(),
                                       [&](const auto& change) { return c.consulted.count(change.first) > 0; });
      if (touched && !c.allowed(reading)) {
        found = "under that reading this run's answer to " +
                (c.description.empty() ? std::string("another case") : c.description) + " is wrong";
        break;
      }
    }
    if (found.empty() && confirm_) found = confirm_(changes);
    cached = verdicts_.emplace(changes, found).first;
  }
  if (conflict) *conflict = cached->second;
  return cached->second.empty();
}

Ledger::Resolution Ledger::resolve(const Allowed& allowed) {
  const auto found = search(
      spec_, profile_, allowed, [&](const Changes& c) { return consistent(c, nullptr); }, limits_);
  if (found.found) return {decision_basis(profile_, *found.found), *found.found};
  Resolution out;
  if (found.refused) {
    std::string conflict;
    consistent(*found.refused, &conflict);
    std::string reading;
    for (const auto& d : decision_basis(profile_, *found.refused).decisions) {
      reading += (reading.empty() ? "" : ", ") + d.ambiguity + "=" + d.reading;
    }
    out.basis.conflict = "only the reading " + reading + " allows it, and " + conflict;
  }
  return out;
}

}  // namespace otaconf::readings
