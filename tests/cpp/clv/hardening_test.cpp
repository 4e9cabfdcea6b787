// Issue 13 (hardening) for the CLV models: predictions that are finite or a NumericError for ANY finite
// parameters (1e-300 .. 1e300), never NaN/inf and never a stray Boost exception; caps on horizons; the
// customer row (1-based) in data errors; one zero-spend policy for Gamma-Gamma; sBG period 0 and cohort
// counts vs proportions; non-finite parameters in model JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/clv/bg_bb.hpp"
#include "crmkit/clv/bg_nbd.hpp"
#include "crmkit/clv/dert.hpp"
#include "crmkit/clv/gamma_gamma.hpp"
#include "crmkit/clv/mbg_nbd.hpp"
#include "crmkit/clv/model.hpp"
#include "crmkit/clv/sbg.hpp"
#include "crmkit/core/error.hpp"

using namespace crmkit;
using testing::HasSubstr;

namespace {

const std::vector<double> kExtremes{1e-300, 1e-100, 1e-8, 1.0, 1e8, 1e100, 1e300};

std::string message(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

// f() either returns (then every value must be finite and within [lo, hi]) or throws NumericError; any
// other exception fails. Counts the outcomes.
struct Outcomes {
  int finite = 0, numeric_error = 0;
};

template <class F>
void finite_or_numeric_error(F&& f, const std::vector<double>& out, double lo, double hi, const std::string& where,
                             Outcomes& o) {
  try {
    f();
  } catch (const NumericError& e) {
    ++o.numeric_error;
    EXPECT_THAT(e.what(), HasSubstr("customer row")) << where;
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << where << ": not a NumericError: " << e.what();
    return;
  }
  ++o.finite;
  for (double v : out) {
    ASSERT_TRUE(std::isfinite(v)) << where << ": " << v;
    EXPECT_GE(v, lo * (1 + 1e-12)) << where;
    EXPECT_LE(v, hi * (1 + 1e-12)) << where;
  }
}

template <class P>
void sweep_repeat_purchase(const char* name) {
  const std::vector<double> x{0, 2, 30}, tx{0, 5, 38}, T{10, 10, 39};
  std::vector<double> out(3);
  Outcomes o;
  for (double r : kExtremes)
    for (double alpha : kExtremes)
      for (double a : kExtremes)
        for (double b : kExtremes) {
          const P p{r, alpha, a, b};
          const std::string where = std::string(name) + " r " + std::to_string(r) + " alpha " + std::to_string(alpha) +
                                    " a " + std::to_string(a) + " b " + std::to_string(b);
          finite_or_numeric_error([&] { clv::p_alive(p, x, tx, T, out); }, out, 0.0, 1.0, where + " p_alive", o);
          finite_or_numeric_error([&] { clv::conditional_expected_purchases(p, 39.0, x, tx, T, out); }, out, 0.0,
                                  std::numeric_limits<double>::max(), where + " E", o);
          finite_or_numeric_error([&] { clv::probability_of_n_purchases(p, 39.0, x, out); }, out, 0.0, 1.0,
                                  where + " P(n)", o);
        }
  // the grid is mostly answerable: errors are the exception, not the rule
  EXPECT_GT(o.finite, 10 * o.numeric_error) << name;
}

}  // namespace

TEST(ClvHardening, BgNbdPredictionsAreFiniteOrANumericErrorForExtremeParameters) {
  sweep_repeat_purchase<clv::BgNbdParams>("bg_nbd");
}

TEST(ClvHardening, MbgNbdPredictionsAreFiniteOrANumericErrorForExtremeParameters) {
  sweep_repeat_purchase<clv::MbgNbdParams>("mbg_nbd");
}

TEST(ClvHardening, HugeParametersTakeTheConcentratedBetaForm) {
  // r, alpha, a, b ~ 1e200 (0.85 s a customer before): p ~ Beta(a, b + x) is a point mass at 1/2, lambda
  // one at r / alpha = 1, so E[Y(t) | alive] -> (1 - (1 + c/2)^-(r+x)) / (1/2) with c = t / (alpha + T) ->
  // 2 (1 - exp(-(r+x) c / 2)) = 2 (1 - exp(-t / 2)) as r = alpha -> inf.
  const clv::BgNbdParams p{1e200, 1e200, 1e200, 1e200};
  const double e = clv::conditional_expected_purchases(p, 3.0, 0.0, 0.0, 10.0);
  EXPECT_NEAR(e, 2.0 * (1.0 - std::exp(-1.5)), 1e-9);
  const clv::MbgNbdParams q{1e200, 1e200, 1e200, 1e200};
  EXPECT_TRUE(std::isfinite(clv::conditional_expected_purchases(q, 3.0, 2.0, 5.0, 10.0)));
}

TEST(ClvHardening, BgBbPredictionsAreFiniteOrANumericErrorForExtremeParameters) {
  const std::vector<double> x{0, 2, 5}, tx{0, 4, 6}, n{6, 6, 6};
  std::vector<double> out(3);
  Outcomes o;
  for (double al : kExtremes)
    for (double be : kExtremes)
      for (double ga : kExtremes)
        for (double de : kExtremes) {
          const clv::BgBbParams p{al, be, ga, de};
          const std::string where = "bg_bb " + std::to_string(al) + " " + std::to_string(be) + " " +
                                    std::to_string(ga) + " " + std::to_string(de);
          finite_or_numeric_error([&] { clv::p_alive(p, x, tx, n, out); }, out, 0.0, 1.0, where + " p_alive", o);
          finite_or_numeric_error([&] { clv::conditional_expected_transactions(p, 5.0, x, tx, n, out); }, out, 0.0,
                                  5.0, where + " E", o);
          finite_or_numeric_error([&] { clv::probability_of_n_purchases(p, 6.0, x, out); }, out, 0.0, 1.0,
                                  where + " P(n)", o);
        }
  EXPECT_GT(o.finite, 10 * o.numeric_error);
}

TEST(ClvHardening, SbgCurveIsFiniteForExtremeParametersAndPeriodZeroIsTheStart) {
  const std::vector<double> t{0, 1, 2, 10, 1000};
  std::vector<double> s(t.size()), r(t.size()), c(t.size());
  for (double al : kExtremes)
    for (double be : kExtremes) {
      const clv::SbgParams p{al, be};
      const std::string where = "sbg " + std::to_string(al) + " " + std::to_string(be);
      clv::survival(p, t, s);
      clv::retention_rate(p, t, r);
      clv::churn_probability(p, t, c);
      for (std::size_t i = 0; i < t.size(); ++i) {
        ASSERT_TRUE(std::isfinite(s[i]) && s[i] >= 0 && s[i] <= 1) << where << " S(" << t[i] << ") = " << s[i];
        ASSERT_TRUE(std::isfinite(r[i]) && r[i] >= 0 && r[i] <= 1) << where << " r(" << t[i] << ") = " << r[i];
        ASSERT_TRUE(std::isfinite(c[i]) && c[i] >= 0 && c[i] <= 1) << where << " P(T=" << t[i] << ") = " << c[i];
      }
      EXPECT_EQ(s[0], 1.0);
      EXPECT_EQ(r[0], 1.0);  // period 0 is the start: nobody has churned yet
      EXPECT_EQ(c[0], 0.0);
    }
  // r(1) = beta / (alpha + beta) also when both are tiny (0/0 before)
  EXPECT_NEAR(clv::retention_rate(clv::SbgParams{1e-300, 3e-300}, 1.0), 0.75, 1e-15);
}

TEST(ClvHardening, GammaGammaHugeParametersAreFiniteOrANumericError) {
  const std::vector<double> x{0, 1, 5}, m{0, 10, 20};
  std::vector<double> out(3);
  // p gamma / (q - 1) overflowed to inf at p = gamma = 1e200
  clv::conditional_expected_spend(clv::GammaGammaParams{1e200, 2.0, 1e100}, x, m, out);
  EXPECT_NEAR(out[1], 1e100 + 10, 1e85);
  for (double v : out) EXPECT_TRUE(std::isfinite(v));
  EXPECT_THAT(message([&] { clv::conditional_expected_spend(clv::GammaGammaParams{1e300, 2.0, 1e300}, x, m, out); }),
              HasSubstr("customer row 1"));
  EXPECT_THROW((void)clv::expected_spend(clv::GammaGammaParams{1e300, 1.5, 1e300}), NumericError);
}

TEST(ClvHardening, DataErrorsNameTheCustomerRowOneBased) {
  const std::vector<double> x{1, 2}, tx{1, 2}, T{-5, 3};
  EXPECT_THAT(message([&] { (void)clv::BgNbd::fit(x, tx, T); }),
              HasSubstr("BgNbd::fit: argument 'T (customer row 1)' = -5: must be finite and >= 0"));
  const std::vector<double> m{10, -1};
  EXPECT_THAT(message([&] { (void)clv::GammaGamma::fit(x, m); }),
              HasSubstr("argument 'monetary_value (customer row 2)' = -1"));
  const std::vector<double> bx{1, 7}, btx{1, 2}, bn{6, 6};
  EXPECT_THAT(message([&] { (void)clv::BgBb::fit(bx, btx, bn); }), HasSubstr("'frequency (customer row 2)' = 7"));
  try {
    (void)clv::BgNbd::fit(x, tx, T);
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(e.argument(), "T (customer row 1)");
  }
}

TEST(ClvHardening, GammaGammaSkipsAndCountsZeroSpendRepeatBuyersOrRefusesThem) {
  const std::vector<double> x{1, 2, 3, 1, 4, 2}, m{10, 0, 12, 8, 0, 15}, m_nonzero{10, 12, 8, 15},
      x_nonzero{1, 3, 1, 2};
  double skipped = -1;
  const auto with = clv::GammaGamma::fit(x, m, {}, {}, clv::ZeroSpend::Skip, &skipped);
  EXPECT_EQ(skipped, 2.0);
  const auto without = clv::GammaGamma::fit(x_nonzero, m_nonzero);
  EXPECT_EQ(with.params.p, without.params.p);  // the same fit as leaving them out by hand
  EXPECT_EQ(with.params.gamma, without.params.gamma);
  EXPECT_THAT(message([&] { (void)clv::GammaGamma::fit(x, m, {}, {}, clv::ZeroSpend::Error); }),
              HasSubstr("'monetary_value (customer row 2)' = 0"));
  // through the Model face, counted in the JSON
  clv::ModelData d;
  d.frequency = x;
  d.monetary_value = m;
  const clv::Model gg = clv::Model::fit("gg", d);
  EXPECT_EQ(gg.info().n_zero_spend_skipped, 2.0);
  EXPECT_EQ(gg.to_json()["n_zero_spend_skipped"].get<double>(), 2.0);
  EXPECT_EQ(clv::Model::from_json(nlohmann::json::parse(gg.to_json().dump())).info().n_zero_spend_skipped, 2.0);
  EXPECT_THROW((void)clv::Model::fit("gg", d, {}, clv::ZeroSpend::Error), InvalidArgument);
}

TEST(ClvHardening, SbgCohortCountsMustBeWholeUnlessGivenAsProportions) {
  const std::vector<double> counts{1000, 631, 468, 382, 326, 289, 262, 241};
  const std::vector<double> percent{100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1};
  EXPECT_THAT(message([&] { (void)clv::Sbg::fit_cohort(percent); }),
              HasSubstr("argument 'active (period 1)' = 63.100000000000001: must be a whole number"));
  const auto a = clv::Sbg::fit_cohort(counts), b = clv::Sbg::fit_cohort_proportions(percent, 1000);
  EXPECT_NEAR(a.params.alpha, b.params.alpha, 1e-6);
  EXPECT_NEAR(a.params.beta, b.params.beta, 1e-6);
  // the standard errors follow the cohort size: ~sqrt(10) smaller with 10 times the customers
  const auto c = clv::Sbg::fit_cohort_proportions(percent, 10000);
  EXPECT_NEAR(a.std_errors[0] / c.std_errors[0], std::sqrt(10.0), 1e-3);
  EXPECT_THROW((void)clv::Sbg::fit_cohort_proportions(percent, 0.5), InvalidArgument);
  EXPECT_THROW((void)clv::Sbg::fit_cohort_proportions(std::vector<double>{100, 120}, 10), InvalidArgument);
}

TEST(ClvHardening, HorizonsAreCapped) {
  const clv::SbgParams s{0.7, 1.2};
  EXPECT_THAT(message([&] { (void)clv::expected_lifetime(s, 1e9); }), HasSubstr("'horizon' = 1000000000"));
  EXPECT_NO_THROW((void)clv::expected_lifetime(s, clv::kMaxSbgPeriods));
  const clv::BgBbParams bb{1.2, 0.75, 0.66, 2.78};
  std::vector<double> x{1}, tx{1}, n{6}, out(1);
  EXPECT_THAT(message([&] { clv::conditional_expected_transactions(bb, 1e9, x, tx, n, out); }),
              HasSubstr("'future' = 1000000000: must be a whole number in 0..10000"));
  EXPECT_THAT(message([&] { (void)clv::expected_transactions(bb, 1e7); }), HasSubstr("0..10000"));
  const clv::Model tm = clv::Model::from_params("bgnbd", std::vector<double>{0.243, 4.414, 0.793, 2.426});
  const clv::Model sm = clv::Model::from_params("gg", std::vector<double>{6.25, 3.74, 15.44});
  const std::vector<double> fx{2}, ftx{30}, fT{38}, fm{20};
  clv::ModelData d;
  d.frequency = fx;
  d.recency = ftx;
  d.T = fT;
  d.monetary_value = fm;
  clv::ClvOptions o;
  o.months = clv::kMaxClvMonths + 1;
  EXPECT_THAT(message([&] { clv::customer_lifetime_value(tm, sm, d, o, out); }),
              HasSubstr("'months' = 6001: must be in 1..6000"));
  o.months = clv::kMaxClvMonths;
  clv::customer_lifetime_value(tm, sm, d, o, out);
  EXPECT_TRUE(std::isfinite(out[0]) && out[0] > 0);
}

TEST(ClvHardening, NonFiniteParametersInModelJsonAreInvalidArguments) {
  for (const char* key : {"r", "alpha", "a", "b"}) {
    nlohmann::json j = {{"model", "bgnbd"}, {"params", {{"r", 0.2}, {"alpha", 4.4}, {"a", 0.8}, {"b", 2.4}}}};
    j["params"][key] = std::numeric_limits<double>::infinity();
    EXPECT_THAT(message([&] { (void)clv::Model::from_json(j); }), HasSubstr(std::string("'params.") + key + "' = inf"));
    j["params"][key] = std::nan("");
    EXPECT_THAT(message([&] { (void)clv::Model::from_json(j); }), HasSubstr("must be finite and > 0"));
    j["params"][key] = "1e400";
    EXPECT_THAT(message([&] { (void)clv::Model::from_json(j); }), HasSubstr("must be a number"));
  }
  for (const char* model : {"gg", "sbg", "bgbb", "mbgnbd"}) {
    const clv::Model probe = clv::Model::from_params(
        model, std::vector<double>(std::string(model) == "gg" ? 3 : std::string(model) == "sbg" ? 2 : 4, 2.0));
    nlohmann::json j = nlohmann::json::parse(probe.to_json().dump());
    j["params"][probe.param_names()[0]] = -std::numeric_limits<double>::infinity();
    EXPECT_THROW((void)clv::Model::from_json(j), InvalidArgument) << model;
  }
}
