// The one place where spec JSON is parsed (see docs/architecture.md).
//
// Four stages, each reporting Diagnostics with a JSON pointer:
//   1. parse the text and bound its nesting depth (deep input must not
//      exhaust the stack of the recursive stages below);
//   2. validate against spec/spec.schema.json (valijson);
//   3. read the validated JSON into the typed model;
//   4. check references between parts of the model (ids, clauses,
//      ambiguities, interpretations, codes, expression roots).
#include "otaconf/spec_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include <re2/re2.h>

#include "json_input.h"
#include "otaconf/paths.h"
#include "spec_schema_text.h"


namespace otaconf::spec {

using nlohmann::json;

std::string_view spec_schema_text() { return kSpecSchemaText; }

std::filesystem::path default_spec_path() {
  if (const char* env = std::getenv("OTACONF_SPEC"); env != nullptr && *env != '\0') {
    return env;
  }
  return paths::data_dir() / "spec" / "onenet-ota-v1.json";
}

namespace {

using detail::child;
using detail::Collector;

const detail::JsonSchema& spec_schema() {
  static const detail::JsonSchema schema(
      kSpecSchemaText,
      "matches none of the allowed forms (an expression is a $reference, a literal, or an object with one "
      "operator: see spec/README.md)");
  return schema;
}

// ---- stage 3: reading ------------------------------------------------------

const std::regex& ref_syntax() {
  static const std::regex syntax(R"(^\$[a-z_]+(\.[a-z_0-9]+)+$)");
  return syntax;
}

class Reader {
 public:
  explicit Reader(Collector& out) : out_(out) {}

  Spec read(const json& root) {
    Spec spec;
    spec.format = root.at("format").get<std::string>();
    spec.id = root.at("id").get<std::string>();
    spec.title = root.at("title").get<std::string>();
    each(root, "", "sources", [&](const json& j, const std::string&) { spec.sources.push_back(source(j)); });
    each(root, "", "actions", [&](const json& j, const std::string&) {
      spec.actions.push_back({j.at("id").get<std::string>(), j.at("description").get<std::string>()});
    });
    spec.default_profile = root.at("default_profile").get<std::string>();
    each(root, "", "profiles", [&](const json& j, const std::string& p) { spec.profiles.push_back(profile(j, p)); });
    spec.model = model(root.at("model"), "/model");
    if (root.contains("authorization")) spec.authorization = authorization(root.at("authorization"), "/authorization");
    each(root, "", "endpoints", [&](const json& j, const std::string& p) { spec.endpoints.push_back(endpoint(j, p)); });
    each(root, "", "clauses", [&](const json& j, const std::string& p) { spec.clauses.push_back(clause(j, p)); });
    each(root, "", "ambiguities",
         [&](const json& j, const std::string& p) { spec.ambiguities.push_back(ambiguity(j, p)); });
    return spec;
  }

 private:
  template <typename Fn>
  void each(const json& parent, const std::string& pointer, const char* key, Fn&& fn) {
    if (!parent.contains(key)) return;
    const auto& array = parent.at(key);
    const std::string base = child(pointer, key);
    for (std::size_t i = 0; i < array.size(); ++i) fn(array.at(i), child(base, i));
  }

  static std::vector<std::string> strings(const json& parent, const char* key) {
    if (!parent.contains(key)) return {};
    return parent.at(key).get<std::vector<std::string>>();
  }

  static std::string text(const json& parent, const char* key) {
    return parent.contains(key) ? parent.at(key).get<std::string>() : std::string();
  }

  static ValueType type_name(const std::string& name) {
    static const std::map<std::string, ValueType> names{{"string", ValueType::String}, {"integer", ValueType::Integer},
                                                        {"number", ValueType::Number}, {"boolean", ValueType::Boolean},
                                                        {"object", ValueType::Object}, {"array", ValueType::Array}};
    return names.at(name);
  }

  static Source source(const json& j) {
    return {j.at("id").get<std::string>(), j.at("role").get<std::string>() == "normative",
            j.at("path").get<std::string>(), text(j, "description")};
  }

  static Quote quote(const json& j) { return {j.at("source").get<std::string>(), j.at("text").get<std::string>()}; }

  std::vector<Quote> quotes(const json& parent) {
    std::vector<Quote> out;
    for (const auto& j : parent.at("quotes")) out.push_back(quote(j));
    return out;
  }

  static Profile profile(const json& j, const std::string& pointer) {
    return {j.at("id").get<std::string>(), j.at("description").get<std::string>(),
            j.at("decisions").get<std::map<std::string, std::string>>(), pointer};
  }

  static When when(const json& parent, const char* key, const std::string& pointer) {
    When out;
    out.pointer = child(pointer, key);
    if (parent.contains(key)) {
      out.decided = parent.at(key).get<std::map<std::string, std::vector<std::string>>>();
    }
    return out;
  }

  Expr expr(const json& j, const std::string& pointer) {
    Expr e;
    e.pointer = pointer;
    if (j.is_string()) {
      const auto& s = j.get_ref<const std::string&>();
      if (!s.empty() && s.front() == '$') {
        if (!std::regex_match(s, ref_syntax())) {
          out_.add(pointer, "malformed reference '" + s + "': expected $root.name[.name...]");
        }
        e.op = Expr::Op::Ref;
        e.name = s.substr(1);
        return e;
      }
    }
    if (!j.is_object()) {
      e.op = Expr::Op::Literal;
      e.literal = j;
      return e;
    }
    // The schema admits objects with exactly one operator (or if/then/else).
    const std::string key = j.begin().key();
    const json& value = j.begin().value();
    const std::string at = child(pointer, key);
    static const std::map<std::string, Expr::Op> binary{
        {"eq", Expr::Op::Eq}, {"ne", Expr::Op::Ne}, {"lt", Expr::Op::Lt}, {"le", Expr::Op::Le},
        {"gt", Expr::Op::Gt}, {"ge", Expr::Op::Ge}, {"in", Expr::Op::In}};
    if (key == "lit") {
      e.op = Expr::Op::Literal;
      e.literal = value;
    } else if (key == "all" || key == "any") {
      e.op = key == "all" ? Expr::Op::All : Expr::Op::Any;
      for (std::size_t i = 0; i < value.size(); ++i) e.args.push_back(expr(value.at(i), child(at, i)));
    } else if (key == "not") {
      e.op = Expr::Op::Not;
      e.args.push_back(expr(value, at));
    } else if (auto found = binary.find(key); found != binary.end()) {
      e.op = found->second;
      e.args.push_back(expr(value.at(0), child(at, 0)));
      e.args.push_back(expr(value.at(1), child(at, 1)));
    } else if (key == "present" || key == "absent") {
      e.op = key == "present" ? Expr::Op::Present : Expr::Op::Absent;
      e.args.push_back(expr(value, at));
    } else if (key == "bound" || key == "unbound") {
      e.op = key == "bound" ? Expr::Op::Bound : Expr::Op::Unbound;
      e.name = value.get<std::string>();
    } else if (key == "decided") {
      e.op = Expr::Op::Decided;
      e.decided = when(j, "decided", pointer);
    } else if (key == "external") {
      e.op = Expr::Op::External;
      e.name = value.get<std::string>();
    } else if (key == "otherwise") {
      e.op = Expr::Op::Otherwise;
    } else {  // the schema leaves only if/then/else
      e.op = Expr::Op::If;
      for (const char* part : {"if", "then", "else"}) e.args.push_back(expr(j.at(part), child(pointer, part)));
    }
    return e;
  }

  static Domain domain(const json& j) {
    Domain d;
    d.kind = type_name(j.at("kind").get<std::string>());
    if (j.contains("min")) d.min = j.at("min").get<std::int64_t>();
    if (j.contains("max")) d.max = j.at("max").get<std::int64_t>();
    if (j.contains("excluded_ranges")) {
      for (const auto& range : j.at("excluded_ranges")) {
        d.excluded_ranges.emplace_back(range.at(0).get<std::int64_t>(), range.at(1).get<std::int64_t>());
      }
    }
    if (j.contains("enum")) {
      for (const auto& value : j.at("enum")) d.enum_values.push_back({value.at("value"), text(value, "name")});
    }
    if (j.contains("min_length")) d.min_length = j.at("min_length").get<std::size_t>();
    if (j.contains("max_length")) d.max_length = j.at("max_length").get<std::size_t>();
    if (j.contains("pattern")) d.pattern = j.at("pattern").get<std::string>();
    return d;
  }

  Field field(const json& j, const std::string& pointer) {
    Field f;
    f.pointer = pointer;
    f.name = j.at("name").get<std::string>();
    f.role = text(j, "role");
    f.description = text(j, "description");
    f.type = type_name(j.at("type").get<std::string>());
    f.required = j.at("required").get<bool>();
    f.optional_when = when(j, "optional_when", pointer);
    f.name_accepted_when = when(j, "name_accepted_when", pointer);
    if (j.contains("default")) f.default_value = j.at("default");
    each(j, pointer, "aliases", [&](const json& a, const std::string& p) {
      f.aliases.push_back(
          {a.at("spelling").get<std::string>(), a.at("origin").get<std::string>(), when(a, "accepted_when", p)});
    });
    each(j, pointer, "type_variants", [&](const json& v, const std::string& p) {
      f.type_variants.push_back(
          {type_name(v.at("type").get<std::string>()), v.at("origin").get<std::string>(), when(v, "accepted_when", p)});
    });
    f.domain = domain(j.at("domain"));
    each(j, pointer, "domain_when", [&](const json& d, const std::string& p) {
      f.domain_when.push_back({when(d, "when", p), domain(d.at("domain"))});
    });
    if (j.contains("value")) f.value = expr(j.at("value"), child(pointer, "value"));
    f.generated = j.value("generated", false);
    if (j.contains("examples")) f.examples = j.at("examples").get<std::vector<json>>();
    f.clauses = strings(j, "clauses");
    f.case_insensitive = j.value("compare", std::string("exact")) == "case-insensitive";
    return f;
  }

  Response response(const json& j, const std::string& pointer) {
    Response r;
    r.media_type = j.at("media_type").get<std::string>();
    r.success_code = j.at("success_code").get<std::int64_t>();
    r.success_message = text(j, "success_message");
    each(j, pointer, "status_when", [&](const json& s, const std::string& p) {
      r.status_when.push_back({when(s, "when", p), s.at("status").get<int>()});
    });
    r.media_type_required_when = when(j, "media_type_required_when", pointer);
    r.bom_skipped_when = when(j, "bom_skipped_when", pointer);
    r.duplicate_names_when = when(j, "duplicate_names_when", pointer);
    r.invalid_utf8_when = when(j, "invalid_utf8_when", pointer);
    r.unknown_codes_when = when(j, "unknown_codes_when", pointer);
    each(j, pointer, "envelope", [&](const json& f, const std::string& p) { r.envelope.push_back(field(f, p)); });
    each(j, pointer, "data_fields", [&](const json& f, const std::string& p) { r.data_fields.push_back(field(f, p)); });
    r.clauses = strings(j, "clauses");
    return r;
  }

  ErrorCode error_code(const json& j, const std::string& pointer) {
    ErrorCode c;
    c.pointer = pointer;
    c.code = j.at("code").get<std::int64_t>();
    c.name = j.at("name").get<std::string>();
    c.meaning = j.at("meaning").get<std::string>();
    c.origin = j.at("origin").get<std::string>();
    c.quote = quote(j.at("quote"));
    c.trigger = expr(j.at("trigger"), child(pointer, "trigger"));
    c.action = j.at("action").get<std::string>();
    c.action_inferred = j.at("action_inferred").get<bool>();
    each(j, pointer, "alternatives", [&](const json& a, const std::string& p) {
      Alternative alternative;
      alternative.pointer = p;
      alternative.when = when(a, "when", p);
      if (a.contains("if")) alternative.condition = expr(a.at("if"), child(p, "if"));
      if (a.contains("status")) alternative.status = a.at("status").get<int>();
      alternative.any_rejection = a.value("any_rejection", false);
      c.alternatives.push_back(std::move(alternative));
    });
    c.clauses = strings(j, "clauses");
    return c;
  }

  Endpoint endpoint(const json& j, const std::string& pointer) {
    Endpoint e;
    e.pointer = pointer;
    e.id = j.at("id").get<std::string>();
    e.role = j.at("role").get<std::string>();
    e.method = j.at("method").get<std::string>();
    e.path = j.at("path").get<std::string>();
    e.origin = j.at("origin").get<std::string>();
    e.clauses = strings(j, "clauses");
    e.names_case_insensitive_when = when(j, "names_case_insensitive_when", pointer);
    e.integral_numbers_when = when(j, "integral_numbers_when", pointer);
    each(j, pointer, "encodings", [&](const json& x, const std::string& p) {
      e.encodings.push_back({x.at("id").get<std::string>(), x.at("canonical").get<bool>(), x.at("typed").get<bool>(),
                             x.at("origin").get<std::string>(), x.at("description").get<std::string>(),
                             when(x, "accepted_when", p)});
    });
    each(j, pointer, "headers", [&](const json& h, const std::string& p) {
      Header header;
      header.name = h.at("name").get<std::string>();
      header.required = h.at("required").get<bool>();
      if (h.contains("value")) header.value = h.at("value").get<std::string>();
      header.format = text(h, "format");
      header.origin = h.at("origin").get<std::string>();
      header.optional_when = when(h, "optional_when", p);
      header.clauses = strings(h, "clauses");
      e.headers.push_back(std::move(header));
    });
    each(j, pointer, "request_fields",
         [&](const json& f, const std::string& p) { e.request_fields.push_back(field(f, p)); });
    if (j.contains("response")) e.response = response(j.at("response"), child(pointer, "response"));
    each(j, pointer, "error_codes",
         [&](const json& c, const std::string& p) { e.error_codes.push_back(error_code(c, p)); });
    if (j.contains("precedence")) e.precedence = j.at("precedence").get<std::vector<std::int64_t>>();
    if (j.contains("address")) {
      const auto& a = j.at("address");
      DownloadAddress address;
      address.templ = a.at("template").get<std::string>();
      address.default_port = a.value("default_port", 80);
      if (a.contains("from")) address.from = a.at("from").get<std::map<std::string, std::string>>();
      e.address = address;
    }
    if (j.contains("range")) {
      const auto& r = j.at("range");
      RangeRules rules;
      rules.header = r.at("header").get<std::string>();
      rules.partial_status = r.at("partial_status").get<int>();
      rules.full_status = r.at("full_status").get<int>();
      rules.malformed = text(r, "malformed");
      rules.out_of_range = text(r, "out_of_range");
      rules.partial_required_when = when(r, "partial_required_when", child(pointer, "range"));
      each(r, child(pointer, "range"), "forms", [&](const json& f, const std::string& p) {
        rules.forms.push_back({f.at("syntax").get<std::string>(), when(f, "accepted_when", p)});
      });
      e.range = rules;
    }
    return e;
  }

  Authorization authorization(const json& j, const std::string& pointer) {
    Authorization a;
    a.scheme = j.at("scheme").get<std::string>();
    a.origin = j.at("origin").get<std::string>();
    a.header = j.at("header").get<std::string>();
    for (const auto& p : j.at("params")) {
      a.params.push_back({p.at("name").get<std::string>(), p.at("kind").get<std::string>(), strings(p, "values")});
    }
    a.string_to_sign = strings(j.at("string_to_sign"), "params");
    a.separator = j.at("string_to_sign").at("separator").get<std::string>();
    a.key_encoding = j.at("key_encoding").get<std::string>();
    a.sign_encoding = j.at("sign_encoding").get<std::string>();
    a.value_encoding = j.at("value_encoding").get<std::string>();
    a.raw_values_when = when(j, "raw_values_when", pointer);
    if (j.contains("expiry_leeway")) {
      a.expiry_leeway_seconds = j.at("expiry_leeway").at("seconds").get<std::int64_t>();
      a.expiry_leeway_when = when(j.at("expiry_leeway"), "when", child(pointer, "expiry_leeway"));
    }
    if (j.contains("test_vectors")) {
      for (const auto& v : j.at("test_vectors")) {
        a.test_vectors.push_back({v.at("key").get<std::string>(), v.at("res").get<std::string>(),
                                  v.at("version").get<std::string>(), v.at("method").get<std::string>(),
                                  v.at("sign").get<std::string>(), text(v, "header"), v.at("et").get<std::int64_t>()});
      }
    }
    a.clauses = strings(j, "clauses");
    return a;
  }

  EvaluationModel model(const json& j, const std::string& pointer) {
    EvaluationModel m;
    m.description = text(j, "description");
    for (const auto& f : j.at("facts")) {
      Fact fact{f.at("name").get<std::string>(), strings(f, "values"), text(f, "description"), {}};
      if (f.contains("clauses")) fact.clauses = f.at("clauses").get<std::map<std::string, std::string>>();
      m.facts.push_back(std::move(fact));
    }
    each(j, pointer, "bindings", [&](const json& b, const std::string& p) {
      m.bindings.push_back({b.at("name").get<std::string>(), b.at("collection").get<std::string>(),
                            expr(b.at("where"), child(p, "where")), text(b, "description")});
    });
    return m;
  }

  Clause clause(const json& j, const std::string& pointer) {
    Clause c;
    c.pointer = pointer;
    c.id = j.at("id").get<std::string>();
    const auto level = j.at("level").get<std::string>();
    c.level = level == "MUST" ? Level::Must : level == "SHOULD" ? Level::Should : Level::May;
    const auto side = j.at("side").get<std::string>();
    c.side = side == "server" ? Side::Server : side == "client" ? Side::Client : Side::Both;
    c.statement = j.at("statement").get<std::string>();
    c.quotes = quotes(j);
    c.ambiguities = strings(j, "ambiguities");
    return c;
  }

  Ambiguity ambiguity(const json& j, const std::string& pointer) {
    Ambiguity a;
    a.pointer = pointer;
    a.id = j.at("id").get<std::string>();
    a.title = j.at("title").get<std::string>();
    a.quotes = quotes(j);
    for (const auto& i : j.at("interpretations")) {
      a.interpretations.push_back({i.at("id").get<std::string>(), i.at("description").get<std::string>()});
    }
    a.note = text(j, "note");
    return a;
  }

  Collector& out_;
};

// ---- stage 4: references ---------------------------------------------------

class ReferenceChecker {
 public:
  ReferenceChecker(const Spec& spec, Collector& out) : spec_(spec), out_(out) {}

  void run() {
    unique_ids();
    if (!spec_.profile(spec_.default_profile)) {
      out_.add("/default_profile", "unknown profile '" + spec_.default_profile + "'");
    }
    for (const auto& profile : spec_.profiles) decisions(profile);
    for (std::size_t i = 0; i < spec_.clauses.size(); ++i) clause(spec_.clauses[i]);
    for (const auto& ambiguity : spec_.ambiguities) {
      for (std::size_t i = 0; i < ambiguity.quotes.size(); ++i) {
        quote_source(ambiguity.quotes[i], child(child(ambiguity.pointer, "quotes"), i));
      }
    }
    for (const auto& binding : spec_.model.bindings) expression(binding.where, nullptr, false);
    for (std::size_t i = 0; i < spec_.model.facts.size(); ++i) fact(spec_.model.facts[i], i);
    if (spec_.authorization) authorization(*spec_.authorization);
    for (const auto& endpoint : spec_.endpoints) this->endpoint(endpoint);
  }

 private:
  template <typename T, typename Key>
  void unique(const std::vector<T>& items, Key T::*member, const std::string& what, const std::string& base) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto key = to_key(items[i].*member);
      if (!seen.insert(key).second) out_.add(child(base, i), "duplicate " + what + " '" + key + "'");
    }
  }
  static std::string to_key(const std::string& s) { return s; }
  static std::string to_key(std::int64_t n) { return std::to_string(n); }

  void unique_ids() {
    unique(spec_.sources, &Source::id, "source id", "/sources");
    unique(spec_.actions, &Action::id, "action id", "/actions");
    unique(spec_.profiles, &Profile::id, "profile id", "/profiles");
    unique(spec_.clauses, &Clause::id, "clause id", "/clauses");
    unique(spec_.ambiguities, &Ambiguity::id, "ambiguity id", "/ambiguities");
    unique(spec_.endpoints, &Endpoint::id, "endpoint id", "/endpoints");
    unique(spec_.model.facts, &Fact::name, "fact", "/model/facts");
    unique(spec_.model.bindings, &Binding::name, "binding", "/model/bindings");
    for (std::size_t i = 0; i < spec_.ambiguities.size(); ++i) {
      unique(spec_.ambiguities[i].interpretations, &Interpretation::id, "interpretation",
             child(child("/ambiguities", i), "interpretations"));
    }
    for (const auto& endpoint : spec_.endpoints) {
      unique(endpoint.request_fields, &Field::name, "request field", child(endpoint.pointer, "request_fields"));
      unique(endpoint.error_codes, &ErrorCode::code, "error code", child(endpoint.pointer, "error_codes"));
      if (endpoint.response) {
        const auto base = child(endpoint.pointer, "response");
        unique(endpoint.response->envelope, &Field::name, "envelope field", child(base, "envelope"));
        unique(endpoint.response->data_fields, &Field::name, "data field", child(base, "data_fields"));
      }
    }
  }

  void decisions(const Profile& profile) {
    const auto base = child(profile.pointer, "decisions");
    for (const auto& [ambiguity_id, interpretation] : profile.decisions) {
      const auto* ambiguity = spec_.ambiguity(ambiguity_id);
      if (!ambiguity) {
        out_.add(child(base, ambiguity_id), "decision for unknown ambiguity '" + ambiguity_id + "'");
      } else if (!ambiguity->has_interpretation(interpretation)) {
        out_.add(child(base, ambiguity_id), "'" + interpretation + "' is not an interpretation of " + ambiguity_id);
      }
    }
    for (const auto& ambiguity : spec_.ambiguities) {
      if (!profile.decisions.count(ambiguity.id)) {
        out_.add(base, "profile '" + profile.id + "' does not decide " + ambiguity.id);
      }
    }
  }

  void fact(const Fact& fact, std::size_t index) {
    const auto pointer = child(child(child("/model/facts", index), "clauses"), "");
    for (const auto& [value, clause_id] : fact.clauses) {
      if (std::find(fact.values.begin(), fact.values.end(), value) == fact.values.end()) {
        out_.add(pointer + value, "'" + value + "' is not a value of " + fact.name);
      }
      if (!spec_.clause(clause_id)) out_.add(pointer + value, "unknown clause '" + clause_id + "'");
    }
  }

  void quote_source(const Quote& quote, const std::string& pointer) {
    if (!spec_.source(quote.source)) out_.add(child(pointer, "source"), "unknown source '" + quote.source + "'");
  }

  void clause(const Clause& clause) {
    for (std::size_t i = 0; i < clause.quotes.size(); ++i) {
      quote_source(clause.quotes[i], child(child(clause.pointer, "quotes"), i));
    }
    for (std::size_t i = 0; i < clause.ambiguities.size(); ++i) {
      if (!spec_.ambiguity(clause.ambiguities[i])) {
        out_.add(child(child(clause.pointer, "ambiguities"), i), "unknown ambiguity '" + clause.ambiguities[i] + "'");
      }
    }
  }

  void clause_refs(const std::vector<std::string>& ids, const std::string& pointer) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!spec_.clause(ids[i])) out_.add(child(child(pointer, "clauses"), i), "unknown clause '" + ids[i] + "'");
    }
  }

  void when(const When& condition) {
    for (const auto& [ambiguity_id, interpretations] : condition.decided) {
      const auto* ambiguity = spec_.ambiguity(ambiguity_id);
      const auto pointer = child(condition.pointer, ambiguity_id);
      if (!ambiguity) {
        out_.add(pointer, "unknown ambiguity '" + ambiguity_id + "'");
        continue;
      }
      for (const auto& interpretation : interpretations) {
        if (!ambiguity->has_interpretation(interpretation)) {
          out_.add(pointer, "'" + interpretation + "' is not an interpretation of " + ambiguity_id);
        }
      }
    }
  }

  void origin(const std::string& origin, const std::string& pointer) {
    const auto source_id = origin.substr(0, origin.find(':'));
    if (!spec_.source(source_id)) out_.add(pointer, "origin names unknown source '" + source_id + "'");
  }

  // Expression roots: $request.<field of the endpoint>, $check.<fact>, or
  // $<binding>.<anything the fixture defines>.
  void expression(const Expr& root, const Endpoint* endpoint, bool is_trigger) {
    root.visit([&](const Expr& e) {
      switch (e.op) {
        case Expr::Op::Ref: reference(e, endpoint); break;
        case Expr::Op::Bound:
        case Expr::Op::Unbound:
          if (!spec_.binding(e.name)) out_.add(e.pointer, "unknown binding '" + e.name + "'");
          break;
        case Expr::Op::Decided: when(e.decided); break;
        case Expr::Op::Otherwise:
          if (!is_trigger || &e != &root) out_.add(e.pointer, "'otherwise' may only be a whole trigger");
          break;
        case Expr::Op::Eq:
        case Expr::Op::Ne: fact_literal(e); break;
        case Expr::Op::Present:
        case Expr::Op::Absent:
          if (e.args.front().op != Expr::Op::Ref) out_.add(e.pointer, "expected a $reference");
          break;
        default: break;
      }
    });
  }

  void reference(const Expr& e, const Endpoint* endpoint) {
    const auto dot = e.name.find('.');
    const auto root = e.name.substr(0, dot);
    const auto rest = e.name.substr(dot + 1);
    if (root == "request") {
      if (endpoint && !endpoint->request_field(rest.substr(0, rest.find('.')))) {
        out_.add(e.pointer, "'$" + e.name + "' names no request field of endpoint '" + endpoint->id + "'");
      }
    } else if (root == "check") {
      if (!spec_.fact(e.name)) out_.add(e.pointer, "'$" + e.name + "' names no fact of the model");
    } else if (!spec_.binding(root)) {
      out_.add(e.pointer, "'$" + e.name + "': unknown root '" + root + "' (request, check or a binding)");
    }
  }

  // {"eq": ["$check.auth", "ok"]}: the literal must be one of the fact's values.
  void fact_literal(const Expr& e) {
    const Expr* ref = nullptr;
    const Expr* literal = nullptr;
    for (const auto& arg : e.args) {
      if (arg.op == Expr::Op::Ref) ref = &arg;
      if (arg.op == Expr::Op::Literal) literal = &arg;
    }
    if (!ref || !literal) return;
    const auto* fact = spec_.fact(ref->name);
    if (!fact || !literal->literal.is_string()) return;
    const auto value = literal->literal.get<std::string>();
    if (std::find(fact->values.begin(), fact->values.end(), value) == fact->values.end()) {
      out_.add(literal->pointer, "'" + value + "' is not a value of " + fact->name);
    }
  }

  void field_list(const std::vector<Field>& fields, const Endpoint* endpoint) {
    std::map<std::string, std::string> spellings;  // spelling -> field
    for (const auto& f : fields) spellings.emplace(f.name, f.name);
    for (const auto& f : fields) field(f, endpoint, spellings);
  }

  void field(const Field& f, const Endpoint* endpoint, std::map<std::string, std::string>& spellings) {
    clause_refs(f.clauses, f.pointer);
    when(f.optional_when);
    when(f.name_accepted_when);
    for (std::size_t i = 0; i < f.aliases.size(); ++i) {
      const auto& alias = f.aliases[i];
      const auto pointer = child(child(f.pointer, "aliases"), i);
      origin(alias.origin, child(pointer, "origin"));
      when(alias.accepted_when);
      auto [it, inserted] = spellings.emplace(alias.spelling, f.name);
      if (!inserted && it->second != f.name) {
        out_.add(child(pointer, "spelling"),
                 "alias '" + alias.spelling + "' of '" + f.name + "' already names field '" + it->second + "'");
      } else if (alias.spelling == f.name) {
        out_.add(child(pointer, "spelling"), "alias '" + alias.spelling + "' repeats the field's own name");
      }
    }
    for (std::size_t i = 0; i < f.type_variants.size(); ++i) {
      origin(f.type_variants[i].origin, child(child(child(f.pointer, "type_variants"), i), "origin"));
      when(f.type_variants[i].accepted_when);
    }
    domain(f.domain, child(f.pointer, "domain"));
    for (std::size_t i = 0; i < f.domain_when.size(); ++i) {
      when(f.domain_when[i].when);
      domain(f.domain_when[i].domain, child(child(child(f.pointer, "domain_when"), i), "domain"));
    }
    if (f.value) expression(*f.value, endpoint, false);
  }

  void domain(const Domain& d, const std::string& pointer) {
    if (d.min && d.max && *d.min > *d.max) out_.add(pointer, "min is greater than max");
    if (d.min_length && d.max_length && *d.min_length > *d.max_length) {
      out_.add(pointer, "min_length is greater than max_length");
    }
    if (d.pattern) {
      // Matched with RE2 (interpret::matches_pattern): linear in the value, so no length bound is needed.
      const RE2 compiled(*d.pattern, RE2::Quiet);
      if (!compiled.ok()) {
        out_.add(child(pointer, "pattern"), "not a valid RE2 regular expression: " + compiled.error());
      }
    }
    for (const auto& value : d.enum_values) {
      bool fits = (d.kind == ValueType::Integer && value.value.is_number_integer()) ||
                  (d.kind == ValueType::String && value.value.is_string()) ||
                  (d.kind == ValueType::Boolean && value.value.is_boolean()) ||
                  (d.kind == ValueType::Number && value.value.is_number());
      if (!fits)
        out_.add(child(pointer, "enum"), "enum value " + value.value.dump() + " is not of kind " + to_string(d.kind));
    }
  }

  void authorization(const Authorization& a) {
    origin(a.origin, "/authorization/origin");
    clause_refs(a.clauses, "/authorization");
    when(a.raw_values_when);
    when(a.expiry_leeway_when);
    for (const auto& name : a.string_to_sign) {
      bool known = std::any_of(a.params.begin(), a.params.end(), [&](const AuthParam& p) { return p.name == name; });
      if (!known) out_.add("/authorization/string_to_sign", "'" + name + "' is not a parameter of the token");
    }
  }

  void endpoint(const Endpoint& e) {
    origin(e.origin, child(e.pointer, "origin"));
    clause_refs(e.clauses, e.pointer);
    when(e.names_case_insensitive_when);
    when(e.integral_numbers_when);
    for (std::size_t i = 0; i < e.encodings.size(); ++i) {
      origin(e.encodings[i].origin, child(child(child(e.pointer, "encodings"), i), "origin"));
      when(e.encodings[i].accepted_when);
    }
    for (std::size_t i = 0; i < e.headers.size(); ++i) {
      const auto pointer = child(child(e.pointer, "headers"), i);
      origin(e.headers[i].origin, child(pointer, "origin"));
      when(e.headers[i].optional_when);
      clause_refs(e.headers[i].clauses, pointer);
    }
    field_list(e.request_fields, &e);
    if (e.response) {
      const auto pointer = child(e.pointer, "response");
      clause_refs(e.response->clauses, pointer);
      for (const auto& rule : e.response->status_when) when(rule.when);
      for (const auto* condition :
           {&e.response->media_type_required_when, &e.response->bom_skipped_when, &e.response->duplicate_names_when,
            &e.response->invalid_utf8_when, &e.response->unknown_codes_when}) {
        when(*condition);
      }
      field_list(e.response->envelope, &e);
      field_list(e.response->data_fields, &e);
      for (const char* role : {"code", "message", "data"}) {
        if (!e.response->envelope_role(role))
          out_.add(child(pointer, "envelope"), std::string("no field has the role '") + role + "'");
      }
    }
    for (const auto& code : e.error_codes) error_code(code, e);
    for (std::size_t i = 0; i < e.precedence.size(); ++i) {
      if (!e.error_code(e.precedence[i])) {
        out_.add(
            child(child(e.pointer, "precedence"), i),
            "code " + std::to_string(e.precedence[i]) + " in the precedence is not an error code of '" + e.id + "'");
      }
    }
    if (!e.error_codes.empty() && e.response && !e.error_code(e.response->success_code)) {
      out_.add(child(e.pointer, "error_codes"),
               "the success code " + std::to_string(e.response->success_code) + " has no entry");
    }
    if (e.range) {
      for (const auto& form : e.range->forms) when(form.accepted_when);
      when(e.range->partial_required_when);
    }
  }

  void error_code(const ErrorCode& code, const Endpoint& e) {
    clause_refs(code.clauses, code.pointer);
    quote_source(code.quote, child(code.pointer, "quote"));
    if (!spec_.source(code.origin)) out_.add(child(code.pointer, "origin"), "unknown source '" + code.origin + "'");
    if (!spec_.action(code.action)) out_.add(child(code.pointer, "action"), "unknown action '" + code.action + "'");
    expression(code.trigger, &e, true);
    for (const auto& alternative : code.alternatives) {
      when(alternative.when);
      if (alternative.condition) expression(*alternative.condition, &e, false);
      if (!alternative.status && !alternative.any_rejection) {
        out_.add(alternative.pointer, "an alternative needs a status or any_rejection");
      }
    }
  }

  const Spec& spec_;
  Collector& out_;
};

LoadOutcome finish(Collector& out, std::optional<Spec> spec) {
  LoadOutcome outcome;
  outcome.errors = std::move(out.errors());
  if (outcome.errors.empty()) outcome.spec = std::move(spec);
  return outcome;
}

}  // namespace

LoadOutcome try_load_spec_text(std::string_view text, const std::string& label, const std::filesystem::path& base_dir) {
  Collector out(label);
  auto document = detail::parse_bounded(text, kMaxSpecDepth, out);
  if (!document || !spec_schema().validate(*document, out)) return finish(out, std::nullopt);

  Spec spec;
  try {
    Reader reader(out);
    spec = reader.read(*document);
  } catch (const json::exception& e) {
    // The schema and the reader disagree: a bug in otaconf, reported as data.
    out.add("", std::string("internal: the schema admitted a shape the reader cannot read: ") + e.what());
    return finish(out, std::nullopt);
  }
  spec.file = base_dir.empty() ? std::filesystem::path(label) : base_dir / std::filesystem::path(label).filename();
  ReferenceChecker(spec, out).run();
  return finish(out, std::move(spec));
}

LoadOutcome try_load_spec(const std::filesystem::path& file) {
  Collector out(file.string());
  const auto text = detail::read_file(file, out);
  if (!text) return finish(out, std::nullopt);
  auto outcome = try_load_spec_text(*text, file.string(), file.parent_path());
  if (outcome.spec) outcome.spec->file = file;
  return outcome;
}

namespace {
Spec take_or_throw(LoadOutcome outcome) {
  if (!outcome.errors.empty()) throw SpecError(outcome.errors.front());
  return std::move(*outcome.spec);
}
}  // namespace

Spec load_spec(const std::filesystem::path& file) { return take_or_throw(try_load_spec(file)); }

Spec load_spec_text(std::string_view text, const std::string& label, const std::filesystem::path& base_dir) {
  return take_or_throw(try_load_spec_text(text, label, base_dir));
}

}  // namespace otaconf::spec
