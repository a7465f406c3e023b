// Shared by the harness's JSON input loaders (spec, fixture): reading a
// file, parsing with a depth bound, JSON Schema validation with leaf-only
// diagnostics, JSON pointer building. Internal to the harness.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "otaconf/diagnostic.h"

namespace valijson {
class Schema;
}

namespace otaconf::detail {

class Collector {
 public:
  explicit Collector(std::string file) : file_(std::move(file)) {}
  void add(std::string pointer, std::string message) {
    errors_.push_back({file_, std::move(pointer), std::move(message)});
  }
  bool empty() const { return errors_.empty(); }
  std::vector<Diagnostic>& errors() { return errors_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<Diagnostic> errors_;
};

std::string child(const std::string& pointer, std::string_view key);
std::string child(const std::string& pointer, std::size_t index);

// The file's bytes, or a diagnostic ("cannot read the file: ...").
std::optional<std::string> read_file(const std::filesystem::path& file, Collector& out);

// Parses `text`; reports "not valid JSON: ..." or nesting deeper than
// `max_depth` (deep input must not exhaust the stack of later stages).
std::optional<nlohmann::json> parse_bounded(std::string_view text, int max_depth, Collector& out);

class JsonSchema {
 public:
  // `one_of_message` explains a value that matches no alternative of a oneOf.
  JsonSchema(std::string_view schema_text, std::string one_of_message);
  ~JsonSchema();
  JsonSchema(const JsonSchema&) = delete;
  JsonSchema& operator=(const JsonSchema&) = delete;

  // Adds one diagnostic per leaf violation; returns true when valid.
  bool validate(const nlohmann::json& document, Collector& out) const;

 private:
  std::unique_ptr<valijson::Schema> schema_;
  std::string one_of_message_;
};

}  // namespace otaconf::detail
