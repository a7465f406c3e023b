// The reference decision logic, written from the document:
//   fault injection (7) > authorization (1) > parameters (2) > unknown
//   device or foreign token (1) > no task of the type (11) > suspended (19)
//   > invalid (13) > manuf/model (8) > version (9) > signal/power (10)
//   > unreadable package (7) > success (0).
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "auth.h"
#include "download.h"
#include "mutants.h"
#include "otaconf/refserver.h"
#include "params.h"

namespace otaconf::refserver {

using nlohmann::json;

std::string WireResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (std::equal(key.begin(), key.end(), name.begin(), name.end(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

namespace {

const spec::Profile& profile_of(const spec::Spec& spec, const std::string& name) {
  const auto* profile = spec.profile(name);
  if (!profile) throw std::invalid_argument("the spec has no profile '" + name + "'");
  return *profile;
}

const spec::Endpoint& check_endpoint(const spec::Spec& spec) {
  const auto* check = spec.endpoint_by_role("check");
  if (!check) throw std::invalid_argument("the spec has no check endpoint");
  return *check;
}

WireResponse json_response(int status, const json& body, const char* content_type = "application/json") {
  WireResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", content_type);
  response.body = body.dump();
  return response;
}

// The behaviour a server is switched to: a mutant, or a legal variant.
Fault behaviour_of(const Options& options) {
  if (!options.mutant.empty() && !options.variant.empty()) {
    throw std::invalid_argument("a mutant and a variant at once: choose one");
  }
  return options.variant.empty() ? fault_named(options.mutant) : fault_named(options.variant, true);
}

ProfileRules rules_with(ProfileRules rules, Fault fault) {
  if (fault == Fault::DevIdAnyString) rules.dev_id_any_string = true;
  if (fault == Fault::ThresholdsStrictlyGreater) rules.threshold_strictly_greater = true;
  if (fault == Fault::ReadsEverySpelling) {
    rules.json_body = true;
    rules.case_insensitive_names = true;
    rules.dev_id_integer = true;
  }
  return rules;
}

}  // namespace

struct Service::Impl {
  Impl(const spec::Spec& spec, fixture::Fixture fixture_in, Options options_in)
      : fixture(std::move(fixture_in)),
        options(std::move(options_in)),
        fault(behaviour_of(options)),
        rules(rules_with(rules_for(options.profile), fault)),
        params(check_endpoint(spec), profile_of(spec, options.profile), rules, fault),
        verifier(fixture, rules.raw_token_values, fault, rules.expiry_leeway) {
    if (!options.clock) {
      options.clock = [] {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
    }
  }

  WireResponse handle(const WireRequest& request, const fixture::SelfAddress& self) {
    auto response = route(request, self);
    if (fault == Fault::ChunkedAnswers) response.chunked = true;
    if (fault == Fault::ConnectionClose) response.close = true;
    return response;
  }

  WireResponse route(const WireRequest& request, const fixture::SelfAddress& self) {
    const auto path = split_target(request.target).first;
    if (path == "/ota/check") {
      if (request.method != "GET") return error_envelope(405, 2, "the check call is a GET");
      return check(request, self);
    }
    static const std::string download_prefix = "/ota/download/";
    if (path.rfind(download_prefix, 0) == 0) {
      if (request.method != "GET" && request.method != "HEAD") {
        return json_response(405, {{"error", "the download is a GET"}});
      }
      return download(request, path.substr(download_prefix.size()));
    }
    return json_response(404, {{"error", "no such endpoint: " + path}});
  }

  // ---- the check call ------------------------------------------------------

  WireResponse check(const WireRequest& request, const fixture::SelfAddress& self) {
    const auto now = options.clock();
    if (options.fault_injection && fixture.fault_injection &&
        header_value(request, fixture.fault_injection->header) == fixture.fault_injection->value) {
      return internal_error("injected fault");
    }
    const auto p = params.read(request);
    // Authorization is not a list header: two of them are no credential.
    if (header_count(request, "Authorization") > 1) return refused("authorization failed: malformed (sent twice)");
    const auto auth = verifier.verify(header_value(request, "Authorization"), now);
    if (!auth.ok) return refused("authorization failed: " + auth.reason);
    if (p.invalid_utf8 && fault == Fault::NonJsonOnInvalidUtf8) {
      WireResponse plain{400, {{"Content-Type", "text/plain"}}, "bad request", -1};
      return plain;
    }
    if (!p.problem.empty()) return envelope(2, "parameter error: " + p.problem);

    const auto* device = fixture.device(*p.dev_id);
    if (!device && fault == Fault::UnknownDeviceSuccess) device = any_device_of(auth);
    if (!device && fault == Fault::DevIdNumeric) device = device_by_number(*p.dev_id);
    if (!device) return envelope(1, "unknown device " + *p.dev_id);
    if (!auth.covers(*device)) return refused("authorization failed: the token does not cover device " + *p.dev_id);

    const auto* task = task_for(*device, static_cast<int>(*p.type));
    if (!task) return envelope(11, "the device has no upgrade task of type " + std::to_string(*p.type));
    if (task->status == "suspended") {
      if (fault == Fault::SwapInvalidSuspended) return envelope(13, "the task is invalid");
      if (fault == Fault::SuspendedAsNoTask) return envelope(11, "the device has no upgrade task of this type");
      return envelope(19, "the task is suspended");
    }
    if (task->status == "invalid") {
      if (fault == Fault::SwapInvalidSuspended) return envelope(19, "the task is suspended");
      return envelope(13, "the task is invalid");
    }
    const bool manuf_differs = fault != Fault::NoManufCheck && !same_text(*p.manuf, task->manuf, true);
    if (manuf_differs || !same_text(*p.model, task->model, false)) {
      return envelope(8, "manuf or model differ from the task's", *task, p, self);
    }
    const auto& from = task->from_versions;
    const bool known = std::any_of(from.begin(), from.end(), [&](const std::string& f) {
      if (fault == Fault::VersionPrefix) return f.rfind(*p.version, 0) == 0 || p.version->rfind(f, 0) == 0;
      return f == *p.version;
    });
    if (fault != Fault::NoVersionCheck && !known) {
      return envelope(9, "version " + *p.version + " is not one the task upgrades from", *task, p, self);
    }
    const auto signals = fault == Fault::SignalsAbsentAsZero ? p.signals.value_or(0) : p.signals;
    if (below_threshold(signals, task->signal, fault == Fault::SignalStrictlyGreater,
                        fault == Fault::ThresholdsAsText) ||
        (fault != Fault::IgnorePowerThreshold && below_threshold(p.powers, task->power, false))) {
      return envelope(10, "signal or power below the task's threshold", *task, p, self);
    }
    const auto* package = fixture.package(task->package);
    if (!package || !package->available) return internal_error("the task's package cannot be read");
    return envelope(0, "succ", *task, p, self);
  }

  // A token refused: errno 1, or (a variant) HTTP 401 without an envelope.
  WireResponse refused(const std::string& why) {
    if (fault == Fault::Http401OnAuth) {
      return {401, {{"Content-Type", "text/plain"}, {"WWW-Authenticate", "OneNET"}}, why, -1};
    }
    return envelope(1, why);
  }

  const fixture::Device* any_device_of(const AuthResult& auth) const {
    for (const auto& device : fixture.devices) {
      if (auth.covers(device)) return &device;
    }
    return nullptr;
  }

  // Request values against the task's, exactly, or as a mutant's wrong equivalence has it.
  bool same_text(const std::string& sent, const std::string& task_value, bool is_manuf) const {
    if (fault == Fault::CStringCompare) return std::strcmp(sent.c_str(), task_value.c_str()) == 0;
    if (is_manuf && fault == Fault::ManufCaseInsensitive) return lower(sent) == lower(task_value);
    if (!is_manuf && fault == Fault::ModelTrimmed) return trimmed(sent) == trimmed(task_value);
    if (!is_manuf && fault == Fault::ModelFullWidthFolded) return folded(sent) == folded(task_value);
    return sent == task_value;
  }

  static std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
  }
  static std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
  }
  // Full-width ASCII (U+FF01..U+FF5E, EF BC 81 .. EF BD 9E in UTF-8) folded to ASCII.
  static std::string folded(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto b0 = static_cast<unsigned char>(text[i]);
      if (b0 == 0xEF && i + 2 < text.size()) {
        const unsigned code = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
                              (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
        if (code >= 0xFF01 && code <= 0xFF5E) {
          out += static_cast<char>(code - 0xFF01 + 0x21);
          i += 2;
          continue;
        }
      }
      out += text[i];
    }
    return out;
  }

  const fixture::Device* device_by_number(const std::string& dev_id) const {
    char* end = nullptr;
    const auto number = std::strtoll(dev_id.c_str(), &end, 10);
    if (end == dev_id.c_str()) return nullptr;
    for (const auto& device : fixture.devices) {
      if (std::strtoll(device.dev_id.c_str(), nullptr, 10) == number) return &device;
    }
    return nullptr;
  }

  const fixture::Task* task_for(const fixture::Device& device, int type) const {
    for (const auto& task : fixture.tasks) {
      if (task.targets(device) && task.type == type) return &task;
    }
    if (fault == Fault::IgnoreTaskType) {
      for (const auto& task : fixture.tasks) {
        if (task.targets(device)) return &task;
      }
    }
    return nullptr;
  }

  // An omitted value skips the comparison (AMB.THRESHOLD_OMITTED: skip).
  bool below_threshold(const std::optional<std::int64_t>& value, const std::optional<std::int64_t>& threshold,
                       bool force_strict, bool as_text = false) const {
    if (!value || !threshold) return false;
    if (as_text) return std::to_string(*value) < std::to_string(*threshold);
    if (rules.threshold_strictly_greater || force_strict) return *value <= *threshold;
    return *value < *threshold;
  }

  json task_data(const fixture::Task& task, const CheckParams& p, const fixture::SelfAddress& self,
                 const std::string& token) const {
    const auto* package = fixture.package(task.package);
    const std::uint64_t size = package ? package->size : 0;
    std::string md5 = package ? package->md5 : std::string();
    if (fault == Fault::Md5Uppercase) {
      std::transform(md5.begin(), md5.end(), md5.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    }
    json data = {
        {"target", task.target},
        {"token", token},
        {"size", fault == Fault::SizeAsString ? json(std::to_string(size)) : json(size)},
        {"signal", task.signal.value_or(0)},
        {"power", task.power.value_or(0)},
        {"retry", fault == Fault::RetryFromInterval ? task.interval : task.retry},
        {"interval", task.interval},
        {"md5", md5},
        {"ip", task.download_host(fault == Fault::CdnIgnored ? false : p.cdn != (fault == Fault::CdnInverted), self)}};
    if (fault == Fault::MissingMd5) data.erase("md5");
    if (fault == Fault::IpDefaultPort && data["ip"].get<std::string>().find(':') == std::string::npos) {
      data["ip"] = data["ip"].get<std::string>() + ":80";
    }
    return data;
  }

  WireResponse envelope(std::int64_t code, const std::string& message, const fixture::Task& task, const CheckParams& p,
                        const fixture::SelfAddress& self) {
    std::optional<json> data;
    if (code == 0) {
      const auto now = options.clock();
      data = task_data(task, p, self, tokens.issue(task.package, now, options.token_ttl.count()));
    } else if (fault == Fault::DataOnError) {
      data = task_data(task, p, self, "none");
    }
    return envelope(code, code == 0 && fault == Fault::SuccessTextOk ? "ok" : message, data);
  }

  WireResponse envelope(std::int64_t code, const std::string& message, const std::optional<json>& data = std::nullopt) {
    json body = {{"errno", fault == Fault::ErrnoAsString ? json(std::to_string(code)) : json(code)}};
    const auto request_id = std::to_string(++answers);
    const bool with_id = fault == Fault::RequestIdInError;
    if (fault != Fault::MissingErrorField)
      body["error"] = with_id && code != 0 ? message + " (request " + request_id + ")" : message;
    if (data) body["data"] = *data;
    if (!data && code != 0 && fault == Fault::DataNullOnError) body["data"] = nullptr;
    if (with_id) body["request_id"] = request_id;
    const char* label = fault == Fault::TextContentType ? "text/plain"
                        : fault == Fault::CharsetLabel  ? "application/json; charset=utf-8"
                                                        : "application/json";
    auto response = json_response(200, body, label);
    response.errno_value = code;
    return response;
  }

  WireResponse error_envelope(int status, std::int64_t code, const std::string& message) {
    auto response = envelope(code, message);
    response.status = status;
    return response;
  }

  WireResponse internal_error(const std::string& why) {
    if (fault == Fault::Html500OnInternal) {
      return {500, {{"Content-Type", "text/html"}}, "<html><body><h1>500 Internal Server Error</h1></body></html>", -1};
    }
    return envelope(7, "internal error: " + why);
  }

  // ---- the download --------------------------------------------------------

  WireResponse download(const WireRequest& request, const std::string& token) {
    const auto package_id = tokens.package_of(token, options.clock(), fault == Fault::DownloadTokenCaseInsensitive,
                                              fault == Fault::DownloadTokenPrefix);
    const auto* package = package_id ? fixture.package(*package_id) : nullptr;
    if (!package) return json_response(404, {{"error", "unknown or expired download token"}});
    std::uint64_t size = package->size;
    if (fault == Fault::ShortDownload && size > 0) --size;
    const auto range = decide_range(fault == Fault::RangesIgnored ? std::string() : header_value(request, "Range"),
                                    size, rules.range_all_forms, fault == Fault::RangeOffByOne);
    using Kind = RangeDecision::Kind;
    if (range.kind == Kind::Unsatisfiable) {
      auto response = json_response(416, {{"error", "the range lies outside the package"}});
      response.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
      return response;
    }
    const std::uint64_t first = range.kind == Kind::Partial ? range.first : 0;
    const std::uint64_t length = range.kind == Kind::Partial ? range.last - range.first + 1 : size;
    const auto bytes = package->read(first, length);
    if (!bytes) return json_response(500, {{"error", "the package cannot be read"}});
    WireResponse response;
    response.status = range.kind == Kind::Partial ? 206 : 200;
    response.headers.emplace_back("Content-Type", "application/octet-stream");
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + package->id + ".bin\"");
    response.headers.emplace_back("Accept-Ranges", "bytes");
    if (range.kind == Kind::Partial) {
      response.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                         std::to_string(range.last) + "/" + std::to_string(size));
    }
    response.body = request.method == "HEAD" ? std::string() : *bytes;
    return response;
  }

  fixture::Fixture fixture;
  Options options;
  Fault fault;
  ProfileRules rules;
  ParamReader params;
  TokenVerifier verifier;
  DownloadTokens tokens;
  std::atomic<std::uint64_t> answers{0};
};

Service::Service(const spec::Spec& spec, fixture::Fixture fixture, Options options)
    : impl_(std::make_unique<Impl>(spec, std::move(fixture), std::move(options))) {}

Service::~Service() = default;

WireResponse Service::handle(const WireRequest& request, const fixture::SelfAddress& self) {
  try {
    return impl_->handle(request, self);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    // Never an HTML 500: an internal failure is errno 7 in a well-formed body.
    return impl_->internal_error(e.what());
  }
}

const fixture::Fixture& Service::fixture() const { return impl_->fixture; }
const Options& Service::options() const { return impl_->options; }

}  // namespace otaconf::refserver
