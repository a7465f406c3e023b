// Helpers for tests that break the shipped spec on purpose.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "otaconf/spec_loader.h"

namespace otaconf::spec::testing {

std::filesystem::path shipped_spec_path();
// The shipped spec as a JSON document, for tests that mutate it (test data
// only: otaconf itself reads specs through the loader).
const nlohmann::json& shipped_spec_json();
// Loads `document` as if it were the shipped spec file (same directory, so
// its sources resolve).
LoadOutcome load_document(const nlohmann::json& document);
LoadOutcome load_edited(const std::function<void(nlohmann::json&)>& edit);

}  // namespace otaconf::spec::testing
