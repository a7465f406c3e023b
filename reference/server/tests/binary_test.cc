// The ota-refserver binary as a user runs it: --list-mutants, --port 0
// printing its URL, every documented example over HTTP, clean SIGTERM.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "support.h"

extern char** environ;

namespace otaconf::refserver {
namespace {

struct Process {
  pid_t pid = -1;
  FILE* out = nullptr;  // the child's stdout
};

// Kills the child if a failed assertion leaves the test early, so no server
// outlives its test (and ctest does not wait on its pipe).
struct ChildGuard {
  pid_t pid;
  ~ChildGuard() {
    if (pid > 0 && waitpid(pid, nullptr, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

Process spawn(const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  Process process;
  const int rc = posix_spawn(&process.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    return {};
  }
  process.out = fdopen(pipe_fds[0], "r");
  return process;
}

std::string read_line(FILE* in) {
  std::array<char, 4096> buffer{};
  if (!fgets(buffer.data(), buffer.size(), in)) return {};
  std::string line = buffer.data();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

int wait_exit(pid_t pid) {
  int status = 0;
  for (int i = 0; i < 500; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    usleep(10000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

TEST(Binary, ListsMutantsWithClauses) {
  auto process = spawn({OTACONF_REFSERVER_BINARY, "--list-mutants"});
  ASSERT_GT(process.pid, 0);
  int lines = 0;
  static const std::regex line_syntax("^[a-z0-9-]+\t[A-Z][A-Z0-9_]*(\\.[A-Z0-9_]+)+\t.+\\.$");
  for (auto line = read_line(process.out); !line.empty(); line = read_line(process.out)) {
    EXPECT_TRUE(std::regex_match(line, line_syntax)) << line;
    const auto clause = line.substr(line.find('\t') + 1, line.rfind('\t') - line.find('\t') - 1);
    EXPECT_NE(testing::shipped_spec().clause(clause), nullptr) << line;
    ++lines;
  }
  fclose(process.out);
  EXPECT_EQ(wait_exit(process.pid), 0);
  EXPECT_GE(lines, 20);
}

TEST(Binary, ServesEveryDocumentedExampleAndStopsOnSigterm) {
  auto process = spawn(
      {OTACONF_REFSERVER_BINARY, "--fixture", OTACONF_DEFAULT_FIXTURE, "--port", "0", "--fault-injection", "--quiet"});
  ASSERT_GT(process.pid, 0);
  ChildGuard guard{process.pid};
  const auto url = read_line(process.out);
  std::smatch match;
  ASSERT_TRUE(std::regex_match(url, match, std::regex("^http://127\\.0\\.0\\.1:([0-9]+)$"))) << url;
  httplib::Client client("127.0.0.1", std::stoi(match[1].str()));
  client.set_tcp_nodelay(true);
  client.set_read_timeout(5);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto fx = fixture::default_fixture();
  for (const auto& example : fx.examples) {
    httplib::Headers headers{{"Content-Type", "application/json"}};
    if (!example.auth.omit) {
      const auto* device = fx.device(example.request.value("dev_id", ""));
      const auto res =
          !example.auth.res.empty() ? example.auth.res : "products/" + (device ? device->product : "123123");
      headers.emplace("Authorization",
                      testing::token_for(res, example.auth.method, example.auth.expired ? now - 60 : now + 3600));
    }
    if (example.fault) headers.emplace("X-Otaconf-Fault", "internal");
    auto res = client.Get("/ota/check?" + testing::query_of(example.request), headers);
    ASSERT_TRUE(res) << example.name;
    const auto body = nlohmann::json::parse(res->body, nullptr, false);
    EXPECT_EQ(body.value("errno", -1), example.errno_value) << example.name << ": " << res->body;
  }
  kill(process.pid, SIGTERM);
  EXPECT_EQ(wait_exit(process.pid), 0);
  guard.pid = -1;
  fclose(process.out);
}

TEST(Binary, BadArgumentsExitTwo) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{OTACONF_REFSERVER_BINARY, "--mutant", "nope", "--port", "0"},
        {OTACONF_REFSERVER_BINARY, "--profile", "sloppy", "--port", "0"},
        {OTACONF_REFSERVER_BINARY, "--fixture", "/nonexistent.json"},
        {OTACONF_REFSERVER_BINARY, "--bogus"}}) {
    auto process = spawn(args);
    ASSERT_GT(process.pid, 0);
    EXPECT_EQ(wait_exit(process.pid), 2) << args[1];
    fclose(process.out);
  }
}

// A fixture's package file is confined to the fixture's directory: one that
// leads out (here to /etc/hostname) is refused unless --packages-anywhere.
TEST(Binary, PackageFilesOutsideTheFixtureDirectoryNeedPackagesAnywhere) {
  const auto dir = std::filesystem::temp_directory_path() / ("otaconf-fixture-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto fixture = nlohmann::json::parse(std::ifstream(OTACONF_DEFAULT_FIXTURE));
  fixture["packages"].push_back({{"id", "escape"}, {"file", "../../../../../../../../etc/hostname"}});
  const auto file = (dir / "fixture.json").string();
  std::ofstream(file) << fixture.dump();
  auto refused = spawn({OTACONF_REFSERVER_BINARY, "--fixture", file, "--port", "0", "--quiet"});
  ASSERT_GT(refused.pid, 0);
  EXPECT_EQ(wait_exit(refused.pid), 2);
  fclose(refused.out);
  auto allowed = spawn({OTACONF_REFSERVER_BINARY, "--fixture", file, "--port", "0", "--quiet", "--packages-anywhere"});
  ASSERT_GT(allowed.pid, 0);
  ChildGuard guard{allowed.pid};
  EXPECT_EQ(read_line(allowed.out).rfind("http://127.0.0.1:", 0), 0u);
  kill(allowed.pid, SIGTERM);
  EXPECT_EQ(wait_exit(allowed.pid), 0);
  fclose(allowed.out);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace otaconf::refserver
