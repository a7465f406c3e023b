// interpret_response: the spec's judgement of a check response body, the
// oracle of the client-parser fuzzers and a cross-check of the response
// vectors. A raw NUL or anything that is not one JSON text is rejected (RFC
// 8259); what RFC 8259 leaves to the parser (a byte order mark, a repeated
// member name) follows the response's tolerant_json_when: rejected, or
// tolerated (the BOM skipped; which occurrence of a repeated name counts is
// the parser's choice, so the verdict is left open).
#include <algorithm>
#include <set>

#include "otaconf/crypto.h"
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

// What RFC 8259 leaves to the parser, as the profile reads it.
struct Tolerance {
  bool bom = false;           // skip one byte order mark
  bool duplicates = false;    // a repeated member name: either verdict
  bool invalid_utf8 = false;  // bytes that are not UTF-8 in the text: either verdict
};

bool holds(const spec::When& when, const spec::Profile& profile) { return !when.empty() && when.holds(profile); }

// Whether the body would be JSON text if its bytes that are not UTF-8 were
// characters: then only text inside it is not UTF-8.
bool json_but_for_encoding(std::string_view body) { return json::accept(crypto::replace_invalid_utf8(body, '?')); }

// Parses one JSON text; rejects what is not one, leaves open what the
// profile tolerates.
json parse_document(std::string_view body, const Tolerance& tolerance) {
  if (body.find('\0') != std::string_view::npos) {
    settle(Verdict::Reject, "CLI.PARSE.REJECT", "a raw NUL byte is not JSON text");
  }
  if (body.substr(0, 3) == "\xEF\xBB\xBF") {
    if (!tolerance.bom) settle(Verdict::Reject, "CLI.PARSE.REJECT", "a byte order mark precedes the JSON");
    body.remove_prefix(3);
    // One mark may be skipped; nlohmann would silently skip a second one too.
    if (body.substr(0, 3) == "\xEF\xBB\xBF") settle(Verdict::Reject, "CLI.PARSE.REJECT", "two byte order marks");
  }
  if (!crypto::is_valid_utf8(body)) {
    if (!json_but_for_encoding(body)) settle(Verdict::Reject, "CLI.PARSE.REJECT", "not a JSON text");
    if (!tolerance.invalid_utf8) settle(Verdict::Reject, "CLI.PARSE.REJECT", "text in the answer is not UTF-8");
    settle(Verdict::Undecided, "CLI.PARSE.REJECT", "text in the answer is not UTF-8: passed through or refused");
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
  if (document.is_discarded()) settle(Verdict::Reject, "CLI.PARSE.REJECT", "not a JSON text");
  if (duplicate && !tolerance.duplicates) settle(Verdict::Reject, "CLI.PARSE.REJECT", "a member name repeats");
  if (duplicate)
    settle(Verdict::Undecided, "CLI.PARSE.REJECT", "a member name repeats: which occurrence counts is open");
  if (!document.is_object()) settle(Verdict::Reject, "CLI.PARSE.REJECT", "the body is not a JSON object");
  return document;
}

class Judge {
 public:
  Judge(const spec::Endpoint& endpoint, const spec::Profile& profile)
      : endpoint_(endpoint), response_(*endpoint.response), profile_(profile) {
    fold_case_ = holds(endpoint.names_case_insensitive_when, profile);
    integral_ = holds(endpoint.integral_numbers_when, profile);
  }

  json run(std::string_view body) {
    const Tolerance tolerance{holds(response_.bom_skipped_when, profile_),
                              holds(response_.duplicate_names_when, profile_),
                              holds(response_.invalid_utf8_when, profile_)};
    const auto document = parse_document(body, tolerance);
    const auto& code_field = role("code");
    const auto& message_field = role("message");
    const auto code_value = typed_member(document, code_field);
    if (!code_value.is_number_integer()) settle(Verdict::Reject, "RESP.ERRNO.TYPE", "no errno");
    const auto code = code_value.get<std::int64_t>();
    const auto* entry = endpoint_.error_code(code);
    if (!entry && !holds(response_.unknown_codes_when, profile_)) {
      settle(Verdict::Reject, "RESP.ERRNO.CODESET", std::to_string(code) + " is not a code of the table");
    }
    const auto message = typed_member(document, message_field);
    // An unknown code accepted: any action but a download (none says which).
    const json action = entry ? json(entry->action) : not_download();
    json result = {{"errno", code}, {"error", message}, {"data", nullptr}, {"action", action}};
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

  json not_download() const {
    json actions = json::array({"none"});
    for (const auto& code : endpoint_.error_codes) {
      if (code.action != "download" && std::find(actions.begin(), actions.end(), json(code.action)) == actions.end()) {
        actions.push_back(code.action);
      }
    }
    return actions;
  }

  // The member's value, required, of an accepted type and in its domain.
  json typed_member(const json& object, const spec::Field& field) const {
    const auto clause = field.clauses.empty() ? std::string("RESP.DATA.VALUES") : field.clauses.front();
    const auto* value = member(object, field);
    if (!value) {
      if (field.required_under(profile_)) settle(Verdict::Reject, clause, field.name + " is missing");
      return nullptr;
    }
    std::optional<json> typed;
    for (auto type : field.types_under(profile_)) {
      if ((typed = as_json_type(*value, type, integral_))) break;
    }
    if (!typed) settle(Verdict::Reject, clause, field.name + " is not of type " + spec::to_string(field.type));
    std::string why;
    if (!in_domain(field.domain_under(profile_), *typed, &why)) settle(Verdict::Reject, clause, field.name + " " + why);
    return *typed;
  }

  json data_values(const json& data) const {
    json values = json::object();
    for (const auto& field : response_.data_fields) {
      auto value = typed_member(data, field);
      if (value.is_null()) continue;
      if (field.case_insensitive && value.is_string()) value = lower(value.get<std::string>());
      values[field.name] = value;
    }
    return values;
  }

  const spec::Endpoint& endpoint_;
  const spec::Response& response_;
  const spec::Profile& profile_;
  bool fold_case_ = false;
  bool integral_ = false;
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

namespace {

bool client_side(const spec::Spec& spec, const std::string& id, bool must_only) {
  const auto* clause = spec.clause(id);
  return clause && clause->side != spec::Side::Server && (!must_only || clause->level == spec::Level::Must);
}

std::string first_client_clause(const spec::Spec& spec, const std::vector<std::string>& ids, bool must_only) {
  for (const auto& id : ids) {
    if (client_side(spec, id, must_only)) return id;
  }
  return {};
}

// The MUST client clause every failure code carries: what a download on a
// failure breaks.
std::string no_download_clause(const spec::Spec& spec, const spec::Endpoint& endpoint, std::int64_t success) {
  std::optional<std::vector<std::string>> shared;
  for (const auto& code : endpoint.error_codes) {
    if (code.code == success) continue;
    std::vector<std::string> mine;
    for (const auto& id : code.clauses) {
      if (client_side(spec, id, true)) mine.push_back(id);
    }
    if (!shared) {
      shared = mine;
    } else {
      std::erase_if(*shared,
                    [&](const std::string& id) { return std::find(mine.begin(), mine.end(), id) == mine.end(); });
    }
  }
  return shared && !shared->empty() ? shared->front() : std::string();
}

bool same_text(const json& expected, const json& observed, bool fold) {
  if (expected == observed) return true;
  if (!expected.is_string() || !observed.is_string()) return false;
  const auto& a = expected.get_ref<const std::string&>();
  const auto& b = observed.get_ref<const std::string&>();
  return fold && lower(a) == lower(b);
}

std::string show(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::optional<Difference> result_difference(const spec::Spec& spec, const spec::Endpoint& endpoint,
                                            const json& expected, const json& observed) {
  if (!endpoint.response) return std::nullopt;
  const auto& response = *endpoint.response;
  const auto* code = response.envelope_role("code");
  const auto* message = response.envelope_role("message");
  const auto* data = response.envelope_role("data");
  auto at = [](const json& object, const char* key) { return object.contains(key) ? object[key] : json(nullptr); };
  const auto errno_value = at(expected, "errno");
  if (at(observed, "errno") != errno_value) {
    return Difference{code && !code->clauses.empty() ? code->clauses.front() : "",
                      "errno " + show(at(observed, "errno")) + ", expected " + show(errno_value),
                      Difference::Part::Errno};
  }
  const auto action = at(expected, "action");
  const auto got = at(observed, "action");
  const bool action_ok = action.is_array() ? std::find(action.begin(), action.end(), got) != action.end()
                                           : action.is_null() || got == action;
  if (!action_ok) {
    const auto* entry =
        errno_value.is_number_integer() ? endpoint.error_code(errno_value.get<std::int64_t>()) : nullptr;
    const auto* success = endpoint.error_code(response.success_code);
    const bool downloads = success && got == success->action && errno_value != json(response.success_code);
    std::string clause = downloads ? no_download_clause(spec, endpoint, response.success_code) : std::string();
    if (clause.empty() && entry) clause = first_client_clause(spec, entry->clauses, false);
    if (clause.empty()) clause = no_download_clause(spec, endpoint, response.success_code);
    return Difference{clause, "action " + show(got) + ", expected " + show(action), Difference::Part::Action};
  }
  const auto error = at(expected, "error");
  const auto observed_error = at(observed, "error");
  const bool cut = error.is_string() && observed_error.is_string() && observed_error.get<std::string>().size() >= 255 &&
                   error.get<std::string>().rfind(observed_error.get<std::string>(), 0) == 0;
  if (observed_error != error && !cut) {
    return Difference{message && !message->clauses.empty() ? message->clauses.front() : "",
                      "error " + show(observed_error) + ", expected " + show(error), Difference::Part::Error};
  }
  const auto expected_data = at(expected, "data");
  const auto observed_data = at(observed, "data");
  if (expected_data.is_null() != observed_data.is_null()) {
    const auto clause = data ? field_clause(*data, expected_data.is_null() ? ".ABSENT" : ".PRESENT") : std::string();
    return Difference{
        clause, expected_data.is_null() ? "took data from an answer whose data must be ignored" : "reported no data"};
  }
  if (!expected_data.is_object() || !observed_data.is_object()) return std::nullopt;
  for (const auto& field : response.data_fields) {
    if (!expected_data.contains(field.name)) continue;
    const auto& want = expected_data[field.name];
    const auto have = at(observed_data, field.name.c_str());
    if (same_text(want, have, field.case_insensitive)) continue;
    return Difference{field.clauses.empty() ? "" : field.clauses.front(),
                      "data." + field.name + " is " + (have.is_null() ? std::string("missing") : show(have)) +
                          ", expected " + show(want),
                      Difference::Part::Value};
  }
  return std::nullopt;
}

std::optional<Difference> outcome_difference(const spec::Spec& spec, const spec::Endpoint& endpoint,
                                             const ResponseJudgement& judgement, bool accepted, const json& observed,
                                             const std::string& accept_clause) {
  switch (judgement.verdict) {
    case ResponseJudgement::Verdict::Undecided: return std::nullopt;
    case ResponseJudgement::Verdict::Reject:
      if (!accepted) return std::nullopt;
      return Difference{judgement.clause, "accepted an answer it must reject (" + judgement.reason + ")"};
    case ResponseJudgement::Verdict::Accept:
      if (!accepted) return Difference{accept_clause, "rejected an answer it must accept"};
      return result_difference(spec, endpoint, judgement.result, observed);
  }
  return std::nullopt;
}

}  // namespace otaconf::interpret
