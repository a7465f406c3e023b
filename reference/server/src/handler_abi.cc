// ota-refserver behind the in-process server ABI (otaconf_server.h): the
// handler the server_handler fuzzer drives unless OTACONF_SERVER_HANDLER
// names another. The bytes go through the same request parser and answer
// writer as on a socket (answer_in_memory), then the same Service.
//
// To measure the fuzzer's oracle, $OTACONF_FUZZ_MUTANT picks one of the
// reference's mutants and $OTACONF_FUZZ_VARIANT one of its legal variants.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "otaconf/refserver.h"
#include "otaconf_server.h"
#include "support/fuzz_support.h"

struct otaconf_server {
  std::unique_ptr<otaconf::refserver::Service> service;
  otaconf::fixture::SelfAddress self;
};

namespace {

std::string text_or_empty(const char* text) { return text ? text : ""; }

}  // namespace

extern "C" otaconf_server* otaconf_server_open(const otaconf_server_config* config) {
  using namespace otaconf;
  if (!config || config->abi != OTACONF_SERVER_ABI || !config->fixture_json) return nullptr;
  try {
    auto fixture =
        fixture::load_fixture_text(std::string_view(config->fixture_json, config->fixture_length),
                                   "the fixture given to otaconf_server_open", text_or_empty(config->fixture_dir));
    refserver::Options options;
    options.profile = text_or_empty(config->profile);
    options.mutant = fuzz::environment("OTACONF_FUZZ_MUTANT");
    options.variant = fuzz::environment("OTACONF_FUZZ_VARIANT");
    const auto now = config->now;
    options.clock = [now] { return now; };
    auto server = std::make_unique<otaconf_server>();
    server->service = std::make_unique<refserver::Service>(fuzz::shipped_spec(), std::move(fixture), options);
    server->self = {text_or_empty(config->self_by_ip), text_or_empty(config->self_by_name)};
    return server.release();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ota-refserver handler: %s\n", e.what());
    return nullptr;
  }
}

extern "C" int otaconf_server_handle(otaconf_server* server, const unsigned char* request, std::size_t length,
                                     unsigned char* answer, std::size_t capacity, std::size_t* answer_length) {
  if (!server || !answer || !answer_length) return 1;
  const auto bytes = otaconf::refserver::answer_in_memory(
      [service = server->service.get()](const otaconf::refserver::WireRequest& wire,
                                        const otaconf::fixture::SelfAddress& self) {
        return service->handle(wire, self);
      },
      std::string_view(reinterpret_cast<const char*>(request), length), server->self);
  if (bytes.size() > capacity) return 1;
  std::memcpy(answer, bytes.data(), bytes.size());
  *answer_length = bytes.size();
  return 0;
}

extern "C" void otaconf_server_close(otaconf_server* server) { delete server; }
