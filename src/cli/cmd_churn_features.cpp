// crmkit churn features: churn indicators at a cutoff from a transaction log (and optionally an
// interaction log), with the churned label from the horizon after it — a training table for
// `crmkit churn train`. docs/models/churn_indicators.md.
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/churn/indicators.hpp"
#include "crmkit/io/interactions.hpp"

namespace crmkit::cli {

namespace {

struct FeaturesArgs {
  TransactionArgs tx;
  OutputArgs out;
  std::string interactions, i_customer_col, i_date_col, cutoff, complaint_kinds = "complaint";
  std::int64_t horizon_days = 0, recent_days = 90;
  double low_csat = 4;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto b = item.find_first_not_of(' ');
    const auto e = item.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

void run(const FeaturesArgs& a) {
  churn::IndicatorOptions o;
  o.cutoff = parse_date_flag(a.cutoff, "--cutoff");
  o.horizon_days = a.horizon_days;
  o.recent_days = a.recent_days;
  o.low_csat = a.low_csat;
  o.complaint_kinds = split(a.complaint_kinds);

  const auto& tx = keep_until_exit(a.tx.read());
  std::optional<core::InteractionTable> in;
  core::InteractionsView iv;
  if (!a.interactions.empty()) {
    io::InteractionReadOptions io_opts;
    io_opts.customer = a.i_customer_col;
    io_opts.time = a.i_date_col;
    in = io::read_interactions(a.interactions, io_opts, &tx.ids);
    iv = in->view();
  }
  const auto& t = keep_until_exit(churn::churn_indicators(tx.view(), o, in ? &iv : nullptr));
  if (t.rows() == 0) warn("no customer has a purchase on or before the cutoff");

  OutputTable out;
  out.add("customer_id", customer_ids(tx, t.customer));
  Style s{};
  s.decimals = 4;
  for (std::size_t j = 0; j < t.names.size(); ++j) out.add(t.names[j], t.columns[j], s);
  if (!t.churned.empty()) {
    std::vector<std::int64_t> label(t.churned.begin(), t.churned.end());
    out.add("churned", std::move(label));
  }
  write_output(out, a.out);
}

}  // namespace

static void add_churn_features(CLI::App& root, std::vector<Command>& commands) {
  CLI::App& group = subcommand_group(root, "churn", "Churn: indicators from transactions, models and scores");
  auto a = std::make_shared<FeaturesArgs>();
  CLI::App* app = group.add_subcommand(
      "features",
      "Churn indicators at a cutoff, one row per customer with a purchase on or before it: customer_id, "
      "recency_days, frequency, monetary, tenure_days, purchase_trend, gap_mean_days, gap_sd_days, gap_ratio, "
      "gap_z (+ with --interactions: days_since_interaction, interactions, complaints, csat_mean, csat_last, "
      "low_csat_streak, fcr_share, response_minutes_mean), churned (1 = no purchase in (cutoff, cutoff + "
      "horizon]). Indicators read only days <= cutoff (docs/models/churn_indicators.md)");
  a->tx.add_to(*app, true);
  app->add_option("--interactions", a->interactions,
                  "Interaction log (CSV: customer, date, channel, kind, csat, first_response_minutes, "
                  "resolved_first_contact; docs/data-formats.md)")
      ->type_name("FILE");
  app->add_option("--interactions-customer-col", a->i_customer_col,
                  "Customer column of the interaction log (default: customer_id, customer, id, ...)")
      ->type_name("COL");
  app->add_option("--interactions-date-col", a->i_date_col,
                  "Date column of the interaction log (default: date, time, timestamp, ...)")
      ->type_name("COL");
  app->add_option("--cutoff", a->cutoff, "Last day observed, inclusive (YYYY-MM-DD or YYYYMMDD)")
      ->required()
      ->type_name("DATE");
  app->add_option("--horizon-days", a->horizon_days,
                  "Label window length: churned = no purchase in (cutoff, cutoff + N days]; it must end on or "
                  "before the last transaction day. 0 = no label (a table to score)")
      ->required()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{100000}))
      ->type_name("N");
  app->add_option("--recent-days", a->recent_days, "Recent window of purchase_trend: (cutoff - N, cutoff]")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}))
      ->capture_default_str();
  app->add_option("--low-csat", a->low_csat, "A CSAT answer below this is low (low_csat_streak)")
      ->capture_default_str();
  app->add_option("--complaint-kinds", a->complaint_kinds, "Interaction kinds counted as complaints (comma-separated)")
      ->capture_default_str();
  a->out.add_to(*app);
  app->footer(
      "Example:\n  crmkit churn features --transactions CDNOW_master.txt --amount-col dollar_value \\\n"
      "    --cutoff 1997-09-30 --horizon-days 180 -o train.csv\n"
      "  crmkit churn train --data train.csv --label churned --id-col customer_id --standardize --cv 5");
  commands.push_back({app, [a] { run(*a); }});
}

CRMKIT_CLI_COMMAND(65, add_churn_features);

}  // namespace crmkit::cli
