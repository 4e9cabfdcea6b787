// The transaction CSV reader (io::parse_transactions, the code behind io::read_transactions, the C
// ABI's crmkit_transactions_read_csv and every CLI command that reads a transaction log).
//
// Input: byte 0 and 1 choose the options, byte 2 the column indices; the rest is the file's text.
//   byte 0: bits 0-1 header (auto, yes, no, auto), bits 2-4 delimiter (auto, comma, tab, semicolon,
//           whitespace, auto...), bit 5 skip_bad_rows, bit 6 columns by 1-based index (else by the
//           common names), bit 7 amount optional
//   byte 1: bits 0-2 date format (detect x4, YYYYMMDD, YYYY-MM-DD, ISO date-time, Unix seconds),
//           bit 3 an extra numeric column (which sends every row through the general path), bit 4 an
//           order column (index 1 + (b >> 5 & 3), or the name "order"), bit 7 zero_amount_days = drop
//   byte 2: customer index 1 + (b & 3), date 1 + (b >> 2 & 3), amount 1 + (b >> 4 & 7), extra 1 + (b >> 7)*4
// Checks: only crmkit errors; a table that is read is consistent (equal column lengths, codes below
// the id count, finite amounts, rows_read = rows). Differential: without extra columns the reader
// takes its fast path; the same options plus the amount column as an extra column force the general
// path. Both must give the same table, or the same error message.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crmkit/io/csv.hpp"
#include "fuzz_common.hpp"

using namespace crmkit;

namespace {

struct Outcome {
  bool ok = false;
  std::string error;
  core::TransactionTable table;
  io::ReadReport report;
};

Outcome read(std::string_view text, const io::ReadOptions& o) {
  Outcome out;
  try {
    out.table = io::parse_transactions(text, o, "fuzz.csv", &out.report);
    out.ok = true;
  } catch (const crmkit::Error& e) {
    out.error = e.what();
    fuzz::require(!out.error.empty(), "parse_transactions: crmkit error with an empty message");
  } catch (const std::exception& e) {
    fuzz::finding(std::string("parse_transactions: non-crmkit exception escaped: ") + e.what());
  }
  return out;
}

void check_table(const Outcome& r, bool has_amount) {
  const auto& t = r.table;
  const std::size_t n = t.customer.size();
  fuzz::require(t.time.size() == n, "time column length differs from customer column");
  if (has_amount) fuzz::require(t.amount.size() == n, "amount column length differs from customer column");
  else fuzz::require(t.amount.empty() || t.amount.size() == n, "amount column of a third length");
  for (std::size_t i = 0; i < n; ++i)
    fuzz::require(t.customer[i] < t.ids.size(), "customer code " + std::to_string(t.customer[i]) + " >= ids");
  fuzz::require_finite(t.amount, "amount");
  for (const auto& e : t.extra) {
    fuzz::require(e.values.size() == n, "extra column length differs");
    fuzz::require_finite(e.values, "extra");
  }
  fuzz::require(r.report.transactions == n, "transactions != rows");
  fuzz::require(r.report.rows_read == n + r.report.lines_folded + r.report.zero_amount_rows_dropped,
                "rows_read != rows + lines folded + zero-amount rows dropped");
  if (r.report.zero_amount_rows_dropped > 0 || r.report.lines_folded > 0) {
    std::vector<char> used(t.ids.size(), 0);  // codes stay dense: every customer keeps a row
    for (std::size_t i = 0; i < n; ++i) used[t.customer[i]] = 1;
    for (char u : used) fuzz::require(u != 0, "a customer without a transaction after folding or dropping");
  }
  for (std::size_t c = 0; c < t.ids.size(); ++c) fuzz::require(!t.ids.decode(static_cast<std::uint32_t>(c)).empty(), "empty id");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::uint8_t b0 = data[0], b1 = data[1], b2 = data[2];
  const std::string_view text = fuzz::as_text(data + 3, size - 3);

  io::ReadOptions o;
  switch (b0 & 3) {
    case 1: o.header = true; break;
    case 2: o.header = false; break;
    default: break;
  }
  switch ((b0 >> 2) & 7) {
    case 1: o.delimiter = io::Delimiter::Comma; break;
    case 2: o.delimiter = io::Delimiter::Tab; break;
    case 3: o.delimiter = io::Delimiter::Semicolon; break;
    case 4: o.delimiter = io::Delimiter::Whitespace; break;
    default: break;
  }
  o.skip_bad_rows = (b0 >> 5) & 1;
  const bool by_index = (b0 >> 6) & 1;
  o.require_amount = !((b0 >> 7) & 1);
  const int amount_index = 1 + ((b2 >> 4) & 7);
  if (by_index) {
    o.customer = io::ColumnRef(1 + (b2 & 3));
    o.date = io::ColumnRef(1 + ((b2 >> 2) & 3));
    o.amount = io::ColumnRef(amount_index);
  }
  const int fmt = b1 & 7;
  if (fmt >= 4) {
    io::DateFormat f;
    f.kind = fmt == 4 ? io::DateFormat::Kind::Yyyymmdd
           : fmt == 5 ? io::DateFormat::Kind::IsoDate
           : fmt == 6 ? io::DateFormat::Kind::IsoDateTime
                      : io::DateFormat::Kind::UnixSeconds;
    o.date_format = f;
  }
  const bool extra = (b1 >> 3) & 1;
  if (extra) o.extra.push_back(by_index ? io::ColumnRef(1 + (b2 >> 7) * 4) : io::ColumnRef("quantity"));
  if ((b1 >> 4) & 1) o.order = by_index ? io::ColumnRef(1 + ((b1 >> 5) & 3)) : io::ColumnRef("order");
  if ((b1 >> 7) & 1) o.zero_amount_days = io::ZeroAmountDays::Drop;

  const Outcome a = read(text, o);
  if (a.ok) check_table(a, o.require_amount);

  // Fast path against general path: the amount column again as an extra column.
  if (by_index && !extra && o.require_amount && o.order.empty()) {
    io::ReadOptions g = o;
    g.extra.push_back(io::ColumnRef(amount_index));
    const Outcome b = read(text, g);
    if (a.ok != b.ok)
      fuzz::finding("fast path " + std::string(a.ok ? "read the file" : "failed: " + a.error) +
                    "; general path " + (b.ok ? "read the file" : "failed: " + b.error));
    if (!a.ok) {
      fuzz::require(a.error == b.error, "fast and general paths fail differently:\n  " + a.error + "\n  " + b.error);
    } else {
      check_table(b, true);
      const auto &x = a.table, &y = b.table;
      fuzz::require(x.customer == y.customer, "fast and general paths: customer codes differ");
      fuzz::require(x.time == y.time, "fast and general paths: times differ");
      fuzz::require(x.amount == y.amount, "fast and general paths: amounts differ");
      fuzz::require(x.time_unit == y.time_unit, "fast and general paths: time units differ");
      fuzz::require(x.ids.size() == y.ids.size(), "fast and general paths: id counts differ");
      for (std::size_t c = 0; c < x.ids.size(); ++c)
        fuzz::require(x.ids.decode(static_cast<std::uint32_t>(c)) == y.ids.decode(static_cast<std::uint32_t>(c)),
                      "fast and general paths: ids differ");
      fuzz::require(a.report.rows_skipped == b.report.rows_skipped, "fast and general paths: rows_skipped differ");
      fuzz::require(a.report.first_errors == b.report.first_errors, "fast and general paths: skipped-row messages differ");
      fuzz::require(y.extra.size() == 1 && y.extra[0].values == y.amount, "general path: extra amount column != amount");
    }
  }
  return 0;
}
