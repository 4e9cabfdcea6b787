/* RFM segments of a CDNOW-format transaction log through the C ABI.
 * usage: rfm_segments_c CDNOW_master.txt */
#include <stdio.h>
#include <stdlib.h>

#include <crmkit/crmkit.h>

static int check(int32_t rc) {
  if (rc != CRMKIT_OK) fprintf(stderr, "error (%s): %s\n", crmkit_status_name(rc), crmkit_last_error());
  return rc != CRMKIT_OK;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s TRANSACTIONS\n", argv[0]);
    return 2;
  }
  crmkit_options* opts = NULL;
  crmkit_transactions* tx = NULL;
  crmkit_rfm* rfm = NULL;
  int failed = check(crmkit_options_new(&opts)) || check(crmkit_options_set(opts, "customer_col", "customer_id")) ||
               check(crmkit_options_set(opts, "date_col", "date")) ||
               check(crmkit_options_set(opts, "amount_col", "dollar_value")) ||
               check(crmkit_transactions_read_csv(argv[1], opts, &tx)) || check(crmkit_rfm_compute(tx, NULL, &rfm));
  if (!failed) {
    int64_t n = 0;
    check(crmkit_rfm_segment_count(rfm, &n));
    double* customers = malloc(sizeof(double) * (size_t)n);
    double* share = malloc(sizeof(double) * (size_t)n);
    failed = check(crmkit_rfm_segment_summary(rfm, "customers", customers, n)) ||
             check(crmkit_rfm_segment_summary(rfm, "revenue_share", share, n));
    for (int64_t i = 0; !failed && i < n; ++i) {
      const char* name = NULL;
      crmkit_rfm_segment_name(rfm, i, &name);
      printf("%-20s %9.0f %7.1f%%\n", name, customers[i], 100 * share[i]);
    }
    free(customers);
    free(share);
  }
  crmkit_rfm_free(rfm); /* NULL is fine */
  crmkit_transactions_free(tx);
  crmkit_options_free(opts);
  return failed;
}
