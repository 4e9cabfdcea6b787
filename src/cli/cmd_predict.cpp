// crmkit predict MODEL --model FITTED.json --summary F --horizon H: per-customer expected purchases in
// the next H time units and P(alive); --what picks other columns (dert with --discount-rate,
// probability_of_n_purchases).
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "clv_common.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace crmkit::cli {

namespace {

void add_predict(CLI::App& root, std::vector<Command>& commands) {
  struct Args {
    std::string model, model_file, summary;
    double horizon = 0, discount_rate = 0;
    std::vector<std::string> what;
    OutputArgs out;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "predict", "Per-customer predictions of a fitted model: customer_id,expected_purchases,p_alive "
                 "(gg: customer_id,expected_spend; sbg: period,survival,retention_rate)");
  app->add_option("MODEL", a->model, "The model kind of the file: bgnbd, mbgnbd, pnbd, bgbb, gg or sbg")->required();
  app->add_option("--model", a->model_file, "Model file written by `crmkit fit`")->required()->type_name("FILE");
  app->add_option("--summary", a->summary, "Customer summary CSV (as for `crmkit fit`; not used by sbg)")
      ->type_name("FILE");
  app->add_option("--horizon", a->horizon, "Horizon in the summary's time unit (e.g. weeks), for expected_purchases")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--what", a->what,
                  "Columns for a transaction model, comma-separated (default expected_purchases,p_alive): "
                  "expected_purchases (in the next --horizon), p_alive, dert (discounted expected residual "
                  "transactions at --discount-rate), probability_of_n_purchases (P(X(--horizon) = frequency) for a "
                  "new customer)")
      ->delimiter(',')
      ->check(CLI::IsMember({"expected_purchases", "p_alive", "dert", "probability_of_n_purchases"}));
  app->add_option("--discount-rate", a->discount_rate,
                  "For dert: continuous discount rate per time unit of the summary (bgnbd, mbgnbd, pnbd; a monthly "
                  "rate d is ln(1+d)/4.345 per week), or the rate per transaction opportunity (bgbb)")
      ->check(CLI::PositiveNumber);
  a->out.add_to(*app);
  app->footer("Example:\n  crmkit predict bgnbd --model bgnbd.json --summary summary.csv --horizon 39\n"
              "  crmkit predict bgnbd --model bgnbd.json --summary summary.csv --what dert,p_alive "
              "--discount-rate 0.0023\n"
              "  crmkit predict bgbb --model bgbb.json --summary donations.csv --what dert --discount-rate 0.1");
  commands.push_back({app, [a] {
    const clv::Model m = read_model_file(a->model_file);
    if (m.key() != a->model && !(a->model == "bg_nbd" && m.key() == "bgnbd"))
      throw UsageError("MODEL is " + a->model + " but " + a->model_file + " holds a " + m.key() + " model");
    if (m.key() == "sbg") {  // a retention curve: period,survival,retention_rate for periods 0..horizon
      if (a->horizon < 1 || a->horizon != std::floor(a->horizon) || a->horizon > clv::kMaxSbgPeriods)
        throw UsageError("--horizon must be a whole number of periods in 1.." +
                         std::to_string(static_cast<long>(clv::kMaxSbgPeriods)) + " for sbg (found " +
                         format_number(a->horizon, Style{0}) + ")");
      // Period 0 is the start of the cohort: survival 1 and retention rate 1 (nobody has yet had a chance
      // to churn; the library defines r(0) = 1), so every row holds numbers.
      const auto n = static_cast<std::size_t>(a->horizon) + 1;
      std::vector<double> t(n), surv(n), ret(n);
      for (std::size_t i = 0; i < n; ++i) t[i] = static_cast<double>(i);
      clv::ModelData d;
      d.periods = t;
      m.predict("survival", 0, d, surv);
      m.predict("retention_rate", 0, d, ret);
      OutputTable out;
      std::vector<std::int64_t> period(n);
      for (std::size_t i = 0; i < n; ++i) period[i] = static_cast<std::int64_t>(i);
      out.add("period", std::move(period));
      out.add("survival", std::move(surv), Style{4});
      out.add("retention_rate", std::move(ret), Style{4});
      write_output(out, a->out);
      return;
    }
    if (a->summary.empty()) throw UsageError("--summary is required for a " + m.key() + " model");
    const bool spend = !m.predicts_purchases();
    if (spend && !a->what.empty()) throw UsageError("--what applies to transaction models, not " + m.key());
    std::vector<std::string> what = a->what;
    if (what.empty()) what = {"expected_purchases", "p_alive"};
    const auto wants = [&](const char* w) { return std::find(what.begin(), what.end(), w) != what.end(); };
    if (!spend && a->horizon <= 0 && (wants("expected_purchases") || wants("probability_of_n_purchases")))
      throw UsageError("--horizon is required (> 0) for expected_purchases and probability_of_n_purchases");
    if (wants("dert") && !(a->discount_rate > 0)) throw UsageError("--what dert needs --discount-rate (> 0)");
    if (m.key() == "bgbb" && (a->horizon != std::floor(a->horizon) || a->horizon > clv::kMaxBgBbPeriods))
      throw UsageError("--horizon must be a whole number of transaction opportunities in 0.." +
                       std::to_string(static_cast<long>(clv::kMaxBgBbPeriods)) + " for bgbb (found " +
                       format_number(a->horizon, Style{0}) + ")");
    const SummaryFile s = m.key() == "bgbb" ? read_discrete_file(a->summary) : read_summary_file(a->summary, !spend, spend);
    const clv::ModelData d = s.data();
    OutputTable out;
    std::vector<std::string_view> ids(s.ids.begin(), s.ids.end());
    out.add("customer_id", std::move(ids));
    const std::size_t n = s.frequency.size();
    with_rows(s, [&] {
      if (spend) {
        std::vector<double> e(n);
        m.predict("conditional_expected_spend", 0, d, e);
        out.add("expected_spend", std::move(e));
      } else {
        for (const auto& w : what) {
          std::vector<double> v(n);
          if (w == "expected_purchases")
            m.predict("conditional_expected_purchases", a->horizon, d, v);
          else if (w == "p_alive")
            m.predict("p_alive", 0, d, v);
          else if (w == "dert")
            m.predict("dert", a->discount_rate, d, v);
          else
            m.predict("probability_of_n_purchases", a->horizon, d, v);
          out.add(w, std::move(v), Style{4});
        }
      }
    });
    write_output(out, a->out);
  }});
}

}  // namespace

CRMKIT_CLI_COMMAND(50, add_predict);

}  // namespace crmkit::cli
