#include "otaconf/interpret.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>

#include "otaconf/check_request.h"
#include "otaconf/crypto.h"

namespace otaconf::interpret {

using nlohmann::json;

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool accepted(const spec::Encoding& encoding, const spec::Profile& profile) {
  return encoding.accepted_when.empty() || encoding.accepted_when.holds(profile);
}

const spec::Encoding* encoding_named(const spec::Endpoint& endpoint, std::string_view id) {
  for (const auto& encoding : endpoint.encodings) {
    if (encoding.id == id) return &encoding;
  }
  return nullptr;
}

// A received parameter: its spelling, and its value as text (query) or JSON.
struct Received {
  std::string spelling;
  json value;
  bool typed = false;
};

// A parameter sent twice counts once when it reads the same: two typed
// (JSON body) values by value, otherwise both written as query text.
bool same_reading(const Received& a, const Received& b) {
  if (a.typed == b.typed) return a.value == b.value;
  return requests::as_text(a.value) == requests::as_text(b.value);
}

class Interpreter {
 public:
  Interpreter(const spec::Endpoint& endpoint, const spec::Profile& profile) : endpoint_(endpoint), profile_(profile) {
    fold_case_ = !endpoint.names_case_insensitive_when.empty() && endpoint.names_case_insensitive_when.holds(profile);
    integral_ = !endpoint.integral_numbers_when.empty() && endpoint.integral_numbers_when.holds(profile);
    for (const auto& field : endpoint.request_fields) {
      for (const auto& spelling : field.spellings_under(profile)) {
        spellings_.emplace(fold_case_ ? lower(spelling) : spelling, &field);
      }
    }
  }

  Interpretation run(const http::Request& request) {
    std::vector<Received> received;
    read_query(request, received);
    read_body(request, received);
    check_headers(request);
    std::map<const spec::Field*, Received> by_field;
    for (auto& r : received) {
      auto found = spellings_.find(fold_case_ ? lower(r.spelling) : r.spelling);
      if (found == spellings_.end()) continue;  // unknown parameters are ignored
      const auto* field = found->second;
      auto [it, inserted] = by_field.emplace(field, r);
      if (!inserted && !same_reading(it->second, r)) {
        problem(interpret::field_clause(*field, ".TYPE"), field->name,
                "parameter " + field->name + " is given twice with different values");
        conflicting_.push_back(field);
      }
    }
    for (const auto& field : endpoint_.request_fields) {
      auto found = by_field.find(&field);
      if (found == by_field.end()) {
        if (field.required_under(profile_)) {
          problem(field_clause(field, ".REQUIRED"), field.name, "the required parameter " + field.name + " is missing");
        } else if (field.default_value) {
          out_.values[field.name] = *field.default_value;
        }
        continue;
      }
      out_.spellings[field.name] = found->second.spelling;
      const bool conflicting = std::find(conflicting_.begin(), conflicting_.end(), &field) != conflicting_.end();
      if (auto value = typed_value(field, found->second); value && !conflicting) {
        out_.values[field.name] = *value;
      } else {
        out_.invalid_fields.push_back(field.name);
      }
    }
    return std::move(out_);
  }

 private:
  void problem(std::string clause, std::string field, std::string message) {
    out_.problems.push_back({std::move(clause), std::move(field), std::move(message)});
  }

  void read_query(const http::Request& request, std::vector<Received>& received) {
    const auto mark = request.target.find('?');
    if (mark == std::string::npos) return;
    const auto query = request.target.substr(mark + 1);
    const auto* encoding = encoding_named(endpoint_, "query");
    if (!encoding || !accepted(*encoding, profile_)) {
      if (!query.empty())
        problem("EP.CHECK.ENCODING", "", "the profile does not accept parameters in the query string");
      return;
    }
    bool used = false;
    for (const auto& [raw_key, raw_value] : http::split_query(query)) {
      const auto key = crypto::url_decode(raw_key, true);
      const auto value = crypto::url_decode(raw_value, true);
      if (!key || !value) {
        problem("EP.CHECK.ENCODING", "", "malformed percent-encoding in the query string");
        continue;
      }
      if (!crypto::is_valid_utf8(*key) || !crypto::is_valid_utf8(*value)) {
        problem("EP.CHECK.ENCODING", "", "a query parameter is not valid UTF-8");
        continue;
      }
      received.push_back({*key, json(*value), false});
      used = true;
    }
    if (used) out_.encodings.push_back("query");
  }

  void read_body(const http::Request& request, std::vector<Received>& received) {
    const bool blank =
        std::all_of(request.body.begin(), request.body.end(), [](unsigned char c) { return std::isspace(c); });
    if (blank) return;
    const auto* encoding = encoding_named(endpoint_, "json-body");
    if (!encoding || !accepted(*encoding, profile_)) return;  // a GET body carries no meaning then
    const auto document = request.body.find('\0') == std::string::npos ? json::parse(request.body, nullptr, false)
                                                                       : json(json::value_t::discarded);
    if (document.is_discarded() || !document.is_object()) {
      problem("EP.CHECK.ENCODING", "", "the request body is not a JSON object");
      return;
    }
    for (const auto& [key, value] : document.items()) received.push_back({key, value, true});
    out_.encodings.push_back("json-body");
  }

  void check_headers(const http::Request& request) {
    for (const auto& header : endpoint_.headers) {
      if (!header.value || !header.required) continue;
      if (!header.optional_when.empty() && header.optional_when.holds(profile_)) continue;
      auto value = lower(request.header(header.name));
      value = value.substr(0, value.find(';'));
      value.erase(std::remove(value.begin(), value.end(), ' '), value.end());
      if (value != lower(*header.value)) {
        problem(header.clauses.empty() ? "" : header.clauses.front(), "",
                "the header " + header.name + " must be " + *header.value);
      }
    }
  }

  std::optional<json> from_text(const spec::Field& field, const std::string& text) {
    switch (field.type) {
      case spec::ValueType::Integer: {
        std::int64_t number = 0;
        if (is_decimal(text, 19, true) &&
            std::from_chars(text.data(), text.data() + text.size(), number).ec == std::errc()) {
          return json(number);
        }
        return std::nullopt;
      }
      case spec::ValueType::Boolean:
        if (text == "true") return json(true);
        if (text == "false") return json(false);
        return std::nullopt;
      case spec::ValueType::String: return json(text);
      default: return std::nullopt;
    }
  }

  // The value in the field's canonical type, or nullopt with a problem.
  std::optional<json> typed_value(const spec::Field& field, const Received& received) {
    const auto type_clause = field_clause(field, ".TYPE");
    std::optional<json> value;
    if (!received.typed) {
      value = from_text(field, received.value.get<std::string>());
    } else {
      for (auto type : field.types_under(profile_)) {
        const auto typed = as_json_type(received.value, type, integral_);
        if (!typed) continue;
        value = type == field.type ? *typed : field.type == spec::ValueType::String ? json(typed->dump()) : *typed;
        break;
      }
    }
    if (!value) {
      problem(type_clause, field.name, field.name + " must be of type " + spec::to_string(field.type));
      return std::nullopt;
    }
    std::string why;
    if (!in_domain(field.domain_under(profile_), *value, &why)) {
      problem(type_clause, field.name, field.name + " " + why);
      return std::nullopt;
    }
    return value;
  }

  const spec::Endpoint& endpoint_;
  const spec::Profile& profile_;
  bool fold_case_ = false;
  bool integral_ = false;
  std::map<std::string, const spec::Field*> spellings_;
  std::vector<const spec::Field*> conflicting_;
  Interpretation out_;
};

}  // namespace

namespace {
// Domain patterns are few and checked on every value: each is compiled once
// per thread (RE2: linear time and no recursion, whatever the input; the
// cache is the thread's own, so no lock is taken per check).
const RE2& compiled(const std::string& pattern) {
  thread_local std::map<std::string, std::unique_ptr<RE2>> cache;
  auto found = cache.find(pattern);
  if (found == cache.end()) found = cache.emplace(pattern, std::make_unique<RE2>(pattern, RE2::Quiet)).first;
  return *found->second;
}
}  // namespace

bool is_decimal(std::string_view text, std::size_t max_digits, bool signed_allowed) {
  if (signed_allowed && !text.empty() && text.front() == '-') text.remove_prefix(1);
  return !text.empty() && text.size() <= max_digits &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool matches_pattern(const std::string& pattern, std::string_view text) {
  const auto& re = compiled(pattern);
  return re.ok() && RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re);
}

bool in_domain(const spec::Domain& d, const json& value, std::string* why) {
  auto fail = [&](std::string text) {
    if (why) *why = std::move(text);
    return false;
  };
  if (!d.enum_values.empty()) {
    const bool listed = std::any_of(d.enum_values.begin(), d.enum_values.end(),
                                    [&](const spec::EnumValue& e) { return e.value == value; });
    if (!listed) return fail("is not one of the allowed values");
  }
  if (value.is_number_integer()) {
    const bool is_unsigned = value.is_number_unsigned();
    const auto u = is_unsigned ? value.get<std::uint64_t>() : 0;
    if (is_unsigned && u > static_cast<std::uint64_t>(INT64_MAX)) {
      if (d.max) return fail("is above " + std::to_string(*d.max));
    } else {
      const auto n = value.get<std::int64_t>();
      if (d.min && n < *d.min) return fail("is below " + std::to_string(*d.min));
      if (d.max && n > *d.max) return fail("is above " + std::to_string(*d.max));
      for (const auto& [low, high] : d.excluded_ranges) {
        if (n >= low && n <= high)
          return fail("lies in the excluded range " + std::to_string(low) + ".." + std::to_string(high));
      }
    }
  }
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (!crypto::is_valid_utf8(text)) return fail("is not valid UTF-8");
    if (d.min_length && text.size() < *d.min_length)
      return fail("is shorter than " + std::to_string(*d.min_length) + " bytes");
    if (d.max_length && text.size() > *d.max_length)
      return fail("is longer than " + std::to_string(*d.max_length) + " bytes");
    if (d.pattern && !matches_pattern(*d.pattern, text)) return fail("does not match /" + *d.pattern + "/");
  }
  return true;
}

bool has_json_type(const json& value, spec::ValueType type) {
  switch (type) {
    case spec::ValueType::String: return value.is_string();
    case spec::ValueType::Integer: return value.is_number_integer();
    case spec::ValueType::Number: return value.is_number();
    case spec::ValueType::Boolean: return value.is_boolean();
    case spec::ValueType::Object: return value.is_object();
    case spec::ValueType::Array: return value.is_array();
  }
  return false;
}

bool judged_request(const spec::Endpoint& endpoint, const http::Request& request) {
  return http::well_formed(request) && request.method == endpoint.method &&
         request.target.substr(0, request.target.find('?')) == endpoint.path;
}

namespace {

std::string media_type(std::string_view value) {
  std::string out(value.substr(0, value.find(';')));
  out.erase(std::remove(out.begin(), out.end(), ' '), out.end());
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool equal_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool labelled_acceptably(const spec::Endpoint& endpoint, const spec::Profile& profile, std::string_view content_type) {
  const auto& response = endpoint.response;
  if (!response || media_type(content_type) == media_type(response->media_type)) return true;
  return !response->media_type_required_when.empty() && !response->media_type_required_when.holds(profile);
}

bool same_data_value(const spec::Field& field, const json& observed, const json& due) {
  if (observed == due) return true;
  return field.case_insensitive && observed.is_string() && due.is_string() &&
         equal_ignoring_case(observed.get<std::string>(), due.get<std::string>());
}

bool carries_data(const spec::Endpoint& endpoint, const spec::Profile& profile, const json& body) {
  const auto* data = endpoint.response ? endpoint.response->envelope_role("data") : nullptr;
  const auto* found = data ? find_member(endpoint, profile, body, *data) : nullptr;
  return found && !found->is_null();
}

const json* find_member(const spec::Endpoint& endpoint, const spec::Profile& profile, const json& object,
                        const spec::Field& field) {
  if (!object.is_object()) return nullptr;
  const bool fold =
      !endpoint.names_case_insensitive_when.empty() && endpoint.names_case_insensitive_when.holds(profile);
  for (const auto& spelling : field.spellings_under(profile)) {
    if (!fold) {
      if (auto found = object.find(spelling); found != object.end()) return &*found;
      continue;
    }
    const auto wanted = lower(spelling);
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (lower(it.key()) == wanted) return &it.value();
    }
  }
  return nullptr;
}

std::optional<json> as_json_type(const json& value, spec::ValueType type, bool integral_numbers) {
  if (has_json_type(value, type)) return value;
  if (type != spec::ValueType::Integer || !integral_numbers || !value.is_number_float()) return std::nullopt;
  const double number = value.get<double>();
  // Only where a double holds every integer exactly (|n| <= 2^53).
  if (!(std::fabs(number) <= 9007199254740992.0) || std::trunc(number) != number) return std::nullopt;
  return json(static_cast<std::int64_t>(number));
}

std::string field_clause(const spec::Field& field, std::string_view suffix) {
  for (const auto& clause : field.clauses) {
    if (clause.size() >= suffix.size() && clause.compare(clause.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return clause;
    }
  }
  return field.clauses.empty() ? std::string() : field.clauses.front();
}

Interpretation interpret_request(const spec::Endpoint& endpoint, const spec::Profile& profile,
                                 const http::Request& request) {
  return Interpreter(endpoint, profile).run(request);
}

}  // namespace otaconf::interpret
