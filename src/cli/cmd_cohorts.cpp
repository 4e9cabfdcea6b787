// crmkit cohorts: cohort retention by the month (quarter, week) of each customer's first purchase
// (docs/models/cohorts.md).
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "clv_common.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "crmkit/churn/cohorts.hpp"

namespace crmkit::cli {

static void add_cohorts(CLI::App& root, std::vector<Command>& commands) {
  struct Args {
    TransactionArgs tx;
    OutputArgs out;
    std::string period = "month", wide;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "cohorts",
      "Cohort retention: customers grouped by the month of their first purchase, with the customers active "
      "and the revenue k months later");
  a->tx.add_to(*app, true);
  app->add_option("--period", a->period, "Cohort and offset period: month, quarter or week (Monday to Sunday)")
      ->check(CLI::IsMember({"month", "quarter", "week"}))
      ->capture_default_str();
  app->add_option("--wide", a->wide,
                  "Output one matrix row per cohort (cohort,cohort_size,0,1,2,...) of customers, retention or "
                  "revenue instead of the long table; cells after the log's end are empty")
      ->check(CLI::IsMember({"customers", "retention", "revenue"}));
  a->out.add_to(*app);
  app->footer(
      "Example:\n  crmkit cohorts --transactions CDNOW_master.txt --wide retention --format table\n"
      "Columns (csv/table), one row per cohort and observed offset:\n"
      "  cohort        the cohort's period: 1997-01 (month), 1997-Q1 (quarter), or its Monday 1997-01-06 (week)\n"
      "  period        k = periods since the cohort's period (0 = the first purchase's period)\n"
      "  cohort_size   customers whose first purchase is in the cohort's period\n"
      "  customers     of those, customers with at least one purchase in period k\n"
      "  retention     customers / cohort_size (nan for an empty cohort)\n"
      "  revenue       sum of the amounts of their purchases in period k\n"
      "JSON: {period, n_cohorts, n_offsets, cohorts: [{cohort, start, size, active, retention, revenue}]},\n"
      "  arrays over the observed offsets 0, 1, ...");

  commands.push_back({app, [a] {
    const churn::CohortPeriod period = churn::parse_cohort_period(a->period);
    if (a->tx.no_amount && a->wide == "revenue") throw UsageError("--wide revenue needs amounts, and --no-amount has none");
    const auto& table = keep_until_exit(a->tx.read());
    const churn::CohortTable t = churn::cohort_retention(table.view(), period);
    if (a->out.format == "json") {
      write_text(churn::to_json(t) + "\n", a->out.output);
      return;
    }
    OutputTable out;
    if (!a->wide.empty()) {
      out.add("cohort", std::vector<std::string_view>(t.cohort_label.begin(), t.cohort_label.end()));
      out.add("cohort_size", t.size);
      for (std::size_t k = 0; k < t.n_offsets; ++k) {
        std::vector<double> col(t.n_cohorts);
        for (std::size_t c = 0; c < t.n_cohorts; ++c) {
          const std::size_t cell = c * t.n_offsets + k;
          if (!t.observed[cell]) col[c] = std::nan("");
          else if (a->wide == "customers") col[c] = static_cast<double>(t.active[cell]);
          else if (a->wide == "retention") col[c] = t.retention[cell];
          else col[c] = t.revenue[cell];
        }
        Style s{a->wide == "customers" ? 0 : 2, a->wide == "retention"};
        s.nan_text = "";
        out.add(std::to_string(k), std::move(col), s);
      }
    } else {
      std::vector<std::string_view> cohort;
      std::vector<std::int64_t> period_k, size, customers;
      std::vector<double> retention, revenue;
      for (std::size_t c = 0; c < t.n_cohorts; ++c)
        for (std::size_t k = 0; k < t.n_offsets; ++k) {
          const std::size_t cell = c * t.n_offsets + k;
          if (!t.observed[cell]) break;
          cohort.push_back(t.cohort_label[c]);
          period_k.push_back(static_cast<std::int64_t>(k));
          size.push_back(t.size[c]);
          customers.push_back(t.active[cell]);
          retention.push_back(t.retention[cell]);
          revenue.push_back(t.revenue[cell]);
        }
      out.add("cohort", std::move(cohort));
      out.add("period", std::move(period_k));
      out.add("cohort_size", std::move(size));
      out.add("customers", std::move(customers));
      out.add("retention", std::move(retention), Style{2, true});
      if (!table.amount.empty()) out.add("revenue", std::move(revenue));  // --no-amount: no revenue column
    }
    write_output(out, a->out);
  }});
}

CRMKIT_CLI_COMMAND(76, add_cohorts);

}  // namespace crmkit::cli
