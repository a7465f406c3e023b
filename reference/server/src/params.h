// Reading the check request's parameters: encodings, spellings, types and
// value domains, decided per profile by code written from the document.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "mutants.h"
#include "otaconf/refserver.h"
#include "otaconf/spec.h"

namespace otaconf::refserver {

// What a profile accepts. The three shipped profiles are spelled out here;
// only their field spellings come from the spec.
struct ProfileRules {
  std::string name;
  bool json_body = false;               // a JSON object in the GET body
  bool case_insensitive_names = false;  // DEV_ID, Cdn, ...
  bool content_type_required = false;   // Content-Type: application/json
  bool cdn_optional = false;            // omitted cdn means false
  bool threshold_strictly_greater = false;
  bool raw_token_values = false;   // Authorization values without URL-encoding
  bool version_printable = false;  // else 1-20 of [A-Za-z0-9_.-]
  bool signals_any_int32 = false;  // else the AT+CSQ scale 0-31, 99
  bool dev_id_integer = false;     // dev_id as a JSON number
  bool range_all_forms = false;    // bare a-b and Range=a-b besides bytes=a-b
  bool dev_id_any_string = false;  // else 1-20 decimal digits; an unknown string is an unknown device
  bool integral_numbers = false;   // a JSON body's 1.0 or 1e0 is the integer 1
  std::int64_t expiry_leeway = 0;  // seconds past et a token is still taken (clocks differ)
};

// Throws std::invalid_argument for a profile this server does not implement.
ProfileRules rules_for(const std::string& profile);

struct CheckParams {
  std::optional<std::string> dev_id, manuf, model, version;
  std::optional<std::int64_t> type, signals, powers;
  bool cdn = false;
  std::string problem;        // the first problem found; empty when valid
  bool invalid_utf8 = false;  // a value was not UTF-8
};

class ParamReader {
 public:
  ParamReader(const spec::Endpoint& check, const spec::Profile& profile, ProfileRules rules, Fault fault);
  CheckParams read(const WireRequest& request) const;

 private:
  std::optional<std::string> canonical_name(const std::string& spelling) const;

  ProfileRules rules_;
  Fault fault_;
  std::map<std::string, std::string> spellings_;  // accepted spelling -> canonical name
};

// The header value for `name`, compared without regard to case ("" if absent).
std::string header_value(const WireRequest& request, std::string_view name);
// How many times the header `name` was sent (any letter case).
std::size_t header_count(const WireRequest& request, std::string_view name);
// The path and the raw query of a request target.
std::pair<std::string, std::string> split_target(const std::string& target);

}  // namespace otaconf::refserver
