#include "otaconf/spec.h"

#include <algorithm>

namespace otaconf::spec {

std::string to_string(Level level) {
  switch (level) {
    case Level::Must: return "MUST";
    case Level::Should: return "SHOULD";
    case Level::May: return "MAY";
  }
  return "?";
}

std::string to_string(Side side) {
  switch (side) {
    case Side::Server: return "server";
    case Side::Client: return "client";
    case Side::Both: return "both";
  }
  return "?";
}

std::string to_string(ValueType type) {
  switch (type) {
    case ValueType::String: return "string";
    case ValueType::Integer: return "integer";
    case ValueType::Number: return "number";
    case ValueType::Boolean: return "boolean";
    case ValueType::Object: return "object";
    case ValueType::Array: return "array";
  }
  return "?";
}

std::string to_string(Expr::Op op) {
  using Op = Expr::Op;
  switch (op) {
    case Op::Literal: return "lit";
    case Op::Ref: return "ref";
    case Op::All: return "all";
    case Op::Any: return "any";
    case Op::Not: return "not";
    case Op::Eq: return "eq";
    case Op::Ne: return "ne";
    case Op::Lt: return "lt";
    case Op::Le: return "le";
    case Op::Gt: return "gt";
    case Op::Ge: return "ge";
    case Op::In: return "in";
    case Op::Present: return "present";
    case Op::Absent: return "absent";
    case Op::Bound: return "bound";
    case Op::Unbound: return "unbound";
    case Op::Decided: return "decided";
    case Op::External: return "external";
    case Op::Otherwise: return "otherwise";
    case Op::If: return "if";
  }
  return "?";
}

namespace {
thread_local DecisionTrace* open_trace = nullptr;
}  // namespace

DecisionTrace::DecisionTrace() : outer_(open_trace) { open_trace = this; }

DecisionTrace::~DecisionTrace() {
  open_trace = outer_;
  if (!outer_) return;
  outer_->consulted_.insert(consulted_.begin(), consulted_.end());
  for (const auto* when : whens_) {
    if (outer_->seen_.insert(when).second) outer_->whens_.push_back(when);
  }
}

void DecisionTrace::note(const When& when) {
  if (!open_trace || when.decided.empty()) return;
  for (const auto& entry : when.decided) open_trace->consulted_.insert(entry.first);
  if (open_trace->seen_.insert(&when).second) open_trace->whens_.push_back(&when);
}

bool When::holds(const Profile& profile) const {
  DecisionTrace::note(*this);
  for (const auto& [ambiguity, accepted] : decided) {
    auto decision = profile.decisions.find(ambiguity);
    if (decision == profile.decisions.end()) return false;
    if (std::find(accepted.begin(), accepted.end(), decision->second) == accepted.end()) {
      return false;
    }
  }
  return true;
}

bool Field::required_under(const Profile& profile) const {
  if (!required) return false;
  return optional_when.empty() || !optional_when.holds(profile);
}

bool Field::name_accepted_under(const Profile& profile) const {
  return name_accepted_when.empty() || name_accepted_when.holds(profile);
}

const Domain& Field::domain_under(const Profile& profile) const {
  for (const auto& conditional : domain_when) {
    if (conditional.when.holds(profile)) return conditional.domain;
  }
  return domain;
}

std::vector<std::string> Field::spellings_under(const Profile& profile) const {
  std::vector<std::string> spellings;
  if (name_accepted_under(profile)) spellings.push_back(name);
  for (const auto& alias : aliases) {
    if (alias.accepted_when.holds(profile) &&
        std::find(spellings.begin(), spellings.end(), alias.spelling) == spellings.end()) {
      spellings.push_back(alias.spelling);
    }
  }
  return spellings;
}

std::vector<ValueType> Field::types_under(const Profile& profile) const {
  std::vector<ValueType> types{type};
  for (const auto& variant : type_variants) {
    if (variant.accepted_when.holds(profile)) types.push_back(variant.type);
  }
  return types;
}

const Field* Response::envelope_role(std::string_view role) const {
  for (const auto& field : envelope) {
    if (field.role == role) return &field;
  }
  return nullptr;
}

const Field* Endpoint::request_field(std::string_view name) const {
  for (const auto& field : request_fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

const ErrorCode* Endpoint::error_code(std::int64_t code) const {
  for (const auto& entry : error_codes) {
    if (entry.code == code) return &entry;
  }
  return nullptr;
}

bool Ambiguity::has_interpretation(std::string_view wanted) const {
  return std::any_of(interpretations.begin(), interpretations.end(),
                     [&](const Interpretation& i) { return i.id == wanted; });
}

namespace {
template <typename T, typename Key>
const T* find_by(const std::vector<T>& items, Key T::*member, std::string_view wanted) {
  for (const auto& item : items) {
    if (item.*member == wanted) return &item;
  }
  return nullptr;
}
}  // namespace

const Clause* Spec::clause(std::string_view wanted) const { return find_by(clauses, &Clause::id, wanted); }
const Ambiguity* Spec::ambiguity(std::string_view wanted) const { return find_by(ambiguities, &Ambiguity::id, wanted); }
const Profile* Spec::profile(std::string_view wanted) const { return find_by(profiles, &Profile::id, wanted); }
const Source* Spec::source(std::string_view wanted) const { return find_by(sources, &Source::id, wanted); }
const Action* Spec::action(std::string_view wanted) const { return find_by(actions, &Action::id, wanted); }
const Endpoint* Spec::endpoint_by_role(std::string_view role) const {
  return find_by(endpoints, &Endpoint::role, role);
}
const Endpoint* Spec::endpoint(std::string_view wanted) const { return find_by(endpoints, &Endpoint::id, wanted); }
const Fact* Spec::fact(std::string_view name) const { return find_by(model.facts, &Fact::name, name); }
const Binding* Spec::binding(std::string_view name) const { return find_by(model.bindings, &Binding::name, name); }

std::size_t Spec::field_count() const {
  std::size_t count = 0;
  for (const auto& endpoint : endpoints) {
    count += endpoint.request_fields.size();
    if (endpoint.response) {
      count += endpoint.response->envelope.size() + endpoint.response->data_fields.size();
    }
  }
  return count;
}

std::size_t Spec::error_code_count() const {
  std::size_t count = 0;
  for (const auto& endpoint : endpoints) count += endpoint.error_codes.size();
  return count;
}

}  // namespace otaconf::spec
