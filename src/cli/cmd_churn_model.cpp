// crmkit churn train / churn score: a logistic churn model from a customer feature table (with
// optional K-fold cross-validated metrics), and per-customer risk with the drivers of each score.
#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <numeric>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/churn/features.hpp"
#include "crmkit/churn/logistic.hpp"
#include "crmkit/churn/metrics.hpp"
#include "crmkit/churn/validation.hpp"
#include "crmkit/io/json.hpp"

namespace crmkit::cli {

namespace {

std::vector<std::string> split_names(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto b = item.find_first_not_of(' ');
    const auto e = item.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json metrics_json(const churn::Metrics& m) {
  return {{"auc", number(m.auc)}, {"pr_auc", number(m.pr_auc)}, {"log_loss", number(m.log_loss)}, {"brier", number(m.brier)}};
}

struct TrainArgs {
  std::string data, label, id_col, penalty = "l2", class_weight, missing = "error", unseen = "error", categorical, exclude, keep;
  std::string model_out, format = "json";
  double C = 1.0, l1_ratio = 0.5;
  bool standardize = false;
  int cv = 0, max_iterations = 100;
  std::int64_t max_levels = 50;
  std::uint64_t seed = 0;
};

struct ScoreArgs {
  std::string model, data, id_col;
  OutputArgs out;
  int drivers = 3;
  std::size_t top = 0;
};

churn::LogisticOptions logistic_options(const TrainArgs& a) {
  churn::LogisticOptions o;
  o.penalty = churn::parse_penalty(a.penalty);
  o.C = a.C;
  o.l1_ratio = a.l1_ratio;
  o.standardize = a.standardize;
  o.max_iterations = a.max_iterations;
  if (a.class_weight == "balanced") {
    o.class_weight_balanced = true;
  } else if (!a.class_weight.empty()) {
    const auto parts = split_names(a.class_weight);
    std::array<double, 2> w{};
    if (parts.size() != 2) throw UsageError("--class-weight: expected balanced or W0,W1, found '" + a.class_weight + "'");
    for (std::size_t k = 0; k < 2; ++k) {
      try {
        std::size_t used = 0;
        w[k] = std::stod(parts[k], &used);
        if (used != parts[k].size()) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        throw UsageError("--class-weight: expected balanced or W0,W1, found '" + a.class_weight + "'");
      }
    }
    o.class_weight = w;
  }
  return o;
}

void run_train(const TrainArgs& a) {
  churn::FeatureOptions fo;
  fo.label = a.label;
  fo.id = a.id_col;
  fo.missing = a.missing == "impute" ? churn::MissingPolicy::Impute
               : a.missing == "drop" ? churn::MissingPolicy::Drop
                                     : churn::MissingPolicy::Error;
  fo.unseen = a.unseen == "zero" ? churn::UnseenLevel::Zero : churn::UnseenLevel::Error;
  fo.categorical = split_names(a.categorical);
  fo.exclude = split_names(a.exclude);
  fo.keep = split_names(a.keep);
  fo.max_levels = static_cast<std::size_t>(a.max_levels);
  churn::LogisticOptions lo;
  try {
    lo = logistic_options(a);
  } catch (const InvalidArgument& e) {
    throw UsageError(std::string("--penalty: ") + e.what());
  }
  const churn::FeatureTable t = churn::read_features(a.data, fo);
  if (t.dropped > 0)
    warn(std::to_string(t.dropped) + " of " + std::to_string(t.dropped + t.rows()) +
         " rows had a missing value and were left out (--missing drop)");
  const churn::LogisticModel m = churn::fit_logistic(t, lo);

  churn::Metrics metrics;
  std::optional<churn::CrossValidation> cv;
  if (a.cv > 0) {
    cv = churn::cross_validate(t.x, t.label, lo, static_cast<std::size_t>(a.cv), a.seed);
    metrics = cv->mean;
  } else {
    const Eigen::VectorXd p = m.predict_proba(t.x);
    metrics = churn::evaluate(std::span<const double>(p.data(), t.rows()), t.label);
  }
  if (!a.model_out.empty()) {
    std::ofstream f(a.model_out);
    if (!f) throw IoError(a.model_out, "cannot open for writing");
    f << nlohmann::json(m).dump(2) << '\n';
    if (!f) throw IoError(a.model_out, "write failed");
  }
  if (m.status != math::FitStatus::Converged)
    warn(std::string("the fit did not converge (") + math::fit_status_name(m.status) + " after " +
         std::to_string(m.iterations) + " iterations); try a penalty or a smaller C");

  if (a.format == "json") {
    nlohmann::json coefs = nlohmann::json::array();
    for (std::size_t j = 0; j < m.n_features(); ++j) {
      const auto jj = static_cast<Eigen::Index>(j);
      coefs.push_back({{"feature", m.feature_names[j]}, {"coef", m.coef[jj]}, {"std_error", number(m.std_errors[jj])},
                       {"odds_ratio", number(std::exp(m.coef[jj]))}});
    }
    double positives = 0;
    for (double v : t.label) positives += v;
    nlohmann::json j = {{"model", "logistic_regression"},
                        {"penalty", churn::penalty_name(lo.penalty)},
                        {"C", lo.C},
                        {"rows", t.rows()},
                        {"churned", positives},
                        {"intercept", m.intercept},
                        {"intercept_std_error", number(m.intercept_std_error)},
                        {"coefficients", std::move(coefs)},
                        {"metrics", metrics_json(metrics)},
                        {"evaluation", cv ? "cross_validation" : "training"},
                        {"cv", cv ? nlohmann::json(a.cv) : nlohmann::json()},
                        {"converged", m.status == math::FitStatus::Converged},
                        {"iterations", m.iterations},
                        {"log_likelihood", m.log_likelihood}};
    if (lo.penalty == churn::Penalty::ElasticNet) j["l1_ratio"] = lo.l1_ratio;
    if (cv) {
      j["metrics_pooled"] = metrics_json(cv->pooled);
      nlohmann::json folds = nlohmann::json::array();
      for (const auto& f : cv->folds) folds.push_back(metrics_json(f));
      j["folds"] = std::move(folds);
      j["seed"] = a.seed;
    }
    std::cout << j.dump(2) << '\n';
    return;
  }
  // csv / table: the coefficient table (intercept first); the metrics on stderr.
  std::vector<std::string_view> names{"intercept"};
  std::vector<double> coef{m.intercept}, se{m.intercept_std_error}, odds{std::exp(m.intercept)};
  for (std::size_t j = 0; j < m.n_features(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    names.push_back(m.feature_names[j]);
    coef.push_back(m.coef[jj]);
    se.push_back(m.std_errors[jj]);
    odds.push_back(std::exp(m.coef[jj]));
  }
  Style s4;
  s4.decimals = 4;
  s4.nan_text = "-";
  OutputTable out;
  out.add("feature", std::move(names));
  out.add("coef", std::move(coef), s4);
  out.add("std_error", std::move(se), s4);
  out.add("odds_ratio", std::move(odds), s4);
  OutputArgs oa;
  oa.format = a.format;
  write_output(out, oa);
  std::ostringstream msg;
  msg << (cv ? std::to_string(a.cv) + "-fold cross-validated" : std::string("training")) << " metrics: auc " << metrics.auc
      << ", pr_auc " << metrics.pr_auc << ", log_loss " << metrics.log_loss << ", brier " << metrics.brier;
  std::cerr << "crmkit: " << msg.str() << '\n';
}

churn::LogisticModel load_model(const std::string& path) {
  const nlohmann::json j = io::read_json_file(path, "a JSON model (from crmkit churn train -o)");
  try {
    return j.get<churn::LogisticModel>();
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(path, 0, 0, "", "a logistic model", e.what());
  } catch (const InvalidArgument& e) {
    throw ParseError(path, 0, 0, "", "a logistic model", e.what());
  }
}

void run_score(const ScoreArgs& a) {
  const churn::LogisticModel m = load_model(a.model);
  if (!m.encoding)
    throw ParseError(a.model, 0, 0, "", "a model with its feature encoding (written by crmkit churn train)", "no \"encoding\"");
  const churn::FeatureTable t = churn::read_features(a.data, *m.encoding, a.id_col);
  if (t.dropped > 0)
    warn(std::to_string(t.dropped) + " of " + std::to_string(t.dropped + t.rows()) +
         " rows had a missing value and were not scored (the model was trained with --missing drop)");
  const Eigen::VectorXd risk = m.predict_proba(t.x);
  const std::size_t n = t.rows();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (a.top > 0) {
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t x, std::size_t y) { return risk[static_cast<Eigen::Index>(x)] > risk[static_cast<Eigen::Index>(y)]; });
    order.resize(std::min(a.top, n));
  }
  const auto k = static_cast<std::size_t>(a.drivers);
  std::vector<std::string> ids(order.size());
  std::vector<double> r(order.size());
  std::vector<std::vector<std::string_view>> drv(k, std::vector<std::string_view>(order.size()));
  std::vector<double> row(t.cols());
  for (std::size_t o = 0; o < order.size(); ++o) {
    const std::size_t i = order[o];
    ids[o] = t.ids.empty() ? std::to_string(i + 1) : t.ids[i];
    r[o] = risk[static_cast<Eigen::Index>(i)];
    if (k == 0) continue;
    for (std::size_t j = 0; j < t.cols(); ++j) row[j] = t.x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
    const auto d = churn::drivers(m, row, k);
    for (std::size_t q = 0; q < d.size(); ++q) drv[q][o] = m.feature_names[d[q].feature];
  }
  const auto& kept_ids = keep_until_exit(std::move(ids));
  std::vector<std::string_view> id_views(kept_ids.begin(), kept_ids.end());
  Style s6;
  s6.decimals = 4;
  OutputTable out;
  out.add("customer_id", std::move(id_views));
  out.add("risk", std::move(r), s6);
  for (std::size_t q = 0; q < k; ++q) out.add("driver_" + std::to_string(q + 1), std::move(drv[q]));
  write_output(out, a.out);
}

}  // namespace

static void add_churn_model(CLI::App& root, std::vector<Command>& commands) {
  CLI::App& group = subcommand_group(root, "churn", "Churn: indicators from transactions, models and scores");

  auto t = std::make_shared<TrainArgs>();
  CLI::App* train = group.add_subcommand(
      "train", "Fit a logistic churn model on a customer table: coefficients and metrics (auc, pr_auc, log_loss, "
               "brier; under K-fold cross-validation with --cv)");
  train->add_option("--data", t->data, "Customer feature table (CSV with a header)")->required()->type_name("TABLE.csv");
  train->add_option("--label", t->label, "Label column: 0/1, true/false or yes/no (1 = churned)")->required()->type_name("COL");
  train->add_option("--id-col", t->id_col, "Customer id column (carried into the model, never a feature)")->type_name("COL");
  train->add_option("--penalty", t->penalty, "none, l2, l1 or elasticnet (scikit-learn's objective)")
      ->check(CLI::IsMember({"none", "l2", "l1", "elasticnet"}))
      ->capture_default_str();
  train->add_option("--C", t->C, "Inverse regularisation strength (> 0)")->check(CLI::PositiveNumber)->capture_default_str();
  train->add_option("--l1-ratio", t->l1_ratio, "Elastic-net mix in [0, 1]")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  train->add_flag("--standardize", t->standardize,
                  "Fit on standardised columns (the penalty acts on standardised coefficients; coefficients are "
                  "reported on the original scale)");
  train->add_option("--class-weight", t->class_weight, "balanced, or W0,W1")->type_name("W");
  train->add_option("--missing", t->missing,
                    "Missing cells (blank, NA, N/A, NaN, null): error (file:line:column), impute (mean + <col>_missing) "
                    "or drop (leave the row out, counted on stderr)")
      ->check(CLI::IsMember({"error", "impute", "drop"}))
      ->capture_default_str();
  train->add_option("--unseen", t->unseen, "Category levels unseen in training when scoring: error or zero")
      ->check(CLI::IsMember({"error", "zero"}))
      ->capture_default_str();
  train->add_option("--categorical", t->categorical, "Columns to one-hot encode even if numeric (comma-separated)")->type_name("COLS");
  train->add_option("--exclude", t->exclude, "Columns to leave out (comma-separated)")->type_name("COLS");
  train->add_option("--keep", t->keep,
                    "Columns to use as features even if they look like ids or exceed --max-levels (comma-separated)")
      ->type_name("COLS");
  train->add_option("--max-levels", t->max_levels, "Most categories of a one-hot encoded column (0 = no limit)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000000000}))
      ->capture_default_str()
      ->type_name("N");
  train->add_option("--cv", t->cv, "Report metrics under stratified K-fold cross-validation")->check(CLI::Range(2, 1000))->type_name("K");
  train->add_option("--seed", t->seed, "Seed of the cross-validation folds")->capture_default_str();
  train->add_option("--max-iterations", t->max_iterations, "Newton iterations")->check(CLI::Range(1, 100000))->capture_default_str();
  train->add_option("-o,--model", t->model_out, "Write the fitted model (JSON, with its feature encoding) to FILE")->type_name("MODEL.json");
  train->add_option("--format", t->format, "json (coefficients and metrics), csv or table (coefficients; metrics on stderr)")
      ->check(CLI::IsMember({"json", "csv", "table"}))
      ->capture_default_str();
  train->footer(
      "Example:\n  crmkit churn train --data customers.csv --label churned --id-col customer_id --penalty l2 --C 1 \\\n"
      "    --cv 5 -o model.json --format json");
  commands.push_back({train, [t] { run_train(*t); }});

  auto s = std::make_shared<ScoreArgs>();
  CLI::App* score = group.add_subcommand(
      "score", "Risk per customer from a model of `churn train`: customer_id,risk,driver_1..driver_N (the features "
               "raising each score most: coef * (value - training mean))");
  score->add_option("--model", s->model, "Model JSON from crmkit churn train -o")->required()->type_name("MODEL.json");
  score->add_option("--data", s->data, "Customer table with the model's feature columns")->required()->type_name("TABLE.csv");
  score->add_option("--id-col", s->id_col, "Customer id column (default: the training table's)")->type_name("COL");
  score->add_option("--drivers", s->drivers, "Drivers per customer")->check(CLI::Range(0, 100))->capture_default_str();
  score->add_option("--top", s->top, "Only the K highest risks, highest first (an early-warning list)")->type_name("K");
  s->out.add_to(*score);
  score->footer("Example:\n  crmkit churn score --model model.json --data customers.csv --top 20 --format table");
  commands.push_back({score, [s] { run_score(*s); }});
}

CRMKIT_CLI_COMMAND(70, add_churn_model);

}  // namespace crmkit::cli
