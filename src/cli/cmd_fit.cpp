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
    std::string model, summary, format = "json", output, zero_spend = "skip", survival_as = "counts";
    double cohort_size = 0;
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
  app->add_option("--zero-spend", a->zero_spend,
                  "gg: repeat buyers whose mean spend is 0: skip (leave them out of the fit, counted in the "
                  "warning and the model's n_zero_spend_skipped) or error (refuse the file, naming the first)")
      ->check(CLI::IsMember({"skip", "error"}))
      ->capture_default_str();
  app->add_option("--survival-as", a->survival_as,
                  "sbg cohort file: its active column holds counts of surviving customers (whole numbers; the "
                  "default) or proportions/percentages of the cohort (1, 0.631, ... or 100, 63.1, ...; needs "
                  "--cohort-size)")
      ->check(CLI::IsMember({"counts", "proportions"}))
      ->capture_default_str();
  app->add_option("--cohort-size", a->cohort_size,
                  "sbg with --survival-as proportions: the cohort's size in customers (the standard errors "
                  "depend on it)")
      ->check(CLI::PositiveNumber);
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
    if (!spend && a->zero_spend != "skip") throw UsageError("--zero-spend applies to gg only");
    std::optional<clv::Model> fitted;
    const bool proportions = a->survival_as == "proportions";
    if (a->model != "sbg" && (proportions || a->cohort_size > 0))
      throw UsageError("--survival-as and --cohort-size apply to sbg only");
    if (proportions != (a->cohort_size > 0))
      throw UsageError(proportions ? "--survival-as proportions needs --cohort-size N (the cohort's customers)"
                                   : "--cohort-size applies with --survival-as proportions");
    if (a->cohort_size > 0 && a->cohort_size != std::floor(a->cohort_size))
      throw UsageError("--cohort-size must be a whole number of customers (found " +
                       format_number(a->cohort_size, Style{2}) + ")");
    if (a->model == "sbg") {
      RetentionFile r = read_retention_file(a->summary);
      if (proportions && r.active.empty())
        throw UsageError("--survival-as proportions applies to a cohort file (period,active), not to records");
      r.cohort_size = a->cohort_size;
      try {
        fitted = clv::Model::fit(a->model, r.data(), o);
      } catch (const InvalidArgument& e) {
        // "active (period N)": row N of the cohort file
        const auto& arg = e.argument();
        if (arg.rfind("active (period ", 0) != 0 || arg.back() != ')') throw;
        const std::size_t t = std::stoul(arg.substr(15, arg.size() - 16));
        if (t >= r.lines.size()) throw;
        std::string rule = e.rule();
        throw InvalidArgument(r.path + ":" + std::to_string(r.lines[t]) + " (period " + std::to_string(t) + ")",
                              r.active_column, e.value(),
                              rule.find("whole number") != std::string::npos
                                  ? "must be a whole number of surviving customers; for proportions or percentages "
                                    "of the cohort pass --survival-as proportions --cohort-size N"
                                  : rule);
      }
    } else if (a->model == "bgbb") {
      const SummaryFile s = read_discrete_file(a->summary);
      with_rows(s, [&] { fitted = clv::Model::fit(a->model, s.data(), o); });
    } else {
      const SummaryFile s = read_summary_file(a->summary, !spend, spend);
      const auto policy = a->zero_spend == "error" ? clv::ZeroSpend::Error : clv::ZeroSpend::Skip;
      with_rows(s, [&] { fitted = clv::Model::fit(a->model, s.data(), o, policy); });
    }
    const clv::Model& m = *fitted;
    if (m.info().n_zero_spend_skipped > 0)
      warn(format_number(m.info().n_zero_spend_skipped, Style{std::floor(m.info().n_zero_spend_skipped) ==
                                                                       m.info().n_zero_spend_skipped ? 0 : 2}) +
           " repeat buyer(s) with a mean spend of 0 left out of the spend model fit (--zero-spend error refuses them)");
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
