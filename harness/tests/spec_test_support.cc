#include "spec_test_support.h"

#include <fstream>

namespace otaconf::spec::testing {

std::filesystem::path shipped_spec_path() { return OTACONF_TEST_SPEC; }

const nlohmann::json& shipped_spec_json() {
  static const nlohmann::json document = [] {
    std::ifstream in(shipped_spec_path());
    return nlohmann::json::parse(in);
  }();
  return document;
}

LoadOutcome load_document(const nlohmann::json& document) {
  return try_load_spec_text(document.dump(), "onenet-ota-v1.json", shipped_spec_path().parent_path());
}

LoadOutcome load_edited(const std::function<void(nlohmann::json&)>& edit) {
  auto document = shipped_spec_json();
  edit(document);
  return load_document(document);
}

}  // namespace otaconf::spec::testing
