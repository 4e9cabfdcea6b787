/* DERT and CLV by DERT through the C ABI, from C: BG/NBD and MBG/NBD "dert" predictions (mpmath values at 30
 * digits, tests/cpp/clv/dert_test.cpp), crmkit_clv_value with method=dert against margin x spend x DERT, and
 * BG/BB's "dert" and "probability_of_n_purchases" (direct summation of FHS 2010's definitions); every error
 * path returns a status and a message. */
#include <math.h>
#include <stdio.h>

#include "crmkit/crmkit.h"

#include "check.h"

static double rel(double a, double b) { return fabs(a - b) / fabs(b); }

static void test_dert_and_value(void) {
  const double bgp[4] = {0.243, 4.414, 0.793, 2.426}, mbgp[4] = {0.525, 6.183, 0.891, 1.614};
  const double ggp[3] = {6.25, 3.74, 15.44};
  crmkit_clv_model *bg = NULL, *mbg = NULL, *gg = NULL;
  CHECK_RC(crmkit_clv_from_params("bgnbd", bgp, 4, &bg), CRMKIT_OK);
  CHECK_RC(crmkit_clv_from_params("mbgnbd", mbgp, 4, &mbg), CRMKIT_OK);
  CHECK_RC(crmkit_clv_from_params("gg", ggp, 3, &gg), CRMKIT_OK);
  if (!bg || !mbg || !gg) return;
  const double x[2] = {2, 0}, tx[2] = {30.43, 0}, T[2] = {38.86, 38.86}, m[2] = {22.35, 0};
  const double delta = log(1.01) / 4.345; /* 1% a month, per week */
  double d[2] = {0, 0}, spend[2] = {0, 0}, v[2] = {0, 0};
  CHECK_RC(crmkit_clv_predict(bg, "dert", delta, x, tx, T, NULL, 2, d), CRMKIT_OK);
  CHECK(rel(d[0], 5.6473859945975983856) < 1e-9);
  CHECK(rel(d[1], 1.1303702188513086425) < 1e-9);
  double md[2] = {0, 0};
  CHECK_RC(crmkit_clv_predict(mbg, "dert", delta, x, tx, T, NULL, 2, md), CRMKIT_OK);
  CHECK(rel(md[0], 5.3447538590530408749) < 1e-9);
  CHECK(rel(md[1], 0.7971582270940894642) < 1e-9);
  CHECK_RC(crmkit_clv_predict(bg, "dert", 0, x, tx, T, NULL, 2, d), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "delta"));

  CHECK_RC(crmkit_clv_predict(gg, "conditional_expected_spend", 0, x, NULL, NULL, m, 2, spend), CRMKIT_OK);
  CHECK_RC(crmkit_clv_predict(bg, "dert", delta, x, tx, T, NULL, 2, d), CRMKIT_OK);
  crmkit_options* o = NULL;
  CHECK_RC(crmkit_options_new(&o), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "method", "dert"), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "discount_rate", "0.01"), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "periods_per_month", "4.345"), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "margin", "0.3"), CRMKIT_OK);
  CHECK_RC(crmkit_clv_value(bg, gg, x, tx, T, m, 2, o, v), CRMKIT_OK);
  CHECK(rel(v[0], 0.3 * spend[0] * d[0]) < 1e-12);
  CHECK(rel(v[1], 0.3 * spend[1] * d[1]) < 1e-12);
  /* the default method is lifetimes' monthly recipe: 12 months is less than everything, discounted */
  double monthly[2] = {0, 0};
  CHECK_RC(crmkit_options_set(o, "method", "monthly"), CRMKIT_OK);
  CHECK_RC(crmkit_clv_value(bg, gg, x, tx, T, m, 2, o, monthly), CRMKIT_OK);
  CHECK(monthly[0] > 0 && monthly[0] < v[0]);
  CHECK_RC(crmkit_options_set(o, "method", "yearly"), CRMKIT_OK);
  CHECK_RC(crmkit_clv_value(bg, gg, x, tx, T, m, 2, o, v), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "monthly or dert"));
  CHECK_RC(crmkit_options_set(o, "method", "dert"), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "discount_rate", "0"), CRMKIT_OK);
  CHECK_RC(crmkit_clv_value(bg, gg, x, tx, T, m, 2, o, v), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "discount_rate"));
  crmkit_options_free(o);
  crmkit_clv_free(bg);
  crmkit_clv_free(mbg);
  crmkit_clv_free(gg);
}

static void test_bgbb(void) {
  const double p[4] = {1.204, 0.750, 0.657, 2.783};
  crmkit_clv_model* bb = NULL;
  CHECK_RC(crmkit_clv_from_params("bgbb", p, 4, &bb), CRMKIT_OK);
  if (!bb) return;
  const double f[2] = {3, 0}, r[2] = {4, 0}, n[2] = {6, 6};
  const char* names[3] = {"frequency", "recency", "n_periods"};
  const double* cols[3] = {f, r, n};
  double out[2] = {0, 0};
  CHECK_RC(crmkit_clv_predict_columns(bb, "dert", 0.1, names, cols, 3, 2, out), CRMKIT_OK);
  CHECK(rel(out[0], 1.6286607730608238221) < 1e-10);
  CHECK(rel(out[1], 0.114646996181764105) < 1e-10);
  CHECK_RC(crmkit_clv_predict_columns(bb, "probability_of_n_purchases", 6, names, cols, 1, 2, out), CRMKIT_OK);
  CHECK(rel(out[0], 0.10026311502480368974) < 1e-10);
  CHECK(rel(out[1], 0.31121774326384934717) < 1e-10);
  CHECK_RC(crmkit_clv_predict_columns(bb, "dert", -0.1, names, cols, 3, 2, out), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "discount_rate"));
  CHECK_RC(crmkit_clv_predict_columns(bb, "dert", 0.1, names, cols, 1, 2, out), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "recency"));
  CHECK_RC(crmkit_clv_predict_columns(bb, "probability_of_n_purchases", 2.5, names, cols, 1, 2, out),
           CRMKIT_E_INVALID_ARGUMENT);
  crmkit_clv_free(bb);
}

int main(void) {
  test_dert_and_value();
  test_bgbb();
  printf("%d checks passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
