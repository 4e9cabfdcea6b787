/* The C ABI exercised from C: every status code, ownership rules, and values on CDNOW. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmkit/crmkit.h"

#include "check.h"

static char path_buf[4096];
static const char* data(const char* file) {
  snprintf(path_buf, sizeof path_buf, "%s/%s", CRMKIT_TEST_DATA, file);
  return path_buf;
}

static crmkit_options* opts(const char* const* kv) {
  crmkit_options* o = NULL;
  if (crmkit_options_new(&o) != CRMKIT_OK) return NULL;
  for (; kv[0]; kv += 2) crmkit_options_set(o, kv[0], kv[1]);
  return o;
}

static void test_library(void) {
  CHECK(strcmp(crmkit_version(), "") != 0);
  CHECK(crmkit_abi_version() == CRMKIT_ABI_VERSION);
  CHECK(strcmp(crmkit_status_name(CRMKIT_E_PARSE), "CRMKIT_E_PARSE") == 0);
  /* free(NULL) is a no-op and succeeds */
  CHECK_RC(crmkit_options_free(NULL), CRMKIT_OK);
  CHECK_RC(crmkit_transactions_free(NULL), CRMKIT_OK);
  CHECK_RC(crmkit_summary_free(NULL), CRMKIT_OK);
  CHECK_RC(crmkit_rfm_free(NULL), CRMKIT_OK);
}

static void test_threads(void) {
  const int32_t def = crmkit_max_threads();
  CHECK(def >= 1);
  CHECK_RC(crmkit_set_max_threads(2), CRMKIT_OK);
  CHECK(crmkit_max_threads() == 2);
  CHECK_RC(crmkit_set_max_threads(-1), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(strstr(crmkit_last_error(), "must be >= 0") != NULL);
  CHECK(crmkit_max_threads() == 2); /* a rejected value changes nothing */
  CHECK_RC(crmkit_set_max_threads(0), CRMKIT_OK);
  CHECK(crmkit_max_threads() == def);
}

static void test_errors(void) {
  crmkit_transactions* tx = (crmkit_transactions*)1;
  int64_t n = 0;
  /* NULL arguments */
  CHECK_RC(crmkit_transactions_read_csv(NULL, NULL, &tx), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "path"));
  CHECK_RC(crmkit_transactions_len(NULL, &n), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "'tx'"));
  /* a missing file */
  CHECK_RC(crmkit_transactions_read_csv(data("no_such_file.csv"), NULL, &tx), CRMKIT_E_IO);
  CHECK(HAS(crmkit_last_error(), "no_such_file.csv"));
  CHECK(tx == NULL);
  /* a parse error names file:line:column */
  {
    const char* kv[] = {"customer_col", "1", "date_col", "3", "amount_col", "2", NULL};
    crmkit_options* o = opts(kv);
    CHECK_RC(crmkit_transactions_read_csv(data("cdnow_customers_summary.csv"), o, &tx), CRMKIT_E_PARSE);
    CHECK(HAS(crmkit_last_error(), "cdnow_customers_summary.csv:2:3: column 'recency'"));
    crmkit_options_free(o);
  }
  /* unknown and bad option values */
  {
    const char* kv[] = {"no_such_key", "1", NULL};
    crmkit_options* o = opts(kv);
    CHECK_RC(crmkit_transactions_read_csv(data("CDNOW_master.txt"), o, &tx), CRMKIT_E_INVALID_ARGUMENT);
    CHECK(HAS(crmkit_last_error(), "no_such_key"));
    CHECK(HAS(crmkit_last_error(), "customer_col"));
    crmkit_options_free(o);
  }
  {
    const char* kv[] = {"delimiter", "pipe", NULL};
    crmkit_options* o = opts(kv);
    CHECK_RC(crmkit_transactions_read_csv(data("CDNOW_master.txt"), o, &tx), CRMKIT_E_INVALID_ARGUMENT);
    CHECK(HAS(crmkit_last_error(), "pipe"));
    crmkit_options_free(o);
  }
  /* success clears the message */
  CHECK_RC(crmkit_options_free(NULL), CRMKIT_OK);
  CHECK(strcmp(crmkit_last_error(), "") == 0);
}

static void test_cdnow_master(void) {
  const char* kv[] = {"customer_col", "customer_id", "date_col", "date", "amount_col", "dollar_value", NULL};
  crmkit_options* o = opts(kv);
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_read_csv(data("CDNOW_master.txt"), o, &tx), CRMKIT_OK);
  crmkit_options_free(o);
  if (!tx) return;
  int64_t rows = 0, customers = 0, skipped = -1, nmsg = -1;
  CHECK_RC(crmkit_transactions_len(tx, &rows), CRMKIT_OK);
  CHECK_RC(crmkit_transactions_n_customers(tx, &customers), CRMKIT_OK);
  CHECK(rows == 69659);
  CHECK(customers == 23570);
  CHECK_RC(crmkit_transactions_read_report(tx, NULL, &skipped, &nmsg), CRMKIT_OK);
  CHECK(skipped == 0 && nmsg == 0);
  const char* bytes = NULL;
  const int64_t* offsets = NULL;
  int64_t nids = 0;
  CHECK_RC(crmkit_transactions_ids(tx, &bytes, &offsets, &nids), CRMKIT_OK);
  CHECK(nids == 23570 && offsets[0] == 0 && offsets[1] == 5 && strncmp(bytes, "00001", 5) == 0);

  /* RFM with the rf-grid preset */
  crmkit_rfm* rfm = NULL;
  CHECK_RC(crmkit_rfm_compute(tx, NULL, &rfm), CRMKIT_OK);
  int64_t n = 0, nseg = 0;
  CHECK_RC(crmkit_rfm_len(rfm, &n), CRMKIT_OK);
  CHECK(n == 23570);
  CHECK_RC(crmkit_rfm_segment_count(rfm, &nseg), CRMKIT_OK);
  CHECK(nseg == 11);
  int32_t* seg = malloc(sizeof(int32_t) * (size_t)n);
  int32_t* r = malloc(sizeof(int32_t) * (size_t)n);
  CHECK_RC(crmkit_rfm_segments(rfm, seg, n), CRMKIT_OK);
  CHECK_RC(crmkit_rfm_scores(rfm, r, NULL, NULL, n), CRMKIT_OK);
  CHECK_RC(crmkit_rfm_segments(rfm, seg, n - 1), CRMKIT_E_BUFFER_TOO_SMALL);
  CHECK(HAS(crmkit_last_error(), "23570"));
  int ok = 1;
  for (int64_t i = 0; i < n; ++i) ok &= seg[i] >= 0 && seg[i] < nseg && r[i] >= 1 && r[i] <= 5;
  CHECK(ok);
  double* customers_per = malloc(sizeof(double) * (size_t)nseg);
  CHECK_RC(crmkit_rfm_segment_summary(rfm, "customers", customers_per, nseg), CRMKIT_OK);
  double total = 0;
  for (int64_t k = 0; k < nseg; ++k) total += customers_per[k];
  CHECK(total == 23570);
  const char* name = NULL;
  CHECK_RC(crmkit_rfm_segment_name(rfm, 0, &name), CRMKIT_OK);
  CHECK(name && strcmp(name, "Champions") == 0);
  CHECK(customers_per[0] == 4427); /* Champions, as pandas computes it (tests/cpp/rfm) */
  CHECK_RC(crmkit_rfm_segment_name(rfm, nseg, &name), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_rfm_segment_summary(rfm, "median", customers_per, nseg), CRMKIT_E_INVALID_ARGUMENT);
  free(customers_per);
  free(seg);
  free(r);
  crmkit_rfm_free(rfm);

  /* bad rfm options */
  {
    const char* kv2[] = {"bins", "1", NULL};
    crmkit_options* o2 = opts(kv2);
    CHECK_RC(crmkit_rfm_compute(tx, o2, &rfm), CRMKIT_E_INVALID_ARGUMENT);
    CHECK(HAS(crmkit_last_error(), "bins"));
    crmkit_options_free(o2);
  }
  crmkit_transactions_free(tx);
}

static void test_cdnow_sample_summary(void) {
  const char* kv[] = {"customer_col", "2", "date_col", "3", "amount_col", "5", "header", "no", NULL};
  crmkit_options* o = opts(kv);
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_read_csv(data("CDNOW_sample.txt"), o, &tx), CRMKIT_OK);
  crmkit_options_free(o);
  const char* skv[] = {"period", "week", "observation_end", "1997-09-30", NULL};
  crmkit_options* so = opts(skv);
  crmkit_summary* s = NULL;
  CHECK_RC(crmkit_summary_compute(tx, so, &s), CRMKIT_OK);
  crmkit_options_free(so);
  int64_t n = 0;
  CHECK_RC(crmkit_summary_len(s, &n), CRMKIT_OK);
  CHECK(n == 2357);
  double* x = malloc(sizeof(double) * (size_t)n);
  double* tx_ = malloc(sizeof(double) * (size_t)n);
  double* T = malloc(sizeof(double) * (size_t)n);
  double* z = malloc(sizeof(double) * (size_t)n);
  CHECK_RC(crmkit_summary_column(s, "frequency", x, n), CRMKIT_OK);
  CHECK_RC(crmkit_summary_column(s, "recency", tx_, n), CRMKIT_OK);
  CHECK_RC(crmkit_summary_column(s, "T", T, n), CRMKIT_OK);
  CHECK_RC(crmkit_summary_column(s, "monetary_value", z, n), CRMKIT_OK);
  /* published (cdnow_customers_summary_with_transactions.csv) ID 1: 2, 30.43, 38.86, 22.35 */
  CHECK(x[0] == 2 && fabs(tx_[0] - 30.43) < 0.0051 && fabs(T[0] - 38.86) < 0.0051 && fabs(z[0] - 22.35) < 0.0051);
  CHECK_RC(crmkit_summary_column(s, "frequency_holdout", x, n), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_summary_column(s, "T", T, 3), CRMKIT_E_BUFFER_TOO_SMALL);

  /* compress: count first, then fill */
  int64_t np = 0;
  CHECK_RC(crmkit_summary_compress(x, tx_, T, n, NULL, NULL, NULL, NULL, NULL, &np), CRMKIT_OK);
  CHECK(np > 0 && np < n);
  free(x);
  free(tx_);
  free(T);
  free(z);
  crmkit_summary_free(s);

  /* calibration / holdout */
  const char* hkv[] = {"period", "week", "calibration_end", "1997-09-30", "observation_end", "1998-06-30", NULL};
  crmkit_options* ho = opts(hkv);
  CHECK_RC(crmkit_summary_compute(tx, ho, &s), CRMKIT_OK);
  crmkit_options_free(ho);
  double* fh = malloc(sizeof(double) * 2357);
  CHECK_RC(crmkit_summary_column(s, "frequency_holdout", fh, 2357), CRMKIT_OK);
  CHECK_RC(crmkit_summary_column(s, "duration_holdout", fh, 2357), CRMKIT_OK);
  CHECK(fabs(fh[0] - 39.0) < 1e-12); /* 273 days */
  free(fh);
  crmkit_summary_free(s);
  {
    const char* bkv[] = {"observation_end", "30/09/1997", NULL};
    crmkit_options* bo = opts(bkv);
    CHECK_RC(crmkit_summary_compute(tx, bo, &s), CRMKIT_E_INVALID_ARGUMENT);
    CHECK(HAS(crmkit_last_error(), "30/09/1997"));
    crmkit_options_free(bo);
  }
  crmkit_transactions_free(tx);
}

static void test_from_arrays(void) {
  const uint32_t customer[] = {0, 0, 1, 0};
  const int64_t time[] = {0, 7, 3, 14};
  const double amount[] = {10, 20, 5, 30};
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_from_arrays(customer, time, amount, 4, CRMKIT_TIME_DAYS, &tx), CRMKIT_OK);
  const char* ids[] = {"alice", "bob"};
  CHECK_RC(crmkit_transactions_set_ids(tx, ids, 2), CRMKIT_OK);
  const char* bytes = NULL;
  const int64_t* off = NULL;
  int64_t n = 0;
  CHECK_RC(crmkit_transactions_ids(tx, &bytes, &off, &n), CRMKIT_OK);
  CHECK(n == 2 && off[1] == 5 && strncmp(bytes + off[1], "bob", 3) == 0);
  crmkit_summary* s = NULL;
  CHECK_RC(crmkit_summary_compute(tx, NULL, &s), CRMKIT_OK);
  double f[2], m[2];
  CHECK_RC(crmkit_summary_column(s, "frequency", f, 2), CRMKIT_OK);
  CHECK_RC(crmkit_summary_column(s, "monetary_value", m, 2), CRMKIT_OK);
  CHECK(f[0] == 2 && f[1] == 0 && m[0] == 25);
  crmkit_summary_free(s);
  crmkit_transactions_free(tx);
  /* bad input */
  CHECK_RC(crmkit_transactions_from_arrays(customer, time, amount, 4, 7, &tx), CRMKIT_E_INVALID_ARGUMENT);
  const double bad[] = {1, NAN, 1, 1};
  CHECK_RC(crmkit_transactions_from_arrays(customer, time, bad, 4, CRMKIT_TIME_DAYS, &tx), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "finite"));
}

int main(void) {
  test_library();
  test_threads();
  test_errors();
  test_cdnow_master();
  test_cdnow_sample_summary();
  test_from_arrays();
  printf("capi: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
