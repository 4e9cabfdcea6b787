// Subcommand registry of the crmkit CLI. Each cmd_<name>.cpp defines a function that adds its
// subcommand (flags, help) to the root app and appends the action to run when that subcommand was
// given, and registers it with CRMKIT_CLI_COMMAND(order, function); main() adds the registered
// subcommands in ascending order (the order of `crmkit --help`). Actions throw; main() maps exceptions
// to exit codes (see common.hpp). Orders in use: 10 analyze, 20 summary, 30 rfm, 40 fit, 50 predict,
// 60 clv, 70 churn, 80 escalate, 90 kano, 100 service, 110 nps, 120 abtest.
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

struct Registered {
  int order;
  AddCommand add;
};

/// Every registered subcommand (unordered; filled before main by static initialisers).
std::vector<Registered>& registry();

struct Registration {
  Registration(int order, AddCommand add) { registry().push_back({order, add}); }
};

#define CRMKIT_CLI_COMMAND(order, function) \
  static const ::crmkit::cli::Registration crmkit_cli_registration_##function{(order), &(function)}

}  // namespace crmkit::cli
