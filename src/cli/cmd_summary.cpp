// crmkit summary: per-customer frequency, recency, T and monetary value (lifetimes' column names).
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/summary/summary.hpp"

namespace crmkit::cli {

void add_summary(CLI::App& root, std::vector<Command>& commands) {
  struct Args {
    TransactionArgs tx;
    OutputArgs out;
    std::string period = "day", observation_end, calibration_end;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "summary", "Per-customer summary: customer_id,frequency,recency,T,monetary_value "
                 "(+ frequency_holdout,duration_holdout,monetary_value_holdout with --calibration-end)");
  a->tx.add_to(*app);
  app->add_option("--period", a->period, "Unit of recency and T: day, week (7 days) or month (30.4375 days)")
      ->check(CLI::IsMember({"day", "week", "month"}))
      ->capture_default_str();
  app->add_option("--observation-end", a->observation_end,
                  "Last day observed, inclusive (YYYY-MM-DD or YYYYMMDD); default: the last transaction's day");
  app->add_option("--calibration-end", a->calibration_end,
                  "Split at this day (inclusive): calibration summary plus holdout columns");
  a->out.add_to(*app);
  commands.push_back({app, [a] {
    const auto table = a->tx.read();
    summary::SummaryOptions so;
    so.period = summary::parse_period(a->period);
    if (!a->observation_end.empty()) so.observation_end = parse_date_flag(a->observation_end, "--observation-end");
    std::optional<summary::HoldoutSummary> h;
    summary::CustomerSummary s;
    if (!a->calibration_end.empty()) {
      h = summary::summarize_holdout(table.view(), parse_date_flag(a->calibration_end, "--calibration-end"), so);
    } else {
      s = summary::summarize(table.view(), so);
    }
    const summary::CustomerSummary& c = h ? h->calibration : s;
    std::vector<std::string> ids;
    ids.reserve(c.size());
    for (auto code : c.customer) ids.push_back(table.ids.decode(code));
    std::vector<Column> cols;
    cols.push_back({"customer_id", std::move(ids)});
    cols.push_back({"frequency", c.frequency, 0});
    cols.push_back({"recency", c.recency});
    cols.push_back({"T", c.T});
    cols.push_back({"monetary_value", c.monetary_value});
    if (h) {
      cols.push_back({"frequency_holdout", h->frequency_holdout, 0});
      cols.push_back({"duration_holdout", std::vector<double>(c.size(), h->duration_holdout)});
      cols.push_back({"monetary_value_holdout", h->monetary_holdout});
    }
    write_table(cols, a->out);
  }});
}

}  // namespace crmkit::cli
