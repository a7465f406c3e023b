// otaconf completion bash: a bash completion script made from the same
// option tables the parser uses, so it cannot drift from the commands.
#include <iostream>
#include <sstream>

#include "commands.h"

namespace otaconf::cli {

namespace {

// The words that may follow `app`: its subcommands and its long options.
std::string words_of(const CLI::App& app) {
  std::ostringstream out;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) out << sub->get_name() << " ";
  for (const auto* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) out << "--" << name << " ";
  }
  auto text = out.str();
  if (!text.empty()) text.pop_back();
  return text;
}

std::string bash_script(const CLI::App& app) {
  std::ostringstream out;
  out << "# bash completion for otaconf (otaconf completion bash > /etc/bash_completion.d/otaconf)\n"
      << "_otaconf() {\n"
      << "  local cur=${COMP_WORDS[COMP_CWORD]} words=\"\"\n"
      << "  case \"${COMP_WORDS[1]}\" in\n";
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    out << "    " << sub->get_name() << ")\n";
    const auto nested = sub->get_subcommands([](const CLI::App*) { return true; });
    if (nested.empty()) {
      out << "      words=\"" << words_of(*sub) << "\" ;;\n";
      continue;
    }
    out << "      case \"${COMP_WORDS[2]}\" in\n";
    for (const auto* leaf : nested)
      out << "        " << leaf->get_name() << ") words=\"" << words_of(*leaf) << "\" ;;\n";
    out << "        *) words=\"" << words_of(*sub) << "\" ;;\n"
        << "      esac ;;\n";
  }
  out << "    *) words=\"" << words_of(app) << "\" ;;\n"
      << "  esac\n"
      << "  [ \"$COMP_CWORD\" -eq 1 ] && words=\"" << words_of(app) << "\"\n"
      << "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
      << "}\n"
      << "complete -o default -F _otaconf otaconf\n";
  return out.str();
}

}  // namespace

void add_completion_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("completion", "Print a shell completion script (bash)");
  auto shell = std::make_shared<std::string>("bash");
  sub->add_option("shell", *shell, "the shell")->check(CLI::IsMember({"bash"}))->capture_default_str();
  sub->callback([&app, &exit_code] {
    std::cout << bash_script(app);
    exit_code = kExitOk;
  });
}

}  // namespace otaconf::cli
