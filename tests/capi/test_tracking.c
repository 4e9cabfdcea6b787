/* The tracking section of the C ABI from C (crmkit/c/tracking.h): expected cumulative / incremental repeat
 * transactions for bgnbd, mbgnbd and pnbd handles against a per-customer sum of crmkit_clv_predict's
 * "expected_purchases"; actual vs predicted on the CDNOW 1/10 sample (weekly, calibration to 1997-09-30,
 * 78 weeks): 2,457 repeat transactions by week 39 (the sum of x in Fader & Hardie's published calibration
 * summary) and 4,339 by week 78 (x + x*, tests/cpp/clv/tracking_test.cpp); every error path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmkit/crmkit.h"

#include "check.h"

static crmkit_options* opts(const char* const* kv) {
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  for (; kv[0]; kv += 2) crmkit_options_set(o, kv[0], kv[1]);
  return o;
}

static crmkit_clv_model* model(const char* key, double p0, double p1, double p2, double p3) {
  const double v[4] = {p0, p1, p2, p3};
  crmkit_clv_model* m = NULL;
  CHECK_RC(crmkit_clv_from_params(key, v, 4, &m), CRMKIT_OK);
  return m;
}

static void test_arrays(crmkit_clv_model* m) {
  /* three customers born at 0, 0 and 1.5 (weeks), as two groups with weights 2 and 1 */
  const double born[3] = {0.0, 0.0, 1.5}, groups[2] = {0.0, 1.5}, w[2] = {2.0, 1.0};
  const double t[4] = {1.0, 1.5, 10.0, 39.0};
  double cum[4], cum_w[4], inc[4];
  CHECK_RC(crmkit_clv_expected_cumulative(m, born, NULL, 3, t, 4, cum), CRMKIT_OK);
  CHECK_RC(crmkit_clv_expected_cumulative(m, groups, w, 2, t, 4, cum_w), CRMKIT_OK);
  CHECK_RC(crmkit_clv_expected_incremental(m, born, NULL, 3, t, 4, inc), CRMKIT_OK);
  double running = 0;
  for (int j = 0; j < 4; ++j) {
    double e[3], want = 0;
    for (int i = 0; i < 3; ++i) {
      e[i] = 0;
      if (born[i] < t[j]) CHECK_RC(crmkit_clv_predict(m, "expected_purchases", t[j] - born[i], NULL, NULL, NULL, NULL, 1, &e[i]), CRMKIT_OK);
      want += e[i];
    }
    CHECK(fabs(cum[j] - want) <= 1e-12 * want);
    CHECK(fabs(cum_w[j] - cum[j]) <= 1e-14 * cum[j]);
    running += inc[j];
    CHECK(fabs(running - cum[j]) <= 1e-12 * cum[j]);
    if (j > 0) CHECK(cum[j] > cum[j - 1]);
  }
}

static void test_track(crmkit_clv_model* m) {
  const char* rkv[] = {"customer_col", "2", "date_col", "3", "amount_col", "5", "header", "no", NULL};
  char path[4096];
  snprintf(path, sizeof path, "%s/CDNOW_sample.txt", CRMKIT_TEST_DATA);
  crmkit_options* ro = opts(rkv);
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_read_csv(path, ro, &tx), CRMKIT_OK);
  crmkit_options_free(ro);
  const char* kv[] = {"period", "week", "calibration_end", "1997-09-30", "observation_end", "1998-06-30", NULL};
  crmkit_options* o = opts(kv);
  crmkit_tracking* tr = NULL;
  CHECK_RC(crmkit_clv_track(m, tx, o, &tr), CRMKIT_OK);
  int64_t n = 0;
  CHECK_RC(crmkit_tracking_len(tr, &n), CRMKIT_OK);
  CHECK(n == 78);
  if (n == 78) {
    double period[78], t[78], ac[78], pc[78], ai[78], pi[78];
    int64_t dates[78];
    CHECK_RC(crmkit_tracking_column(tr, "period", period, n), CRMKIT_OK);
    CHECK_RC(crmkit_tracking_column(tr, "t", t, n), CRMKIT_OK);
    CHECK_RC(crmkit_tracking_column(tr, "actual_cumulative", ac, n), CRMKIT_OK);
    CHECK_RC(crmkit_tracking_column(tr, "predicted_cumulative", pc, n), CRMKIT_OK);
    CHECK_RC(crmkit_tracking_column(tr, "actual_incremental", ai, n), CRMKIT_OK);
    CHECK_RC(crmkit_tracking_column(tr, "predicted_incremental", pi, n), CRMKIT_OK);
    CHECK_RC(crmkit_tracking_dates(tr, dates, n), CRMKIT_OK);
    CHECK(period[0] == 1 && period[77] == 78);
    CHECK(dates[0] == 9868);                   /* 1997-01-07 (1997-01-01 is day 9862) */
    CHECK(dates[38] == 10134 && dates[77] == 10407); /* 1997-09-30, 1998-06-30 */
    CHECK(t[38] == 272.0 / 7.0);               /* the summary's T of a 1997-01-01 customer */
    CHECK(ac[38] == 2457 && ac[77] == 4339);
    double sa = 0, sp = 0;
    int monotone = 1;
    for (int k = 0; k < 78; ++k) {
      sa += ai[k];
      sp += pi[k];
      if (k > 0 && (pc[k] < pc[k - 1] || ac[k] < ac[k - 1])) monotone = 0;
    }
    CHECK(monotone);
    CHECK(sa == ac[77]);
    CHECK(fabs(sp - pc[77]) <= 1e-10 * pc[77]);
    CHECK(fabs(pc[77] / ac[77] - 1.0) < 0.08); /* 4166.4, 4052.5, 4270.4 for the three models */
    CHECK_RC(crmkit_tracking_column(tr, "actual_cumulative", ac, 77), CRMKIT_E_BUFFER_TOO_SMALL);
    CHECK_RC(crmkit_tracking_dates(tr, dates, 3), CRMKIT_E_BUFFER_TOO_SMALL);
    CHECK_RC(crmkit_tracking_column(tr, "frequency", ac, n), CRMKIT_E_INVALID_ARGUMENT);
    CHECK(HAS(crmkit_last_error(), "must be one of period, t, actual_cumulative"));
  }
  int64_t start = 0, end = 0, cal = 0, customers = 0;
  CHECK_RC(crmkit_tracking_info(tr, &start, &end, &cal, &customers), CRMKIT_OK);
  CHECK(start == 9862 && end == 10407 && cal == 39 && customers == 2357);
  CHECK_RC(crmkit_tracking_info(tr, NULL, NULL, NULL, NULL), CRMKIT_OK);
  CHECK_RC(crmkit_tracking_free(tr), CRMKIT_OK);
  crmkit_options_free(o);

  /* periods beyond the observation end: actual NaN, predictions go on */
  const char* kv2[] = {"period", "week", "observation_end", "1997-09-30", "periods", "40", NULL};
  o = opts(kv2);
  tr = NULL;
  CHECK_RC(crmkit_clv_track(m, tx, o, &tr), CRMKIT_OK);
  crmkit_options_free(o);
  CHECK_RC(crmkit_tracking_len(tr, &n), CRMKIT_OK);
  CHECK(n == 40);
  if (n == 40) {
    double ac[40], pc[40];
    CHECK_RC(crmkit_tracking_column(tr, "actual_cumulative", ac, n), CRMKIT_OK);
    CHECK_RC(crmkit_tracking_column(tr, "predicted_cumulative", pc, n), CRMKIT_OK);
    CHECK(ac[38] == 2457 && isnan(ac[39]) && pc[39] > pc[38]);
  }
  crmkit_tracking_free(tr);

  /* errors */
  const char* bad_key[] = {"perod", "week", NULL};
  o = opts(bad_key);
  tr = NULL;
  CHECK_RC(crmkit_clv_track(m, tx, o, &tr), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(tr == NULL && HAS(crmkit_last_error(), "'perod'"));
  crmkit_options_free(o);
  const char* bad_split[] = {"calibration_end", "1998-06-30", NULL};
  o = opts(bad_split);
  CHECK_RC(crmkit_clv_track(m, tx, o, &tr), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "must be before the observation end"));
  crmkit_options_free(o);
  const char* bad_date[] = {"observation_end", "1998-13-01", NULL};
  o = opts(bad_date);
  CHECK_RC(crmkit_clv_track(m, tx, o, &tr), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_free(o);
  const char* bad_periods[] = {"periods", "-1", NULL};
  o = opts(bad_periods);
  CHECK_RC(crmkit_clv_track(m, tx, o, &tr), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_free(o);
  CHECK_RC(crmkit_clv_track(m, NULL, NULL, &tr), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_clv_track(NULL, tx, NULL, &tr), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_clv_track(m, tx, NULL, NULL), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_transactions_free(tx);
}

static void test_errors(crmkit_clv_model* bg) {
  const double s[2] = {0.0, 1.0}, t[2] = {1.0, 2.0}, down[2] = {2.0, 1.0}, neg[2] = {1.0, -1.0};
  double out[2];
  crmkit_clv_model* gg = NULL;
  const double gp[3] = {6.25, 3.74, 15.44};
  CHECK_RC(crmkit_clv_from_params("gg", gp, 3, &gg), CRMKIT_OK);
  CHECK_RC(crmkit_clv_expected_cumulative(gg, s, NULL, 2, t, 2, out), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "bgnbd, mbgnbd or pnbd"));
  crmkit_clv_free(gg);
  CHECK_RC(crmkit_clv_expected_cumulative(NULL, s, NULL, 2, t, 2, out), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_clv_expected_cumulative(bg, NULL, NULL, 2, t, 2, out), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_clv_expected_cumulative(bg, s, NULL, 2, t, 2, NULL), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_clv_expected_cumulative(bg, s, NULL, -1, t, 2, out), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_clv_expected_cumulative(bg, s, neg, 2, t, 2, out), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "weights[1]"));
  CHECK_RC(crmkit_clv_expected_incremental(bg, s, NULL, 2, down, 2, out), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "non-decreasing"));
  CHECK_RC(crmkit_clv_expected_cumulative(bg, s, NULL, 2, down, 2, out), CRMKIT_OK); /* any order */
  CHECK_RC(crmkit_clv_expected_cumulative(bg, NULL, NULL, 0, t, 2, out), CRMKIT_OK);  /* empty cohort */
  CHECK(out[0] == 0 && out[1] == 0);
  CHECK_RC(crmkit_tracking_len(NULL, NULL), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_tracking_free(NULL), CRMKIT_OK);
}

int main(void) {
  crmkit_clv_model* bg = model("bgnbd", 0.243, 4.414, 0.793, 2.426);
  crmkit_clv_model* mbg = model("mbgnbd", 0.525, 6.183, 0.891, 1.614);
  crmkit_clv_model* pnbd = model("pnbd", 0.5534, 10.5796, 0.6061, 11.6650);
  crmkit_clv_model* all[3] = {bg, mbg, pnbd};
  for (int i = 0; i < 3; ++i) {
    if (!all[i]) continue;
    test_arrays(all[i]);
    test_track(all[i]);
  }
  if (bg) test_errors(bg);
  for (int i = 0; i < 3; ++i) crmkit_clv_free(all[i]);
  printf("%d checks passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
