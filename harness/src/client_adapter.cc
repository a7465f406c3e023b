#include "otaconf/client_adapter.h"

#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "otaconf/crypto.h"
#include "otaconf/process.h"

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

constexpr std::size_t kShownBytes = 2000;  // of a child's output, in a verdict's detail

// The last `kShownBytes` of what a child wrote, for a detail: "; stderr:
// ..." or, when there was more, "; stderr (70000 bytes, the last 2000 shown): ...".
std::string shown(const char* name, const std::string& text, std::size_t total) {
  if (text.empty()) return {};
  const auto from = text.size() > kShownBytes ? text.size() - kShownBytes : 0;
  auto kept = text.substr(from);
  while (!kept.empty() && (kept.back() == '\n' || kept.back() == '\r')) kept.pop_back();  // one line, if it was one
  if (total <= kept.size()) return std::string("; ") + name + ": " + kept;
  return std::string("; ") + name + " (" + std::to_string(total) + " bytes, the last " + std::to_string(kept.size()) +
         " shown): " + kept;
}
std::string shown(const char* name, const process::Capture& capture) {
  return shown(name, capture.tail.empty() ? capture.head : capture.tail, capture.total);
}

std::chrono::steady_clock::time_point deadline_after(double seconds) {
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

std::string seconds_text(double seconds) {
  std::ostringstream out;
  out << seconds << " s";
  return out.str();
}

std::string mebibytes(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// ---- in-process C ABI, a fork per body ---------------------------------------

using ParseFunction = int (*)(const unsigned char*, std::size_t, const char*, otaconf_result*);

// Exit statuses of the forked loader/parser (a parser's own exit takes others).
constexpr int kLoadFailed = 120, kNoSymbol = 121, kParserDeclined = 122, kResultLost = 123;

// Loads the library in the calling (child) process; null with a status.
ParseFunction load_parser(const std::string& path, int& status) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::fprintf(stderr, "%s\n", dlerror());
    status = kLoadFailed;
    return nullptr;
  }
  auto* parse = reinterpret_cast<ParseFunction>(dlsym(handle, "otaconf_adapter_parse"));
  status = parse ? 0 : kNoSymbol;
  return parse;
}

// The library is loaded only in children, never in otaconf: a constructor
// that crashes, loops or floods costs a verdict, not the run.
class LibraryAdapter final : public Adapter {
 public:
  LibraryAdapter(const std::string& path, const AdapterLimits& limits) : path_(path), limits_(limits) {
    const auto probe = run([this](int) {
      int status = 0;
      load_parser(path_, status);
      return status;
    });
    if (probe.ended_well()) return;
    if (probe.exit_status == kLoadFailed)
      throw std::runtime_error("cannot load adapter library: " + first_line(probe.errors.text()));
    if (probe.exit_status == kNoSymbol)
      throw std::runtime_error(path + " does not export otaconf_adapter_parse (see otaconf_adapter.h)");
    throw std::runtime_error("cannot load adapter library " + path + ": loading it " + probe.ending);
  }

  std::string describe() const override { return path_; }

  Outcome parse(const std::string& body, const std::string& profile) override {
    const auto run_ = run([this, &body, &profile](int result_fd) {
      int status = 0;
      const auto parse_function = load_parser(path_, status);
      if (!parse_function) return status;
      otaconf_result result;
      std::memset(&result, 0, sizeof result);
      if (parse_function(reinterpret_cast<const unsigned char*>(body.data()), body.size(), profile.c_str(), &result) !=
          0)
        return kParserDeclined;
      std::fflush(stdout);
      const auto* bytes = reinterpret_cast<const char*>(&result);
      for (std::size_t sent = 0; sent < sizeof result;) {
        const auto n = ::write(result_fd, bytes + sent, sizeof result - sent);
        if (n <= 0) return kResultLost;
        sent += static_cast<std::size_t>(n);
      }
      return 0;
    });
    return judge(run_);
  }

 private:
  struct Run {
    std::string result;  // the bytes of an otaconf_result, when complete
    bool timed_out = false, over_memory = false;
    int exit_status = -1;  // -1: no normal exit
    bool ended_well() const { return !timed_out && !over_memory && exit_status == 0; }
    std::string ending;
    process::Capture errors, output;
    std::size_t peak_rss = 0;
  };

  static std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

  Run run(const std::function<int(int)>& body) const {
    process::Options options;
    options.result_pipe = true;
    options.budget = limits_.budget;
    std::string why;
    Run out;
    const auto child = process::Child::fork_run(body, options, &why);
    if (!child) {
      out.ending = why;
      return out;
    }
    const auto deadline = deadline_after(limits_.timeout_seconds);
    for (bool eof = false; !eof && out.result.size() < sizeof(otaconf_result);) {
      const auto event = child->wait(child->result(), deadline);
      if (event == process::Child::Event::Deadline) {
        out.timed_out = true;
        break;
      }
      if (event == process::Child::Event::OverMemory) {
        out.over_memory = true;
        break;
      }
      out.result += child->read_now(child->result(), sizeof(otaconf_result) - out.result.size(), eof);
    }
    out.ending = child->finish(std::chrono::milliseconds(200));
    out.peak_rss = child->peak_rss();
    out.errors = child->err();
    out.output = child->out();
    const auto status = child->status();
    out.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
  }

  Outcome judge(const Run& run) const {
    Outcome outcome;
    const bool report = sanitizer_report(run.errors.text());
    const auto captured = shown("stderr", run.errors) + shown("stdout", run.output);
    if (run.timed_out) {
      outcome.kind = Outcome::Kind::TimedOut;
      outcome.detail = "no result within " + seconds_text(limits_.timeout_seconds) + captured;
    } else if (run.over_memory) {
      outcome.kind = Outcome::Kind::Crashed;
      outcome.detail =
          "the parser used more than " + mebibytes(limits_.budget.max_rss_bytes) + " of memory (killed)" + captured;
    } else if (report || !run.ended_well() || run.result.size() != sizeof(otaconf_result)) {
      // kParserDeclined: the parser said it could not run (the ABI's
      // non-zero return); any other way of ending without a result is the
      // parser's failure.
      const bool declined = run.exit_status == kParserDeclined;
      outcome.kind = declined && !report ? Outcome::Kind::Failed : Outcome::Kind::Crashed;
      outcome.detail = (report ? "a sanitizer report, " : "") + run.ending +
                       (declined ? ": the parser returned non-zero" : "") + captured;
    } else {
      otaconf_result result;
      std::memcpy(&result, run.result.data(), sizeof result);
      outcome.kind = Outcome::Kind::Parsed;
      outcome.result = Normalized::from_c(result);
      outcome.output = captured.empty() ? captured : captured.substr(2);  // without the leading "; "
    }
    return outcome;
  }

  std::string path_;
  AdapterLimits limits_;
};

// ---- any program: framed bodies on stdin, JSON lines on stdout -------------

constexpr std::size_t kMaxResultLine = 1 << 20;

class CommandAdapter final : public Adapter {
 public:
  CommandAdapter(std::string command, const AdapterLimits& limits) : command_(std::move(command)), limits_(limits) {}
  ~CommandAdapter() override { stop(); }

  std::string describe() const override { return command_; }

  Outcome parse(const std::string& body, const std::string& profile) override {
    Outcome outcome;
    if (!child_ && !start(outcome.detail)) return outcome;
    if (auto early = unasked_output(); !early.empty()) {
      // A line nobody asked for: the adapter answered one body twice (or
      // spoke first). Judging this body on it would judge the wrong body.
      outcome.kind = Outcome::Kind::Garbage;
      outcome.detail = "protocol out of step: before this body was sent the adapter had written " +
                       printable_excerpt(early) + "; the adapter is restarted";
      stop();
      return outcome;
    }
    const auto deadline = deadline_after(limits_.timeout_seconds);
    const std::string frame = std::to_string(body.size()) + " " + profile + "\n" + body;
    if (!child_->write_input(frame, deadline)) {
      return ended(child_->exited() || Clock::now() < deadline ? "the adapter closed its input"
                                                               : "the adapter read no input");
    }
    std::string line;
    for (;;) {
      if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
        line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        break;
      }
      if (buffer_.size() > kMaxResultLine) {
        outcome.kind = Outcome::Kind::Garbage;
        outcome.detail = "more than " + std::to_string(kMaxResultLine) +
                         " bytes without a newline: " + printable_excerpt(buffer_) + "; the adapter is restarted";
        stop();
        return outcome;
      }
      const auto event = child_->wait(child_->channel(), deadline);
      if (event == process::Child::Event::Deadline) {
        outcome.kind = Outcome::Kind::TimedOut;
        outcome.detail =
            "no result line within " + seconds_text(limits_.timeout_seconds) + "; the adapter is restarted" + stop();
        return outcome;
      }
      if (event == process::Child::Event::OverMemory) {
        outcome.kind = Outcome::Kind::Crashed;
        outcome.detail =
            "the adapter used more than " + mebibytes(limits_.budget.max_rss_bytes) + " of memory" + stop();
        return outcome;
      }
      bool eof = false;
      buffer_ += child_->read_now(child_->channel(), 65536, eof);
      if (eof && buffer_.find('\n') == std::string::npos) return ended("the adapter closed its output");
    }
    const auto document = json::parse(line, nullptr, false);
    std::string why;
    auto result = document.is_discarded() ? std::nullopt : Normalized::from_json(document, &why);
    if (!result) {
      outcome.kind = Outcome::Kind::Garbage;
      outcome.detail = (document.is_discarded() ? std::string("not a JSON line") : why) + ": " +
                       printable_excerpt(line) + "; the adapter is restarted";
      stop();
      return outcome;
    }
    const auto errors = fresh_errors();
    if (sanitizer_report(errors.kept)) {
      outcome.kind = Outcome::Kind::Crashed;
      outcome.detail = "a sanitizer report: " + errors.kept.substr(0, kShownBytes);
      return outcome;
    }
    outcome.kind = Outcome::Kind::Parsed;
    outcome.result = *result;
    outcome.output = errors.shown;
    answered_ = true;
    return outcome;
  }

 private:
  using Clock = process::Clock;

  static std::string printable_excerpt(const std::string& text) {
    return crypto::escape_invalid_utf8(text.substr(0, 200)) + (text.size() > 200 ? "..." : "");
  }

  // What the adapter wrote on stdout since its last answer.
  std::string unasked_output() {
    if (!buffer_.empty()) return buffer_;
    const auto event = child_->wait(child_->channel(), Clock::now());
    if (event != process::Child::Event::Readable) return {};
    bool eof = false;
    buffer_ += child_->read_now(child_->channel(), 65536, eof);
    return buffer_;
  }

  // What the adapter wrote to stderr since the last parse: all that was
  // kept (a sanitizer's report in it makes the parse a crash, though the
  // process may well go on after one), and its tail as shown with a result.
  struct FreshErrors {
    std::string kept, shown;
  };
  FreshErrors fresh_errors() {
    FreshErrors out;
    out.kept = child_->err().since(errors_seen_);
    const auto total = child_->err().total - errors_seen_;
    errors_seen_ = child_->err().total;
    if (!out.kept.empty()) out.shown = shown("stderr", out.kept, total).substr(2);  // without the leading "; "
    return out;
  }

  bool start(std::string& why) {
    process::Options options;
    options.stdin_pipe = true;
    options.stdout_is_channel = true;
    options.budget = limits_.budget;
    child_ = process::Child::shell(command_, options, &why);
    if (!child_) {
      why = "cannot start " + command_ + ": " + why;
      return false;
    }
    buffer_.clear();
    errors_seen_ = 0;
    answered_ = false;
    return true;
  }

  // The adapter is gone or useless: a Crashed outcome (Failed when the
  // shell could not run the command at all: 126/127 before any answer).
  // It gets a moment to exit by itself, so that its status explains it.
  Outcome ended(const std::string& what) {
    Outcome outcome;
    const bool was_answering = answered_;
    const auto how = stop(std::chrono::milliseconds(200));
    const auto status = last_status_;
    const bool never_ran =
        !was_answering && WIFEXITED(status) && (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127);
    outcome.kind = never_ran ? Outcome::Kind::Failed : Outcome::Kind::Crashed;
    outcome.detail = what + how;
    return outcome;
  }

  // Ends the adapter (after `grace`, killing its process group); returns
  // "; exited with status 1; stderr: ...".
  std::string stop(std::chrono::milliseconds grace = std::chrono::milliseconds(0)) {
    if (!child_) return {};
    const auto how = child_->finish(grace);
    last_status_ = child_->status();
    const auto errors = shown("stderr", child_->err());
    child_.reset();
    buffer_.clear();
    return "; " + how + errors;
  }

  std::string command_;
  AdapterLimits limits_;
  std::unique_ptr<process::Child> child_;
  std::size_t errors_seen_ = 0;  // stderr bytes already shown with a result
  bool answered_ = false;        // a result line came since the last start
  int last_status_ = 0;
  std::string buffer_;
};

// ---- a breaker for adapters that stopped answering -----------------------------

// After kHangLimit parses in a row time out, the adapter is asked again only
// every kRetryEvery bodies; the bodies between get a Failed outcome (an
// ERROR verdict) at once. Without it, a parser that hangs on everything
// would cost every body of the run its full timeout.
class BreakerAdapter final : public Adapter {
 public:
  static constexpr int kHangLimit = 4, kRetryEvery = 32;

  explicit BreakerAdapter(std::unique_ptr<Adapter> inner) : inner_(std::move(inner)) {}
  std::string describe() const override { return inner_->describe(); }

  Outcome parse(const std::string& body, const std::string& profile) override {
    if (hangs_ >= kHangLimit && ++skipped_ % kRetryEvery != 0) {
      Outcome outcome;
      outcome.detail = "not parsed: the last " + std::to_string(hangs_) +
                       " parses timed out in a row (tried again every " + std::to_string(kRetryEvery) +
                       " bodies); last: " + last_hang_;
      return outcome;
    }
    auto outcome = inner_->parse(body, profile);
    if (outcome.kind == Outcome::Kind::TimedOut) {
      ++hangs_;
      last_hang_ = outcome.detail;
    } else {
      hangs_ = 0;
      skipped_ = 0;
    }
    return outcome;
  }

 private:
  std::unique_ptr<Adapter> inner_;
  int hangs_ = 0;
  int skipped_ = 0;
  std::string last_hang_;
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

std::unique_ptr<Adapter> library_adapter(const std::string& path, const AdapterLimits& limits) {
  return std::make_unique<BreakerAdapter>(std::make_unique<LibraryAdapter>(path, limits));
}

std::unique_ptr<Adapter> command_adapter(const std::string& command, const AdapterLimits& limits) {
  return std::make_unique<BreakerAdapter>(std::make_unique<CommandAdapter>(command, limits));
}

}  // namespace otaconf::client
