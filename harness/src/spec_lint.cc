#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "otaconf/spec_tools.h"

namespace otaconf::spec {

namespace {

std::string collapse_whitespace(const std::string& text) {
  std::string out;
  bool in_space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out += ' ';
    in_space = false;
    out += c;
  }
  return out;
}

class Linter {
 public:
  explicit Linter(const Spec& spec) : spec_(spec), file_(spec.file.string()) {}

  std::vector<Diagnostic> run() {
    read_sources();
    for (const auto& clause : spec_.clauses) check_clause(clause);
    for (const auto& ambiguity : spec_.ambiguities) {
      check_quotes(ambiguity.quotes, ambiguity.pointer + "/quotes");
    }
    collect_references();
    for (const auto& clause : spec_.clauses) {
      if (!referenced_clauses_.count(clause.id)) {
        add(clause.pointer, "clause " + clause.id + " is not referenced by any endpoint, field, header or error code");
      }
    }
    for (const auto& ambiguity : spec_.ambiguities) {
      if (!referenced_ambiguities_.count(ambiguity.id)) {
        add(ambiguity.pointer, ambiguity.id + " is named by no clause");
      }
    }
    for (const auto& endpoint : spec_.endpoints) check_endpoint(endpoint);
    return std::move(findings_);
  }

 private:
  void add(std::string pointer, std::string message) {
    findings_.push_back({file_, std::move(pointer), std::move(message)});
  }

  void read_sources() {
    const auto base = spec_.file.parent_path();
    for (std::size_t i = 0; i < spec_.sources.size(); ++i) {
      const auto& source = spec_.sources[i];
      std::ifstream in(base / source.path, std::ios::binary);
      if (!in) {
        add("/sources/" + std::to_string(i) + "/path", "cannot read source '" + (base / source.path).string() + "'");
        continue;
      }
      std::ostringstream text;
      text << in.rdbuf();
      source_text_[source.id] = collapse_whitespace(text.str());
    }
  }

  void check_quotes(const std::vector<Quote>& quotes, const std::string& pointer) {
    for (std::size_t i = 0; i < quotes.size(); ++i) {
      auto text = source_text_.find(quotes[i].source);
      if (text == source_text_.end()) continue;  // reported as unreadable
      if (text->second.find(collapse_whitespace(quotes[i].text)) == std::string::npos) {
        add(pointer + "/" + std::to_string(i) + "/text",
            "quote not found verbatim in source '" + quotes[i].source + "': \"" + quotes[i].text + "\"");
      }
    }
  }

  void check_clause(const Clause& clause) {
    check_quotes(clause.quotes, clause.pointer + "/quotes");
    bool normative = std::any_of(clause.quotes.begin(), clause.quotes.end(), [&](const Quote& q) {
      const auto* source = spec_.source(q.source);
      return source && source->normative;
    });
    if (!normative) add(clause.pointer + "/quotes", "clause " + clause.id + " has no quote from a normative source");
    referenced_ambiguities_.insert(clause.ambiguities.begin(), clause.ambiguities.end());
  }

  void refer(const std::vector<std::string>& ids) { referenced_clauses_.insert(ids.begin(), ids.end()); }

  void collect_references() {
    if (spec_.authorization) refer(spec_.authorization->clauses);
    for (const auto& endpoint : spec_.endpoints) {
      refer(endpoint.clauses);
      for (const auto& header : endpoint.headers) refer(header.clauses);
      for (const auto& field : endpoint.request_fields) refer(field.clauses);
      for (const auto& code : endpoint.error_codes) refer(code.clauses);
      if (endpoint.response) {
        refer(endpoint.response->clauses);
        for (const auto& field : endpoint.response->envelope) refer(field.clauses);
        for (const auto& field : endpoint.response->data_fields) refer(field.clauses);
      }
    }
  }

  void check_fields(const std::vector<Field>& fields) {
    for (const auto& field : fields) {
      if (field.clauses.empty()) add(field.pointer + "/clauses", "field '" + field.name + "' is tagged with no clause");
    }
  }

  void check_endpoint(const Endpoint& endpoint) {
    check_fields(endpoint.request_fields);
    if (endpoint.response) {
      check_fields(endpoint.response->envelope);
      check_fields(endpoint.response->data_fields);
    }
    for (const auto& code : endpoint.error_codes) {
      check_quotes({code.quote}, code.pointer + "/quote");
      bool success = endpoint.response && code.code == endpoint.response->success_code;
      bool ranked =
          std::find(endpoint.precedence.begin(), endpoint.precedence.end(), code.code) != endpoint.precedence.end();
      if (!success && !ranked) {
        add(endpoint.pointer + "/precedence",
            "error code " + std::to_string(code.code) + " is missing from the precedence");
      }
    }
  }

  const Spec& spec_;
  std::string file_;
  std::map<std::string, std::string> source_text_;
  std::set<std::string> referenced_clauses_;
  std::set<std::string> referenced_ambiguities_;
  std::vector<Diagnostic> findings_;
};

}  // namespace

bool quote_occurs(const std::string& quote, const std::string& source_text) {
  return collapse_whitespace(source_text).find(collapse_whitespace(quote)) != std::string::npos;
}

std::vector<Diagnostic> lint(const Spec& spec) { return Linter(spec).run(); }

}  // namespace otaconf::spec
