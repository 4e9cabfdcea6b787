/* The kano section of the C ABI from C: the hand-computed survey of docs/models/kano.md
 * (tests/data/kano_survey.csv), answers as text and as codes, cost quadrants, the quality report,
 * JSON, and every error path returning a status with a message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmkit/crmkit.h"

static int passed = 0, failed = 0;
#define CHECK(cond)                                                              \
  do {                                                                           \
    if (cond) {                                                                  \
      ++passed;                                                                  \
    } else {                                                                     \
      ++failed;                                                                  \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                            \
  } while (0)
#define CHECK_RC(expr, code)                                                                  \
  do {                                                                                        \
    int32_t rc_ = (expr);                                                                     \
    if (rc_ == (code)) {                                                                      \
      ++passed;                                                                               \
    } else {                                                                                  \
      ++failed;                                                                               \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s: %s\n", __FILE__, __LINE__, #expr, \
              crmkit_status_name(rc_), crmkit_status_name(code), crmkit_last_error());        \
    }                                                                                         \
  } while (0)
#define HAS(haystack, needle) (strstr((haystack), (needle)) != NULL)
#define NEAR(a, b) (fabs((a) - (b)) < 1e-12)

static int64_t find(const crmkit_kano* k, const char* name) {
  int64_t n = 0;
  crmkit_kano_feature_count(k, &n);
  for (int64_t i = 0; i < n; ++i) {
    const char* s = NULL;
    crmkit_kano_feature_name(k, i, &s);
    if (s && strcmp(s, name) == 0) return i;
  }
  return -1;
}

static void test_csv(void) {
  char path[4096], costs[4096];
  snprintf(path, sizeof path, "%s/kano_survey.csv", CRMKIT_TEST_DATA);
  snprintf(costs, sizeof costs, "%s/kano_costs.csv", CRMKIT_TEST_DATA);
  crmkit_options* o = NULL;
  CHECK_RC(crmkit_options_new(&o), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "costs", costs), CRMKIT_OK);
  crmkit_kano* k = NULL;
  CHECK_RC(crmkit_kano_read_csv(path, o, &k), CRMKIT_OK);
  crmkit_options_free(o);
  if (!k) return;
  int64_t n = 0;
  CHECK_RC(crmkit_kano_feature_count(k, &n), CRMKIT_OK);
  CHECK(n == 4);
  int64_t pw = find(k, "password_reset"), ai = find(k, "ai_summary");
  CHECK(pw == 0 && ai == 3);
  int64_t counts[24];
  CHECK_RC(crmkit_kano_counts(k, counts, 24), CRMKIT_OK);
  /* password_reset: A 1, O 2, M 6, I 1, R 0, Q 0 */
  CHECK(counts[0] == 1 && counts[1] == 2 && counts[2] == 6 && counts[3] == 1 && counts[4] == 0 && counts[5] == 0);
  int32_t cat[4];
  CHECK_RC(crmkit_kano_categories(k, cat, 4), CRMKIT_OK);
  CHECK(cat[0] == 2 && cat[1] == 1 && cat[2] == 0 && cat[3] == 0); /* M, O, A, A */
  double v[4];
  CHECK_RC(crmkit_kano_values(k, "better", v, 4), CRMKIT_OK);
  CHECK(NEAR(v[0], 0.3) && NEAR(v[1], 0.7) && NEAR(v[2], 0.75) && NEAR(v[3], 5.0 / 9));
  CHECK_RC(crmkit_kano_values(k, "worse", v, 4), CRMKIT_OK);
  CHECK(NEAR(v[0], -0.8) && NEAR(v[1], -0.8) && NEAR(v[2], -0.125) && NEAR(v[3], -1.0 / 9));
  CHECK_RC(crmkit_kano_values(k, "functional_mean", v, 4), CRMKIT_OK);
  CHECK(NEAR(v[0], 1.3) && NEAR(v[1], 2.9) && NEAR(v[2], 3.25) && NEAR(v[3], 21.0 / 9));
  CHECK_RC(crmkit_kano_values(k, "share_M", v, 4), CRMKIT_OK);
  CHECK(NEAR(v[0], 0.6));
  CHECK_RC(crmkit_kano_values(k, "weighted_better", v, 4), CRMKIT_OK);
  CHECK(NEAR(v[0], 13.0 / 44));
  int64_t f[4];
  CHECK_RC(crmkit_kano_flags(k, "priority", f, 4), CRMKIT_OK);
  CHECK(f[0] == 1 && f[1] == 2 && f[2] == 3 && f[3] == 4);
  CHECK_RC(crmkit_kano_flags(k, "fong_significant", f, 4), CRMKIT_OK);
  CHECK(f[0] == 1 && f[1] == 0 && f[2] == 0 && f[3] == 0);
  CHECK_RC(crmkit_kano_flags(k, "tie_broken", f, 4), CRMKIT_OK);
  CHECK(f[3] == 1);
  const char* rec = NULL;
  CHECK_RC(crmkit_kano_recommendation(k, 0, &rec), CRMKIT_OK);
  CHECK(rec && strcmp(rec, "fix now") == 0);
  CHECK_RC(crmkit_kano_recommendation(k, 3, &rec), CRMKIT_OK);
  CHECK(rec && strcmp(rec, "deprioritise") == 0);
  int64_t q = 0;
  CHECK_RC(crmkit_kano_quality(k, "invalid_answers", &q), CRMKIT_OK);
  CHECK(q == 1);
  CHECK_RC(crmkit_kano_quality(k, "used_rows", &q), CRMKIT_OK);
  CHECK(q == 40);
  CHECK_RC(crmkit_kano_issue_count(k, &q), CRMKIT_OK);
  CHECK(q == 2);
  int64_t row = 0, line = 0;
  const char *col = NULL, *ans = NULL, *prob = NULL;
  CHECK_RC(crmkit_kano_issue(k, 1, &row, &line, &col, &ans, &prob), CRMKIT_OK);
  CHECK(row == 41 && line == 43 && strcmp(col, "dysfunctional") == 0 && strcmp(ans, "maybe") == 0 &&
        strcmp(prob, "invalid") == 0);
  CHECK_RC(crmkit_kano_flagged_count(k, "straightliners", &q), CRMKIT_OK);
  CHECK(q == 1);
  const char* who = NULL;
  CHECK_RC(crmkit_kano_flagged(k, "straightliners", 0, &who), CRMKIT_OK);
  CHECK(who && strcmp(who, "r10") == 0);
  CHECK_RC(crmkit_kano_flagged(k, "questionable_respondents", 0, &who), CRMKIT_OK);
  CHECK(who && strcmp(who, "r09") == 0);
  int64_t len = 0;
  CHECK_RC(crmkit_kano_to_json(k, NULL, 0, &len), CRMKIT_OK);
  CHECK(len > 100);
  char small[8];
  CHECK_RC(crmkit_kano_to_json(k, small, 8, &len), CRMKIT_E_BUFFER_TOO_SMALL);
  char* json = malloc((size_t)len + 1);
  CHECK_RC(crmkit_kano_to_json(k, json, len + 1, &len), CRMKIT_OK);
  CHECK(HAS(json, "\"fong_significant\"") && HAS(json, "\"category\":\"M\"") && HAS(json, "\"fix now\""));
  free(json);
  /* Errors on accessors */
  CHECK_RC(crmkit_kano_values(k, "nope", v, 4), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "share_X"));
  CHECK_RC(crmkit_kano_values(k, "better", v, 3), CRMKIT_E_BUFFER_TOO_SMALL);
  CHECK_RC(crmkit_kano_flags(k, "nope", f, 4), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_kano_feature_name(k, 4, &who), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_kano_quality(k, "nope", &q), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_kano_flagged(k, "nope", 0, &who), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_kano_issue(k, 2, &row, &line, &col, &ans, &prob), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_kano_free(k), CRMKIT_OK);
}

static void test_columns(void) {
  const char* resp[] = {"a", "a", "b", "b", "c"};
  const char* feat[] = {"x", "y", "x", "y", "x"};
  const char* fu[] = {"like", "3", "I like it", "neutral", "2"};
  const char* dy[] = {"dislike", "3", "neutral", "neutral", "5"};
  crmkit_kano* k = NULL;
  CHECK_RC(crmkit_kano_analyze(resp, feat, fu, dy, NULL, 5, NULL, &k), CRMKIT_OK);
  if (k) {
    int64_t counts[12];
    CHECK_RC(crmkit_kano_counts(k, counts, 12), CRMKIT_OK);
    CHECK(counts[0] == 1 && counts[1] == 1 && counts[2] == 1); /* x: A (b), O (a), M (c) */
    CHECK(counts[6 + 3] == 2);                                 /* y: I, I */
    int32_t cat[2];
    CHECK_RC(crmkit_kano_categories(k, cat, 2), CRMKIT_OK);
    CHECK(cat[0] == 2 && cat[1] == 3); /* three-way tie on x goes to M */
    double v[2];
    CHECK_RC(crmkit_kano_values(k, "importance_mean", v, 2), CRMKIT_OK);
    CHECK(isnan(v[0]));
    crmkit_kano_free(k);
  }
  const int32_t cf[] = {1, 3, 1, 3, 2}, cd[] = {5, 3, 3, 3, 5};
  const double imp[] = {2, 1, 1, 1, 1};
  k = NULL;
  CHECK_RC(crmkit_kano_analyze_codes(resp, feat, cf, cd, imp, 5, NULL, &k), CRMKIT_OK);
  if (k) {
    double v[2];
    CHECK_RC(crmkit_kano_values(k, "weighted_better", v, 2), CRMKIT_OK);
    CHECK(NEAR(v[0], 3.0 / 4)); /* O weight 2, A 1, M 1 -> (2 + 1) / 4 */
    crmkit_kano_free(k);
  }
  /* Dictionary-encoded ids: the same result as the string columns. */
  const uint32_t rcode[] = {0, 0, 1, 1, 2}, fcode[] = {0, 1, 0, 1, 0};
  const char* rnames[] = {"a", "b", "c"};
  const char* fnames[] = {"x", "y"};
  k = NULL;
  CHECK_RC(crmkit_kano_analyze_coded(rcode, rnames, 3, fcode, fnames, 2, cf, cd, imp, 5, NULL, &k), CRMKIT_OK);
  if (k) {
    double v[2];
    CHECK_RC(crmkit_kano_values(k, "weighted_better", v, 2), CRMKIT_OK);
    CHECK(NEAR(v[0], 3.0 / 4));
    const char* nm = NULL;
    CHECK_RC(crmkit_kano_feature_name(k, 1, &nm), CRMKIT_OK);
    CHECK(nm && strcmp(nm, "y") == 0);
    crmkit_kano_free(k);
  }
  const uint32_t badf[] = {0, 1, 0, 2, 0};
  CHECK_RC(crmkit_kano_analyze_coded(rcode, NULL, 0, badf, fnames, 2, cf, cd, NULL, 5, NULL, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "feature[3]"));
  CHECK_RC(crmkit_kano_analyze_coded(rcode, NULL, 0, fcode, NULL, 2, cf, cd, NULL, 5, NULL, &k), CRMKIT_E_INVALID_ARGUMENT);

  /* Errors: fail policy names the row and the answer; bad options; NULLs. */
  const char* bad[] = {"like", "sometimes", "like", "neutral", "2"};
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "invalid", "fail");
  k = NULL;
  CHECK_RC(crmkit_kano_analyze(resp, feat, bad, dy, NULL, 5, o, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "functional[1]") && HAS(crmkit_last_error(), "'sometimes'"));
  CHECK(k == NULL);
  crmkit_options_set(o, "invalid", "maybe");
  CHECK_RC(crmkit_kano_analyze(resp, feat, fu, dy, NULL, 5, o, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "skip or fail"));
  crmkit_options_free(o);
  crmkit_options_new(&o);
  crmkit_options_set(o, "table_text", "Q,A\n");
  CHECK_RC(crmkit_kano_analyze(resp, feat, fu, dy, NULL, 5, o, &k), CRMKIT_E_PARSE);
  crmkit_options_free(o);
  crmkit_options_new(&o);
  crmkit_options_set(o, "words", "ja=1,nein=9");
  CHECK_RC(crmkit_kano_analyze(resp, feat, fu, dy, NULL, 5, o, &k), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_free(o);
  crmkit_options_new(&o);
  crmkit_options_set(o, "nope", "1");
  CHECK_RC(crmkit_kano_analyze(resp, feat, fu, dy, NULL, 5, o, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "unknown key"));
  crmkit_options_free(o);
  CHECK_RC(crmkit_kano_analyze(NULL, feat, fu, dy, NULL, 5, NULL, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_kano_analyze(resp, feat, fu, dy, NULL, -1, NULL, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_kano_analyze(resp, feat, fu, dy, NULL, 5, NULL, NULL), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_kano_read_csv("/nonexistent/survey.csv", NULL, &k), CRMKIT_E_IO);
  CHECK_RC(crmkit_kano_feature_count(NULL, NULL), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_kano_free(NULL), CRMKIT_OK);
}

int main(void) {
  test_csv();
  test_columns();
  printf("test_kano: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
