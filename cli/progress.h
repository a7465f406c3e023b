// A live progress line on stderr while a run works (only on a terminal, and
// not with --quiet): the check under way, cases judged, verdict counts,
// elapsed time. Cleared when the run ends, so the findings print cleanly.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "otaconf/results.h"

namespace otaconf::cli {

class ProgressLine {
 public:
  ProgressLine(const results::Recorder& recorder, std::string label, bool enabled);
  ~ProgressLine();  // stops and clears the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Whether a progress line belongs on this stderr: a terminal, TERM not "dumb".
  static bool wanted(bool quiet);

 private:
  void run();
  const results::Recorder& recorder_;
  std::string label_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Whether findings are coloured: --color always|never|auto (auto: stdout is
// a terminal and NO_COLOR is unset, https://no-color.org).
bool use_color(const std::string& mode);

}  // namespace otaconf::cli
