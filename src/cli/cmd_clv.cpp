// crmkit clv: per-customer lifetime value = margin x Gamma-Gamma expected spend x discounted expected
// purchases of a BG/NBD, MBG/NBD or Pareto/NBD model: month by month as lifetimes' customer_lifetime_value
// does (--method monthly, the default) or continuously discounted without a horizon (--method dert).
#include <cmath>
#include <memory>
#include <optional>
#include <string>

#include "clv_common.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "crmkit/summary/summary.hpp"

namespace crmkit::cli {

namespace {

void add_clv(CLI::App& root, std::vector<Command>& commands) {
  struct Args {
    TransactionArgs tx;
    std::string summary, model_type = "bgnbd", transaction_model, spend_model, period = "day", method = "monthly",
        zero_spend = "skip";
    int months = 12;
    double discount_rate = 0.01, margin = 1.0, penalizer = 0.0;
    OutputArgs out;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "clv", "Customer lifetime value: customer_id,clv,expected_purchases,expected_spend,p_alive (a BG/NBD, "
             "MBG/NBD or Pareto/NBD transaction model and a Gamma-Gamma spend model, fitted to the data unless given)");
  a->tx.add_to(*app);
  app->get_option("--transactions")->required(false);
  app->add_option("--summary", a->summary, "Customer summary CSV instead of --transactions (as for `crmkit fit`; "
                                           "needs frequency, recency, T and monetary_value)")
      ->type_name("FILE");
  app->add_option("--horizon-months", a->months, "Months of future value (--method monthly), 1..6000 (500 years)")
      ->check(CLI::Range(1, clv::kMaxClvMonths))
      ->capture_default_str();
  app->add_option("--discount-rate", a->discount_rate, "Monthly discount rate (lifetimes' discount_rate; > 0 for "
                                                       "--method dert)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app->add_option("--method", a->method, "monthly: lifetimes' recipe, purchases of month i discounted by (1+d)^-i over "
                                         "--horizon-months; dert: every future purchase discounted continuously at "
                                         "ln(1+d) per month, no horizon (docs/models/clv.md)")
      ->check(CLI::IsMember({"monthly", "dert"}))
      ->capture_default_str();
  app->add_option("--margin", a->margin, "Profit margin applied to spend (1 = revenue)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--model-type", a->model_type, "Transaction model to fit: bgnbd (BG/NBD), pnbd (Pareto/NBD) or "
                                                 "mbgnbd (MBG/NBD)")
      ->check(CLI::IsMember({"bgnbd", "pnbd", "mbgnbd"}))
      ->capture_default_str();
  app->add_option("--transaction-model", a->transaction_model, "A fitted transaction model file (`crmkit fit`) "
                                                               "instead of fitting one")
      ->type_name("FILE");
  app->add_option("--spend-model", a->spend_model, "A fitted Gamma-Gamma model file instead of fitting one")->type_name("FILE");
  app->add_option("--period", a->period, "Time unit of recency and T: day, week or month (lifetimes' freq D, W, M: "
                                         "30, 4.345 or 1 per month)")
      ->check(CLI::IsMember({"day", "week", "month"}))
      ->capture_default_str();
  app->add_option("--penalizer", a->penalizer, "L2 penalizer for the fits")->check(CLI::NonNegativeNumber);
  app->add_option("--zero-spend", a->zero_spend,
                  "Repeat buyers whose mean spend is 0, in the spend model fit: skip (left out of the fit and "
                  "counted in a warning; they still get a prediction) or error (refuse the data, naming the first)")
      ->check(CLI::IsMember({"skip", "error"}))
      ->capture_default_str();
  a->out.add_to(*app);
  app->footer(
      "Example:\n  crmkit clv --transactions orders.csv --horizon-months 12 --discount-rate 0.01 --margin 0.3\n"
      "  crmkit clv --summary summary.csv --period week --horizon-months 12 --discount-rate 0.01\n"
      "  crmkit clv --summary summary.csv --period week --model-type pnbd --horizon-months 12\n"
      "  crmkit clv --summary summary.csv --period week --method dert --discount-rate 0.01");
  commands.push_back({app, [a] {
    if (a->tx.path.empty() == a->summary.empty())
      throw UsageError("give exactly one of --transactions and --summary");
    const double per_month = a->period == "day" ? 30.0 : a->period == "week" ? 4.345 : 1.0;
    SummaryFile s;
    if (!a->summary.empty()) {
      s = read_summary_file(a->summary, true, true);
    } else {
      summary::SummaryOptions so;
      so.period = summary::parse_period(a->period);
      const auto& table = keep_until_exit(a->tx.read());
      auto c = summary::summarize(table.view(), so);
      const auto ids = customer_ids(table, c.customer);
      s.ids.assign(ids.begin(), ids.end());
      s.frequency = std::move(c.frequency);
      s.recency = std::move(c.recency);
      s.T = std::move(c.T);
      s.monetary_value = std::move(c.monetary_value);
    }
    const clv::ModelData d = s.data();
    core::FitOptions fo;
    fo.penalizer = a->penalizer;
    std::optional<clv::Model> tm_fit, sm_fit;
    if (a->transaction_model.empty())
      with_rows(s, [&] { tm_fit = clv::Model::fit(a->model_type, d, fo); });
    else
      tm_fit = read_model_file(a->transaction_model);
    const clv::Model& tm = *tm_fit;
    if (!tm.predicts_purchases())
      throw UsageError("--transaction-model " + a->transaction_model + " holds a " + tm.key() + " model, not a transaction model");
    // The spend fit needs a positive mean spend: repeat buyers whose purchases were all free are skipped
    // and counted by the library (--zero-spend skip; they still get a prediction, shrunk from 0 towards
    // the population mean) or refused (--zero-spend error).
    if (a->spend_model.empty()) {
      const auto policy = a->zero_spend == "error" ? clv::ZeroSpend::Error : clv::ZeroSpend::Skip;
      with_rows(s, [&] { sm_fit = clv::Model::fit("gg", d, fo, policy); });
      const double left_out = sm_fit->info().n_zero_spend_skipped;
      if (left_out > 0)
        warn(format_number(left_out, Style{std::floor(left_out) == left_out ? 0 : 2}) +
             " repeat buyer(s) with a mean spend of 0 left out of the spend model fit (--zero-spend error refuses them)");
    } else {
      sm_fit = read_model_file(a->spend_model);
    }
    const clv::Model& sm = *sm_fit;
    if (sm.key() != "gg") throw UsageError("--spend-model " + a->spend_model + " holds a " + sm.key() + " model, not gg");
    if (!tm.info().converged() && tm.info().fitted) warn("the transaction model fit did not converge");
    if (!sm.info().converged() && sm.info().fitted) warn("the spend model fit did not converge");
    const double r = clv::frequency_spend_correlation(d.frequency, d.monetary_value, d.weights);
    if (std::abs(r) > 0.3)
      warn("frequency and spend are correlated (r = " + format_number(r, Style{2}) +
           "); the Gamma-Gamma model assumes they are independent");

    const std::size_t n = s.frequency.size();
    clv::ClvOptions co;
    co.months = a->months;
    co.discount_rate = a->discount_rate;
    co.margin = a->margin;
    co.periods_per_month = per_month;
    co.method = a->method == "dert" ? clv::ClvMethod::Dert : clv::ClvMethod::Monthly;
    if (co.method == clv::ClvMethod::Dert && !(a->discount_rate > 0))
      throw UsageError("--method dert needs --discount-rate > 0");
    std::vector<double> value(n), purchases(n), spend(n), alive(n);
    with_rows(s, [&] {
      clv::customer_lifetime_value(tm, sm, d, co, value);
      tm.predict("conditional_expected_purchases", a->months * per_month, d, purchases);
      sm.predict("conditional_expected_spend", 0, d, spend);
      tm.predict("p_alive", 0, d, alive);
    });
    OutputTable out;
    std::vector<std::string_view> ids(s.ids.begin(), s.ids.end());
    out.add("customer_id", std::move(ids));
    out.add("clv", std::move(value));
    out.add("expected_purchases", std::move(purchases), Style{4});
    out.add("expected_spend", std::move(spend));
    out.add("p_alive", std::move(alive), Style{4});
    write_output(out, a->out);
  }});
}

}  // namespace

CRMKIT_CLI_COMMAND(60, add_clv);

}  // namespace crmkit::cli
