// tests/data/CDNOW_master.txt (69,659 rows, 23,570 customers), read once per process: the real-data case.
#pragma once

#include <string>

#include "crmkit/core/table.hpp"
#include "crmkit/io/csv.hpp"

namespace crmkit::bench {

inline const core::TransactionTable& cdnow_master() {
  static const core::TransactionTable t = [] {
    io::ReadOptions o;
    o.amount = "dollar_value";
    return io::read_transactions(std::string(CRMKIT_TEST_DATA) + "/CDNOW_master.txt", o);
  }();
  return t;
}

}  // namespace crmkit::bench
