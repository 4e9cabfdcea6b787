/* crmkit C ABI, analysis section. Part of crmkit.h (include that); the rules of crmkit.h apply. */
#ifndef CRMKIT_C_ANALYSIS_H
#define CRMKIT_C_ANALYSIS_H

#include "crmkit/crmkit.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the end-to-end analysis (crmkit analyze; docs/report.md) ----------------------------------
 * Runs summaries, RFM segments, the transaction model, P(alive), expected purchases, Gamma-Gamma CLV
 * and, with calibration_end, the holdout checks and the logistic churn model, on a transactions
 * handle; with survey, the Kano analysis; with interactions, service metrics (and NPS when the file
 * has scores). When output_dir is not NULL it writes customers.csv, summary.json and report.html
 * there, plus kano.json and kano.csv with a survey and service.json with interactions (the directory
 * is created when missing; CRMKIT_E_IO when it cannot be written; CRMKIT_E_IO / CRMKIT_E_PARSE for an
 * unreadable or malformed survey or interaction file). out may be NULL when only the files are wanted.
 * Option keys: as_of, calibration_end (dates), period (day | week | month; default week),
 * horizon_months (1..1200; default 12), discount_rate (monthly, >= 0; default 0.01), margin (> 0;
 * default 1), segments (rf-grid | rfm-ranges), interactions, survey (paths of optional inputs),
 * title (report heading), source (input name shown in the report). */
typedef struct crmkit_analysis crmkit_analysis;
CRMKIT_API int32_t crmkit_analyze(const crmkit_transactions* tx, const crmkit_options* options,
                                  const char* output_dir, crmkit_analysis** out);
/* summary.json's text (UTF-8, NUL-terminated), valid while the handle lives. */
CRMKIT_API int32_t crmkit_analysis_summary_json(const crmkit_analysis* a, const char** json);
/* report.html's text, rendered on first request, valid while the handle lives. */
CRMKIT_API int32_t crmkit_analysis_report_html(const crmkit_analysis* a, const char** html);
/* Paths of the files written (customers.csv, summary.json, report.html, kano.json, kano.csv,
 * service.json); "" when that file was not written. */
CRMKIT_API int32_t crmkit_analysis_output_path(const crmkit_analysis* a, const char* file, const char** path);
/* Rows of customers.csv (customers with a purchase on or before as_of). */
CRMKIT_API int32_t crmkit_analysis_len(const crmkit_analysis* a, int64_t* n);
/* A per-customer column as doubles, in the row order of customers.csv. name: rfm_recency
 * rfm_frequency rfm_monetary frequency recency T monetary_value total_spend p_alive churn_risk
 * expected_purchases expected_spend clv churn_probability interactions (the model columns are NaN when
 * the model is absent; churn_probability needs calibration_end, interactions an interaction file whose
 * customer ids match the log's). */
CRMKIT_API int32_t crmkit_analysis_column(const crmkit_analysis* a, const char* name, double* out, int64_t n);
CRMKIT_API int32_t crmkit_analysis_free(crmkit_analysis* a);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* CRMKIT_C_ANALYSIS_H */
