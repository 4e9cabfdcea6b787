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

// A model saved after a fit that stopped on a plateau reloads with that status, not as "max_iterations".
TEST(ClvModel, FromJsonKeepsEveryFitStatus) {
  for (const char* name : {"converged", "max_iterations", "line_search_failed", "boundary"}) {
    auto j = nlohmann::json::parse(
        R"({"model":"bgnbd","params":{"r":0.5,"alpha":4,"a":0.8,"b":2.4},"log_likelihood":-10,"converged":false})");
    j["status"] = name;
    const auto m = clv::Model::from_json(j);
    EXPECT_STREQ(core::fit_status_name(m.info().status), name);
  }
}

// Writing a loaded model is a fixed point: a file whose std_errors is empty (as a model without
// standard errors writes it), or not an object, writes back the same text (fuzz finding, CI of stop 18).
TEST(ClvModel, JsonRoundTripIsAFixedPoint) {
  for (const char* se : {R"({})", R"([])", R"({"r":0.01})", R"({"r":null,"alpha":"x"})"}) {
    const std::string text = std::string(R"({"model":"bgnbd","params":{"r":0.243,"alpha":4.414,"a":0.793,"b":2.426},)") +
                             R"("log_likelihood":-9582.4,"converged":true,"iterations":31,"std_errors":)" + se + "}";
    const auto once = clv::Model::from_json(nlohmann::json::parse(text)).to_json().dump();
    const auto twice = clv::Model::from_json(nlohmann::json::parse(once)).to_json().dump();
    EXPECT_EQ(twice, once) << se;
  }
}

TEST(ClvModel, RefusesUnknownModelsAndPredictions) {
  try {
    (void)clv::Model::fit("nope", {});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("must be one of: bgnbd, gg, sbg, bgbb, pnbd, mbgnbd"));
  }
  EXPECT_THROW((void)clv::Model::fit("pnbd", {}), InvalidArgument);  // columns missing
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

TEST(ClvModel, ParetoNbdAndMbgNbdByKey) {
  const Cdnow d = load();
  clv::ModelData md;
  md.frequency = d.x;
  md.recency = d.tx;
  md.T = d.T;
  const auto p = clv::Model::fit("pnbd", md);
  EXPECT_EQ(p.key(), "pnbd");
  EXPECT_EQ(p.title(), "Pareto/NBD");
  EXPECT_TRUE(p.predicts_purchases());
  EXPECT_EQ(p.param_names(), (std::vector<std::string>{"r", "alpha", "s", "beta"}));
  EXPECT_NEAR(p.info().log_likelihood, -9594.98, 0.02);  // Fader & Hardie (2005), tests/cpp/clv/pareto_nbd_test.cpp
  const auto j = p.to_json();
  EXPECT_EQ(j["model"], "pnbd");
  EXPECT_GT(j["std_errors"]["beta"].get<double>(), 0);
  const auto back = clv::Model::from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(back.param_values(), p.param_values());
  const std::vector<double> x{26}, tx{30.86}, T{31};
  std::vector<double> out(1);
  back.predict("p_alive", 0, {.frequency = x, .recency = tx, .T = T}, out);
  EXPECT_NEAR(out[0], 0.9979, 5e-5);  // BTYD walkthrough
  back.predict("dert", 0.0027, {.frequency = x, .recency = tx, .T = T}, out);
  EXPECT_NEAR(out[0], clv::dert(std::get<clv::ParetoNbdParams>(p.params()), 0.0027, 26, 30.86, 31), 1e-12);
  EXPECT_THROW(back.predict("nope", 1, {.frequency = x, .recency = tx, .T = T}, out), InvalidArgument);

  const auto m = clv::Model::fit("mbgnbd", md);
  EXPECT_EQ(m.key(), "mbgnbd");
  EXPECT_EQ(m.param_names(), (std::vector<std::string>{"r", "alpha", "a", "b"}));
  EXPECT_NEAR(m.param_values()[0], 0.525, 0.0015);  // lifetimes / BTYDplus, tests/cpp/clv/mbg_nbd_test.cpp
  const std::vector<double> x0{0}, t0{0}, T0{38.86};
  m.predict("p_alive", 0, {.frequency = x0, .recency = t0, .T = T0}, out);
  EXPECT_LT(out[0], 1.0);
  const auto mp = clv::Model::from_params("mbgnbd", std::vector<double>{0.525, 6.183, 0.891, 1.614});
  EXPECT_EQ(mp.to_json()["params"]["b"], 1.614);
  EXPECT_FALSE(mp.info().fitted);

  // CLV with a Pareto/NBD transaction model: the same recipe as with BG/NBD.
  const auto gg = clv::Model::from_params("gg", std::vector<double>{6.25, 3.74, 15.44});
  const std::vector<double> xs{2, 0}, txs{30.43, 0}, Ts{38.86, 38.86}, ms{22.35, 0};
  clv::ClvOptions o;
  o.periods_per_month = 4.345;
  std::vector<double> v(2);
  clv::customer_lifetime_value(p, gg, {.frequency = xs, .recency = txs, .T = Ts, .monetary_value = ms}, o, v);
  double want = 0, prev = 0;
  for (int i = 1; i <= 12; ++i) {
    const double cur = clv::conditional_expected_purchases(std::get<clv::ParetoNbdParams>(p.params()), i * 4.345, 2.0, 30.43, 38.86);
    want += (cur - prev) / std::pow(1.01, i);
    prev = cur;
  }
  want *= clv::conditional_expected_spend(std::get<clv::GammaGammaParams>(gg.params()), 2.0, 22.35);
  EXPECT_NEAR(v[0], want, 1e-9 * want);
  EXPECT_GT(v[1], 0.0);
  clv::customer_lifetime_value(m, gg, {.frequency = xs, .recency = txs, .T = Ts, .monetary_value = ms}, o, v);
  EXPECT_GT(v[0], 0.0);
}
