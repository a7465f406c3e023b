// otaclient-adapter: the reference client behind the subprocess protocol of
// docs/adapters.md. Reads frames "<length> <profile>\n<body bytes>" on stdin
// and writes one JSON result per line on stdout; $OTACLIENT_MUTANT picks a
// mutant; --list-mutants lists them. Built a second time with AddressSanitizer (otaclient-adapter-asan)
// so memory errors of mutants end the process, which the runner records.
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "otaclient.h"

namespace {

const char* action_name(otaconf_action action) {
  switch (action) {
    case OTACONF_ACTION_DOWNLOAD: return "download";
    case OTACONF_ACTION_RETRY_LATER: return "retry-later";
    case OTACONF_ACTION_NO_UPDATE: return "no-update";
    default: return "none";
  }
}

nlohmann::json to_json(const otaconf_result& r) {
  using nlohmann::json;
  if (!r.accepted) return {{"accepted", false}, {"reason", r.reason}, {"action", "none"}};
  json out = {{"accepted", true}, {"errno", r.errno_value}, {"error", r.error}, {"action", action_name(r.action)}};
  if (r.has_data) {
    out["data"] = {{"target", r.target},     {"token", r.token}, {"size", r.size},
                   {"signal", r.signal},     {"power", r.power}, {"retry", r.retry},
                   {"interval", r.interval}, {"md5", r.md5},     {"ip", r.ip}};
  } else {
    out["data"] = nullptr;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--list-mutants") {
    // One line per mutant: name, the clause it violates, what it does.
    for (const auto& m : otaclient::mutants()) std::cout << m.name << "\t" << m.clause << "\t" << m.description << "\n";
    return 0;
  }
  if (argc > 1 && std::string(argv[1]) == "--list-variants") {
    // One line per legal variant: name, the reading it follows, what it does.
    for (const auto& v : otaclient::variants())
      std::cout << v.name << "\t" << v.clause << "\t" << v.description << "\n";
    return 0;
  }
  const auto behaviour = otaclient::behaviour_from_environment();
  std::string header;
  while (std::getline(std::cin, header)) {
    const auto space = header.find(' ');
    const auto length = std::stoull(header.substr(0, space));
    const auto profile = space == std::string::npos ? std::string("strict") : header.substr(space + 1);
    std::string body(length, '\0');
    if (length > 0 && !std::cin.read(body.data(), static_cast<std::streamsize>(length))) return 1;
    otaconf_result result;
    otaclient::parse(body, otaclient::profile_named(profile), behaviour, result);
    std::cout << to_json(result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  }
  return 0;
}
