#include "progress.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace otaconf::cli {

ProgressLine::ProgressLine(const results::Recorder& recorder, std::string label, bool enabled)
    : recorder_(recorder), label_(std::move(label)) {
  if (enabled) thread_ = std::thread([this] { run(); });
}

ProgressLine::~ProgressLine() {
  done_ = true;
  if (!thread_.joinable()) return;
  thread_.join();
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

bool ProgressLine::wanted(bool quiet) {
  const char* term = std::getenv("TERM");
  return !quiet && ::isatty(STDERR_FILENO) && !(term && std::string_view(term) == "dumb");
}

void ProgressLine::run() {
  const auto started = std::chrono::steady_clock::now();
  for (bool first = true; !done_; first = false) {
    if (!first) std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the first line at once
    if (done_) break;
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::string counts;
    for (const auto& [verdict, count] : recorder_.summary())
      if (count > 0) counts += " " + results::to_string(verdict) + " " + std::to_string(count);
    const auto judged = recorder_.recorded();
    std::fprintf(stderr, "\r\033[K%s: %s, %llu cases judged (%.0f/s),%s, %.1f s", label_.c_str(),
                 recorder_.last_check().c_str(), static_cast<unsigned long long>(judged),
                 seconds > 0 ? static_cast<double>(judged) / seconds : 0.0,
                 counts.empty() ? " nothing yet" : counts.c_str(), seconds);
    std::fflush(stderr);
  }
}

bool use_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) && !(no_color && *no_color);
}

}  // namespace otaconf::cli
