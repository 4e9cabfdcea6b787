/* crmkit C ABI, kano section. Part of crmkit.h (include that); the rules of crmkit.h apply.
 *
 * Kano questionnaire analysis (docs/models/kano.md). A survey is one row per respondent and feature
 * with a functional and a dysfunctional answer: codes 1..5 (1 like, 2 must-be, 3 neutral, 4 live-with,
 * 5 dislike) or words. The result lives behind a crmkit_kano handle; features are in input order of
 * first appearance (index i), with their priority rank in crmkit_kano_flags(..., "priority", ...).
 *
 * Options (crmkit_options keys, all optional):
 *   table            "standard" (Berger et al. 1993, the default) or the path of a 5x5 letter table
 *   table_text       the same table as text
 *   words            "word=code,..." replacing the default answer words (added to words_file /
 *                    words_csv when those are given)
 *   words_file       path of a two-column CSV wording,answer (optional header; quote a wording with a
 *                    comma; answer = code 1..5 or a default word) replacing the default words
 *   words_csv        the same CSV as text
 *                    Answers are matched after normalising typographic quotes, blanks and ASCII case.
 *   invalid          answers neither a code 1..5 nor a known word: "fail" (default: CRMKIT_E_PARSE /
 *                    CRMKIT_E_INVALID_ARGUMENT listing every distinct unknown wording with its count)
 *                    or "skip" (leave the pair out, counted in invalid_answers / skipped_rows)
 *   missing          blank (or code 0) answers: "skip" (default: left out, counted in missing_answers)
 *                    or "fail" (an error naming the first one)
 *   tie_threshold    0.05; fong_z 1.65; straightline_min_features 3; questionable_share 0.5
 *   exclude_straightliners, exclude_questionable   0 or 1 (default 0)
 *   benefit_split, cost_split, frequency_split     numbers (default: the median over features)
 *   costs / costs_text   a CSV (path / text) with columns feature, cost and/or frequency
 */
#ifndef CRMKIT_C_KANO_H
#define CRMKIT_C_KANO_H

#include "crmkit/crmkit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct crmkit_kano crmkit_kano;

/* A survey CSV: columns respondent, feature, functional, dysfunctional, optional importance, cost,
 * frequency (docs/models/kano.md). CRMKIT_E_IO / CRMKIT_E_PARSE name the file, line and column. */
CRMKIT_API int32_t crmkit_kano_read_csv(const char* path, const crmkit_options* options, crmkit_kano** out);
/* Columns of n rows; answers as text (codes "1".."5" or words; "" = missing). importance may be NULL
 * (NaN = none for a row). */
CRMKIT_API int32_t crmkit_kano_analyze(const char* const* respondent, const char* const* feature,
                                       const char* const* functional, const char* const* dysfunctional,
                                       const double* importance, int64_t n, const crmkit_options* options,
                                       crmkit_kano** out);
/* The same with answer codes (0 = missing; other values outside 1..5 are invalid). */
CRMKIT_API int32_t crmkit_kano_analyze_codes(const char* const* respondent, const char* const* feature,
                                             const int32_t* functional, const int32_t* dysfunctional,
                                             const double* importance, int64_t n, const crmkit_options* options,
                                             crmkit_kano** out);
/* The same with dictionary-encoded respondents and features: codes < n_respondents / n_features with
 * their names (respondent_names may be NULL: respondents are then named by their decimal code). */
CRMKIT_API int32_t crmkit_kano_analyze_coded(const uint32_t* respondent, const char* const* respondent_names,
                                             int64_t n_respondents, const uint32_t* feature,
                                             const char* const* feature_names, int64_t n_features,
                                             const int32_t* functional, const int32_t* dysfunctional,
                                             const double* importance, int64_t n, const crmkit_options* options,
                                             crmkit_kano** out);

CRMKIT_API int32_t crmkit_kano_feature_count(const crmkit_kano* k, int64_t* n);
/* Valid until crmkit_kano_free. */
CRMKIT_API int32_t crmkit_kano_feature_name(const crmkit_kano* k, int64_t i, const char** name);
/* n_features * 6 counts, row-major, categories A, O, M, I, R, Q. */
CRMKIT_API int32_t crmkit_kano_counts(const crmkit_kano* k, int64_t* out, int64_t len);
/* Category per feature: 0..5 = A, O, M, I, R, Q; -1 for a feature without classified answers. */
CRMKIT_API int32_t crmkit_kano_categories(const crmkit_kano* k, int32_t* out, int64_t len);
/* One double per feature. what: better, worse, category_strength, total_strength, fong_difference,
 * fong_critical, functional_mean, functional_sd, dysfunctional_mean, dysfunctional_sd, importance_mean,
 * weighted_better, weighted_worse, weighted_functional_mean, weighted_dysfunctional_mean, benefit,
 * cost, frequency, share_A .. share_Q, weighted_share_A .. weighted_share_Q. NaN where undefined. */
CRMKIT_API int32_t crmkit_kano_values(const crmkit_kano* k, const char* what, double* out, int64_t len);
/* One integer per feature. what: n, priority (1 = first), fong_significant, tie_broken (0/1). */
CRMKIT_API int32_t crmkit_kano_flags(const crmkit_kano* k, const char* what, int64_t* out, int64_t len);
/* "fix now", "quick win", "roadmap", "fill-in", "deprioritise", or "" without a cost. */
CRMKIT_API int32_t crmkit_kano_recommendation(const crmkit_kano* k, int64_t i, const char** text);
/* Quality counts. what: rows, used_rows, respondents, missing_answers, invalid_answers, skipped_rows,
 * excluded_rows, missing_importance. */
CRMKIT_API int32_t crmkit_kano_quality(const crmkit_kano* k, const char* what, int64_t* value);
/* Each missing or invalid answer: 0-based row, file line (0 if not from a file), column
 * ("functional"/"dysfunctional"), the answer text and the problem ("missing"/"invalid"). */
CRMKIT_API int32_t crmkit_kano_issue_count(const crmkit_kano* k, int64_t* n);
CRMKIT_API int32_t crmkit_kano_issue(const crmkit_kano* k, int64_t i, int64_t* row, int64_t* line,
                                     const char** column, const char** answer, const char** problem);
/* Flagged respondents. which: "straightliners" or "questionable_respondents". */
CRMKIT_API int32_t crmkit_kano_flagged_count(const crmkit_kano* k, const char* which, int64_t* n);
CRMKIT_API int32_t crmkit_kano_flagged(const crmkit_kano* k, const char* which, int64_t i, const char** respondent);
/* The whole result as JSON (the CLI's --format json); *length excludes the NUL. buffer NULL and
 * capacity 0 query the length. */
CRMKIT_API int32_t crmkit_kano_to_json(const crmkit_kano* k, char* buffer, int64_t capacity, int64_t* length);
CRMKIT_API int32_t crmkit_kano_free(crmkit_kano* k);

#ifdef __cplusplus
} /* extern "C" */
#endif
#endif /* CRMKIT_C_KANO_H */
