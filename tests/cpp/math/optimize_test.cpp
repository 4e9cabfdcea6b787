#include "crmkit/math/optimize.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using namespace crmkit::math;

double rosenbrock(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
  const double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
  g[0] = -2.0 * a - 400.0 * x[0] * b;
  g[1] = 200.0 * b;
  return a * a + 100.0 * b * b;
}

TEST(Minimize, RosenbrockConverges) {
  Eigen::VectorXd x0(2);
  x0 << -1.2, 1.0;
  const MinimizeResult r = minimize(rosenbrock, x0);
  EXPECT_EQ(r.status, FitStatus::Converged) << fit_status_name(r.status);
  EXPECT_NEAR(r.x[0], 1.0, 1e-8);
  EXPECT_NEAR(r.x[1], 1.0, 1e-8);
  EXPECT_LE(r.gradient_norm(), 1e-8);
  EXPECT_GT(r.iterations, 0);
}

TEST(Minimize, InfiniteRegionIsAvoided) {
  // f = (x - 3)^2 + (y + 1)^2, but +inf (unusable) whenever x > 3.5: the line search must step back.
  Objective f = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    if (x[0] > 3.5) return std::numeric_limits<double>::infinity();
    g[0] = 2.0 * (x[0] - 3.0);
    g[1] = 2.0 * (x[1] + 1.0);
    return (x[0] - 3.0) * (x[0] - 3.0) + (x[1] + 1.0) * (x[1] + 1.0);
  };
  Eigen::VectorXd x0(2);
  x0 << -50.0, 40.0;
  const MinimizeResult r = minimize(f, x0);
  EXPECT_EQ(r.status, FitStatus::Converged);
  EXPECT_NEAR(r.x[0], 3.0, 1e-9);
  EXPECT_NEAR(r.x[1], -1.0, 1e-9);
}

TEST(Minimize, MaxIterationsIsReported) {
  Eigen::VectorXd x0(2);
  x0 << -1.2, 1.0;
  MinimizeOptions o;
  o.max_iterations = 2;
  const MinimizeResult r = minimize(rosenbrock, x0, o);
  EXPECT_EQ(r.status, FitStatus::MaxIterations);
  EXPECT_LE(r.iterations, 2);
  EXPECT_STREQ(fit_status_name(r.status), "max_iterations");
}

TEST(Minimize, MultistartSkipsAnUnusableStart) {
  Objective f = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    if (x[0] < 0.0) return std::numeric_limits<double>::quiet_NaN();
    g[0] = 2.0 * (x[0] - 1.0);
    return (x[0] - 1.0) * (x[0] - 1.0);
  };
  std::vector<Eigen::VectorXd> starts{Eigen::VectorXd::Constant(1, -5.0), Eigen::VectorXd::Constant(1, 4.0)};
  const MinimizeResult r = minimize_multistart(f, starts);
  EXPECT_EQ(r.status, FitStatus::Converged);
  EXPECT_EQ(r.starts_tried, 2);
  EXPECT_NEAR(r.x[0], 1.0, 1e-12);
  // A single unusable start is reported as a failure with an infinite value, not an exception.
  const MinimizeResult bad = minimize(f, starts[0]);
  EXPECT_EQ(bad.status, FitStatus::LineSearchFailed);
  EXPECT_FALSE(std::isfinite(bad.value));
}

TEST(Hessian, CentralDifferencesOfAnalyticGradient) {
  // f = x^T A x / 2 + sin(y): Hessian [[A00, A01], [A01, A11 - sin(y)]]
  Objective f = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g[0] = 3.0 * x[0] + 0.5 * x[1];
    g[1] = 0.5 * x[0] + 2.0 * x[1] + std::cos(x[1]);
    return 1.5 * x[0] * x[0] + 0.5 * x[0] * x[1] + x[1] * x[1] + std::sin(x[1]);
  };
  Eigen::VectorXd x(2);
  x << 0.3, 1.1;
  const Eigen::MatrixXd h = hessian_from_gradient(f, x);
  EXPECT_NEAR(h(0, 0), 3.0, 1e-8);
  EXPECT_NEAR(h(0, 1), 0.5, 1e-8);
  EXPECT_NEAR(h(1, 0), 0.5, 1e-8);
  EXPECT_NEAR(h(1, 1), 2.0 - std::sin(1.1), 1e-8);
}

}  // namespace
