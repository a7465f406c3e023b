// bench/adapter_rate: parses per second of a client adapter, on the
// shipped response vectors repeated to N bodies (bench/README.md).
// Usage: adapter_rate --lib PATH | --cmd COMMAND [N]
// Prints "sequential: R parses/s" (one body in flight, as the property
// cases go) and "pipelined: R parses/s" (parse_many, as the vectors go).
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "otaconf/client_adapter.h"
#include "otaconf/vectors.h"

namespace {

double rate(std::size_t parses, std::chrono::steady_clock::time_point started) {
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return static_cast<double>(parses) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace otaconf;
  if (argc < 3) {
    std::cerr << "usage: adapter_rate --lib PATH | --cmd COMMAND [N]\n";
    return 2;
  }
  const std::string kind = argv[1], target = argv[2];
  const std::size_t n = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 20000;
  try {
    const auto list = vectors::load(vectors::default_directory());
    std::vector<std::string> bodies;
    while (bodies.size() < n) bodies.push_back(list[bodies.size() % list.size()].body);
    client::AdapterLimits limits;
    auto adapter = kind == "--lib" ? client::library_adapter(target, limits) : client::command_adapter(target, limits);
    std::size_t clean = 0;
    auto started = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n / 4; ++i)
      clean += adapter->parse(bodies[i], "strict").kind == client::Outcome::Kind::Parsed;
    std::cout << "sequential: " << static_cast<long>(rate(n / 4, started)) << " parses/s\n";
    started = std::chrono::steady_clock::now();
    for (const auto& outcome : adapter->parse_many(bodies, "strict"))
      clean += outcome.kind == client::Outcome::Kind::Parsed;
    std::cout << "pipelined: " << static_cast<long>(rate(n, started)) << " parses/s\n";
    if (clean != n + n / 4) {
      std::cerr << "adapter_rate: " << (n + n / 4 - clean) << " bodies were not parsed cleanly\n";
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << "adapter_rate: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
