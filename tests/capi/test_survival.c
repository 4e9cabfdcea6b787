/* The survival section of the C ABI from C: Kaplan-Meier on the leukaemia remission data of Freireich
 * et al. (1963) (6-MP vs placebo; R survfit / statsmodels digits as in tests/cpp/churn/survival_test.cpp),
 * the log-rank test (Kleinbaum & Klein's 16.79; statsmodels 16.792940989216532), durations and cohorts
 * on a hand-built log, and every error path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmkit/crmkit.h"

#include "check.h"
#define NEAR(a, b, tol) (fabs((a) - (b)) < (tol))

static const double T[42] = {6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35,
                             1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23};
static const double E[42] = {1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0,
                             1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

static void test_km(void) {
  uint32_t g[42];
  for (int i = 0; i < 42; ++i) g[i] = i < 21 ? 0u : 1u;
  const char* names[2] = {"6-MP", "placebo"};
  crmkit_km* km = NULL;
  CHECK_RC(crmkit_km_fit(T, E, NULL, g, names, 2, 42, NULL, &km), CRMKIT_OK);
  if (!km) return;
  int64_t n = 0;
  CHECK_RC(crmkit_km_curve_count(km, &n), CRMKIT_OK);
  CHECK(n == 2);
  const char* name = NULL;
  CHECK_RC(crmkit_km_curve_group(km, 1, &name), CRMKIT_OK);
  CHECK(name && strcmp(name, "placebo") == 0);
  CHECK_RC(crmkit_km_curve_len(km, 0, &n), CRMKIT_OK);
  CHECK(n == 16);
  double s[16], se[16], lo[16], hi[16], t[16];
  CHECK_RC(crmkit_km_curve_column(km, 0, "time", t, 16), CRMKIT_OK);
  CHECK_RC(crmkit_km_curve_column(km, 0, "survival", s, 16), CRMKIT_OK);
  CHECK_RC(crmkit_km_curve_column(km, 0, "std_err", se, 16), CRMKIT_OK);
  CHECK_RC(crmkit_km_curve_column(km, 0, "lower", lo, 16), CRMKIT_OK);
  CHECK_RC(crmkit_km_curve_column(km, 0, "upper", hi, 16), CRMKIT_OK);
  /* t = 6: S = 18/21 = .8571, std.err 0.0764, 95% log interval 0.720 .. 1.000 (R survfit) */
  CHECK(t[0] == 6 && NEAR(s[0], 18.0 / 21, 1e-15) && NEAR(se[0], 0.0764, 5e-5));
  CHECK(NEAR(lo[0], 0.720, 5e-4) && hi[0] == 1.0);
  /* t = 23 (row 11): .4482, 0.1346, 0.249 .. 0.807 */
  CHECK(t[11] == 23 && NEAR(s[11], 0.4482, 5e-5) && NEAR(se[11], 0.1346, 5e-5));
  CHECK(NEAR(lo[11], 0.249, 5e-4) && NEAR(hi[11], 0.807, 5e-4));
  CHECK_RC(crmkit_km_curve_column(km, 0, "survival", s, 15), CRMKIT_E_BUFFER_TOO_SMALL);
  CHECK_RC(crmkit_km_curve_column(km, 0, "hazard", s, 16), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "hazard"));
  CHECK_RC(crmkit_km_curve_column(km, 2, "survival", s, 16), CRMKIT_E_INVALID_ARGUMENT);

  double v = 0;
  CHECK_RC(crmkit_km_curve_value(km, 0, "median", &v), CRMKIT_OK);
  CHECK(v == 23);
  CHECK_RC(crmkit_km_curve_value(km, 0, "median_lower", &v), CRMKIT_OK);
  CHECK(v == 16);
  CHECK_RC(crmkit_km_curve_value(km, 0, "median_upper", &v), CRMKIT_OK);
  CHECK(isnan(v)); /* not reached */
  CHECK_RC(crmkit_km_curve_value(km, 1, "median", &v), CRMKIT_OK);
  CHECK(v == 8);
  CHECK_RC(crmkit_km_curve_value(km, 1, "events", &v), CRMKIT_OK);
  CHECK(v == 21);
  CHECK_RC(crmkit_km_curve_value(km, 1, "mean", &v), CRMKIT_E_INVALID_ARGUMENT);

  const double at[3] = {0, 12, 23};
  double sa[3], nr[3];
  CHECK_RC(crmkit_km_survival_at(km, 0, at, 3, sa, NULL, NULL, NULL, nr), CRMKIT_OK);
  CHECK(sa[0] == 1 && NEAR(sa[2], 0.4482, 5e-5) && nr[0] == 21 && nr[1] == 12);

  int32_t has = 0;
  double chi = 0, df = 0, p = 0;
  CHECK_RC(crmkit_km_logrank(km, &has, &chi, &df, &p), CRMKIT_OK);
  CHECK(has == 1 && NEAR(chi, 16.792940989216532, 1e-10) && df == 1 && NEAR(p, 4.1688091093394775e-05, 1e-14));
  double o[2], e[2];
  CHECK_RC(crmkit_km_logrank_counts(km, o, e, 2), CRMKIT_OK);
  CHECK(o[0] == 9 && o[1] == 21 && NEAR(e[0] + e[1], 30, 1e-12));

  int64_t len = 0;
  CHECK_RC(crmkit_km_to_json(km, NULL, 0, &len), CRMKIT_OK);
  CHECK(len > 100);
  char* buf = (char*)malloc((size_t)len + 1);
  CHECK_RC(crmkit_km_to_json(km, buf, len, &len), CRMKIT_E_BUFFER_TOO_SMALL);
  CHECK_RC(crmkit_km_to_json(km, buf, len + 1, &len), CRMKIT_OK);
  CHECK(HAS(buf, "\"logrank\"") && HAS(buf, "\"median_upper\":null") && HAS(buf, "\"group\":\"placebo\""));
  free(buf);
  CHECK_RC(crmkit_km_free(km), CRMKIT_OK);

  /* one curve, log-log interval: lifelines' 0.6197 .. 0.9516 at t = 6; no log-rank test */
  crmkit_options* opt = NULL;
  crmkit_options_new(&opt);
  crmkit_options_set(opt, "conf_type", "log-log");
  km = NULL;
  CHECK_RC(crmkit_km_fit(T, E, NULL, NULL, NULL, 0, 21, opt, &km), CRMKIT_OK);
  CHECK_RC(crmkit_km_curve_column(km, 0, "lower", lo, 16), CRMKIT_OK);
  CHECK(NEAR(lo[0], 0.6197, 5e-5));
  CHECK_RC(crmkit_km_logrank(km, &has, &chi, NULL, NULL), CRMKIT_OK);
  CHECK(has == 0 && isnan(chi));
  CHECK_RC(crmkit_km_logrank_counts(km, o, e, 2), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_km_free(km);
  crmkit_options_set(opt, "conf_type", "arcsine");
  CHECK_RC(crmkit_km_fit(T, E, NULL, NULL, NULL, 0, 21, opt, &km), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "log-log"));
  crmkit_options_free(opt);
  crmkit_options_new(&opt);
  crmkit_options_set(opt, "level", "0.9");
  CHECK_RC(crmkit_km_fit(T, E, NULL, NULL, NULL, 0, 21, opt, &km), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "conf_level"));
  crmkit_options_free(opt);

  /* errors */
  double bad[3] = {1, -2, 3}, ev[3] = {1, 0, 1};
  km = NULL;
  CHECK_RC(crmkit_km_fit(bad, ev, NULL, NULL, NULL, 0, 3, NULL, &km), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(km == NULL && HAS(crmkit_last_error(), "row 1"));
  CHECK_RC(crmkit_km_fit(NULL, ev, NULL, NULL, NULL, 0, 3, NULL, &km), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_km_fit(T, E, NULL, NULL, NULL, 0, 0, NULL, &km), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_km_fit(T, E, NULL, g, names, 1, 42, NULL, &km), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_km_curve_count(NULL, &n), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_km_free(NULL), CRMKIT_OK);
}

/* a: 2020-01-05 (10), 01-20 (5), 02-03 (7), 04-01 (3); b: 01-31 (20), 03-15 (4); c: 02-10 (8),
 * 02-11 (2), 03-01 (6); d: 03-31 (1). Day numbers since 1970-01-01. */
static const uint32_t C[10] = {0, 0, 1, 0, 2, 2, 2, 1, 3, 0};
static const int64_t D[10] = {18266, 18281, 18292, 18295, 18302, 18303, 18322, 18336, 18352, 18353};
static const double A[10] = {10, 5, 20, 7, 8, 2, 6, 4, 1, 3};

static void test_durations_and_cohorts(void) {
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_from_arrays(C, D, A, 10, CRMKIT_TIME_DAYS, &tx), CRMKIT_OK);
  if (!tx) return;
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "inactive_days", "30");
  crmkit_durations* d = NULL;
  CHECK_RC(crmkit_durations_compute(tx, o, &d), CRMKIT_OK);
  int64_t n = 0, end = 0;
  CHECK_RC(crmkit_durations_len(d, &n), CRMKIT_OK);
  CHECK(n == 4);
  CHECK_RC(crmkit_durations_observation_end(d, &end), CRMKIT_OK);
  CHECK(end == 18353);
  double dur[4], ev[4];
  uint32_t cust[4];
  CHECK_RC(crmkit_durations_column(d, "duration", dur, 4), CRMKIT_OK);
  CHECK_RC(crmkit_durations_column(d, "event", ev, 4), CRMKIT_OK);
  CHECK_RC(crmkit_durations_customers(d, cust, 4), CRMKIT_OK);
  CHECK(dur[0] == 87 && dur[1] == 61 && dur[2] == 20 && dur[3] == 1);
  CHECK(ev[0] == 0 && ev[1] == 0 && ev[2] == 1 && ev[3] == 0 && cust[2] == 2);
  CHECK_RC(crmkit_durations_column(d, "age", dur, 4), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_durations_column(d, "duration", dur, 3), CRMKIT_E_BUFFER_TOO_SMALL);
  crmkit_durations_free(d);
  crmkit_options_set(o, "inactive_days", "0");
  CHECK_RC(crmkit_durations_compute(tx, o, &d), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "inactive_days"));
  crmkit_options_set(o, "inactive_days", "30");
  crmkit_options_set(o, "observation_end", "2020-02-30");
  CHECK_RC(crmkit_durations_compute(tx, o, &d), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_free(o);

  crmkit_cohorts* c = NULL;
  CHECK_RC(crmkit_cohorts_compute(tx, NULL, &c), CRMKIT_OK);
  int64_t nc = 0, nk = 0;
  CHECK_RC(crmkit_cohorts_shape(c, &nc, &nk), CRMKIT_OK);
  CHECK(nc == 4 && nk == 4);
  const char* label = NULL;
  CHECK_RC(crmkit_cohorts_label(c, 1, &label), CRMKIT_OK);
  CHECK(label && strcmp(label, "2020-02") == 0);
  CHECK_RC(crmkit_cohorts_label(c, 4, &label), CRMKIT_E_INVALID_ARGUMENT);
  int64_t size[4], start[4];
  CHECK_RC(crmkit_cohorts_size(c, size, 4), CRMKIT_OK);
  CHECK(size[0] == 2 && size[1] == 1 && size[2] == 1 && size[3] == 0);
  CHECK_RC(crmkit_cohorts_start(c, start, 4), CRMKIT_OK);
  CHECK(start[0] == 18262); /* 2020-01-01 */
  double m[16];
  CHECK_RC(crmkit_cohorts_matrix(c, "active", m, 16), CRMKIT_OK);
  CHECK(m[0] == 2 && m[1] == 1 && m[2] == 1 && m[3] == 1 && m[4] == 1 && m[5] == 1 && m[6] == 0);
  CHECK_RC(crmkit_cohorts_matrix(c, "retention", m, 16), CRMKIT_OK);
  CHECK(m[1] == 0.5 && isnan(m[7]) && isnan(m[12]));
  CHECK_RC(crmkit_cohorts_matrix(c, "revenue", m, 16), CRMKIT_OK);
  CHECK(m[0] == 35 && m[4] == 10 && m[5] == 6);
  CHECK_RC(crmkit_cohorts_matrix(c, "observed", m, 16), CRMKIT_OK);
  CHECK(m[3] == 1 && m[7] == 0);
  CHECK_RC(crmkit_cohorts_matrix(c, "churn", m, 16), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_cohorts_matrix(c, "active", m, 15), CRMKIT_E_BUFFER_TOO_SMALL);
  int64_t len = 0;
  CHECK_RC(crmkit_cohorts_to_json(c, NULL, 0, &len), CRMKIT_OK);
  char* buf = (char*)malloc((size_t)len + 1);
  CHECK_RC(crmkit_cohorts_to_json(c, buf, len + 1, &len), CRMKIT_OK);
  CHECK(HAS(buf, "\"cohort\":\"2020-01\"") && HAS(buf, "\"active\":[2,1,1,1]"));
  free(buf);
  crmkit_cohorts_free(c);

  crmkit_options_new(&o);
  crmkit_options_set(o, "period", "quarter");
  CHECK_RC(crmkit_cohorts_compute(tx, o, &c), CRMKIT_OK);
  CHECK_RC(crmkit_cohorts_shape(c, &nc, &nk), CRMKIT_OK);
  CHECK(nc == 2);
  crmkit_cohorts_free(c);
  crmkit_options_set(o, "period", "decade");
  CHECK_RC(crmkit_cohorts_compute(tx, o, &c), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "month, quarter or week"));
  crmkit_options_free(o);
  CHECK_RC(crmkit_cohorts_compute(NULL, NULL, &c), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_cohorts_free(NULL), CRMKIT_OK);
  CHECK_RC(crmkit_durations_free(NULL), CRMKIT_OK);
  crmkit_transactions_free(tx);
}

int main(void) {
  test_km();
  test_durations_and_cohorts();
  printf("test_survival: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
