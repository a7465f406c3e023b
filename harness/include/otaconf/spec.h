// The typed model of an otaconf spec (spec/README.md describes the format).
//
// Only harness/src/spec_loader.cc builds these objects from JSON; every other
// part of otaconf reads a spec through this model. The model is plain data:
// evaluating trigger expressions against a fixture is the oracle's job.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace otaconf::spec {

enum class Level { Must, Should, May };
enum class Side { Server, Client, Both };
enum class ValueType { String, Integer, Number, Boolean, Object, Array };

std::string to_string(Level level);
std::string to_string(Side side);
std::string to_string(ValueType type);

struct Quote {
  std::string source;  // a Source id
  std::string text;    // verbatim (whitespace-insensitive) excerpt of that source
};

struct Source {
  std::string id;
  bool normative = false;  // role "normative" (the authority) or "background"
  std::string path;        // relative to the spec file
  std::string description;
};

struct Action {
  std::string id;
  std::string description;
};

// A profile's decision for each ambiguity: ambiguity id -> interpretation id.
struct Profile {
  std::string id;
  std::string description;
  std::map<std::string, std::string> decisions;
  std::string pointer;
};

// Holds when, for every ambiguity named, the profile decided one of the listed
// interpretations. An empty When always holds. Every evaluation is reported
// to the thread's DecisionTrace, if one is open (otaconf/readings.h).
struct When {
  std::map<std::string, std::vector<std::string>> decided;
  std::string pointer;

  bool empty() const { return decided.empty(); }
  bool holds(const Profile& profile) const;
};

// A trigger or value expression (spec/README.md, "Expressions").
struct Expr {
  enum class Op {
    Literal,
    Ref,
    All,
    Any,
    Not,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Present,
    Absent,
    Bound,
    Unbound,
    Decided,
    External,
    Otherwise,
    If,
  };
  Op op = Op::Literal;
  nlohmann::json literal;  // Literal
  std::string name;        // Ref path without '$'; Bound/Unbound binding; External
  When decided;            // Decided
  std::vector<Expr> args;  // operands or children; If: condition, then, else
  std::string pointer;     // JSON pointer of this expression in the spec file

  // Visits this expression and every sub-expression, depth first.
  template <typename Visitor>
  void visit(Visitor&& visitor) const {
    visitor(*this);
    for (const auto& arg : args) arg.visit(visitor);
  }
};
std::string to_string(Expr::Op op);

struct EnumValue {
  nlohmann::json value;
  std::string name;
};

struct Domain {
  ValueType kind = ValueType::String;
  std::optional<std::int64_t> min, max;
  std::vector<std::pair<std::int64_t, std::int64_t>> excluded_ranges;
  std::vector<EnumValue> enum_values;
  std::optional<std::size_t> min_length, max_length;  // bytes
  std::optional<std::string> pattern;                 // ECMAScript regex
};

struct ConditionalDomain {
  When when;
  Domain domain;
};

struct Alias {
  std::string spelling;
  std::string origin;  // "<source>" or "<source>:<place>"
  When accepted_when;
};

struct TypeVariant {
  ValueType type;
  std::string origin;
  When accepted_when;
};

struct Field {
  std::string name;  // canonical wire name
  std::string role;  // envelope fields: code, message, data
  std::string description;
  ValueType type = ValueType::String;
  bool required = false;
  When optional_when;       // required fields become optional under these decisions
  When name_accepted_when;  // empty: the canonical name is always accepted
  std::optional<nlohmann::json> default_value;
  std::vector<Alias> aliases;
  std::vector<TypeVariant> type_variants;
  Domain domain;
  std::vector<ConditionalDomain> domain_when;  // first match overrides `domain`
  std::optional<Expr> value;                   // response fields: from the fixture
  bool generated = false;                      // response fields the server invents
  std::vector<nlohmann::json> examples;
  std::vector<std::string> clauses;
  // Values are compared without regard to letter case (the md5 digest's hex).
  bool case_insensitive = false;
  std::string pointer;

  bool required_under(const Profile& profile) const;
  bool name_accepted_under(const Profile& profile) const;
  const Domain& domain_under(const Profile& profile) const;
  // The spellings a profile accepts, canonical name first when accepted.
  std::vector<std::string> spellings_under(const Profile& profile) const;
  // The JSON types a profile accepts in a typed encoding.
  std::vector<ValueType> types_under(const Profile& profile) const;
};

struct Encoding {
  std::string id;  // query, json-body
  bool canonical = false;
  bool typed = false;  // values keep JSON types (json-body) or are text (query)
  std::string origin;
  std::string description;
  When accepted_when;
};

struct Header {
  std::string name;
  bool required = false;
  std::optional<std::string> value;
  std::string format;  // "authorization" or empty
  std::string origin;
  When optional_when;
  std::vector<std::string> clauses;
};

// Another answer a profile's reading allows instead of an error code's
// envelope, while `condition` (if any) holds: an HTTP status without an
// envelope (401 for a refused token), or any answer that is not a success.
struct Alternative {
  When when;
  std::optional<Expr> condition;
  std::optional<int> status;
  bool any_rejection = false;
  std::string pointer;
};

struct ErrorCode {
  std::int64_t code = 0;
  std::string name;
  std::string meaning;
  std::string origin;  // a Source id
  Quote quote;
  Expr trigger;
  std::string action;  // an Action id
  bool action_inferred = false;
  std::vector<Alternative> alternatives;
  std::vector<std::string> clauses;
  std::string pointer;
};

struct StatusRule {
  When when;
  int status = 200;
};

struct Response {
  std::string media_type;
  std::int64_t success_code = 0;
  std::string success_message;
  std::vector<StatusRule> status_when;
  // The media type is required only under these decisions (empty: always).
  When media_type_required_when;
  // What RFC 8259 leaves to the parser, tolerated by a client only under
  // these decisions (empty: never): a byte order mark skipped, a repeated
  // member name (which occurrence counts is the parser's choice), bytes that
  // are not UTF-8 in the text (passed through or refused).
  When bom_skipped_when;
  When duplicate_names_when;
  When invalid_utf8_when;
  // An errno the code table does not list is accepted (without a download)
  // under these decisions, and rejected otherwise.
  When unknown_codes_when;
  std::vector<Field> envelope;
  std::vector<Field> data_fields;
  std::vector<std::string> clauses;

  // The envelope field with a role (code, message, data), or nullptr.
  const Field* envelope_role(std::string_view role) const;
};

struct RangeForm {
  std::string syntax;
  When accepted_when;
};

struct RangeRules {
  std::string header;
  int partial_status = 206;
  int full_status = 200;
  std::string malformed;
  std::string out_of_range;
  When partial_required_when;  // a satisfiable range must be answered partially (else 200 whole is fine too)
  std::vector<RangeForm> forms;
};

struct DownloadAddress {
  std::string templ;
  int default_port = 80;
  std::map<std::string, std::string> from;
};

struct Endpoint {
  std::string id;
  std::string role;  // check, download, report, other
  std::string method;
  std::string path;
  std::string origin;
  std::vector<std::string> clauses;
  When names_case_insensitive_when;  // parameter names match in any letter case
  // An integer field also takes a JSON number with a fraction or exponent
  // whose value is an integer (0.0, 1e2), in request bodies and responses.
  When integral_numbers_when;
  std::vector<Encoding> encodings;
  std::vector<Header> headers;
  std::vector<Field> request_fields;
  std::optional<Response> response;
  std::vector<ErrorCode> error_codes;
  std::vector<std::int64_t> precedence;
  std::optional<DownloadAddress> address;
  std::optional<RangeRules> range;
  std::string pointer;

  const Field* request_field(std::string_view name) const;
  const ErrorCode* error_code(std::int64_t code) const;
};

struct AuthParam {
  std::string name;
  std::string kind;  // enum, resource, unix-seconds, base64
  std::vector<std::string> values;
};

struct AuthTestVector {
  std::string key, res, version, method, sign, header;
  std::int64_t et = 0;
};

struct Authorization {
  std::string scheme;
  std::string origin;
  std::string header;
  std::vector<AuthParam> params;
  std::vector<std::string> string_to_sign;
  std::string separator;
  std::string key_encoding, sign_encoding, value_encoding;
  When raw_values_when;
  // A token stays acceptable this long past et where the condition holds.
  std::int64_t expiry_leeway_seconds = 0;
  When expiry_leeway_when;
  std::vector<AuthTestVector> test_vectors;
  std::vector<std::string> clauses;
};

struct Fact {
  std::string name;  // e.g. check.auth
  std::vector<std::string> values;
  std::string description;
  // value -> the clause a server breaks when it answers such a request with
  // success (check.auth expired -> AUTH.TOKEN.EXPIRY).
  std::map<std::string, std::string> clauses;
};

struct Binding {
  std::string name;        // e.g. task
  std::string collection;  // the fixture collection it is chosen from
  Expr where;
  std::string description;
};

struct EvaluationModel {
  std::string description;
  std::vector<Fact> facts;
  std::vector<Binding> bindings;
};

struct Clause {
  std::string id;
  Level level = Level::Must;
  Side side = Side::Both;
  std::string statement;
  std::vector<Quote> quotes;
  std::vector<std::string> ambiguities;
  std::string pointer;
};

struct Interpretation {
  std::string id;
  std::string description;
};

struct Ambiguity {
  std::string id;
  std::string title;
  std::vector<Quote> quotes;
  std::vector<Interpretation> interpretations;
  std::string note;
  std::string pointer;

  bool has_interpretation(std::string_view id) const;
};

// While alive, records every ambiguity a When on this thread consults (all
// the ambiguities it names, not only those it reads before deciding), so the
// judgement of a case can tell which decisions it rests on. Nests: an inner
// trace also feeds the outer one.
class DecisionTrace {
 public:
  DecisionTrace();
  ~DecisionTrace();
  DecisionTrace(const DecisionTrace&) = delete;
  DecisionTrace& operator=(const DecisionTrace&) = delete;
  const std::set<std::string>& consulted() const { return consulted_; }
  // The conditions evaluated, each once, in the order first met.
  const std::vector<const When*>& whens() const { return whens_; }
  static void note(const When& when);

 private:
  std::set<std::string> consulted_;
  std::vector<const When*> whens_;
  std::set<const When*> seen_;
  DecisionTrace* outer_;
};

struct Spec {
  std::filesystem::path file;  // where it was loaded from (may be a label)
  std::string format;
  std::string id;
  std::string title;
  std::vector<Source> sources;
  std::vector<Action> actions;
  std::string default_profile;
  std::vector<Profile> profiles;
  EvaluationModel model;
  std::optional<Authorization> authorization;
  std::vector<Endpoint> endpoints;
  std::vector<Clause> clauses;
  std::vector<Ambiguity> ambiguities;

  const Clause* clause(std::string_view id) const;
  const Ambiguity* ambiguity(std::string_view id) const;
  const Profile* profile(std::string_view id) const;
  const Source* source(std::string_view id) const;
  const Action* action(std::string_view id) const;
  const Endpoint* endpoint_by_role(std::string_view role) const;
  const Endpoint* endpoint(std::string_view id) const;
  const Fact* fact(std::string_view name) const;
  const Binding* binding(std::string_view name) const;

  // Counts shown in the last line of `otaconf spec show`.
  std::size_t field_count() const;
  std::size_t error_code_count() const;
};

}  // namespace otaconf::spec
