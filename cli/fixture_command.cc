// otaconf fixture: what a server team needs to provision its server with the
// state the suite assumes (reference/fixtures/README.md): a template to
// start from, a linter, and the packages' bytes to host.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "otaconf/crypto.h"
#include "otaconf/diagnostic.h"
#include "otaconf/fixture.h"

namespace otaconf::cli {

namespace {

namespace fs = std::filesystem;

int lint(const std::string& file) {
  const auto outcome = fixture::try_load_fixture(file);
  for (const auto& error : outcome.errors) std::cout << error.line() << "\n";
  if (!outcome.fixture) return kExitFindings;
  if (const auto outside = fixture::packages_outside(*outcome.fixture)) {
    std::cout << file << ": " << *outside << " (ota-refserver serves it only with --packages-anywhere)\n";
  }
  std::size_t unavailable = 0;
  for (const auto& package : outcome.fixture->packages) {
    if (package.available) continue;
    ++unavailable;
    std::cout << file << ": package '" << package.id << "' is unavailable: " << package.unavailable_reason << "\n";
  }
  std::cout << file << ": " << outcome.errors.size() << " problems (" << outcome.fixture->products.size()
            << " products, " << outcome.fixture->devices.size() << " devices, " << outcome.fixture->tasks.size()
            << " tasks, " << outcome.fixture->packages.size() << " packages, " << unavailable << " unavailable)\n";
  return kExitOk;
}

// Each available package's bytes as DIR/<id>.bin, and DIR/manifest.json
// (id, file, size, md5): what a real server hosts for the download checks.
int export_packages(const std::string& file, const std::string& dir) {
  const auto f = fixture::load_fixture(file);
  fs::create_directories(dir);
  auto manifest = nlohmann::json::array();
  for (const auto& package : f.packages) {
    if (!package.available) {
      std::cerr << "otaconf: package '" << package.id << "' skipped: " << package.unavailable_reason << "\n";
      continue;
    }
    const auto bytes = package.read(0, package.size);
    if (!bytes || crypto::md5_hex(*bytes) != package.md5) {
      std::cerr << "otaconf: package '" << package.id << "': cannot read its bytes\n";
      return kExitUsage;
    }
    const auto name = package.id + ".bin";
    std::ofstream(fs::path(dir) / name, std::ios::binary) << *bytes;
    manifest.push_back({{"id", package.id}, {"file", name}, {"size", package.size}, {"md5", package.md5}});
    std::cout << name << " " << package.size << " bytes, md5 " << package.md5 << "\n";
  }
  std::ofstream(fs::path(dir) / "manifest.json") << manifest.dump(2) << "\n";
  return kExitOk;
}

}  // namespace

void add_fixture_command(CLI::App& app, int& exit_code) {
  auto* fixture_app = app.add_subcommand("fixture", "The state a server under test is provisioned with");
  fixture_app->require_subcommand(1);

  fixture_app->add_subcommand("init", "Print a fixture to start from (the reference's; it lints)")
      ->callback([&exit_code] {
        std::cout << fixture::default_fixture_text();
        exit_code = kExitOk;
      });

  auto file = std::make_shared<std::string>();
  auto* lint_app =
      fixture_app->add_subcommand("lint", "Check a fixture against the spec's model: one line per problem");
  lint_app->add_option("file", *file, "fixture file")->required()->check(CLI::ExistingFile);
  lint_app->callback([file, &exit_code] {
    try {
      exit_code = lint(*file);
    } catch (const InputError& e) {
      std::cout << e.what() << "\n";
      exit_code = kExitFindings;
    }
  });

  auto dir = std::make_shared<std::string>();
  auto* export_app =
      fixture_app->add_subcommand("export-packages", "Write each package's bytes and a manifest (id, size, md5)");
  export_app->add_option("file", *file, "fixture file")->required()->check(CLI::ExistingFile);
  export_app->add_option("dir", *dir, "directory to write")->required();
  export_app->callback([file, dir, &exit_code] {
    try {
      exit_code = export_packages(*file, *dir);
    } catch (const std::exception& e) {
      std::cerr << "otaconf: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

}  // namespace otaconf::cli
