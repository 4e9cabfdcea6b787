// crmkit: the command-line face. Parses with CLI11, runs one subcommand, maps errors to exit codes:
// 0 ok, 1 data error (message names file:line:column), 2 usage error.
#include <exception>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/version.hpp"

int main(int argc, char** argv) {
  using namespace crmkit::cli;
  CLI::App app{"crmkit " CRMKIT_VERSION_STRING " — customer analytics: summaries, RFM segments (CLV, churn, Kano next)",
               "crmkit"};
  app.set_version_flag("--version", std::string("crmkit ") + CRMKIT_VERSION_STRING);
  app.require_subcommand(1);
  app.footer("Run 'crmkit SUBCOMMAND --help' for a subcommand's flags. Docs: docs/cli.md");
  std::vector<Command> commands;
  add_summary(app, commands);
  add_rfm(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "crmkit: error: " << e.what() << "\n";
    std::cerr << "Run with --help for more information.\n";
    return kExitUsage;
  }
  try {
    for (auto& c : commands)
      if (c.app->parsed()) c.run();
  } catch (const crmkit::InvalidArgument& e) {
    std::cerr << "crmkit: error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const crmkit::Error& e) {
    std::cerr << "crmkit: error: " << e.what() << "\n";
    return kExitData;
  } catch (const std::bad_alloc&) {
    std::cerr << "crmkit: error: out of memory\n";
    return kExitData;
  } catch (const std::exception& e) {
    std::cerr << "crmkit: internal error: " << e.what() << "\n";
    return kExitData;
  }
  return 0;
}
