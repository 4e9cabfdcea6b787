/* The CLV section of the C ABI from C: published BG/NBD and Gamma-Gamma values on CDNOW, JSON round trip,
 * predictions into caller buffers, CLV, and every error path returning a status with a message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmkit/crmkit.h"

#include "check.h"

enum { N = 2357 };
static double x[N], tx[N], T[N], zbar[N];

/* cdnow_customers_summary_with_transactions.csv: ID,x,t_x,T,zbar */
static int load(void) {
  char path[4096];
  snprintf(path, sizeof path, "%s/cdnow_customers_summary_with_transactions.csv", CRMKIT_TEST_DATA);
  FILE* f = fopen(path, "r");
  if (!f) return 0;
  char line[256];
  if (!fgets(line, sizeof line, f)) return 0;
  int n = 0, id;
  while (n < N && fscanf(f, "%d,%lf,%lf,%lf,%lf", &id, &x[n], &tx[n], &T[n], &zbar[n]) == 5) ++n;
  fclose(f);
  return n == N;
}

static void test_bgnbd(void) {
  crmkit_clv_model* m = NULL;
  CHECK_RC(crmkit_clv_fit("bgnbd", x, tx, T, NULL, NULL, N, NULL, &m), CRMKIT_OK);
  if (!m) return;
  const char* key = NULL;
  CHECK_RC(crmkit_clv_model_key(m, &key), CRMKIT_OK);
  CHECK(strcmp(key, "bgnbd") == 0);
  int64_t k = 0;
  CHECK_RC(crmkit_clv_param_count(m, &k), CRMKIT_OK);
  CHECK(k == 4);
  /* Fader, Hardie & Lee (2005): r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4 */
  const double published[4] = {0.243, 4.414, 0.793, 2.426};
  const char* names[4] = {"r", "alpha", "a", "b"};
  for (int64_t i = 0; i < 4; ++i) {
    const char* name = NULL;
    double v = 0, se = 0;
    CHECK_RC(crmkit_clv_param(m, i, &name, &v, &se), CRMKIT_OK);
    CHECK(strcmp(name, names[i]) == 0);
    CHECK(fabs(v - published[i]) <= 0.0005);
    CHECK(se > 0 && isfinite(se));
  }
  int32_t fitted = 0, converged = 0, iterations = 0;
  double ll = 0, gnorm = 0;
  CHECK_RC(crmkit_clv_fit_info(m, &fitted, &ll, &converged, &iterations, &gnorm), CRMKIT_OK);
  CHECK(fitted == 1 && converged == 1 && iterations > 0);
  CHECK(fabs(ll + 9582.4) <= 0.05);
  /* E[Y(39) | x = 2, t_x = 30.43, T = 38.86] = 1.226 (customer 1) */
  double e[N], p[N];
  CHECK_RC(crmkit_clv_predict(m, "conditional_expected_purchases", 39, x, tx, T, NULL, N, e), CRMKIT_OK);
  CHECK(fabs(e[0] - 1.226) < 0.0005);
  CHECK_RC(crmkit_clv_predict(m, "p_alive", 0, x, tx, T, NULL, N, p), CRMKIT_OK);
  int ok = 1;
  for (int i = 0; i < N; ++i) ok = ok && p[i] >= 0 && p[i] <= 1;
  CHECK(ok);
  CHECK_RC(crmkit_clv_predict(m, "no_such", 0, x, tx, T, NULL, N, p), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "p_alive"));
  CHECK_RC(crmkit_clv_predict(m, "p_alive", 0, NULL, tx, T, NULL, N, p), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "frequency"));

  /* JSON: length query, short buffer, round trip */
  int64_t len = 0;
  CHECK_RC(crmkit_clv_to_json(m, NULL, 0, &len), CRMKIT_OK);
  CHECK(len > 20);
  char small[8];
  CHECK_RC(crmkit_clv_to_json(m, small, sizeof small, &len), CRMKIT_E_BUFFER_TOO_SMALL);
  char* buf = malloc((size_t)len + 1);
  CHECK_RC(crmkit_clv_to_json(m, buf, len + 1, &len), CRMKIT_OK);
  CHECK(HAS(buf, "\"model\":\"bgnbd\"") && HAS(buf, "\"log_likelihood\""));
  crmkit_clv_model* back = NULL;
  CHECK_RC(crmkit_clv_from_json(buf, &back), CRMKIT_OK);
  double e2[N];
  CHECK_RC(crmkit_clv_predict(back, "conditional_expected_purchases", 39, x, tx, T, NULL, N, e2), CRMKIT_OK);
  CHECK(e2[0] == e[0] && e2[N - 1] == e[N - 1]);
  free(buf);
  crmkit_clv_free(back);
  crmkit_clv_free(m);
}

static void test_gg_and_value(void) {
  crmkit_clv_model* g = NULL;
  CHECK_RC(crmkit_clv_fit("gg", x, NULL, NULL, zbar, NULL, N, NULL, &g), CRMKIT_OK);
  if (!g) return;
  /* Fader & Hardie (2013): p 6.25, q 3.74, gamma 15.44 */
  double v[3];
  for (int64_t i = 0; i < 3; ++i) CHECK_RC(crmkit_clv_param(g, i, NULL, &v[i], NULL), CRMKIT_OK);
  CHECK(fabs(v[0] - 6.25) <= 0.01 && fabs(v[1] - 3.74) <= 0.01 && fabs(v[2] - 15.44) <= 0.01);

  /* CLV at fixed parameters: lifetimes' recipe, spot values of tests/cpp/clv/model_test.cpp */
  const double bgp[4] = {0.243, 4.414, 0.793, 2.426}, ggp[3] = {6.25, 3.74, 15.44};
  crmkit_clv_model *bg = NULL, *gg = NULL;
  CHECK_RC(crmkit_clv_from_params("bgnbd", bgp, 4, &bg), CRMKIT_OK);
  CHECK_RC(crmkit_clv_from_params("gg", ggp, 3, &gg), CRMKIT_OK);
  const double cx[2] = {2, 0}, ctx[2] = {30.43, 0}, cT[2] = {38.86, 38.86}, cm[2] = {22.35, 0};
  const char* kv[] = {"months", "12", "discount_rate", "0.01", "periods_per_month", "4.345", NULL};
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  for (int i = 0; kv[i]; i += 2) crmkit_options_set(o, kv[i], kv[i + 1]);
  double out[2];
  CHECK_RC(crmkit_clv_value(bg, gg, cx, ctx, cT, cm, 2, o, out), CRMKIT_OK);
  CHECK(fabs(out[0] - 36.28921112559922) < 1e-8 && fabs(out[1] - 8.369004358920181) < 1e-8);
  CHECK_RC(crmkit_clv_value(gg, gg, cx, ctx, cT, cm, 2, o, out), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_set(o, "monthz", "1");
  CHECK_RC(crmkit_clv_value(bg, gg, cx, ctx, cT, cm, 2, o, out), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "monthz"));
  crmkit_options_free(o);
  int32_t fitted = 1;
  CHECK_RC(crmkit_clv_fit_info(bg, &fitted, NULL, NULL, NULL, NULL), CRMKIT_OK);
  CHECK(fitted == 0);
  crmkit_clv_free(bg);
  crmkit_clv_free(gg);
  crmkit_clv_free(g);
}

static void test_sbg_columns(void) {
  /* Fader & Hardie (2007): 'regular' cohort -> alpha 0.704, beta 1.182 */
  const double active[8] = {1000, 631, 468, 382, 326, 289, 262, 241};
  const char* names[1] = {"active"};
  const double* cols[1] = {active};
  crmkit_clv_model* m = NULL;
  CHECK_RC(crmkit_clv_fit_columns("sbg", names, cols, 1, 8, NULL, &m), CRMKIT_OK);
  if (!m) return;
  double a = 0, b = 0;
  CHECK_RC(crmkit_clv_param(m, 0, NULL, &a, NULL), CRMKIT_OK);
  CHECK_RC(crmkit_clv_param(m, 1, NULL, &b, NULL), CRMKIT_OK);
  CHECK(fabs(a - 0.704) <= 0.0005 && fabs(b - 1.182) <= 0.0005);
  const double t[3] = {0, 1, 7};
  const char* pn[1] = {"periods"};
  const double* pc[1] = {t};
  double s[3];
  CHECK_RC(crmkit_clv_predict_columns(m, "survival", 0, pn, pc, 1, 3, s), CRMKIT_OK);
  CHECK(s[0] == 1.0 && s[1] < 1 && s[2] < s[1]);
  const char* bad[1] = {"activ"};
  crmkit_clv_model* none = NULL;
  CHECK_RC(crmkit_clv_fit_columns("sbg", bad, cols, 1, 8, NULL, &none), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(none == NULL);
  CHECK(HAS(crmkit_last_error(), "activ"));
  crmkit_clv_free(m);
}

static void test_bgbb_columns(void) {
  /* Fader, Hardie & Shang (2010), donations: alpha 1.204, beta 0.750, gamma 0.657, delta 2.783 */
  char path[4096];
  snprintf(path, sizeof path, "%s/donations.csv", CRMKIT_TEST_DATA);
  FILE* f = fopen(path, "r");
  CHECK(f != NULL);
  if (!f) return;
  double fx[64], fr[64], fn[64], fw[64];
  char line[256];
  int n = 0;
  if (fgets(line, sizeof line, f))
    while (n < 64 && fscanf(f, "%lf,%lf,%lf,%lf", &fx[n], &fr[n], &fn[n], &fw[n]) == 4) ++n;
  fclose(f);
  CHECK(n == 22);
  const char* names[4] = {"frequency", "recency", "n_periods", "weights"};
  const double* cols[4] = {fx, fr, fn, fw};
  crmkit_clv_model* m = NULL;
  CHECK_RC(crmkit_clv_fit_columns("bgbb", names, cols, 4, n, NULL, &m), CRMKIT_OK);
  if (!m) return;
  const double published[4] = {1.204, 0.750, 0.657, 2.783};
  for (int64_t i = 0; i < 4; ++i) {
    double v = 0;
    CHECK_RC(crmkit_clv_param(m, i, NULL, &v, NULL), CRMKIT_OK);
    CHECK(fabs(v - published[i]) <= 0.0005);
  }
  double alive[64];
  CHECK_RC(crmkit_clv_predict_columns(m, "p_alive", 0, names, cols, 3, n, alive), CRMKIT_OK);
  CHECK(alive[0] >= 0 && alive[0] <= 1);
  crmkit_clv_free(m);
}

/* Pareto/NBD on CDNOW: Fader & Hardie (2005) r 0.5534, alpha 10.5796, s 0.6061, beta 11.6650, LL -9594.98
 * (tolerances of tests/cpp/clv/pareto_nbd_test.cpp: the surface is flat along alpha/beta); BTYD's
 * walkthrough P(alive | 26, 30.86, 31) = 0.9979; DERT; JSON round trip; CLV with Gamma-Gamma. */
static void test_pnbd(void) {
  crmkit_clv_model* m = NULL;
  CHECK_RC(crmkit_clv_fit("pnbd", x, tx, T, NULL, NULL, N, NULL, &m), CRMKIT_OK);
  if (!m) return;
  const char* key = NULL;
  CHECK_RC(crmkit_clv_model_key(m, &key), CRMKIT_OK);
  CHECK(strcmp(key, "pnbd") == 0);
  const char* names[4] = {"r", "alpha", "s", "beta"};
  const double published[4] = {0.5534, 10.5796, 0.6061, 11.6650}, tol[4] = {0.0002, 0.005, 0.0002, 0.015};
  for (int64_t i = 0; i < 4; ++i) {
    const char* name = NULL;
    double v = 0, se = 0;
    CHECK_RC(crmkit_clv_param(m, i, &name, &v, &se), CRMKIT_OK);
    CHECK(strcmp(name, names[i]) == 0);
    CHECK(fabs(v - published[i]) <= tol[i]);
    CHECK(se > 0 && isfinite(se));
  }
  int32_t fitted = 0, converged = 0, iterations = 0;
  double ll = 0, gnorm = 0;
  CHECK_RC(crmkit_clv_fit_info(m, &fitted, &ll, &converged, &iterations, &gnorm), CRMKIT_OK);
  CHECK(fitted == 1 && converged == 1 && iterations > 0);
  CHECK(fabs(ll + 9594.98) <= 0.02);
  const double x1[1] = {26}, t1[1] = {30.86}, T1[1] = {31};
  double p[1], d[1], e[1];
  CHECK_RC(crmkit_clv_predict(m, "p_alive", 0, x1, t1, T1, NULL, 1, p), CRMKIT_OK);
  CHECK(fabs(p[0] - 0.9979) < 0.00005);
  CHECK_RC(crmkit_clv_predict(m, "dert", 0.0027, x1, t1, T1, NULL, 1, d), CRMKIT_OK);
  CHECK_RC(crmkit_clv_predict(m, "conditional_expected_purchases", 52, x1, t1, T1, NULL, 1, e), CRMKIT_OK);
  CHECK(d[0] > e[0] && isfinite(d[0]));  /* all future purchases, discounted, exceed the next year's */
  CHECK_RC(crmkit_clv_predict(m, "dert", 0, x1, t1, T1, NULL, 1, d), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "delta"));
  /* BTYD's pnbd.Expectation at t = 1, ..., 3 (lifetimes' test_expectation_returns_same_value_as_R_BTYD) */
  const double btyd[3] = {0.05077821, 0.09916088, 0.14542507};
  for (int t = 1; t <= 3; ++t) {
    double u[1];
    CHECK_RC(crmkit_clv_predict(m, "expected_purchases", t, NULL, NULL, NULL, NULL, 1, u), CRMKIT_OK);
    CHECK(fabs(u[0] - btyd[t - 1]) < 0.001);
  }
  int64_t len = 0;
  CHECK_RC(crmkit_clv_to_json(m, NULL, 0, &len), CRMKIT_OK);
  char* buf = malloc((size_t)len + 1);
  CHECK_RC(crmkit_clv_to_json(m, buf, len + 1, &len), CRMKIT_OK);
  CHECK(HAS(buf, "\"model\":\"pnbd\"") && HAS(buf, "\"beta\""));
  crmkit_clv_model* back = NULL;
  CHECK_RC(crmkit_clv_from_json(buf, &back), CRMKIT_OK);
  double p2[1];
  CHECK_RC(crmkit_clv_predict(back, "p_alive", 0, x1, t1, T1, NULL, 1, p2), CRMKIT_OK);
  CHECK(p2[0] == p[0]);
  free(buf);
  crmkit_clv_free(back);
  /* CLV with a Pareto/NBD transaction model */
  const double ggp[3] = {6.25, 3.74, 15.44};
  crmkit_clv_model* gg = NULL;
  CHECK_RC(crmkit_clv_from_params("gg", ggp, 3, &gg), CRMKIT_OK);
  double v[N];
  CHECK_RC(crmkit_clv_value(m, gg, x, tx, T, zbar, N, NULL, v), CRMKIT_OK);
  int ok = 1;
  for (int i = 0; i < N; ++i) ok = ok && isfinite(v[i]) && v[i] >= 0;
  CHECK(ok && v[0] > 0);
  crmkit_clv_free(gg);
  crmkit_clv_free(m);
}

/* MBG/NBD on CDNOW: lifetimes / BTYDplus r 0.525, alpha 6.183, a 0.891, b 1.614 (3 decimals); P(alive) < 1
 * at x = 0; the published parameters through crmkit_clv_from_params. */
static void test_mbgnbd(void) {
  crmkit_clv_model* m = NULL;
  CHECK_RC(crmkit_clv_fit("mbgnbd", x, tx, T, NULL, NULL, N, NULL, &m), CRMKIT_OK);
  if (!m) return;
  const double published[4] = {0.525, 6.183, 0.891, 1.614};
  for (int64_t i = 0; i < 4; ++i) {
    double v = 0;
    CHECK_RC(crmkit_clv_param(m, i, NULL, &v, NULL), CRMKIT_OK);
    CHECK(fabs(v - published[i]) <= 0.0015);
  }
  const double x0[1] = {0}, t0[1] = {0}, T0[1] = {38.86};
  double p[1];
  CHECK_RC(crmkit_clv_predict(m, "p_alive", 0, x0, t0, T0, NULL, 1, p), CRMKIT_OK);
  CHECK(p[0] > 0 && p[0] < 1);
  crmkit_clv_free(m);
  CHECK_RC(crmkit_clv_from_params("mbgnbd", published, 4, &m), CRMKIT_OK);
  double pr[3];
  const double n[3] = {0, 1, 2};
  CHECK_RC(crmkit_clv_predict(m, "probability_of_n_purchases", 39, n, NULL, NULL, NULL, 3, pr), CRMKIT_OK);
  CHECK(pr[0] > pr[1] && pr[1] > pr[2] && pr[2] > 0);
  crmkit_clv_free(m);
}

static void test_errors(void) {
  crmkit_clv_model* m = (crmkit_clv_model*)1;
  CHECK_RC(crmkit_clv_fit("pnbdx", x, tx, T, NULL, NULL, N, NULL, &m), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(m == NULL);
  CHECK(HAS(crmkit_last_error(), "pnbd, mbgnbd"));
  CHECK_RC(crmkit_clv_fit("pnbd", x, NULL, T, NULL, NULL, N, NULL, &m), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "recency"));
  CHECK_RC(crmkit_clv_fit(NULL, x, tx, T, NULL, NULL, N, NULL, &m), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_clv_fit("bgnbd", x, tx, T, NULL, NULL, -1, NULL, &m), CRMKIT_E_INVALID_ARGUMENT);
  const double bad[2] = {1, 2};
  CHECK_RC(crmkit_clv_from_params("bgnbd", bad, 2, &m), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_clv_from_json("{nope", &m), CRMKIT_E_PARSE);
  CHECK_RC(crmkit_clv_from_json("{\"model\":\"gg\",\"params\":{\"p\":1}}", &m), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_clv_free(NULL), CRMKIT_OK);
}

int main(void) {
  if (!load()) {
    fprintf(stderr, "cannot read the CDNOW summary from %s\n", CRMKIT_TEST_DATA);
    return 1;
  }
  test_bgnbd();
  test_gg_and_value();
  test_sbg_columns();
  test_bgbb_columns();
  test_pnbd();
  test_mbgnbd();
  test_errors();
  printf("%d checks passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
