// Cross-validation, time splits and the early-warning list (churn/validation.hpp).
#include "crmkit/churn/validation.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>

#include "crmkit/core/error.hpp"

namespace crmkit::churn {

namespace {

// Uniform integer in [0, bound) by rejection (platform independent, unlike std::uniform_int_distribution).
std::uint64_t uniform(std::mt19937_64& gen, std::uint64_t bound) {
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  std::uint64_t r;
  do r = gen();
  while (r >= limit);
  return r % bound;
}

}  // namespace

std::vector<std::uint32_t> stratified_folds(std::span<const double> label, std::size_t k, std::uint64_t seed) {
  const char* fn = "churn::stratified_folds";
  std::vector<std::size_t> cls[2];
  for (std::size_t i = 0; i < label.size(); ++i) {
    if (label[i] != 0.0 && label[i] != 1.0)
      throw InvalidArgument(fn, "label[" + std::to_string(i) + "]", std::to_string(label[i]), "must be 0 or 1");
    cls[label[i] == 1.0].push_back(i);
  }
  const std::size_t smaller = std::min(cls[0].size(), cls[1].size());
  if (k < 2 || k > smaller)
    throw InvalidArgument(fn, "k", std::to_string(k),
                          "must be in 2.." + std::to_string(smaller) + " (the smaller class has " + std::to_string(smaller) +
                              " rows; every fold needs both classes)");
  std::mt19937_64 gen(seed);
  std::vector<std::uint32_t> fold(label.size());
  std::size_t t = 0;
  for (auto& c : cls) {
    for (std::size_t i = c.size(); i > 1; --i) std::swap(c[i - 1], c[uniform(gen, i)]);
    for (std::size_t r : c) fold[r] = static_cast<std::uint32_t>(t++ % k);
  }
  return fold;
}

CrossValidation cross_validate(const Eigen::Ref<const Eigen::MatrixXd>& x, std::span<const double> label,
                               const LogisticOptions& options, std::size_t k, std::uint64_t seed) {
  if (static_cast<std::size_t>(x.rows()) != label.size())
    throw InvalidArgument("churn::cross_validate", "label", std::to_string(label.size()) + " values",
                          "must have one label per row (" + std::to_string(x.rows()) + ")");
  CrossValidation cv;
  cv.fold = stratified_folds(label, k, seed);
  cv.probability.assign(label.size(), 0.0);
  const Eigen::Index p = x.cols();
  for (std::uint32_t f = 0; f < k; ++f) {
    std::vector<Eigen::Index> tr, te;
    for (std::size_t i = 0; i < label.size(); ++i) (cv.fold[i] == f ? te : tr).push_back(static_cast<Eigen::Index>(i));
    Eigen::MatrixXd xtr(static_cast<Eigen::Index>(tr.size()), p), xte(static_cast<Eigen::Index>(te.size()), p);
    std::vector<double> ytr(tr.size()), yte(te.size());
    for (std::size_t i = 0; i < tr.size(); ++i) {
      xtr.row(static_cast<Eigen::Index>(i)) = x.row(tr[i]);
      ytr[i] = label[static_cast<std::size_t>(tr[i])];
    }
    for (std::size_t i = 0; i < te.size(); ++i) {
      xte.row(static_cast<Eigen::Index>(i)) = x.row(te[i]);
      yte[i] = label[static_cast<std::size_t>(te[i])];
    }
    const LogisticModel m = fit_logistic(xtr, ytr, options);
    const Eigen::VectorXd prob = m.predict_proba(xte);
    for (std::size_t i = 0; i < te.size(); ++i) cv.probability[static_cast<std::size_t>(te[i])] = prob[static_cast<Eigen::Index>(i)];
    cv.folds.push_back(evaluate(std::span<const double>(prob.data(), te.size()), yte));
  }
  const double kk = static_cast<double>(k);
  for (const Metrics& m : cv.folds) {
    cv.mean.auc += m.auc / kk;
    cv.mean.pr_auc += m.pr_auc / kk;
    cv.mean.log_loss += m.log_loss / kk;
    cv.mean.brier += m.brier / kk;
  }
  cv.pooled = evaluate(cv.probability, label);
  return cv;
}

TimeSplit time_split(std::span<const std::int64_t> time, std::int64_t cutoff) {
  TimeSplit s;
  for (std::size_t i = 0; i < time.size(); ++i) (time[i] < cutoff ? s.train : s.test).push_back(i);
  return s;
}

std::vector<Driver> drivers(const LogisticModel& model, std::span<const double> row, std::size_t n) {
  const auto p = static_cast<std::size_t>(model.coef.size());
  if (row.size() != p)
    throw InvalidArgument("churn::drivers", "row", std::to_string(row.size()) + " values",
                          "must have one value per feature (" + std::to_string(p) + ")");
  std::vector<Driver> d;
  for (std::size_t j = 0; j < p; ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    const double c = model.coef[jj] * (row[j] - model.feature_mean[jj]);
    if (c > 0) d.push_back({j, c});
  }
  std::stable_sort(d.begin(), d.end(), [](const Driver& a, const Driver& b) { return a.contribution > b.contribution; });
  if (d.size() > n) d.resize(n);
  return d;
}

std::vector<WarningRow> early_warning(const LogisticModel& model, const Eigen::Ref<const Eigen::MatrixXd>& x,
                                      std::size_t top_k, std::size_t n_drivers) {
  const Eigen::VectorXd risk = model.predict_proba(x);
  std::vector<std::size_t> idx(static_cast<std::size_t>(x.rows()));
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  const std::size_t k = std::min(top_k, idx.size());
  std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(k), idx.end(), [&](std::size_t a, std::size_t b) {
    const double ra = risk[static_cast<Eigen::Index>(a)], rb = risk[static_cast<Eigen::Index>(b)];
    return ra > rb || (ra == rb && a < b);
  });
  std::vector<WarningRow> out;
  std::vector<double> row(static_cast<std::size_t>(x.cols()));
  for (std::size_t r = 0; r < k; ++r) {
    const auto i = static_cast<Eigen::Index>(idx[r]);
    for (Eigen::Index j = 0; j < x.cols(); ++j) row[static_cast<std::size_t>(j)] = x(i, j);
    out.push_back({idx[r], risk[i], drivers(model, row, n_drivers)});
  }
  return out;
}

}  // namespace crmkit::churn
