#include "params.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <variant>
#include <vector>

#include "otaconf/crypto.h"

namespace otaconf::refserver {

using nlohmann::json;

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// A value as received: text from the query string, JSON from a body.
using RawValue = std::variant<std::string, json>;

// A value sent twice (both encodings, or repeated) counts once when it reads
// the same; a query's text and a JSON body's value compare as query text.
std::string as_query_text(const RawValue& v) {
  if (std::holds_alternative<std::string>(v)) return std::get<std::string>(v);
  const auto& j = std::get<json>(v);
  return j.is_string() ? j.get<std::string>() : j.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool same_value(const RawValue& a, const RawValue& b) {
  if (a.index() != b.index()) return as_query_text(a) == as_query_text(b);
  if (std::holds_alternative<std::string>(a)) return std::get<std::string>(a) == std::get<std::string>(b);
  return std::get<json>(a) == std::get<json>(b);
}

std::optional<std::int64_t> parse_decimal(const std::string& text) {
  static const std::regex decimal("^-?[0-9]{1,19}$");
  if (!std::regex_match(text, decimal)) return std::nullopt;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct Collected {
  std::map<std::string, RawValue> values;  // canonical name -> value
  std::string problem;
  bool invalid_utf8 = false;
};

}  // namespace

ProfileRules rules_for(const std::string& profile) {
  ProfileRules r;
  r.name = profile;
  if (profile == "strict") return r;
  if (profile == "lenient") {
    r.json_body = true;
    r.case_insensitive_names = true;
    r.cdn_optional = true;
    r.raw_token_values = true;
    r.version_printable = true;
    r.signals_any_int32 = true;
    r.dev_id_integer = true;
    r.range_all_forms = true;
    r.dev_id_any_string = true;
    r.integral_numbers = true;
    r.expiry_leeway = 300;
    return r;
  }
  if (profile == "as-documented") {
    r.json_body = true;
    r.content_type_required = true;
    r.threshold_strictly_greater = true;
    r.version_printable = true;
    r.signals_any_int32 = true;
    r.dev_id_integer = true;
    r.dev_id_any_string = true;
    return r;
  }
  throw std::invalid_argument("unknown profile '" + profile + "' (strict, lenient or as-documented)");
}

std::string header_value(const WireRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key.size() == name.size() && lower(key) == lower(std::string(name))) return value;
  }
  return {};
}

std::size_t header_count(const WireRequest& request, std::string_view name) {
  std::size_t count = 0;
  for (const auto& [key, value] : request.headers) {
    if (key.size() == name.size() && lower(key) == lower(std::string(name))) ++count;
  }
  return count;
}

std::pair<std::string, std::string> split_target(const std::string& target) {
  const auto mark = target.find('?');
  if (mark == std::string::npos) return {target, {}};
  return {target.substr(0, mark), target.substr(mark + 1)};
}

ParamReader::ParamReader(const spec::Endpoint& check, const spec::Profile& profile, ProfileRules rules, Fault fault)
    : rules_(std::move(rules)), fault_(fault) {
  for (const auto& field : check.request_fields) {
    auto spellings = field.spellings_under(profile);
    if (fault_ == Fault::ReadsEverySpelling) {  // every documented spelling, whatever the profile decided
      spellings.push_back(field.name);
      for (const auto& alias : field.aliases) spellings.push_back(alias.spelling);
    }
    for (const auto& spelling : spellings) {
      if (fault_ == Fault::OnlyPows && field.name == "powers" && spelling == "powers") continue;
      const bool fold = rules_.case_insensitive_names && fault_ != Fault::CaseSensitiveNames;
      spellings_.emplace(fold ? lower(spelling) : spelling, field.name);
    }
  }
}

std::optional<std::string> ParamReader::canonical_name(const std::string& spelling) const {
  const bool fold = rules_.case_insensitive_names && fault_ != Fault::CaseSensitiveNames;
  auto found = spellings_.find(fold ? lower(spelling) : spelling);
  if (found == spellings_.end()) return std::nullopt;
  return found->second;
}

namespace {

void add_value(Collected& collected, const std::string& name, RawValue value) {
  auto [it, inserted] = collected.values.emplace(name, value);
  if (!inserted && !same_value(it->second, value) && collected.problem.empty()) {
    collected.problem = "parameter " + name + " is given twice with different values";
  }
}

// Reads a query string into canonical names; unknown names are ignored.
template <typename Resolve>
void collect_query(const std::string& query, Resolve resolve, Collected& out) {
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const auto pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    const auto key = crypto::url_decode(pair.substr(0, equals), true);
    const auto value = crypto::url_decode(equals == std::string::npos ? "" : pair.substr(equals + 1), true);
    if (!key || !value) {
      if (out.problem.empty()) out.problem = "malformed percent-encoding in the query string";
      continue;
    }
    if (!crypto::is_valid_utf8(*key) || !crypto::is_valid_utf8(*value)) {
      out.invalid_utf8 = true;
      if (out.problem.empty()) out.problem = "a query parameter is not valid UTF-8";
      continue;
    }
    if (auto name = resolve(*key)) add_value(out, *name, *value);
  }
}

template <typename Resolve>
void collect_body(const std::string& body, Resolve resolve, Collected& out) {
  if (body.find('\0') != std::string::npos) {  // nlohmann would stop reading there
    if (out.problem.empty()) out.problem = "the request body holds a NUL byte";
    return;
  }
  json document;
  try {
    document = json::parse(body);
  } catch (const json::exception&) {  // parse_error; out_of_range for 1e999
    if (out.problem.empty()) out.problem = "the request body is not JSON";
    return;
  }
  if (!document.is_object()) {
    if (out.problem.empty()) out.problem = "the request body is not a JSON object";
    return;
  }
  for (const auto& [key, value] : document.items()) {
    if (auto name = resolve(key)) add_value(out, *name, value);
  }
}

bool only_whitespace(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); });
}

}  // namespace

CheckParams ParamReader::read(const WireRequest& request) const {
  CheckParams params;
  Collected collected;
  auto resolve = [this](const std::string& spelling) { return canonical_name(spelling); };
  collect_query(split_target(request.target).second, resolve, collected);
  if (rules_.json_body && fault_ != Fault::IgnoreJsonBody && !only_whitespace(request.body)) {
    collect_body(request.body, resolve, collected);
  }
  params.invalid_utf8 = collected.invalid_utf8;
  auto fail = [&](std::string problem) {
    if (params.problem.empty()) params.problem = std::move(problem);
  };
  if (!collected.problem.empty()) fail(collected.problem);
  if (rules_.content_type_required) {
    auto type = lower(header_value(request, "Content-Type"));
    type = type.substr(0, type.find(';'));
    type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
    if (type != "application/json") fail("the Content-Type header must be application/json");
  }

  const auto* values = &collected.values;
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto found = values->find(name);
    if (found == values->end()) return std::nullopt;
    if (const auto* s = std::get_if<std::string>(&found->second)) return *s;
    const auto& j = std::get<json>(found->second);
    if (j.is_string()) return j.get<std::string>();
    const bool number_ok = std::string(name) == "dev_id" && rules_.dev_id_integer &&
                           fault_ != Fault::DevIdNumberRejected && j.is_number_integer();
    if (number_ok) return j.dump();
    fail(std::string(name) + " must be a string");
    return std::nullopt;
  };
  auto integer = [&](const char* name) -> std::optional<std::int64_t> {
    auto found = values->find(name);
    if (found == values->end()) return std::nullopt;
    if (const auto* s = std::get_if<std::string>(&found->second)) {
      auto parsed = parse_decimal(*s);
      if (!parsed) fail(std::string(name) + " must be an integer");
      return parsed;
    }
    const auto& j = std::get<json>(found->second);
    if (j.is_number_integer()) {
      if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        fail(std::string(name) + " is out of range");
        return std::nullopt;
      }
      return j.get<std::int64_t>();
    }
    // 1.0 is the integer 1 where the profile reads JSON numbers by value (exact up to 2^53).
    if (rules_.integral_numbers && j.is_number_float()) {
      const double d = j.get<double>();
      if (std::fabs(d) <= 9007199254740992.0 && std::floor(d) == d) return static_cast<std::int64_t>(d);
    }
    fail(std::string(name) + " must be an integer");
    return std::nullopt;
  };
  auto boolean = [&](const char* name) -> std::optional<bool> {
    auto found = values->find(name);
    if (found == values->end()) return std::nullopt;
    if (const auto* s = std::get_if<std::string>(&found->second)) {
      if (fault_ == Fault::CdnAnyStringTrue && !s->empty()) return true;  // `if (cdn)` on the text
      if (*s == "true") return true;
      if (*s == "false") return false;
    } else if (std::get<json>(found->second).is_boolean()) {
      return std::get<json>(found->second).get<bool>();
    }
    fail(std::string(name) + " must be true or false");
    return std::nullopt;
  };

  params.dev_id = text("dev_id");
  params.manuf = text("manuf");
  params.model = text("model");
  params.version = text("version");
  params.type = integer("type");
  params.signals = integer("signals");
  params.powers = integer("powers");
  const auto cdn = boolean("cdn");

  for (const auto& [name, present] : {std::pair{"dev_id", params.dev_id.has_value()},
                                      {"manuf", params.manuf.has_value()},
                                      {"model", params.model.has_value()},
                                      {"type", params.type.has_value()},
                                      {"version", params.version.has_value()}}) {
    if (!present && !values->count(name)) fail(std::string("the required parameter ") + name + " is missing");
  }
  if (!cdn && !values->count("cdn") && !rules_.cdn_optional) fail("the required parameter cdn is missing");
  params.cdn = cdn.value_or(false);

  static const std::regex digits("^[0-9]{1,20}$");
  static const std::regex version_v2("^[A-Za-z0-9_.-]{1,20}$");
  static const std::regex version_printable("^[\\x21-\\x7e]{1,64}$");
  if (params.dev_id && !rules_.dev_id_any_string && !std::regex_match(*params.dev_id, digits)) {
    fail("dev_id must be 1-20 decimal digits");
  }
  if (params.dev_id && params.dev_id->empty()) fail("dev_id is empty");
  for (const auto* value : {&params.manuf, &params.model}) {
    if (*value && ((*value)->empty() || (*value)->size() > 64)) fail("manuf and model must be 1-64 bytes");
  }
  if (params.version && !std::regex_match(*params.version, rules_.version_printable ? version_printable : version_v2)) {
    fail("version has characters or a length the profile does not allow");
  }
  if (params.type && fault_ != Fault::TypeNotValidated && *params.type != 1 && *params.type != 2) {
    fail("type must be 1 (FOTA) or 2 (SOTA)");
  }
  if (params.type && fault_ == Fault::TypeNotValidated && *params.type != 2) params.type = 1;
  if (params.signals) {
    const auto s = *params.signals;
    const bool ok = rules_.signals_any_int32 ? (s >= INT32_MIN && s <= INT32_MAX) : ((s >= 0 && s <= 31) || s == 99);
    if (!ok) fail("signals is out of range");
  }
  if (params.powers && (*params.powers < 0 || *params.powers > 100)) fail("powers must be a percentage 0-100");
  return params;
}

}  // namespace otaconf::refserver
