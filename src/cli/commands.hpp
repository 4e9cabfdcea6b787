// Subcommand registry of the crmkit CLI: each cmd_*.cpp adds its subcommand and the action to run.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace crmkit::cli {

struct Command {
  CLI::App* app;
  std::function<void()> run;
};

void add_summary(CLI::App& root, std::vector<Command>& commands);
void add_rfm(CLI::App& root, std::vector<Command>& commands);

}  // namespace crmkit::cli
