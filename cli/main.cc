// otaconf: conformance and fuzz suite for the OneNET OTA check API.
#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const auto up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The closest of `names` to `typed`, when it is close (a typo, not a guess).
std::string closest(const std::string& typed, const std::vector<std::string>& names) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, typed.size() / 3) + 1;
  for (const auto& name : names) {
    if (const auto d = edit_distance(typed, name); d < best_distance) {
      best = name;
      best_distance = d;
    }
  }
  return best;
}

// "did you mean ...?" for an unknown subcommand or option, and the help to
// read: the subcommand's own when one was given.
std::string hint(CLI::App& app, int argc, char** argv) {
  std::vector<std::string> commands;
  for (const auto* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
  CLI::App* sub = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (!sub && arg.rfind("-", 0) != 0) {
      if (std::find(commands.begin(), commands.end(), arg) != commands.end()) {
        sub = app.get_subcommand(arg);
        continue;
      }
      if (const auto guess = closest(arg, commands); !guess.empty())
        return "; unknown command '" + arg + "': did you mean '" + guess + "'? (see otaconf --help)";
      return "; unknown command '" + arg + "' (see otaconf --help)";
    }
    if (sub && arg.rfind("--", 0) == 0) {
      const auto name = arg.substr(0, arg.find('='));
      std::vector<std::string> options;
      for (const auto* option : sub->get_options()) {
        for (const auto& long_name : option->get_lnames()) options.push_back("--" + long_name);
      }
      if (std::find(options.begin(), options.end(), name) == options.end()) {
        if (const auto guess = closest(name, options); !guess.empty())
          return "; unknown option '" + name + "': did you mean '" + guess + "'? (see otaconf " + sub->get_name() +
                 " --help)";
      }
    }
  }
  return std::string(" (see otaconf ") + (sub ? sub->get_name() + " " : "") + "--help)";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"otaconf: conformance and fuzz test suite for the OneNET OTA device API", "otaconf"};
  app.require_subcommand(1);
  app.set_version_flag("--version", [] { return otaconf::cli::version_text(); });
  int exit_code = otaconf::cli::kExitOk;
  otaconf::cli::add_spec_command(app, exit_code);
  otaconf::cli::add_token_command(app, exit_code);
  otaconf::cli::add_server_command(app, exit_code);
  otaconf::cli::add_mutation_command(app, exit_code);
  otaconf::cli::add_client_command(app, exit_code);
  otaconf::cli::add_vectors_command(app, exit_code);
  otaconf::cli::add_mock_command(app, exit_code);
  otaconf::cli::add_client_e2e_command(app, exit_code);
  otaconf::cli::add_report_command(app, exit_code);
  otaconf::cli::add_fixture_command(app, exit_code);
  otaconf::cli::add_replay_command(app, exit_code);
  otaconf::cli::add_fuzz_server_command(app, exit_code);
  otaconf::cli::add_completion_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "otaconf: " << e.what() << hint(app, argc, argv) << "\n";
    return otaconf::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "otaconf: internal error: " << e.what() << "\n";
    return otaconf::cli::kExitUsage;
  }
  return exit_code;
}
