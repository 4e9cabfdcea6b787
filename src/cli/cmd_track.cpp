// crmkit track MODEL --model FITTED.json --transactions F: per period, the cohort's actual and expected
// cumulative and incremental repeat transactions (a tracking plot's data; Fader, Hardie & Lee 2005, Figure 2).
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clv_common.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "crmkit/clv/tracking.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/summary/summary.hpp"

namespace crmkit::cli {

namespace {

void add_track(CLI::App& root, std::vector<Command>& commands) {
  struct Args {
    std::string model, model_file, period = "day", calibration_end, observation_end;
    TransactionArgs tx;
    OutputArgs out;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "track",
      "Tracking against a transaction log: per period, period,date,actual_cumulative,predicted_cumulative,"
      "actual_incremental,predicted_incremental repeat transactions of the cohort (bgnbd, mbgnbd, pnbd)");
  app->add_option("MODEL", a->model, "The model kind of the file: bgnbd, mbgnbd or pnbd")->required();
  app->add_option("--model", a->model_file, "Model file written by `crmkit fit`")->required()->type_name("FILE");
  a->tx.add_to(*app, true);
  app->add_option("--period", a->period,
                  "The model's time unit and the tracking period: day, week (7 days) or month (30.4375 days); "
                  "periods start on the cohort's first purchase day")
      ->check(CLI::IsMember({"day", "week", "month"}))
      ->capture_default_str();
  app->add_option("--calibration-end", a->calibration_end,
                  "Last day of the calibration period, inclusive: the cohort is the customers whose first "
                  "purchase is on or before it (default: every customer)")
      ->type_name("DATE");
  app->add_option("--observation-end", a->observation_end,
                  "Last day observed, inclusive (YYYY-MM-DD or YYYYMMDD); later transactions are ignored and "
                  "only periods complete by then are printed (default: the last transaction's day)")
      ->type_name("DATE");
  a->out.add_to(*app);
  app->footer(
      "Repeat transactions are purchase days after a customer's first (same-day purchases merged), as in\n"
      "`crmkit summary`; the prediction at a period's last day sums E[X(age)] over the cohort, age being the\n"
      "summary's T at that day.\n\n"
      "Example:\n"
      "  crmkit summary --transactions orders.csv --period week --calibration-end 1997-09-30 > cal.csv\n"
      "  crmkit fit bgnbd --summary cal.csv > bgnbd.json\n"
      "  crmkit track bgnbd --model bgnbd.json --transactions orders.csv --period week \\\n"
      "    --calibration-end 1997-09-30 --observation-end 1998-06-30");

  commands.push_back({app, [a] {
    clv::TrackingOptions o;
    o.period = summary::parse_period(a->period);
    if (!a->observation_end.empty()) o.observation_end = parse_date_flag(a->observation_end, "--observation-end");
    if (!a->calibration_end.empty()) o.calibration_end = parse_date_flag(a->calibration_end, "--calibration-end");
    if (o.calibration_end && o.observation_end && *o.calibration_end >= *o.observation_end)
      throw UsageError("--calibration-end " + a->calibration_end + " must be before --observation-end " +
                       a->observation_end);
    const clv::Model m = read_model_file(a->model_file);
    if (m.key() != a->model && !(a->model == "bg_nbd" && m.key() == "bgnbd") &&
        !(a->model == "mbg_nbd" && m.key() == "mbgnbd") && !(a->model == "pareto_nbd" && m.key() == "pnbd"))
      throw UsageError("MODEL is " + a->model + " but " + a->model_file + " holds a " + m.key() + " model");
    if (m.key() != "bgnbd" && m.key() != "mbgnbd" && m.key() != "pnbd")
      throw UsageError("track needs a continuous-time transaction model (bgnbd, mbgnbd or pnbd); " + a->model_file +
                       " holds a " + m.key() + " model");

    const auto& table = keep_until_exit(a->tx.read());
    if (o.calibration_end && !o.observation_end) {
      std::int64_t last = std::numeric_limits<std::int64_t>::min();
      for (std::int64_t t : table.time) last = std::max(last, core::to_day(t, table.time_unit));
      if (*o.calibration_end >= last)
        throw UsageError("--calibration-end " + a->calibration_end + " must be before the observation end " +
                         io::format_date(last) + " (the last transaction's day; see --observation-end)");
    }
    clv::Tracking t;
    try {
      t = clv::track(m, table.view(), o);
    } catch (const InvalidArgument& e) {
      if (e.argument() != "observation_end" || e.rule().find("at most") == std::string::npos) throw;
      // Too many periods: from the flag a usage error; from the data (the last transaction's day) a data
      // error naming that transaction's customer and date.
      if (o.observation_end) throw UsageError("--observation-end " + a->observation_end + ": " + e.rule());
      std::size_t at = 0;
      std::int64_t last = std::numeric_limits<std::int64_t>::min();
      for (std::size_t r = 0; r < table.time.size(); ++r) {
        const std::int64_t d = core::to_day(table.time[r], table.time_unit);
        if (d > last) {
          last = d;
          at = r;
        }
      }
      const std::uint32_t code = table.customer[at];
      const auto id = customer_ids(table, std::span<const std::uint32_t>(&code, 1));
      throw InvalidArgument(a->tx.path + ": the last transaction (customer '" + std::string(id[0]) + "', " +
                                io::format_date(last) + ")",
                            "observation_end", e.value(), e.rule() + "; or pass --observation-end");
    }

    std::vector<std::string> date_text(t.size());
    for (std::size_t k = 0; k < t.size(); ++k) date_text[k] = io::format_date(t.date[k]);
    const auto& dates = keep_until_exit(std::move(date_text));
    std::vector<std::string_view> date_views(dates.begin(), dates.end());
    OutputTable out;
    out.add("period", t.period);
    out.add("date", std::move(date_views));
    out.add("actual_cumulative", t.actual_cumulative, Style{0});
    out.add("predicted_cumulative", t.predicted_cumulative, Style{1});
    out.add("actual_incremental", t.actual_incremental, Style{0});
    out.add("predicted_incremental", t.predicted_incremental, Style{1});
    write_output(out, a->out);
  }});
}

}  // namespace

CRMKIT_CLI_COMMAND(55, add_track);

}  // namespace crmkit::cli
