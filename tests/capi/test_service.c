/* The service section of the C ABI from C: NPS, CSAT, CES, FCR and SLA on the hand-computed files of
 * docs/models/service.md, the A/B test reproducing Newcombe (1998), and every error path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crmkit/crmkit.h"

#include "check.h"
#define NEAR(a, b, tol) (fabs((a) - (b)) < (tol))

static double value(const crmkit_service* s, int64_t i, const char* key) {
  double v = -999;
  CHECK_RC(crmkit_service_value(s, i, key, &v), CRMKIT_OK);
  return v;
}

static void test_nps(void) {
  char path[4096];
  snprintf(path, sizeof path, "%s/nps_scores.csv", CRMKIT_TEST_DATA);
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "by", "segment");
  crmkit_service* s = NULL;
  CHECK_RC(crmkit_nps_read_csv(path, o, &s), CRMKIT_OK);
  crmkit_options_free(o);
  if (!s) return;
  int64_t n = 0;
  CHECK_RC(crmkit_service_group_count(s, &n), CRMKIT_OK);
  CHECK(n == 3);
  const char* name = NULL;
  CHECK_RC(crmkit_service_group_name(s, 1, &name), CRMKIT_OK);
  CHECK(name && strcmp(name, "smb") == 0);
  CHECK(NEAR(value(s, 0, "nps"), 10.0, 1e-12));
  CHECK(NEAR(value(s, 0, "std_error"), 100 * sqrt(0.69 / 20), 1e-12));
  CHECK(value(s, 0, "promoters") == 8 && value(s, 0, "missing") == 1);
  CHECK(NEAR(value(s, 1, "nps"), 100.0 / 3, 1e-12));
  CHECK(NEAR(value(s, 2, "nps"), -100.0 / 11, 1e-12));
  double v = 0;
  CHECK_RC(crmkit_service_value(s, 0, "nope", &v), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "promoters"));
  CHECK_RC(crmkit_service_value(s, 3, "nps", &v), CRMKIT_E_INVALID_ARGUMENT);
  int64_t len = 0;
  CHECK_RC(crmkit_service_to_json(s, NULL, 0, &len), CRMKIT_OK);
  char* json = malloc((size_t)len + 1);
  CHECK_RC(crmkit_service_to_json(s, json, len + 1, &len), CRMKIT_OK);
  CHECK(HAS(json, "\"groups\"") && HAS(json, "\"enterprise\""));
  free(json);
  crmkit_service_free(s);

  const double scores[] = {10, 9, 0, NAN, 7};
  const char* seg[] = {"x", "y", "x", "y", "x"};
  s = NULL;
  CHECK_RC(crmkit_nps(scores, seg, 5, NULL, &s), CRMKIT_OK);
  if (s) {
    CHECK(NEAR(value(s, 0, "nps"), 25.0, 1e-12)); /* 2 promoters, 1 detractor of 4 */
    CHECK(NEAR(value(s, 1, "nps"), 0.0, 1e-12));  /* x: 10, 0, 7 */
    crmkit_service_free(s);
  }
  const double bad[] = {10, 11};
  CHECK_RC(crmkit_nps(bad, NULL, 2, NULL, &s), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "scores[1]"));
  CHECK(s == NULL);
  CHECK_RC(crmkit_nps(NULL, NULL, 2, NULL, &s), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_nps_read_csv("/nonexistent.csv", NULL, &s), CRMKIT_E_IO);
  crmkit_options_new(&o);
  crmkit_options_set(o, "confidence", "2");
  CHECK_RC(crmkit_nps(scores, NULL, 5, o, &s), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_free(o);
}

static void test_service(void) {
  char path[4096];
  snprintf(path, sizeof path, "%s/service_interactions.csv", CRMKIT_TEST_DATA);
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "by", "channel");
  crmkit_service* s = NULL;
  CHECK_RC(crmkit_service_read_csv(path, o, &s), CRMKIT_OK);
  crmkit_options_free(o);
  if (s) {
    CHECK(value(s, 0, "interactions") == 16);
    CHECK(NEAR(value(s, 0, "csat.csat"), 10.0 / 15, 1e-12));
    CHECK(NEAR(value(s, 0, "ces.mean"), 4.8, 1e-12));
    CHECK(NEAR(value(s, 0, "fcr.rate"), 10.0 / 15, 1e-12));
    CHECK(NEAR(value(s, 0, "sla.compliance"), 11.0 / 15, 1e-12));
    CHECK(NEAR(value(s, 0, "sla.tiers.urgent.compliance"), 0.8, 1e-12));
    const char* name = NULL;
    crmkit_service_group_name(s, 1, &name);
    CHECK(name && strcmp(name, "email") == 0);
    CHECK(NEAR(value(s, 1, "sla.compliance"), 0.5, 1e-12));
    crmkit_service_free(s);
  }
  const double csat[] = {5, 4, 1}, frt[] = {10, 50, NAN};
  const int32_t fcr[] = {1, 0, -1};
  const char* prio[] = {"urgent", "urgent", "normal"};
  const char* grp[] = {"web", "app", "app"};
  crmkit_options_new(&o);
  crmkit_options_set(o, "sla", "urgent=1h,normal=4h");
  s = NULL;
  CHECK_RC(crmkit_service_metrics(grp, csat, NULL, frt, fcr, prio, 3, o, &s), CRMKIT_OK);
  crmkit_options_free(o);
  if (s) {
    CHECK(value(s, 0, "sla.met") == 2);
    CHECK(value(s, 0, "sla.tiers.normal.missing") == 1);
    CHECK(NEAR(value(s, 0, "fcr.rate"), 0.5, 1e-12));
    CHECK(NEAR(value(s, 2, "csat.csat"), 0.5, 1e-12));
    double v = 0;
    CHECK_RC(crmkit_service_value(s, 0, "ces.mean", &v), CRMKIT_E_INVALID_ARGUMENT);
    crmkit_service_free(s);
  }
  /* Dictionary-encoded groups and tiers: the same report. */
  const uint32_t gcode[] = {0, 1, 1}, pcode[] = {0, 0, 1};
  const char* gnames[] = {"web", "app"};
  const char* pnames[] = {"urgent", "normal"};
  crmkit_options_new(&o);
  crmkit_options_set(o, "sla", "urgent=1h,normal=4h");
  s = NULL;
  CHECK_RC(crmkit_service_metrics_coded(gcode, gnames, 2, csat, NULL, frt, fcr, pcode, pnames, 2, 3, o, &s), CRMKIT_OK);
  crmkit_options_free(o);
  if (s) {
    CHECK(value(s, 0, "sla.met") == 2);
    CHECK(NEAR(value(s, 2, "csat.csat"), 0.5, 1e-12));
    crmkit_service_free(s);
  }
  const uint32_t badp[] = {0, 0, 5};
  CHECK_RC(crmkit_service_metrics_coded(NULL, NULL, 0, csat, NULL, frt, NULL, badp, pnames, 2, 3, NULL, &s),
           CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "priority[2]"));
  CHECK_RC(crmkit_service_metrics_coded(gcode, NULL, 2, csat, NULL, NULL, NULL, NULL, NULL, 0, 3, NULL, &s),
           CRMKIT_E_INVALID_ARGUMENT);
  const double sc[] = {10, 9, 0, 7};
  const uint32_t sg[] = {0, 1, 0, 0};
  CHECK_RC(crmkit_nps_coded(sc, sg, gnames, 2, 4, NULL, &s), CRMKIT_OK);
  if (s) {
    CHECK(NEAR(value(s, 0, "nps"), 25.0, 1e-12));
    CHECK(NEAR(value(s, 1, "nps"), 0.0, 1e-12));
    crmkit_service_free(s);
  }
  CHECK_RC(crmkit_nps_coded(sc, NULL, NULL, 0, 4, NULL, &s), CRMKIT_OK);
  crmkit_service_free(s);

  const char* odd[] = {"urgent", "someday", "normal"};
  CHECK_RC(crmkit_service_metrics(NULL, csat, NULL, frt, NULL, odd, 3, NULL, &s), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "someday"));
  CHECK_RC(crmkit_service_metrics(NULL, csat, NULL, frt, NULL, NULL, 3, NULL, &s), CRMKIT_E_INVALID_ARGUMENT);
  const int32_t badfcr[] = {1, 2, 0};
  CHECK_RC(crmkit_service_metrics(NULL, NULL, NULL, NULL, badfcr, NULL, 3, NULL, &s), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_service_metrics(NULL, NULL, NULL, NULL, NULL, NULL, 3, NULL, &s), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_new(&o);
  crmkit_options_set(o, "sla", "urgent=soon");
  CHECK_RC(crmkit_service_metrics(NULL, csat, NULL, NULL, NULL, NULL, 3, o, &s), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_options_free(o);
  CHECK_RC(crmkit_service_group_count(NULL, NULL), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_service_free(NULL), CRMKIT_OK);
}

static void test_abtest(void) {
  double out[CRMKIT_ABTEST_VALUES];
  /* Newcombe (1998) example (a): 56/70 vs 48/80, method 10: 0.0524 to 0.3339. */
  CHECK_RC(crmkit_abtest(48, 80, 56, 70, 0.95, out, CRMKIT_ABTEST_VALUES), CRMKIT_OK);
  CHECK(NEAR(out[6], 0.2, 1e-12));
  CHECK(NEAR(out[7], 0.0524, 5e-5) && NEAR(out[8], 0.3339, 5e-5));
  CHECK(NEAR(out[11], 0.008045081368196585, 1e-12));
  CHECK(out[12] == 1.0);
  CHECK_RC(crmkit_abtest(48, 80, 56, 70, 0.95, out, 12), CRMKIT_E_BUFFER_TOO_SMALL);
  CHECK_RC(crmkit_abtest(90, 80, 56, 70, 0.95, out, CRMKIT_ABTEST_VALUES), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "successes_a"));
  CHECK_RC(crmkit_abtest(1, 0, 56, 70, 0.95, out, CRMKIT_ABTEST_VALUES), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_abtest(1, 2, 1, 2, 1.0, out, CRMKIT_ABTEST_VALUES), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_abtest(1, 2, 1, 2, 0.95, NULL, CRMKIT_ABTEST_VALUES), CRMKIT_E_INVALID_ARGUMENT);
}

int main(void) {
  test_nps();
  test_service();
  test_abtest();
  printf("test_service: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
