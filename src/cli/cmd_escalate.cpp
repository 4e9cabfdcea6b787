// crmkit escalate: escalation rules (defaults or a rules file) over an interaction log, into the
// customers to escalate with the rule that fired and when. docs/models/escalation.md.
#include <memory>
#include <optional>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/churn/escalation.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/io/interactions.hpp"

namespace crmkit::cli {

static void add_escalate(CLI::App& root, std::vector<Command>& commands) {
  struct Args {
    std::string interactions, rules, as_of, customer_col, date_col;
    OutputArgs out;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "escalate",
      "Customers to escalate: customer_id,rule,date,channel,matched,firings — one row per customer and rule "
      "that fired (date and channel of the first interaction where it held; matched = interactions in that "
      "run; firings = interactions where it held). Default rules: low_csat_streak (CSAT < 4 on 2 "
      "consecutive answers) and repeat_complaints (>= 2 complaints on one channel within 30 days)");
  app->add_option("--interactions", a->interactions, "Interaction log (docs/data-formats.md)")->required()->type_name("FILE");
  app->add_option("--rules", a->rules,
                  "Rules CSV: name,type,count,csat_below,kind,window_days,per (docs/models/escalation.md)")
      ->type_name("FILE");
  app->add_option("--as-of", a->as_of, "Ignore interactions after this day (YYYY-MM-DD)")->type_name("DATE");
  app->add_option("--customer-col", a->customer_col, "Customer column (default: customer_id, customer, id, ...)")
      ->type_name("COL");
  app->add_option("--date-col", a->date_col, "Date column (default: date, time, timestamp, ...)")->type_name("COL");
  a->out.add_to(*app);
  app->footer("Example:\n  crmkit escalate --interactions interactions.csv --rules rules.csv --format table");
  commands.push_back({app, [a] {
    std::optional<std::int64_t> as_of;
    if (!a->as_of.empty()) as_of = parse_date_flag(a->as_of, "--as-of");
    const auto rules = a->rules.empty() ? churn::default_escalation_rules() : churn::read_escalation_rules(a->rules);
    io::InteractionReadOptions o;
    o.customer = a->customer_col;
    o.time = a->date_col;
    const auto& in = keep_until_exit(io::read_interactions(a->interactions, o));
    const auto e = churn::escalate(in.view(), rules, as_of);
    std::vector<std::string_view> ids, rule, channel;
    std::vector<std::string> dates;
    std::vector<std::int64_t> matched, firings;
    for (const auto& x : e) {
      ids.push_back(in.ids.decode(x.customer));
      rule.push_back(rules[x.rule].name);
      channel.push_back(in.channel.empty() ? std::string_view() : std::string_view(in.channel_names[x.channel]));
      dates.push_back(io::format_date(x.time));
      matched.push_back(x.matched);
      firings.push_back(x.firings);
    }
    const auto& kept_rules = keep_until_exit(std::vector<churn::EscalationRule>(rules));
    for (std::size_t i = 0; i < e.size(); ++i) rule[i] = kept_rules[e[i].rule].name;
    const auto& kept_dates = keep_until_exit(std::move(dates));
    std::vector<std::string_view> date_views(kept_dates.begin(), kept_dates.end());
    OutputTable out;
    out.add("customer_id", std::move(ids));
    out.add("rule", std::move(rule));
    out.add("date", std::move(date_views));
    out.add("channel", std::move(channel));
    out.add("matched", std::move(matched));
    out.add("firings", std::move(firings));
    write_output(out, a->out);
  }});
}

CRMKIT_CLI_COMMAND(80, add_escalate);

}  // namespace crmkit::cli
