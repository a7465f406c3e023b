// Child processes under test (adapters, parsers in a fork, device clients),
// each run on a budget: its own process group, killed as a group on a
// deadline, on a memory limit or when otaconf is done with it; its stdout and
// stderr drained into capped captures (shown as evidence) so that a flood can
// neither block it nor fill otaconf's memory or terminal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace otaconf::process {

using Clock = std::chrono::steady_clock;

struct Budget {
  std::size_t max_capture_bytes = 64 * 1024;  // kept of stdout and of stderr, each (the rest is drained)
  std::size_t max_rss_bytes = 1ull << 30;     // resident memory of the child's process group; past it, it is killed
};

// What a child wrote to one stream: its first and its last bytes (a crash
// report comes last), and how many in all.
struct Capture {
  std::string head, tail;
  std::size_t total = 0;
  void add(const char* data, std::size_t n, std::size_t budget);
  // The kept text, with a note of what was dropped between head and tail.
  std::string text() const;
  // What was kept of the bytes after the first `seen` (those still kept).
  std::string since(std::size_t seen) const;
};

struct Options {
  bool stdin_pipe = false;               // otaconf writes the child's stdin (else /dev/null)
  bool stdout_is_channel = false;        // stdout is read by the caller (not captured)
  bool result_pipe = false;              // an extra pipe the child writes its result to
  std::vector<std::string> environment;  // NAME=value entries added to the child's
  Budget budget;
};

class Child {
 public:
  // Forks; the child, in its own process group, runs `body(result_fd)` and
  // exits with its return value. Null (with `why`) when fork or pipe fails.
  static std::unique_ptr<Child> fork_run(const std::function<int(int result_fd)>& body, const Options& options,
                                         std::string* why);
  // /bin/sh -c COMMAND in its own process group.
  static std::unique_ptr<Child> shell(const std::string& command, const Options& options, std::string* why);

  ~Child();  // kills the group, reaps
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }

  // Writes all of `bytes` to the child's stdin before `deadline`; false when
  // it closed its stdin, exited, or the deadline passed.
  bool write_input(std::string_view bytes, Clock::time_point deadline);
  void close_input();

  enum class Event { Readable, Exited, Deadline, OverMemory };
  // Waits until `fd` (the result pipe or the stdout channel; -1: none) is
  // readable, the child exits, its memory passes the budget, or the deadline;
  // drains the captures meanwhile.
  Event wait(int fd, Clock::time_point deadline);
  // Reads what `fd` has now (at most `most` bytes); `eof` set at end of stream.
  std::string read_now(int fd, std::size_t most, bool& eof);

  int channel() const { return stdout_read_; }  // stdout, when it is the channel
  int result() const { return result_read_; }

  // Lets the child exit by itself for `grace`, then kills its group; reaps it
  // and kills what is left of its group. Returns how it ended ("exited with
  // status 1", "still running: killed by otaconf").
  std::string finish(std::chrono::milliseconds grace);
  void kill_group();

  bool exited() const { return exited_; }
  int status() const { return status_; }  // waitpid status, once exited
  const Capture& out() const { return out_; }
  const Capture& err() const { return err_; }
  std::size_t peak_rss() const { return peak_rss_; }

 private:
  Child() = default;
  static std::unique_ptr<Child> start(const std::function<int(int result_fd)>& body, const Options& options,
                                      std::string* why);
  void drain(int fd, Capture& capture);
  bool reap_now();
  bool over_memory();

  pid_t pid_ = -1;
  int stdin_write_ = -1, stdout_read_ = -1, stderr_read_ = -1, result_read_ = -1;
  bool stdout_captured_ = false;
  Budget budget_;
  Capture out_, err_;
  bool exited_ = false;
  bool killed_ = false;  // otaconf killed it before it exited
  bool shell_ = false;   // started with /bin/sh -c
  int status_ = 0;
  std::size_t peak_rss_ = 0;               // of the whole process group
  Clock::time_point next_memory_check_{};  // the group's memory is read every 50 ms
};

// "exited with status 3", "killed by signal 9 (Killed)".
std::string describe_status(int status);

}  // namespace otaconf::process
