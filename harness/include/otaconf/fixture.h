// A fixture: the state an OTA server holds (products with access keys,
// devices, packages, upgrade tasks) plus documented example requests.
// The format is reference/fixtures/README.md, its schema
// reference/fixtures/fixture.schema.json (compiled in).
//
// The reference server serves a fixture; the conformance runner is handed the
// fixture a server under test was provisioned with. This module only loads
// and describes the data: it decides nothing about requests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "otaconf/diagnostic.h"

namespace otaconf::fixture {

struct Product {
  std::string id;
  std::string name;
  std::string access_key;  // base64
};

struct Device {
  std::string dev_id;
  std::string product;
  std::string name;
  std::optional<std::string> access_key;  // device-level key, base64
};

struct Package {
  std::string id;
  std::optional<std::filesystem::path> file;  // resolved against the fixture's directory
  bool outside_fixture_dir = false;            // `file` leads out of it (absolute, "..", a link)
  std::optional<std::uint64_t> seed;
  std::uint64_t size = 0;
  std::string md5;                 // lower-case hex
  bool available = false;          // false when the file cannot be read
  std::string unavailable_reason;  // why, when not available

  // Bytes [offset, offset+length) of the package (clamped to its size);
  // nullopt when the package is unavailable or the file fails to read.
  std::optional<std::string> read(std::uint64_t offset, std::uint64_t length) const;
};

// The server's own address, for download hosts written as "@self".
struct SelfAddress {
  std::string by_ip;    // e.g. 127.0.0.1:8080
  std::string by_name;  // e.g. localhost:8080
};

struct Task {
  std::string id;
  std::string product;
  std::optional<std::vector<std::string>> devices;  // absent: every device of the product
  int type = 1;
  std::string manuf, model;
  std::vector<std::string> from_versions;
  std::string target;
  std::string package;  // a Package id
  std::optional<std::int64_t> signal, power;
  std::int64_t retry = 0, interval = 0;
  std::string status;  // active, suspended, invalid
  std::string download_ip, download_domain;

  bool targets(const Device& device) const;
  // data.ip for a device that sent cdn: the domain with cdn, the ip without.
  std::string download_host(bool cdn, const SelfAddress& self) const;
};

struct ExampleAuth {
  std::string res;  // empty: products/{the device's product}
  std::string method = "sha1";
  bool expired = false;
  bool omit = false;
};

struct Example {
  std::string name;
  std::int64_t errno_value = 0;
  std::string note;
  nlohmann::json request;  // canonical names and types
  ExampleAuth auth;
  bool fault = false;
};

struct FaultInjection {
  std::string header;
  std::string value;
};

struct Fixture {
  std::filesystem::path file;
  std::string description;
  std::vector<Product> products;
  std::vector<Device> devices;
  std::vector<Package> packages;
  std::vector<Task> tasks;
  std::optional<FaultInjection> fault_injection;
  std::vector<Example> examples;

  const Product* product(std::string_view id) const;
  const Device* device(std::string_view dev_id) const;
  const Device* device_named(std::string_view product, std::string_view name) const;
  const Package* package(std::string_view id) const;

  // A collection as JSON records, for generic lookups by the oracle:
  // "products", "devices" or "tasks" (a task's "package" expanded to
  // {"id", "size", "md5", "available"}).
  std::vector<nlohmann::json> records(std::string_view collection) const;
};

struct LoadOutcome {
  std::optional<Fixture> fixture;
  std::vector<Diagnostic> errors;
};

LoadOutcome try_load_fixture(const std::filesystem::path& file);
LoadOutcome try_load_fixture_text(std::string_view text, const std::string& label,
                                  const std::filesystem::path& base_dir = {});
// Throw InputError with the first diagnostic.
Fixture load_fixture(const std::filesystem::path& file);
Fixture load_fixture_text(std::string_view text, const std::string& label, const std::filesystem::path& base_dir = {});

// The first package whose file lies outside the fixture's directory, as a
// message; a server serves such a file only when its user allows it
// (ota-refserver --packages-anywhere), lest a fixture serve /etc/passwd.
std::optional<std::string> packages_outside(const Fixture& fixture);

// reference/fixtures/default.json, compiled in.
std::string_view default_fixture_text();
Fixture default_fixture();

// Deterministic package bytes from a seed (random access: any range can be
// produced without the bytes before it).
std::string seeded_bytes(std::uint64_t seed, std::uint64_t offset, std::uint64_t length);

}  // namespace otaconf::fixture
