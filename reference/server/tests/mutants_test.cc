// Every mutant and every legal variant is live: on a request chosen for it,
// it answers differently from the reference server. (Whether the conformance
// suite notices, and fails only the mutants, is what `otaconf mutation
// --side server` measures: its mutation and variant scores.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "support.h"

namespace otaconf::refserver {
namespace {

using nlohmann::json;
using testing::Call;
using testing::example_request;
using testing::Server;

json with(json params, const json& changes) {
  for (const auto& [key, value] : changes.items()) params[key] = value;
  return params;
}

using Probe = std::function<WireResponse(Server&)>;

Probe check(Call call) {
  return [call](Server& server) { return server.call(call); };
}

Probe check_request(std::function<WireRequest()> make) {
  return [make](Server& server) { return server.raw(make()); };
}

// Checks the document's example, then downloads its token (changed by `alter`) with `range`.
Probe download(std::string range, std::function<std::string(std::string)> alter = {}) {
  return [range, alter](Server& server) {
    const auto answer = testing::body_of(server.call({example_request()}));
    auto token = answer["data"]["token"].get<std::string>();
    if (alter) token = alter(token);
    WireRequest request;
    request.target = "/ota/download/" + token;
    if (!range.empty()) request.headers.emplace("Range", range);
    return server.raw(request);
  };
}

// A sign= value changed by `alter`.
std::string with_sign(std::string token, const std::function<void(std::string&)>& alter) {
  const auto at = token.find("sign=") + 5;
  auto sign = token.substr(at);
  alter(sign);
  return token.substr(0, at) + sign;
}

WireRequest with_token(Call call, const std::string& authorization) {
  call.auth = "";
  auto request = testing::request_of(call);
  request.headers.emplace("Authorization", authorization);
  return request;
}

struct MutantProbe {
  std::string mutant;  // a mutant's name, or a variant's
  std::string profile;
  Probe probe;
  bool variant = false;
};

const json k6524 = {{"dev_id", "6524"}, {"manuf", "中国移动"}, {"model", "M5310"}, {"type", 1},
                    {"version", "1.2"}, {"signals", 12},       {"powers", 90},     {"cdn", false}};

json without(json params, const std::string& key) {
  params.erase(key);
  return params;
}

// A request product 200001's task matches except for the letter case of manuf.
const json quectel = {{"dev_id", "7001"}, {"manuf", "quectel"}, {"model", "BC95"},
                      {"type", 1},        {"version", "V100"},  {"cdn", false}};
// Device 6529 has its own access key; its SOTA task takes version 2.0.
const json sota_device = {{"dev_id", "6529"}, {"manuf", "中国移动"}, {"model", "M5310"},
                          {"type", 2},        {"version", "2.0"},    {"cdn", false}};
const std::string kDeviceRes = "products/123123/devices/sota-device-key";

std::vector<MutantProbe> probes() {
  Call body{with(example_request(), {{"dev_id", 6523}})};
  body.as_body = true;
  Call upper{
      {{"DEV_ID", "6523"}, {"Manuf", "中国移动"}, {"MODEL", "M5310"}, {"type", 1}, {"Version", "1.2"}, {"cdn", true}}};
  Call no_auth{example_request()};
  no_auth.auth = "";
  return {
      {"ignore-power-threshold", "strict", check({with(k6524, {{"powers", 50}})})},
      {"signal-strictly-greater", "strict", check({k6524})},
      {"no-version-check", "strict", check({with(example_request(), {{"version", "1.1"}})})},
      {"swap-13-19", "strict", check({with(example_request(), {{"dev_id", "6526"}})})},
      {"suspended-as-no-task", "strict", check({with(example_request(), {{"dev_id", "6525"}})})},
      {"no-manuf-check", "strict", check({with(example_request(), {{"manuf", "China Mobile"}})})},
      {"ignore-task-type", "strict", check({with(k6524, {{"type", 2}})})},
      {"errno-as-string", "strict", check({example_request()})},
      {"missing-error-field", "strict", check({example_request()})},
      {"success-text-ok", "strict", check({example_request()})},
      {"data-on-error", "strict", check({with(example_request(), {{"version", "1.1"}})})},
      {"missing-md5", "strict", check({example_request()})},
      {"size-as-string", "strict", check({example_request()})},
      {"only-pows", "lenient", check({with(k6524, {{"powers", 5}})})},
      {"accept-expired-token", "strict", check_request([] {
         return with_token({example_request()}, testing::token_for("products/123123", "sha1", testing::kNow - 10));
       })},
      {"ignore-token-scope", "strict", check({example_request(), "products/200001"})},
      {"unchecked-sha256-signature", "strict", check_request([] {
         auto token = testing::token_for("products/123123", "sha256");
         token.replace(token.find("sign=") + 5, 1, token[token.find("sign=") + 5] == 'A' ? "B" : "A");
         return with_token({example_request()}, token);
       })},
      {"accept-missing-authorization", "strict", check(no_auth)},
      {"html-500-on-internal", "strict", check({with(example_request(), {{"dev_id", "6528"}})})},
      {"type-not-validated", "strict", check({with(example_request(), {{"type", 3}})})},
      {"range-off-by-one", "strict", download("bytes=0-9")},
      {"short-download", "strict", download("")},
      {"retry-from-interval", "strict", check({example_request()})},
      {"cdn-inverted", "strict", check({example_request()})},
      {"unknown-device-success", "strict", check({with(example_request(), {{"dev_id", "999999"}})})},
      {"manuf-case-insensitive", "strict", check({quectel, "products/200001"})},
      {"model-trimmed", "strict", check({with(example_request(), {{"model", "M5310 "}})})},
      {"version-prefix", "strict", check({with(example_request(), {{"version", "1.2.1"}})})},
      {"c-string-compare", "strict", check({with(example_request(), {{"manuf", std::string("中国移动\0x", 14)}})})},
      {"dev-id-numeric", "strict", check({with(example_request(), {{"dev_id", "06523"}})})},
      {"thresholds-as-text", "strict", check({with(k6524, {{"signals", 9}})})},
      {"download-token-case-insensitive", "strict",
       download("",
                [](std::string t) {
                  for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                  return t;
                })},
      {"download-token-prefix", "strict", download("", [](std::string t) { return t.substr(0, t.size() - 1); })},
      {"model-full-width-folded", "strict",
       check({with(example_request(), {{"model",
                                        "\xEF\xBC\xAD"
                                        "5310"}})})},
      {"cdn-any-string-true", "strict", check({with(example_request(), {{"cdn", "false"}})})},
      {"signals-absent-as-zero", "strict", check({without(k6524, "signals")})},
      {"sign-case-insensitive", "strict", check_request([] {
         return with_token({example_request()}, with_sign(testing::token_for("products/123123"), [](std::string& sign) {
                             for (auto& c : sign) {
                               if (std::isalpha(static_cast<unsigned char>(c))) {
                                 c = static_cast<char>(std::islower(static_cast<unsigned char>(c)) ? std::toupper(c)
                                                                                                   : std::tolower(c));
                                 break;
                               }
                             }
                           }));
       })},
      {"sign-prefix", "strict", check_request([] {
         return with_token({example_request()}, with_sign(testing::token_for("products/123123"), [](std::string& sign) {
                             sign[10] = sign[10] == 'A' ? 'B' : 'A';
                           }));
       })},
      {"expiry-hour-leeway", "strict", check_request([] {
         return with_token({example_request()}, testing::token_for("products/123123", "sha1", testing::kNow - 600));
       })},
      {"device-token-refused", "strict", check({sota_device, kDeviceRes})},
      {"device-token-expiry-unchecked", "strict", check_request([] {
         return with_token({sota_device}, testing::token_for(kDeviceRes, "sha1", testing::kNow - 600));
       })},
      {"ip-default-port", "strict",
       check({with(example_request(), {{"type", 2}, {"version", "2.0"}, {"cdn", false}})})},
      // Legal variants.
      {"md5-upper-case", "strict", check({example_request()}), true},
      {"table-spellings-exact", "lenient", check(upper), true},
      {"query-only", "lenient", check(body), true},
      {"address-always", "strict", check({example_request()}), true},
      {"text-plain-label", "strict", check({example_request()}), true},
      {"dev-id-string-only", "lenient", check(body), true},
      {"plain-400-on-invalid-utf8", "strict", check_request([] {
         auto request = testing::request_of({example_request()});
         request.target += "&model=%FF";
         return request;
       }),
       true},
      {"request-id", "strict", check({with(example_request(), {{"version", "1.1"}})}), true},
      {"data-null-on-error", "strict", check({with(example_request(), {{"version", "1.1"}})}), true},
      {"chunked", "strict", check({example_request()}), true},
      {"charset-label", "strict", check({example_request()}), true},
      {"connection-close", "strict", check({example_request()}), true},
      {"reads-every-spelling", "strict", check(upper), true},
      {"dev-id-any-string", "strict", check({with(example_request(), {{"dev_id", "bad value!"}})}), true},
      {"http-401-on-auth", "strict", check(no_auth), true},
      {"thresholds-strictly-greater", "strict", check({k6524}), true},
      {"ranges-ignored", "strict", download("bytes=0-9"), true},
  };
}

// Tokens differ on every answer; everything else must be equal to count as
// the same behaviour.
std::string comparable(const WireResponse& response) {
  auto body = json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("data") && body["data"].is_object() && body["data"].contains("token")) {
    body["data"]["token"] = "<token>";
  }
  return std::to_string(response.status) + " " + response.header("Content-Type") + " " +
         (response.chunked ? "chunked " : "") + (response.close ? "close " : "") +
         (body.is_discarded() ? response.body : body.dump());
}

void PrintTo(const MutantProbe& p, std::ostream* os) { *os << p.mutant << " (" << p.profile << ")"; }

class MutantIsLive : public ::testing::TestWithParam<MutantProbe> {};

TEST_P(MutantIsLive, AnswersDifferentlyFromTheReference) {
  const auto& probe = GetParam();
  Server reference(probe.profile);
  Server mutant(probe.profile, probe.variant ? "" : probe.mutant, probe.variant ? probe.mutant : "");
  const auto expected = comparable(probe.probe(reference));
  const auto observed = comparable(probe.probe(mutant));
  EXPECT_NE(expected, observed) << probe.mutant << " behaves like the reference: " << observed;
}

INSTANTIATE_TEST_SUITE_P(Each, MutantIsLive, ::testing::ValuesIn(probes()),
                         [](const ::testing::TestParamInfo<MutantProbe>& param_info) {
                           auto name = param_info.param.mutant;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(MutantIsLive, EveryMutantHasAProbe) {
  std::set<std::string> probed;
  for (const auto& probe : probes()) probed.insert(probe.mutant);
  for (const auto& m : mutants()) EXPECT_TRUE(probed.count(m.name)) << m.name;
  for (const auto& v : variants()) EXPECT_TRUE(probed.count(v.name)) << v.name;
}

}  // namespace
}  // namespace otaconf::refserver
