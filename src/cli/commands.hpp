// Subcommand registry of the crmkit CLI. Each cmd_<name>.cpp defines add_<name>(), which adds its
// subcommand (flags, help) to the root app and appends the action to run when that subcommand was
// given. To add a subcommand (fit, predict, clv, churn, ...): write cmd_<name>.cpp, declare its
// add_<name>() here, and list it in main.cpp's kSubcommands. Actions throw; main() maps exceptions to
// exit codes (see common.hpp).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace crmkit::cli {

struct Command {
  CLI::App* app;
  std::function<void()> run;
};

using AddCommand = void (*)(CLI::App& root, std::vector<Command>& commands);

void add_summary(CLI::App& root, std::vector<Command>& commands);
void add_rfm(CLI::App& root, std::vector<Command>& commands);

}  // namespace crmkit::cli
