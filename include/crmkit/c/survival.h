/* crmkit C ABI, survival section. Part of crmkit.h (include that); the rules of crmkit.h apply.
 *
 * Kaplan-Meier survival curves with Greenwood standard errors, pointwise intervals, medians and the
 * log-rank test (docs/models/survival.md); (duration, event) per customer from a transaction log; cohort
 * retention matrices (docs/models/cohorts.md). Results live behind handles freed by their *_free.
 */
#ifndef CRMKIT_C_SURVIVAL_H
#define CRMKIT_C_SURVIVAL_H

#include "crmkit/crmkit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct crmkit_km crmkit_km;
typedef struct crmkit_durations crmkit_durations;
typedef struct crmkit_cohorts crmkit_cohorts;

/* ---- Kaplan-Meier --------------------------------------------------------------------------------
 * n rows: duration (finite, >= 0), event (1 = event/churned, 0 = censored), weight (NULL = all 1;
 * else finite > 0, frequency weights), group (NULL = one curve; else codes, one curve per code present,
 * in code order). group_names (may be NULL: curves are named by the decimal code) holds n_group_names
 * names, and every code must then be < n_group_names.
 * options (may be NULL): conf_type "log" (default, R survfit's) | "log-log" | "plain"; conf_level 0.95.
 * Bad input: CRMKIT_E_INVALID_ARGUMENT naming the argument and the row. */
CRMKIT_API int32_t crmkit_km_fit(const double* duration, const double* event, const double* weight,
                                 const uint32_t* group, const char* const* group_names, int64_t n_group_names,
                                 int64_t n, const crmkit_options* options, crmkit_km** out);
CRMKIT_API int32_t crmkit_km_curve_count(const crmkit_km* km, int64_t* n);
/* The curve's group name ("" without groups); valid until crmkit_km_free. */
CRMKIT_API int32_t crmkit_km_curve_group(const crmkit_km* km, int64_t curve, const char** name);
/* Rows of the curve (one per distinct time with an event or a censoring). */
CRMKIT_API int32_t crmkit_km_curve_len(const crmkit_km* km, int64_t curve, int64_t* n);
/* column: time | n_risk | n_event | n_censor | survival | std_err | lower | upper; out holds len values. */
CRMKIT_API int32_t crmkit_km_curve_column(const crmkit_km* km, int64_t curve, const char* column, double* out,
                                          int64_t capacity);
/* what: n | events | median | median_lower | median_upper (NaN = not reached) | conf_level */
CRMKIT_API int32_t crmkit_km_curve_value(const crmkit_km* km, int64_t curve, const char* what, double* value);
/* The step function at n_times times; each output (n_times values) may be NULL. */
CRMKIT_API int32_t crmkit_km_survival_at(const crmkit_km* km, int64_t curve, const double* times, int64_t n_times,
                                         double* survival, double* std_err, double* lower, double* upper,
                                         double* n_risk);
/* *has_test = 1 with >= 2 curves (then chi_square, df, p_value; any may be NULL), else 0. */
CRMKIT_API int32_t crmkit_km_logrank(const crmkit_km* km, int32_t* has_test, double* chi_square, double* df,
                                     double* p_value);
/* Observed and expected events per curve (capacity >= curve count; either may be NULL). */
CRMKIT_API int32_t crmkit_km_logrank_counts(const crmkit_km* km, double* observed, double* expected,
                                            int64_t capacity);
/* The result as JSON (the CLI's --format json without "at"); *length excludes the NUL. buffer NULL and
 * capacity 0 query the length. */
CRMKIT_API int32_t crmkit_km_to_json(const crmkit_km* km, char* buffer, int64_t capacity, int64_t* length);
CRMKIT_API int32_t crmkit_km_free(crmkit_km* km);

/* ---- (duration, event) per customer from transactions ---------------------------------------------
 * options (may be NULL): inactive_days (default 90, >= 1), observation_end (YYYY-MM-DD or YYYYMMDD,
 * default the last transaction's day), period (day | week | month: the unit of duration). A customer
 * is churned (event 1, duration = first to last purchase) when they bought nothing in the inactive_days
 * days up to and including observation_end; otherwise censored (event 0, duration = first purchase to
 * observation_end). docs/models/survival.md. */
CRMKIT_API int32_t crmkit_durations_compute(const crmkit_transactions* tx, const crmkit_options* options,
                                            crmkit_durations** out);
CRMKIT_API int32_t crmkit_durations_len(const crmkit_durations* d, int64_t* n);
CRMKIT_API int32_t crmkit_durations_observation_end(const crmkit_durations* d, int64_t* day);
/* Customer codes of the transaction handle (ids via crmkit_transactions_ids). */
CRMKIT_API int32_t crmkit_durations_customers(const crmkit_durations* d, uint32_t* out, int64_t capacity);
/* column: duration | event | first_day | last_day (day numbers as doubles). */
CRMKIT_API int32_t crmkit_durations_column(const crmkit_durations* d, const char* column, double* out,
                                           int64_t capacity);
CRMKIT_API int32_t crmkit_durations_free(crmkit_durations* d);

/* ---- cohort retention ----------------------------------------------------------------------------
 * options (may be NULL): period "month" (default) | "quarter" | "week" (Monday to Sunday). */
CRMKIT_API int32_t crmkit_cohorts_compute(const crmkit_transactions* tx, const crmkit_options* options,
                                          crmkit_cohorts** out);
CRMKIT_API int32_t crmkit_cohorts_shape(const crmkit_cohorts* c, int64_t* n_cohorts, int64_t* n_offsets);
/* "1997-01", "1997-Q1" or the week's Monday "1997-01-06"; valid until crmkit_cohorts_free. */
CRMKIT_API int32_t crmkit_cohorts_label(const crmkit_cohorts* c, int64_t cohort, const char** label);
/* First day of each cohort's period (days since 1970-01-01), n_cohorts values. */
CRMKIT_API int32_t crmkit_cohorts_start(const crmkit_cohorts* c, int64_t* out, int64_t capacity);
/* Customers per cohort, n_cohorts values. */
CRMKIT_API int32_t crmkit_cohorts_size(const crmkit_cohorts* c, int64_t* out, int64_t capacity);
/* what: active | retention | revenue | observed; n_cohorts * n_offsets values, row-major (cohort, offset).
 * Unobserved cells (after the log's last period) are 0, retention NaN. */
CRMKIT_API int32_t crmkit_cohorts_matrix(const crmkit_cohorts* c, const char* what, double* out, int64_t capacity);
CRMKIT_API int32_t crmkit_cohorts_to_json(const crmkit_cohorts* c, char* buffer, int64_t capacity, int64_t* length);
CRMKIT_API int32_t crmkit_cohorts_free(crmkit_cohorts* c);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* CRMKIT_C_SURVIVAL_H */
