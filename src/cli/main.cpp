// crmkit: the command-line face. Parses with CLI11, runs one subcommand, maps errors to exit codes:
// 0 ok, 1 data error (message names file:line:column), 2 usage error. Every message goes to stderr as
// "crmkit: error: ..."; no exception escapes.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <string>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/core/parallel.hpp"
#include "crmkit/version.hpp"

namespace crmkit::cli {
std::vector<Registered>& registry() {
  static std::vector<Registered> r;
  return r;
}
}  // namespace crmkit::cli

namespace {


int fail(int code, const std::string& message) {
  std::string m = "crmkit: error: " + message + "\n";
  if (code == crmkit::cli::kExitUsage) m += "Run with --help for more information.\n";
  std::fflush(stdout);
  std::fputs(m.c_str(), stderr);
  return code;
}

int run(int argc, char** argv) {
  using namespace crmkit::cli;
  CLI::App app{"crmkit " CRMKIT_VERSION_STRING
               ": customer analytics: summaries, RFM, CLV models, churn, Kano and service metrics",
               "crmkit"};
  app.set_version_flag("--version", std::string("crmkit ") + CRMKIT_VERSION_STRING,
                       "Print the version and exit");
  app.require_subcommand(1);
  // Global: the thread limit of crmkit calls (crmkit::set_max_threads), before or after the subcommand.
  int threads = 0;
  app.add_option("--threads", threads,
                 "Most threads one computation uses (0: the default, CRMKIT_THREADS or the number of cores); "
                 "results do not depend on it")
      ->check(CLI::NonNegativeNumber);
  app.fallthrough();
  std::vector<Command> commands;
  auto registered = registry();
  std::stable_sort(registered.begin(), registered.end(),
                   [](const Registered& x, const Registered& y) { return x.order < y.order; });
  for (const auto& r : registered) r.add(app, commands);
  refuse_empty_column_flags(app);
  app.footer(
      "Run 'crmkit SUBCOMMAND --help' for a subcommand's flags.\n"
      "Exit codes: 0 ok, 1 data error (bad or missing input), 2 usage error.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(kExitUsage, e.what());
  }
  crmkit::set_max_threads(threads);
  try {
    for (auto& c : commands)
      if (c.app->parsed()) c.run();
  } catch (const UsageError& e) {
    return fail(kExitUsage, e.what());
  } catch (const crmkit::Error& e) {
    return fail(kExitData, e.what());
  } catch (const std::bad_alloc&) {
    return fail(kExitData, "out of memory");
  } catch (const std::exception& e) {
    return fail(kExitData, std::string("internal error: ") + e.what());
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int code = run(argc, argv);
    if (code == crmkit::cli::kExitOk) {
      // Skip the destructors of what keep_until_exit() holds (see common.hpp); output is flushed.
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(code);
    }
    return code;
  } catch (const std::exception& e) {  // e.g. bad_alloc while building the parser
    return fail(crmkit::cli::kExitData, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(crmkit::cli::kExitData, "internal error: unknown exception");
  }
}
