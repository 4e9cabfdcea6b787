/* crmkit C ABI, service section. Part of crmkit.h (include that); the rules of crmkit.h apply.
 *
 * Service-quality metrics (docs/models/service.md): NPS, CSAT, CES, first-contact resolution and
 * response-time SLA compliance, overall and per group, behind a crmkit_service handle whose rows are
 * 0 = overall ("all") and 1.. = the groups in order of first appearance. Values are read by dotted key
 * (crmkit_service_value), e.g. "nps", "ci_low" (NPS); "interactions", "csat.csat", "csat.mean",
 * "ces.mean", "fcr.rate", "sla.compliance", "sla.tiers.urgent.compliance" (service metrics); the keys
 * are those of the JSON (crmkit_service_to_json).
 *
 * Options: confidence (0.95); sla ("urgent=30m,normal=4h,complex=24h" by default; a bare number is
 * minutes); for the CSV readers also by (a group column) and, for NPS, score_col.
 */
#ifndef CRMKIT_C_SERVICE_H
#define CRMKIT_C_SERVICE_H

#include "crmkit/crmkit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct crmkit_service crmkit_service;

/* NPS of n scores 0..10 (NaN = no answer); group may be NULL (overall only). */
CRMKIT_API int32_t crmkit_nps(const double* scores, const char* const* group, int64_t n,
                              const crmkit_options* options, crmkit_service** out);
/* A scores CSV (column score, nps, nps_score, likelihood_to_recommend or options score_col). */
CRMKIT_API int32_t crmkit_nps_read_csv(const char* path, const crmkit_options* options, crmkit_service** out);
/* Interaction columns of n rows; any metric pointer may be NULL (not measured). csat 1..5, ces 1..7,
 * first_response_minutes >= 0 (NaN = none), resolved_first_contact 0/1/-1 (unknown); priority names
 * each row's tier (required with first_response_minutes); group may be NULL. */
CRMKIT_API int32_t crmkit_service_metrics(const char* const* group, const double* csat, const double* ces,
                                          const double* first_response_minutes,
                                          const int32_t* resolved_first_contact, const char* const* priority,
                                          int64_t n, const crmkit_options* options, crmkit_service** out);
/* The same two with dictionary-encoded text columns: group codes < n_groups with group_names (group
 * NULL = overall only), priority codes < n_priorities with priority_names. */
CRMKIT_API int32_t crmkit_nps_coded(const double* scores, const uint32_t* group, const char* const* group_names,
                                    int64_t n_groups, int64_t n, const crmkit_options* options, crmkit_service** out);
CRMKIT_API int32_t crmkit_service_metrics_coded(const uint32_t* group, const char* const* group_names,
                                                int64_t n_groups, const double* csat, const double* ces,
                                                const double* first_response_minutes,
                                                const int32_t* resolved_first_contact, const uint32_t* priority,
                                                const char* const* priority_names, int64_t n_priorities, int64_t n,
                                                const crmkit_options* options, crmkit_service** out);
/* An interaction CSV (columns csat, ces, first_response_minutes, resolved_first_contact, priority). */
CRMKIT_API int32_t crmkit_service_read_csv(const char* path, const crmkit_options* options, crmkit_service** out);

CRMKIT_API int32_t crmkit_service_group_count(const crmkit_service* s, int64_t* n);
CRMKIT_API int32_t crmkit_service_group_name(const crmkit_service* s, int64_t i, const char** name);
/* The value of a dotted key for row i (NaN when undefined, e.g. no answers); booleans as 0/1. */
CRMKIT_API int32_t crmkit_service_value(const crmkit_service* s, int64_t i, const char* key, double* value);
CRMKIT_API int32_t crmkit_service_to_json(const crmkit_service* s, char* buffer, int64_t capacity, int64_t* length);
CRMKIT_API int32_t crmkit_service_free(crmkit_service* s);

/* A/B test of two proportions: A = successes_a / trials_a, B likewise. out receives
 * CRMKIT_ABTEST_VALUES doubles: rate_a, ci_low_a, ci_high_a, rate_b, ci_low_b, ci_high_b,
 * difference (B - A), ci_low, ci_high (Newcombe), relative_lift, z (pooled), p_value, significant (0/1). */
#define CRMKIT_ABTEST_VALUES 13
CRMKIT_API int32_t crmkit_abtest(int64_t successes_a, int64_t trials_a, int64_t successes_b, int64_t trials_b,
                                 double confidence, double* out, int64_t len);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* CRMKIT_C_SERVICE_H */
