/* The churn section of the C ABI from C: a feature table from CSV and from columns, the unpenalised
 * logistic fit reproducing statsmodels on tests/data/churn_customers.csv (see
 * tests/cpp/churn/logistic_test.cpp for how the numbers were made), predictions, drivers, JSON round
 * trip, metrics against scikit-learn, folds and CV, and every error path with its status and message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmkit/crmkit.h"

#include "check.h"
#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

static char path[4096];

static void test_fit_from_csv(void) {
  crmkit_options* o = NULL;
  CHECK_RC(crmkit_options_new(&o), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "label", "churned"), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "id", "customer_id"), CRMKIT_OK);
  crmkit_churn_features* f = NULL;
  CHECK_RC(crmkit_churn_features_read_csv(path, o, &f), CRMKIT_OK);
  crmkit_options_free(o);
  if (!f) return;
  int64_t rows = 0, cols = 0;
  CHECK_RC(crmkit_churn_features_shape(f, &rows, &cols), CRMKIT_OK);
  CHECK(rows == 240 && cols == 5);
  const char* name = NULL;
  CHECK_RC(crmkit_churn_features_name(f, 4, &name), CRMKIT_OK);
  CHECK(name && strcmp(name, "plan=pro") == 0);
  CHECK_RC(crmkit_churn_features_name(f, 5, &name), CRMKIT_E_INVALID_ARGUMENT);
  const char* id = NULL;
  CHECK_RC(crmkit_churn_features_id(f, 2, &id), CRMKIT_OK);
  CHECK(id && strcmp(id, "C0002") == 0);
  int32_t has = 0;
  double* y = malloc(sizeof(double) * 240);
  double* x = malloc(sizeof(double) * 240 * 5);
  CHECK_RC(crmkit_churn_features_label(f, y, 240, &has), CRMKIT_OK);
  CHECK(has == 1 && y[2] == 1.0 && y[0] == 0.0);
  CHECK_RC(crmkit_churn_features_matrix(f, x, 10), CRMKIT_E_BUFFER_TOO_SMALL);
  CHECK_RC(crmkit_churn_features_matrix(f, x, 240 * 5), CRMKIT_OK);
  CHECK(x[0] == 2.6 && x[240] == 144.39); /* tenure, spend of C0000 */

  crmkit_options* fo = NULL;
  crmkit_options_new(&fo);
  crmkit_options_set(fo, "penalty", "none");
  crmkit_options_set(fo, "tolerance", "1e-12");
  crmkit_logit* m = NULL;
  CHECK_RC(crmkit_logit_fit_features(f, NULL, fo, &m), CRMKIT_OK);
  if (m) {
    /* statsmodels Logit: complaints 0.82345005649 (se 0.198770189738), const 0.564270230796 (se 0.42302748446) */
    double c = 0, se = 0, orr = 0, b = 0, bse = 0;
    CHECK_RC(crmkit_logit_coef(m, 2, &name, &c, &se, &orr), CRMKIT_OK);
    CHECK(strcmp(name, "complaints") == 0);
    CHECK(NEAR(c, 0.82345005649, 1e-6) && NEAR(se, 0.198770189738, 1e-8) && NEAR(orr, 2.278346718540424, 1e-5) /* exp(coef) */);
    CHECK_RC(crmkit_logit_intercept(m, &b, &bse), CRMKIT_OK);
    CHECK(NEAR(b, 0.564270230796, 1e-6) && NEAR(bse, 0.42302748446, 1e-8));
    int32_t conv = 0, iters = 0;
    double ll = 0;
    CHECK_RC(crmkit_logit_fit_info(m, &conv, &iters, &ll, NULL), CRMKIT_OK);
    CHECK(conv == 1 && NEAR(ll, -127.23220786837571, 1e-8));
    /* predictions from the matrix and from the table agree */
    double* p1 = malloc(sizeof(double) * 240);
    double* p2 = malloc(sizeof(double) * 240);
    CHECK_RC(crmkit_logit_predict(m, "proba", x, 240, 5, p1), CRMKIT_OK);
    CHECK_RC(crmkit_logit_predict_features(m, "proba", f, p2, 240), CRMKIT_OK);
    CHECK(p1[7] == p2[7] && p1[7] > 0 && p1[7] < 1);
    CHECK_RC(crmkit_logit_predict(m, "proba", x, 240, 4, p1), CRMKIT_E_INVALID_ARGUMENT);
    CHECK_RC(crmkit_logit_predict(m, "odds", x, 240, 5, p1), CRMKIT_E_INVALID_ARGUMENT);
    double auc = 0;
    CHECK_RC(crmkit_churn_metric("auc", p1, y, 240, &auc), CRMKIT_OK);
    CHECK(auc > 0.75 && auc < 1);
    /* drivers of row 0 */
    double row[5];
    for (int j = 0; j < 5; ++j) row[j] = x[j * 240];
    int64_t feat[3], count = 0;
    double contrib[3];
    CHECK_RC(crmkit_logit_drivers(m, row, 5, 3, feat, contrib, &count), CRMKIT_OK);
    CHECK(count >= 1 && count <= 3 && contrib[0] > 0);
    /* JSON round trip, then scoring a CSV with the stored encoding */
    int64_t len = 0;
    CHECK_RC(crmkit_logit_to_json(m, NULL, 0, &len), CRMKIT_OK);
    char* json = malloc((size_t)len + 1);
    CHECK_RC(crmkit_logit_to_json(m, json, 8, &len), CRMKIT_E_BUFFER_TOO_SMALL);
    CHECK_RC(crmkit_logit_to_json(m, json, len + 1, &len), CRMKIT_OK);
    CHECK(HAS(json, "\"plan=plus\"") && HAS(json, "\"reference\": \"basic\""));
    crmkit_logit* back = NULL;
    CHECK_RC(crmkit_logit_from_json(json, &back), CRMKIT_OK);
    crmkit_churn_features* s = NULL;
    CHECK_RC(crmkit_churn_features_read_csv_for(back, path, NULL, &s), CRMKIT_OK);
    if (s) {
      CHECK_RC(crmkit_logit_predict_features(back, "proba", s, p2, 240), CRMKIT_OK);
      CHECK(p2[7] == p1[7]);
      crmkit_churn_features_free(s);
    }
    crmkit_logit_free(back);
    CHECK_RC(crmkit_logit_from_json("{\"coef\": [1]}", &back), CRMKIT_E_INVALID_ARGUMENT);
    CHECK(HAS(crmkit_last_error(), "feature_names"));
    CHECK_RC(crmkit_logit_from_json("not json", &back), CRMKIT_E_INVALID_ARGUMENT);
    free(json);
    free(p1);
    free(p2);
  }
  crmkit_logit_free(m);
  /* l1 with standardisation: exact zeros (scikit-learn saga: spend and both plan columns are 0) */
  crmkit_options_set(fo, "penalty", "l1");
  crmkit_options_set(fo, "C", "0.05");
  crmkit_options_set(fo, "standardize", "1");
  CHECK_RC(crmkit_logit_fit(x, 240, 5, y, NULL, NULL, fo, &m), CRMKIT_OK);
  if (m) {
    double c = 1;
    CHECK_RC(crmkit_logit_coef(m, 1, &name, &c, NULL, NULL), CRMKIT_OK);
    CHECK(c == 0.0 && strcmp(name, "x1") == 0);
    crmkit_logit_free(m);
  }
  crmkit_options_set(fo, "penalty", "l3");
  CHECK_RC(crmkit_logit_fit(x, 240, 5, y, NULL, NULL, fo, &m), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "none, l2, l1 or elasticnet"));
  crmkit_options_free(fo);
  crmkit_options_new(&fo);
  crmkit_options_set(fo, "k", "5");
  crmkit_options_set(fo, "seed", "3");
  double metrics[8], oof[240];
  CHECK_RC(crmkit_churn_cross_validate(x, 240, 5, y, fo, oof, metrics), CRMKIT_OK);
  CHECK(metrics[0] > 0.7 && metrics[0] < 1 && metrics[4] > 0.7 && metrics[2] > 0);
  crmkit_options_set(fo, "bogus", "1");
  CHECK_RC(crmkit_churn_cross_validate(x, 240, 5, y, fo, oof, metrics), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "unknown key"));
  crmkit_options_free(fo);
  int32_t fold[240];
  CHECK_RC(crmkit_churn_stratified_folds(y, 240, 4, 9, fold), CRMKIT_OK);
  int counts[4] = {0, 0, 0, 0};
  for (int i = 0; i < 240; ++i) counts[fold[i]]++;
  CHECK(counts[0] == 60 && counts[3] == 60);
  CHECK_RC(crmkit_churn_stratified_folds(y, 240, 1, 9, fold), CRMKIT_E_INVALID_ARGUMENT);
  free(x);
  free(y);
  crmkit_churn_features_free(f);
}

static void test_columns_and_errors(void) {
  const double age[4] = {1, NAN, 3, 4};
  const char* plan[4] = {"b", "a", "b", NULL};
  const char* names[2] = {"age", "plan"};
  const double* num[2] = {age, NULL};
  const char* const* str[2] = {NULL, plan};
  const double label[4] = {1, 0, 1, 0};
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "missing", "impute");
  crmkit_churn_features* f = NULL;
  CHECK_RC(crmkit_churn_features_from_columns(names, num, str, 2, 4, label, NULL, o, &f), CRMKIT_OK);
  if (f) {
    int64_t cols = 0;
    crmkit_churn_features_shape(f, NULL, &cols);
    CHECK(cols == 4); /* age, age_missing, plan=a, plan=b ("" is the reference level) */
    const char* id = "x";
    CHECK_RC(crmkit_churn_features_id(f, 0, &id), CRMKIT_OK);
    CHECK(id == NULL);
    crmkit_churn_features_free(f);
  }
  crmkit_options_set(o, "missing", "error");
  CHECK_RC(crmkit_churn_features_from_columns(names, num, str, 2, 4, label, NULL, o, &f), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "column 'age' row 1"));
  crmkit_options_set(o, "missing", "sometimes");
  CHECK_RC(crmkit_churn_features_from_columns(names, num, str, 2, 4, label, NULL, o, &f), CRMKIT_E_INVALID_ARGUMENT);
  /* Issue 13: missing = drop leaves rows 1 (NaN age) and 3 (no plan) out and counts them. */
  crmkit_options_set(o, "missing", "drop");
  f = NULL;
  CHECK_RC(crmkit_churn_features_from_columns(names, num, str, 2, 4, label, NULL, o, &f), CRMKIT_OK);
  if (f) {
    int64_t rows = 0, cols = 0, dropped = -1;
    double y[2];
    int32_t has = 0;
    crmkit_churn_features_shape(f, &rows, &cols);
    CHECK_RC(crmkit_churn_features_dropped(f, &dropped), CRMKIT_OK);
    CHECK(rows == 2 && cols == 2 && dropped == 2);
    CHECK_RC(crmkit_churn_features_label(f, y, 2, &has), CRMKIT_OK);
    CHECK(has == 1 && y[0] == 1 && y[1] == 1);
    crmkit_churn_features_free(f);
  }
  CHECK_RC(crmkit_churn_features_dropped(NULL, NULL), CRMKIT_E_INVALID_ARGUMENT);
  /* max_levels refuses a categorical with more levels, naming it; keep forces it in. */
  crmkit_options_set(o, "max_levels", "1");
  CHECK_RC(crmkit_churn_features_from_columns(names, num, str, 2, 4, label, NULL, o, &f), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "column 'plan'") && HAS(crmkit_last_error(), "max_levels"));
  crmkit_options_set(o, "keep", "plan");
  f = NULL;
  CHECK_RC(crmkit_churn_features_from_columns(names, num, str, 2, 4, label, NULL, o, &f), CRMKIT_OK);
  crmkit_churn_features_free(f);
  crmkit_options_set(o, "max_levels", "-1");
  CHECK_RC(crmkit_churn_features_from_columns(names, num, str, 2, 4, label, NULL, o, &f), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_free(o);
  CHECK_RC(crmkit_churn_features_read_csv("/nonexistent/churn.csv", NULL, &f), CRMKIT_E_IO);
  crmkit_options_new(&o);
  crmkit_options_set(o, "label", "tenure");
  CHECK_RC(crmkit_churn_features_read_csv(path, o, &f), CRMKIT_E_PARSE);
  CHECK(HAS(crmkit_last_error(), "churn_customers.csv:2:2") && HAS(crmkit_last_error(), "tenure"));
  crmkit_options_free(o);
  CHECK_RC(crmkit_churn_features_read_csv(NULL, NULL, &f), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_logit_fit(NULL, 3, 1, label, NULL, NULL, NULL, NULL), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_churn_features_free(NULL), CRMKIT_OK);
  CHECK_RC(crmkit_logit_free(NULL), CRMKIT_OK);
}

static void test_metrics(void) {
  /* scikit-learn 1.2.1 on these 10 tied scores: roc_auc_score 0.7, average_precision_score 0.7087301587301587,
   * log_loss 0.6599682516882621, brier_score_loss 0.234 */
  const double s[10] = {0.9, 0.8, 0.8, 0.6, 0.5, 0.5, 0.5, 0.3, 0.2, 0.1};
  const double y[10] = {1, 1, 0, 1, 0, 1, 0, 0, 1, 0};
  double v = 0;
  CHECK_RC(crmkit_churn_metric("auc", s, y, 10, &v), CRMKIT_OK);
  CHECK(NEAR(v, 0.7, 1e-12));
  CHECK_RC(crmkit_churn_metric("pr_auc", s, y, 10, &v), CRMKIT_OK);
  CHECK(NEAR(v, 0.7087301587301587, 1e-12));
  CHECK_RC(crmkit_churn_metric("log_loss", s, y, 10, &v), CRMKIT_OK);
  CHECK(NEAR(v, 0.6599682516882621, 1e-12));
  CHECK_RC(crmkit_churn_metric("brier", s, y, 10, &v), CRMKIT_OK);
  CHECK(NEAR(v, 0.234, 1e-12));
  CHECK_RC(crmkit_churn_metric("gini", s, y, 10, &v), CRMKIT_E_INVALID_ARGUMENT);
  const double one[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  CHECK_RC(crmkit_churn_metric("auc", s, one, 10, &v), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "both classes"));
  int64_t len = 0;
  CHECK_RC(crmkit_churn_roc_curve(s, y, 10, NULL, NULL, NULL, 0, &len), CRMKIT_OK);
  CHECK(len == 8); /* (0,0) + 7 distinct scores */
  double fpr[8], tpr[8], thr[8];
  CHECK_RC(crmkit_churn_roc_curve(s, y, 10, fpr, tpr, thr, 8, &len), CRMKIT_OK);
  CHECK(isinf(thr[0]) && thr[1] == 0.9 && tpr[7] == 1.0 && fpr[7] == 1.0);
  double lift[2 * 9];
  CHECK_RC(crmkit_churn_lift_table(s, y, 10, 2, lift), CRMKIT_OK);
  CHECK(lift[0] == 1 && lift[1] == 5 && lift[2] == 3 && NEAR(lift[4], 1.2, 1e-12) && NEAR(lift[9 + 5], 1.0, 1e-15));
  double cal[2 * 5];
  CHECK_RC(crmkit_churn_calibration_table(s, y, 10, 2, cal), CRMKIT_OK);
  CHECK(cal[2] == 6 && cal[5 + 2] == 4); /* 0.5 falls in the lower bin, as numpy.searchsorted(side="left") */
  double c[8];
  CHECK_RC(crmkit_churn_confusion(s, y, 10, 0.5, c), CRMKIT_OK);
  CHECK(c[0] == 4 && c[1] == 3 && c[2] == 2 && c[3] == 1);
}

int main(void) {
  snprintf(path, sizeof path, "%s/churn_customers.csv", CRMKIT_TEST_DATA);
  test_fit_from_csv();
  test_columns_and_errors();
  test_metrics();
  printf("test_churn (C): %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
