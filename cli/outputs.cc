#include "outputs.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "commands.h"
#include "otaconf/diagnostic.h"
#include "otaconf/rapidcheck_reproduce.h"
#include "otaconf/reports.h"
#include "progress.h"

namespace otaconf::cli {

namespace {

// The real stdout, once human output moved to stderr ("--results -").
std::streambuf* machine_stdout = nullptr;

void move_human_output_to_stderr() {
  if (machine_stdout) return;
  machine_stdout = std::cout.rdbuf();
  std::cout.rdbuf(std::cerr.rdbuf());
}

void write_output(const std::string& file, const std::string& text) {
  if (file != "-") {
    reports::write_text_file(file, text);
    return;
  }
  std::ostream out(machine_stdout ? machine_stdout : std::cout.rdbuf());
  out << text << (text.empty() || text.back() != '\n' ? "\n" : "") << std::flush;
}

}  // namespace

void add_run_outputs(CLI::App* sub, RunOutputs& outputs) {
  // "-": the document on stdout, and everything meant for people on stderr.
  auto* results = sub->add_option("--results", outputs.results_file, "write the results JSON here (-: stdout)")
                      ->each([](const std::string& file) {
                        if (file == "-") move_human_output_to_stderr();
                      });
  sub->add_option("--junit", outputs.junit_file, "write JUnit XML here (a testcase per result entry; -: stdout)")
      ->each([results](const std::string& file) {
        if (file == "-" && results->as<std::string>() == "-")
          throw CLI::ValidationError("--results and --junit cannot both be - (stdout)");
        if (file == "-") move_human_output_to_stderr();
      });
  sub->add_option("--fail-on", outputs.fail_on,
                  "what makes the exit status 1: fail (a FAIL, the default) or non-strict (a NON-STRICT too)")
      ->check(CLI::IsMember({"fail", "non-strict"}))
      ->capture_default_str();
  sub->add_flag("--enforce-decisions", outputs.enforce_decisions,
                "grade a miss that rests on the profile's reading of an ambiguity at its clause's level (FAIL for "
                "MUST) instead of NON-STRICT");
  sub->add_flag("--quiet", outputs.quiet, "print only FAIL and ERROR lines (and no progress line)");
  sub->add_option("--color", outputs.color, "colour verdicts: auto (on a terminal, unless NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  sub->add_option("--baseline", outputs.baseline_file,
                  "known failures (a results file, or lines of 'CHECK CLAUSE' or 'CLAUSE'): reported as known and do "
                  "not fail the run; a new failure still does")
      ->check(CLI::ExistingFile);
  sub->add_flag("--redact-tokens", outputs.redact_tokens,
                "mask token signatures (sign=...) in printed findings, results, JUnit and the report, so that they "
                "can be shared (curl lines then need a fresh token: otaconf token)");
}

CLI::Validator seconds_between(double min, double max) {
  std::ostringstream range;
  range << "SECONDS in [" << min << ", " << max << "]";
  return CLI::Validator(
      [min, max, text = range.str()](std::string& value) -> std::string {
        char* end = nullptr;
        const double seconds = std::strtod(value.c_str(), &end);
        if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(seconds)) {
          return "'" + value + "' is not a number of seconds";
        }
        if (seconds < min || seconds > max) return "'" + value + "' is not " + text;
        return {};
      },
      range.str());
}

CLI::Validator digits_only() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (value.empty() || value.size() > 20 ||
            !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
          return "'" + value + "' is not a non-negative decimal integer";
        }
        return {};
      },
      "UINT");
}

CLI::Validator reproduce_string() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        try {
          if (rc::detail::stringToReproduceMap(value).empty()) return "'" + value + "' replays no property";
        } catch (const std::exception&) {
          return "'" + value.substr(0, 60) + "' is not a reproduce string (copy it from a property's evidence)";
        }
        return {};
      },
      "REPRODUCE");
}

void add_property_options(CLI::App* sub, std::uint64_t& seed, int& cases) {
  sub->add_option("--seed", seed, "seed of the property checks")->capture_default_str()->check(digits_only());
  sub->add_option("--cases", cases, "cases per property check")->capture_default_str()->check(CLI::Range(1, 100000));
}

void add_header_option(CLI::App* sub, std::vector<std::string>& headers, const std::string& help) {
  sub->add_option("-H,--header", headers, help)
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            const auto colon = value.find(':');
            if (colon == std::string::npos || colon == 0 || value.find_first_of(" \t\r\n") < colon ||
                value.find_first_of("\r\n") != std::string::npos)
              return "'" + value + "' is not a header line 'Name: value'";
            return {};
          },
          "'NAME: VALUE'"));
}

http::Headers header_lines(const std::vector<std::string>& lines) {
  http::Headers headers;
  for (const auto& line : lines) {
    const auto colon = line.find(':');
    const auto value_at = line.find_first_not_of(' ', colon + 1);
    headers.emplace_back(line.substr(0, colon), value_at == std::string::npos ? "" : line.substr(value_at));
  }
  return headers;
}

void add_connection_options(CLI::App* sub, std::string& ca_file, bool& insecure, double& rate_limit) {
  auto* cacert = sub->add_option("--cacert", ca_file,
                                 "trust an https server whose certificate chains to this PEM file (a self-signed one)")
                     ->check(CLI::ExistingFile);
  sub->add_flag("--insecure", insecure, "accept any certificate from an https server (its answers are still judged)")
      ->excludes(cacert);
  sub->add_option("--rate-limit", rate_limit, "at most this many requests per second, over all connections")
      ->check(CLI::Range(0.1, 1e6));
}

namespace {

// ANSI colours of verdicts on a terminal (--color).
const char* colour_of(results::Verdict verdict) {
  switch (verdict) {
    case results::Verdict::Fail: return "\033[1;31m";
    case results::Verdict::Error: return "\033[1;35m";
    case results::Verdict::NonStrict: return "\033[33m";
    case results::Verdict::Info: return "\033[36m";
    case results::Verdict::NotTestable: return "\033[2m";
    case results::Verdict::Pass: return "\033[32m";
  }
  return "";
}

std::string verdict_text(results::Verdict verdict, bool color) {
  const auto text = results::to_string(verdict);
  return color ? colour_of(verdict) + text + "\033[0m" : text;
}

}  // namespace

void print_findings(const results::Recorder& recorder, bool quiet, bool color, const std::string& before_summary) {
  using results::Verdict;
  for (const auto& entry : recorder.entries()) {
    if (entry.verdict == Verdict::Pass) continue;
    if (quiet && entry.verdict != Verdict::Fail && entry.verdict != Verdict::Error) continue;
    std::cout << "  " << verdict_text(entry.verdict, color) << " " << entry.clause << " [" << entry.check << "] "
              << entry.message << "\n";
    if (entry.verdict != Verdict::Fail) continue;
    const auto& e = entry.evidence;
    if (!e.curl.empty()) std::cout << "      reproduce: " << e.curl << "\n";
    if (!e.vector_file.empty()) std::cout << "      reproduce: " << e.vector_file << "\n";
    if (!e.reproduce.empty()) std::cout << "      replay the property: --reproduce " << e.reproduce << "\n";
    if (entry.failure_count > 1) {
      std::cout << "      " << entry.failure_count << " failing cases (the results file lists " << entry.failures.size()
                << ")\n";
    }
  }
  if (!quiet) std::cout << before_summary;
  std::string line;
  for (const auto& [verdict, count] : recorder.summary())
    line +=
        (count > 0 ? verdict_text(verdict, color) : results::to_string(verdict)) + "=" + std::to_string(count) + " ";
  std::cout << line << "\n";
}

bool write_run_outputs(const nlohmann::json& results, const std::string& results_file, const std::string& junit_file) {
  try {
    // serialize() validates against the results schema and escapes bytes that are not UTF-8.
    const auto text = results::serialize(results);
    if (!results_file.empty()) write_output(results_file, text);
    if (!junit_file.empty()) {
      const std::string source = results_file.empty() || results_file == "-" ? "(this run)" : results_file;
      write_output(junit_file, reports::junit_xml({{source, nlohmann::json::parse(text)}}));
    }
    return true;
  } catch (const InputError& e) {
    std::cerr << "otaconf: " << e.what() << "\n";
    return false;
  }
}

namespace {

// --baseline: the (check, clause) entries known to fail. A results file
// (its FAIL and NON-STRICT entries), or text: one "CHECK CLAUSE" or
// "CLAUSE" (any check) per line, '#' for comments.
struct Baseline {
  std::set<std::pair<std::string, std::string>> entries;
  std::set<std::string> clauses;
  bool known(const std::string& check, const std::string& clause) const {
    return clauses.count(clause) > 0 || entries.count({check, clause}) > 0;
  }
};

Baseline load_baseline(const std::string& file) {
  Baseline out;
  std::ifstream in(file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (const auto start = text.find_first_not_of(" \t\r\n"); start != std::string::npos && text[start] == '{') {
    const auto results = results::load_results(file);  // throws InputError, naming the problem
    for (const auto& entry : results.at("results")) {
      const auto verdict = entry.at("verdict").get<std::string>();
      if (verdict == "FAIL" || verdict == "NON-STRICT")
        out.entries.insert({entry.at("check").get<std::string>(), entry.at("clause").get<std::string>()});
    }
    return out;
  }
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string first, second;
    if (!(words >> first)) continue;
    if (words >> second) {
      out.entries.insert({first, second});
    } else {
      out.clauses.insert(first);
    }
  }
  return out;
}

bool finding(results::Verdict verdict, results::Verdict fail_on) {
  return verdict == results::Verdict::Fail ||
         (fail_on == results::Verdict::NonStrict && verdict == results::Verdict::NonStrict);
}

// The exit status with the baseline's entries forgiven: known failures are
// reported as known, known ones that pass now as fixed; a new one fails.
int exit_with_baseline(const results::Recorder& recorder, const Baseline& baseline, results::Verdict fail_on) {
  bool new_finding = false, error = false;
  for (const auto& entry : recorder.entries()) {
    error = error || entry.verdict == results::Verdict::Error;
    const bool known = baseline.known(entry.check, entry.clause);
    if (finding(entry.verdict, fail_on)) {
      if (known) {
        std::cout << "  known (baseline): " << results::to_string(entry.verdict) << " " << entry.clause << " ["
                  << entry.check << "]\n";
      } else {
        new_finding = true;
      }
    } else if (known && entry.verdict == results::Verdict::Pass) {
      std::cout << "  fixed since the baseline: " << entry.clause << " [" << entry.check << "] passes now\n";
    }
  }
  if (new_finding) return kExitFindings;
  return error ? kExitError : kExitOk;
}

}  // namespace

void print_plan(const std::vector<conformance::PlannedCheck>& plan, const spec::Spec& spec, spec::Side side) {
  std::set<std::string> judged;
  for (const auto& check : plan) {
    std::cout << check.id << (check.size.empty() ? "" : " (" + check.size + ")") << ": " << check.title << "\n    ";
    for (std::size_t i = 0; i < check.clauses.size(); ++i) std::cout << (i ? " " : "") << check.clauses[i];
    std::cout << "\n";
    if (!check.answer_clauses.empty()) {
      std::cout << "    and, on any answer it judges, " << check.answer_clauses.size() << " more:";
      for (const auto& clause : check.answer_clauses) std::cout << " " << clause;
      std::cout << "\n";
    }
    judged.insert(check.clauses.begin(), check.clauses.end());
    judged.insert(check.answer_clauses.begin(), check.answer_clauses.end());
  }
  std::vector<std::string> unjudged;
  for (const auto& clause : spec.clauses) {
    if ((clause.side == side || clause.side == spec::Side::Both) && !judged.count(clause.id))
      unjudged.push_back(clause.id);
  }
  std::cout << spec::to_string(side) << " clauses no selected check judges (" << unjudged.size() << "):";
  for (const auto& id : unjudged) std::cout << " " << id;
  std::cout << "\n";
}

std::string unjudged_text(const results::RunInfo& run, const results::Recorder& recorder, const spec::Spec& spec,
                          spec::Side side) {
  std::set<std::string> judged, planned;
  for (const auto& entry : recorder.entries()) judged.insert(entry.clause);
  for (const auto& [check, clause] : run.plan) planned.insert(clause);
  std::string unreached, unselected;
  std::size_t count = 0;
  for (const auto& clause : spec.clauses) {
    if ((clause.side != side && clause.side != spec::Side::Both) || judged.count(clause.id)) continue;
    ++count;
    (planned.count(clause.id) ? unreached : unselected) += " " + clause.id;
  }
  if (count == 0) return {};
  std::string text = "  not judged by this run (" + std::to_string(count) + " " + spec::to_string(side) + " clauses):";
  if (!unreached.empty()) text += " no case reached" + unreached + (unselected.empty() ? "" : ";");
  if (!unselected.empty()) text += " no selected check judges" + unselected;
  return text + "\n";
}

int finish_run(const results::RunInfo& run, const results::Recorder& recorder, const spec::Spec& spec, spec::Side side,
               const RunOutputs& outputs) {
  print_findings(recorder, outputs.quiet, use_color(outputs.color), unjudged_text(run, recorder, spec, side));
  if (!write_run_outputs(results::to_json(run, recorder, spec, side), outputs.results_file, outputs.junit_file)) {
    return kExitUsage;
  }
  const auto fail_on = outputs.fail_on == "non-strict" ? results::Verdict::NonStrict : results::Verdict::Fail;
  if (!outputs.baseline_file.empty()) {
    try {
      return exit_with_baseline(recorder, load_baseline(outputs.baseline_file), fail_on);
    } catch (const InputError& e) {
      std::cerr << "otaconf: --baseline: " << e.what() << "\n";
      return kExitUsage;
    }
  }
  return results::exit_status(recorder, fail_on);
}

}  // namespace otaconf::cli
