// crmkit fit MODEL --summary F: maximum-likelihood fit of a CLV model; prints the model as JSON, which
// is also the model file `crmkit predict` and `crmkit clv` read.
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "clv_common.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace crmkit::cli {

namespace {

// What a fit's "limit" means, for people.
std::string limit_text(const std::string& limit) {
  if (limit == "nbd")
    return "no dropout: the likelihood is highest in the Pareto/NBD's limit s/beta -> 0, purchases NBD(r, alpha), "
           "P(alive) = 1; s = 0 marks it and beta has no effect";
  return "a limiting case of the model";
}

std::string fit_table(const clv::Model& m) {
  std::string s = m.title() + " fit\n";
  const auto names = m.param_names();
  const auto values = m.param_values();
  const auto& info = m.info();
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %-10s %14s %14s\n", "parameter", "estimate", "std_error");
  s += buf;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const double se = i < info.std_errors.size() ? info.std_errors[i] : std::nan("");
    if (std::isfinite(se))
      std::snprintf(buf, sizeof buf, "  %-10s %14.6g %14.6g\n", names[i].c_str(), values[i], se);
    else
      std::snprintf(buf, sizeof buf, "  %-10s %14.6g %14s\n", names[i].c_str(), values[i], "-");
    s += buf;
  }
  std::snprintf(buf, sizeof buf, "  log_likelihood %.6f, %s after %d iterations, %g customers\n", info.log_likelihood,
                core::fit_status_name(info.status), info.iterations, info.n_customers);
  s += buf;
  if (!info.limit.empty()) s += "  limit: " + info.limit + " (" + limit_text(info.limit) + ")\n";
  return s;
}

void add_fit(CLI::App& root, std::vector<Command>& commands) {
  struct Args {
    std::string model, summary, format = "json", output;
    double penalizer = 0;
    int max_iterations = 1000;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand("fit", "Fit a CLV model to a customer-summary file; prints the model (JSON)");
  app->add_option("MODEL", a->model, "bgnbd (BG/NBD), mbgnbd (MBG/NBD), pnbd (Pareto/NBD), bgbb (BG/BB), gg (Gamma-Gamma) or sbg "
                                   "(shifted-beta-geometric)")
      ->required();
  app->add_option("--summary", a->summary,
                  "Customer summary CSV: frequency,recency,T[,monetary_value][,weights] (lifetimes' names) or "
                  "x,t_x,T[,zbar] (Fader & Hardie's), any id column first; for bgbb frequency,recency,periods[,weights]; for sbg a cohort file "
                  "period,active or records periods,churned[,weights]")
      ->required()
      ->type_name("FILE");
  app->add_option("--penalizer", a->penalizer, "L2 penalty on log-parameters per customer (docs/numerics.md)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app->add_option("--max-iterations", a->max_iterations, "Optimiser iterations in total, over all starts")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--format", a->format, "json (the model file) or table (for reading)")
      ->check(CLI::IsMember({"json", "table"}))
      ->capture_default_str();
  app->add_option("-o,--output", a->output, "Write to FILE instead of stdout")->type_name("FILE");
  app->footer("Example:\n  crmkit fit bgnbd --summary summary.csv > bgnbd.json\n"
              "  crmkit fit pnbd --summary summary.csv > pnbd.json\n"
              "  crmkit fit gg --summary summary.csv > gg.json");
  commands.push_back({app, [a] {
    bool known = false;
    for (const auto& k : clv::Model::available()) known = known || k == a->model;
    if (!known) {
      try {
        (void)clv::Model::fit(a->model, {});
      } catch (const InvalidArgument& e) {
        throw UsageError(std::string("MODEL: ") + e.what());
      }
    }
    core::FitOptions o;
    o.penalizer = a->penalizer;
    o.max_iterations = a->max_iterations;
    const bool spend = a->model == "gg";
    std::optional<clv::Model> fitted;
    if (a->model == "sbg") {
      const RetentionFile r = read_retention_file(a->summary);
      fitted = clv::Model::fit(a->model, r.data(), o);
    } else if (a->model == "bgbb") {
      const SummaryFile s = read_discrete_file(a->summary);
      fitted = clv::Model::fit(a->model, s.data(), o);
    } else {
      const SummaryFile s = read_summary_file(a->summary, !spend, spend);
      fitted = clv::Model::fit(a->model, s.data(), o);
    }
    const clv::Model& m = *fitted;
    if (!m.info().limit.empty()) warn("the optimum is a limit of the model: " + limit_text(m.info().limit));
    if (!m.info().converged())
      warn(std::string("the fit did not converge (") + core::fit_status_name(m.info().status) +
           "); the estimates are the best point found");
    write_text(a->format == "json" ? m.to_json().dump(2) : fit_table(m), a->output);
  }});
}

}  // namespace

CRMKIT_CLI_COMMAND(40, add_fit);

}  // namespace crmkit::cli
