#include "otaconf/fixture.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "fixture_texts.h"
#include "json_input.h"
#include "otaconf/crypto.h"
#include "otaconf/paths.h"

namespace otaconf::fixture {

using detail::child;
using detail::Collector;
using nlohmann::json;

namespace {

constexpr int kMaxFixtureDepth = 32;

const detail::JsonSchema& fixture_schema() {
  static const detail::JsonSchema schema(
      kFixtureSchemaText, "matches none of the allowed forms (a package has either a file, or a seed and a size)");
  return schema;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::string text_or_empty(const json& j, const char* key) {
  return j.contains(key) ? j.at(key).get<std::string>() : std::string();
}

// Streams the package once to learn its size and MD5.
void measure(Package& package) {
  crypto::Md5 md5;
  if (package.seed) {
    constexpr std::uint64_t kChunk = 1 << 16;
    for (std::uint64_t offset = 0; offset < package.size; offset += kChunk) {
      md5.update(seeded_bytes(*package.seed, offset, std::min(kChunk, package.size - offset)));
    }
    package.md5 = md5.hex_digest();
    package.available = true;
    return;
  }
  std::ifstream in(*package.file, std::ios::binary);
  if (!in) {
    package.unavailable_reason = "cannot read " + package.file->string();
    return;
  }
  std::string buffer(1 << 16, '\0');
  std::uint64_t size = 0;
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    const auto got = static_cast<std::size_t>(in.gcount());
    md5.update(std::string_view(buffer.data(), got));
    size += got;
  }
  package.size = size;
  package.md5 = md5.hex_digest();
  package.available = true;
}

// Whether `file` (symbolic links and ".." resolved) lies under `dir`.
bool within(const std::filesystem::path& dir, const std::filesystem::path& file) {
  std::error_code ec;
  const auto base = std::filesystem::weakly_canonical(std::filesystem::absolute(dir.empty() ? "." : dir, ec), ec);
  const auto target = std::filesystem::weakly_canonical(std::filesystem::absolute(file, ec), ec);
  if (ec) return false;
  const auto relative = target.lexically_relative(base);
  return !relative.empty() && *relative.begin() != "..";
}

class Reader {
 public:
  explicit Reader(std::filesystem::path base_dir) : base_dir_(std::move(base_dir)) {}

  Fixture read(const json& root) {
    Fixture f;
    f.description = text_or_empty(root, "description");
    for (const auto& p : root.at("products")) {
      f.products.push_back(
          {p.at("id").get<std::string>(), text_or_empty(p, "name"), p.at("access_key").get<std::string>()});
    }
    for (const auto& d : root.at("devices")) {
      Device device{d.at("dev_id").get<std::string>(), d.at("product").get<std::string>(),
                    d.at("name").get<std::string>(), std::nullopt};
      if (d.contains("access_key")) device.access_key = d.at("access_key").get<std::string>();
      f.devices.push_back(std::move(device));
    }
    for (const auto& p : root.at("packages")) f.packages.push_back(package(p));
    for (const auto& t : root.at("tasks")) f.tasks.push_back(task(t));
    if (root.contains("fault_injection")) {
      const auto& fi = root.at("fault_injection");
      f.fault_injection = FaultInjection{fi.at("header").get<std::string>(), fi.at("value").get<std::string>()};
    }
    if (root.contains("examples")) {
      for (const auto& e : root.at("examples")) f.examples.push_back(example(e));
    }
    return f;
  }

 private:
  Package package(const json& j) {
    Package p;
    p.id = j.at("id").get<std::string>();
    if (j.contains("file")) {
      std::filesystem::path file = j.at("file").get<std::string>();
      p.file = file.is_absolute() ? file : base_dir_ / file;
      p.outside_fixture_dir = !within(base_dir_, *p.file);
    } else {
      p.seed = j.at("seed").get<std::uint64_t>();
      p.size = j.at("size").get<std::uint64_t>();
    }
    measure(p);
    return p;
  }

  static Task task(const json& j) {
    Task t;
    t.id = j.at("id").get<std::string>();
    t.product = j.at("product").get<std::string>();
    if (j.contains("devices")) t.devices = j.at("devices").get<std::vector<std::string>>();
    t.type = j.at("type").get<int>();
    t.manuf = j.at("manuf").get<std::string>();
    t.model = j.at("model").get<std::string>();
    t.from_versions = j.at("from_versions").get<std::vector<std::string>>();
    t.target = j.at("target").get<std::string>();
    t.package = j.at("package").get<std::string>();
    if (j.contains("signal")) t.signal = j.at("signal").get<std::int64_t>();
    if (j.contains("power")) t.power = j.at("power").get<std::int64_t>();
    t.retry = j.value("retry", std::int64_t{0});
    t.interval = j.value("interval", std::int64_t{0});
    t.status = j.at("status").get<std::string>();
    t.download_ip = j.at("download").at("ip").get<std::string>();
    t.download_domain = j.at("download").at("domain").get<std::string>();
    return t;
  }

  static Example example(const json& j) {
    Example e;
    e.name = j.at("name").get<std::string>();
    e.errno_value = j.at("errno").get<std::int64_t>();
    e.note = text_or_empty(j, "note");
    e.request = j.at("request");
    if (j.contains("auth")) {
      const auto& a = j.at("auth");
      e.auth.res = text_or_empty(a, "res");
      e.auth.method = a.value("method", std::string("sha1"));
      e.auth.expired = a.value("expired", false);
      e.auth.omit = a.value("omit", false);
    }
    e.fault = j.value("fault", false);
    return e;
  }

  std::filesystem::path base_dir_;
};

template <typename T, typename Key>
void unique(const std::vector<T>& items, Key key, const std::string& what, const std::string& base, Collector& out) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto k = key(items[i]);
    if (!seen.insert(k).second) out.add(child(base, i), "duplicate " + what + " '" + k + "'");
  }
}

void check_references(const Fixture& f, Collector& out) {
  unique(
      f.products, [](const Product& p) { return p.id; }, "product id", "/products", out);
  unique(
      f.devices, [](const Device& d) { return d.dev_id; }, "dev_id", "/devices", out);
  unique(
      f.devices, [](const Device& d) { return d.product + "/" + d.name; }, "device name in its product", "/devices",
      out);
  unique(
      f.packages, [](const Package& p) { return p.id; }, "package id", "/packages", out);
  unique(
      f.tasks, [](const Task& t) { return t.id; }, "task id", "/tasks", out);
  unique(
      f.examples, [](const Example& e) { return e.name; }, "example name", "/examples", out);
  for (std::size_t i = 0; i < f.products.size(); ++i) {
    if (!crypto::base64_decode(f.products[i].access_key))
      out.add(child(child("/products", i), "access_key"), "not base64");
  }
  for (std::size_t i = 0; i < f.devices.size(); ++i) {
    const auto& d = f.devices[i];
    if (!f.product(d.product)) out.add(child(child("/devices", i), "product"), "unknown product '" + d.product + "'");
    if (d.access_key && !crypto::base64_decode(*d.access_key)) {
      out.add(child(child("/devices", i), "access_key"), "not base64");
    }
  }
  std::map<std::pair<std::string, int>, std::string> claimed;  // (dev_id, type) -> task id
  for (std::size_t i = 0; i < f.tasks.size(); ++i) {
    const auto& t = f.tasks[i];
    const auto base = child("/tasks", i);
    if (!f.product(t.product)) out.add(child(base, "product"), "unknown product '" + t.product + "'");
    if (!f.package(t.package)) out.add(child(base, "package"), "unknown package '" + t.package + "'");
    if (t.devices) {
      for (std::size_t k = 0; k < t.devices->size(); ++k) {
        const auto* d = f.device((*t.devices)[k]);
        if (!d || d->product != t.product) {
          out.add(child(child(base, "devices"), k),
                  "'" + (*t.devices)[k] + "' is not a device of product " + t.product);
        }
      }
    }
    for (const auto& d : f.devices) {
      if (!t.targets(d)) continue;
      auto [it, inserted] = claimed.emplace(std::make_pair(d.dev_id, t.type), t.id);
      if (!inserted) {
        out.add(base, "device " + d.dev_id + " already has a task of type " + std::to_string(t.type) + " ('" +
                          it->second + "'): the check answer would be ambiguous");
      }
    }
  }
  for (std::size_t i = 0; i < f.examples.size(); ++i) {
    if (!f.examples[i].request.is_object()) out.add(child(child("/examples", i), "request"), "not an object");
  }
}

LoadOutcome finish(Collector& out, std::optional<Fixture> fixture) {
  LoadOutcome outcome;
  outcome.errors = std::move(out.errors());
  if (outcome.errors.empty()) outcome.fixture = std::move(fixture);
  return outcome;
}

Fixture take_or_throw(LoadOutcome outcome) {
  if (!outcome.errors.empty()) throw InputError(outcome.errors.front());
  return std::move(*outcome.fixture);
}

}  // namespace

std::string seeded_bytes(std::uint64_t seed, std::uint64_t offset, std::uint64_t length) {
  std::string out;
  out.reserve(length);
  std::uint64_t position = offset;
  while (position < offset + length) {
    const std::uint64_t block = splitmix64(seed * 0x100000001B3ull + position / 8);
    for (auto byte = position % 8; byte < 8 && position < offset + length; ++byte, ++position) {
      out += static_cast<char>((block >> (8 * byte)) & 0xFF);
    }
  }
  return out;
}

std::optional<std::string> Package::read(std::uint64_t offset, std::uint64_t length) const {
  if (!available) return std::nullopt;
  if (offset >= size) return std::string();
  length = std::min(length, size - offset);
  if (seed) return seeded_bytes(*seed, offset, length);
  std::ifstream in(*file, std::ios::binary);
  if (!in.seekg(static_cast<std::streamoff>(offset))) return std::nullopt;
  std::string bytes(length, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(length))) return std::nullopt;
  return bytes;
}

std::optional<std::string> packages_outside(const Fixture& fixture) {
  for (const auto& p : fixture.packages) {
    if (p.outside_fixture_dir)
      return "package '" + p.id + "': " + p.file->string() + " is outside the fixture's directory";
  }
  return std::nullopt;
}

bool Task::targets(const Device& device) const {
  if (device.product != product) return false;
  return !devices || std::find(devices->begin(), devices->end(), device.dev_id) != devices->end();
}

std::string Task::download_host(bool cdn, const SelfAddress& self) const {
  const auto& chosen = cdn ? download_domain : download_ip;
  if (chosen == "@self") return cdn ? self.by_name : self.by_ip;
  return chosen;
}

const Product* Fixture::product(std::string_view id) const {
  for (const auto& p : products) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const Device* Fixture::device(std::string_view dev_id) const {
  for (const auto& d : devices) {
    if (d.dev_id == dev_id) return &d;
  }
  return nullptr;
}

const Device* Fixture::device_named(std::string_view product_id, std::string_view name) const {
  for (const auto& d : devices) {
    if (d.product == product_id && d.name == name) return &d;
  }
  return nullptr;
}

const Package* Fixture::package(std::string_view id) const {
  for (const auto& p : packages) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::vector<json> Fixture::records(std::string_view collection) const {
  std::vector<json> out;
  if (collection == "products") {
    for (const auto& p : products) out.push_back({{"id", p.id}, {"name", p.name}});
  } else if (collection == "devices") {
    for (const auto& d : devices) out.push_back({{"dev_id", d.dev_id}, {"product", d.product}, {"name", d.name}});
  } else if (collection == "tasks") {
    for (const auto& t : tasks) {
      json record = {{"id", t.id},
                     {"product", t.product},
                     {"type", t.type},
                     {"manuf", t.manuf},
                     {"model", t.model},
                     {"from_versions", t.from_versions},
                     {"target", t.target},
                     {"retry", t.retry},
                     {"interval", t.interval},
                     {"status", t.status},
                     {"download", {{"ip", t.download_ip}, {"domain", t.download_domain}}}};
      if (t.devices) record["devices"] = *t.devices;
      if (t.signal) record["signal"] = *t.signal;
      if (t.power) record["power"] = *t.power;
      if (const auto* p = package(t.package)) {
        record["package"] = {{"id", p->id}, {"size", p->size}, {"md5", p->md5}, {"available", p->available}};
      }
      out.push_back(std::move(record));
    }
  }
  return out;
}

LoadOutcome try_load_fixture_text(std::string_view text, const std::string& label,
                                  const std::filesystem::path& base_dir) {
  Collector out(label);
  auto document = detail::parse_bounded(text, kMaxFixtureDepth, out);
  if (!document || !fixture_schema().validate(*document, out)) return finish(out, std::nullopt);
  Fixture f;
  try {
    f = Reader(base_dir).read(*document);
  } catch (const json::exception& e) {
    out.add("", std::string("internal: the schema admitted a shape the reader cannot read: ") + e.what());
    return finish(out, std::nullopt);
  }
  f.file = label;
  check_references(f, out);
  return finish(out, std::move(f));
}

LoadOutcome try_load_fixture(const std::filesystem::path& file) {
  Collector out(file.string());
  const auto text = detail::read_file(file, out);
  if (!text) return finish(out, std::nullopt);
  return try_load_fixture_text(*text, file.string(), file.parent_path());
}

Fixture load_fixture(const std::filesystem::path& file) { return take_or_throw(try_load_fixture(file)); }

Fixture load_fixture_text(std::string_view text, const std::string& label, const std::filesystem::path& base_dir) {
  return take_or_throw(try_load_fixture_text(text, label, base_dir));
}

std::string_view default_fixture_text() { return kDefaultFixtureText; }

Fixture default_fixture() {
  return load_fixture_text(kDefaultFixtureText, "reference/fixtures/default.json (embedded)",
                           paths::data_dir() / "fixtures");
}

}  // namespace otaconf::fixture
