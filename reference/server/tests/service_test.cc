// The reference server's decisions, through the transport-free Service.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <regex>
#include <set>

#include "support.h"

namespace otaconf::refserver {
namespace {

using nlohmann::json;
using testing::Call;
using testing::example_request;
using testing::Server;

json with(json params, const json& changes) {
  for (const auto& [key, value] : changes.items()) {
    if (value.is_null()) {
      params.erase(key);
    } else {
      params[key] = value;
    }
  }
  return params;
}

// ---- the fixture's documented examples, in every profile ------------------

struct ExampleCase {
  std::string profile;
  fixture::Example example;
};

std::vector<ExampleCase> example_cases() {
  std::vector<ExampleCase> cases;
  for (const char* profile : {"strict", "lenient", "as-documented"}) {
    static const auto fx = fixture::default_fixture();
    for (const auto& example : fx.examples) cases.push_back({profile, example});
  }
  return cases;
}

void PrintTo(const ExampleCase& c, std::ostream* os) { *os << c.profile << "/" << c.example.name; }

class DocumentedExample : public ::testing::TestWithParam<ExampleCase> {};

TEST_P(DocumentedExample, GetsItsDocumentedErrno) {
  const auto& [profile, example] = GetParam();
  Server server(profile);
  Call call{example.request};
  static const auto fx = fixture::default_fixture();
  const auto* device = fx.device(example.request.value("dev_id", ""));
  call.auth = example.auth.omit           ? ""
              : !example.auth.res.empty() ? example.auth.res
                                          : "products/" + (device ? device->product : "123123");
  auto request = testing::request_of(call);
  if (!call.auth.empty()) {
    request.headers.erase("Authorization");
    const auto et = example.auth.expired ? testing::kNow - 86400 : testing::kNow + 3600;
    request.headers.emplace("Authorization", testing::token_for(call.auth, example.auth.method, et));
  }
  if (example.fault) request.headers.emplace("X-Otaconf-Fault", "internal");
  const auto response = server.raw(request);
  const auto body = testing::body_of(response);
  ASSERT_TRUE(body.is_object()) << response.body;
  EXPECT_EQ(body["errno"], example.errno_value) << example.name << ": " << response.body;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  EXPECT_EQ(body.contains("data"), example.errno_value == 0) << response.body;
  EXPECT_EQ(body["error"] == "succ", example.errno_value == 0) << response.body;
}

INSTANTIATE_TEST_SUITE_P(DefaultFixture, DocumentedExample, ::testing::ValuesIn(example_cases()),
                         [](const ::testing::TestParamInfo<ExampleCase>& param_info) {
                           auto name = param_info.param.profile + "_" + param_info.param.example.name;
                           for (auto& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(DocumentedExamples, ReachEveryErrorCodeOfTheSpec) {
  std::set<std::int64_t> reached;
  const auto fx = fixture::default_fixture();
  for (const auto& example : fx.examples) reached.insert(example.errno_value);
  for (const auto& code : testing::shipped_spec().endpoint_by_role("check")->error_codes) {
    EXPECT_TRUE(reached.count(code.code)) << "no example reaches errno " << code.code;
  }
}

// ---- success data ----------------------------------------------------------

TEST(CheckSuccess, DataComesFromTheTask) {
  Server server;
  const auto body = testing::body_of(server.call({example_request()}));
  ASSERT_EQ(body["errno"], 0) << body.dump();
  const auto& fx = server.service().fixture();
  const auto* package = fx.package("m5310-fw-1.3");
  const auto& data = body["data"];
  EXPECT_EQ(data["target"], "1.3");
  EXPECT_EQ(data["size"], package->size);
  EXPECT_EQ(data["md5"], package->md5);
  EXPECT_EQ(data["signal"], 8);
  EXPECT_EQ(data["power"], 20);
  EXPECT_EQ(data["retry"], 3);
  EXPECT_EQ(data["interval"], 60);
  EXPECT_EQ(data["ip"], "localhost:8080");  // cdn=true: by name
  EXPECT_TRUE(std::regex_match(data["token"].get<std::string>(), std::regex("^ota_[0-9a-f]{32}$")));
  EXPECT_EQ(testing::body_of(server.call({with(example_request(), {{"cdn", false}})}))["data"]["ip"], "127.0.0.1:8080");
}

TEST(CheckSuccess, EveryAnswerIsADifferentToken) {
  Server server;
  const auto a = testing::body_of(server.call({example_request()}));
  const auto b = testing::body_of(server.call({example_request()}));
  EXPECT_NE(a["data"]["token"], b["data"]["token"]);
  auto without_token = [](json data) {
    data.erase("token");
    return data;
  };
  EXPECT_EQ(without_token(a["data"]), without_token(b["data"]));
}

// Any request that matches an active task and meets its thresholds gets
// errno 0 and the task's data.
RC_GTEST_PROP(CheckSuccess, MatchingRequestsGetTheTasksData, ()) {
  const auto profile = *rc::gen::element<std::string>("strict", "lenient", "as-documented");
  Server server(profile);
  const auto& fx = server.service().fixture();
  std::vector<std::pair<const fixture::Task*, const fixture::Device*>> offers;
  for (const auto& task : fx.tasks) {
    for (const auto& device : fx.devices) {
      if (task.status == "active" && fx.package(task.package)->available && task.targets(device)) {
        offers.emplace_back(&task, &device);
      }
    }
  }
  const auto [task, device] = *rc::gen::elementOf(offers);
  const bool strictly = profile == "as-documented";
  auto at_least = [&](const std::optional<std::int64_t>& threshold, std::int64_t max) {
    const auto low = threshold ? *threshold + (strictly ? 1 : 0) : 0;
    return *rc::gen::inRange<std::int64_t>(low, max + 1);
  };
  json params = {{"dev_id", device->dev_id},
                 {"manuf", task->manuf},
                 {"model", task->model},
                 {"type", task->type},
                 {"version", *rc::gen::elementOf(task->from_versions)},
                 {"cdn", *rc::gen::arbitrary<bool>()}};
  if (*rc::gen::arbitrary<bool>()) params["signals"] = at_least(task->signal, 31);
  if (*rc::gen::arbitrary<bool>()) params["powers"] = at_least(task->power, 100);
  Call call{params, "products/" + device->product};
  call.as_body = profile != "strict" && *rc::gen::arbitrary<bool>();
  const auto body = testing::body_of(server.call(call));
  RC_ASSERT(body["errno"] == 0);
  const auto* package = fx.package(task->package);
  const auto& data = body["data"];
  RC_ASSERT(data["target"] == task->target);
  RC_ASSERT(data["size"] == package->size);
  RC_ASSERT(data["md5"] == package->md5);
  RC_ASSERT(data["signal"] == task->signal.value_or(0));
  RC_ASSERT(data["power"] == task->power.value_or(0));
  RC_ASSERT(data["retry"] == task->retry);
  RC_ASSERT(data["interval"] == task->interval);
  RC_ASSERT(data["ip"] == task->download_host(params["cdn"].get<bool>(), testing::kSelf));
}

// ---- profiles --------------------------------------------------------------

TEST(Profiles, SpellingsFollowTheProfile) {
  const json thresholds = {{"dev_id", "6524"}, {"manuf", "中国移动"}, {"model", "M5310"},
                           {"type", 1},        {"version", "1.2"},    {"cdn", true}};
  // 6524's task needs power 90: Pows=5 is either read (10) or ignored (0).
  const auto pows = with(thresholds, {{"Pows", 5}});
  EXPECT_EQ(Server("strict").errno_of({pows}), 0);
  EXPECT_EQ(Server("lenient").errno_of({pows}), 10);
  EXPECT_EQ(Server("as-documented").errno_of({pows}), 10);
  const auto upper = json{{"DEV_ID", "6523"}, {"MANUF", "中国移动"}, {"MODEL", "M5310"},
                          {"TYPE", 1},        {"VERSION", "1.2"},    {"CDN", true}};
  EXPECT_EQ(Server("strict").errno_of({upper}), 2);
  EXPECT_EQ(Server("lenient").errno_of({upper}), 0);
  EXPECT_EQ(Server("as-documented").errno_of({upper}), 2);  // only the table's exact spellings
  const auto table = json{{"Dev_id", "6523"}, {"Manuf", "中国移动"}, {"Model", "M5310"},
                          {"Type", 1},        {"Version", "1.2"},    {"CDN", true}};
  EXPECT_EQ(Server("strict").errno_of({table}), 2);
  EXPECT_EQ(Server("as-documented").errno_of({table}), 0);
}

TEST(Profiles, JsonBodyAndNumericDevId) {
  Call body{with(example_request(), {{"dev_id", 6523}})};
  body.as_body = true;
  EXPECT_EQ(Server("strict").errno_of(body), 2);  // the body is not read: parameters are missing
  EXPECT_EQ(Server("lenient").errno_of(body), 0);
  EXPECT_EQ(Server("as-documented").errno_of(body), 0);
  body.params = json::array({1, 2});
  EXPECT_EQ(Server("lenient").errno_of(body), 2);
}

TEST(Profiles, CdnRequiredExceptInLenient) {
  const auto without_cdn = with(example_request(), {{"cdn", nullptr}});
  EXPECT_EQ(Server("strict").errno_of({without_cdn}), 2);
  EXPECT_EQ(Server("lenient").errno_of({without_cdn}), 0);
  EXPECT_EQ(Server("as-documented").errno_of({without_cdn}), 2);
}

TEST(Profiles, ContentTypeRequiredOnlyAsDocumented) {
  Call call{example_request()};
  call.headers.clear();
  EXPECT_EQ(Server("strict").errno_of(call), 0);
  EXPECT_EQ(Server("as-documented").errno_of(call), 2);
  call.headers["content-type"] = "application/json; charset=utf-8";
  EXPECT_EQ(Server("as-documented").errno_of(call), 0);
}

TEST(Profiles, ThresholdsAtTheBoundary) {
  // 6524's task: signal 12, power 90.
  const json at = {{"dev_id", "6524"}, {"manuf", "中国移动"}, {"model", "M5310"}, {"type", 1},
                   {"version", "1.2"}, {"signals", 12},       {"powers", 90},     {"cdn", false}};
  EXPECT_EQ(Server("strict").errno_of({at}), 0);
  EXPECT_EQ(Server("lenient").errno_of({at}), 0);
  EXPECT_EQ(Server("as-documented").errno_of({at}), 10);  // "greater than"
  EXPECT_EQ(Server("strict").errno_of({with(at, {{"signals", 11}})}), 10);
  EXPECT_EQ(Server("strict").errno_of({with(at, {{"powers", 89}})}), 10);
  EXPECT_EQ(Server("as-documented").errno_of({with(at, {{"signals", 13}, {"powers", 91}})}), 0);
  EXPECT_EQ(Server("strict").errno_of({with(at, {{"signals", nullptr}, {"powers", nullptr}})}), 0);
}

TEST(Profiles, UnknownProfileIsRejected) {
  EXPECT_THROW(Server("sloppy"), std::invalid_argument);
  EXPECT_THROW(Server("strict", "no-such-mutant"), std::invalid_argument);
}

// ---- malformed requests: always a well-formed envelope --------------------

TEST(Malformed, EveryAnswerIsAnEnvelope) {
  Server server("lenient");
  const std::vector<std::string> targets = {
      "/ota/check",
      "/ota/check?",
      "/ota/check?&&&=&=x",
      "/ota/check?dev_id=%zz",
      "/ota/check?dev_id=%",
      "/ota/check?manuf=%FF%FE&dev_id=6523",
      "/ota/check?dev_id=6523&dev_id=6524",
      "/ota/check?type=1.0&dev_id=6523",
      "/ota/check?type=99999999999999999999999",
      "/ota/check?" + std::string(20000, 'a'),
      "/ota/check?version=" + std::string(5000, '1'),
  };
  for (const auto& target : targets) {
    WireRequest request;
    request.target = target;
    request.headers.emplace("Authorization", testing::token_for("products/123123"));
    const auto response = server.raw(request);
    const auto body = testing::body_of(response);
    ASSERT_TRUE(body.is_object()) << target.substr(0, 80) << " -> " << response.body;
    EXPECT_EQ(body["errno"], 2) << target.substr(0, 80) << " -> " << response.body;
    EXPECT_TRUE(body["error"].is_string());
    EXPECT_FALSE(body.contains("data"));
  }
}

TEST(Malformed, IdenticalDuplicatesAreAccepted) {
  Server server;
  WireRequest request = testing::request_of({example_request()});
  request.target += "&dev_id=6523";
  EXPECT_EQ(testing::body_of(server.raw(request))["errno"], 0);
}

TEST(Malformed, BodiesThatAreNotJsonObjects) {
  Server server("lenient");
  for (const std::string body : {"[1,2]", "\"text\"", "{", "null", "{\"dev_id\":", "\xff\xfe"}) {
    auto request = testing::request_of({example_request()});
    request.body = body;
    EXPECT_EQ(testing::body_of(server.raw(request))["errno"], 2) << body;
  }
}

TEST(Routing, OtherPathsAndMethods) {
  Server server;
  WireRequest request;
  request.target = "/nope";
  auto response = server.raw(request);
  EXPECT_EQ(response.status, 404);
  EXPECT_TRUE(testing::body_of(response).is_object());
  request.target = "/ota/check";
  request.method = "POST";
  response = server.raw(request);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(testing::body_of(response)["errno"], 2);
}

TEST(FaultInjection, OnlyWhenEnabled) {
  auto options = testing::options_for("strict");
  options.fault_injection = false;
  Service service(testing::shipped_spec(), fixture::default_fixture(), options);
  auto request = testing::request_of({example_request()});
  request.headers.emplace("X-Otaconf-Fault", "internal");
  EXPECT_EQ(testing::body_of(service.handle(request, testing::kSelf))["errno"], 0);
}

// ---- mutants ---------------------------------------------------------------

TEST(Mutants, AtLeastTwentyEachNamingAMustClauseOfTheSpec) {
  EXPECT_GE(mutants().size(), 20u);
  std::set<std::string> names;
  for (const auto& m : mutants()) {
    EXPECT_TRUE(names.insert(m.name).second) << m.name;
    const auto* clause = testing::shipped_spec().clause(m.clause);
    ASSERT_NE(clause, nullptr) << m.name << " names unknown clause " << m.clause;
    EXPECT_EQ(clause->level, spec::Level::Must) << m.name << ": only a MUST clause can be violated with a FAIL";
    EXPECT_FALSE(m.description.empty());
    EXPECT_EQ(m.description.back(), '.') << m.name;
  }
}

}  // namespace
}  // namespace otaconf::refserver
