/* The kano section of the C ABI from C: the hand-computed survey of docs/models/kano.md
 * (tests/data/kano_survey.csv), answers as text and as codes, cost quadrants, the quality report,
 * JSON, and every error path returning a status with a message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmkit/crmkit.h"

#include "check.h"
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
  CHECK_RC(crmkit_options_set(o, "invalid", "skip"), CRMKIT_OK); /* "maybe" on line 43: skipped, counted */
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
  CHECK_RC(crmkit_kano_analyze_coded(rcode, NULL, 3, badf, fnames, 2, cf, cd, NULL, 5, NULL, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "feature[3]"));
  /* Respondent codes must be < n_respondents, with or without names. */
  const uint32_t badr[] = {0, 0, 1, 1, 7};
  CHECK_RC(crmkit_kano_analyze_coded(badr, NULL, 3, fcode, fnames, 2, cf, cd, NULL, 5, NULL, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "respondent[4]") && HAS(crmkit_last_error(), "n_respondents (3)"));
  CHECK(k == NULL);
  CHECK_RC(crmkit_kano_analyze_coded(rcode, rnames, 2, fcode, fnames, 2, cf, cd, NULL, 5, NULL, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "respondent[4]"));
  /* Without names respondents are named by their codes. */
  CHECK_RC(crmkit_kano_analyze_coded(rcode, NULL, 3, fcode, fnames, 2, cf, cd, NULL, 5, NULL, &k), CRMKIT_OK);
  if (k) {
    int64_t q = 0;
    CHECK_RC(crmkit_kano_quality(k, "respondents", &q), CRMKIT_OK);
    CHECK(q == 3);
    crmkit_kano_free(k);
    k = NULL;
  }
  CHECK_RC(crmkit_kano_analyze_coded(rcode, NULL, 0, fcode, NULL, 2, cf, cd, NULL, 5, NULL, &k), CRMKIT_E_INVALID_ARGUMENT);

  /* Errors: fail policy names the row and the answer; bad options; NULLs. */
  const char* bad[] = {"like", "sometimes", "like", "neutral", "2"};
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "invalid", "fail");
  k = NULL;
  CHECK_RC(crmkit_kano_analyze(resp, feat, bad, dy, NULL, 5, o, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "1 answer(s) not in the word map, 1 distinct: \"sometimes\" (1)"));
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

/* The survey with options: category and total strength, DuMouchel spread, the tie threshold, an
 * alternative table, exclusions and a custom word map (values of docs/models/kano.md). */
static crmkit_kano* survey_with(const char* key, const char* value, const char* key2, const char* value2) {
  char path[4096];
  snprintf(path, sizeof path, "%s/kano_survey.csv", CRMKIT_TEST_DATA);
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "invalid", "skip");
  if (key) crmkit_options_set(o, key, value);
  if (key2) crmkit_options_set(o, key2, value2);
  crmkit_kano* k = NULL;
  CHECK_RC(crmkit_kano_read_csv(path, o, &k), CRMKIT_OK);
  crmkit_options_free(o);
  return k;
}

static void test_options(void) {
  crmkit_kano* k = survey_with(NULL, NULL, NULL, NULL);
  if (k) {
    double v[4];
    /* password_reset 0.6 - 0.2, export_csv 0.5 - 0.3, dark_mode 0.5 - 0.2, ai_summary 0.4 - 0.4 */
    CHECK_RC(crmkit_kano_values(k, "category_strength", v, 4), CRMKIT_OK);
    CHECK(NEAR(v[0], 0.4) && NEAR(v[1], 0.2) && NEAR(v[2], 0.3) && NEAR(v[3], 0.0));
    CHECK_RC(crmkit_kano_values(k, "total_strength", v, 4), CRMKIT_OK);
    CHECK(NEAR(v[0], 0.9) && NEAR(v[1], 1.0) && NEAR(v[2], 0.6) && NEAR(v[3], 0.5));
    CHECK_RC(crmkit_kano_values(k, "dysfunctional_mean", v, 4), CRMKIT_OK);
    CHECK(NEAR(v[0], 3.2) && NEAR(v[1], 3.3) && NEAR(v[2], 1.0) && NEAR(v[3], 7.0 / 9));
    CHECK_RC(crmkit_kano_values(k, "functional_sd", v, 4), CRMKIT_OK);
    CHECK(NEAR(v[0], sqrt((53 - 16.9) / 9)));
    CHECK_RC(crmkit_kano_values(k, "fong_critical", v, 4), CRMKIT_OK);
    CHECK(NEAR(v[0], 1.65 * sqrt(4.8)));
    CHECK_RC(crmkit_kano_values(k, "importance_mean", v, 4), CRMKIT_OK);
    CHECK(NEAR(v[0], 4.4) && NEAR(v[3], 23.0 / 9));
    CHECK_RC(crmkit_kano_values(k, "weighted_worse", v, 4), CRMKIT_OK);
    CHECK(NEAR(v[0], -37.0 / 44));
    CHECK_RC(crmkit_kano_values(k, "benefit", v, 4), CRMKIT_OK);
    CHECK(NEAR(v[0], 50.0 / 88));
    crmkit_kano_free(k);
  }
  /* tie_threshold 0.2: export_csv's O 0.5 and M 0.3 tie, M > O wins. */
  k = survey_with("tie_threshold", "0.2", NULL, NULL);
  if (k) {
    int32_t cat[4];
    int64_t tie[4];
    CHECK_RC(crmkit_kano_categories(k, cat, 4), CRMKIT_OK);
    CHECK(cat[1] == 2);
    CHECK_RC(crmkit_kano_flags(k, "tie_broken", tie, 4), CRMKIT_OK);
    CHECK(tie[1] == 1);
    crmkit_kano_free(k);
  }
  /* An alternative table (identical answers questionable): ai_summary gets 4 Q answers. */
  k = survey_with("table_text", "Q A A A O\nR Q I I M\nR I Q I M\nR I I Q M\nR R R R Q\n", NULL, NULL);
  if (k) {
    int64_t counts[24];
    CHECK_RC(crmkit_kano_counts(k, counts, 24), CRMKIT_OK);
    CHECK(counts[3 * 6 + 5] == 4);
    crmkit_kano_free(k);
  }
  /* Excluding the straight-liner r10 and the Q-heavy r09: 8 rows out, password_reset O 1, M 6, I 1. */
  k = survey_with("exclude_straightliners", "1", "exclude_questionable", "1");
  if (k) {
    int64_t counts[24], q = 0;
    CHECK_RC(crmkit_kano_quality(k, "excluded_rows", &q), CRMKIT_OK);
    CHECK(q == 8);
    CHECK_RC(crmkit_kano_counts(k, counts, 24), CRMKIT_OK);
    CHECK(counts[0] == 0 && counts[1] == 1 && counts[2] == 6 && counts[3] == 1);
    crmkit_kano_free(k);
  }
  /* A word map replacing the defaults. */
  const char* resp[] = {"a", "b"};
  const char* feat[] = {"x", "x"};
  const char* fu[] = {"gern", "egal"};
  const char* dy[] = {"stört", "Stört"};
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "words", "gern=1,egal=3,stört=5");
  k = NULL;
  CHECK_RC(crmkit_kano_analyze(resp, feat, fu, dy, NULL, 2, o, &k), CRMKIT_OK);
  crmkit_options_free(o);
  if (k) {
    int64_t counts[6];
    CHECK_RC(crmkit_kano_counts(k, counts, 6), CRMKIT_OK);
    CHECK(counts[1] == 1 && counts[2] == 1); /* (like, dislike) O and (neutral, dislike) M */
    crmkit_kano_free(k);
  }
}

/* Properties on random surveys through the coded entry point (the one Python uses): per feature the
 * shares sum to 1, Better is in [0, 1] and Worse in [-1, 0] (NaN only without A/O/M/I answers), the
 * counts add up to the used rows, and priorities are a permutation of 1..features. Fixed seed. */
static uint64_t lcg_state = 20261201u;
static uint32_t lcg(uint32_t bound) {
  lcg_state = lcg_state * 6364136223846793005u + 1442695040888963407u;
  return (uint32_t)((lcg_state >> 33) % bound);
}

/* Issue 13: unknown wordings are an error by default listing each with its count; a word map as CSV
 * text (words_csv) holds a wording with a comma and a curly apostrophe; missing = fail. */
static void test_word_maps(void) {
  const char* resp[] = {"a", "a", "b"};
  const char* feat[] = {"x", "y", "x"};
  const char* fu[] = {"Me gusta", "Me gusta", "I\xE2\x80\x99m neutral"};
  const char* dy[] = {"Me disgusta", "Me da igual, la verdad", "Me disgusta"};
  crmkit_kano* k = NULL;
  CHECK_RC(crmkit_kano_analyze(resp, feat, fu, dy, NULL, 3, NULL, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(),
            "5 answer(s) not in the word map, 3 distinct: \"Me gusta\" (2), \"Me disgusta\" (2), "
            "\"Me da igual, la verdad\" (1)"));
  CHECK(HAS(crmkit_last_error(), "words_file"));
  CHECK(k == NULL);
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "words_csv", "Me gusta,1\n\"Me da igual, la verdad\",3\nMe disgusta,5\ni'm neutral,3\n");
  CHECK_RC(crmkit_kano_analyze(resp, feat, fu, dy, NULL, 3, o, &k), CRMKIT_OK);
  if (k) {
    int64_t used = 0, invalid = -1;
    CHECK_RC(crmkit_kano_quality(k, "used_rows", &used), CRMKIT_OK);
    CHECK_RC(crmkit_kano_quality(k, "invalid_answers", &invalid), CRMKIT_OK);
    CHECK(used == 3 && invalid == 0);
    crmkit_kano_free(k);
    k = NULL;
  }
  crmkit_options_set(o, "words_csv", "Me gusta,1\nme  gusta,2\n");
  CHECK_RC(crmkit_kano_analyze(resp, feat, fu, dy, NULL, 3, o, &k), CRMKIT_E_PARSE);
  CHECK(HAS(crmkit_last_error(), "<words_csv>:2:1") && HAS(crmkit_last_error(), "line 1 already maps"));
  crmkit_options_free(o);
  crmkit_options_new(&o);
  crmkit_options_set(o, "invalid", "skip");
  crmkit_options_set(o, "missing", "fail");
  const char* blank[] = {"like", "", "like"};
  CHECK_RC(crmkit_kano_analyze(resp, feat, blank, dy, NULL, 3, o, &k), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "functional[1]"));
  crmkit_options_set(o, "missing", "sometimes");
  CHECK_RC(crmkit_kano_analyze(resp, feat, blank, dy, NULL, 3, o, &k), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_free(o);
}

static void test_properties(void) {
  enum { MAXF = 6, MAXR = 40, MAXN = MAXF * MAXR };
  const char* names[MAXF] = {"f0", "f1", "f2", "f3", "f4", "f5"};
  uint32_t resp[MAXN], feat[MAXN];
  int32_t fu[MAXN], dy[MAXN];
  double imp[MAXN];
  int bad = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const uint32_t nf = 1 + lcg(MAXF), nr = 1 + lcg(MAXR);
    int64_t n = 0;
    for (uint32_t r = 0; r < nr; ++r)
      for (uint32_t f = 0; f < nf; ++f, ++n) {
        resp[n] = r;
        feat[n] = f;
        fu[n] = (int32_t)lcg(7); /* 0 missing, 6 invalid */
        dy[n] = 1 + (int32_t)lcg(5);
        imp[n] = lcg(10) == 0 ? NAN : (double)lcg(6);
      }
    crmkit_kano* k = NULL;
    crmkit_options* skip = NULL;
    crmkit_options_new(&skip);
    crmkit_options_set(skip, "invalid", "skip");
    CHECK_RC(crmkit_kano_analyze_coded(resp, NULL, nr, feat, names, nf, fu, dy, imp, n, skip, &k), CRMKIT_OK);
    crmkit_options_free(skip);
    if (!k) return;
    double share[6][MAXF], better[MAXF], worse[MAXF], wb[MAXF], ww[MAXF];
    const char* keys[6] = {"share_A", "share_O", "share_M", "share_I", "share_R", "share_Q"};
    for (int c = 0; c < 6; ++c) CHECK_RC(crmkit_kano_values(k, keys[c], share[c], nf), CRMKIT_OK);
    CHECK_RC(crmkit_kano_values(k, "better", better, nf), CRMKIT_OK);
    CHECK_RC(crmkit_kano_values(k, "worse", worse, nf), CRMKIT_OK);
    CHECK_RC(crmkit_kano_values(k, "weighted_better", wb, nf), CRMKIT_OK);
    CHECK_RC(crmkit_kano_values(k, "weighted_worse", ww, nf), CRMKIT_OK);
    int64_t cnt[MAXF], prio[MAXF], used = 0, counts[MAXF * 6];
    CHECK_RC(crmkit_kano_flags(k, "n", cnt, nf), CRMKIT_OK);
    CHECK_RC(crmkit_kano_flags(k, "priority", prio, nf), CRMKIT_OK);
    CHECK_RC(crmkit_kano_counts(k, counts, nf * 6), CRMKIT_OK);
    CHECK_RC(crmkit_kano_quality(k, "used_rows", &used), CRMKIT_OK);
    int64_t total = 0;
    int seen[MAXF + 1] = {0};
    for (uint32_t f = 0; f < nf; ++f) {
      total += cnt[f];
      if (prio[f] >= 1 && prio[f] <= (int64_t)nf) ++seen[prio[f]];
      const int64_t aomi = counts[f * 6] + counts[f * 6 + 1] + counts[f * 6 + 2] + counts[f * 6 + 3];
      if (cnt[f] > 0) {
        double sum = 0;
        for (int c = 0; c < 6; ++c) sum += share[c][f];
        if (fabs(sum - 1) > 1e-12) ++bad;
      }
      if (aomi > 0) {
        if (!(better[f] >= 0 && better[f] <= 1 && worse[f] >= -1 && worse[f] <= 0)) ++bad;
      } else if (!isnan(better[f]) || !isnan(worse[f])) {
        ++bad;
      }
      if (!isnan(wb[f]) && !(wb[f] >= 0 && wb[f] <= 1 && ww[f] >= -1 && ww[f] <= 0)) ++bad;
    }
    CHECK(total == used);
    for (uint32_t p = 1; p <= nf; ++p) CHECK(seen[p] == 1);
    crmkit_kano_free(k);
  }
  CHECK(bad == 0);
}

int main(void) {
  test_csv();
  test_columns();
  test_options();
  test_word_maps();
  test_properties();
  printf("test_kano: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
