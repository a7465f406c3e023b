// JUnit XML from results documents: a <testsuite> per run, a <testcase> per
// result entry. FAIL -> <failure>, ERROR -> <error>, NOT-TESTABLE ->
// <skipped>, NON-STRICT and INFO pass with a <system-out>, PASS passes.
// Every (check, clause) of the run's plan that no case reached is a
// <skipped> testcase too, so the set of testcases does not depend on --cases.
#include <cstdio>
#include <set>
#include <sstream>

#include "otaconf/reports.h"

namespace otaconf::reports {

using nlohmann::json;

namespace {

struct Counts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;

  void add(const Counts& other) {
    tests += other.tests;
    failures += other.failures;
    errors += other.errors;
    skipped += other.skipped;
    seconds += other.seconds;
  }
};

// The plan's (check, clause) pairs the run recorded nothing on.
std::vector<std::pair<std::string, std::string>> unreached(const json& results) {
  std::set<std::pair<std::string, std::string>> recorded;
  for (const auto& entry : results.at("results")) recorded.emplace(entry.at("check"), entry.at("clause"));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& planned : results.at("run").value("plan", json::array())) {
    std::pair<std::string, std::string> pair{planned.value("check", ""), planned.value("clause", "")};
    if (recorded.insert(pair).second) out.push_back(pair);
  }
  return out;
}

Counts count(const json& results) {
  Counts counts;
  const auto skipped = unreached(results).size();
  counts.tests += skipped;
  counts.skipped += skipped;
  for (const auto& entry : results.at("results")) {
    const auto verdict = entry.at("verdict").get<std::string>();
    ++counts.tests;
    counts.failures += verdict == "FAIL" ? 1 : 0;
    counts.errors += verdict == "ERROR" ? 1 : 0;
    counts.skipped += verdict == "NOT-TESTABLE" ? 1 : 0;
  }
  counts.seconds = results.at("run").value("duration_ms", 0.0) / 1000.0;
  return counts;
}

std::string attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_escape(value) + "\"";
}

std::string counts_attrs(const Counts& counts) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", counts.seconds);
  return attr("tests", std::to_string(counts.tests)) + attr("failures", std::to_string(counts.failures)) +
         attr("errors", std::to_string(counts.errors)) + attr("skipped", std::to_string(counts.skipped)) +
         attr("time", seconds);
}

std::string text_of(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(2); }

// "document", or "decision: AMB.X (profile a, implementation b)".
std::string basis_text(const json& basis) {
  if (basis.value("kind", "document") != "decision") {
    return basis.contains("conflict") ? "document (" + basis["conflict"].get<std::string>() + ")" : "document";
  }
  std::string out = "decision:";
  for (const auto& d : basis.value("decisions", json::array())) {
    out += " " + d.value("ambiguity", "") + " (profile " + d.value("decided", "") + ", implementation " +
           d.value("reading", "") + ")";
  }
  return out;
}

// The entry's evidence in words, member by member (docs/results.md).
std::string evidence_text(const json& entry) {
  std::ostringstream out;
  out << entry.at("verdict").get<std::string>() << " " << entry.at("clause").get<std::string>() << " ["
      << entry.at("check").get<std::string>() << "] " << entry.at("message").get<std::string>() << "\n";
  out << "cases: " << entry.at("cases").get<std::uint64_t>() << " " << entry.at("counts").dump() << "\n";
  if (entry.contains("basis")) out << "basis: " << basis_text(entry["basis"]) << "\n";
  if (entry.contains("failures") && !entry["failures"].empty()) {
    out << "failing cases: " << entry.value("failure_count", entry["failures"].size()) << "\n";
    for (const auto& c : entry["failures"]) {
      out << "  - " << c.value("verdict", "") << " " << c.value("message", "") << " ["
          << basis_text(c.value("basis", json::object())) << "]\n";
      if (c.contains("reproduce")) out << "    reproduce: " << c["reproduce"].dump() << "\n";
    }
  }
  const auto& evidence = entry.at("evidence");
  for (const char* member :
       {"expected", "observed", "request", "response", "curl", "reproduce", "vector_file", "seed"}) {
    if (evidence.contains(member)) out << member << ": " << text_of(evidence[member]) << "\n";
  }
  return out.str();
}

std::string testcase(const json& entry) {
  const auto check = entry.at("check").get<std::string>();
  const auto clause = entry.at("clause").get<std::string>();
  const auto verdict = entry.at("verdict").get<std::string>();
  const auto message = entry.at("message").get<std::string>();
  std::string out = "    <testcase" + attr("classname", check) + attr("name", clause + " " + check);
  if (verdict == "PASS") return out + "/>\n";
  out += ">\n";
  if (verdict == "FAIL" || verdict == "ERROR") {
    const std::string tag = verdict == "FAIL" ? "failure" : "error";
    out += "      <" + tag + attr("message", message) + attr("type", verdict) + ">" + xml_escape(evidence_text(entry)) +
           "</" + tag + ">\n";
  } else if (verdict == "NOT-TESTABLE") {
    out += "      <skipped" + attr("message", message) + "/>\n";
  } else {  // NON-STRICT, INFO: passes, reported
    out += "      <system-out>" + xml_escape(evidence_text(entry)) + "</system-out>\n";
  }
  return out + "    </testcase>\n";
}

std::string properties(const json& run) {
  std::string out = "    <properties>\n";
  for (const char* name : {"side", "implementation", "target", "profile", "seed", "spec", "fixture"}) {
    if (run.contains(name)) out += "      <property" + attr("name", name) + attr("value", text_of(run[name])) + "/>\n";
  }
  if (run.contains("enforce_decisions")) {
    out +=
        "      <property" + attr("name", "enforce_decisions") + attr("value", run["enforce_decisions"].dump()) + "/>\n";
  }
  if (run.contains("variant")) {
    out += "      <property" + attr("name", "variant") + attr("value", run["variant"].value("name", "")) + "/>\n";
  }
  if (run.contains("mutant")) {
    out += "      <property" + attr("name", "mutant") + attr("value", run["mutant"].value("name", "")) + "/>\n";
    out +=
        "      <property" + attr("name", "mutant.clause") + attr("value", run["mutant"].value("clause", "")) + "/>\n";
  }
  return out + "    </properties>\n";
}

std::string testsuite(const Run& run, const std::string& label, const Counts& counts) {
  const auto& info = run.results.at("run");
  std::string out = "  <testsuite" + attr("name", label) + counts_attrs(counts) +
                    attr("timestamp", info.value("started", "")) + attr("file", run.source) + ">\n";
  out += properties(info);
  for (const auto& entry : run.results.at("results")) out += testcase(entry);
  for (const auto& [check, clause] : unreached(run.results)) {
    out += "    <testcase" + attr("classname", check) + attr("name", clause + " " + check) + ">\n      <skipped" +
           attr("message", "not judged in this run: no case of " + check + " reached " + clause) +
           "/>\n    </testcase>\n";
  }
  return out + "  </testsuite>\n";
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", byte);
          out += hex;
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string junit_xml(const std::vector<Run>& runs) {
  const auto labels = run_labels(runs);
  Counts total;
  std::string suites;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto counts = count(runs[i].results);
    total.add(counts);
    suites += testsuite(runs[i], labels[i], counts);
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" + attr("name", "otaconf") + counts_attrs(total) +
         ">\n" + suites + "</testsuites>\n";
}

}  // namespace otaconf::reports
