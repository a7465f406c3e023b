#include "otaconf/vectors.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "otaconf/interpret.h"
#include "otaconf/paths.h"


namespace otaconf::vectors {

using nlohmann::json;

std::string Vector::expectation(const std::string& profile) const {
  if (!meta.contains("expect") || !meta["expect"].contains(profile)) return "either";
  return meta["expect"][profile].get<std::string>();
}

std::vector<std::string> Vector::clauses() const {
  if (!meta.contains("clauses")) return {};
  return meta["clauses"].get<std::vector<std::string>>();
}

std::string Vector::probe() const {
  if (meta.contains("probe") && meta["probe"].is_string()) return meta["probe"].get<std::string>();
  const auto list = clauses();
  return list.empty() ? std::string() : list.front();
}

std::string Vector::base() const {
  return meta.contains("base") && meta["base"].is_string() ? meta["base"].get<std::string>() : std::string();
}

std::filesystem::path default_directory() {
  return paths::data_dir() / "vectors";
}

namespace {

std::string read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void check_meta(const json& meta, const std::string& file) {
  auto fail = [&](const std::string& pointer, const std::string& message) {
    throw InputError({file, pointer, message});
  };
  if (!meta.is_object()) fail("", "the expectation file is not a JSON object");
  if (!meta.contains("clauses") || !meta["clauses"].is_array() || meta["clauses"].empty()) {
    fail("/clauses", "expected a non-empty array of clause ids");
  }
  if (meta.contains("probe") && !meta["probe"].is_string()) fail("/probe", "expected a clause id");
  if (meta.contains("base") && !meta["base"].is_string()) fail("/base", "expected the name of a vector");
  if (!meta.contains("expect") || !meta["expect"].is_object())
    fail("/expect", "expected an object: profile -> accept|reject|either");
  for (const auto& [profile, value] : meta["expect"].items()) {
    if (value != "accept" && value != "reject" && value != "either")
      fail("/expect/" + profile, "expected accept, reject or either");
  }
}

}  // namespace

std::vector<Vector> load(const std::filesystem::path& directory) {
  std::vector<Vector> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec))
    throw InputError({directory.string(), "", "not a directory of vectors"});
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() != ".body") continue;
    auto meta_file = entry.path();
    meta_file.replace_extension(".json");
    if (!std::filesystem::exists(meta_file))
      throw InputError({meta_file.string(), "", "missing: every vector needs its expectation"});
    const auto meta = json::parse(read(meta_file), nullptr, false);
    if (meta.is_discarded()) throw InputError({meta_file.string(), "", "not valid JSON"});
    check_meta(meta, meta_file.string());
    out.push_back({entry.path().stem().string(), read(entry.path()), meta, entry.path()});
  }
  std::sort(out.begin(), out.end(), [](const Vector& a, const Vector& b) { return a.name < b.name; });
  return out;
}

std::size_t write(const std::vector<Vector>& vectors, const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  std::size_t changed = 0;
  for (const auto& v : vectors) {
    const auto body_file = directory / (v.name + ".body");
    const auto meta_file = directory / (v.name + ".json");
    const auto meta_text = v.meta.dump(2) + "\n";
    if (read(body_file) != v.body) {
      std::ofstream(body_file, std::ios::binary) << v.body;
      ++changed;
    }
    if (read(meta_file) != meta_text) {
      std::ofstream(meta_file, std::ios::binary) << meta_text;
      ++changed;
    }
  }
  return changed;
}

// ---- generation ---------------------------------------------------------------

namespace {

struct Generator {
  const spec::Spec& spec;
  const spec::Endpoint& endpoint;
  const spec::Response& response;
  std::vector<Vector> out;

  std::string code_name() const { return response.envelope_role("code")->name; }
  std::string message_name() const { return response.envelope_role("message")->name; }
  std::string data_name() const { return response.envelope_role("data")->name; }

  bool valid_everywhere(const spec::Field& field, const json& value) const {
    for (const auto& profile : spec.profiles) {
      if (!interpret::in_domain(field.domain_under(profile), value)) return false;
    }
    return true;
  }

  // A value of the field valid under every profile: an example, or a
  // synthesized one.
  json valid_value(const spec::Field& field) const {
    std::vector<json> candidates = field.examples;
    if (field.type == spec::ValueType::String) {
      for (const char* text :
           {"0123456789abcdef0123456789abcdef", "ota_iF0hnXrq2CxLrP8vZ39l", "1.3", "127.0.0.1:8080"}) {
        candidates.push_back(text);
      }
    } else if (field.type == spec::ValueType::Integer) {
      for (std::int64_t n : {1234, 12, 60, 3, 0}) candidates.push_back(n);
    }
    for (const auto& c : candidates) {
      const bool typed = field.type == spec::ValueType::String ? c.is_string() : c.is_number_integer();
      if (typed && valid_everywhere(field, c)) return c;
    }
    return field.examples.empty() ? json(nullptr) : field.examples.front();
  }

  json valid_data() const {
    json data = json::object();
    for (const auto& field : response.data_fields) data[field.name] = valid_value(field);
    return data;
  }

  json body(std::int64_t code, const std::string& message, const json* data) const {
    json b = json::object();
    b[code_name()] = code;
    b[message_name()] = message;
    if (data) b[data_name()] = *data;
    return b;
  }

  // A vector whose expectation in every profile, and result, are the
  // spec's own judgement (interpret_response); `probe` is the clause it was
  // made for (first of `clauses` when empty).
  void add(const std::string& tail, const std::string& text, std::vector<std::string> clauses, const std::string& note,
           const std::string& probe = "", bool from_base = true, const std::string& order_suffix = "",
           const std::string& base = "") {
    json expect = json::object();
    json result = nullptr;
    for (const auto& profile : spec.profiles) {
      const auto judgement = interpret::interpret_response(endpoint, profile, text);
      using V = interpret::ResponseJudgement::Verdict;
      expect[profile.id] = judgement.verdict == V::Accept   ? "accept"
                           : judgement.verdict == V::Reject ? "reject"
                                                            : "either";
      const bool preferred = result.is_null() || profile.id == spec.default_profile;
      if (judgement.verdict == V::Accept && preferred) result = judgement.result;
    }
    const auto strict = expect.value(spec.default_profile, std::string("either"));
    const std::string prefix = strict == "accept" ? "y_" : strict == "reject" ? "n_" : "i_";
    json meta = {
        {"clauses", clauses}, {"probe", probe.empty() ? clauses.front() : probe}, {"note", note}, {"expect", expect}};
    if (!result.is_null()) meta["result"] = result;
    // Every vector but the base itself is the base success answer with one difference.
    if (from_base) meta["base"] = (base.empty() ? base_name() : base) + order_suffix;
    out.push_back({prefix + "gen_" + tail, text, meta, {}});
  }

  // Member orders a parser may wrongly depend on: the alphabetical dump, the
  // document's own order (errno, error, data; the data table's order),
  // its reverse, and a shuffle whose seed is the vector's name.
  enum class Order { Document, Reversed, Shuffled };

  int rank(const std::string& key) const {
    int i = 0;
    for (const auto& f : response.envelope) {
      if (f.name == key) return i;
      ++i;
    }
    for (const auto& f : response.data_fields) {
      if (f.name == key) return i;
      ++i;
    }
    return i;  // members the spec does not know come last
  }

  std::string ordered(const json& value, Order order, const std::string& seed) const {
    if (!value.is_object()) return value.dump();
    std::vector<std::string> keys;
    for (const auto& item : value.items()) keys.push_back(item.key());
    auto shuffled = [&](const std::string& key) {  // FNV-1a: the same order on every platform
      std::uint64_t h = 14695981039346656037ull;
      for (char c : seed + "/" + key) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
      return h;
    };
    std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
      switch (order) {
        case Order::Document: return rank(a) < rank(b);
        case Order::Reversed: return rank(a) > rank(b);
        case Order::Shuffled: return shuffled(a) < shuffled(b);
      }
      return a < b;
    });
    std::string text = "{";
    for (const auto& key : keys) {
      text += (text.size() > 1 ? "," : "") + json(key).dump() + ":" + ordered(value[key], order, seed);
    }
    return text + "}";
  }

  // A vector from a JSON body, in four member orders: as dumped
  // (alphabetical) under `tail`, and in the document's order, reversed and
  // shuffled (seed "otaconf") under `tail` + _in_doc_order, _reversed,
  // _shuffled; each order's vector differs from the base vector of the same
  // order.
  void add_body(const std::string& tail, const json& body, std::vector<std::string> clauses, const std::string& note,
                const std::string& probe = "", bool from_base = true, const std::string& base = "") {
    add(tail, body.dump(), clauses, note, probe, from_base, "", base);
    const std::pair<Order, const char*> orders[] = {
        {Order::Document, "_in_doc_order"}, {Order::Reversed, "_reversed"}, {Order::Shuffled, "_shuffled"}};
    for (const auto& [order, suffix] : orders) {
      // One seed for every shuffle: a vector and its base share the order, so only their difference differs.
      add(tail + suffix, ordered(body, order, "otaconf"), clauses, note + " (members" + suffix + ")", probe, from_base,
          suffix, base);
    }
  }

  std::vector<std::string> code_clauses(std::int64_t code) const {
    std::vector<std::string> clauses = {"RESP.ERRNO.CODESET"};
    if (const auto* entry = endpoint.error_code(code)) {
      for (const auto& c : entry->clauses) {
        const auto* clause = spec.clause(c);
        if (clause && clause->side != spec::Side::Server) clauses.push_back(c);
      }
    }
    if (code != response.success_code && spec.clause("CLI.ACTION.NO_DOWNLOAD_ON_ERROR")) {
      clauses.push_back("CLI.ACTION.NO_DOWNLOAD_ON_ERROR");
    }
    return clauses;
  }

  void codes() {
    const auto data = valid_data();
    for (const auto& code : endpoint.error_codes) {
      const bool success = code.code == response.success_code;
      const auto message = success ? response.success_message : code.meaning;
      const auto clauses = code_clauses(code.code);
      add_body("errno_" + std::to_string(code.code), body(code.code, message, success ? &data : nullptr), clauses,
               "errno " + std::to_string(code.code) + ": " + code.meaning, action_clause(code.code), !success);
    }
    // Each error answer carrying data anyway: accepted, the data ignored.
    for (const auto& code : endpoint.error_codes) {
      if (code.code == response.success_code) continue;
      auto clauses = code_clauses(code.code);
      clauses.push_back("RESP.DATA.ABSENT");
      add_body("errno_" + std::to_string(code.code) + "_with_data", body(code.code, code.meaning, &data), clauses,
               "errno " + std::to_string(code.code) + " with a data object, which must be ignored", "RESP.DATA.ABSENT");
    }
  }

  std::string base_name() const { return "y_gen_errno_" + std::to_string(response.success_code); }

  // The clause a client's reaction to `code` answers to.
  std::string action_clause(std::int64_t code) const {
    if (const auto* entry = endpoint.error_code(code)) {
      for (const auto& c : entry->clauses) {
        const auto* clause = spec.clause(c);
        if (clause && clause->side == spec::Side::Client) return c;
      }
    }
    return "RESP.ERRNO.CODESET";
  }

  void envelope() {
    const auto data = valid_data();
    const auto success = body(0, response.success_message, &data);
    auto with = [&](const std::string& key, const json& value) {
      auto b = success;
      if (value.is_discarded()) {
        b.erase(key);
      } else {
        b[key] = value;
      }
      return b;
    };
    auto written = [&](const std::string& text) {  // errno written as `text` in the success answer
      auto written_body = success.dump();
      const auto plain = "\"" + code_name() + "\":0";
      written_body.replace(written_body.find(plain), plain.size(), "\"" + code_name() + "\":" + text);
      return written_body;
    };
    add_body("errno_missing", with(code_name(), json(json::value_t::discarded)),
             {"RESP.ERRNO.TYPE", "CLI.PARSE.REJECT"}, "no errno");
    add_body("errno_string", with(code_name(), "0"), {"RESP.ERRNO.TYPE", "CLI.PARSE.REJECT"}, "errno as a string");
    add("errno_float", written("0.0"), {"RESP.ERRNO.TYPE", "CLI.PARSE.REJECT"},
        "errno 0.0: an integer value written with a fraction");
    add("errno_exponent", written("0e0"), {"RESP.ERRNO.TYPE", "CLI.PARSE.REJECT"}, "errno written 0e0");
    add("errno_fraction", written("0.5"), {"RESP.ERRNO.TYPE", "CLI.PARSE.REJECT"},
        "errno 0.5: no integer in any reading");
    add_body("errno_unknown_code", with(code_name(), 3),
             {"RESP.ERRNO.CODESET", "CLI.PARSE.REJECT", "CLI.ACTION.NO_DOWNLOAD_ON_ERROR"},
             "errno 3 is not a code of the table; it carries data, which must not start a download");
    add_body("error_missing", with(message_name(), json(json::value_t::discarded)),
             {"RESP.ERROR.TYPE", "CLI.PARSE.REJECT"}, "no error member");
    add_body("error_not_string", with(message_name(), 5), {"RESP.ERROR.TYPE", "CLI.PARSE.REJECT"}, "error is a number");
    add_body("success_without_data", with(data_name(), json(json::value_t::discarded)),
             {"RESP.DATA.PRESENT", "CLI.PARSE.REJECT"}, "errno 0 without data");
    add_body("success_data_null", with(data_name(), nullptr), {"RESP.DATA.PRESENT", "CLI.PARSE.REJECT"},
             "errno 0 with data null");
    for (const char* text : {"[]", "\"succ\"", "null", "0"}) {
      add(std::string("not_an_object_") + (text[0] == '['   ? "array"
                                           : text[0] == '"' ? "string"
                                           : text[0] == 'n' ? "null"
                                                            : "number"),
          text, {"CLI.PARSE.REJECT", "RESP.ENVELOPE.JSON"}, "the body is not a JSON object");
    }
  }

  std::string slug(std::string text) const {
    for (auto& c : text) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return text;
  }

  // A data value under each profile: accepted where the profile's reading of the field takes it.
  void data_value(const spec::Field& field, const std::string& tail, const json& value, const std::string& note) {
    auto data = valid_data();
    data[field.name] = value;
    std::vector<std::string> clauses = field.clauses;
    clauses.erase(std::remove(clauses.begin(), clauses.end(), "RESP.DATA.VALUES"), clauses.end());
    clauses.push_back("CLI.PARSE.REJECT");
    add_body("data_" + field.name + "_" + tail, body(0, response.success_message, &data), clauses, note);
  }

  void data_fields() {
    for (const auto& field : response.data_fields) {
      auto data = valid_data();
      data.erase(field.name);
      add_body("data_" + field.name + "_missing", body(0, response.success_message, &data),
               {field.clauses.front(), "RESP.DATA.PRESENT", "CLI.PARSE.REJECT"}, "data without " + field.name);
      const auto valid = valid_value(field);
      if (field.type == spec::ValueType::Integer) {
        data_value(field, "as_string", json(valid.dump()), field.name + " as a JSON string");
        data_value(field, "as_float", json(1.5), field.name + " with a fraction");
        std::set<std::int64_t> bounds;
        for (const auto& profile : spec.profiles) {
          const auto& d = field.domain_under(profile);
          if (d.min) bounds.insert(*d.min);
          if (d.max) bounds.insert(*d.max);
          if (d.min && *d.min > INT64_MIN) bounds.insert(*d.min - 1);
          if (d.max && *d.max < INT64_MAX) bounds.insert(*d.max + 1);
          for (const auto& [low, high] : d.excluded_ranges) bounds.insert(low);
          if (d.max && *d.max >= (std::int64_t{1} << 32)) {
            bounds.insert(std::int64_t{1} << 31);
            bounds.insert((std::int64_t{1} << 32) + 1);
          }
        }
        // The widths a device may store an integer in: each edge where some profile takes the value.
        for (std::int64_t edge : {127LL, 128LL, 255LL, 256LL, 32767LL, 32768LL, 65535LL, 65536LL, 2147483647LL,
                                  2147483648LL, 4294967295LL, 4294967296LL}) {
          for (auto sign : {1LL, -1LL}) {
            const json candidate(sign * edge);
            const bool somewhere = std::any_of(spec.profiles.begin(), spec.profiles.end(), [&](const spec::Profile& p) {
              return interpret::in_domain(field.domain_under(p), candidate);
            });
            if (somewhere) bounds.insert(sign * edge);
          }
        }
        for (auto bound : bounds)
          data_value(field, "value_" + slug(std::to_string(bound)), json(bound),
                     field.name + " = " + std::to_string(bound));
        if (field.domain.max && *field.domain.max == INT64_MAX) {
          // 2^63 does not fit a signed 64-bit integer.
          auto big = valid_data();
          const auto text = body(0, response.success_message, &big).dump();
          const auto key = "\"" + field.name + "\":" + big[field.name].dump();
          auto patched = text;
          patched.replace(patched.find(key), key.size(), "\"" + field.name + "\":9223372036854775808");
          add("data_" + field.name + "_2pow63", patched, {field.clauses.front(), "CLI.PARSE.REJECT"},
              field.name + " = 2^63, past int64");
        }
      } else if (field.type == spec::ValueType::String) {
        data_value(field, "as_number", json(12345), field.name + " as a JSON number");
        data_value(field, "empty", json(""), field.name + " empty");
        std::set<std::size_t> lengths;
        for (const auto& profile : spec.profiles) {
          if (const auto& max = field.domain_under(profile).max_length) {
            lengths.insert(*max);  // the longest value a parser must hold
            lengths.insert(*max + 1);
          }
        }
        for (auto length : lengths)
          data_value(field, "length_" + std::to_string(length), json(std::string(length, 'a')),
                     field.name + " of " + std::to_string(length) + " bytes");
        if (valid.is_string()) {
          auto upper = valid.get<std::string>();
          std::transform(upper.begin(), upper.end(), upper.begin(),
                         [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
          if (upper != valid.get<std::string>())
            data_value(field, "upper_case", json(upper), field.name + " in upper case");
        }
        for (const auto& example : field.examples) {
          if (example.is_string() && !valid_everywhere(field, example)) {
            data_value(field, "document_example", example, field.name + " as the document's example writes it");
          }
        }
        if (valid.is_string()) {
          // Characters a URL path must escape, and a value past a 16-byte buffer that is still valid.
          for (const auto& [tail, inserted] : std::vector<std::pair<std::string, std::string>>{
                   {"with_slash", "/"}, {"with_space", " "}, {"with_percent", "%2F"}, {"with_question_mark", "?"}}) {
            data_value(field, tail, json(valid.get<std::string>() + inserted + "x"),
                       field.name + " holding '" + inserted + "'");
          }
          const auto longer = longest_valid(field);
          if (!longer.empty() && longer != valid.get<std::string>()) {
            data_value(field, "long_valid", json(longer),
                       field.name + " of " + std::to_string(longer.size()) + " bytes, valid");
          }
        }
      }
    }
  }

  // A valid value longer than a 16-byte buffer, where the field has one (a
  // host name and port for an address, repeated valid characters otherwise).
  std::string longest_valid(const spec::Field& field) const {
    for (const std::string& candidate :
         {std::string("ota-cdn-01.firmware.example-provider.com:8080"), std::string(40, 'a'), std::string(17, '1')}) {
      if (valid_everywhere(field, json(candidate))) return candidate;
    }
    return {};
  }

  // Structure a hand-rolled getter trips over: a member name quoted inside a
  // string, one name in two letter cases, "succ" with a failure code.
  void structure() {
    const auto data = valid_data();
    for (const auto& code : endpoint.error_codes) {
      if (code.code == response.success_code) continue;
      const auto n = std::to_string(code.code);
      // The failure says "succ": the action is the code's, whatever the text.
      add_body("errno_" + n + "_says_succ", body(code.code, response.success_message, nullptr), code_clauses(code.code),
               "errno " + n + " with error \"succ\": the code decides", action_clause(code.code));
      add_body("errno_" + n + "_says_succ_with_data", body(code.code, response.success_message, &data),
               code_clauses(code.code), "errno " + n + " with error \"succ\" and data: still no download",
               action_clause(code.code));
      // The success's members quoted inside the error text, before the real ones in the document's order.
      json quoted = {{code_name(), response.success_code}, {data_name(), data}};
      add_body("errno_" + n + "_error_quotes_success", body(code.code, "see " + quoted.dump(), nullptr),
               code_clauses(code.code), "errno " + n + " whose error text quotes a success answer", "CLI.PARSE.JSON");
    }
    // A member the spec does not know, and one whose text quotes a data member: a getter that searches the
    // text finds the quoted one where the unknown member comes first (the reversed and shuffled orders).
    auto noted = body(response.success_code, response.success_message, &data);
    noted["note"] = "ok";
    add_body("success_with_unknown_member", noted, {"CLI.PARSE.UNKNOWN_FIELDS"},
             "an unknown member beside the envelope");
    for (const auto& field : response.data_fields) {
      if (field.type != spec::ValueType::String) continue;
      noted["note"] = json::object({{field.name, "Z" + data[field.name].get<std::string>().substr(1)}}).dump();
      add_body("success_note_quotes_" + field.name, noted, {"CLI.PARSE.JSON", field.clauses.front()},
               "an unknown member whose text quotes a " + field.name + " member", "CLI.PARSE.JSON", true,
               "y_gen_success_with_unknown_member");
    }
    // One data member in two letter cases: only the profile's own spelling counts (or the choice is open).
    for (const auto& field : response.data_fields) {
      if (field.type != spec::ValueType::String) continue;
      auto twice = data;
      std::string other = field.name;
      other[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(other[0])));
      if (other == field.name) continue;
      twice[other] = json("Z" + twice[field.name].get<std::string>().substr(1));
      add_body("data_" + field.name + "_in_two_cases", body(0, response.success_message, &twice),
               {field.clauses.front(), "CLI.PARSE.JSON"}, field.name + " and " + other + " side by side",
               field.clauses.front());
    }
  }

  // The table's spellings: accepted where the profile reads them.
  void spellings() {
    json b = json::object();
    json data = json::object();
    const json plain_data = valid_data();
    auto use = [&](const spec::Field& field, json& into, const json& value) {
      into[field.aliases.empty() ? field.name : field.aliases.front().spelling] = value;
    };
    for (const auto& field : response.data_fields) use(field, data, plain_data[field.name]);
    use(*response.envelope_role("code"), b, 0);
    use(*response.envelope_role("message"), b, response.success_message);
    use(*response.envelope_role("data"), b, data);
    add_body("table_spellings", b, {"RESP.ERRNO.TYPE", "CLI.PARSE.REJECT"},
             "every member spelled as the document's tables write it (Error no, The power, MD5, ...)");
  }
};

}  // namespace

std::vector<Vector> generate(const spec::Spec& spec) {
  const auto* endpoint = spec.endpoint_by_role("check");
  if (!endpoint || !endpoint->response) return {};
  Generator g{spec, *endpoint, *endpoint->response, {}};
  g.codes();
  g.structure();
  g.envelope();
  g.data_fields();
  g.spellings();
  return std::move(g.out);
}

}  // namespace otaconf::vectors
