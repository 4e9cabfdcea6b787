// clv::Model (the type-erased face of the CLV models) and customer_lifetime_value.
// CLV oracle: lifetimes' customer_lifetime_value recipe (monthly steps of f time units, differences of
// the conditional expectation, discount (1 + d)^-i, times Gamma-Gamma conditional spend) evaluated in
// Python 3.11 with scipy 1.10's hyp2f1 and FHL (2005) eq. 10 written out independently, at fixed
// parameters (BG/NBD 0.243, 4.414, 0.793, 2.426; Gamma-Gamma 6.25, 3.74, 15.44), 12 months, d = 0.01,
// f = 4.345 weeks per month. They share no code with crmkit, so 1e-9 relative agreement is a check.
#include "crmkit/clv/model.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/io/table.hpp"

using namespace crmkit;
using testing::HasSubstr;

namespace {

struct Cdnow {
  std::vector<double> x, tx, T;
};

Cdnow load() {
  const auto t = io::read_table(std::string(CRMKIT_TEST_DATA) + "/cdnow_customers_summary.csv");
  return {t.numbers(1), t.numbers(2), t.numbers(3)};
}

}  // namespace

TEST(ClvModel, FitsByKeyAndRoundTripsThroughJson) {
  const Cdnow d = load();
  clv::ModelData md;
  md.frequency = d.x;
  md.recency = d.tx;
  md.T = d.T;
  const auto m = clv::Model::fit("bgnbd", md);
  EXPECT_EQ(m.key(), "bgnbd");
  EXPECT_EQ(m.param_names(), (std::vector<std::string>{"r", "alpha", "a", "b"}));
  EXPECT_NEAR(m.param_values()[0], 0.2426, 5e-5);
  EXPECT_NEAR(m.info().log_likelihood, -9582.43, 0.005);
  const auto j = m.to_json();
  EXPECT_EQ(j.begin().key(), "model");
  EXPECT_EQ(j["model"], "bgnbd");
  EXPECT_TRUE(j["converged"].get<bool>());
  EXPECT_NEAR(j["params"]["alpha"].get<double>(), 4.4135, 5e-4);
  EXPECT_GT(j["std_errors"]["r"].get<double>(), 0);
  const auto back = clv::Model::from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(back.param_values(), m.param_values());
  EXPECT_EQ(back.info().log_likelihood, m.info().log_likelihood);
  EXPECT_TRUE(back.info().converged());
  const std::vector<double> x{2}, tx{30.43}, T{38.86};
  std::vector<double> out(1);
  back.predict("conditional_expected_purchases", 39, {.frequency = x, .recency = tx, .T = T}, out);
  EXPECT_NEAR(out[0], 1.226, 5e-4);  // FHL (2005)
}

TEST(ClvModel, RefusesUnknownAndUnbuiltModelsAndPredictions) {
  try {
    (void)clv::Model::fit("pnbd", {});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("not available in this version"));
    EXPECT_THAT(e.what(), HasSubstr("bgnbd, gg"));
  }
  EXPECT_THROW((void)clv::Model::fit("nope", {}), InvalidArgument);
  EXPECT_THROW((void)clv::Model::fit("bgnbd", {}), InvalidArgument);  // columns missing
  const auto g = clv::Model::from_params("gg", std::vector<double>{6.25, 3.74, 15.44});
  EXPECT_FALSE(g.predicts_purchases());
  std::vector<double> out(1);
  const std::vector<double> x{1};
  try {
    g.predict("p_alive", 0, {.frequency = x, .monetary_value = x}, out);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("conditional_expected_spend, expected_spend"));
  }
  EXPECT_THROW((void)clv::Model::from_params("gg", std::vector<double>{1, 2}), InvalidArgument);
  EXPECT_THROW((void)clv::Model::from_json(nlohmann::json::parse(R"({"model":"gg","params":{"p":1}})")), InvalidArgument);
  EXPECT_THROW((void)clv::Model::from_json(nlohmann::json::parse(R"({"params":{}})")), InvalidArgument);
}

TEST(ClvModel, LifetimeValueMatchesLifetimesRecipe) {
  const auto bg = clv::Model::from_params("bgnbd", std::vector<double>{0.243, 4.414, 0.793, 2.426});
  const auto gg = clv::Model::from_params("gg", std::vector<double>{6.25, 3.74, 15.44});
  const std::vector<double> x{2, 0, 10, 1}, tx{30.43, 0, 35, 1.71}, T{38.86, 38.86, 38.86, 38.86}, m{22.35, 0, 50, 11.77};
  clv::ClvOptions o;
  o.months = 12;
  o.discount_rate = 0.01;
  o.periods_per_month = 4.345;
  std::vector<double> out(4);
  clv::customer_lifetime_value(bg, gg, {.frequency = x, .recency = tx, .T = T, .monetary_value = m}, o, out);
  const double expected[] = {36.28921112559922, 8.369004358920181, 361.12645705622066, 4.63729465974718};
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(out[i], expected[i], 1e-9 * expected[i]) << i;
  // Margin scales; a higher discount rate lowers every value; longer horizons raise it.
  o.margin = 0.3;
  std::vector<double> lower(4);
  clv::customer_lifetime_value(bg, gg, {.frequency = x, .recency = tx, .T = T, .monetary_value = m}, o, lower);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(lower[i], 0.3 * out[i], 1e-9 * out[i]);
  o.margin = 1;
  o.discount_rate = 0.05;
  clv::customer_lifetime_value(bg, gg, {.frequency = x, .recency = tx, .T = T, .monetary_value = m}, o, lower);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_LT(lower[i], out[i]);
  o.discount_rate = 0.01;
  o.months = 24;
  clv::customer_lifetime_value(bg, gg, {.frequency = x, .recency = tx, .T = T, .monetary_value = m}, o, lower);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_GT(lower[i], out[i]);
  EXPECT_THROW(clv::customer_lifetime_value(gg, gg, {.frequency = x, .recency = tx, .T = T, .monetary_value = m}, o, out), InvalidArgument);
  o.months = 0;
  EXPECT_THROW(clv::customer_lifetime_value(bg, gg, {.frequency = x, .recency = tx, .T = T, .monetary_value = m}, o, out), InvalidArgument);
}
