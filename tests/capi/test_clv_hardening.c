/* Issue 13 (hardening), the CLV section of the C ABI: a model JSON with a number beyond the double range
 * (1e400) is CRMKIT_E_PARSE (it was CRMKIT_E_INTERNAL, "a bug", with nlohmann's wording), non-finite or
 * non-number parameters are CRMKIT_E_INVALID_ARGUMENT naming the parameter; predictions at extreme
 * parameters are finite or CRMKIT_E_NUMERIC naming the customer row; horizons are capped. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "crmkit/crmkit.h"

#include "check.h"

static void test_json_numbers(void) {
  crmkit_clv_model* m = NULL;
  const char* big[] = {
      "{\"model\":\"bgnbd\",\"params\":{\"r\":1e400,\"alpha\":4.4,\"a\":0.8,\"b\":2.4}}",
      "{\"model\":\"gg\",\"params\":{\"p\":6.25,\"q\":-1e400,\"gamma\":15.4}}",
      "{\"model\":\"sbg\",\"params\":{\"alpha\":0.7,\"beta\":1E+999}}",
      "{\"model\":\"bgbb\",\"params\":{\"alpha\":1,\"beta\":1,\"gamma\":1,\"delta\":1},\"log_likelihood\":1e400}",
  };
  for (size_t i = 0; i < sizeof big / sizeof big[0]; ++i) {
    CHECK_RC(crmkit_clv_from_json(big[i], &m), CRMKIT_E_PARSE);
    CHECK(m == NULL);
    CHECK(HAS(crmkit_last_error(), "finite doubles"));
    CHECK(!HAS(crmkit_last_error(), "internal"));
  }
  /* 1e-400 parses as 0: the parameter is named */
  CHECK_RC(crmkit_clv_from_json("{\"model\":\"bgnbd\",\"params\":{\"r\":1e-400,\"alpha\":4.4,\"a\":0.8,\"b\":2.4}}", &m),
           CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "'params.r' = 0"));
  CHECK_RC(crmkit_clv_from_json("{\"model\":\"mbgnbd\",\"params\":{\"r\":\"1e400\",\"alpha\":4.4,\"a\":0.8,\"b\":2.4}}", &m),
           CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "'r' = \"1e400\": must be a number"));
  CHECK_RC(crmkit_clv_from_json("{\"model\":\"gg\",\"params\":{\"p\":null,\"q\":3,\"gamma\":1}}", &m),
           CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "'p' = null"));
}

static void test_extreme_parameters(void) {
  const double values[] = {1e-300, 1e-8, 1.0, 1e8, 1e300};
  const double x[3] = {0, 2, 30}, tx[3] = {0, 5, 38}, T[3] = {10, 10, 39};
  const char* what[] = {"p_alive", "conditional_expected_purchases", "probability_of_n_purchases"};
  int numeric = 0, ok = 0;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) {
      const double p[4] = {values[i], values[j], values[j], values[i]};
      crmkit_clv_model* m = NULL;
      CHECK_RC(crmkit_clv_from_params("bgnbd", p, 4, &m), CRMKIT_OK);
      if (!m) continue;
      for (int w = 0; w < 3; ++w) {
        double out[3] = {NAN, NAN, NAN};
        const int32_t rc = crmkit_clv_predict(m, what[w], 39.0, x, tx, T, NULL, 3, out);
        if (rc == CRMKIT_OK) {
          ++ok;
          for (int k = 0; k < 3; ++k) CHECK(isfinite(out[k]) && out[k] >= 0);
        } else {
          ++numeric;
          CHECK_RC(rc, CRMKIT_E_NUMERIC);
          CHECK(HAS(crmkit_last_error(), "customer row"));
        }
      }
      crmkit_clv_free(m);
    }
  CHECK(ok > 10 * numeric);
}

static void test_caps(void) {
  crmkit_clv_model* m = NULL;
  const double s[2] = {0.7, 1.2};
  CHECK_RC(crmkit_clv_from_params("sbg", s, 2, &m), CRMKIT_OK);
  if (!m) return;
  const char* names[1] = {"periods"};
  const double t[3] = {0, 1, 2};
  const double* cols[1] = {t};
  double out[3] = {0, 0, 0};
  CHECK_RC(crmkit_clv_predict_columns(m, "retention_rate", 0, names, cols, 1, 3, out), CRMKIT_OK);
  CHECK(out[0] == 1.0 && out[1] > 0 && out[1] < 1); /* period 0 is the start */
  CHECK_RC(crmkit_clv_predict_columns(m, "churn_probability", 0, names, cols, 1, 3, out), CRMKIT_OK);
  CHECK(out[0] == 0.0);
  CHECK_RC(crmkit_clv_predict_columns(m, "expected_lifetime", 1e9, names, cols, 1, 3, out), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "'horizon' = 1000000000"));
  crmkit_clv_free(m);
}

int main(void) {
  test_json_numbers();
  test_extreme_parameters();
  test_caps();
  printf("%d checks passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
