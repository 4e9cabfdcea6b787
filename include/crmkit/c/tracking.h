/* crmkit C ABI, tracking section: expected cumulative / incremental repeat transactions of a cohort for
 * the continuous-time transaction models (bgnbd, mbgnbd, pnbd handles of crmkit/c/clv.h), and actual vs
 * predicted from a transaction log in one call (Fader, Hardie & Lee 2005, section 4, Figure 2).
 * Part of crmkit.h (include that); the rules of crmkit.h apply. docs/c-abi.md#tracking.
 */
#ifndef CRMKIT_C_TRACKING_H
#define CRMKIT_C_TRACKING_H

#include "crmkit/crmkit.h"
#include "crmkit/c/clv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* out[j] = sum_i weights[i] * E[X(t[j] - first_purchase[i])] over the customers with first_purchase[i] < t[j]:
 * the expected cumulative repeat transactions by t[j] of customers whose first purchases were at
 * first_purchase[i] (n values; weights may be NULL = 1 each), all on one clock in the model's time unit;
 * out has n_t elements. A gg, sbg or bgbb model is CRMKIT_E_INVALID_ARGUMENT naming the model. */
CRMKIT_API int32_t crmkit_clv_expected_cumulative(const crmkit_clv_model* m, const double* first_purchase,
                                                  const double* weights, int64_t n, const double* t, int64_t n_t,
                                                  double* out);
/* The same per period: out[j] = cumulative(t[j]) - cumulative(t[j-1]), cumulative(t[-1]) = 0; t
 * non-decreasing. */
CRMKIT_API int32_t crmkit_clv_expected_incremental(const crmkit_clv_model* m, const double* first_purchase,
                                                   const double* weights, int64_t n, const double* t, int64_t n_t,
                                                   double* out);

/* Actual and predicted repeat transactions of a transaction log's cohort, one row per period. Options (may be
 * NULL): period (day | week | month: the model's time unit and the period length; default day),
 * calibration_end (date: the cohort is the customers whose first purchase is on or before it; default every
 * customer), observation_end (date, inclusive; default the last transaction's day), periods (how many
 * periods to report; default 0 = the complete periods up to the observation end; actual values of periods
 * ending after the observation end are NaN). Period k covers the days start + [(k-1) L, k L) from the
 * cohort's first purchase day `start`; repeat transactions are purchase days after a customer's first
 * (same-day purchases merged), as in the customer summary. */
typedef struct crmkit_tracking crmkit_tracking;
CRMKIT_API int32_t crmkit_clv_track(const crmkit_clv_model* m, const crmkit_transactions* tx,
                                    const crmkit_options* options, crmkit_tracking** out);
CRMKIT_API int32_t crmkit_tracking_len(const crmkit_tracking* tr, int64_t* n_periods);
/* Column `name` into out[n] (n >= the length): period (1..n), t (the period's end in model units since
 * start), actual_cumulative, predicted_cumulative, actual_incremental, predicted_incremental. */
CRMKIT_API int32_t crmkit_tracking_column(const crmkit_tracking* tr, const char* name, double* out, int64_t n);
/* The last day of each period (days since 1970-01-01) into out[n]. */
CRMKIT_API int32_t crmkit_tracking_dates(const crmkit_tracking* tr, int64_t* out, int64_t n);
/* The first day of period 1, the observation end (days since 1970-01-01), the number of periods ending on or
 * before the calibration end (0 without one) and the cohort's size. Any output pointer may be NULL. */
CRMKIT_API int32_t crmkit_tracking_info(const crmkit_tracking* tr, int64_t* start_day, int64_t* observation_end,
                                        int64_t* calibration_periods, int64_t* customers);
CRMKIT_API int32_t crmkit_tracking_free(crmkit_tracking* tr);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* CRMKIT_C_TRACKING_H */
