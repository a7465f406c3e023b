// interpret_response: the spec's judgement of a check response body, the
// oracle of the client-parser fuzzers and a cross-check of the response
// vectors. A raw NUL or anything that is not one JSON text is rejected (RFC
// 8259); what RFC 8259 leaves to the parser (a byte order mark, a repeated
// member name) follows the response's tolerant_json_when: rejected, or
// tolerated (the BOM skipped; which occurrence of a repeated name counts is
// the parser's choice, so the verdict is left open).
#include <algorithm>
#include <set>

#include "otaconf/interpret.h"

namespace otaconf::interpret {

using nlohmann::json;
using Verdict = ResponseJudgement::Verdict;

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Accept: return "accept";
    case Verdict::Reject: return "reject";
    case Verdict::Undecided: return "undecided";
  }
  return "reject";
}

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Thrown inside the judge only: the verdict is settled.
struct Settled {
  ResponseJudgement judgement;
};

[[noreturn]] void settle(Verdict verdict, std::string clause, std::string reason) {
  throw Settled{{verdict, std::move(clause), std::move(reason), nullptr}};
}

// Parses one JSON text; rejects what is not one, leaves duplicate names open.
json parse_document(std::string_view body, bool tolerant) {
  if (body.find('\0') != std::string_view::npos) {
    settle(Verdict::Reject, "RESP.ENVELOPE.JSON", "a raw NUL byte is not JSON text");
  }
  if (body.substr(0, 3) == "\xEF\xBB\xBF") {
    if (!tolerant) settle(Verdict::Reject, "CLI.PARSE.REJECT", "a byte order mark precedes the JSON");
    body.remove_prefix(3);
    // One mark may be skipped; nlohmann would silently skip a second one too.
    if (body.substr(0, 3) == "\xEF\xBB\xBF") settle(Verdict::Reject, "RESP.ENVELOPE.JSON", "two byte order marks");
  }
  bool duplicate = false;
  std::vector<std::set<std::string>> names;
  auto callback = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) names.emplace_back();
    if (event == json::parse_event_t::object_end && !names.empty()) names.pop_back();
    if (event == json::parse_event_t::key && !names.empty() && !names.back().insert(parsed.get<std::string>()).second) {
      duplicate = true;
    }
    return true;
  };
  auto document = json::parse(body.begin(), body.end(), callback, false);
  if (document.is_discarded()) settle(Verdict::Reject, "RESP.ENVELOPE.JSON", "not a JSON text");
  if (duplicate && !tolerant) settle(Verdict::Reject, "CLI.PARSE.REJECT", "a member name repeats");
  if (duplicate)
    settle(Verdict::Undecided, "CLI.PARSE.REJECT", "a member name repeats: which occurrence counts is open");
  if (!document.is_object()) settle(Verdict::Reject, "RESP.ENVELOPE.JSON", "the body is not a JSON object");
  return document;
}

class Judge {
 public:
  Judge(const spec::Endpoint& endpoint, const spec::Profile& profile)
      : endpoint_(endpoint), response_(*endpoint.response), profile_(profile) {
    fold_case_ = !endpoint.names_case_insensitive_when.empty() && endpoint.names_case_insensitive_when.holds(profile);
  }

  json run(std::string_view body) {
    const auto& tolerant = response_.tolerant_json_when;
    const auto document = parse_document(body, !tolerant.empty() && tolerant.holds(profile_));
    const auto& code_field = role("code");
    const auto& message_field = role("message");
    const auto code_value = typed_member(document, code_field);
    if (!code_value.is_number_integer()) settle(Verdict::Reject, "RESP.ERRNO.TYPE", "no errno");
    const auto code = code_value.get<std::int64_t>();
    const auto* entry = endpoint_.error_code(code);
    if (!entry) settle(Verdict::Reject, "RESP.ERRNO.CODESET", std::to_string(code) + " is not a code of the table");
    const auto message = typed_member(document, message_field);
    json result = {{"errno", code}, {"error", message}, {"data", nullptr}, {"action", entry->action}};
    if (code != response_.success_code) return result;  // data on an error answer is ignored
    const auto& data_field = role("data");
    const auto* data = member(document, data_field);
    if (!data || !data->is_object()) {
      settle(Verdict::Reject, "RESP.DATA.PRESENT", "a success answer without a data object");
    }
    result["data"] = data_values(*data);
    return result;
  }

 private:
  const spec::Field& role(std::string_view name) const {
    const auto* field = response_.envelope_role(name);
    if (!field)
      settle(Verdict::Undecided, "RESP.ENVELOPE.JSON", "the spec names no envelope member for " + std::string(name));
    return *field;
  }

  // The member a profile reads for `field`; open when two accepted spellings are both present.
  const json* member(const json& object, const spec::Field& field) const {
    const auto spellings = field.spellings_under(profile_);
    const json* found = nullptr;
    for (auto it = object.begin(); it != object.end(); ++it) {
      const std::string& key = it.key();
      const bool matches = std::any_of(spellings.begin(), spellings.end(), [&](const std::string& spelling) {
        return fold_case_ ? lower(key) == lower(spelling) : key == spelling;
      });
      if (!matches) continue;
      if (found)
        settle(Verdict::Undecided, field.clauses.empty() ? "" : field.clauses.front(),
               field.name + " is given under two accepted spellings");
      found = &it.value();
    }
    return found;
  }

  // The member's value, required, of an accepted type and in its domain.
  json typed_member(const json& object, const spec::Field& field) const {
    const auto clause = field.clauses.empty() ? std::string("RESP.DATA.VALUES") : field.clauses.front();
    const auto* value = member(object, field);
    if (!value) {
      if (field.required_under(profile_)) settle(Verdict::Reject, clause, field.name + " is missing");
      return nullptr;
    }
    const auto types = field.types_under(profile_);
    const bool typed =
        std::any_of(types.begin(), types.end(), [&](spec::ValueType type) { return has_json_type(*value, type); });
    if (!typed) settle(Verdict::Reject, clause, field.name + " is not of type " + spec::to_string(field.type));
    std::string why;
    if (!in_domain(field.domain_under(profile_), *value, &why)) settle(Verdict::Reject, clause, field.name + " " + why);
    return *value;
  }

  json data_values(const json& data) const {
    json values = json::object();
    for (const auto& field : response_.data_fields) {
      auto value = typed_member(data, field);
      if (value.is_null()) continue;
      if (field.name == "md5" && value.is_string()) value = lower(value.get<std::string>());
      values[field.name] = value;
    }
    return values;
  }

  const spec::Endpoint& endpoint_;
  const spec::Response& response_;
  const spec::Profile& profile_;
  bool fold_case_ = false;
};

}  // namespace

ResponseJudgement interpret_response(const spec::Endpoint& endpoint, const spec::Profile& profile,
                                     std::string_view body) {
  if (!endpoint.response) return {Verdict::Undecided, "", "the endpoint has no response in the spec", nullptr};
  try {
    auto result = Judge(endpoint, profile).run(body);
    return {Verdict::Accept, "", "", std::move(result)};
  } catch (Settled& settled) {
    return std::move(settled.judgement);
  }
}

}  // namespace otaconf::interpret
