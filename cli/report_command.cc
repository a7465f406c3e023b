// otaconf report: the HTML report (clause x implementation matrix, evidence,
// ambiguity register) and JUnit XML from results files of any runs.
#include <iostream>

#include "commands.h"
#include "otaconf/reports.h"
#include "otaconf/spec_loader.h"

namespace otaconf::cli {

namespace {

struct ReportArgs {
  std::vector<std::string> inputs;
  std::string html_file, junit_file, spec_file;
  reports::HtmlOptions html;
};

int fail_usage(const std::string& message) {
  std::cerr << "otaconf: " << message << "\n";
  return kExitUsage;
}

int run(const ReportArgs& args) {
  if (args.html_file.empty() && args.junit_file.empty()) return fail_usage("give -o FILE.html and/or --junit FILE.xml");
  try {
    const auto spec =
        spec::load_spec(args.spec_file.empty() ? spec::default_spec_path() : std::filesystem::path(args.spec_file));
    const std::vector<std::filesystem::path> inputs(args.inputs.begin(), args.inputs.end());
    const auto runs = reports::load_runs(inputs);
    if (!args.html_file.empty()) reports::write_text_file(args.html_file, reports::html_report(spec, runs, args.html));
    if (!args.junit_file.empty()) reports::write_text_file(args.junit_file, reports::junit_xml(runs));
    std::size_t entries = 0;
    for (const auto& r : runs) entries += r.results.at("results").size();
    std::cout << "otaconf report: " << runs.size() << " run(s), " << entries << " result entries";
    if (!args.html_file.empty()) std::cout << "; HTML " << std::filesystem::absolute(args.html_file).string();
    if (!args.junit_file.empty()) std::cout << "; JUnit " << std::filesystem::absolute(args.junit_file).string();
    std::cout << "\n";
    return kExitOk;
  } catch (const InputError& e) {
    return fail_usage(e.what());
  }
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArgs>();
  auto* sub = app.add_subcommand("report", "Render results files as one HTML report and/or JUnit XML");
  sub->add_option("results", args->inputs, "results JSON files of any runs (a directory: its *.json)")->required();
  sub->add_option("-o,--output", args->html_file, "write the HTML report here (self-contained, no network)");
  sub->add_option("--junit", args->junit_file,
                  "write JUnit XML here: a testsuite per run, a testcase per result entry");
  sub->add_option("--spec", args->spec_file,
                  "spec for clause texts and the ambiguity register (default: the shipped spec)");
  sub->add_option("--title", args->html.title, "title of the HTML report")->capture_default_str();
  sub->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace otaconf::cli
