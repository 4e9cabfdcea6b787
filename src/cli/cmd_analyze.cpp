// crmkit analyze: the end-to-end analysis — customers.csv, summary.json and a self-contained
// report.html in an output directory (crmkit::analysis; docs/report.md).
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/analysis/analysis.hpp"

namespace crmkit::cli {

namespace {

struct AnalyzeArgs {
  TransactionArgs tx;
  std::string interactions, survey, as_of, calibration_end, output, period = "week", segments = "rf-grid";
  int horizon_months = 12;
  double discount_rate = 0.01, margin = 1.0;
  bool quiet = false;
};

// Progress on stderr: a bar redrawn in place on a terminal, one line per step otherwise.
class ProgressWriter {
 public:
  explicit ProgressWriter(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO) == 1) {}
  void operator()(int step, int steps, std::string_view what) {
    if (quiet_) return;
    if (tty_) {
      constexpr int width = 24;
      const int filled = steps > 0 ? step * width / steps : width;
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.resize(width, '.');
      std::fprintf(stderr, "\r\033[Kcrmkit analyze [%s] %d/%d %.*s", bar.c_str(), step, steps,
                   static_cast<int>(what.size()), what.data());
      open_ = true;
    } else {
      std::fprintf(stderr, "crmkit analyze: step %d/%d: %.*s\n", step, steps, static_cast<int>(what.size()),
                   what.data());
    }
    std::fflush(stderr);
  }
  void line(const std::string& text) {
    if (quiet_) return;
    finish();
    std::fprintf(stderr, "crmkit analyze: %s\n", text.c_str());
  }
  void finish() {
    if (open_) std::fputs("\r\033[K", stderr);
    open_ = false;
  }

 private:
  bool quiet_, tty_;
  bool open_ = false;
};

void add_analyze(CLI::App& root, std::vector<Command>& commands) {
  auto a = std::make_shared<AnalyzeArgs>();
  CLI::App* app = root.add_subcommand(
      "analyze", "End-to-end customer analysis: writes customers.csv, summary.json and a self-contained "
                 "report.html (segments, P(alive), expected purchases, CLV, churn risk) into -o DIR");
  a->tx.add_to(*app, true);
  app->add_option("--interactions", a->interactions,
                  "Interaction table CSV: service metrics (CSAT, CES, FCR, SLA by channel; NPS when it has a score "
                  "column) in the report and service.json")
      ->type_name("FILE");
  app->add_option("--survey", a->survey, "Kano survey CSV: the Better/Worse scatter in the report, kano.json and kano.csv")
      ->type_name("FILE");
  app->add_option("--as-of", a->as_of,
                  "Last day of the observation period, inclusive (YYYY-MM-DD or YYYYMMDD; default: the day of "
                  "the last transaction); later transactions are ignored")
      ->type_name("DATE");
  app->add_option("--calibration-end", a->calibration_end,
                  "Fit the models up to this day and test them on the rest (holdout checks, churn ROC)")
      ->type_name("DATE");
  app->add_option("-o,--output", a->output, "Output directory (created when missing)")->type_name("DIR")->required();
  app->add_option("--period", a->period, "Time unit of the models: day, week or month")
      ->check(CLI::IsMember({"day", "week", "month"}))
      ->capture_default_str();
  app->add_option("--horizon-months", a->horizon_months, "Months ahead for expected purchases and CLV")
      ->check(CLI::Range(1, 1200))
      ->capture_default_str();
  app->add_option("--discount-rate", a->discount_rate, "Monthly discount rate for CLV")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app->add_option("--margin", a->margin, "Profit margin applied to spend (1 = revenue)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--segments", a->segments, "RFM segment preset: rf-grid or rfm-ranges")
      ->check(CLI::IsMember({"rf-grid", "rfm-ranges"}))
      ->capture_default_str();
  app->add_flag("-q,--quiet", a->quiet, "No progress on stderr");
  app->footer(
      "Example:\n  crmkit analyze --transactions tests/data/CDNOW_master.txt --customer-col customer_id \\\n"
      "    --date-col date --amount-col dollar_value --calibration-end 1997-09-30 -o build/demo\n"
      "Outputs are documented in docs/report.md.");

  commands.push_back({app, [a] {
    analysis::Options o;
    if (!a->as_of.empty()) o.as_of = parse_date_flag(a->as_of, "--as-of");
    if (!a->calibration_end.empty()) o.calibration_end = parse_date_flag(a->calibration_end, "--calibration-end");
    if (o.as_of && o.calibration_end && *o.calibration_end >= *o.as_of)
      throw UsageError("--calibration-end " + a->calibration_end + " must be before --as-of " + a->as_of);
    o.period = summary::parse_period(a->period);
    o.horizon_months = a->horizon_months;
    o.discount_rate = a->discount_rate;
    o.margin = a->margin;
    o.segments = a->segments;
    if (a->tx.no_amount && a->segments != "rf-grid")
      throw UsageError("--segments " + a->segments + " uses monetary scores, and --no-amount has none: use rf-grid");
    auto progress = std::make_shared<ProgressWriter>(a->quiet);
    o.progress = [progress](int step, int steps, std::string_view what) { (*progress)(step, steps + 2, what); };

    (*progress)(1, 1 + (o.calibration_end ? 7 : 6) + 1, "reading " + a->tx.path);
    const auto& table = keep_until_exit(a->tx.read());
    analysis::Inputs in;
    in.transactions = table.view();
    in.ids = &table.ids;
    in.transactions_source = a->tx.path == "-" ? std::string("standard input") : a->tx.path;
    in.interactions_path = a->interactions;
    in.survey_path = a->survey;
    // Steps after reading are numbered from 2.
    o.progress = [progress](int step, int steps, std::string_view what) { (*progress)(step + 1, steps + 2, what); };
    const auto& res = keep_until_exit(analysis::analyze(in, o));
    (*progress)(o.calibration_end ? 9 : 8, o.calibration_end ? 9 : 8, "writing " + a->output);
    const auto w = analysis::write_outputs(res, a->output);
    std::string extra;
    for (const std::string* f : {&w.kano_json, &w.kano_csv, &w.service_json})
      if (!f->empty()) {
        extra += ", ";
        extra += *f;
      }
    progress->line("wrote " + w.report_html + ", " + w.customers_csv + extra + " and " + w.summary_json);
  }});
}

}  // namespace

CRMKIT_CLI_COMMAND(10, add_analyze);

}  // namespace crmkit::cli
