// Shared by `crmkit fit`, `predict` and `clv`: reading customer-summary files and model files.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crmkit/clv/model.hpp"

namespace crmkit::cli {

/// A customer-summary file: lifetimes' column names (frequency, recency, T, monetary_value) or Fader &
/// Hardie's (x, t_x, T, zbar / m_x), optional weights; the id is the first column when it is none of
/// those (otherwise ids are row numbers from 1).
struct SummaryFile {
  std::vector<std::string> ids;
  std::vector<double> frequency, recency, T, monetary_value, weights, n_periods;
  clv::ModelData data() const;
  // Where the rows came from (empty when not read from a file): the path, each row's 1-based line and
  // the header name of each model column ("frequency" -> "x", ...), for with_rows.
  std::string path;
  std::vector<std::int64_t> lines;
  std::vector<std::pair<std::string, std::string>> columns;
};

/// Runs f(); an InvalidArgument from the library naming a "COLUMN (customer row N)" comes back as one
/// naming the file, the line, the customer's id and the file's column: "FILE:LINE: customer 'ID': argument
/// 'T' = -5: must be ...". Other errors pass unchanged.
void with_rows(const SummaryFile& s, const std::function<void()>& f);

/// Reads the columns a model needs (`need_rfT`: frequency, recency, T; `need_monetary`: monetary value).
/// ParseError / IoError name the file, line and column.
SummaryFile read_summary_file(const std::string& path, bool need_rfT, bool need_monetary);
/// A BG/BB file: frequency, recency, periods (or n / n_periods) [, weights].
SummaryFile read_discrete_file(const std::string& path);

/// Retention data for sbg: a cohort file `period,active` (customers active at the start of each period,
/// periods 0..T in order) or individual records `periods,churned[,weights]`.
struct RetentionFile {
  std::vector<double> active, periods, churned, weights;
  double cohort_size = 0;  ///< > 0: `active` holds proportions or percentages of a cohort of this size
  std::string path, active_column;
  std::vector<std::int64_t> lines;  ///< 1-based line of each row
  clv::ModelData data() const;
};
RetentionFile read_retention_file(const std::string& path);

/// Reads a model file written by `crmkit fit` (IoError / ParseError for unreadable or malformed JSON,
/// InvalidArgument for a bad model).
clv::Model read_model_file(const std::string& path);

/// Writes `text` + newline to the file (or stdout for "" and "-").
void write_text(const std::string& text, const std::string& output);

}  // namespace crmkit::cli
