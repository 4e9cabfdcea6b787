/* The analysis section of the C ABI from C: crmkit_analyze on the CDNOW log writing customers.csv,
 * summary.json and report.html; columns into caller buffers; every error path with its status. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crmkit/crmkit.h"

#include "check.h"

static long file_size(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  return n;
}

static crmkit_transactions* read_cdnow(void) {
  char path[4096];
  snprintf(path, sizeof path, "%s/CDNOW_master.txt", CRMKIT_TEST_DATA);
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "customer_col", "customer_id");
  crmkit_options_set(o, "date_col", "date");
  crmkit_options_set(o, "amount_col", "dollar_value");
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_read_csv(path, o, &tx), CRMKIT_OK);
  crmkit_options_free(o);
  return tx;
}

static void test_analyze_writes_report(crmkit_transactions* tx) {
  char dir[256];
  snprintf(dir, sizeof dir, "/tmp/crmkit_capi_analysis_%ld", (long)getpid());
  crmkit_options* o = NULL;
  CHECK_RC(crmkit_options_new(&o), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "calibration_end", "1997-09-30"), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "source", "CDNOW_master.txt"), CRMKIT_OK);
  crmkit_analysis* a = NULL;
  CHECK_RC(crmkit_analyze(tx, o, dir, &a), CRMKIT_OK);
  crmkit_options_free(o);
  if (!a) return;
  int64_t n = 0;
  CHECK_RC(crmkit_analysis_len(a, &n), CRMKIT_OK);
  CHECK(n == 23570);
  const char* json = NULL;
  CHECK_RC(crmkit_analysis_summary_json(a, &json), CRMKIT_OK);
  CHECK(json && HAS(json, "\"customers\": 23570"));
  CHECK(json && HAS(json, "\"transactions\": 69659"));
  CHECK(json && HAS(json, "\"calibration_end\": \"1997-09-30\""));
  CHECK(json && HAS(json, "\"model\": \"bgnbd\""));
  const char* html = NULL;
  CHECK_RC(crmkit_analysis_report_html(a, &html), CRMKIT_OK);
  CHECK(html && strncmp(html, "<!DOCTYPE html>", 15) == 0);
  CHECK(html && !HAS(html, "http://") && !HAS(html, "https://") && !HAS(html, "<script"));
  const char* files[] = {"customers.csv", "summary.json", "report.html"};
  for (int i = 0; i < 3; ++i) {
    const char* p = NULL;
    CHECK_RC(crmkit_analysis_output_path(a, files[i], &p), CRMKIT_OK);
    CHECK(p && HAS(p, files[i]) && file_size(p) > 0);
    if (p) remove(p);
  }
  const char* p = NULL;
  CHECK_RC(crmkit_analysis_output_path(a, "other.txt", &p), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "customers.csv"));
  rmdir(dir);

  double* alive = malloc(sizeof(double) * (size_t)n);
  double* clv = malloc(sizeof(double) * (size_t)n);
  CHECK_RC(crmkit_analysis_column(a, "p_alive", alive, n), CRMKIT_OK);
  CHECK_RC(crmkit_analysis_column(a, "clv", clv, n), CRMKIT_OK);
  int ok = 1;
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    ok &= alive[i] >= 0 && alive[i] <= 1 && isfinite(clv[i]) && clv[i] >= 0;
    total += clv[i];
  }
  CHECK(ok);
  CHECK(total > 0);
  CHECK_RC(crmkit_analysis_column(a, "p_alive", alive, n - 1), CRMKIT_E_BUFFER_TOO_SMALL);
  CHECK_RC(crmkit_analysis_column(a, "nope", alive, n), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "p_alive"));
  free(alive);
  free(clv);
  CHECK_RC(crmkit_analysis_free(a), CRMKIT_OK);
}

static void test_errors(crmkit_transactions* tx) {
  crmkit_analysis* a = NULL;
  CHECK_RC(crmkit_analyze(NULL, NULL, NULL, &a), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "tx"));
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "colour", "blue");
  CHECK_RC(crmkit_analyze(tx, o, NULL, &a), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "colour"));
  crmkit_options_free(o);
  crmkit_options_new(&o);
  crmkit_options_set(o, "calibration_end", "1999-01-01");
  CHECK_RC(crmkit_analyze(tx, o, NULL, &a), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "calibration_end"));
  crmkit_options_free(o);
  crmkit_options_new(&o);
  crmkit_options_set(o, "survey", "/nonexistent/survey.csv");
  CHECK_RC(crmkit_analyze(tx, o, NULL, &a), CRMKIT_E_IO);
  CHECK(HAS(crmkit_last_error(), "/nonexistent/survey.csv"));
  crmkit_options_free(o);
  CHECK_RC(crmkit_analyze(tx, NULL, "/proc/crmkit_cannot_write_here", &a), CRMKIT_E_IO);
  CHECK(a == NULL);
  CHECK_RC(crmkit_analysis_len(NULL, NULL), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_analysis_free(NULL), CRMKIT_OK);
}

static void test_from_arrays(void) {
  /* Two customers named by set_ids: the report shows the names. */
  uint32_t c[] = {0, 0, 0, 1, 1, 0};
  int64_t t[] = {10000, 10010, 10030, 10005, 10040, 10050};
  double amt[] = {10, 20, 30, 5, 15, 25};
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_from_arrays(c, t, amt, 6, CRMKIT_TIME_DAYS, &tx), CRMKIT_OK);
  const char* ids[] = {"alice<&>", "bob"};
  CHECK_RC(crmkit_transactions_set_ids(tx, ids, 2), CRMKIT_OK);
  crmkit_analysis* a = NULL;
  CHECK_RC(crmkit_analyze(tx, NULL, NULL, &a), CRMKIT_OK);
  const char* html = NULL;
  if (a) {
    CHECK_RC(crmkit_analysis_report_html(a, &html), CRMKIT_OK);
    CHECK(html && HAS(html, "RFM segments"));
  }
  crmkit_analysis_free(a);
  crmkit_transactions_free(tx);
}

/* Survey and interactions passed through the options: Kano and service files, their summary keys, the
 * logistic churn model's column; a malformed interaction file is CRMKIT_E_PARSE naming it. */
static void test_survey_and_interactions(crmkit_transactions* tx) {
  char dir[256], survey[4096], inter[4096], bad[512];
  snprintf(dir, sizeof dir, "/tmp/crmkit_capi_sections_%ld", (long)getpid());
  snprintf(survey, sizeof survey, "%s/kano_survey.csv", CRMKIT_TEST_DATA);
  snprintf(inter, sizeof inter, "%s/service_interactions.csv", CRMKIT_TEST_DATA);
  crmkit_options* o = NULL;
  CHECK_RC(crmkit_options_new(&o), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "calibration_end", "1997-09-30"), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "survey", survey), CRMKIT_OK);
  CHECK_RC(crmkit_options_set(o, "interactions", inter), CRMKIT_OK);
  crmkit_analysis* a = NULL;
  CHECK_RC(crmkit_analyze(tx, o, dir, &a), CRMKIT_OK);
  if (a) {
    const char* json = NULL;
    CHECK_RC(crmkit_analysis_summary_json(a, &json), CRMKIT_OK);
    CHECK(json && HAS(json, "\"feature\": \"password_reset\""));
    CHECK(json && HAS(json, "\"matched_customers\": 0"));
    CHECK(json && HAS(json, "\"model\": \"logistic_regression\""));
    const char* files[] = {"customers.csv", "summary.json", "report.html", "kano.json", "kano.csv", "service.json"};
    for (int i = 0; i < 6; ++i) {
      const char* p = NULL;
      CHECK_RC(crmkit_analysis_output_path(a, files[i], &p), CRMKIT_OK);
      CHECK(p && HAS(p, files[i]) && file_size(p) > 0);
      if (p) remove(p);
    }
    int64_t n = 0;
    CHECK_RC(crmkit_analysis_len(a, &n), CRMKIT_OK);
    double* prob = malloc(sizeof(double) * (size_t)n);
    CHECK_RC(crmkit_analysis_column(a, "churn_probability", prob, n), CRMKIT_OK);
    int ok = n == 23570;
    for (int64_t i = 0; i < n; ++i) ok &= prob[i] >= 0 && prob[i] <= 1;
    CHECK(ok);
    free(prob);
    crmkit_analysis_free(a);
  }
  rmdir(dir);
  /* Without a survey nothing is written for it: the path is "". */
  a = NULL;
  CHECK_RC(crmkit_analyze(tx, NULL, NULL, &a), CRMKIT_OK);
  if (a) {
    const char* p = NULL;
    CHECK_RC(crmkit_analysis_output_path(a, "kano.json", &p), CRMKIT_OK);
    CHECK(p && p[0] == '\0');
    crmkit_analysis_free(a);
  }
  snprintf(bad, sizeof bad, "/tmp/crmkit_capi_bad_interactions_%ld.csv", (long)getpid());
  FILE* f = fopen(bad, "w");
  if (f) {
    fputs("customer,channel,csat\nc1,email,4\nc2,email,9\n", f);
    fclose(f);
  }
  crmkit_options_free(o);
  crmkit_options_new(&o);
  crmkit_options_set(o, "interactions", bad);
  CHECK_RC(crmkit_analyze(tx, o, NULL, &a), CRMKIT_E_PARSE);
  CHECK(HAS(crmkit_last_error(), bad) && HAS(crmkit_last_error(), ":3:"));
  crmkit_options_free(o);
  remove(bad);
}

int main(void) {
  crmkit_transactions* tx = read_cdnow();
  if (tx) {
    test_analyze_writes_report(tx);
    test_errors(tx);
    test_survey_and_interactions(tx);
  }
  crmkit_transactions_free(tx);
  test_from_arrays();
  printf("test_analysis: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
