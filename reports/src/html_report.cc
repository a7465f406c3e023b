// The HTML report: the data the page needs as one JSON blob, set into the
// template (reports/templates/report.html, compiled in) whose inline JS
// renders it.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "otaconf/reports.h"
#include "otaconf/results.h"
#include "report_template.h"

namespace otaconf::reports {

using nlohmann::json;

namespace {

constexpr std::string_view kDataMarker = "{{OTACONF_REPORT_DATA}}";
constexpr std::string_view kTitleMarker = "{{OTACONF_REPORT_TITLE}}";

json quotes_json(const std::vector<spec::Quote>& quotes) {
  json out = json::array();
  for (const auto& q : quotes) out.push_back({{"source", q.source}, {"text", q.text}});
  return out;
}

json clause_json(const spec::Clause& clause) {
  return {{"id", clause.id},
          {"level", spec::to_string(clause.level)},
          {"side", spec::to_string(clause.side)},
          {"statement", clause.statement},
          {"quotes", quotes_json(clause.quotes)},
          {"ambiguities", clause.ambiguities}};
}

// The spec's clauses, then any clause a results file judged that this spec
// lacks (another spec version), as that file describes it.
json clauses_json(const spec::Spec& spec, const std::vector<Run>& runs) {
  json out = json::array();
  std::set<std::string> known;
  for (const auto& clause : spec.clauses) {
    out.push_back(clause_json(clause));
    known.insert(clause.id);
  }
  for (const auto& run : runs) {
    for (const auto& c : run.results.at("clauses")) {
      const auto id = c.at("id").get<std::string>();
      if (!known.insert(id).second) continue;
      json quotes = json::array();
      if (c.at("quote").is_string()) quotes.push_back({{"source", "(results file)"}, {"text", c["quote"]}});
      out.push_back({{"id", id},
                     {"level", c.at("level")},
                     {"side", c.at("side")},
                     {"statement", c.at("statement")},
                     {"quotes", quotes},
                     {"ambiguities", c.at("ambiguities")},
                     {"not_in_spec", true}});
    }
  }
  return out;
}

json ambiguities_json(const spec::Spec& spec) {
  json out = json::array();
  for (const auto& a : spec.ambiguities) {
    json interpretations = json::array();
    for (const auto& i : a.interpretations) interpretations.push_back({{"id", i.id}, {"description", i.description}});
    json decisions = json::object();
    for (const auto& profile : spec.profiles) {
      auto found = profile.decisions.find(a.id);
      if (found != profile.decisions.end()) decisions[profile.id] = found->second;
    }
    json clauses = json::array();
    for (const auto& clause : spec.clauses) {
      if (std::find(clause.ambiguities.begin(), clause.ambiguities.end(), a.id) != clause.ambiguities.end()) {
        clauses.push_back(clause.id);
      }
    }
    out.push_back({{"id", a.id},
                   {"title", a.title},
                   {"quotes", quotes_json(a.quotes)},
                   {"interpretations", interpretations},
                   {"note", a.note},
                   {"decisions", decisions},
                   {"clauses", clauses}});
  }
  return out;
}

json sources_json(const spec::Spec& spec) {
  json out = json::object();
  for (const auto& s : spec.sources) {
    out[s.id] = {{"path", s.path}, {"description", s.description}, {"normative", s.normative}};
  }
  return out;
}

// A run as the page uses it: the clause verdicts as a map, the rest as in
// the results file.
constexpr const char* kEntryKeys[] = {"check",  "title",   "clause", "level",    "verdict",       "cases",
                                      "counts", "message", "basis",  "failures", "failure_count", "evidence"};

// Evidence and failure lists repeat across the runs of a matrix (the same
// checks against mutants and variants of one implementation): each distinct
// one is kept once in the page, entries refer to it by index.
class Interned {
 public:
  json index_of(json value) {
    auto text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    auto [found, added] = indexes_.emplace(std::move(text), values_.size());
    if (added) values_.push_back(std::move(value));
    return found->second;
  }
  json values() && { return std::move(values_); }

 private:
  std::unordered_map<std::string, std::size_t> indexes_;
  json values_ = json::array();
};

json run_json(const Run& run, const std::string& label, Interned& shared, Interned& failures) {
  const auto& r = run.results;
  json verdicts = json::object();
  for (const auto& c : r.at("clauses")) verdicts[c.at("id").get<std::string>()] = c.at("verdict");
  // Each entry as an array in kEntryKeys' order (no key repeated 100 000
  // times); every value but the two counts by index into "shared" (check
  // and clause IDs, verdicts, messages, evidence repeat across runs),
  // failure lists into "failures".
  json results = json::array();
  for (const auto& entry : r.at("results")) {
    json row = json::array();
    for (const auto* key : kEntryKeys) {
      const std::string name = key;
      json value = entry.contains(name) ? entry.at(name) : json(nullptr);
      if (name != "cases" && name != "failure_count" && name != "failures") value = shared.index_of(std::move(value));
      if (name == "failures") value = failures.index_of(std::move(value));
      row.push_back(std::move(value));
    }
    results.push_back(std::move(row));
  }
  json info = r.at("run");
  info.erase("plan");  // the page shows what was judged; JUnit is what lists the plan
  return {{"label", label},
          {"source", run.source},
          {"run", info},
          {"tool", r.at("tool")},
          {"summary", r.at("summary")},
          {"verdicts", verdicts},
          {"results", std::move(results)},
          {"observations", [&] {
             json out = json::array();
             for (const auto& observation : r.at("observations")) out.push_back(shared.index_of(observation));
             return out;
           }()}};
}

void replace_once(std::string& text, std::string_view marker, const std::string& with) {
  const auto at = text.find(marker);
  if (at != std::string::npos) text.replace(at, marker.size(), with);
}

}  // namespace

std::string script_safe_json(const json& data) {
  const auto text = data.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

json report_data(const spec::Spec& spec, const std::vector<Run>& runs, const HtmlOptions& options) {
  const auto labels = run_labels(runs);
  json run_list = json::array();
  Interned shared, failures;
  for (std::size_t i = 0; i < runs.size(); ++i) run_list.push_back(run_json(runs[i], labels[i], shared, failures));
  return {{"title", options.title},
          {"entryKeys",
           [] {
             json keys = json::array();
             for (const auto* key : kEntryKeys) keys.push_back(key);
             return keys;
           }()},
          {"shared", std::move(shared).values()},
          {"failures", std::move(failures).values()},
          {"generated", results::utc_now()},
          {"tool", std::string("otaconf ") + OTACONF_VERSION},
          {"spec", {{"id", spec.id}, {"title", spec.title}, {"file", spec.file.string()}}},
          {"sources", sources_json(spec)},
          {"profiles",
           [&] {
             json ids = json::array();
             for (const auto& p : spec.profiles) ids.push_back(p.id);
             return ids;
           }()},
          {"clauses", clauses_json(spec, runs)},
          {"ambiguities", ambiguities_json(spec)},
          {"runs", run_list}};
}

std::string html_report(const spec::Spec& spec, const std::vector<Run>& runs, const HtmlOptions& options) {
  std::string page(kReportTemplate);
  replace_once(page, kTitleMarker, xml_escape(options.title));
  replace_once(page, kDataMarker, script_safe_json(report_data(spec, runs, options)));
  return page;
}

}  // namespace otaconf::reports
