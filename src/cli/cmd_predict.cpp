// crmkit predict MODEL --model FITTED.json --summary F --horizon H: per-customer expected purchases in
// the next H time units and P(alive).
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
    double horizon = 0;
    OutputArgs out;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "predict", "Per-customer predictions of a fitted model: customer_id,expected_purchases,p_alive "
                 "(gg: customer_id,expected_spend)");
  app->add_option("MODEL", a->model, "The model kind of the file: bgnbd or gg")->required();
  app->add_option("--model", a->model_file, "Model file written by `crmkit fit`")->required()->type_name("FILE");
  app->add_option("--summary", a->summary, "Customer summary CSV (as for `crmkit fit`)")->required()->type_name("FILE");
  app->add_option("--horizon", a->horizon, "Horizon in the summary's time unit (e.g. weeks), for expected_purchases")
      ->check(CLI::NonNegativeNumber);
  a->out.add_to(*app);
  app->footer("Example:\n  crmkit predict bgnbd --model bgnbd.json --summary summary.csv --horizon 39");
  commands.push_back({app, [a] {
    const clv::Model m = read_model_file(a->model_file);
    if (m.key() != a->model && !(a->model == "bg_nbd" && m.key() == "bgnbd"))
      throw UsageError("MODEL is " + a->model + " but " + a->model_file + " holds a " + m.key() + " model");
    const bool spend = !m.predicts_purchases();
    if (!spend && a->horizon <= 0) throw UsageError("--horizon is required (> 0) for a transaction model");
    const SummaryFile s = read_summary_file(a->summary, !spend, spend);
    const clv::ModelData d = s.data();
    OutputTable out;
    std::vector<std::string_view> ids(s.ids.begin(), s.ids.end());
    out.add("customer_id", std::move(ids));
    const std::size_t n = s.frequency.size();
    if (spend) {
      std::vector<double> e(n);
      m.predict("conditional_expected_spend", 0, d, e);
      out.add("expected_spend", std::move(e));
    } else {
      std::vector<double> e(n), p(n);
      m.predict("conditional_expected_purchases", a->horizon, d, e);
      m.predict("p_alive", 0, d, p);
      out.add("expected_purchases", std::move(e), Style{4});
      out.add("p_alive", std::move(p), Style{4});
    }
    write_output(out, a->out);
  }});
}

}  // namespace

CRMKIT_CLI_COMMAND(50, add_predict);

}  // namespace crmkit::cli
