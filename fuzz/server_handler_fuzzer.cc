// Fuzz target: an OTA server's request handler in-process, behind the C ABI
// of otaconf_server.h (docs/server-abi.md): raw HTTP bytes in, raw HTTP bytes
// out. The handler is chosen at configure time with
// -DOTACONF_SERVER_HANDLER=<library or source files> (or by
// otaconf_add_server_fuzzer); by default it is ota-refserver's
// (reference/server/src/handler_abi.cc), so the target always builds and
// replays. The input is one request as text (support/request_input.h),
// sent as HTTP/1.1 to every profile the handler opens.
//
// Oracle (support/server_oracle.h): a well-formed request to the check
// endpoint gets an HTTP/1.x answer whose envelope, errno and data values a
// reading of the document allows, under the fixture the handler was opened
// with; only a MUST broken under every reading is a finding, unless
// decisions are enforced (OTACONF_FUZZ_ENFORCE_DECISIONS=1; the default for
// ota-refserver, which claims each profile): then any miss of the profile's
// own expectation. Other requests: no crash, no write past the answer
// buffer. The clock is fixed (support/fuzz_support.h) so seed tokens stay
// valid; the fixture is the compiled-in one (OTACONF_SERVER_FIXTURE) or
// otaconf's default.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "otaconf/fixture.h"
#include "otaconf/http.h"
#include "otaconf/oracle.h"
#include "otaconf_server.h"
#include "support/fuzz_support.h"
#include "support/mutators.h"
#include "support/request_input.h"
#include "support/server_oracle.h"

#ifdef OTACONF_SERVER_FIXTURE
#include "otaconf_server_fixture.h"  // otaconf_server_fixture_text, otaconf_server_fixture_dir
#endif
#ifndef OTACONF_SERVER_PROFILE
#define OTACONF_SERVER_PROFILE ""  // every profile the handler opens
#endif
#ifndef OTACONF_SERVER_ENFORCE_DECISIONS
#define OTACONF_SERVER_ENFORCE_DECISIONS 0
#endif

namespace {

using namespace otaconf;

const fixture::SelfAddress kSelf{"127.0.0.1:8080", "localhost:8080"};
constexpr std::size_t kAnswerCapacity = 1 << 20;

struct FixtureSource {
  std::string text;
  std::string dir;
};

FixtureSource fixture_source() {
#ifdef OTACONF_SERVER_FIXTURE
  return {otaconf_server_fixture_text, otaconf_server_fixture_dir};
#else
  return {std::string(fixture::default_fixture_text()), ""};
#endif
}

struct Closer {
  void operator()(otaconf_server* server) const { otaconf_server_close(server); }
};

struct ProfileUnderTest {
  const spec::Profile* profile;
  std::unique_ptr<otaconf_server, Closer> server;
  std::unique_ptr<oracle::Oracle> oracle;
};

struct Target {
  fixture::Fixture fixture;
  std::vector<ProfileUnderTest> profiles;
  bool enforce = false;
};

// $OTACONF_FUZZ_PROFILE, else the compiled-in one, else "" (all).
std::string profile_wanted() {
  const auto chosen = fuzz::environment("OTACONF_FUZZ_PROFILE");
  return chosen.empty() ? OTACONF_SERVER_PROFILE : chosen;
}

// Made once and kept for the process: each oracle refers to the fixture.
Target* make_target() {
  const auto source = fixture_source();
  auto* t = new Target{fixture::load_fixture_text(source.text, "the fuzzer's fixture", source.dir),
                       {},
                       fuzz::enforce_decisions(OTACONF_SERVER_ENFORCE_DECISIONS != 0)};
  const auto& spec = fuzz::shipped_spec();
  const auto wanted = profile_wanted();
  for (const auto& profile : spec.profiles) {
    if (!wanted.empty() && profile.id != wanted) continue;
    const otaconf_server_config config{OTACONF_SERVER_ABI,  source.text.data(),   source.text.size(),
                                       source.dir.c_str(),  profile.id.c_str(),   fuzz::kNow,
                                       kSelf.by_ip.c_str(), kSelf.by_name.c_str()};
    std::unique_ptr<otaconf_server, Closer> server(otaconf_server_open(&config));
    if (!server) continue;  // the handler does not serve this profile
    auto model =
        std::make_unique<oracle::Oracle>(oracle::Context{spec, fuzz::check_endpoint(), profile, t->fixture, kSelf});
    t->profiles.push_back({&profile, std::move(server), std::move(model)});
  }
  if (t->profiles.empty()) {
    fuzz::oracle_failure("the handler opened no profile",
                         "otaconf_server_open returned NULL for " + (wanted.empty() ? "every profile" : wanted));
  }
  return t;
}

Target& target() {
  static Target* state = make_target();
  return *state;
}

http::Response answer_of(otaconf_server* server, const http::Request& request, const std::string& bytes) {
  static std::vector<unsigned char> buffer(kAnswerCapacity);
  std::size_t length = 0;
  const int status = otaconf_server_handle(server, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                                           buffer.data(), buffer.size(), &length);
  if (status != 0) {
    http::Response closed;
    closed.error = "the handler closed the connection without an answer (otaconf_server_handle returned " +
                   std::to_string(status) + ")";
    return closed;
  }
  if (length > buffer.size()) {
    fuzz::oracle_failure("the handler reports an answer longer than the buffer",
                         std::to_string(length) + " bytes into " + std::to_string(buffer.size()));
  }
  return http::parse_response(std::string_view(reinterpret_cast<const char*>(buffer.data()), length), request.method);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& t = target();
  const auto request = fuzz::decode_request(std::string_view(reinterpret_cast<const char*>(data), size));
  const auto bytes = http::request_bytes(http::Url{"http", "127.0.0.1", 8080, ""}, request);
  for (auto& p : t.profiles) {
    const auto answer = answer_of(p.server.get(), request, bytes);
    const auto finding = fuzz::judge_server_answer(*p.oracle, request, answer, fuzz::kNow, t.enforce);
    if (!finding) continue;
    fuzz::oracle_failure(finding->clause + ": " + finding->what,
                         finding->details + "\nrequest: " + fuzz::printable(bytes) + "\nanswer: " +
                             (answer.ok() ? "HTTP " + std::to_string(answer.status) + " " + fuzz::printable(answer.body)
                                          : answer.error));
  }
  return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  return otaconf::fuzz::mutate_request(data, size, max_size, seed);
}
