/* Issue 14 through the C ABI: summary states built from caller arrays, refreshed, merged, saved, loaded,
 * and their summaries equal to crmkit_summary_compute's on the rows they hold (bitwise). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static double column(crmkit_summary* s, const char* name, int64_t i) {
  double out[16];
  int64_t n = 0;
  crmkit_summary_len(s, &n);
  if (n > 16 || crmkit_summary_column(s, name, out, n) != CRMKIT_OK) return -1;
  return out[i];
}

/* Days 10, 11 then 12, 13 for customers 0 ("a"), 1 ("b"), 2 ("c"): the state of the first two days
 * plus the last two equals the state of all four; a refresh back in time is refused and changes nothing. */
static void test_refresh_equals_recompute(void) {
  const uint32_t c1[] = {0, 1, 0};
  const int64_t t1[] = {10, 10, 11};
  const double a1[] = {0.1, 0.7, 0.2};
  const char* ids1[] = {"a", "b"};
  const uint32_t c2[] = {0, 1, 0};   /* codes of the second table: 0 = "c", 1 = "a" */
  const int64_t t2[] = {12, 13, 13};
  const double a2[] = {1.3, 0.3, 0.6};
  const char* ids2[] = {"c", "a"};
  const uint32_t call[] = {0, 1, 0, 2, 0, 2};
  const int64_t tall[] = {10, 10, 11, 12, 13, 13};
  const double aall[] = {0.1, 0.7, 0.2, 1.3, 0.3, 0.6};
  const char* idsall[] = {"a", "b", "c"};
  crmkit_transactions *x1 = NULL, *x2 = NULL, *xall = NULL;
  CHECK_RC(crmkit_transactions_from_arrays(c1, t1, a1, 3, CRMKIT_TIME_DAYS, &x1), CRMKIT_OK);
  CHECK_RC(crmkit_transactions_set_ids(x1, ids1, 2), CRMKIT_OK);
  CHECK_RC(crmkit_transactions_from_arrays(c2, t2, a2, 3, CRMKIT_TIME_DAYS, &x2), CRMKIT_OK);
  CHECK_RC(crmkit_transactions_set_ids(x2, ids2, 2), CRMKIT_OK);
  CHECK_RC(crmkit_transactions_from_arrays(call, tall, aall, 6, CRMKIT_TIME_DAYS, &xall), CRMKIT_OK);
  CHECK_RC(crmkit_transactions_set_ids(xall, idsall, 3), CRMKIT_OK);

  crmkit_state *s = NULL, *all = NULL;
  CHECK_RC(crmkit_state_from_transactions(x1, NULL, &s), CRMKIT_OK);
  CHECK_RC(crmkit_state_add(s, x2, NULL), CRMKIT_OK);
  int64_t v = 0;
  CHECK_RC(crmkit_state_count(s, "rows_added", &v), CRMKIT_OK);
  CHECK(v == 3);
  CHECK_RC(crmkit_state_count(s, "customers_new", &v), CRMKIT_OK);
  CHECK(v == 1);
  CHECK_RC(crmkit_state_count(s, "observation_end", &v), CRMKIT_OK);
  CHECK(v == 13);
  CHECK_RC(crmkit_state_from_transactions(xall, NULL, &all), CRMKIT_OK);
  const char *b1 = NULL, *b2 = NULL;
  int64_t n1 = 0, n2 = 0;
  CHECK_RC(crmkit_state_to_bytes(s, &b1, &n1), CRMKIT_OK);
  CHECK_RC(crmkit_state_to_bytes(all, &b2, &n2), CRMKIT_OK);
  CHECK(n1 == n2 && n1 > 0 && memcmp(b1, b2, (size_t)n1) == 0); /* the same state, byte for byte */

  /* its summary is the recomputed one, bitwise */
  crmkit_summary *got = NULL, *want = NULL;
  CHECK_RC(crmkit_state_summary(s, NULL, &got), CRMKIT_OK);
  CHECK_RC(crmkit_summary_compute(xall, NULL, &want), CRMKIT_OK);
  const char* cols[] = {"frequency", "recency", "T", "monetary_value", "total_spend", "n_transactions"};
  for (int k = 0; k < 6; ++k)
    for (int64_t i = 0; i < 3; ++i) {
      const double g = column(got, cols[k], i), w = column(want, cols[k], i);
      CHECK(memcmp(&g, &w, sizeof g) == 0);
    }
  const char* data = NULL;
  const int64_t* off = NULL;
  int64_t n = 0;
  CHECK_RC(crmkit_state_ids(s, &data, &off, &n), CRMKIT_OK);
  CHECK(n == 3 && off[3] == 3 && memcmp(data, "abc", 3) == 0);

  /* back in time for "a" (last day 13): refused, unchanged */
  CHECK_RC(crmkit_state_add(s, x1, NULL), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "customer 'a'"));
  CHECK_RC(crmkit_state_to_bytes(s, &b1, &n1), CRMKIT_OK);
  CHECK(n1 == n2 && memcmp(b1, b2, (size_t)n1) == 0);

  /* save, load */
  char path[] = "/tmp/crmkit_test_state_XXXXXX";
  const int fd = mkstemp(path);
  CHECK(fd >= 0);
  close(fd);
  crmkit_state* back = NULL;
  CHECK_RC(crmkit_state_save(s, path), CRMKIT_OK);
  CHECK_RC(crmkit_state_load(path, &back), CRMKIT_OK);
  CHECK_RC(crmkit_state_to_bytes(back, &b1, &n1), CRMKIT_OK);
  CHECK(n1 == n2 && memcmp(b1, b2, (size_t)n1) == 0);
  FILE* f = fopen(path, "wb");
  fputs("customer,date\n", f);
  fclose(f);
  crmkit_state* bad = NULL;
  CHECK_RC(crmkit_state_load(path, &bad), CRMKIT_E_PARSE);
  CHECK(bad == NULL);
  CHECK(HAS(crmkit_last_error(), "expected a crmkit summary state file"));
  remove(path);
  CHECK_RC(crmkit_state_load(path, &bad), CRMKIT_E_IO);

  /* merge: disjoint works, overlapping is refused */
  crmkit_state* m = NULL;
  CHECK_RC(crmkit_state_merge(s, all, &m), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "in both states"));
  CHECK(m == NULL);

  /* options: unknown keys and bad values */
  crmkit_options* o = NULL;
  crmkit_options_new(&o);
  crmkit_options_set(o, "observation_ed", "2024-01-01");
  crmkit_state* t = NULL;
  CHECK_RC(crmkit_state_from_transactions(x1, o, &t), CRMKIT_E_INVALID_ARGUMENT);
  CHECK(HAS(crmkit_last_error(), "unknown key"));
  crmkit_options_free(o);
  CHECK_RC(crmkit_state_count(s, "colour", &v), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_state_from_bytes("CRMKSTAT", 8, &t), CRMKIT_E_PARSE);
  CHECK_RC(crmkit_state_from_bytes(NULL, -1, &t), CRMKIT_E_INVALID_ARGUMENT);
  CHECK_RC(crmkit_state_add(NULL, x1, NULL), CRMKIT_E_INVALID_ARGUMENT);

  crmkit_state_free(back);
  crmkit_summary_free(got);
  crmkit_summary_free(want);
  crmkit_state_free(s);
  crmkit_state_free(all);
  crmkit_transactions_free(x1);
  crmkit_transactions_free(x2);
  crmkit_transactions_free(xall);
}

/* Shards of customers, built apart, merge to the state of the union. */
static void test_merge_shards(void) {
  const uint32_t ca[] = {0, 0};
  const int64_t ta[] = {1, 5};
  const double aa[] = {2.5, 3.5};
  const uint32_t cb[] = {0, 0, 1};
  const int64_t tb[] = {2, 4, 9};
  const double ab[] = {1.25, 0.5, 4.0};
  const char* ida[] = {"x"};
  const char* idb[] = {"y", "z"};
  crmkit_transactions *xa = NULL, *xb = NULL;
  crmkit_transactions_from_arrays(ca, ta, aa, 2, CRMKIT_TIME_DAYS, &xa);
  crmkit_transactions_set_ids(xa, ida, 1);
  crmkit_transactions_from_arrays(cb, tb, ab, 3, CRMKIT_TIME_DAYS, &xb);
  crmkit_transactions_set_ids(xb, idb, 2);
  crmkit_state *a = NULL, *b = NULL, *m = NULL;
  CHECK_RC(crmkit_state_from_transactions(xa, NULL, &a), CRMKIT_OK);
  CHECK_RC(crmkit_state_from_transactions(xb, NULL, &b), CRMKIT_OK);
  CHECK_RC(crmkit_state_merge(a, b, &m), CRMKIT_OK);
  int64_t v = 0;
  CHECK_RC(crmkit_state_count(m, "customers", &v), CRMKIT_OK);
  CHECK(v == 3);
  CHECK_RC(crmkit_state_count(m, "observation_end", &v), CRMKIT_OK);
  CHECK(v == 9); /* the later end */
  crmkit_summary* s = NULL;
  CHECK_RC(crmkit_state_summary(m, NULL, &s), CRMKIT_OK);
  CHECK(column(s, "T", 0) == 8.0);   /* x: first day 1, end 9 */
  CHECK(column(s, "monetary_value", 0) == 3.5);
  crmkit_summary_free(s);
  crmkit_state_free(a);
  crmkit_state_free(b);
  crmkit_state_free(m);
  crmkit_transactions_free(xa);
  crmkit_transactions_free(xb);
}

int main(void) {
  test_refresh_equals_recompute();
  test_merge_shards();
  printf("state: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
