#include "otaconf/conformance/mock.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "otaconf/crypto.h"
#include "otaconf/interpret.h"
#include "otaconf/oracle.h"
#include "otaconf/process.h"
#include "otaconf/readings.h"

namespace otaconf::conformance {

using nlohmann::json;
using refserver::WireRequest;
using refserver::WireResponse;
using results::Verdict;

namespace {

const std::string kRequestsCheck = "mock.requests";
const std::string kRequestsTitle = "Every request the device sends, judged against the spec";
const std::string kBehaviourCheck = "client-e2e.behaviour";
const std::string kBehaviourTitle = "What the device does with each answer (exit status, downloads)";
const std::string kWithData = "-with-data";

bool is_error_scenario(const std::string& id) { return id.rfind("errno-", 0) == 0; }

// "errno-10-with-data" -> 10.
std::int64_t scenario_code(const std::string& id) { return std::stoll(id.substr(6)); }

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

WireResponse json_answer(int status, const json& body) {
  WireResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = body.dump();
  return response;
}

std::string header_of(const WireRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

http::Request as_http(const WireRequest& request) {
  http::Request out;
  out.method = request.method;
  out.target = request.target;
  for (const auto& [name, value] : request.headers) out.headers.emplace_back(name, value);
  out.body = request.body;
  return out;
}

}  // namespace

std::vector<MockScenario> mock_scenarios(const spec::Spec& spec) {
  std::vector<MockScenario> out = {
      {"fixture", "answers as ota-refserver does over the fixture (the device's task: errno 0 and a download)",
       "download"},
      {"boundary", "a success answer with boundary values (retry 2^31-1, interval 0)", "download"},
      {"bad-md5", "a success answer whose md5 is not the package's: the device must not upgrade", "no-download"},
      {"malformed", "a proxy's HTML error page with HTTP 502", "reject"},
      {"truncated", "the success answer cut in half", "reject"},
      {"oversized", "an error answer of 1 MiB", "no-download"},
      {"slow", "the success answer after 2 seconds", "any"},
  };
  if (const auto* check = spec.endpoint_by_role("check")) {
    for (const auto& code : check->error_codes) {
      if (check->response && code.code == check->response->success_code) continue;
      const auto n = std::to_string(code.code);
      out.push_back({"errno-" + n, "errno " + n + ": " + code.meaning, code.action});
      out.push_back({"errno-" + n + kWithData,
                     "errno " + n + " beside a data object like a success's: the code decides, never a download",
                     code.action});
    }
  }
  return out;
}

MockCloud::MockCloud(const spec::Spec& spec, const spec::Profile& profile, fixture::Fixture fixture,
                     const std::string& scenario, results::Recorder& recorder)
    : spec_(spec), profile_(profile), fixture_(std::move(fixture)), recorder_(recorder) {
  const auto scenarios = mock_scenarios(spec);
  auto found =
      std::find_if(scenarios.begin(), scenarios.end(), [&](const MockScenario& s) { return s.id == scenario; });
  if (found == scenarios.end()) throw std::invalid_argument("unknown scenario '" + scenario + "'");
  scenario_ = *found;
  refserver::Options options;
  options.profile = profile.id;
  service_ = std::make_unique<refserver::Service>(spec, fixture_, options);
}

MockCloud::~MockCloud() = default;

WireResponse MockCloud::handle(const WireRequest& request, const fixture::SelfAddress& self) {
  const auto path = request.target.substr(0, request.target.find('?'));
  const auto* download = spec_.endpoint_by_role("download");
  const std::string download_prefix =
      download ? download->path.substr(0, download->path.find('{')) : std::string("/ota/download/");
  if (path.rfind(download_prefix, 0) == 0) {
    ++download_attempts_;
    auto response = service_->handle(request, self);
    if (response.status / 100 == 2) downloaded_ = true;
    return response;
  }
  ++checks_;
  {
    const std::lock_guard lock(mutex_);
    check_times_.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  }
  judge(request);
  auto response = answer(request, self);
  last_errno_ = response.errno_value;
  return response;
}

std::vector<double> MockCloud::check_times() const {
  const std::lock_guard lock(mutex_);
  return check_times_;
}

// ---- judging the device's request ------------------------------------------

void MockCloud::judge(const WireRequest& request) {
  auto record = [&](const std::string& clause, bool ok, const std::string& message,
                    const results::Basis& basis = results::Basis::document()) {
    const auto* c = spec_.clause(clause);
    if (!c) return;
    results::Evidence evidence;
    json headers = json::object();
    for (const auto& [name, value] : request.headers) headers[name] = value;
    evidence.request = results::printable(
        {{"method", request.method}, {"target", request.target}, {"headers", headers}, {"body", request.body}});
    recorder_.record({kRequestsCheck, kRequestsTitle, clause,
                      ok ? Verdict::Pass : results::grade(c->level, basis, false), message, std::move(evidence),
                      basis});
  };
  const auto* check = spec_.endpoint_by_role("check");
  if (!check) return;
  const auto path = request.target.substr(0, request.target.find('?'));
  record("EP.CHECK.METHOD", request.method == check->method, "method " + request.method);
  record("EP.CHECK.PATH", path == check->path, "path " + path);

  const auto http_request = as_http(request);
  const auto interpretation = interpret::interpret_request(*check, profile_, http_request);
  std::set<std::string> broken;
  for (const auto& problem : interpretation.problems) {
    // A problem another reading of the document does not see rests on the profile's decisions.
    auto allowed = [&](const spec::Profile& reading) {
      const auto other = interpret::interpret_request(*check, reading, http_request);
      return std::none_of(other.problems.begin(), other.problems.end(), [&](const interpret::Problem& p) {
        return p.clause == problem.clause && p.field == problem.field;
      });
    };
    const auto found = readings::search(spec_, profile_, allowed).found;
    const auto basis = found ? readings::decision_basis(profile_, *found) : results::Basis::document();
    record(problem.clause, false,
           problem.message + (found ? "; rests on the profile's reading: " + basis.decisions_text() : ""), basis);
    broken.insert(problem.clause);
  }
  for (const auto& [message, basis] : unread_fields(request, interpretation)) {
    record("REQ.NAMES", false, message, basis);
    broken.insert("REQ.NAMES");
  }
  for (const auto& field : check->request_fields) {
    for (const auto& clause : field.clauses) {
      if (!broken.count(clause) && interpretation.values.contains(field.name))
        record(clause, true, field.name + " as the spec says");
    }
  }
  for (const auto& header : check->headers) {
    const auto value = header_of(request, header.name);
    if (header.value) {
      auto media = value.substr(0, value.find(';'));
      media.erase(std::remove(media.begin(), media.end(), ' '), media.end());
      for (const auto& clause : header.clauses)
        record(clause, media == *header.value, header.name + ": '" + value + "'");
    } else if (header.format == "authorization") {
      for (const auto& clause : header.clauses) {
        record(clause, !value.empty(), value.empty() ? "no " + header.name : header.name + " sent");
      }
    }
  }
  if (!spec_.authorization) return;
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  json device;
  const json* device_ptr = nullptr;
  if (interpretation.values.contains("dev_id") && interpretation.values["dev_id"].is_string()) {
    if (const auto* d = fixture_.device(interpretation.values["dev_id"].get<std::string>())) {
      device = {{"dev_id", d->dev_id}, {"product", d->product}, {"name", d->name}};
      device_ptr = &device;
    }
  }
  const auto fact = oracle::verify_authorization(*spec_.authorization, profile_, fixture_,
                                                 header_of(request, spec_.authorization->header), now, device_ptr);
  if (fact.status == "missing") return;  // judged above (HDR.AUTHORIZATION)
  record("AUTH.TOKEN.FORMAT", fact.status != "malformed", "token " + fact.status);
  if (fact.status == "unknown-key") {
    recorder_.record({kRequestsCheck,
                      kRequestsTitle,
                      "AUTH.TOKEN.SIGNATURE",
                      Verdict::NotTestable,
                      "the fixture has no key for the token's res: its signature cannot be checked",
                      {},
                      results::Basis::document()});
  } else if (fact.status != "malformed") {
    record("AUTH.TOKEN.SIGNATURE", fact.status != "bad-signature",
           fact.status == "bad-signature" ? "the signature does not verify" : "the signature verifies");
    if (fact.status != "bad-signature") record("AUTH.TOKEN.EXPIRY", fact.status != "expired", "token " + fact.status);
    if (fact.status == "wrong-scope") record("AUTH.TOKEN.SCOPE", false, "the token does not cover the device");
  }
}

std::vector<std::pair<std::string, results::Basis>> MockCloud::unread_fields(
    const WireRequest& request, const interpret::Interpretation& interpretation) const {
  std::vector<std::pair<std::string, results::Basis>> out;
  const auto* check = spec_.endpoint_by_role("check");
  const auto http_request = as_http(request);
  for (const auto& field : check->request_fields) {
    // Read, or missing where required (a REQUIRED problem already says so).
    if (interpretation.spellings.count(field.name) || field.required_under(profile_)) continue;
    auto reads_it = [&](const spec::Profile& reading) {
      return interpret::interpret_request(*check, reading, http_request).spellings.count(field.name) > 0;
    };
    const auto found = readings::search(spec_, profile_, reads_it).found;
    if (!found) continue;  // not sent at all, or under a name no reading knows: nothing lost
    const auto reading = readings::apply(profile_, *found);
    const auto spelling = interpret::interpret_request(*check, reading, http_request).spellings.at(field.name);
    const auto basis = readings::decision_basis(profile_, *found);
    out.emplace_back("the device sends " + field.name + " as '" + spelling + "', which a server under " + profile_.id +
                         " does not read: its " + field.name +
                         " never reaches the server; rests on the profile's reading: " + basis.decisions_text(),
                     basis);
  }
  return out;
}

// ---- answering from the scenario --------------------------------------------

WireResponse MockCloud::answer(const WireRequest& request, const fixture::SelfAddress& self) {
  const auto& id = scenario_.id;
  if (is_error_scenario(id)) {
    const auto code = scenario_code(id);
    const auto* check = spec_.endpoint_by_role("check");
    const auto* entry = check ? check->error_code(code) : nullptr;
    json body = {{"errno", code}, {"error", entry ? entry->meaning : "error"}};
    if (ends_with(id, kWithData)) {
      // The data the reference would send on success, token and all: a device
      // that looks at data instead of errno downloads it.
      const auto success = json::parse(service_->handle(request, self).body, nullptr, false);
      if (success.is_object() && success.contains("data")) body["data"] = success["data"];
    }
    auto response = json_answer(200, body);
    response.errno_value = code;
    return response;
  }
  if (id == "malformed") {
    return {502,
            {{"Content-Type", "text/html"}},
            "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            -1};
  }
  if (id == "oversized") return json_answer(200, {{"errno", 8}, {"error", std::string(1 << 20, 'x')}});

  // The other scenarios start from the reference server's own answer.
  auto response = service_->handle(request, self);
  if (id == "slow") std::this_thread::sleep_for(std::chrono::seconds(2));
  if (id == "truncated") response.body = response.body.substr(0, response.body.size() / 2);
  if (id == "bad-md5" || id == "boundary") {
    auto body = json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("data") && body["data"].is_object()) {
      if (id == "bad-md5") body["data"]["md5"] = crypto::md5_hex("not the package");
      if (id == "boundary") {
        body["data"]["retry"] = 2147483647;
        body["data"]["interval"] = 0;
      }
      response.body = body.dump();
    }
  }
  return response;
}

// ---- running a device client ------------------------------------------------

namespace {

// A device may take this many requests (check and download) per scenario;
// past it, it is stopped like one that ran out of time.
constexpr int kMaxDeviceRequests = 1000;

struct DeviceRun {
  int exit_code = -1;
  std::string stopped;  // why otaconf stopped it; empty when it exited by itself
  std::string output;   // what it printed (stdout, then stderr), capped
};

// Runs the device client in its own process group on a budget: wall time,
// memory, requests (`requests()`), and captured output. Everything left of
// its group is killed when it ends.
DeviceRun run_device(const std::string& command, const std::vector<std::string>& environment, double timeout_seconds,
                     const std::function<int()>& requests) {
  DeviceRun run;
  process::Options options;
  options.environment = environment;
  std::string why;
  auto child = process::Child::shell(command, options, &why);
  if (!child) {
    run.stopped = "could not start: " + why;
    return run;
  }
  const auto deadline =
      process::Clock::now() + std::chrono::milliseconds(static_cast<long long>(timeout_seconds * 1000));
  for (;;) {
    const auto slice = std::min(deadline, process::Clock::now() + std::chrono::milliseconds(100));
    const auto event = child->wait(-1, slice);
    if (event == process::Child::Event::Exited) break;
    if (event == process::Child::Event::OverMemory) {
      run.stopped = "used more than " + std::to_string(options.budget.max_rss_bytes >> 20) + " MiB of memory";
      break;
    }
    if (requests() > kMaxDeviceRequests) {
      run.stopped = "sent more than " + std::to_string(kMaxDeviceRequests) + " requests";
      break;
    }
    if (process::Clock::now() >= deadline) {
      run.stopped = "did not finish within " + std::to_string(static_cast<long long>(timeout_seconds)) + " s";
      break;
    }
  }
  if (!run.stopped.empty()) child->kill_group();
  child->finish(std::chrono::milliseconds(0));  // reaps, and kills what it left running
  const auto status = child->status();
  if (run.stopped.empty()) run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.output = child->out().text();
  if (const auto errors = child->err().text(); !errors.empty()) run.output += "\n[stderr]\n" + errors;
  return run;
}

// docs/client-e2e.md: 0 upgraded, 10 no update, 11 retry later, 1 rejected or failed verification.
bool behaviour_matches(const std::string& expect, const E2eResult& r) {
  if (expect == "any") return !r.timed_out;
  if (expect == "download") return r.exit_code == 0 && r.downloaded;
  if (expect == "no-update") return r.exit_code == 10;
  if (expect == "retry-later") return r.exit_code == 11;
  if (expect == "reject") return r.exit_code == 1;
  if (expect == "no-download") return r.exit_code != 0 && !r.timed_out;
  return false;
}

std::vector<std::string> device_environment(const fixture::Fixture& fixture, const spec::Profile& profile, int port) {
  std::vector<std::string> environment = {"OTACONF_URL=http://127.0.0.1:" + std::to_string(port),
                                          "OTA_PROFILE=" + profile.id};
  if (fixture.examples.empty()) return environment;
  const auto& example = fixture.examples.front();
  const auto* device = fixture.device(example.request.value("dev_id", ""));
  const auto* product = device ? fixture.product(device->product) : nullptr;
  if (!product) return environment;
  environment.push_back("OTA_KEY=" + product->access_key);
  environment.push_back("OTA_RES=products/" + product->id);
  for (const char* name : {"dev_id", "manuf", "model", "type", "version"}) {
    if (!example.request.contains(name)) continue;
    const auto& value = example.request[name];
    std::string upper = name;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    environment.push_back("OTA_" + upper + "=" + (value.is_string() ? value.get<std::string>() : value.dump()));
  }
  return environment;
}

// The clauses a scenario's expected behaviour stands for: an error code's
// own client clauses (its action; CLI.ACTION.NO_DOWNLOAD_ON_ERROR only where
// the spec names no other), never an ID the spec lacks.
std::vector<std::string> behaviour_clauses(const spec::Spec& spec, const std::string& id, const std::string& expect) {
  if (id == "bad-md5") return {"CLI.MD5.VERIFY"};
  if (is_error_scenario(id)) {
    const auto* check = spec.endpoint_by_role("check");
    const auto* code = check ? check->error_code(scenario_code(id)) : nullptr;
    std::vector<std::string> own, fallback;
    for (const auto& clause_id : code ? code->clauses : std::vector<std::string>{}) {
      const auto* clause = spec.clause(clause_id);
      if (!clause || clause->side == spec::Side::Server) continue;
      (clause_id == "CLI.ACTION.NO_DOWNLOAD_ON_ERROR" ? fallback : own).push_back(clause_id);
    }
    if (!own.empty()) return own;
    return fallback.empty() ? std::vector<std::string>{"CLI.PARSE.REJECT"} : fallback;
  }
  if (expect == "download") return {"CLI.ACTION.00", "DL.ADDRESS"};
  return {"CLI.PARSE.REJECT"};
}

// The error code entry of the mock's last answer, when it was not a success.
const spec::ErrorCode* answered_error(const spec::Spec& spec, const MockCloud& mock) {
  const auto* check = spec.endpoint_by_role("check");
  if (!check || !check->response || mock.last_errno() < 0 || mock.last_errno() == check->response->success_code)
    return nullptr;
  return check->error_code(mock.last_errno());
}

// CLI.RECHECK.BACKOFF (SHOULD): after an error, no check again within a
// second of the previous one. The least every reading of AMB.RECHECK_INTERVAL
// asks: the document gives retry and interval only with a success.
constexpr double kTightLoopSeconds = 1.0;

template <typename Record>
void judge_recheck(const spec::Spec& spec, const std::string& id, const E2eResult& r, const Record& record) {
  const auto* clause = spec.clause("CLI.RECHECK.BACKOFF");
  if (!clause) return;
  if (r.check_requests < 2) {
    record(clause->id, Verdict::Pass, id + ": checked once, no re-check within the run");
    return;
  }
  const auto gap = std::to_string(static_cast<int>(r.shortest_gap * 1000)) + " ms";
  if (r.shortest_gap < kTightLoopSeconds) {
    record(clause->id, results::violation_of(clause->level),
           id + ": checked " + std::to_string(r.check_requests) + " times, two of them " + gap +
               " apart: re-checks at once after an error answer");
  } else {
    record(clause->id, Verdict::Pass,
           id + ": checked " + std::to_string(r.check_requests) + " times, at least " + gap + " apart");
  }
}

}  // namespace

std::vector<PlannedCheck> client_e2e_plan(const spec::Spec& spec, const std::vector<std::string>& scenarios) {
  std::vector<std::string> behaviour;
  const auto all = mock_scenarios(spec);
  for (const auto& id : scenarios) {
    const auto found = std::find_if(all.begin(), all.end(), [&](const MockScenario& s) { return s.id == id; });
    if (found == all.end()) continue;
    auto clauses = behaviour_clauses(spec, id, found->expect);
    if (is_error_scenario(id)) clauses.push_back("CLI.ACTION.NO_DOWNLOAD_ON_ERROR");
    // A device whose own request earns an error code is judged on that code's action.
    if (const auto* check = spec.endpoint_by_role("check"); check && found->expect == "download") {
      for (const auto& code : check->error_codes) {
        const auto more = behaviour_clauses(spec, "errno-" + std::to_string(code.code), code.action);
        clauses.insert(clauses.end(), more.begin(), more.end());
      }
    }
    behaviour.insert(behaviour.end(), clauses.begin(), clauses.end());
  }
  behaviour.push_back("CLI.RECHECK.BACKOFF");
  behaviour.push_back("EP.CHECK.PATH");  // a device that never calls the check endpoint
  std::vector<std::string> requests = {"EP.CHECK.METHOD",   "EP.CHECK.PATH",     "EP.CHECK.ENCODING",
                                       "REQ.NAMES",         "AUTH.TOKEN.FORMAT", "AUTH.TOKEN.SIGNATURE",
                                       "AUTH.TOKEN.EXPIRY", "AUTH.TOKEN.SCOPE"};
  if (const auto* check = spec.endpoint_by_role("check")) {
    requests.insert(requests.end(), check->clauses.begin(), check->clauses.end());
    for (const auto& field : check->request_fields)
      requests.insert(requests.end(), field.clauses.begin(), field.clauses.end());
    for (const auto& header : check->headers)
      requests.insert(requests.end(), header.clauses.begin(), header.clauses.end());
  }
  const auto count = std::to_string(scenarios.size()) + (scenarios.size() == 1 ? " scenario" : " scenarios");
  // A device's token is judged by the rules a server verifies it with
  // (AUTH.TOKEN.SIGNATURE, .EXPIRY, .SCOPE are server-side clauses).
  return {{kBehaviourCheck, kBehaviourTitle, known_clauses(spec, behaviour, spec::Side::Server), {}, count},
          {kRequestsCheck, kRequestsTitle, known_clauses(spec, requests), {}, count}};
}

std::vector<E2eResult> run_client_e2e(const spec::Spec& spec, const spec::Profile& profile,
                                      const fixture::Fixture& fixture, const std::string& command,
                                      const std::vector<std::string>& scenarios, double timeout_seconds,
                                      results::Recorder& recorder, bool enforce_decisions) {
  std::vector<E2eResult> out;
  for (const auto& id : scenarios) {
    MockCloud mock(spec, profile, fixture, id, recorder);
    mock.enforce_decisions(enforce_decisions);
    refserver::HttpServer server(
        [&mock](const WireRequest& r, const fixture::SelfAddress& self) { return mock.handle(r, self); });
    const int port = server.start("127.0.0.1", 0);
    const auto device = run_device(command, device_environment(fixture, profile, port), timeout_seconds,
                                   [&mock] { return mock.check_requests() + mock.download_attempts(); });
    server.stop();
    E2eResult r;
    r.scenario = id;
    r.expect = mock.scenario().expect;
    r.exit_code = device.exit_code;
    r.timed_out = !device.stopped.empty();
    r.stopped = device.stopped;
    r.check_requests = mock.check_requests();
    r.downloaded = mock.downloaded();
    auto clauses = behaviour_clauses(spec, id, r.expect);
    // A scenario built on the reference's answer expects a download, unless
    // the device's own request earned an error code: then that code's action.
    if (const auto* code = answered_error(spec, mock); code && r.expect == "download") {
      r.expect = code->action;
      clauses = behaviour_clauses(spec, "errno-" + std::to_string(code->code), r.expect);
    }
    r.download_attempts = mock.download_attempts();
    const auto times = mock.check_times();
    for (std::size_t i = 1; i < times.size(); ++i) {
      const auto gap = times[i] - times[i - 1];
      if (r.shortest_gap < 0 || gap < r.shortest_gap) r.shortest_gap = gap;
    }
    out.push_back(r);

    results::Evidence evidence;
    evidence.request = {{"command", command}, {"scenario", id}};
    evidence.expected = {{"expect", r.expect}};
    evidence.observed = {{"exit", r.exit_code},
                         {"timed_out", r.timed_out},
                         {"check_requests", r.check_requests},
                         {"check_times", times},
                         {"download_requests", r.download_attempts},
                         {"downloaded", r.downloaded},
                         {"output", crypto::escape_invalid_utf8(device.output)}};
    if (r.timed_out) evidence.observed["stopped"] = r.stopped;
    auto record = [&](const std::string& clause, Verdict verdict, const std::string& message) {
      recorder.record(
          {kBehaviourCheck, kBehaviourTitle, clause, verdict, message, evidence, results::Basis::document()});
    };
    if (is_error_scenario(id)) {
      // Never a download on an error, whatever the exit status says: every
      // request to the download path counts, answered or not.
      const bool attempted = r.download_attempts > 0;
      record(
          "CLI.ACTION.NO_DOWNLOAD_ON_ERROR", attempted ? Verdict::Fail : Verdict::Pass,
          id + (attempted ? ": requested the download path " + std::to_string(r.download_attempts) +
                                " time(s) after an error answer" + (r.downloaded ? " and downloaded the package" : "")
                          : ": no download requested"));
      judge_recheck(spec, id, r, record);
    }
    if (r.check_requests == 0)
      record("EP.CHECK.PATH", Verdict::Fail, id + ": the device never called the check endpoint");
    const std::string message =
        id + ": expected " + r.expect + ", the device " +
        (r.timed_out ? "was stopped: it " + r.stopped : "exited " + std::to_string(r.exit_code)) +
        (r.downloaded ? " after downloading" : "");
    const bool matches = behaviour_matches(r.expect, r);
    for (const auto& clause : clauses) {
      const auto* c = spec.clause(clause);
      const auto missed = r.timed_out ? Verdict::Fail : (c ? results::violation_of(c->level) : Verdict::Fail);
      record(clause, matches ? Verdict::Pass : (r.expect == "any" ? Verdict::Info : missed), message);
    }
  }
  return out;
}

}  // namespace otaconf::conformance
