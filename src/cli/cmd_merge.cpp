// crmkit merge: summary states of disjoint customer shards (saved by `crmkit summary --state-out`)
// merged into the state of their union, exactly (docs/scaling.md).
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/summary/state.hpp"

namespace crmkit::cli {

static void add_merge(CLI::App& root, std::vector<Command>& commands) {
  struct Args {
    std::vector<std::string> states;
    std::string output;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "merge", "Merge summary states of disjoint customers (from summary --state-out) into one state");
  app->add_option("states", a->states, "State files, each of its own customers (a customer in two is an error)")
      ->required()
      ->type_name("STATE...");
  app->add_option("-o,--output", a->output, "The merged state file")->required()->type_name("STATE");
  app->footer(
      "Example: summaries of customer shards computed apart, then merged\n"
      "  crmkit summary --transactions shard1.csv --observation-end 2024-06-30 --state-out s1.state -o /dev/null\n"
      "  crmkit summary --transactions shard2.csv --observation-end 2024-06-30 --state-out s2.state -o /dev/null\n"
      "  crmkit merge s1.state s2.state -o all.state\n"
      "  crmkit summary --state-in all.state -o summary.csv");
  commands.push_back({app, [a] {
    summary::State m = summary::State::load(a->states[0]);
    for (std::size_t i = 1; i < a->states.size(); ++i) {
      const summary::State next = summary::State::load(a->states[i]);
      try {
        m = summary::State::merge(m, next);
      } catch (const InvalidArgument& e) {
        throw Error(a->states[i] + ": " + e.argument() + " " + e.value() + ": " + e.rule());
      }
    }
    m.save(a->output);
    const std::string note = "crmkit: note: merged " + std::to_string(a->states.size()) + " states: " +
                             std::to_string(m.size()) + " customers, " + std::to_string(m.rows()) +
                             " rows, observed to " + io::format_date(m.observation_end()) + "\n";
    std::fputs(note.c_str(), stderr);
  }});
}

CRMKIT_CLI_COMMAND(25, add_merge);

}  // namespace crmkit::cli
