// Customer feature tables for churn models: a CSV (or caller columns) turned into a numeric design
// matrix, an id column carried through and a 0/1 label. docs/models/logistic.md#feature-tables.
//
//   churn::FeatureOptions o;
//   o.label = "churned";
//   o.id = "customer_id";
//   churn::FeatureTable t = churn::read_features("customers.csv", o);   // learns t.encoding
//   churn::FeatureTable s = churn::read_features("new.csv", t.encoding, {"customer_id"});  // scoring
//
// Encoding rules (stored in FeatureEncoding, hence in a saved model):
// - Missing markers of numeric columns: blank, NA, N/A, NaN, null (ASCII case ignored). A column is
//   numeric when more of its cells are finite numbers than are neither numbers nor markers; then any
//   other cell is a ParseError naming it (FeatureOptions::categorical forces a column categorical).
// - Identifier-like columns are refused as features (ParseError naming the column, unless listed in
//   FeatureOptions::keep): numeric columns of distinct integers (from 20 rows, or any size with an
//   id-like name), text columns with >= 95% distinct values (from 20 rows) or all distinct under an
//   id-like name. Categorical columns with more than FeatureOptions::max_levels levels likewise.
// - Categorical columns are one-hot encoded; the levels are the distinct trimmed cell texts sorted
//   bytewise, and the first (the reference level) is dropped: k levels give k - 1 columns named
//   "column=level". A level not seen in training is an error, or an all-zero row (the reference level)
//   under UnseenLevel::Zero.
// - Missing numeric cells: MissingPolicy::Error (default) throws ParseError at file:line:column;
//   MissingPolicy::Impute replaces them by the training mean and adds a "column_missing" 0/1 column
//   (for every numeric column that had a blank in training); MissingPolicy::Drop leaves the row out
//   (FeatureTable::dropped counts them). Blank categorical cells are an error under Error, the level ""
//   (shown as "column=") under Impute and a dropped row under Drop.
// - The id column is never a feature; neither is the label nor any column in FeatureOptions::exclude.
// - Labels: 0/1, true/false, yes/no, t/f, y/n (ASCII case ignored).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json_fwd.hpp>

#include "crmkit/io/table.hpp"

namespace crmkit::churn {

enum class MissingPolicy : std::uint8_t {
  Error,   ///< a blank numeric cell is a ParseError naming file:line:column
  Impute,  ///< the training mean, plus a "<column>_missing" indicator column
  Drop,    ///< the row is left out (counted in FeatureTable::dropped)
};

enum class UnseenLevel : std::uint8_t {
  Error,  ///< a categorical level not seen in training is an error
  Zero,   ///< it encodes as all zeros (like the reference level)
};

/// How one input column becomes feature columns (learnt from training data).
struct ColumnEncoding {
  std::string name;
  bool categorical = false;
  // numeric
  double mean = 0;               ///< training mean of the non-blank values (the imputed value)
  bool missing_indicator = false;  ///< a "<name>_missing" column follows the value column
  // categorical: sorted levels; levels[0] is the reference level (no column)
  std::vector<std::string> levels;
};

struct FeatureEncoding {
  std::vector<ColumnEncoding> columns;
  MissingPolicy missing = MissingPolicy::Error;
  UnseenLevel unseen = UnseenLevel::Error;
  std::string id;     ///< id column name at training ("" = none)
  std::string label;  ///< label column name at training ("" = none)

  /// The feature names in design-matrix column order.
  std::vector<std::string> feature_names() const;
  std::size_t n_features() const;
};

struct FeatureOptions {
  std::string label;                     ///< label column ("" = none)
  std::string id;                        ///< id column ("" = none)
  std::vector<std::string> exclude;      ///< columns to leave out
  std::vector<std::string> categorical;  ///< columns forced categorical (even if numeric)
  std::vector<std::string> keep;         ///< columns kept as features even if id-like or above max_levels
  std::size_t max_levels = 50;           ///< most levels of a categorical column (0 = no limit)
  MissingPolicy missing = MissingPolicy::Error;
  UnseenLevel unseen = UnseenLevel::Error;
};

struct FeatureTable {
  std::vector<std::string> ids;    ///< the id column's cells (empty without an id column)
  std::vector<std::string> names;  ///< feature names (encoding.feature_names())
  Eigen::MatrixXd x;               ///< rows x features, column-major
  std::vector<double> label;       ///< 0/1 per row (empty without a label column)
  FeatureEncoding encoding;
  std::size_t dropped = 0;              ///< input rows left out under MissingPolicy::Drop
  std::vector<std::size_t> rows_kept;   ///< their complement, 0-based input rows (filled only when dropped > 0)

  std::size_t rows() const noexcept { return static_cast<std::size_t>(x.rows()); }
  std::size_t cols() const noexcept { return static_cast<std::size_t>(x.cols()); }
};

/// Learns the encoding from `table` and builds its design matrix. ParseError (file:line:column) for a
/// missing named column, a bad label, a bad cell of a numeric column or a missing value under
/// MissingPolicy::Error; ParseError naming the column for an id-like or high-cardinality column;
/// InvalidArgument when no feature column is left.
FeatureTable build_features(const io::CsvTable& table, const FeatureOptions& options);
FeatureTable read_features(const std::string& path, const FeatureOptions& options,
                           const io::TableReadOptions& read = {});

/// Applies a learnt encoding (for scoring): every encoded column must be present. `id` names the id
/// column ("" = the encoding's id column if present, else none); a label column is read when
/// `label` is non-empty (or the encoding's label is present in the table).
FeatureTable apply_features(const io::CsvTable& table, const FeatureEncoding& encoding, const std::string& id = "",
                            const std::string& label = "");
FeatureTable read_features(const std::string& path, const FeatureEncoding& encoding, const std::string& id = "",
                           const std::string& label = "", const io::TableReadOptions& read = {});

/// One caller column: numbers (NaN = blank) or strings (empty = blank), never both.
struct InputColumn {
  std::string name;
  std::span<const double> numbers;
  std::vector<std::string> strings;
  bool is_numeric() const noexcept { return strings.empty() && !numbers.empty(); }
};

/// The same from caller columns (equal lengths). Errors are InvalidArgument naming column and row.
/// `label` may be empty (no label) or 0/1 values; `ids` may be empty.
FeatureTable build_features(std::span<const InputColumn> columns, std::span<const double> label,
                            std::vector<std::string> ids, const FeatureOptions& options);
FeatureTable apply_features(std::span<const InputColumn> columns, const FeatureEncoding& encoding,
                            std::vector<std::string> ids = {});

void to_json(nlohmann::json& j, const FeatureEncoding& e);
void from_json(const nlohmann::json& j, FeatureEncoding& e);

}  // namespace crmkit::churn
