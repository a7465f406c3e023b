#include "json_input.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

namespace otaconf::detail {

using nlohmann::json;

namespace {
std::string escape_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

int nesting_depth(const json& root, int limit) {
  int deepest = 0;
  std::vector<std::pair<const json*, int>> stack{{&root, 1}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth);
    if (depth > limit) return depth;
    for (const auto& element : *node) stack.emplace_back(&element, depth + 1);
  }
  return deepest;
}

// valijson names a place as ["<root>", "[clauses]", "[3]", ...].
std::string pointer_from_context(const std::vector<std::string>& context) {
  std::string pointer;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    std::string_view token = part;
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') token = token.substr(1, token.size() - 2);
    if (token.size() >= 2 && token.front() == '"' && token.back() == '"') token = token.substr(1, token.size() - 2);
    pointer = child(pointer, token);
  }
  return pointer;
}

bool is_strict_prefix(const std::string& prefix, const std::string& pointer) {
  return pointer.size() > prefix.size() && pointer.compare(0, prefix.size(), prefix) == 0 &&
         pointer[prefix.size()] == '/';
}

constexpr std::string_view kOneOfFailure = "Failed to validate against any child schemas allowed by oneOf constraint.";
}  // namespace

std::string child(const std::string& pointer, std::string_view key) { return pointer + "/" + escape_token(key); }
std::string child(const std::string& pointer, std::size_t index) { return pointer + "/" + std::to_string(index); }

std::optional<std::string> read_file(const std::filesystem::path& file, Collector& out) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    out.add("", "cannot read the file: it is a directory");
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    out.add("", std::string("cannot read the file: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<json> parse_bounded(std::string_view text, int max_depth, Collector& out) {
  // nlohmann's parser takes a NUL byte for the end of input: refuse it first.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    out.add("", "not valid JSON: a NUL byte at byte " + std::to_string(nul));
    return std::nullopt;
  }
  json document;
  try {
    document = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number past double ("1e999"),
    // which nlohmann throws even where parse errors are not exceptions.
    std::string what = e.what();
    if (auto cut = what.find("] "); cut != std::string::npos) what = what.substr(cut + 2);
    out.add("", "not valid JSON: " + what);
    return std::nullopt;
  }
  if (nesting_depth(document, max_depth) > max_depth) {
    out.add("", "nested more than " + std::to_string(max_depth) + " levels deep");
    return std::nullopt;
  }
  return document;
}

JsonSchema::JsonSchema(std::string_view schema_text, std::string one_of_message)
    : schema_(std::make_unique<valijson::Schema>()), one_of_message_(std::move(one_of_message)) {
  const auto parsed = json::parse(schema_text);
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter adapter(parsed);
  parser.populateSchema(adapter, *schema_);
}

JsonSchema::~JsonSchema() = default;

// valijson reports every enclosing object and array that failed because of
// an error ("Failed to validate ..."), and for a oneOf every alternative's
// complaint. Keep the leaves; a oneOf with no deeper error becomes one line.
bool JsonSchema::validate(const json& document, Collector& out) const {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  if (validator.validate(*schema_, adapter, &results)) return true;

  std::vector<std::pair<std::string, std::string>> errors;
  std::set<std::string> one_of_failures;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    auto pointer = pointer_from_context(error.context);
    if (error.description == kOneOfFailure) {
      one_of_failures.insert(pointer);
    } else if (error.description.rfind("Failed to validate", 0) != 0) {
      errors.emplace_back(std::move(pointer), error.description);
    }
  }
  auto explained_deeper = [&](const std::string& pointer) {
    return std::any_of(errors.begin(), errors.end(), [&](const auto& e) {
      return is_strict_prefix(pointer, e.first) && !one_of_failures.count(e.first);
    });
  };
  const auto before = out.errors().size();
  for (const auto& pointer : one_of_failures) {
    if (explained_deeper(pointer) ||
        std::any_of(one_of_failures.begin(), one_of_failures.end(),
                    [&](const std::string& other) { return is_strict_prefix(pointer, other); })) {
      continue;
    }
    out.add(pointer, one_of_message_);
  }
  std::set<std::string> reported;
  for (const auto& [pointer, message] : errors) {
    if (one_of_failures.count(pointer)) continue;
    if (reported.insert(pointer + "\n" + message).second) out.add(pointer, message);
  }
  if (out.errors().size() == before) out.add("", "does not match its JSON Schema");
  return false;
}

}  // namespace otaconf::detail
