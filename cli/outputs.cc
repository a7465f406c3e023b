#include "outputs.h"

#include <iostream>

#include "otaconf/diagnostic.h"
#include "otaconf/reports.h"

namespace otaconf::cli {

bool write_run_outputs(const nlohmann::json& results, const std::string& results_file, const std::string& junit_file) {
  try {
    if (!results_file.empty()) reports::write_text_file(results_file, results.dump(2) + "\n");
    if (!junit_file.empty()) {
      const std::string source = results_file.empty() ? "(this run)" : results_file;
      reports::write_text_file(junit_file, reports::junit_xml({{source, results}}));
    }
    return true;
  } catch (const InputError& e) {
    std::cerr << "otaconf: " << e.what() << "\n";
    return false;
  }
}

}  // namespace otaconf::cli
