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

// ---- parsers in a child process, streaming bodies ---------------------------

using ParseFunction = int (*)(const unsigned char*, std::size_t, const char*, otaconf_result*);

// Exit statuses of the forked loader/parser (a parser's own exit takes others).
constexpr int kLoadFailed = 120, kNoSymbol = 121, kResultLost = 123;

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

bool write_all(int fd, const char* data, std::size_t size) {
  for (std::size_t sent = 0; sent < size;) {
    const auto n = ::write(fd, data + sent, size - sent);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// The library worker: a forked child that loads the library once and parses
// the framed bodies of the subprocess protocol from stdin ("LEN PROFILE\n"
// then LEN bytes), writing for each a tag on the result pipe: 'R' and the
// otaconf_result's bytes, or 'D' when the parser declined (non-zero return).
int library_worker(const std::string& path, int result_fd) {
  int status = 0;
  const auto parse = load_parser(path, status);
  if (!parse) return status;
  std::string pending;
  std::vector<char> chunk(1 << 16);
  auto fill = [&](std::size_t at_least) {
    while (pending.size() < at_least) {
      const auto n = ::read(0, chunk.data(), chunk.size());
      if (n <= 0) return false;
      pending.append(chunk.data(), static_cast<std::size_t>(n));
    }
    return true;
  };
  for (;;) {
    std::size_t newline;
    while ((newline = pending.find('\n')) == std::string::npos) {
      if (!fill(pending.size() + 1)) return 0;  // no more bodies
    }
    const auto header = pending.substr(0, newline);
    pending.erase(0, newline + 1);
    const auto space = header.find(' ');
    const auto length = std::strtoull(header.c_str(), nullptr, 10);
    const auto profile = space == std::string::npos ? std::string() : header.substr(space + 1);
    if (!fill(length)) return kResultLost;
    const std::string body = pending.substr(0, length);
    pending.erase(0, length);
    otaconf_result result;
    std::memset(&result, 0, sizeof result);
    const bool parsed =
        parse(reinterpret_cast<const unsigned char*>(body.data()), body.size(), profile.c_str(), &result) == 0;
    std::fflush(stdout);
    const char tag = parsed ? 'R' : 'D';
    if (!write_all(result_fd, &tag, 1)) return kResultLost;
    if (parsed && !write_all(result_fd, reinterpret_cast<const char*>(&result), sizeof result)) return kResultLost;
  }
}

// How a streaming child answers: JSON lines on stdout (the subprocess
// protocol of docs/adapters.md), or tagged otaconf_results on the result
// pipe (the library worker).
enum class Wire { JsonLines, CResults };

struct StreamSpec {
  std::string name;  // what describe() says
  Wire wire = Wire::JsonLines;
  // Starts the child with these options (null, with why, when it cannot).
  std::function<std::unique_ptr<process::Child>(const process::Options&, std::string*)> start;
  // A failure in a child that parsed other bodies before is tried again
  // alone in a fresh one, so that it is charged to the body that causes it
  // by itself (the library: as if every body had a fork of its own).
  bool retry_fresh = false;
};

constexpr std::size_t kMaxResultLine = 1 << 20;
// Pipelining (parse_many): at most this many bodies, and bytes of frames,
// in flight; the frames fit a pipe's buffer, so writing never waits for the
// child to read.
constexpr std::size_t kWindow = 32, kWindowBytes = 48 * 1024;

// One child reused for many bodies; restarted after a crash, a hang,
// garbage output or output out of step with the bodies.
class StreamAdapter final : public Adapter {
 public:
  StreamAdapter(StreamSpec spec, const AdapterLimits& limits) : spec_(std::move(spec)), limits_(limits) {}
  ~StreamAdapter() override { stop(); }

  std::string describe() const override { return spec_.name; }

  Outcome parse(const std::string& body, const std::string& profile) override {
    const bool reused = child_ && answered_;
    auto outcome = parse_alone(body, profile);
    const bool failed = outcome.kind == Outcome::Kind::Crashed || outcome.kind == Outcome::Kind::TimedOut ||
                        outcome.kind == Outcome::Kind::Garbage;
    if (spec_.retry_fresh && reused && failed) {
      stop();
      outcome = parse_alone(body, profile);
    }
    return outcome;
  }

  // Several bodies in flight at once. Any failure, a sanitizer report or
  // output out of step ends the window: what was not answered cleanly is
  // parsed again one body at a time, which charges each outcome to its own
  // body exactly as parse() does.
  std::vector<Outcome> parse_many(const std::vector<std::string>& bodies, const std::string& profile) override {
    std::vector<Outcome> out;
    out.reserve(bodies.size());
    while (out.size() < bodies.size()) {
      const auto first = out.size();
      auto last = first;
      std::string frames;
      while (last < bodies.size() && last - first < kWindow) {
        auto next = frame(bodies[last], profile);
        if (last > first && frames.size() + next.size() > kWindowBytes) break;
        frames += next;
        ++last;
      }
      if (last - first > 1 && clean_start() && window(frames, last - first, out)) continue;
      out.resize(first);
      out.push_back(parse(bodies[first], profile));
    }
    return out;
  }

 private:
  using Clock = process::Clock;

  static std::string frame(const std::string& body, const std::string& profile) {
    return std::to_string(body.size()) + " " + profile + "\n" + body;
  }

  static std::string printable_excerpt(const std::string& text) {
    return crypto::escape_invalid_utf8(text.substr(0, 200)) + (text.size() > 200 ? "..." : "");
  }

  int channel() const { return spec_.wire == Wire::JsonLines ? child_->channel() : child_->result(); }

  // A running child with nothing unasked pending.
  bool clean_start() {
    std::string why;
    if (!child_ && !start(why)) return false;
    return unasked_output().empty();
  }

  // Sends `count` frames at once and reads their results in order; false
  // (after stopping the child) as soon as one is not clean.
  bool window(const std::string& frames, std::size_t count, std::vector<Outcome>& out) {
    const auto first = out.size();
    if (!child_->write_input(frames, deadline_after(limits_.timeout_seconds))) {
      stop();
      return false;
    }
    for (std::size_t i = 0; i < count; ++i) {
      auto outcome = receive(deadline_after(limits_.timeout_seconds));
      // A parser that declined (the library's non-zero return) is a clean answer too.
      const bool clean = outcome.kind == Outcome::Kind::Parsed || (outcome.kind == Outcome::Kind::Failed && child_);
      if (!clean) {
        stop();
        out.resize(first);
        return false;
      }
      out.push_back(std::move(outcome));
    }
    if (!unasked_output().empty()) {  // more answers than bodies: which belongs to which is unknown
      stop();
      out.resize(first);
      return false;
    }
    return true;
  }

  Outcome parse_alone(const std::string& body, const std::string& profile) {
    Outcome outcome;
    if (!child_ && !start(outcome.detail)) return outcome;
    if (auto early = unasked_output(); !early.empty()) {
      // A message nobody asked for: the adapter answered one body twice (or
      // spoke first). Judging this body on it would judge the wrong body.
      outcome.kind = Outcome::Kind::Garbage;
      outcome.detail = "protocol out of step: before this body was sent the adapter had written " +
                       printable_excerpt(early) + "; the adapter is restarted";
      stop();
      return outcome;
    }
    const auto deadline = deadline_after(limits_.timeout_seconds);
    if (!child_->write_input(frame(body, profile), deadline)) {
      return ended(child_->exited() || Clock::now() < deadline ? "the adapter closed its input"
                                                               : "the adapter read no input");
    }
    return receive(deadline);
  }

  // The length of the first whole message in buffer_ (0: none yet); a
  // negative one for a first byte the library worker never writes.
  long message_length() const {
    if (spec_.wire == Wire::JsonLines) {
      const auto newline = buffer_.find('\n');
      return newline == std::string::npos ? 0 : static_cast<long>(newline + 1);
    }
    if (buffer_.empty()) return 0;
    if (buffer_[0] == 'D') return 1;
    if (buffer_[0] != 'R') return -1;
    return buffer_.size() >= 1 + sizeof(otaconf_result) ? static_cast<long>(1 + sizeof(otaconf_result)) : 0;
  }

  // Reads and decodes the next result.
  Outcome receive(Clock::time_point deadline) {
    Outcome outcome;
    long length;
    while ((length = message_length()) == 0) {
      if (buffer_.size() > kMaxResultLine) {
        outcome.kind = Outcome::Kind::Garbage;
        outcome.detail = "more than " + std::to_string(kMaxResultLine) +
                         " bytes without a newline: " + printable_excerpt(buffer_) + "; the adapter is restarted";
        stop();
        return outcome;
      }
      const auto event = child_->wait(channel(), deadline);
      if (event == process::Child::Event::Deadline) {
        outcome.kind = Outcome::Kind::TimedOut;
        outcome.detail =
            "no result within " + seconds_text(limits_.timeout_seconds) + "; the adapter is restarted" + stop();
        return outcome;
      }
      if (event == process::Child::Event::OverMemory) {
        outcome.kind = Outcome::Kind::Crashed;
        outcome.detail =
            "the parser used more than " + mebibytes(limits_.budget.max_rss_bytes) + " of memory (killed)" + stop();
        return outcome;
      }
      bool eof = false;
      buffer_ += child_->read_now(channel(), 65536, eof);
      if (eof && message_length() == 0) return ended("the adapter closed its output");
    }
    if (length < 0) {
      outcome.kind = Outcome::Kind::Garbage;
      outcome.detail = "the worker wrote an unknown tag: " + printable_excerpt(buffer_) + "; the adapter is restarted";
      stop();
      return outcome;
    }
    const auto message = buffer_.substr(0, static_cast<std::size_t>(length));
    buffer_.erase(0, static_cast<std::size_t>(length));
    if (!decode(message, outcome)) return outcome;
    const auto errors = fresh_output();
    if (sanitizer_report(errors.kept)) {
      outcome.kind = Outcome::Kind::Crashed;
      outcome.detail = "a sanitizer report: " + errors.kept.substr(0, kShownBytes);
      return outcome;
    }
    outcome.output = errors.shown;
    answered_ = true;
    return outcome;
  }

  // A message as an outcome; false (the adapter stopped) when it is not one.
  bool decode(const std::string& message, Outcome& outcome) {
    if (spec_.wire == Wire::CResults) {
      if (message == "D") {
        outcome.kind = Outcome::Kind::Failed;
        outcome.detail = "the parser returned non-zero";
        answered_ = true;
        return false;
      }
      otaconf_result result;
      std::memcpy(&result, message.data() + 1, sizeof result);
      outcome.kind = Outcome::Kind::Parsed;
      outcome.result = Normalized::from_c(result);
      return true;
    }
    const auto line = message.substr(0, message.size() - 1);
    const auto document = json::parse(line, nullptr, false);
    std::string why;
    auto result = document.is_discarded() ? std::nullopt : Normalized::from_json(document, &why);
    if (!result) {
      outcome.kind = Outcome::Kind::Garbage;
      outcome.detail = (document.is_discarded() ? std::string("not a JSON line") : why) + ": " +
                       printable_excerpt(line) + "; the adapter is restarted";
      stop();
      return false;
    }
    outcome.kind = Outcome::Kind::Parsed;
    outcome.result = *result;
    return true;
  }

  // What the adapter sent on its answer channel since its last answer.
  std::string unasked_output() {
    if (!buffer_.empty()) return buffer_;
    const auto event = child_->wait(channel(), Clock::now());
    if (event != process::Child::Event::Readable) return {};
    bool eof = false;
    buffer_ += child_->read_now(channel(), 65536, eof);
    return buffer_;
  }

  // What the child wrote to stderr (and, for the library worker, stdout)
  // since the last answer: all that was kept (a sanitizer's report in it
  // makes the parse a crash, though the process may well go on after one),
  // and its tail as shown with a result.
  struct FreshOutput {
    std::string kept, shown;
  };
  FreshOutput fresh_output() {
    FreshOutput out;
    auto take = [&](const char* name, const process::Capture& capture, std::size_t& seen) {
      const auto kept = capture.since(seen);
      const auto total = capture.total - seen;
      seen = capture.total;
      out.kept += kept;
      if (!kept.empty()) out.shown += shown(name, kept, total);
    };
    take("stderr", child_->err(), errors_seen_);
    if (spec_.wire == Wire::CResults) take("stdout", child_->out(), output_seen_);
    if (!out.shown.empty()) out.shown = out.shown.substr(2);  // without the leading "; "
    return out;
  }

  bool start(std::string& why) {
    process::Options options;
    options.stdin_pipe = true;
    options.stdout_is_channel = spec_.wire == Wire::JsonLines;
    options.result_pipe = spec_.wire == Wire::CResults;
    options.budget = limits_.budget;
    child_ = spec_.start(options, &why);
    if (!child_) {
      why = "cannot start " + spec_.name + ": " + why;
      return false;
    }
    buffer_.clear();
    errors_seen_ = output_seen_ = 0;
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
    auto errors = shown("stderr", child_->err());
    if (spec_.wire == Wire::CResults) errors += shown("stdout", child_->out());
    child_.reset();
    buffer_.clear();
    return "; " + how + errors;
  }

  StreamSpec spec_;
  AdapterLimits limits_;
  std::unique_ptr<process::Child> child_;
  std::size_t errors_seen_ = 0, output_seen_ = 0;  // bytes already shown with a result
  bool answered_ = false;                          // a result came since the last start
  int last_status_ = 0;
  std::string buffer_;
};

// The library is loaded only in children, never in otaconf: a constructor
// that crashes, loops or floods costs a verdict, not the run. One load
// first, alone, so that a library that cannot load is a usage error.
void probe_library(const std::string& path, const AdapterLimits& limits) {
  process::Options options;
  options.budget = limits.budget;
  std::string why;
  const auto child = process::Child::fork_run(
      [&path](int) {
        int status = 0;
        load_parser(path, status);
        return status;
      },
      options, &why);
  if (!child) throw std::runtime_error("cannot load adapter library " + path + ": " + why);
  const auto deadline = deadline_after(limits.timeout_seconds);
  while (!child->exited() && child->wait(-1, deadline) == process::Child::Event::Readable) {
  }
  const auto ending = child->finish(std::chrono::milliseconds(0));
  const auto status = child->status();
  const int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (exit_status == 0) return;
  const auto errors = child->err().text();
  if (exit_status == kLoadFailed)
    throw std::runtime_error("cannot load adapter library: " + errors.substr(0, errors.find('\n')));
  if (exit_status == kNoSymbol)
    throw std::runtime_error(path + " does not export otaconf_adapter_parse (see otaconf_adapter.h)");
  throw std::runtime_error("cannot load adapter library " + path + ": loading it " + ending);
}

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
    count(outcome);
    return outcome;
  }

  std::vector<Outcome> parse_many(const std::vector<std::string>& bodies, const std::string& profile) override {
    if (hangs_ >= kHangLimit) return Adapter::parse_many(bodies, profile);  // one at a time, as parse() rations them
    auto outcomes = inner_->parse_many(bodies, profile);
    for (const auto& outcome : outcomes) count(outcome);
    return outcomes;
  }

 private:
  void count(const Outcome& outcome) {
    if (outcome.kind == Outcome::Kind::TimedOut) {
      ++hangs_;
      last_hang_ = outcome.detail;
    } else {
      hangs_ = 0;
      skipped_ = 0;
    }
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

std::vector<Outcome> Adapter::parse_many(const std::vector<std::string>& bodies, const std::string& profile) {
  std::vector<Outcome> out;
  out.reserve(bodies.size());
  for (const auto& body : bodies) out.push_back(parse(body, profile));
  return out;
}

std::unique_ptr<Adapter> library_adapter(const std::string& path, const AdapterLimits& limits) {
  probe_library(path, limits);
  StreamSpec spec{path, Wire::CResults,
                  [path](const process::Options& options, std::string* why) {
                    return process::Child::fork_run([path](int result_fd) { return library_worker(path, result_fd); },
                                                    options, why);
                  },
                  true};
  return std::make_unique<BreakerAdapter>(std::make_unique<StreamAdapter>(std::move(spec), limits));
}

std::unique_ptr<Adapter> command_adapter(const std::string& command, const AdapterLimits& limits) {
  StreamSpec spec{command, Wire::JsonLines,
                  [command](const process::Options& options, std::string* why) {
                    return process::Child::shell(command, options, why);
                  },
                  false};
  return std::make_unique<BreakerAdapter>(std::make_unique<StreamAdapter>(std::move(spec), limits));
}

}  // namespace otaconf::client
