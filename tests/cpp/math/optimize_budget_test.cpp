// Issue 13: MinimizeOptions::max_iterations bounds the iterations of minimize_multistart summed over
// all its starts (it was per start: 5 starts of 100 iterations ran 500 under a limit of 100).
#include "crmkit/math/optimize.hpp"

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

TEST(MinimizeBudget, MultistartIterationsAreBoundedInTotal) {
  std::vector<Eigen::VectorXd> starts;
  for (double s : {-1.2, -3.0, 2.5, -0.5, 4.0}) {
    Eigen::VectorXd x0(2);
    x0 << s, 1.0;
    starts.push_back(x0);
  }
  for (int budget : {1, 2, 7, 20}) {
    MinimizeOptions o;
    o.max_iterations = budget;
    const MinimizeResult r = minimize_multistart(rosenbrock, starts, o);
    EXPECT_LE(r.iterations, budget) << budget;
    EXPECT_GE(r.starts_tried, 1);
    EXPECT_EQ(r.status, FitStatus::MaxIterations) << budget << " " << fit_status_name(r.status);
  }
  // With room to spare the first start converges and the others are not tried.
  const MinimizeResult ok = minimize_multistart(rosenbrock, starts);
  EXPECT_EQ(ok.status, FitStatus::Converged);
  EXPECT_EQ(ok.starts_tried, 1);
  EXPECT_LE(ok.iterations, 1000);
}

}  // namespace
