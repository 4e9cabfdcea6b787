/* The end-to-end analysis from C: read a CDNOW-format log, analyse it with a holdout, write the report.
 * usage: analyze_c CDNOW_master.txt OUT_DIR */
#include <stdio.h>
#include <stdlib.h>

#include <crmkit/crmkit.h>

static int check(int32_t rc, const char* what) {
  if (rc != CRMKIT_OK) fprintf(stderr, "%s: %s: %s\n", what, crmkit_status_name(rc), crmkit_last_error());
  return rc == CRMKIT_OK;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s TRANSACTIONS OUT_DIR\n", argv[0]);
    return 2;
  }
  int ok = 0;
  crmkit_options* read_opts = NULL;
  crmkit_options* opts = NULL;
  crmkit_transactions* tx = NULL;
  crmkit_analysis* a = NULL;
  double* clv = NULL;
  if (!check(crmkit_options_new(&read_opts), "options")) goto done;
  crmkit_options_set(read_opts, "customer_col", "customer_id");
  crmkit_options_set(read_opts, "date_col", "date");
  crmkit_options_set(read_opts, "amount_col", "dollar_value");
  if (!check(crmkit_transactions_read_csv(argv[1], read_opts, &tx), argv[1])) goto done;

  if (!check(crmkit_options_new(&opts), "options")) goto done;
  crmkit_options_set(opts, "calibration_end", "1997-09-30");
  crmkit_options_set(opts, "source", argv[1]);
  if (!check(crmkit_analyze(tx, opts, argv[2], &a), "crmkit_analyze")) goto done;

  int64_t n = 0;
  if (!check(crmkit_analysis_len(a, &n), "len")) goto done;
  clv = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
  if (!clv || !check(crmkit_analysis_column(a, "clv", clv, n), "clv")) goto done;
  double total = 0;
  for (int64_t i = 0; i < n; ++i) total += clv[i];
  const char* report = NULL;
  if (!check(crmkit_analysis_output_path(a, "report.html", &report), "report path")) goto done;
  printf("%lld customers, 12-month CLV %.2f\nreport: %s\n", (long long)n, total, report);
  ok = 1;
done:
  free(clv);
  crmkit_analysis_free(a);
  crmkit_transactions_free(tx);
  crmkit_options_free(opts);
  crmkit_options_free(read_opts);
  return ok ? 0 : 1;
}
