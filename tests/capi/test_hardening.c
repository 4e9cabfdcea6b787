/* Issue 13, hardening of the C ABI's inputs: what a caller passes may be refused, never crash the host.
 * Each case was a crash or a silent wrong answer before (named in the comment). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

/* A customer code at the dictionary's size (0xFFFFFFFF) made n_customers wrap to 0: summary gave 0 rows
 * and rfm, cohorts, durations and analyze wrote outside their tables. */
static void test_code_at_dictionary_size(void) {
  const uint32_t customer[] = {0xFFFFFFFFu, 1};
  const int64_t time[] = {10, 20};
  const double amount[] = {1, 2};
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_from_arrays(customer, time, amount, 2, CRMKIT_TIME_DAYS, &tx),
           CRMKIT_E_INVALID_ARGUMENT);
  CHECK(tx == NULL);
  CHECK(HAS(crmkit_last_error(), "customer[0]"));
  CHECK(HAS(crmkit_last_error(), "4294967295"));
}

/* One sparse code (2^31 in a 3-row log, found by fuzz_capi_arrays) made the summary allocate state for
 * every lower code: tens of GB, and the host died of memory. Codes must be dense. */
static void test_sparse_code(void) {
  const uint32_t customer[] = {0, 1u << 31, 1};
  const int64_t time[] = {10, 20, 30};
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_from_arrays(customer, time, NULL, 3, CRMKIT_TIME_DAYS, &tx), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "customer[1]"));
  CHECK(HAS(crmkit_last_error(), "codes must be dense"));
  const uint32_t ok[] = {0, 1u << 20, 1}; /* a million unused codes is fine */
  CHECK_RC(crmkit_transactions_from_arrays(ok, time, NULL, 3, CRMKIT_TIME_DAYS, &tx), CRMKIT_OK);
  const char* ids[] = {"a"};
  CHECK_RC(crmkit_transactions_set_ids(tx, ids, (int64_t)1 << 40), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "codes must be dense"));
  crmkit_transactions_free(tx);
}

/* Times at INT64_MIN / INT64_MAX: cohorts segfaulted (the period count overflowed past its cap), summary
 * and durations returned recency = T = -1 with status OK. */
static void test_extreme_times(void) {
  const uint32_t customer[] = {0, 0, 1};
  const int64_t days[][3] = {{INT64_MIN, 5, 6}, {5, INT64_MAX, 6}, {5, 2932897, 6}, {-719163, 5, 6}};
  for (int k = 0; k < 4; ++k) {
    crmkit_transactions* tx = NULL;
    CHECK_RC(crmkit_transactions_from_arrays(customer, days[k], NULL, 3, CRMKIT_TIME_DAYS, &tx),
             CRMKIT_E_INVALID_ARGUMENT);
    CHECK(HAS(crmkit_last_error(), "0001-01-01 to 9999-12-31"));
  }
  const int64_t seconds[] = {INT64_MIN, 0, 86400};
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_from_arrays(customer, seconds, NULL, 3, CRMKIT_TIME_SECONDS, &tx),
           CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "time[0]"));
  /* the edges themselves are fine */
  const int64_t edges[] = {-719162, 2932896, 0};
  CHECK_RC(crmkit_transactions_from_arrays(customer, edges, NULL, 3, CRMKIT_TIME_DAYS, &tx), CRMKIT_OK);
  crmkit_summary* s = NULL;
  CHECK_RC(crmkit_summary_compute(tx, NULL, &s), CRMKIT_OK);
  double rec[2] = {0, 0}, T[2] = {0, 0};
  CHECK_RC(crmkit_summary_column(s, "recency", rec, 2), CRMKIT_OK);
  CHECK_RC(crmkit_summary_column(s, "T", T, 2), CRMKIT_OK);
  CHECK(rec[0] == 2932896.0 + 719162.0 && T[0] == rec[0] && rec[1] == 0 && T[1] == 2932896.0);
  crmkit_summary_free(s);
  crmkit_cohorts* c = NULL;
  CHECK_RC(crmkit_cohorts_compute(tx, NULL, &c), CRMKIT_E_INVALID_ARGUMENT); /* 10,000 years of months */
  CHECK(HAS(crmkit_last_error(), "at most 2000"));
  crmkit_transactions_free(tx);
}

/* Amounts whose per-customer sums overflow printed inf in summary and churn features. */
static void test_amounts_that_would_overflow(void) {
  const uint32_t customer[] = {0, 0, 1};
  const int64_t time[] = {1, 2, 3};
  const double amount[] = {1.5e308, 1.5e308, 1};
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_from_arrays(customer, time, amount, 3, CRMKIT_TIME_DAYS, &tx),
           CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "amount[0]"));
  CHECK(HAS(crmkit_last_error(), "1e290"));
  const double fine[] = {1e290, 1e290, -1e290};
  CHECK_RC(crmkit_transactions_from_arrays(customer, time, fine, 3, CRMKIT_TIME_DAYS, &tx), CRMKIT_OK);
  crmkit_summary* s = NULL;
  CHECK_RC(crmkit_summary_compute(tx, NULL, &s), CRMKIT_OK);
  double total[2];
  CHECK_RC(crmkit_summary_column(s, "total_spend", total, 2), CRMKIT_OK);
  CHECK(total[0] == 2e290 && total[1] == -1e290);
  crmkit_summary_free(s);
  crmkit_transactions_free(tx);
}

/* The same id for two codes merged them silently in every output keyed by id. */
static void test_duplicate_ids(void) {
  const uint32_t customer[] = {0, 1, 2};
  const int64_t time[] = {1, 2, 3};
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_from_arrays(customer, time, NULL, 3, CRMKIT_TIME_DAYS, &tx), CRMKIT_OK);
  const char* ids[] = {"a", "b", "a"};
  CHECK_RC(crmkit_transactions_set_ids(tx, ids, 3), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "ids[2]"));
  CHECK(HAS(crmkit_last_error(), "duplicates ids[0]"));
  const char* ok[] = {"a", "b", "c"};
  CHECK_RC(crmkit_transactions_set_ids(tx, ok, 3), CRMKIT_OK);
  crmkit_transactions_free(tx);
}

/* '[' * 100000 + ']' * 100000 as a model crashed every loader (SIGSEGV). */
static char* nested(int depth) {
  char* s = malloc((size_t)depth * 2 + 1);
  for (int i = 0; i < depth; ++i) {
    s[i] = '[';
    s[depth + i] = ']';
  }
  s[2 * depth] = '\0';
  return s;
}

static void test_deep_json(void) {
  char* deep = nested(100000);
  crmkit_clv_model* m = NULL;
  CHECK_RC(crmkit_clv_from_json(deep, &m), CRMKIT_E_PARSE);
  CHECK(HAS(crmkit_last_error(), "nested more than 64 levels"));
  CHECK(HAS(crmkit_last_error(), "<json>:1:65"));
  crmkit_logit* l = NULL;
  CHECK_RC(crmkit_logit_from_json(deep, &l), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "nested more than 64 levels"));
  free(deep);
  char* shallow = nested(64); /* deep enough to be legal JSON crmkit reads, not a model */
  CHECK_RC(crmkit_clv_from_json(shallow, &m), CRMKIT_E_INVALID_ARGUMENT);
  free(shallow);
  /* 1e400 does not fit a double: a parse error naming the number, not CRMKIT_E_INTERNAL */
  CHECK_RC(crmkit_clv_from_json("{\"model\": \"bgnbd\", \"params\": {\"r\": 1e400, \"alpha\": 1, \"a\": 1, \"b\": 1}}", &m),
           CRMKIT_E_PARSE);
  CHECK(HAS(crmkit_last_error(), "1e400"));
  CHECK(m == NULL);
}

/* Issue 13 item 17: receipt lines. order_col folds the lines of one order into one purchase, and
 * zero_amount_days=drop removes days whose amounts are all 0; both are counted by read_count. */
static void test_orders_and_zero_amount_days(void) {
  char path[128];
  snprintf(path, sizeof path, "/tmp/crmkit_capi_orders_%ld.csv", (long)getpid());
  FILE* f = fopen(path, "w");
  CHECK(f != NULL);
  if (!f) return;
  fputs("customer,date,invoice,amount\na,2024-01-01,o1,10\na,2024-01-01,o1,5\nb,2024-01-02,o2,0\n"
        "a,2024-01-03,o3,7\n", f);
  fclose(f);
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "order_col", "invoice");
  crmkit_options_set(o, "zero_amount_days", "drop");
  crmkit_transactions* tx = NULL;
  CHECK_RC(crmkit_transactions_read_csv(path, o, &tx), CRMKIT_OK);
  int64_t n = 0, v = 0;
  CHECK_RC(crmkit_transactions_len(tx, &n), CRMKIT_OK);
  CHECK(n == 2);
  CHECK_RC(crmkit_transactions_n_customers(tx, &n), CRMKIT_OK);
  CHECK(n == 1); /* b had only the zero-amount day */
  CHECK_RC(crmkit_transactions_read_count(tx, "rows_read", &v), CRMKIT_OK);
  CHECK(v == 4);
  CHECK_RC(crmkit_transactions_read_count(tx, "orders", &v), CRMKIT_OK);
  CHECK(v == 3);
  CHECK_RC(crmkit_transactions_read_count(tx, "lines_folded", &v), CRMKIT_OK);
  CHECK(v == 1);
  CHECK_RC(crmkit_transactions_read_count(tx, "zero_amount_rows_dropped", &v), CRMKIT_OK);
  CHECK(v == 1);
  CHECK_RC(crmkit_transactions_read_count(tx, "customers_dropped", &v), CRMKIT_OK);
  CHECK(v == 1);
  CHECK_RC(crmkit_transactions_read_count(tx, "transactions", &v), CRMKIT_OK);
  CHECK(v == 2);
  const uint32_t* c = NULL;
  const int64_t* t = NULL;
  const double* a = NULL;
  CHECK_RC(crmkit_transactions_columns(tx, &c, &t, &a), CRMKIT_OK);
  CHECK(a != NULL && a[0] == 15 && a[1] == 7);
  CHECK_RC(crmkit_transactions_read_count(tx, "orderz", &v), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "lines_folded"));
  CHECK_RC(crmkit_transactions_read_count(tx, NULL, &v), CRMKIT_E_INVALID_ARGUMENT);
  crmkit_transactions_free(tx);

  crmkit_options_set(o, "zero_amount_days", "skip");
  CHECK_RC(crmkit_transactions_read_csv(path, o, &tx), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "keep or drop"));
  crmkit_options_set(o, "zero_amount_days", "keep");
  crmkit_options_set(o, "order_col", "customer");
  CHECK_RC(crmkit_transactions_read_csv(path, o, &tx), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "column of its own"));
  crmkit_options_free(o);
  remove(path);
}

/* Item 18: zero_spend is the Gamma-Gamma fit's policy; for another model it is refused, not ignored. */
static void test_zero_spend_only_for_gg(void) {
  const double x[] = {1, 2, 0, 3}, tx[] = {5, 8, 0, 9}, T[] = {10, 10, 10, 10};
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "zero_spend", "error");
  crmkit_clv_model* m = NULL;
  CHECK_RC(crmkit_clv_fit("bgnbd", x, tx, T, NULL, NULL, 4, o, &m), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(m == NULL);
  CHECK(HAS(crmkit_last_error(), "applies to the gg model only"));
  crmkit_options_free(o);
}

int main(void) {
  test_code_at_dictionary_size();
  test_sparse_code();
  test_extreme_times();
  test_amounts_that_would_overflow();
  test_duplicate_ids();
  test_deep_json();
  test_orders_and_zero_amount_days();
  test_zero_spend_only_for_gg();
  printf("hardening: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
