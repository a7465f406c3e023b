#include "mutators.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "otaconf/check_request.h"
#include "otaconf/crypto.h"
#include "request_input.h"

namespace otaconf::fuzz {

using nlohmann::json;

namespace {

bool bytes_only() {
  static const bool off = environment("OTACONF_FUZZ_MUTATOR") == "bytes";
  return off;
}

std::size_t emit(const std::string& text, std::uint8_t* data, std::size_t size, std::size_t max_size) {
  if (text.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, text.data(), text.size());
  return text.size();
}

class Rng {
 public:
  explicit Rng(unsigned int seed) : engine_(seed) {}
  std::size_t below(std::size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(engine_);
  }
  bool coin() { return below(2) == 0; }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937 engine_;
};

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Every spelling the spec knows for a field, in any profile, plus case variants.
std::vector<std::string> spellings_of(const spec::Field& field) {
  std::vector<std::string> out = {field.name, upper(field.name)};
  for (const auto& alias : field.aliases) {
    out.push_back(alias.spelling);
    out.push_back(lower(alias.spelling));
  }
  if (!field.name.empty())
    out.push_back(std::string(1, static_cast<char>(std::toupper(field.name[0]))) + field.name.substr(1));
  return out;
}

// Values on and past the field's domain boundaries, in every profile.
std::vector<json> boundary_values(const spec::Field& field) {
  std::vector<json> out = field.examples;
  std::vector<const spec::Domain*> domains = {&field.domain};
  for (const auto& conditional : field.domain_when) domains.push_back(&conditional.domain);
  for (const auto* d : domains) {
    for (const auto& e : d->enum_values) out.push_back(e.value);
    for (auto bound : {d->min, d->max}) {
      if (!bound) continue;
      out.push_back(*bound);
      if (*bound > INT64_MIN) out.push_back(*bound - 1);
      if (*bound < INT64_MAX) out.push_back(*bound + 1);
    }
    for (const auto& [low, high] : d->excluded_ranges) {
      out.push_back(low);
      out.push_back(high);
    }
    for (auto length : {d->min_length, d->max_length}) {
      if (!length) continue;
      out.push_back(std::string(*length, 'a'));
      out.push_back(std::string(*length + 1, 'f'));
      if (*length > 0) out.push_back(std::string(*length - 1, '0'));
    }
  }
  for (std::int64_t n : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1} << 31, std::int64_t{1} << 32, INT64_MAX})
    out.push_back(n);
  out.push_back(std::uint64_t{1} << 63);
  out.push_back("");
  // Characters a pattern's '.' or a C string trips over.
  for (const char* odd : {"a\nb", "a\rb", "\t", " ", "a b", "a\x7f"}) out.push_back(odd);
  out.push_back(std::string("a\0b", 3));
  out.push_back("0123456789ABCDEF0123456789ABCDEF");
  out.push_back("\xe4\xb8\xad\xe5\x9b\xbd\xe7\xa7\xbb\xe5\x8a\xa8");  // 中国移动
  return out;
}

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::vector<json> other_types(const json& value) {
  return {json(dump(value)), json(1.5), json(nullptr), json::array(), json::object(), json(true), json(0), json("0")};
}

// Serializes an object with its members in an order of our choosing,
// possibly naming one twice (nlohmann's dump() sorts and cannot repeat).
std::string write_object(const json& object, Rng& rng, bool shuffle, bool repeat_one) {
  std::vector<std::pair<std::string, const json*>> members;
  for (const auto& [key, value] : object.items()) members.emplace_back(key, &value);
  if (shuffle) std::shuffle(members.begin(), members.end(), std::mt19937(static_cast<unsigned>(rng.below(1u << 30))));
  if (repeat_one && !members.empty()) members.push_back(members[rng.below(members.size())]);
  std::string out = "{";
  for (const auto& [key, value] : members) {
    if (out.size() > 1) out += ",";
    out += dump(json(key)) + ":" + (value->is_object() ? write_object(*value, rng, shuffle, false) : dump(*value));
  }
  return out + "}";
}

// ---- responses ------------------------------------------------------------

class ResponseMutation {
 public:
  ResponseMutation(json document, Rng& rng) : doc_(std::move(document)), rng_(rng) {
    const auto& response = *check_endpoint().response;
    for (const auto& f : response.envelope) envelope_.push_back(&f);
    for (const auto& f : response.data_fields) data_.push_back(&f);
  }

  std::string run() {
    bool shuffle = false, repeat = false;
    switch (rng_.below(8)) {
      case 0: respell(); break;
      case 1: retype(); break;
      case 2: boundary(); break;
      case 3: drop(); break;
      case 4: set_code(); break;
      case 5: replace_data(); break;
      case 6: shuffle = true; break;
      default: repeat = true; break;
    }
    return write_object(doc_, rng_, shuffle, repeat);
  }

 private:
  // The object to work in: the envelope, or data when it is an object.
  json& container() {
    const auto data_name = check_endpoint().response->envelope_role("data")->name;
    if (rng_.coin() && doc_.contains(data_name) && doc_[data_name].is_object()) return doc_[data_name];
    return doc_;
  }

  const spec::Field* field_for(const json& where, const std::string& key) const {
    const auto& fields = &where == &doc_ ? envelope_ : data_;
    for (const auto* f : fields) {
      for (const auto& s : spellings_of(*f)) {
        if (lower(s) == lower(key)) return f;
      }
    }
    return nullptr;
  }

  std::string any_key(const json& where) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : where.items()) keys.push_back(key);
    return keys.empty() ? std::string() : rng_.pick(keys);
  }

  void respell() {
    auto& where = container();
    const auto key = any_key(where);
    if (key.empty()) return;
    const auto* field = field_for(where, key);
    const auto& fields = &where == &doc_ ? envelope_ : data_;
    const auto spellings = spellings_of(field ? *field : *rng_.pick(fields));
    auto value = where[key];
    where.erase(key);
    where[rng_.pick(spellings)] = std::move(value);
  }

  void retype() {
    auto& where = container();
    const auto key = any_key(where);
    if (!key.empty()) where[key] = rng_.pick(other_types(where[key]));
  }

  void boundary() {
    const bool in_data = rng_.coin();
    const auto* field = rng_.pick(in_data ? data_ : envelope_);
    const auto data_name = check_endpoint().response->envelope_role("data")->name;
    if (in_data && !(doc_.contains(data_name) && doc_[data_name].is_object())) doc_[data_name] = json::object();
    auto& where = in_data ? doc_[data_name] : doc_;
    where[field->name] = rng_.pick(boundary_values(*field));
  }

  void drop() {
    auto& where = container();
    const auto key = any_key(where);
    if (!key.empty()) where.erase(key);
  }

  void set_code() {
    const auto& endpoint = check_endpoint();
    std::vector<json> codes = {3, -1, std::int64_t{1} << 31};
    for (const auto& c : endpoint.error_codes) codes.push_back(c.code);
    doc_[endpoint.response->envelope_role("code")->name] = rng_.pick(codes);
  }

  void replace_data() {
    const auto data_name = check_endpoint().response->envelope_role("data")->name;
    if (rng_.below(4) == 0) {
      doc_.erase(data_name);
      return;
    }
    json data = json::object();
    for (const auto* f : data_) {
      if (!f->examples.empty()) data[f->name] = f->examples.front();
    }
    doc_[data_name] = data;
  }

  json doc_;
  Rng& rng_;
  std::vector<const spec::Field*> envelope_, data_;
};

// ---- requests -------------------------------------------------------------

struct Param {
  std::string key, value;  // decoded
};

std::vector<Param> query_params(const std::string& target) {
  std::vector<Param> out;
  const auto mark = target.find('?');
  if (mark == std::string::npos) return out;
  for (const auto& [key, value] : http::split_query(std::string_view(target).substr(mark + 1))) {
    out.push_back(
        {crypto::url_decode(key, true).value_or(std::string(key)), crypto::url_decode(value, true).value_or("")});
  }
  return out;
}

std::string write_query(const std::vector<Param>& params) {
  std::string out;
  for (const auto& p : params) {
    if (!out.empty()) out += "&";
    out += crypto::url_encode(p.key) + "=" + crypto::url_encode(p.value);
  }
  return out;
}

json typed(const std::string& value) {
  auto parsed = json::parse(value, nullptr, false);
  return !parsed.is_discarded() && (parsed.is_number() || parsed.is_boolean()) ? parsed : json(value);
}

class RequestMutation {
 public:
  RequestMutation(http::Request request, Rng& rng) : request_(std::move(request)), rng_(rng) {
    const auto mark = request_.target.find('?');
    path_ = request_.target.substr(0, mark);
    params_ = query_params(request_.target);
    for (const auto& f : check_endpoint().request_fields) fields_.push_back(&f);
  }

  std::string run() {
    switch (rng_.below(9)) {
      case 0: respell(); break;
      case 1: boundary(); break;
      case 2: drop(); break;
      case 3: duplicate(); break;
      case 4: to_body(); break;
      case 5: to_query(); break;
      case 6: header(); break;
      case 7: params_.push_back({"x_" + std::to_string(rng_.below(100)), "1"}); break;
      default: boundary(); break;
    }
    request_.target = path_ + (params_.empty() ? "" : "?" + write_query(params_));
    return encode_request(request_);
  }

 private:
  const spec::Field* field_for(const std::string& key) const {
    for (const auto* f : fields_) {
      for (const auto& s : spellings_of(*f)) {
        if (lower(s) == lower(key)) return f;
      }
    }
    return nullptr;
  }

  Param* any_param() { return params_.empty() ? nullptr : &params_[rng_.below(params_.size())]; }

  void respell() {
    if (auto* p = any_param()) {
      const auto* field = field_for(p->key);
      p->key = rng_.pick(spellings_of(field ? *field : *rng_.pick(fields_)));
    }
  }

  void boundary() {
    const auto* field = rng_.pick(fields_);
    const auto value = rng_.pick(boundary_values(*field));
    const auto text = requests::as_text(value);
    for (auto& p : params_) {
      if (field_for(p.key) == field) {
        p.value = text;
        return;
      }
    }
    params_.push_back({field->name, text});
  }

  void drop() {
    if (!params_.empty()) params_.erase(params_.begin() + static_cast<std::ptrdiff_t>(rng_.below(params_.size())));
  }

  void duplicate() {
    if (auto* p = any_param()) {
      auto copy = *p;
      if (rng_.coin()) copy.value += "0";
      params_.push_back(copy);
    }
  }

  // The parameters as a JSON body (the document's literal reading).
  void to_body() {
    json body = json::object();
    for (const auto& p : params_) body[p.key] = rng_.below(4) == 0 ? json(p.value) : typed(p.value);
    request_.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    params_.clear();
  }

  void to_query() {
    auto body = json::parse(request_.body, nullptr, false);
    if (!body.is_object()) return;
    for (const auto& [key, value] : body.items()) params_.push_back({key, requests::as_text(value)});
    request_.body.clear();
  }

  void header() {
    auto& headers = request_.headers;
    const auto which = rng_.below(4);
    if (which == 0 && !headers.empty()) {
      headers.erase(headers.begin() + static_cast<std::ptrdiff_t>(rng_.below(headers.size())));
    } else if (which == 1) {
      headers.emplace_back("Content-Type", rng_.coin() ? "application/json" : "text/plain");
    } else {
      for (auto& [name, value] : headers) {
        if (lower(name) != "authorization" || value.empty()) continue;
        // Tamper with one character of the token (signature, et, res, method).
        value[rng_.below(value.size())] = "A0%&=_"[rng_.below(6)];
        return;
      }
    }
  }

  http::Request request_;
  Rng& rng_;
  std::string path_;
  std::vector<Param> params_;
  std::vector<const spec::Field*> fields_;
};

}  // namespace

std::size_t mutate_response(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned int seed) {
  Rng rng(seed);
  if (bytes_only() || rng.below(3) == 0) return LLVMFuzzerMutate(data, size, max_size);
  auto document = json::parse(data, data + size, nullptr, false);
  if (document.is_discarded() || !document.is_object()) return LLVMFuzzerMutate(data, size, max_size);
  return emit(ResponseMutation(std::move(document), rng).run(), data, size, max_size);
}

std::size_t mutate_request(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned int seed) {
  Rng rng(seed);
  if (bytes_only() || rng.below(3) == 0) return LLVMFuzzerMutate(data, size, max_size);
  auto request = decode_request(std::string_view(reinterpret_cast<const char*>(data), size));
  return emit(RequestMutation(std::move(request), rng).run(), data, size, max_size);
}

}  // namespace otaconf::fuzz
