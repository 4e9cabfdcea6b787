// The end-to-end analysis from C++: read a CDNOW-format log, analyse it with a holdout, write the report.
// usage: analyze_cpp CDNOW_master.txt OUT_DIR
#include <crmkit/analysis/analysis.hpp>
#include <crmkit/io/csv.hpp>
#include <crmkit/io/date.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s TRANSACTIONS OUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    crmkit::io::ReadOptions ro;
    ro.customer = "customer_id";
    ro.date = "date";
    ro.amount = "dollar_value";
    const auto tx = crmkit::io::read_transactions(argv[1], ro);

    crmkit::analysis::Inputs in;
    in.transactions = tx.view();
    in.ids = &tx.ids;
    in.transactions_source = argv[1];
    crmkit::analysis::Options o;
    o.calibration_end = crmkit::io::days_from_civil(1997, 9, 30);
    o.progress = [](int step, int steps, std::string_view what) {
      std::fprintf(stderr, "[%d/%d] %.*s\n", step, steps, static_cast<int>(what.size()), what.data());
    };
    const auto r = crmkit::analysis::analyze(in, o);
    const auto written = crmkit::analysis::write_outputs(r, argv[2]);

    std::printf("%zu customers, %zu transactions, revenue %.2f\n", r.n_customers, r.n_transactions, r.revenue);
    std::printf("top 20%% of customers bring %.0f%% of revenue\n", 100 * r.top20_revenue_share);
    if (r.transaction_model) std::printf("transaction model: %s\n", r.transaction_model->title.c_str());
    if (r.holdout)
      std::printf("holdout: %.0f purchases predicted, %.0f actual\n", r.holdout->predicted_total, r.holdout->actual_total);
    double clv = 0;
    for (double v : r.customers.clv) clv += v;
    std::printf("12-month CLV: %.2f\nreport: %s\n", clv, written.report_html.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
