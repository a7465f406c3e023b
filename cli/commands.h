// Each `otaconf` subcommand registers itself on the app and sets the exit
// code when it runs: 0 ok, 1 findings (a FAIL, a lint finding), 2 usage or
// I/O error (a bad argument, an unreadable or malformed input, a selection
// that matches nothing), 3 a run that could not judge everything (ERROR
// verdicts, no FAIL). docs/results.md, "Exit status".
#pragma once

#include <CLI/CLI.hpp>

#include "otaconf/results.h"

namespace otaconf::cli {

inline constexpr int kExitOk = results::kExitOk;
inline constexpr int kExitFindings = results::kExitFindings;
inline constexpr int kExitUsage = results::kExitUsage;
inline constexpr int kExitError = results::kExitError;

void add_spec_command(CLI::App& app, int& exit_code);
void add_token_command(CLI::App& app, int& exit_code);
void add_server_command(CLI::App& app, int& exit_code);
void add_mutation_command(CLI::App& app, int& exit_code);
void add_client_command(CLI::App& app, int& exit_code);
void add_vectors_command(CLI::App& app, int& exit_code);
void add_mock_command(CLI::App& app, int& exit_code);
void add_client_e2e_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_fixture_command(CLI::App& app, int& exit_code);
void add_completion_command(CLI::App& app, int& exit_code);
void add_replay_command(CLI::App& app, int& exit_code);
void add_fuzz_server_command(CLI::App& app, int& exit_code);

// "otaconf 0.1.0", the spec it carries (id, format, token version) and
// where its data is (otaconf --version).
std::string version_text();

}  // namespace otaconf::cli
