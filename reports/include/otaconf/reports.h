// Reports rendered from results documents (otaconf-results/1,
// docs/results.md): the self-contained HTML report with its clause x
// implementation matrix, and JUnit XML for CI. Reports present verdicts;
// they never re-judge anything.
//
// Error convention (otaconf/diagnostic.h): an input or output file that
// cannot be used throws InputError naming it.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "otaconf/spec.h"

namespace otaconf::reports {

// One run's results document and where it came from.
struct Run {
  std::string source;      // the file, or a label for a document in memory
  nlohmann::json results;  // valid against reports/results.schema.json
};

// Loads each file with results::load_results (schema-checked). A directory
// stands for the *.json files in it, in name order.
std::vector<Run> load_runs(const std::vector<std::filesystem::path>& paths);

// A name per run for matrix columns and JUnit suites: implementation,
// profile and mutant, made unique among `runs`.
std::vector<std::string> run_labels(const std::vector<Run>& runs);

struct HtmlOptions {
  std::string title = "otaconf conformance report";
};

// One HTML page, nothing loaded from the network: the data as a JSON blob in
// <script type="application/json"> and inline CSS and JS that render the
// verdict summary, the matrix, the evidence, the clauses and the ambiguity
// register. Clause texts and the ambiguity register come from `spec`.
std::string html_report(const spec::Spec& spec, const std::vector<Run>& runs, const HtmlOptions& options = {});

// The data the page renders (what html_report embeds).
nlohmann::json report_data(const spec::Spec& spec, const std::vector<Run>& runs, const HtmlOptions& options = {});

// JSON text safe inside a <script> element: every '<' is written \u003c, so
// neither "</script" nor "<!--" can appear in it.
std::string script_safe_json(const nlohmann::json& data);

// JUnit XML: a <testsuite> per run, a <testcase> per result entry
// (docs/reports.md gives the mapping of verdicts).
std::string junit_xml(const std::vector<Run>& runs);

// Text with XML's special characters escaped; characters XML 1.0 forbids
// are written as \xNN.
std::string xml_escape(std::string_view text);

// Writes `text` to `file`; throws InputError when it cannot.
void write_text_file(const std::filesystem::path& file, std::string_view text);

}  // namespace otaconf::reports
