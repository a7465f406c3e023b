// Readings of the document: a profile with some of its decisions changed.
//
// A verdict that a profile's expectation was missed is only as strong as
// the document behind it. When the implementation's behaviour would have
// been right under another interpretation of one or more ambiguity entries,
// the miss rests on the profile's decisions, not on the document (the basis
// of the verdict, docs/results.md). This module finds such readings:
//
//   - search(): the fewest decision changes under which a case holds,
//     trying only the ambiguities its judgement consulted (When::holds is
//     traced, spec::DecisionTrace) and toggling one condition at a time;
//   - Ledger: every case of a run, so that a reading found for one case is
//     admitted only when every case that held under the profile still holds
//     under it. An implementation follows one reading of each ambiguity: a
//     server that compares signals with the threshold (errno 10) but never
//     powers is wrong under every reading, although each answer alone is
//     right under some.
//
// Judgements are callbacks `Allowed(profile)`: "what the implementation did
// in this case is right under this reading", written by the side that knows
// the case (the server oracle, the response judge).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "otaconf/results.h"
#include "otaconf/spec.h"

namespace otaconf::readings {

// Ambiguity id -> the interpretation the reading decides instead.
using Changes = std::map<std::string, std::string>;

// `profile` with its decisions changed (same id: it stands for the profile).
spec::Profile apply(const spec::Profile& profile, const Changes& changes);

// The basis of a verdict whose case holds only under `changes`.
results::Basis decision_basis(const spec::Profile& profile, const Changes& changes);

using Allowed = std::function<bool(const spec::Profile&)>;

struct Limits {
  int depth = 3;     // conditions toggled at most (each may change several ambiguities)
  int budget = 400;  // readings evaluated at most per search
};

struct SearchResult {
  std::optional<Changes> found;    // the first admissible reading under which the case holds
  std::optional<Changes> refused;  // a reading under which it holds that `admissible` refused
  bool exhausted = false;          // the budget ran out before the search space did
};

// Breadth first over readings of `profile`, fewest toggles first; a toggle
// flips one condition (spec::When) that the case consulted under the
// reading being extended.
SearchResult search(const spec::Spec& spec, const spec::Profile& profile, const Allowed& allowed,
                    const std::function<bool(const Changes&)>& admissible = {}, Limits limits = {});

// A case that missed the profile's expectation, graded when the run is over:
// its basis depends on every other case of the run.
struct Miss {
  std::string check, title, clause, message;
  results::Evidence evidence;
  Allowed allowed;                                       // the case, judged under a reading
  std::function<bool(const spec::Profile&)> reads_more;  // under that reading, only more was read (servers)
};

// Every judged case of one run (thread-safe to fill; resolve after).
class Ledger {
 public:
  Ledger(const spec::Spec& spec, const spec::Profile& profile, Limits limits = {});

  // Judges a case under the profile. True: it holds, and is kept as a held
  // case. False: it does not; `decision_free` says whether its judgement
  // consulted no decision at all (then no reading can change it: grade it as
  // a document miss at once; otherwise hand it to miss()).
  bool judge(const std::string& description, const Allowed& allowed, bool& decision_free);

  // A miss to grade once every case is in.
  void miss(Miss miss);

  // Grades every miss (resolve) and records it: the verdict its basis and the
  // clause's level call for, the basis in the message, each decision it
  // rests on as an observation of the register. The same clause and message
  // resolve once.
  void grade_misses(bool enforce_decisions, results::Recorder& recorder);

  // A case that held under the profile; `consulted`: the ambiguities its
  // judgement read (spec::DecisionTrace); `description`: for conflicts.
  void held(std::string description, Allowed allowed, std::set<std::string> consulted);

  // A further test a reading must pass before it may explain a case (the
  // server side sends requests that are right under it: a reading under
  // which every request of the run was wrong would explain any refusal).
  // Returns "" when the reading is confirmed, else what refuted it.
  using Confirm = std::function<std::string(const Changes&)>;
  void set_confirm(Confirm confirm) { confirm_ = std::move(confirm); }

  struct Resolution {
    results::Basis basis;
    Changes changes;  // decision basis: the reading under which the case holds
  };
  // The basis of a case that did not hold under the profile: decision when
  // some reading allows it and keeps every held case holding; otherwise
  // document (naming the conflicting case when only inconsistent readings
  // allow it).
  Resolution resolve(const Allowed& allowed);

  std::size_t size() const;
  const spec::Profile& profile() const { return profile_; }

 private:
  struct Held {
    std::string description;
    Allowed allowed;
    std::set<std::string> consulted;
  };
  // Whether every held case touching a changed ambiguity holds under the
  // reading; `conflict` names the first that does not. Cached per reading.
  bool consistent(const Changes& changes, std::string* conflict);

  const spec::Spec& spec_;
  const spec::Profile& profile_;
  Limits limits_;
  mutable std::mutex mutex_;
  std::vector<Held> held_;
  std::map<Changes, std::string> verdicts_;  // reading -> "" (consistent) or the conflicting case
  Confirm confirm_;
  std::vector<Miss> misses_;
};

}  // namespace otaconf::readings
