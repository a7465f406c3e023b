#include "otaconf/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define OTACONF_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define OTACONF_SANITIZED 1
#endif

namespace otaconf::process {

namespace {

constexpr int kPollMs = 20;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

void set_nonblocking(int fd) {
  if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// A peer that closes its end shows as a failed write, not as a signal to otaconf.
void ignore_sigpipe() {
  static const bool done = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

int milliseconds_until(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, kPollMs));
}

}  // namespace

void Capture::add(const char* data, std::size_t n, std::size_t budget) {
  total += n;
  const auto half = budget / 2;
  const auto to_head = std::min(half - std::min(half, head.size()), n);
  head.append(data, to_head);
  tail.append(data + to_head, n - to_head);
  if (tail.size() > half) tail.erase(0, tail.size() - half);
}

std::string Capture::text() const {
  const auto dropped = total - head.size() - tail.size();
  if (dropped == 0) return head + tail;
  return head + "\n[... " + std::to_string(dropped) + " bytes not kept ...]\n" + tail;
}

std::string Capture::since(std::size_t seen) const {
  const auto fresh = total - std::min(seen, total);
  const bool whole = total == head.size() + tail.size();
  const auto kept = whole ? head + tail : tail;
  return kept.substr(kept.size() - std::min(fresh, kept.size()));
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) +
           ")";
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "stopped";
}

std::unique_ptr<Child> Child::start(const std::function<int(int)>& body, const Options& options, std::string* why) {
  ignore_sigpipe();
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, result[2] = {-1, -1};
  auto fail = [&](const char* what) -> std::unique_ptr<Child> {
    for (int* p : {in, out, err, result}) {
      close_fd(p[0]);
      close_fd(p[1]);
    }
    if (why) *why = std::string(what) + ": " + std::strerror(errno);
    return nullptr;
  };
  if (options.stdin_pipe ? ::pipe2(in, O_CLOEXEC) != 0 : (in[0] = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
    return fail("cannot open the child's stdin");
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return fail("cannot make pipes");
  if (options.result_pipe && ::pipe2(result, O_CLOEXEC) != 0) return fail("cannot make pipes");

  const pid_t pid = ::fork();
  if (pid < 0) return fail("cannot fork");
  if (pid == 0) {
    ::setpgid(0, 0);
    std::signal(SIGPIPE, SIG_DFL);  // ignored dispositions survive exec
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    int result_fd = -1;
    if (result[1] >= 0) result_fd = ::dup(result[1]);  // not close-on-exec: the body may keep it
    for (const auto& entry : options.environment) ::putenv(const_cast<char*>(entry.c_str()));
    ::_exit(body(result_fd));
  }
  ::setpgid(pid, pid);  // also here: no race with a kill before the child ran
  auto child = std::unique_ptr<Child>(new Child());
  child->pid_ = pid;
  child->budget_ = options.budget;
  close_fd(in[0]);
  close_fd(out[1]);
  close_fd(err[1]);
  close_fd(result[1]);
  child->stdin_write_ = in[1];
  child->stdout_read_ = out[0];
  child->stderr_read_ = err[0];
  child->result_read_ = result[0];
  child->stdout_captured_ = !options.stdout_is_channel;
  for (int fd : {child->stdin_write_, child->stdout_read_, child->stderr_read_, child->result_read_})
    set_nonblocking(fd);
  return child;
}

std::unique_ptr<Child> Child::fork_run(const std::function<int(int)>& body, const Options& options, std::string* why) {
  const auto limit = options.budget.max_rss_bytes;
  return start(
      [&body, limit](int result_fd) {
#ifndef OTACONF_SANITIZED
        // Address space a little past the memory budget: a runaway allocation
        // fails in the child instead of swapping the machine. (Sanitizers
        // reserve terabytes of address space, so not under them.)
        const rlimit cap{limit + (256u << 20), limit + (256u << 20)};
        ::setrlimit(RLIMIT_AS, &cap);
#else
        (void)limit;
#endif
        return body(result_fd);
      },
      options, why);
}

namespace {

// The words of a simple command ("./parser --x 'a b'"), or nothing when it
// needs a shell: operators, redirections, substitutions, or a leading
// NAME=value. Run directly (a builtin falls back to the shell), the command itself is the child: its stdin and
// stdout are its own (a close is seen), and its signals are reported as such.
std::optional<std::vector<std::string>> simple_command(const std::string& command) {
  wordexp_t words{};
  if (::wordexp(command.c_str(), &words, WRDE_NOCMD | WRDE_UNDEF) != 0) {
    ::wordfree(&words);
    return std::nullopt;
  }
  std::vector<std::string> out(words.we_wordv, words.we_wordv + words.we_wordc);
  ::wordfree(&words);
  if (out.empty()) return std::nullopt;
  const auto& first = out.front();
  if (const auto equals = first.find('='); equals != std::string::npos && first.find('/') > equals) return std::nullopt;
  return out;
}

}  // namespace

std::unique_ptr<Child> Child::shell(const std::string& command, const Options& options, std::string* why) {
  const auto words = simple_command(command);
  auto child = start(
      [&command, &words](int) {
        if (words) {
          std::vector<char*> argv;
          for (const auto& word : *words) argv.push_back(const_cast<char*>(word.c_str()));
          argv.push_back(nullptr);
          ::execvp(argv[0], argv.data());
          // Not a program ("exit 0", "cd"): a shell builtin, or missing,
          // which the shell says in its own words.
        }
        // Shell text ("cd x && ./y"); the process group, not the shell, is what is killed.
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        return 127;
      },
      options, why);
  if (child) child->shell_ = !words;
  return child;
}

Child::~Child() {
  kill_group();
  if (pid_ > 0 && !exited_) ::waitpid(pid_, &status_, 0);
  for (int* fd : {&stdin_write_, &stdout_read_, &stderr_read_, &result_read_}) close_fd(*fd);
}

void Child::kill_group() {
  if (pid_ <= 0) return;
  if (!exited_) killed_ = true;
  ::kill(-pid_, SIGKILL);
}

bool Child::write_input(std::string_view bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    if (stdin_write_ < 0) return false;
    const auto n = ::write(stdin_write_, bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;  // EPIPE: it closed its stdin
    if (Clock::now() >= deadline || reap_now()) return false;
    pollfd p{stdin_write_, POLLOUT, 0};
    ::poll(&p, 1, milliseconds_until(deadline));
    if (stderr_read_ >= 0) drain(stderr_read_, err_);
    if (stdout_captured_) drain(stdout_read_, out_);
  }
  return true;
}

void Child::close_input() { close_fd(stdin_write_); }

void Child::drain(int fd, Capture& capture) {
  char chunk[65536];
  for (int round = 0; round < 64; ++round) {  // bounded per call: a flood cannot starve the caller
    const auto n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return;
    capture.add(chunk, static_cast<std::size_t>(n), budget_.max_capture_bytes);
  }
}

std::string Child::read_now(int fd, std::size_t most, bool& eof) {
  std::string out(std::clamp<std::size_t>(most, 1, 65536), '\0');
  const auto n = ::read(fd, out.data(), out.size());
  eof = n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

bool Child::reap_now() {
  if (exited_) return true;
  if (pid_ <= 0) return false;
  if (::waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
  return exited_;
}

namespace {

// The process group of a process, from /proc/PID/stat (after the command
// name, which may hold spaces and parentheses: state ppid pgrp ...).
std::optional<pid_t> group_of(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return std::nullopt;
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 1));
  std::string state;
  long ppid = 0, pgrp = 0;
  if (!(rest >> state >> ppid >> pgrp)) return std::nullopt;
  return static_cast<pid_t>(pgrp);
}

std::size_t resident_bytes(const std::string& pid) {
  std::ifstream statm("/proc/" + pid + "/statm");
  std::size_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

// Resident memory of every process in group `group` (a command run through
// a shell, or one that forks, spends its memory in grandchildren).
std::size_t group_resident_bytes(pid_t group) {
  std::size_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (group_of(name) == group) total += resident_bytes(name);
  }
  return total;
}

constexpr auto kMemoryEvery = std::chrono::milliseconds(50);

}  // namespace

bool Child::over_memory() {
  if (exited_ || pid_ <= 0) return false;
  const auto now = Clock::now();
  if (now < next_memory_check_) return false;
  next_memory_check_ = now + kMemoryEvery;
  const auto bytes = group_resident_bytes(pid_);
  peak_rss_ = std::max(peak_rss_, bytes);
  return bytes > budget_.max_rss_bytes;
}

Child::Event Child::wait(int fd, Clock::time_point deadline) {
  for (;;) {
    pollfd polls[3];
    nfds_t count = 0;
    if (fd >= 0) polls[count++] = {fd, POLLIN, 0};
    if (stdout_captured_ && stdout_read_ >= 0) polls[count++] = {stdout_read_, POLLIN, 0};
    if (stderr_read_ >= 0) polls[count++] = {stderr_read_, POLLIN, 0};
    ::poll(polls, count, milliseconds_until(deadline));
    if (stdout_captured_ && stdout_read_ >= 0) drain(stdout_read_, out_);
    if (stderr_read_ >= 0) drain(stderr_read_, err_);
    if (fd >= 0 && (polls[0].revents & (POLLIN | POLLHUP | POLLERR))) return Event::Readable;
    if (reap_now()) {
      if (stdout_captured_ && stdout_read_ >= 0) drain(stdout_read_, out_);
      if (stderr_read_ >= 0) drain(stderr_read_, err_);
      return Event::Exited;
    }
    if (over_memory()) {
      kill_group();
      return Event::OverMemory;
    }
    if (Clock::now() >= deadline) return Event::Deadline;
  }
}

std::string Child::finish(std::chrono::milliseconds grace) {
  close_input();
  const auto deadline = Clock::now() + grace;
  while (!exited_ && wait(-1, deadline) != Event::Exited && Clock::now() < deadline) {
  }
  if (!exited_) {
    kill_group();
    if (pid_ > 0 && ::waitpid(pid_, &status_, 0) == pid_) exited_ = true;
  }
  kill_group();  // what the child left behind in its group
  if (stdout_captured_ && stdout_read_ >= 0) drain(stdout_read_, out_);
  if (stderr_read_ >= 0) drain(stderr_read_, err_);
  if (killed_) return "still running: killed by otaconf";
  const auto code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 0;
  if (shell_ && code > 128 && code < 128 + NSIG) {
    // sh -c 'a b' waits for its command and reports a signal as 128+N.
    return describe_status(status_) + " (signal " + std::to_string(code - 128) + ", " + strsignal(code - 128) +
           ", as the shell reports it)";
  }
  return describe_status(status_);
}

}  // namespace otaconf::process
