// The reference client parser. Decisions written from the document:
// a JSON object; errno an integer from the code table; error a string; on
// errno 0 a data object with every field of the data table, typed and in its
// domain per profile; data ignored on errors; the action each code implies.
#include "otaclient.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

namespace otaclient {

using nlohmann::json;

namespace {

enum class Fault {
  None,
  KeyOrder,
  FixedTokenBuffer,
  Size32,
  ErrnoString,
  IgnoreMissingData,
  SuspendedAsSuccess,
  Md5CaseSensitive,
  NonHexMd5,
  CrashOnMissingData,
  KeyInsideString,
  StopAtNul,
  FloatErrno,
  NegativeSize,
  DuplicateKeys,
  Truncated,
  DataOnError,
  UnknownErrnoDownload,
  ErrnoMustLead,
  CaseInsensitiveFirstMatch,
  TokenByTextSearch,
  SuccMeansSuccess,
  Power8Bit,
  Retry16Bit,
  Signal8Bit,
  Ip16Bytes,
  DownloadWhenData,
  ErrnoFirstDigit,
  // Legal variants.
  BomSkipped,
  IntegralNumbers,
  UnknownErrnoNoDownload,
  WideRanges,
  InvalidUtf8Tolerated,
};

struct Entry {
  Fault fault;
  MutantInfo info;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> list = {
      {Fault::KeyOrder,
       {"key-order", "CLI.PARSE.KEY_ORDER",
        "Rejects a success answer unless target, token, size and md5 come in that order (an sscanf pattern)."}},
      {Fault::FixedTokenBuffer,
       {"fixed-token-buffer", "RESP.DATA.TOKEN", "Copies the token into a 16-byte heap buffer without a bound."}},
      {Fault::Size32, {"size-32-bit", "RESP.DATA.SIZE", "Reads size into 32 bits, so sizes of 4 GiB and more wrap."}},
      {Fault::ErrnoString, {"errno-string", "RESP.ERRNO.TYPE", "Accepts errno written as a JSON string (\"0\")."}},
      {Fault::IgnoreMissingData,
       {"success-without-data", "RESP.DATA.PRESENT", "Accepts errno 0 without a data object and still says download."}},
      {Fault::SuspendedAsSuccess,
       {"suspended-as-success", "CLI.ACTION.NO_DOWNLOAD_ON_ERROR",
        "Treats errno 19 (task suspended) as success: download."}},
      {Fault::CrashOnMissingData,
       {"crash-on-missing-data", "CLI.PARSE.REJECT",
        "Dereferences a null pointer when errno is 0 and data is missing."}},
      {Fault::KeyInsideString,
       {"key-inside-string", "CLI.PARSE.JSON",
        "Finds \"errno\" by searching the text, also inside another member's string value."}},
      {Fault::StopAtNul,
       {"stop-at-nul", "CLI.PARSE.REJECT", "Reads the body as a C string: bytes after a NUL are ignored."}},
      {Fault::FloatErrno,
       {"float-errno", "RESP.ERRNO.TYPE",
        "Reads an errno written with a fraction by cutting the fraction off (0.5 as 0, 19.9 as 19)."}},
      {Fault::NegativeSize,
       {"negative-size", "RESP.DATA.SIZE", "Accepts a negative size, converted to a huge unsigned one."}},
      {Fault::Truncated,
       {"truncated-body", "CLI.PARSE.REJECT", "Accepts a body cut short, using the members that arrived."}},
      {Fault::DataOnError, {"data-on-error", "RESP.DATA.ABSENT", "Takes data from an error answer that carries one."}},
      {Fault::UnknownErrnoDownload,
       {"unknown-errno-download", "CLI.ACTION.NO_DOWNLOAD_ON_ERROR",
        "Takes an errno its table does not list for success and downloads."}},
      {Fault::ErrnoMustLead,
       {"errno-must-lead", "CLI.PARSE.KEY_ORDER",
        "Rejects an answer whose first member is not errno, as in the document's example."}},
      {Fault::CaseInsensitiveFirstMatch,
       {"case-insensitive-first-match", "RESP.DATA.TOKEN",
        "Finds data members in any letter case, the first match winning, even under the strict profile."}},
      {Fault::TokenByTextSearch,
       {"token-by-text-search", "CLI.PARSE.JSON", "Takes the token from the first \"token\":\"...\" in the text."}},
      {Fault::SuccMeansSuccess,
       {"succ-means-success", "CLI.ACTION.NO_DOWNLOAD_ON_ERROR",
        "Downloads whenever error says \"succ\" and data is there, whatever errno says."}},
      {Fault::Power8Bit, {"power-8-bit", "RESP.DATA.POWER", "Keeps power in 8 bits: 256 reads as 0."}},
      {Fault::Retry16Bit, {"retry-16-bit", "RESP.DATA.RETRY", "Keeps retry in 16 bits: 65536 reads as 0."}},
      {Fault::Signal8Bit, {"signal-8-bit", "RESP.DATA.SIGNAL", "Keeps signal in a signed byte: 128 reads as -128."}},
      {Fault::Ip16Bytes,
       {"ip-16-bytes", "RESP.DATA.IP", "Copies ip into 16 bytes, room for an IPv4 address: a host name is cut."}},
      {Fault::DownloadWhenData,
       {"download-when-data", "CLI.ACTION.NO_DOWNLOAD_ON_ERROR", "Downloads whenever the answer carries data."}},
      {Fault::ErrnoFirstDigit,
       {"errno-first-digit", "RESP.ERRNO.TYPE", "Reads errno from its first digit only: 19 reads as 1."}},
  };
  return list;
}

// Legal variants: readings of the document other than the reference's.
const std::vector<Entry>& variant_entries() {
  static const std::vector<Entry> list = {
      {Fault::BomSkipped,
       {"bom-skipped", "AMB.JSON_BOM=skip", "Skips a byte order mark before the JSON, in every profile."}},
      {Fault::DuplicateKeys,
       {"duplicate-names-last-wins", "AMB.JSON_DUPLICATES=either",
        "Accepts a repeated member name; the last one counts."}},
      {Fault::IntegralNumbers,
       {"integral-numbers", "AMB.JSON_NUMBER=integer-value",
        "Reads 0.0 or 1e1 as the integers 0 and 10 wherever an int is due."}},
      {Fault::UnknownErrnoNoDownload,
       {"unknown-errno-no-download", "AMB.UNKNOWN_ERRNO=no-download",
        "Accepts an errno its table does not list as a failure to retry later; never downloads on it."}},
      {Fault::Md5CaseSensitive,
       {"md5-as-sent", "CLI.MD5.VERIFY compares without regard to case",
        "Reports md5 in the letter case the server sent."}},
      {Fault::NonHexMd5,
       {"any-md5-string", "AMB.MD5_FORMAT=any-string",
        "Accepts any md5 string of 1-128 bytes, as the document's example."}},
      {Fault::WideRanges,
       {"wide-ranges", "AMB.POWER_RANGE, AMB.RETRY_RANGE, AMB.INTERVAL_RANGE, AMB.SIGNALS_RANGE=int32",
        "Accepts any 32-bit signal, power, retry and interval."}},
      {Fault::InvalidUtf8Tolerated,
       {"invalid-utf8-tolerated", "AMB.TEXT_UTF8=tolerate",
        "Passes bytes that are not UTF-8 in the error text through."}},
  };
  return list;
}

Fault fault_named(std::string_view name) {
  for (const auto* list : {&entries(), &variant_entries()}) {
    for (const auto& entry : *list) {
      if (entry.info.name == name) return entry.fault;
    }
  }
  return Fault::None;
}

// The spellings each profile reads (the document's table and examples).
const std::map<std::string, std::string>& table_spellings() {
  static const std::map<std::string, std::string> spellings = {
      {"Error no", "errno"}, {"Error", "error"},       {"Data", "data"},     {"Target", "target"},
      {"Token", "token"},    {"Size", "size"},         {"Signal", "signal"}, {"The power", "power"},
      {"Retry", "retry"},    {"Interval", "interval"}, {"MD5", "md5"},       {"IP", "ip"}};
  return spellings;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Field syntaxes as a device checks them: character classes and lengths,
// no regular-expression engine (and no recursion per character).
using Syntax = bool (*)(std::string_view);

template <typename In>
bool all_in(std::string_view s, std::size_t min, std::size_t max, In in) {
  return s.size() >= min && s.size() <= max && std::all_of(s.begin(), s.end(), [&](char c) {
           return in(static_cast<unsigned char>(c));
         });
}
bool alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool hex_lower(unsigned char c) { return digit(c) || (c >= 'a' && c <= 'f'); }
bool hex_any(unsigned char c) { return hex_lower(c) || (c >= 'A' && c <= 'F'); }

bool version_strict(std::string_view s) {  // [A-Za-z0-9_.-]{1,20}
  return all_in(s, 1, 20, [](unsigned char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}
bool version_printable(std::string_view s) {  // [\x21-\x7e]{1,64}
  return all_in(s, 1, 64, [](unsigned char c) { return c >= 0x21 && c <= 0x7e; });
}
bool token_word(std::string_view s) {  // [A-Za-z0-9_-]{1,128}
  return all_in(s, 1, 128, [](unsigned char c) { return alnum(c) || c == '_' || c == '-'; });
}
bool token_unreserved(std::string_view s) {  // [A-Za-z0-9._~-]{1,128}
  return all_in(s, 1, 128, [](unsigned char c) { return alnum(c) || c == '.' || c == '_' || c == '~' || c == '-'; });
}
bool host_syntax(std::string_view s) {  // [A-Za-z0-9.-]{1,255}(:[0-9]{1,5})?
  const auto colon = s.find(':');
  const bool host = all_in(s.substr(0, colon), 1, 255, [](unsigned char c) { return alnum(c) || c == '.' || c == '-'; });
  return host && (colon == std::string_view::npos || all_in(s.substr(colon + 1), 1, 5, digit));
}
bool md5_lower(std::string_view s) { return all_in(s, 32, 32, hex_lower); }    // [0-9a-f]{32}
bool md5_any_case(std::string_view s) { return all_in(s, 32, 32, hex_any); }  // [0-9a-fA-F]{32}

class Parser {
 public:
  Parser(Profile profile, Fault fault, otaconf_result& out) : profile_(profile), fault_(fault), out_(out) {}

  void run(std::string_view body) {
    std::memset(&out_, 0, sizeof out_);
    out_.action = OTACONF_ACTION_NONE;
    if (fault_ == Fault::StopAtNul)
      body = body.substr(0, std::min(body.size(), std::strlen(std::string(body).c_str())));
    if (body.size() > kMaxBody) return reject("the body is larger than the receive buffer");
    // JSON text has no raw NUL; nlohmann's parser would stop there silently.
    if (body.find('\0') != std::string_view::npos) return reject("a NUL byte in the body");
    if (body.size() >= 3 && body.substr(0, 3) == "\xEF\xBB\xBF") {
      if (profile_ != Profile::Lenient && fault_ != Fault::BomSkipped)
        return reject("a byte order mark precedes the JSON");
      body.remove_prefix(3);
      if (body.substr(0, 3) == "\xEF\xBB\xBF") return reject("two byte order marks");
    }
    if (fault_ == Fault::InvalidUtf8Tolerated) return run_tolerating_encoding(body);
    json document;
    if (!parse_json(body, document)) return;
    if (!document.is_object()) return reject("the body is not a JSON object");
    if (fault_ == Fault::ErrnoMustLead) {
      const auto open = body.find('{');
      const auto first = body.find('"', open);
      if (first == std::string_view::npos || body.substr(first, 7) != "\"errno\"")
        return reject("errno is not the first member");
    }
    const auto code = member(document, "errno");
    std::int64_t errno_value = 0;
    if (fault_ == Fault::KeyInsideString) {
      // A hand-rolled getter: the first errno in the text, wherever it is.
      const auto at = body.find("errno");
      const auto colon = at == std::string_view::npos ? at : body.find(':', at);
      if (colon == std::string_view::npos) return reject("no errno");
      errno_value = std::strtoll(std::string(body.substr(colon + 1, 24)).c_str(), nullptr, 10);
    } else if (!read_errno(code, errno_value)) {
      return;
    }
    if (fault_ == Fault::ErrnoFirstDigit) {
      const auto text = std::to_string(errno_value);
      errno_value = text[0] == '-' ? 0 : text[0] - '0';
    }
    out_.errno_value = errno_value;
    const auto message = member(document, "error");
    if (!message || !message->is_string()) return reject(message ? "error is not a string" : "error is missing");
    copy(out_.error, sizeof out_.error, message->get<std::string>(), true);
    // Strict: the table lists every code. Elsewhere an unknown code is a failure the device does not act on.
    const bool unknown = !known_code(errno_value);
    const bool unknown_ok = profile_ != Profile::Strict || fault_ == Fault::UnknownErrnoNoDownload;
    if (unknown && fault_ != Fault::UnknownErrnoDownload && !unknown_ok)
      return reject("errno is not a code of the table");
    const auto data = member(document, "data");
    const bool says_succ = message->get<std::string>() == "succ" && data && data->is_object();
    const bool success = errno_value == 0 || (fault_ == Fault::SuspendedAsSuccess && errno_value == 19) ||
                         (fault_ == Fault::UnknownErrnoDownload && unknown) ||
                         (fault_ == Fault::SuccMeansSuccess && says_succ) ||
                         (fault_ == Fault::DownloadWhenData && data && data->is_object());
    if (!success) {
      if (fault_ == Fault::DataOnError && data && data->is_object()) read_data(*data, body);
      out_.action = action_of(errno_value);
      out_.accepted = 1;
      return;
    }
    if (!data || !data->is_object()) {
      if (fault_ == Fault::CrashOnMissingData) {
        volatile int* missing = nullptr;
        out_.size = static_cast<std::uint64_t>(*missing);  // the crash the mutant stands for
      }
      if (fault_ != Fault::IgnoreMissingData) return reject("errno 0 without a data object");
      out_.accepted = 1;
      out_.action = OTACONF_ACTION_DOWNLOAD;
      return;
    }
    if (!read_data(*data, body)) return;
    out_.accepted = 1;
    out_.action = OTACONF_ACTION_DOWNLOAD;
  }

 private:
  void reject(const std::string& why) {
    out_.accepted = 0;
    out_.has_data = 0;
    out_.action = OTACONF_ACTION_NONE;
    copy(out_.reason, sizeof out_.reason, why, true);
  }

  // Copies into a fixed field; false (or truncation when allowed) if it does not fit.
  static bool copy(char* field, std::size_t capacity, const std::string& value, bool truncate = false) {
    if (value.size() >= capacity && !truncate) return false;
    const auto n = std::min(value.size(), capacity - 1);
    std::memcpy(field, value.data(), n);
    field[n] = '\0';
    return true;
  }

  bool parse_json(std::string_view body, json& document) {
    // Duplicate members are ambiguous: strict and as-documented reject them.
    std::vector<std::set<std::string>> keys;
    bool duplicate = false;
    auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
      if (event == json::parse_event_t::object_start) keys.emplace_back();
      if (event == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
      if (event == json::parse_event_t::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second) {
        duplicate = true;
      }
      (void)depth;
      return true;
    };
    document = json::parse(body.begin(), body.end(), callback, false);
    if (document.is_discarded()) {
      if (fault_ == Fault::Truncated) return salvage(body, document);
      reject("the body is not valid JSON");
      return false;
    }
    if (duplicate && profile_ != Profile::Lenient && fault_ != Fault::DuplicateKeys) {
      reject("a member is given twice");
      return false;
    }
    return true;
  }

  // The truncated-body mutant: close what is open and try again.
  bool salvage(std::string_view body, json& document) {
    std::string fixed(body);
    for (const char* tail : {"}", "}}", "\"}}", "\"}", "0}}", "0}"}) {
      document = json::parse(fixed + tail, nullptr, false);
      if (!document.is_discarded()) return true;
    }
    reject("the body is not valid JSON");
    return false;
  }

  // The member spelled as the profile allows.
  const json* member(const json& object, const std::string& name) const {
    if (fault_ == Fault::CaseInsensitiveFirstMatch) {
      for (const auto& [key, value] : object.items()) {
        if (lower(key) == name) return &value;
      }
    }
    if (auto it = object.find(name); it != object.end()) return &*it;
    if (profile_ == Profile::Strict) return nullptr;
    for (const auto& [spelling, canonical] : table_spellings()) {
      if (canonical != name) continue;
      if (auto it = object.find(spelling); it != object.end()) return &*it;
    }
    if (profile_ == Profile::Lenient) {
      for (const auto& [key, value] : object.items()) {
        if (lower(key) == name) return &value;
        for (const auto& [spelling, canonical] : table_spellings()) {
          if (canonical == name && lower(key) == lower(spelling)) return &value;
        }
      }
    }
    return nullptr;
  }

  bool read_errno(const json* code, std::int64_t& value) {
    if (!code) {
      reject("errno is missing");
      return false;
    }
    if (code->is_number_integer()) {
      if (code->is_number_unsigned() && code->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        reject("errno is out of range");
        return false;
      }
      value = code->get<std::int64_t>();
      return true;
    }
    if (fault_ == Fault::ErrnoString && code->is_string()) {
      value = std::strtoll(code->get<std::string>().c_str(), nullptr, 10);
      return true;
    }
    if (fault_ == Fault::FloatErrno && code->is_number_float()) {
      value = static_cast<std::int64_t>(code->get<double>());
      return true;
    }
    if (auto integral = integral_value(*code)) {
      value = *integral;
      return true;
    }
    reject("errno is not an integer");
    return false;
  }

  // 1.0 read as 1 where the profile reads JSON numbers by value (exact up to 2^53).
  std::optional<std::int64_t> integral_value(const json& v) const {
    if (!v.is_number_float() || (profile_ != Profile::Lenient && fault_ != Fault::IntegralNumbers)) return std::nullopt;
    const double d = v.get<double>();
    if (!(std::fabs(d) <= 9007199254740992.0) || std::floor(d) != d) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }

  // A variant: bytes that are not UTF-8 are passed through as '?'.
  void run_tolerating_encoding(std::string_view body) {
    std::string patched;
    for (std::size_t i = 0; i < body.size();) {
      const auto c = static_cast<unsigned char>(body[i]);
      const std::size_t length = c < 0x80             ? 1
                                 : (c & 0xE0) == 0xC0 ? 2
                                 : (c & 0xF0) == 0xE0 ? 3
                                 : (c & 0xF8) == 0xF0 ? 4
                                                      : 0;
      bool whole = length > 0 && i + length <= body.size();
      for (std::size_t k = 1; whole && k < length; ++k)
        whole = (static_cast<unsigned char>(body[i + k]) & 0xC0) == 0x80;
      if (whole) {
        patched.append(body.substr(i, length));
        i += length;
      } else {
        patched += '?';
        ++i;
      }
    }
    const auto fault = fault_;
    fault_ = Fault::None;
    run(patched);
    fault_ = fault;
  }

  static bool known_code(std::int64_t code) {
    static const std::set<std::int64_t> codes = {0, 1, 2, 7, 8, 9, 10, 11, 13, 19};
    return codes.count(code) != 0;
  }

  static otaconf_action action_of(std::int64_t code) {
    switch (code) {
      case 0: return OTACONF_ACTION_DOWNLOAD;
      case 7:
      case 10:
      case 19: return OTACONF_ACTION_RETRY_LATER;
      case 1:
      case 2:
      case 8:
      case 9:
      case 11:
      case 13: return OTACONF_ACTION_NO_UPDATE;
      default: return OTACONF_ACTION_RETRY_LATER;  // a code this client does not know: ask again later
    }
  }

  bool integer(const json& data, const char* name, std::int64_t low, std::int64_t high, std::int64_t& value) {
    const auto* v = member(data, name);
    if (v) {
      if (auto integral = integral_value(*v)) {
        if (*integral < low || *integral > high) return reject(std::string(name) + " is out of range"), false;
        value = *integral;
        return true;
      }
    }
    if (!v || !v->is_number_integer()) {
      reject(std::string(name) + (v ? " is not an integer" : " is missing"));
      return false;
    }
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(high)) {
      reject(std::string(name) + " is out of range");
      return false;
    }
    value = v->get<std::int64_t>();
    if (value < low || value > high) {
      reject(std::string(name) + " is out of range");
      return false;
    }
    return true;
  }

  // `syntax` nullptr: any non-empty string that fits the field.
  bool text(const json& data, const char* name, Syntax syntax, char* field, std::size_t capacity) {
    const auto* v = member(data, name);
    if (!v || !v->is_string()) {
      reject(std::string(name) + (v ? " is not a string" : " is missing"));
      return false;
    }
    const auto& s = v->get_ref<const std::string&>();
    if (s.empty() || (syntax && !syntax(s)) || !copy(field, capacity, s)) {
      reject(std::string(name) + " has characters or a length the profile does not allow");
      return false;
    }
    return true;
  }

  bool read_data(const json& data, std::string_view body) {
    const bool strict = profile_ == Profile::Strict;
    if (fault_ == Fault::KeyOrder) {
      std::size_t last = 0;
      for (const char* key : {"\"target\"", "\"token\"", "\"size\"", "\"md5\""}) {
        const auto at = body.find(key);
        if (at == std::string_view::npos || at < last) {
          reject("data members are not in the expected order");
          return false;
        }
        last = at;
      }
    }
    if (!text(data, "target", strict ? version_strict : version_printable, out_.target, sizeof out_.target))
      return false;
    if (!text(data, "token", strict ? token_word : token_unreserved, out_.token, sizeof out_.token)) return false;
    if (fault_ == Fault::TokenByTextSearch) {  // a getter that searches the text: token, then ':', then a quote
      const auto at = body.find("token");
      const auto colon = at == std::string_view::npos ? at : body.find(':', at);
      const auto from = colon == std::string_view::npos ? colon : body.find('"', colon);
      const auto to = from == std::string_view::npos ? from : body.find('"', from + 1);
      if (to != std::string_view::npos)
        copy(out_.token, sizeof out_.token, std::string(body.substr(from + 1, to - from - 1)), true);
    }
    if (fault_ == Fault::FixedTokenBuffer) {
      const std::string token = out_.token;
      char* buffer = new char[16];
      std::memcpy(buffer, token.c_str(), token.size() + 1);  // the missing bound
      std::memcpy(out_.token, buffer, std::min(token.size() + 1, sizeof out_.token));
      delete[] buffer;
    }
    const auto* size = member(data, "size");
    if (fault_ == Fault::NegativeSize && size && size->is_number_integer() && !size->is_number_unsigned()) {
      out_.size = static_cast<std::uint64_t>(size->get<std::int64_t>());
    } else {
      // Lenient reads size as any unsigned 64-bit integer; the other profiles as int64.
      const auto* v = member(data, "size");
      if (profile_ == Profile::Lenient && v && v->is_number_unsigned()) {
        const auto value = v->get<std::uint64_t>();
        out_.size = fault_ == Fault::Size32 ? static_cast<std::uint32_t>(value) : value;
      } else {
        std::int64_t value = 0;
        if (!integer(data, "size", 0, INT64_MAX, value)) return false;
        out_.size = fault_ == Fault::Size32 ? static_cast<std::uint32_t>(value) : static_cast<std::uint64_t>(value);
      }
    }
    // Strict holds signal to the CSQ scale, power to a percentage, counts to >= 0; the
    // other profiles read the table's bare "int" (any 32-bit integer).
    const bool narrow = strict && fault_ != Fault::WideRanges;
    const std::int64_t low32 = INT32_MIN;
    if (!integer(data, "signal", narrow ? 0 : low32, narrow ? 99 : INT32_MAX, out_.signal)) return false;
    if (narrow && out_.signal > 31 && out_.signal != 99) return reject("signal is out of range"), false;
    if (!integer(data, "power", narrow ? 0 : low32, narrow ? 100 : INT32_MAX, out_.power)) return false;
    if (!integer(data, "retry", narrow ? 0 : low32, INT32_MAX, out_.retry)) return false;
    // Narrow storage: what a device that keeps these in small integers reports.
    if (fault_ == Fault::Power8Bit) out_.power = static_cast<std::uint8_t>(out_.power);
    if (fault_ == Fault::Retry16Bit) out_.retry = static_cast<std::uint16_t>(out_.retry);
    if (fault_ == Fault::Signal8Bit) out_.signal = static_cast<std::int8_t>(out_.signal);
    if (!integer(data, "interval", narrow ? 0 : low32, INT32_MAX, out_.interval)) return false;
    // As documented, md5 is any string of 1-128 bytes (the example is "dfkdajkfd").
    const Syntax md5_syntax = fault_ == Fault::NonHexMd5 || profile_ == Profile::AsDocumented ? nullptr
                              : strict                                                        ? md5_lower
                                                                                              : md5_any_case;
    char md5[129] = {};
    if (!text(data, "md5", md5_syntax, md5, sizeof md5)) return false;
    std::string digest = md5;
    if (fault_ != Fault::Md5CaseSensitive) digest = lower(digest);
    copy(out_.md5, sizeof out_.md5, digest, true);
    if (!text(data, "ip", host_syntax, out_.ip, sizeof out_.ip)) return false;
    if (fault_ == Fault::Ip16Bytes) out_.ip[15] = '\0';
    out_.has_data = 1;
    return true;
  }

  Profile profile_;
  Fault fault_;
  otaconf_result& out_;
};

}  // namespace

const std::vector<MutantInfo>& mutants() {
  static const std::vector<MutantInfo> list = [] {
    std::vector<MutantInfo> out;
    for (const auto& entry : entries()) out.push_back(entry.info);
    return out;
  }();
  return list;
}

const std::vector<MutantInfo>& variants() {
  static const std::vector<MutantInfo> list = [] {
    std::vector<MutantInfo> out;
    for (const auto& entry : variant_entries()) out.push_back(entry.info);
    return out;
  }();
  return list;
}

std::string behaviour_from_environment() {
  const char* mutant = std::getenv("OTACLIENT_MUTANT");
  if (mutant && *mutant) return mutant;
  const char* variant = std::getenv("OTACLIENT_VARIANT");
  return variant ? variant : "";
}

Profile profile_named(std::string_view name) {
  if (name == "lenient") return Profile::Lenient;
  if (name == "as-documented") return Profile::AsDocumented;
  return Profile::Strict;
}

void parse(std::string_view body, Profile profile, std::string_view mutant, otaconf_result& out) {
  try {
    Parser(profile, fault_named(mutant), out).run(body);
  } catch (...) {
    // Nothing crosses the C ABI: an internal failure is a rejection.
    std::memset(&out, 0, sizeof out);
    std::strcpy(out.reason, "internal error");
  }
}

}  // namespace otaclient

extern "C" int otaconf_adapter_parse(const unsigned char* body, std::size_t length, const char* profile,
                                     otaconf_result* out) {
  if (!out || (!body && length > 0)) return 1;
  otaclient::parse(std::string_view(reinterpret_cast<const char*>(body), length),
                   otaclient::profile_named(profile ? profile : "strict"), otaclient::behaviour_from_environment(),
                   *out);
  return 0;
}
