// Each `otaconf` subcommand registers itself on the app and sets the exit
// code when it runs: 0 ok, 1 findings (a failing check, a lint finding),
// 2 usage or I/O error (a bad argument, an unreadable or malformed input).
#pragma once

#include <CLI/CLI.hpp>

namespace otaconf::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

void add_spec_command(CLI::App& app, int& exit_code);
void add_token_command(CLI::App& app, int& exit_code);
void add_server_command(CLI::App& app, int& exit_code);
void add_mutation_command(CLI::App& app, int& exit_code);
void add_client_command(CLI::App& app, int& exit_code);
void add_vectors_command(CLI::App& app, int& exit_code);
void add_mock_command(CLI::App& app, int& exit_code);
void add_client_e2e_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);

}  // namespace otaconf::cli
