/* crmkit C ABI, CLV section: fitted CLV models behind one handle type, whatever the model.
 * Part of crmkit.h (include that); the rules of crmkit.h apply. docs/c-abi.md.
 *
 * One generic handle (crmkit_clv_model) rather than one set of functions per model keeps the ABI
 * small and stable as models are added: the model is named by a key string —
 *   "bgnbd" (BG/NBD: columns frequency, recency, T),
 *   "mbgnbd" (MBG/NBD: frequency, recency, T; parameters r alpha a b),
 *   "pnbd"  (Pareto/NBD: frequency, recency, T; parameters r alpha s beta),
 *   "gg"    (Gamma-Gamma: columns frequency, monetary_value),
 *   "sbg"   (shifted-beta-geometric: column active (a cohort), or periods + churned [+ weights];
 *            through the *_columns functions),
 *   "bgbb"  (BG/BB: frequency, recency, n_periods [+ weights]; through the *_columns functions);
 * Columns are (const double*, n) with NULL for a column the model does not use; weights may be NULL.
 */
#ifndef CRMKIT_C_CLV_H
#define CRMKIT_C_CLV_H

#include "crmkit/crmkit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct crmkit_clv_model crmkit_clv_model;

/* Maximum-likelihood fit. options (may be NULL): penalizer (>= 0), max_iterations, tolerance,
 * initial_params (comma-separated, in the model's parameter order), restarts, zero_spend (gg: skip,
 * the default, leaves repeat buyers whose mean spend is 0 out and counts them in the model JSON's
 * n_zero_spend_skipped; error refuses them naming the customer row). */
CRMKIT_API int32_t crmkit_clv_fit(const char* model, const double* frequency, const double* recency,
                                  const double* T, const double* monetary_value, const double* weights,
                                  int64_t n, const crmkit_options* options, crmkit_clv_model** out);
/* The same with named columns: names[i] (frequency, recency, T, monetary_value, weights, n_periods, periods,
 * churned, active) labels columns[i], each of length n. Unknown names are CRMKIT_E_INVALID_ARGUMENT. */
CRMKIT_API int32_t crmkit_clv_fit_columns(const char* model, const char* const* names, const double* const* columns,
                                          int64_t n_columns, int64_t n, const crmkit_options* options,
                                          crmkit_clv_model** out);
/* A model from given parameters, in the model's order (bgnbd, mbgnbd: r alpha a b; pnbd: r alpha s beta;
 * gg: p q gamma). */
CRMKIT_API int32_t crmkit_clv_from_params(const char* model, const double* values, int64_t n_values,
                                          crmkit_clv_model** out);
/* Loads the JSON written by crmkit_clv_to_json or `crmkit fit` (NUL-terminated UTF-8). */
CRMKIT_API int32_t crmkit_clv_from_json(const char* json, crmkit_clv_model** out);
/* Writes the model as JSON into buffer (capacity bytes, NUL-terminated) and its length without the NUL
 * into *length. buffer may be NULL (capacity 0) to query the length; a short buffer is
 * CRMKIT_E_BUFFER_TOO_SMALL with *length set. */
CRMKIT_API int32_t crmkit_clv_to_json(const crmkit_clv_model* m, char* buffer, int64_t capacity, int64_t* length);
/* The model key ("bgnbd", "gg"); valid while the handle lives. */
CRMKIT_API int32_t crmkit_clv_model_key(const crmkit_clv_model* m, const char** key);
CRMKIT_API int32_t crmkit_clv_param_count(const crmkit_clv_model* m, int64_t* n);
/* Parameter i: name (valid while the handle lives), estimate and standard error (NaN when the model was
 * not fitted or the Hessian is not positive definite). Any output pointer may be NULL. */
CRMKIT_API int32_t crmkit_clv_param(const crmkit_clv_model* m, int64_t i, const char** name, double* value,
                                    double* std_error);
/* Fit diagnostics; *fitted = 0 for a model made from parameters or JSON without fit keys (then the
 * rest are 0). Any output pointer may be NULL. */
CRMKIT_API int32_t crmkit_clv_fit_info(const crmkit_clv_model* m, int32_t* fitted, double* log_likelihood,
                                       int32_t* converged, int32_t* iterations, double* gradient_norm);
/* Prediction `what` for n rows into out[n]. Transaction models: "p_alive", "conditional_expected_purchases"
 * (in (T, T + horizon]), "expected_purchases" (E[X(horizon)], same in every row),
 * "probability_of_n_purchases" (n from frequency), "dert" (discounted expected residual transactions,
 * continuous discount rate = horizon > 0 per time unit; bgnbd, mbgnbd, pnbd). gg: "conditional_expected_spend",
 * "expected_spend". */
CRMKIT_API int32_t crmkit_clv_predict(const crmkit_clv_model* m, const char* what, double horizon,
                                      const double* frequency, const double* recency, const double* T,
                                      const double* monetary_value, int64_t n, double* out);
/* crmkit_clv_predict with named columns (as crmkit_clv_fit_columns); sbg: "survival", "retention_rate",
 * "churn_probability", "derl" (discount rate = horizon) at t = periods; "expected_lifetime" (horizon 0 =
 * untruncated, +inf when alpha <= 1). bgbb (columns frequency, recency, n_periods): "p_alive",
 * "conditional_expected_purchases" (next `horizon` opportunities), "expected_purchases",
 * "probability_of_n_purchases" (P(X(horizon) = frequency)), "dert" (discount rate = horizon > 0 per
 * opportunity). */
CRMKIT_API int32_t crmkit_clv_predict_columns(const crmkit_clv_model* m, const char* what, double horizon,
                                              const char* const* names, const double* const* columns,
                                              int64_t n_columns, int64_t n, double* out);
/* Customer lifetime value (docs/models/clv.md) into out[n]. options (may be NULL): method ("monthly",
 * the default: lifetimes' customer_lifetime_value recipe over `months`; "dert": continuous discounting of all
 * future purchases at delta = ln(1 + discount_rate) / periods_per_month per time unit, no horizon),
 * months (whole, default 12; monthly only), discount_rate (monthly, default 0.01; > 0 for dert), margin
 * (default 1), periods_per_month (time units per month: 30 days, 4.345 weeks; default 30). */
CRMKIT_API int32_t crmkit_clv_value(const crmkit_clv_model* transactions, const crmkit_clv_model* spend,
                                    const double* frequency, const double* recency, const double* T,
                                    const double* monetary_value, int64_t n, const crmkit_options* options,
                                    double* out);
CRMKIT_API int32_t crmkit_clv_free(crmkit_clv_model* m);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* CRMKIT_C_CLV_H */
