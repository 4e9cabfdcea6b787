// crmkit summary: per-customer frequency, recency, T and monetary value (lifetimes' column names), with
// optional calibration / holdout split.
#include <algorithm>
#include <limits>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/summary/summary.hpp"

namespace crmkit::cli {

static void add_summary(CLI::App& root, std::vector<Command>& commands) {
  struct Args {
    TransactionArgs tx;
    OutputArgs out;
    std::string period = "day", observation_end, calibration_end;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "summary",
      "Per-customer summary: customer_id,frequency,recency,T,monetary_value "
      "(+ frequency_holdout,duration_holdout,monetary_value_holdout with --calibration-end)");
  a->tx.add_to(*app, true);
  app->add_option("--period", a->period, "Unit of recency, T and duration_holdout: day, week (7 days) or "
                                         "month (30.4375 days)")
      ->check(CLI::IsMember({"day", "week", "month"}))
      ->capture_default_str();
  app->add_option("--observation-end", a->observation_end,
                  "Last day observed, inclusive (YYYY-MM-DD or YYYYMMDD); later transactions are ignored "
                  "(default: the last transaction's day)")
      ->type_name("DATE");
  app->add_option("--calibration-end", a->calibration_end,
                  "Last day of the calibration period, inclusive: the summary covers the calibration "
                  "period and holdout columns describe (DATE, observation end]")
      ->type_name("DATE");
  a->out.add_to(*app);
  app->footer(
      "Example:\n  crmkit summary --transactions orders.csv --customer-col customer_id --date-col date \\\n"
      "    --amount-col amount --period week --calibration-end 1997-09-30 --observation-end 1998-06-30");

  commands.push_back({app, [a] {
    // Options first, so a bad flag is a usage error whatever the data.
    summary::SummaryOptions so;
    so.period = summary::parse_period(a->period);
    if (!a->observation_end.empty()) so.observation_end = parse_date_flag(a->observation_end, "--observation-end");
    std::optional<std::int64_t> cal;
    if (!a->calibration_end.empty()) cal = parse_date_flag(a->calibration_end, "--calibration-end");
    if (cal && so.observation_end && *cal >= *so.observation_end)
      throw UsageError("--calibration-end " + a->calibration_end + " must be before --observation-end " +
                       a->observation_end);

    const auto& table = keep_until_exit(a->tx.read());
    if (cal && !so.observation_end) {
      // The observation end defaults to the last transaction's day: check the split against it here,
      // so the message speaks in dates and flags.
      std::int64_t last = std::numeric_limits<std::int64_t>::min();
      for (std::int64_t t : table.time) last = std::max(last, core::to_day(t, table.time_unit));
      if (*cal >= last)
        throw UsageError("--calibration-end " + a->calibration_end + " must be before the observation end " +
                         io::format_date(last) + " (the last transaction's day; see --observation-end)");
    }
    std::optional<summary::HoldoutSummary> h;
    summary::CustomerSummary s;
    if (cal) h = summary::summarize_holdout(table.view(), *cal, so);
    else s = summary::summarize(table.view(), so);
    const summary::CustomerSummary& c = h ? h->calibration : s;
    if (c.size() == 0) warn("no customer has a transaction in the period summarised");

    const Style days{so.period == summary::Period::Day ? 0 : 2};
    OutputTable out;
    out.add("customer_id", customer_ids(table, c.customer));
    out.add("frequency", c.frequency, Style{0});
    out.add("recency", c.recency, days);
    out.add("T", c.T, days);
    const bool amounts = !table.amount.empty();  // --no-amount: no spend columns
    if (amounts) out.add("monetary_value", c.monetary_value);
    if (h) {
      out.add("frequency_holdout", h->frequency_holdout, Style{0});
      out.add("duration_holdout", std::vector<double>(c.size(), h->duration_holdout), days);
      if (amounts) out.add("monetary_value_holdout", h->monetary_holdout);
    }
    write_output(out, a->out);
  }});
}

CRMKIT_CLI_COMMAND(20, add_summary);

}  // namespace crmkit::cli
