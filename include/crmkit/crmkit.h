/* crmkit C ABI — the only C header, and the only symbols libcrmkit.so exports.
 *
 * Rules (docs/c-abi.md):
 *  - Every function returns an int32_t status (CRMKIT_OK or CRMKIT_E_*) and never lets an exception
 *    out. On failure crmkit_last_error() gives a message for this thread, valid until the next crmkit
 *    call on the same thread.
 *  - Inputs are (pointer, length) pairs owned by the caller. Outputs go into caller buffers whose
 *    length comes from a *_len query, or live inside an opaque handle freed by its own *_free
 *    (NULL is a no-op). The library never frees caller memory.
 *  - Options are string key/value pairs on a crmkit_options handle, so new options never change a
 *    signature. Dates in options are YYYY-MM-DD or YYYYMMDD.
 *  - Signatures use only fixed-width integers, double, char and pointers. Additions only: the ABI
 *    version rises when something is added, and nothing is ever changed in place.
 */
#ifndef CRMKIT_H
#define CRMKIT_H

#include <stdint.h>

#if defined(_WIN32)
#define CRMKIT_API __declspec(dllexport)
#elif defined(__GNUC__)
#define CRMKIT_API __attribute__((visibility("default")))
#else
#define CRMKIT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define CRMKIT_ABI_VERSION 1

/* ---- status codes ------------------------------------------------------------------------------ */
#define CRMKIT_OK 0
#define CRMKIT_E_INVALID_ARGUMENT 1 /* bad option, NULL handle, inconsistent lengths */
#define CRMKIT_E_PARSE 2            /* bad input text: message has file:line:column */
#define CRMKIT_E_IO 3               /* file cannot be opened or read */
#define CRMKIT_E_NUMERIC 4          /* no finite result */
#define CRMKIT_E_NO_MEMORY 5
#define CRMKIT_E_BUFFER_TOO_SMALL 6 /* caller buffer shorter than the *_len query says */
#define CRMKIT_E_INTERNAL 99        /* a bug: please report the message */

/* time units of a transactions time column */
#define CRMKIT_TIME_DAYS 0    /* days since 1970-01-01 */
#define CRMKIT_TIME_SECONDS 1 /* seconds since the Unix epoch, UTC */

/* ---- library ----------------------------------------------------------------------------------- */
CRMKIT_API const char* crmkit_version(void);     /* "MAJOR.MINOR.PATCH" */
CRMKIT_API int32_t crmkit_abi_version(void);     /* CRMKIT_ABI_VERSION of the built library */
CRMKIT_API const char* crmkit_last_error(void);  /* "" when the last call on this thread succeeded */
CRMKIT_API const char* crmkit_status_name(int32_t status); /* "CRMKIT_E_PARSE", ... */
/* Threads (docs/architecture.md, "Threads"): the most threads one crmkit call uses, >= 1. n > 0 sets
 * that limit for the whole process; n == 0 restores the default (the environment variable
 * CRMKIT_THREADS when it is a positive integer, else the number of cores); n < 0 is
 * CRMKIT_E_INVALID_ARGUMENT. Results are the same whatever the limit. */
CRMKIT_API int32_t crmkit_set_max_threads(int32_t n);
CRMKIT_API int32_t crmkit_max_threads(void); /* the current limit */

/* ---- options: string key/value pairs ----------------------------------------------------------- */
typedef struct crmkit_options crmkit_options;
CRMKIT_API int32_t crmkit_options_new(crmkit_options** out);
/* Sets (or replaces) key. Keys are checked by the function that reads the options: an unknown key is
 * CRMKIT_E_INVALID_ARGUMENT there, naming the key. */
CRMKIT_API int32_t crmkit_options_set(crmkit_options* options, const char* key, const char* value);
CRMKIT_API int32_t crmkit_options_free(crmkit_options* options);

/* ---- transactions ------------------------------------------------------------------------------
 * read_csv option keys: customer_col, date_col, amount_col (name or 1-based index), extra_cols
 * (comma-separated), date_format (YYYYMMDD | YYYY-MM-DD | iso | unix | strftime pattern),
 * delimiter (auto | comma | tab | semicolon | whitespace), header (auto | yes | no),
 * skip_bad_rows (0 | 1), max_reported_errors (integer), no_amount (0 | 1), encoding (utf-8 | latin-1),
 * order_col (name or index: the lines of one order are one purchase), zero_amount_days (keep | drop:
 * days whose amounts are all 0 are purchases, or are dropped). docs/data-formats.md has the details. */
typedef struct crmkit_transactions crmkit_transactions;
CRMKIT_API int32_t crmkit_transactions_read_csv(const char* path, const crmkit_options* options,
                                                crmkit_transactions** out);
/* Wraps caller arrays without copying: they must stay alive and unchanged until the handle is freed.
 * customer holds dense codes 0..n_customers-1; amount may be NULL (all 0); time_unit is
 * CRMKIT_TIME_DAYS or CRMKIT_TIME_SECONDS. Ids default to the codes' decimal text. */
CRMKIT_API int32_t crmkit_transactions_from_arrays(const uint32_t* customer, const int64_t* time,
                                                   const double* amount, int64_t n, int32_t time_unit,
                                                   crmkit_transactions** out);
/* Names the codes 0..n-1 (copied). n must be >= the largest code + 1. */
CRMKIT_API int32_t crmkit_transactions_set_ids(crmkit_transactions* tx, const char* const* ids, int64_t n);
CRMKIT_API int32_t crmkit_transactions_len(const crmkit_transactions* tx, int64_t* n_rows);
CRMKIT_API int32_t crmkit_transactions_n_customers(const crmkit_transactions* tx, int64_t* n);
CRMKIT_API int32_t crmkit_transactions_time_unit(const crmkit_transactions* tx, int32_t* time_unit);
/* Views into the handle's columns, valid while it lives. *amount may be NULL when no amounts. */
CRMKIT_API int32_t crmkit_transactions_columns(const crmkit_transactions* tx, const uint32_t** customer,
                                               const int64_t** time, const double** amount);
/* All customer ids as one string column (Arrow layout): bytes of every id back to back, and
 * n_customers + 1 offsets, id i being data[offsets[i] .. offsets[i+1]). Valid while the handle lives. */
CRMKIT_API int32_t crmkit_transactions_ids(const crmkit_transactions* tx, const char** data,
                                           const int64_t** offsets, int64_t* n_customers);
/* What reading did: rows kept, rows skipped (skip_bad_rows), and the first skipped rows' messages. */
CRMKIT_API int32_t crmkit_transactions_read_report(const crmkit_transactions* tx, int64_t* rows_read,
                                                   int64_t* rows_skipped, int64_t* n_messages);
CRMKIT_API int32_t crmkit_transactions_read_message(const crmkit_transactions* tx, int64_t i,
                                                    const char** message);
/* One count of what reading did, by name: rows_read, rows_skipped, transactions (rows of the handle),
 * orders, lines_folded (order_col), zero_amount_days_dropped, zero_amount_rows_dropped,
 * customers_dropped (zero_amount_days=drop). An unknown name is CRMKIT_E_INVALID_ARGUMENT listing them. */
CRMKIT_API int32_t crmkit_transactions_read_count(const crmkit_transactions* tx, const char* name,
                                                  int64_t* value);
CRMKIT_API int32_t crmkit_transactions_free(crmkit_transactions* tx);

/* ---- customer summaries ------------------------------------------------------------------------
 * option keys: period (day | week | month), observation_end (date), calibration_end (date).
 * Columns (double): frequency recency T monetary_value first_purchase last_purchase (day numbers)
 * n_transactions total_spend; with calibration_end also frequency_holdout monetary_holdout
 * spend_holdout duration_holdout. */
typedef struct crmkit_summary crmkit_summary;
CRMKIT_API int32_t crmkit_summary_compute(const crmkit_transactions* tx, const crmkit_options* options,
                                          crmkit_summary** out);
CRMKIT_API int32_t crmkit_summary_merge(const crmkit_summary* a, const crmkit_summary* b,
                                        crmkit_summary** out);
CRMKIT_API int32_t crmkit_summary_len(const crmkit_summary* s, int64_t* n);
CRMKIT_API int32_t crmkit_summary_customers(const crmkit_summary* s, uint32_t* out, int64_t n);
CRMKIT_API int32_t crmkit_summary_column(const crmkit_summary* s, const char* name, double* out, int64_t n);
CRMKIT_API int32_t crmkit_summary_free(crmkit_summary* s);

/* Unique (frequency, recency, T) patterns with weights. n_patterns receives the count; the pattern
 * arrays (length n, at least the count) and index (length n: each row's pattern) may be NULL to
 * query the count only. */
CRMKIT_API int32_t crmkit_summary_compress(const double* frequency, const double* recency, const double* T,
                                           int64_t n, double* out_frequency, double* out_recency,
                                           double* out_T, double* out_weight, uint32_t* out_index,
                                           int64_t* n_patterns);

/* ---- RFM ---------------------------------------------------------------------------------------
 * option keys: as_of (date), bins (2..100), ties (rank-first | value-quantile), monetary (total | mean),
 * recency_cuts, frequency_cuts, monetary_cuts (comma-separated ascending numbers),
 * segments (rf-grid | rfm-ranges | path of a rules CSV), segments_text (rules CSV text), fallback. */
typedef struct crmkit_rfm crmkit_rfm;
CRMKIT_API int32_t crmkit_rfm_compute(const crmkit_transactions* tx, const crmkit_options* options,
                                      crmkit_rfm** out);
CRMKIT_API int32_t crmkit_rfm_len(const crmkit_rfm* rfm, int64_t* n);
CRMKIT_API int32_t crmkit_rfm_as_of(const crmkit_rfm* rfm, int64_t* day);
CRMKIT_API int32_t crmkit_rfm_customers(const crmkit_rfm* rfm, uint32_t* out, int64_t n);
/* name: recency | frequency | monetary | total_spend */
CRMKIT_API int32_t crmkit_rfm_values(const crmkit_rfm* rfm, const char* name, double* out, int64_t n);
/* Any of r, f, m may be NULL. */
CRMKIT_API int32_t crmkit_rfm_scores(const crmkit_rfm* rfm, int32_t* r, int32_t* f, int32_t* m, int64_t n);
/* Segment index of each customer, into the names below. */
CRMKIT_API int32_t crmkit_rfm_segments(const crmkit_rfm* rfm, int32_t* out, int64_t n);
CRMKIT_API int32_t crmkit_rfm_segment_count(const crmkit_rfm* rfm, int64_t* n);
CRMKIT_API int32_t crmkit_rfm_segment_name(const crmkit_rfm* rfm, int64_t i, const char** name);
/* Segment summary column, one value per segment. name: customers customer_share revenue revenue_share
 * mean_recency mean_frequency mean_monetary mean_r mean_f mean_m */
CRMKIT_API int32_t crmkit_rfm_segment_summary(const crmkit_rfm* rfm, const char* name, double* out, int64_t n);
CRMKIT_API int32_t crmkit_rfm_free(crmkit_rfm* rfm);

#ifdef __cplusplus
} /* extern "C" */
#endif

/* ---- models and metrics: one section header per area, all part of this one ABI ----------------- */
#include "crmkit/c/clv.h"     /* BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma, sBG; CLV */
#include "crmkit/c/interactions.h" /* interaction tables, churn indicators, escalation, retention curves */
#include "crmkit/c/churn.h"   /* feature tables, logistic regression, evaluation */
#include "crmkit/c/kano.h"    /* Kano questionnaires and feature prioritisation */
#include "crmkit/c/service.h" /* NPS, CSAT, CES, SLA, first-contact resolution, A/B tests */
#include "crmkit/c/analysis.h" /* the end-to-end analysis and its HTML report */
#include "crmkit/c/survival.h" /* Kaplan-Meier survival, log-rank test, cohort retention */
#include "crmkit/c/tracking.h" /* expected cumulative / incremental repeat transactions, actual vs predicted */
#include "crmkit/c/state.h"   /* customer-keyed summary states: save, load, refresh, merge */

#endif /* CRMKIT_H */
