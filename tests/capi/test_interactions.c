/* The interactions section of the C ABI from C: interaction tables sharing the transaction table's
 * customer codes, churn indicators on the hand-computed files of docs/models/churn_indicators.md, the
 * CDNOW training table fitted with crmkit_logit_fit, escalations on tests/data/escalation_interactions.csv
 * (docs/models/escalation.md), and every error path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmkit/crmkit.h"

#include "check.h"
#define NEAR(a, b, tol) (fabs((a) - (b)) < (tol))

static crmkit_options* opts(const char* k1, const char* v1, const char* k2, const char* v2, const char* k3,
                            const char* v3) {
  crmkit_options* o = NULL;
  CHECK_RC(crmkit_options_new(&o), CRMKIT_OK);
  if (k1) CHECK_RC(crmkit_options_set(o, k1, v1), CRMKIT_OK);
  if (k2) CHECK_RC(crmkit_options_set(o, k2, v2), CRMKIT_OK);
  if (k3) CHECK_RC(crmkit_options_set(o, k3, v3), CRMKIT_OK);
  return o;
}

static void test_indicators(void) {
  crmkit_transactions* tx = NULL;
  crmkit_interactions* in = NULL;
  CHECK_RC(crmkit_transactions_read_csv(CRMKIT_TEST_DATA "/indicator_transactions.csv", NULL, &tx), CRMKIT_OK);
  CHECK_RC(crmkit_interactions_read_csv(CRMKIT_TEST_DATA "/indicator_interactions.csv", tx, NULL, &in), CRMKIT_OK);
  int64_t n = 0, nc = 0;
  CHECK_RC(crmkit_interactions_len(in, &n), CRMKIT_OK);
  CHECK(n == 5);
  CHECK_RC(crmkit_interactions_n_customers(in, &nc), CRMKIT_OK);
  CHECK(nc == 4); /* a, b, c from the transactions, then d */
  const uint32_t* cust = NULL;
  const int64_t* time = NULL;
  const double* csat = NULL;
  const int8_t* fcr = NULL;
  CHECK_RC(crmkit_interactions_columns(in, &cust, &time, NULL, NULL, &csat, NULL, &fcr), CRMKIT_OK);
  CHECK(cust[4] == 3 && csat[0] == 5.0 && fcr[2] == -1);
  const char* name = NULL;
  int64_t n_names = 0;
  CHECK_RC(crmkit_interactions_name(in, "kind", 1, &name, &n_names), CRMKIT_OK);
  CHECK(strcmp(name, "complaint") == 0 && n_names == 2);
  CHECK_RC(crmkit_interactions_name(in, "customer", 3, &name, NULL), CRMKIT_OK);
  CHECK(strcmp(name, "d") == 0);
  CHECK_RC(crmkit_interactions_name(in, "colour", 0, &name, NULL), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_interactions_name(in, "kind", 9, &name, NULL), CRMKIT_E_INVALID_ARGUMENT);

  crmkit_options* o = opts("cutoff", "2020-03-31", "horizon_days", "30", "recent_days", "60");
  crmkit_indicators* t = NULL;
  CHECK_RC(crmkit_churn_indicators(tx, in, o, &t), CRMKIT_OK);
  int64_t rows = 0, cols = 0;
  CHECK_RC(crmkit_indicators_shape(t, &rows, &cols), CRMKIT_OK);
  CHECK(rows == 2 && cols == 17);
  CHECK_RC(crmkit_indicators_name(t, 0, &name), CRMKIT_OK);
  CHECK(strcmp(name, "recency_days") == 0);
  double col[2] = {0, 0};
  CHECK_RC(crmkit_indicators_column(t, "gap_ratio", col, 2), CRMKIT_OK);
  CHECK(col[0] == 2.5 && col[1] == 0);
  CHECK_RC(crmkit_indicators_column(t, "csat_mean", col, 2), CRMKIT_OK);
  CHECK(NEAR(col[0], 10.0 / 3.0, 1e-15) && col[1] == 0);
  CHECK_RC(crmkit_indicators_column(t, "days_since_interaction", col, 2), CRMKIT_OK);
  CHECK(col[0] == 11 && col[1] == 91);
  CHECK_RC(crmkit_indicators_column(t, "nope", col, 2), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_indicators_column(t, "gap_ratio", col, 1), CRMKIT_E_BUFFER_TOO_SMALL);
  double label[2] = {-1, -1};
  int32_t has = 0;
  CHECK_RC(crmkit_indicators_label(t, label, 2, &has), CRMKIT_OK);
  CHECK(has == 1 && label[0] == 0 && label[1] == 1);
  double x[34];
  CHECK_RC(crmkit_indicators_matrix(t, x, 34), CRMKIT_OK);
  CHECK(x[0] == 50 && x[1] == 30); /* recency_days of a and b */
  uint32_t codes[2];
  CHECK_RC(crmkit_indicators_customers(t, codes, 2), CRMKIT_OK);
  CHECK(codes[0] == 0 && codes[1] == 1);
  const char* id = NULL;
  CHECK_RC(crmkit_indicators_id(t, 1, &id), CRMKIT_OK);
  CHECK(strcmp(id, "b") == 0);
  CHECK_RC(crmkit_indicators_id(t, 2, &id), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_indicators_free(t), CRMKIT_OK);
  crmkit_options_free(o);

  /* errors: no cutoff, a label window past the data, an unknown key, NULLs, a mismatched table */
  t = NULL;
  CHECK_RC(crmkit_churn_indicators(tx, NULL, NULL, &t), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "cutoff"));
  o = opts("cutoff", "2020-03-31", "horizon_days", "90", NULL, NULL);
  CHECK_RC(crmkit_churn_indicators(tx, NULL, o, &t), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "last transaction day 2020-06-01"));
  CHECK(t == NULL);
  crmkit_options_free(o);
  o = opts("cutoff", "2020-03-31", "horizon", "30", NULL, NULL);
  CHECK_RC(crmkit_churn_indicators(tx, NULL, o, &t), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "'horizon'"));
  crmkit_options_free(o);
  o = opts("cutoff", "31/03/2020", NULL, NULL, NULL, NULL);
  CHECK_RC(crmkit_churn_indicators(tx, NULL, o, &t), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_free(o);
  CHECK_RC(crmkit_churn_indicators(NULL, NULL, NULL, &t), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_interactions* alone = NULL;
  CHECK_RC(crmkit_interactions_read_csv(CRMKIT_TEST_DATA "/indicator_interactions.csv", NULL, NULL, &alone), CRMKIT_OK);
  o = opts("cutoff", "2020-03-31", "horizon_days", "30", NULL, NULL);
  CHECK_RC(crmkit_churn_indicators(tx, alone, o, &t), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "read with this transaction table"));
  crmkit_options_free(o);
  crmkit_interactions_free(alone);
  CHECK_RC(crmkit_indicators_free(NULL), CRMKIT_OK);
  crmkit_interactions_free(in);
  crmkit_transactions_free(tx);
}

static void test_read_errors(void) {
  crmkit_interactions* in = NULL;
  CHECK_RC(crmkit_interactions_read_csv(CRMKIT_TEST_DATA "/no_such.csv", NULL, NULL, &in), CRMKIT_E_IO);
  CHECK_RC(crmkit_interactions_read_csv(CRMKIT_TEST_DATA "/escalation_rules.csv", NULL, NULL, &in), CRMKIT_E_PARSE);
  CHECK(HAS(crmkit_last_error(), "customer column"));
  crmkit_options* o = opts("csat_col", "score", NULL, NULL, NULL, NULL);
  CHECK_RC(crmkit_interactions_read_csv(CRMKIT_TEST_DATA "/escalation_interactions.csv", NULL, o, &in), CRMKIT_E_PARSE);
  CHECK(HAS(crmkit_last_error(), "escalation_interactions.csv:1"));
  crmkit_options_free(o);
  o = opts("colour", "red", NULL, NULL, NULL, NULL);
  CHECK_RC(crmkit_interactions_read_csv(CRMKIT_TEST_DATA "/escalation_interactions.csv", NULL, o, &in),
           CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_free(o);
  CHECK_RC(crmkit_interactions_read_csv(NULL, NULL, NULL, &in), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(in == NULL);
  CHECK_RC(crmkit_interactions_free(NULL), CRMKIT_OK);
}

static void test_cdnow(void) {
  /* The CDNOW training table at 1997-09-30 + 180 days, fitted and cross-validated through the churn
   * section: the same figures as tests/cpp/churn/indicators_test.cpp (5-fold AUC 0.7706). */
  crmkit_options* ro = opts("customer_col", "customer_id", "date_col", "date", "amount_col", "dollar_value");
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_read_csv(CRMKIT_TEST_DATA "/CDNOW_master.txt", ro, &tx), CRMKIT_OK);
  crmkit_options_free(ro);
  crmkit_options* o = opts("cutoff", "1997-09-30", "horizon_days", "180", NULL, NULL);
  crmkit_indicators* t = NULL;
  CHECK_RC(crmkit_churn_indicators(tx, NULL, o, &t), CRMKIT_OK);
  crmkit_options_free(o);
  int64_t rows = 0, cols = 0;
  CHECK_RC(crmkit_indicators_shape(t, &rows, &cols), CRMKIT_OK);
  CHECK(rows == 23570 && cols == 9);
  double* x = malloc((size_t)(rows * cols) * sizeof(double));
  double* y = malloc((size_t)rows * sizeof(double));
  int32_t has = 0;
  CHECK_RC(crmkit_indicators_matrix(t, x, rows * cols), CRMKIT_OK);
  CHECK_RC(crmkit_indicators_label(t, y, rows, &has), CRMKIT_OK);
  crmkit_options* fo = opts("standardize", "1", "k", "5", NULL, NULL);
  double metrics[8];
  CHECK_RC(crmkit_churn_cross_validate(x, rows, cols, y, fo, NULL, metrics), CRMKIT_OK);
  CHECK(metrics[0] > 0.75 && metrics[0] < 0.85);
  printf("CDNOW logistic 5-fold AUC %.4f\n", metrics[0]);
  crmkit_options_free(fo);
  free(x);
  free(y);
  crmkit_indicators_free(t);
  crmkit_transactions_free(tx);
}

static void test_escalate(void) {
  crmkit_interactions* in = NULL;
  CHECK_RC(crmkit_interactions_read_csv(CRMKIT_TEST_DATA "/escalation_interactions.csv", NULL, NULL, &in), CRMKIT_OK);
  crmkit_escalations* e = NULL;
  CHECK_RC(crmkit_escalate(in, NULL, NULL, &e), CRMKIT_OK);
  int64_t n = 0;
  CHECK_RC(crmkit_escalations_len(e, &n), CRMKIT_OK);
  CHECK(n == 4);
  const char *cust = NULL, *rule = NULL, *channel = NULL;
  int64_t day = 0, matched = 0, firings = 0;
  CHECK_RC(crmkit_escalations_row(e, 1, &cust, &rule, &channel, &day, &matched, &firings), CRMKIT_OK);
  CHECK(strcmp(cust, "e3") == 0 && strcmp(rule, "repeat_complaints") == 0 && strcmp(channel, "chat") == 0);
  CHECK(day == 20543 && matched == 2 && firings == 2); /* 2026-03-31 */
  CHECK_RC(crmkit_escalations_row(e, 4, &cust, NULL, NULL, NULL, NULL, NULL), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_escalations_free(e);

  CHECK_RC(crmkit_escalate(in, CRMKIT_TEST_DATA "/escalation_rules.csv", NULL, &e), CRMKIT_OK);
  CHECK_RC(crmkit_escalations_len(e, &n), CRMKIT_OK);
  CHECK(n == 3);
  CHECK_RC(crmkit_escalations_row(e, 2, &cust, &rule, NULL, &day, &matched, NULL), CRMKIT_OK);
  CHECK(strcmp(cust, "e4") == 0 && strcmp(rule, "three_low") == 0 && matched == 3);
  crmkit_escalations_free(e);

  crmkit_options* o = opts("rules_text", "name,type,count\nbusy,event_count,4\n", "as_of", "2026-02-28", NULL, NULL);
  CHECK_RC(crmkit_escalate(in, NULL, o, &e), CRMKIT_OK); /* defaults: complaints, per channel, 30 days */
  CHECK_RC(crmkit_escalations_len(e, &n), CRMKIT_OK);
  CHECK(n == 0);
  crmkit_escalations_free(e);
  crmkit_options_free(o);
  o = opts("rules_text", "name,type,count,kind,per\nbusy,event_count,4,,customer\n", "as_of", "2026-02-28", NULL, NULL);
  CHECK_RC(crmkit_escalate(in, NULL, o, &e), CRMKIT_OK);
  CHECK_RC(crmkit_escalations_len(e, &n), CRMKIT_OK);
  CHECK(n == 1);
  crmkit_escalations_free(e);
  crmkit_options_free(o);

  o = opts("rules_text", "name,type\nx,often\n", NULL, NULL, NULL, NULL);
  CHECK_RC(crmkit_escalate(in, NULL, o, &e), CRMKIT_E_PARSE);
  CHECK(HAS(crmkit_last_error(), "rules_text:2:2"));
  CHECK_RC(crmkit_escalate(in, CRMKIT_TEST_DATA "/escalation_rules.csv", o, &e), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_free(o);
  CHECK_RC(crmkit_escalate(in, CRMKIT_TEST_DATA "/missing_rules.csv", NULL, &e), CRMKIT_E_IO);
  CHECK_RC(crmkit_escalate(NULL, NULL, NULL, &e), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_escalations_free(NULL), CRMKIT_OK);
  crmkit_interactions_free(in);
}

int main(void) {
  test_indicators();
  test_read_errors();
  test_cdnow();
  test_escalate();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
