// otaconf: conformance and fuzz suite for the OneNET OTA check API.
#include <exception>
#include <iostream>

#include "commands.h"

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "otaconf: " << e.what() << " (see otaconf --help)\n";
    return otaconf::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "otaconf: internal error: " << e.what() << "\n";
    return otaconf::cli::kExitUsage;
  }
  return exit_code;
}
