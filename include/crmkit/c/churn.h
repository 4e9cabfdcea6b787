/* crmkit C ABI, churn section: feature tables, logistic regression, metrics and cross-validation.
 * Part of crmkit.h (include that); the rules of crmkit.h apply. docs/c-abi.md, docs/models/logistic.md,
 * docs/models/metrics.md.
 *
 * Matrices are column-major doubles (x[i + j * n] is row i, feature j), labels are 0/1 doubles.
 */
#ifndef CRMKIT_C_CHURN_H
#define CRMKIT_C_CHURN_H

#include "crmkit/crmkit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct crmkit_churn_features crmkit_churn_features;
typedef struct crmkit_logit crmkit_logit;

/* ---- feature tables ------------------------------------------------------------------------------
 * options (may be NULL): label (column name), id (column name), missing ("error" | "impute": mean +
 * "<col>_missing" indicator | "drop": leave the row out), unseen ("error" | "zero"), categorical,
 * exclude and keep (comma-separated column names), max_levels (most levels of a categorical column,
 * default 50, 0 = no limit). Categorical columns are one-hot encoded without their first level in
 * sorted order. Missing markers of numeric columns: blank, NA, N/A, NaN, null; any other non-number in a
 * mostly numeric column is an error. Id-like columns (distinct integers, nearly all distinct texts,
 * id-like names) and categorical columns above max_levels are refused unless listed in keep
 * (docs/models/logistic.md#feature-tables). */
CRMKIT_API int32_t crmkit_churn_features_read_csv(const char* path, const crmkit_options* options,
                                                  crmkit_churn_features** out);
/* From caller columns: for column k, names[k] and exactly one of numeric[k] (n_rows doubles, NaN =
 * blank) or strings[k] (n_rows NUL-terminated strings, NULL or "" = blank); numeric and strings may
 * themselves be NULL when no column uses them. label (n_rows 0/1) and ids (n_rows strings) may be NULL.
 * options as above without label and id. */
CRMKIT_API int32_t crmkit_churn_features_from_columns(const char* const* names, const double* const* numeric,
                                                      const char* const* const* strings, int64_t n_columns,
                                                      int64_t n_rows, const double* label, const char* const* ids,
                                                      const crmkit_options* options, crmkit_churn_features** out);
/* The encoding of a model fitted on a feature table applied to another CSV (for scoring). options (may be
 * NULL): id, label (default: the training table's columns when present). */
CRMKIT_API int32_t crmkit_churn_features_read_csv_for(const crmkit_logit* model, const char* path,
                                                      const crmkit_options* options, crmkit_churn_features** out);
/* The same from caller columns (as crmkit_churn_features_from_columns; ids may be NULL). */
CRMKIT_API int32_t crmkit_churn_features_from_columns_for(const crmkit_logit* model, const char* const* names,
                                                          const double* const* numeric,
                                                          const char* const* const* strings, int64_t n_columns,
                                                          int64_t n_rows, const char* const* ids,
                                                          crmkit_churn_features** out);
CRMKIT_API int32_t crmkit_churn_features_shape(const crmkit_churn_features* f, int64_t* rows, int64_t* cols);
/* Feature j's name (valid while the handle lives). */
CRMKIT_API int32_t crmkit_churn_features_name(const crmkit_churn_features* f, int64_t j, const char** name);
/* The design matrix into out[rows * cols], column-major. */
CRMKIT_API int32_t crmkit_churn_features_matrix(const crmkit_churn_features* f, double* out, int64_t capacity);
/* *has_label = 1 and the labels into out[rows] (out may be NULL to ask), or *has_label = 0. */
CRMKIT_API int32_t crmkit_churn_features_label(const crmkit_churn_features* f, double* out, int64_t capacity,
                                               int32_t* has_label);
/* Row i's id (valid while the handle lives); *id = NULL without an id column. */
CRMKIT_API int32_t crmkit_churn_features_id(const crmkit_churn_features* f, int64_t i, const char** id);
/* *dropped = the input rows left out under missing = "drop" (0 otherwise). */
CRMKIT_API int32_t crmkit_churn_features_dropped(const crmkit_churn_features* f, int64_t* dropped);
CRMKIT_API int32_t crmkit_churn_features_free(crmkit_churn_features* f);

/* ---- logistic regression -------------------------------------------------------------------------
 * options (may be NULL): penalty ("none" | "l2" | "l1" | "elasticnet", default l2), C (default 1),
 * l1_ratio (0.5), fit_intercept (1), standardize (0), class_weight ("balanced" or "w0,w1"),
 * max_iterations (100), tolerance (1e-8). The objective is scikit-learn's (docs/models/logistic.md). */
CRMKIT_API int32_t crmkit_logit_fit(const double* x, int64_t n, int64_t p, const double* y,
                                    const double* sample_weight, const char* const* names,
                                    const crmkit_options* options, crmkit_logit** out);
/* Fits on a feature table with its label (the model keeps the names and the encoding). */
CRMKIT_API int32_t crmkit_logit_fit_features(const crmkit_churn_features* f, const double* sample_weight,
                                             const crmkit_options* options, crmkit_logit** out);
CRMKIT_API int32_t crmkit_logit_n_features(const crmkit_logit* m, int64_t* p);
/* Coefficient j on the original scale: name (valid while the handle lives), value, standard error (NaN
 * for penalised fits) and odds ratio exp(value). Any output may be NULL. */
CRMKIT_API int32_t crmkit_logit_coef(const crmkit_logit* m, int64_t j, const char** name, double* coef,
                                     double* std_error, double* odds_ratio);
CRMKIT_API int32_t crmkit_logit_intercept(const crmkit_logit* m, double* intercept, double* std_error);
/* Any output may be NULL. */
CRMKIT_API int32_t crmkit_logit_fit_info(const crmkit_logit* m, int32_t* converged, int32_t* iterations,
                                         double* log_likelihood, double* objective);
/* what: "proba" (P(y = 1)) or "decision" (x.w + b), for x (n x p, column-major) into out[n]. */
CRMKIT_API int32_t crmkit_logit_predict(const crmkit_logit* m, const char* what, const double* x, int64_t n,
                                        int64_t p, double* out);
CRMKIT_API int32_t crmkit_logit_predict_features(const crmkit_logit* m, const char* what,
                                                 const crmkit_churn_features* f, double* out, int64_t capacity);
/* The drivers of one row (p values): up to max_drivers features with the largest positive contributions
 * coef_j (x_j - mean_j), largest first, into feature[] and contribution[]; *count = how many. */
CRMKIT_API int32_t crmkit_logit_drivers(const crmkit_logit* m, const double* row, int64_t p, int64_t max_drivers,
                                        int64_t* feature, double* contribution, int64_t* count);
/* JSON as crmkit_clv_to_json: buffer NULL and capacity 0 ask for *length. */
CRMKIT_API int32_t crmkit_logit_to_json(const crmkit_logit* m, char* buffer, int64_t capacity, int64_t* length);
CRMKIT_API int32_t crmkit_logit_from_json(const char* json, crmkit_logit** out);
CRMKIT_API int32_t crmkit_logit_free(crmkit_logit* m);

/* ---- metrics (as scikit-learn defines them; docs/models/metrics.md) ------------------------------
 * name: "auc" (ROC AUC), "pr_auc" (average precision), "log_loss", "brier". */
CRMKIT_API int32_t crmkit_churn_metric(const char* name, const double* score, const double* label, int64_t n,
                                       double* out);
/* ROC points at every distinct threshold (from +inf): *length = count; fpr/tpr/thresholds may be NULL
 * with capacity 0 to ask. */
CRMKIT_API int32_t crmkit_churn_roc_curve(const double* score, const double* label, int64_t n, double* fpr,
                                          double* tpr, double* thresholds, int64_t capacity, int64_t* length);
/* bins rows of 9 values (row-major): bin, count, positives, rate, lift, cumulative_gain, cumulative_lift,
 * min_score, max_score into out[bins * 9]. */
CRMKIT_API int32_t crmkit_churn_lift_table(const double* score, const double* label, int64_t n, int64_t bins,
                                           double* out);
/* bins rows of 5 values: lower, upper, count, mean_predicted, observed (NaN for empty bins). */
CRMKIT_API int32_t crmkit_churn_calibration_table(const double* probability, const double* label, int64_t n,
                                                  int64_t bins, double* out);
/* out[8] = tp, fp, tn, fn, precision, recall, accuracy, f1 (positive when score >= threshold). */
CRMKIT_API int32_t crmkit_churn_confusion(const double* score, const double* label, int64_t n, double threshold,
                                          double* out);

/* ---- validation ---------------------------------------------------------------------------------- */
/* Stratified fold 0..k-1 of each row into fold[n] (seeded; docs/models/logistic.md#validation). */
CRMKIT_API int32_t crmkit_churn_stratified_folds(const double* label, int64_t n, int64_t k, uint64_t seed,
                                                 int32_t* fold);
/* k-fold cross-validation of crmkit_logit_fit with the fit options above plus k (default 5) and seed (0):
 * out-of-fold probabilities into probability[n] (may be NULL) and metrics[8] = mean over folds of auc,
 * pr_auc, log_loss, brier, then the same of the pooled out-of-fold predictions. */
CRMKIT_API int32_t crmkit_churn_cross_validate(const double* x, int64_t n, int64_t p, const double* y,
                                               const crmkit_options* options, double* probability,
                                               double* metrics);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* CRMKIT_C_CHURN_H */
