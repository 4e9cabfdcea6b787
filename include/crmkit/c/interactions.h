/* crmkit C ABI, interactions section: interaction tables, churn indicators at a cutoff, and escalation
 * rules. Part of crmkit.h (include that); the rules of crmkit.h apply. docs/c-abi.md,
 * docs/data-formats.md#interactions, docs/models/churn_indicators.md, docs/models/escalation.md. */
#ifndef CRMKIT_C_INTERACTIONS_H
#define CRMKIT_C_INTERACTIONS_H

#include "crmkit/crmkit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct crmkit_interactions crmkit_interactions;
typedef struct crmkit_indicators crmkit_indicators;
typedef struct crmkit_escalations crmkit_escalations;

/* ---- interaction tables --------------------------------------------------------------------------
 * Reads an interaction CSV. tx (may be NULL): a transaction table whose customer codes the
 * interactions share (its customers keep their codes; customers seen only here get the next ones).
 * options (may be NULL): customer_col, date_col, channel_col, kind_col, csat_col,
 * first_response_col, resolved_col (column names; default: the aliases of docs/data-formats.md),
 * date_format, delimiter (auto | comma | tab | semicolon | whitespace). */
CRMKIT_API int32_t crmkit_interactions_read_csv(const char* path, const crmkit_transactions* tx,
                                                const crmkit_options* options, crmkit_interactions** out);
CRMKIT_API int32_t crmkit_interactions_len(const crmkit_interactions* in, int64_t* n_rows);
/* Customers known to the table (including the transaction table's when shared). */
CRMKIT_API int32_t crmkit_interactions_n_customers(const crmkit_interactions* in, int64_t* n);
/* Views into the handle's columns, valid while it lives; time is days since 1970-01-01. Each output may
 * be NULL (not wanted); an optional column the file lacks comes back as NULL. csat and
 * first_response_minutes use NaN for "no value", resolved_first_contact -1. */
CRMKIT_API int32_t crmkit_interactions_columns(const crmkit_interactions* in, const uint32_t** customer,
                                               const int64_t** time, const uint32_t** channel, const uint32_t** kind,
                                               const double** csat, const double** first_response_minutes,
                                               const int8_t** resolved_first_contact);
/* Name of customer code i, channel code i or kind code i (valid while the handle lives). what:
 * "customer", "channel" or "kind". *n_names receives the count when name is NULL. */
CRMKIT_API int32_t crmkit_interactions_name(const crmkit_interactions* in, const char* what, int64_t i,
                                            const char** name, int64_t* n_names);
CRMKIT_API int32_t crmkit_interactions_free(crmkit_interactions* in);

/* ---- churn indicators at a cutoff (docs/models/churn_indicators.md) ------------------------------
 * in may be NULL (purchase indicators only); when given it must have been read with tx.
 * options: cutoff (date, required), horizon_days (default 180; 0 = no label), recent_days (90),
 * low_csat (4), complaint_kinds (comma-separated, default "complaint"). */
CRMKIT_API int32_t crmkit_churn_indicators(const crmkit_transactions* tx, const crmkit_interactions* in,
                                           const crmkit_options* options, crmkit_indicators** out);
/* rows = customers with a purchase on or before the cutoff; cols = indicators (without the label). */
CRMKIT_API int32_t crmkit_indicators_shape(const crmkit_indicators* t, int64_t* rows, int64_t* cols);
CRMKIT_API int32_t crmkit_indicators_name(const crmkit_indicators* t, int64_t j, const char** name);
/* Indicator column `name` into out[rows]. */
CRMKIT_API int32_t crmkit_indicators_column(const crmkit_indicators* t, const char* name, double* out,
                                            int64_t capacity);
/* All indicators into out[rows * cols], column-major (ready for crmkit_logit_fit). */
CRMKIT_API int32_t crmkit_indicators_matrix(const crmkit_indicators* t, double* out, int64_t capacity);
/* *has_label = 1 and churned (0/1) into out[rows] (out may be NULL to ask), or *has_label = 0. */
CRMKIT_API int32_t crmkit_indicators_label(const crmkit_indicators* t, double* out, int64_t capacity,
                                           int32_t* has_label);
/* Customer codes (the transaction table's) into out[rows]. */
CRMKIT_API int32_t crmkit_indicators_customers(const crmkit_indicators* t, uint32_t* out, int64_t capacity);
/* Row i's customer id (valid while the handle lives). */
CRMKIT_API int32_t crmkit_indicators_id(const crmkit_indicators* t, int64_t i, const char** id);
CRMKIT_API int32_t crmkit_indicators_free(crmkit_indicators* t);

/* ---- escalation rules (docs/models/escalation.md) -------------------------------------------------
 * rules_path NULL = the default rules (low_csat_streak, repeat_complaints). options (may be NULL):
 * rules_text (a rules CSV as text, instead of rules_path), as_of (date). */
CRMKIT_API int32_t crmkit_escalate(const crmkit_interactions* in, const char* rules_path,
                                   const crmkit_options* options, crmkit_escalations** out);
CRMKIT_API int32_t crmkit_escalations_len(const crmkit_escalations* e, int64_t* n);
/* Row i: customer id, rule name, channel ("" without a channel column) — valid while the handle lives —
 * day of the first interaction where the rule held (days since 1970-01-01), interactions in that run
 * and interactions where it held. Any output may be NULL. */
CRMKIT_API int32_t crmkit_escalations_row(const crmkit_escalations* e, int64_t i, const char** customer,
                                          const char** rule, const char** channel, int64_t* day,
                                          int64_t* matched, int64_t* firings);
CRMKIT_API int32_t crmkit_escalations_free(crmkit_escalations* e);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* CRMKIT_C_INTERACTIONS_H */
