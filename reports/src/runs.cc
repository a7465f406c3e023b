#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "otaconf/diagnostic.h"
#include "otaconf/reports.h"
#include "otaconf/results.h"

namespace otaconf::reports {

namespace {

// The *.json files of a directory, in name order.
std::vector<std::filesystem::path> json_files_in(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& item : std::filesystem::directory_iterator(directory, ec)) {
    if (item.path().extension() == ".json" && !item.is_directory()) files.push_back(item.path());
  }
  if (ec) throw InputError({directory.string(), "", "cannot read the directory: " + ec.message()});
  if (files.empty()) throw InputError({directory.string(), "", "the directory holds no *.json results file"});
  std::sort(files.begin(), files.end());
  return files;
}

std::string base_label(const nlohmann::json& run) {
  std::string label = run.value("implementation", "");
  if (label.empty()) label = run.value("target", "?");
  const auto profile = run.value("profile", "");
  if (!profile.empty() && label.find(profile) == std::string::npos) label += " [" + profile + "]";
  if (run.contains("mutant")) {
    const auto mutant = run["mutant"].value("name", "");
    if (label.find(mutant) == std::string::npos) label += " mutant " + mutant;
  }
  if (run.contains("variant")) {
    const auto variant = run["variant"].value("name", "");
    if (label.find(variant) == std::string::npos) label += " variant " + variant;
  }
  return label;
}

}  // namespace

std::vector<Run> load_runs(const std::vector<std::filesystem::path>& paths) {
  std::vector<Run> runs;
  for (const auto& path : paths) {
    std::error_code ec;
    const auto files = std::filesystem::is_directory(path, ec) ? json_files_in(path) : std::vector{path};
    for (const auto& file : files) runs.push_back({file.string(), results::load_results(file)});
  }
  return runs;
}

std::vector<std::string> run_labels(const std::vector<Run>& runs) {
  std::vector<std::string> labels;
  std::map<std::string, int> seen;
  for (const auto& run : runs) labels.push_back(base_label(run.results.at("run")));
  for (const auto& label : labels) ++seen[label];
  std::map<std::string, int> numbered;
  for (auto& label : labels) {
    if (seen[label] > 1) label += " #" + std::to_string(++numbered[label]);
  }
  return labels;
}

void write_text_file(const std::filesystem::path& file, std::string_view text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (out) out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (out) out.close();
  if (!out) throw InputError({file.string(), "", std::string("cannot write the file: ") + std::strerror(errno)});
}

}  // namespace otaconf::reports
