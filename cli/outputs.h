// The files a run command writes on request: the results JSON (--results)
// and JUnit XML (--junit), both from the same results document.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace otaconf::cli {

// Writes the files whose names are not empty. On failure prints one line
// ("otaconf: FILE: cannot write the file: ...") and returns false.
bool write_run_outputs(const nlohmann::json& results, const std::string& results_file, const std::string& junit_file);

}  // namespace otaconf::cli
