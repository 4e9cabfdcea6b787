// RFM segments of a CDNOW-format transaction log with the C++ API.
// usage: rfm_segments_cpp CDNOW_master.txt
#include <cstdio>
#include <exception>

#include <crmkit/io/csv.hpp>
#include <crmkit/rfm/rfm.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s TRANSACTIONS\n", argv[0]);
    return 2;
  }
  try {
    crmkit::io::ReadOptions read;
    read.customer = "customer_id";
    read.date = "date";
    read.amount = "dollar_value";
    const auto table = crmkit::io::read_transactions(argv[1], read);  // owns the columns

    const auto rfm = crmkit::rfm::compute(table.view());  // quintile scores, as of the day after the last purchase
    const auto grid = crmkit::rfm::Segmentation::rf_grid();
    const auto segment = crmkit::rfm::assign(rfm, grid);
    std::printf("%-20s %9s %8s %8s\n", "segment", "customers", "share", "revenue");
    for (const auto& row : crmkit::rfm::segment_summary(rfm, segment, grid))
      std::printf("%-20s %9zu %7.1f%% %7.1f%%\n", row.segment.c_str(), row.customers, 100 * row.customer_share,
                  100 * row.revenue_share);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
