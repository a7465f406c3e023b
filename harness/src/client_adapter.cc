#include "otaconf/client_adapter.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace otaconf::client {

using nlohmann::json;

namespace {

const char* action_name(otaconf_action action) {
  switch (action) {
    case OTACONF_ACTION_DOWNLOAD: return "download";
    case OTACONF_ACTION_RETRY_LATER: return "retry-later";
    case OTACONF_ACTION_NO_UPDATE: return "no-update";
    default: return "none";
  }
}

std::string bounded(const char* text, std::size_t capacity) { return std::string(text, strnlen(text, capacity)); }

// Reads until `count` bytes arrived, EOF, or the deadline; returns what came.
std::string read_until(int fd, std::size_t count, std::chrono::steady_clock::time_point deadline, bool& timed_out) {
  std::string out;
  timed_out = false;
  while (out.size() < count) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::min<long long>(left, 100))) <= 0) continue;
    char chunk[4096];
    const auto n = ::read(fd, chunk, std::min(sizeof chunk, count - out.size()));
    if (n <= 0) break;
    out.append(chunk, static_cast<std::size_t>(n));
  }
  return out;
}

// Whether a child's stderr holds a sanitizer's report: a memory error or
// undefined behaviour is a failure of the parser, whatever exit status the
// sanitizer chose (UBSan goes on by default; ASan exits 1).
bool sanitizer_report(const std::string& errors) {
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                             "WARNING: MemorySanitizer", "WARNING: ThreadSanitizer", "ERROR: HWAddressSanitizer"}) {
    if (errors.find(marker) != std::string::npos) return true;
  }
  return false;
}

std::string signal_text(int status) {
  if (WIFSIGNALED(status))
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) +
           ")";
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "stopped";
}

// ---- in-process C ABI, a fork per body ---------------------------------------

using ParseFunction = int (*)(const unsigned char*, std::size_t, const char*, otaconf_result*);

class LibraryAdapter final : public Adapter {
 public:
  LibraryAdapter(const std::string& path, double timeout) : path_(path), timeout_(timeout) {
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) throw std::runtime_error(std::string("cannot load adapter library: ") + dlerror());
    parse_ = reinterpret_cast<ParseFunction>(dlsym(handle_, "otaconf_adapter_parse"));
    if (!parse_) throw std::runtime_error(path + " does not export otaconf_adapter_parse (see otaconf_adapter.h)");
  }
  ~LibraryAdapter() override {
    if (handle_) dlclose(handle_);
  }

  std::string describe() const override { return path_; }

  Outcome parse(const std::string& body, const std::string& profile) override {
    int result_pipe[2], error_pipe[2];
    Outcome outcome;
    if (pipe(result_pipe) != 0 || pipe(error_pipe) != 0) {
      outcome.detail = "pipe() failed";
      return outcome;
    }
    const pid_t pid = fork();
    if (pid == 0) {
      close(result_pipe[0]);
      close(error_pipe[0]);
      dup2(error_pipe[1], STDERR_FILENO);
      otaconf_result result;
      std::memset(&result, 0, sizeof result);
      const int rc = parse_(reinterpret_cast<const unsigned char*>(body.data()), body.size(), profile.c_str(), &result);
      if (rc != 0) _exit(3);
      const auto* bytes = reinterpret_cast<const char*>(&result);
      std::size_t sent = 0;
      while (sent < sizeof result) {
        const auto n = ::write(result_pipe[1], bytes + sent, sizeof result - sent);
        if (n <= 0) _exit(4);
        sent += static_cast<std::size_t>(n);
      }
      _exit(0);
    }
    close(result_pipe[1]);
    close(error_pipe[1]);
    if (pid < 0) {
      close(result_pipe[0]);
      close(error_pipe[0]);
      outcome.detail = "fork() failed";
      return outcome;
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long long>(timeout_ * 1000));
    bool timed_out = false;
    const auto bytes = read_until(result_pipe[0], sizeof(otaconf_result), deadline, timed_out);
    if (timed_out) kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    bool ignored = false;
    auto errors =
        read_until(error_pipe[0], 1 << 16, std::chrono::steady_clock::now() + std::chrono::milliseconds(200), ignored);
    close(result_pipe[0]);
    close(error_pipe[0]);
    const bool report = sanitizer_report(errors);
    if (errors.size() > 2000) errors = errors.substr(0, 2000) + "...";
    // Exit 3: the parser said it could not run (the ABI's non-zero return); any
    // other way of ending without a result is the parser's failure.
    const bool declined = WIFEXITED(status) && WEXITSTATUS(status) == 3;
    if (timed_out) {
      outcome.kind = Outcome::Kind::TimedOut;
      outcome.detail = "no result within " + std::to_string(timeout_) + " s";
    } else if (report || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || bytes.size() != sizeof(otaconf_result)) {
      outcome.kind = declined && !report ? Outcome::Kind::Failed : Outcome::Kind::Crashed;
      outcome.detail = (report ? "a sanitizer report, " : "") + signal_text(status) +
                       (declined ? ": the parser returned non-zero" : "") +
                       (errors.empty() ? "" : "; stderr: " + errors);
    } else {
      otaconf_result result;
      std::memcpy(&result, bytes.data(), sizeof result);
      outcome.kind = Outcome::Kind::Parsed;
      outcome.result = Normalized::from_c(result);
    }
    return outcome;
  }

 private:
  std::string path_;
  double timeout_;
  void* handle_ = nullptr;
  ParseFunction parse_ = nullptr;
};

// ---- any program: framed bodies on stdin, JSON lines on stdout -------------

class CommandAdapter final : public Adapter {
 public:
  CommandAdapter(std::string command, double timeout) : command_(std::move(command)), timeout_(timeout) {}
  ~CommandAdapter() override { stop(); }

  std::string describe() const override { return command_; }

  Outcome parse(const std::string& body, const std::string& profile) override {
    Outcome outcome;
    if (pid_ <= 0 && !start()) {
      outcome.detail = "cannot start: " + command_;
      return outcome;
    }
    const std::string frame = std::to_string(body.size()) + " " + profile + "\n" + body;
    if (!write_all(frame)) {
      outcome.detail = "the adapter closed its input: " + reap();
      outcome.kind = never_ran_ ? Outcome::Kind::Failed : Outcome::Kind::Crashed;
      return outcome;
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long long>(timeout_ * 1000));
    std::string line;
    bool got_line = false;
    while (!got_line) {
      if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
        line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        got_line = true;
        break;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) {
        outcome.kind = Outcome::Kind::TimedOut;
        outcome.detail = "no result line within " + std::to_string(timeout_) + " s; the adapter is restarted";
        stop();
        return outcome;
      }
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(std::min<long long>(left, 100))) <= 0) continue;
      char chunk[4096];
      const auto n = ::read(out_, chunk, sizeof chunk);
      if (n <= 0) {
        outcome.detail = "the adapter stopped: " + reap();
        outcome.kind = never_ran_ ? Outcome::Kind::Failed : Outcome::Kind::Crashed;
        return outcome;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    const auto document = json::parse(line, nullptr, false);
    std::string why;
    auto result = document.is_discarded() ? std::nullopt : Normalized::from_json(document, &why);
    if (!result) {
      outcome.kind = Outcome::Kind::Garbage;
      outcome.detail = (document.is_discarded() ? std::string("not a JSON line") : why) + ": " + line.substr(0, 200) +
                       "; the adapter is restarted";
      stop();
      return outcome;
    }
    if (const auto report = new_sanitizer_report(); !report.empty()) {
      outcome.kind = Outcome::Kind::Crashed;
      outcome.detail = "a sanitizer report: " + report;
      return outcome;
    }
    outcome.kind = Outcome::Kind::Parsed;
    outcome.result = *result;
    answered_ = true;
    return outcome;
  }

 private:
  // What the adapter wrote to stderr since the last parse, when it holds a
  // sanitizer's report (the process may well go on after one).
  std::string new_sanitizer_report() {
    if (errors_ < 0) return {};
    const auto size = lseek(errors_, 0, SEEK_END);
    if (size <= errors_seen_) return {};
    const auto from = std::max<off_t>(errors_seen_, size - (1 << 16));
    std::string fresh(static_cast<std::size_t>(size - from), '\0');
    const auto n = pread(errors_, fresh.data(), fresh.size(), from);
    errors_seen_ = size;
    if (n <= 0 || !sanitizer_report(fresh)) return {};
    return fresh.substr(0, 2000);
  }

  bool start() {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) return false;
    // The adapter's stderr goes to a file: its tail explains a crash.
    char path[] = "/tmp/otaconf-adapter-stderr-XXXXXX";
    errors_ = mkstemp(path);
    if (errors_ >= 0) unlink(path);
    errors_seen_ = 0;
    answered_ = false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      if (errors_ >= 0) dup2(errors_, STDERR_FILENO);
      close(in[0]);
      close(in[1]);
      close(out[0]);
      close(out[1]);
      // exec: the adapter replaces the shell, so its signals are its own.
      const std::string line = "exec " + command_;
      execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    in_ = in[1];
    out_ = out[0];
    buffer_.clear();
    signal(SIGPIPE, SIG_IGN);  // a dead adapter shows as a failed write
    return pid_ > 0;
  }

  bool write_all(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const auto n = ::write(in_, bytes.data() + sent, bytes.size() - sent);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  std::string reap() {
    int status = 0;
    std::string text = "exited";
    if (pid_ > 0 && waitpid(pid_, &status, 0) == pid_) text = signal_text(status);
    // The shell's 126/127 before any answer: the command never ran.
    never_ran_ = !answered_ && WIFEXITED(status) && (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127);
    pid_ = -1;
    close(in_);
    close(out_);
    if (errors_ >= 0) {
      const auto size = lseek(errors_, 0, SEEK_END);
      const off_t from = size > 2000 ? size - 2000 : 0;
      std::string tail(static_cast<std::size_t>(size - from), '\0');
      if (pread(errors_, tail.data(), tail.size(), from) > 0 && !tail.empty()) text += "; stderr: " + tail;
      close(errors_);
      errors_ = -1;
    }
    return text;
  }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    reap();
  }

  std::string command_;
  double timeout_;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, errors_ = -1;
  off_t errors_seen_ = 0;
  bool answered_ = false;   // a result line came since the last start
  bool never_ran_ = false;  // the last stop was the shell failing to start the command
  std::string buffer_;
};

}  // namespace

std::string to_string(Outcome::Kind kind) {
  switch (kind) {
    case Outcome::Kind::Parsed: return "parsed";
    case Outcome::Kind::Crashed: return "crashed";
    case Outcome::Kind::TimedOut: return "timed out";
    case Outcome::Kind::Garbage: return "garbage output";
    case Outcome::Kind::Failed: return "failed";
  }
  return "?";
}

json Normalized::to_json() const {
  json out = {{"accepted", accepted}, {"action", action}};
  if (!accepted) {
    out["reason"] = reason;
    return out;
  }
  out["errno"] = errno_value;
  out["error"] = error;
  out["data"] = has_data ? data : json(nullptr);
  return out;
}

std::optional<Normalized> Normalized::from_json(const json& line, std::string* why) {
  auto fail = [&](const char* text) -> std::optional<Normalized> {
    if (why) *why = text;
    return std::nullopt;
  };
  if (!line.is_object() || !line.contains("accepted") || !line["accepted"].is_boolean()) {
    return fail("the result line needs a boolean \"accepted\"");
  }
  Normalized n;
  n.accepted = line["accepted"].get<bool>();
  if (!n.accepted) {
    n.reason = line.value("reason", std::string());
    return n;
  }
  if (!line.contains("errno") || !line["errno"].is_number_integer())
    return fail("an accepted result needs an integer \"errno\"");
  n.errno_value = line["errno"].get<std::int64_t>();
  n.error = line.contains("error") && line["error"].is_string() ? line["error"].get<std::string>() : "";
  n.action = line.value("action", std::string("none"));
  if (line.contains("data") && line["data"].is_object()) {
    n.has_data = true;
    n.data = line["data"];
    if (n.data.contains("md5") && n.data["md5"].is_string()) {
      auto md5 = n.data["md5"].get<std::string>();
      n.data["md5"] = md5;
    }
  }
  return n;
}

Normalized Normalized::from_c(const otaconf_result& r) {
  Normalized n;
  n.accepted = r.accepted != 0;
  n.action = action_name(r.action);
  if (!n.accepted) {
    n.reason = bounded(r.reason, sizeof r.reason);
    return n;
  }
  n.errno_value = r.errno_value;
  n.error = bounded(r.error, sizeof r.error);
  n.has_data = r.has_data != 0;
  if (n.has_data) {
    n.data = {{"target", bounded(r.target, sizeof r.target)},
              {"token", bounded(r.token, sizeof r.token)},
              {"size", r.size},
              {"signal", r.signal},
              {"power", r.power},
              {"retry", r.retry},
              {"interval", r.interval},
              {"md5", bounded(r.md5, sizeof r.md5)},
              {"ip", bounded(r.ip, sizeof r.ip)}};
  }
  return n;
}

std::unique_ptr<Adapter> library_adapter(const std::string& path, double timeout_seconds) {
  return std::make_unique<LibraryAdapter>(path, timeout_seconds);
}

std::unique_ptr<Adapter> command_adapter(const std::string& command, double timeout_seconds) {
  return std::make_unique<CommandAdapter>(command, timeout_seconds);
}

}  // namespace otaconf::client
