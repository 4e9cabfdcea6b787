// Shared by `crmkit fit`, `predict` and `clv`: reading customer-summary files and model files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
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
};

/// Reads the columns a model needs (`need_rfT`: frequency, recency, T; `need_monetary`: monetary value).
/// ParseError / IoError name the file, line and column.
SummaryFile read_summary_file(const std::string& path, bool need_rfT, bool need_monetary);
/// A BG/BB file: frequency, recency, periods (or n / n_periods) [, weights].
SummaryFile read_discrete_file(const std::string& path);

/// Retention data for sbg: a cohort file `period,active` (customers active at the start of each period,
/// periods 0..T in order) or individual records `periods,churned[,weights]`.
struct RetentionFile {
  std::vector<double> active, periods, churned, weights;
  clv::ModelData data() const;
};
RetentionFile read_retention_file(const std::string& path);

/// Reads a model file written by `crmkit fit` (IoError / ParseError for unreadable or malformed JSON,
/// InvalidArgument for a bad model).
clv::Model read_model_file(const std::string& path);

/// Writes `text` + newline to the file (or stdout for "" and "-").
void write_text(const std::string& text, const std::string& output);

}  // namespace crmkit::cli
