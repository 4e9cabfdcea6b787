// Feature tables for churn models (churn/features.hpp): one encoder over two sources, a CSV table
// (errors at file:line:column) and caller columns (errors naming column and row).
#include "crmkit/churn/features.hpp"

#include <algorithm>
#include <cstdlib>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"

namespace crmkit::churn {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool listed(const std::vector<std::string>& names, std::string_view name) {
  return std::any_of(names.begin(), names.end(), [&](const std::string& s) { return iequals(s, name); });
}

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The missing-value markers of a numeric column (ASCII case ignored): blank, NA, N/A, NaN, null.
bool is_marker(std::string_view s) {
  return s.empty() || iequals(s, "na") || iequals(s, "n/a") || iequals(s, "nan") || iequals(s, "null");
}

// A finite number: an optional leading '+', then what std::from_chars reads, all of the (trimmed) text.
bool parse_number(std::string_view s, double& v) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty() || s.front() == '-' || s.front() == '+') return false;
  }
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(v);
}

std::string number_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// The words of a column name: split at non-alphanumerics and at lower-to-upper case changes, lowercased
// ("CustomerId" -> customer, id; "customer_ID" -> customer, id; "RowNumber" -> row, number).
std::vector<std::string> name_words(std::string_view name) {
  std::vector<std::string> w;
  std::string cur;
  char prev = 0;
  for (char ch : name) {
    const bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    const bool upper = ch >= 'A' && ch <= 'Z';
    if (!alnum || (upper && prev >= 'a' && prev <= 'z')) {
      if (!cur.empty()) w.push_back(std::move(cur));
      cur.clear();
    }
    if (alnum) cur += upper ? static_cast<char>(ch - 'A' + 'a') : ch;
    prev = ch;
  }
  if (!cur.empty()) w.push_back(std::move(cur));
  return w;
}

// A name of an identifier column: its last word is id/uuid/guid/key/index/idx, or it is customer,
// client, user, account, member, row or record, alone or followed by number/no/num/nr/code.
bool id_like_name(std::string_view name) {
  const std::vector<std::string> w = name_words(name);
  if (w.empty()) return false;
  for (const char* s : {"id", "ids", "uuid", "guid", "key", "index", "idx"})
    if (w.back() == s) return true;
  const auto entity = [](const std::string& x) {
    for (const char* s : {"customer", "client", "user", "account", "member", "row", "record"})
      if (x == s) return true;
    return false;
  };
  if (w.size() == 1) return entity(w[0]);
  if (w.size() == 2 && entity(w[0]))
    for (const char* s : {"number", "no", "num", "nr", "code"})
      if (w[1] == s) return true;
  return false;
}

// The columns an encoder reads, whatever they come from.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::size_t rows() const = 0;
  virtual std::size_t cols() const = 0;
  virtual const std::string& name(std::size_t c) const = 0;
  /// Numbers given as doubles (NaN = missing), or nullptr when the column is text.
  virtual const double* typed(std::size_t) const { return nullptr; }
  /// The cell's text (text columns only; not trimmed).
  virtual std::string_view text(std::size_t r, std::size_t c) const = 0;
  /// Trimmed texts; "" = blank.
  virtual std::vector<std::string> strings(std::size_t c) const = 0;
  [[noreturn]] virtual void fail(std::size_t row, std::size_t c, std::string_view expected) const = 0;
  /// Error about a whole column (not one cell).
  [[noreturn]] virtual void refuse(std::size_t c, const std::string& expected, const std::string& found) const = 0;
  /// Error for a named column the source lacks.
  [[noreturn]] virtual void missing(const std::string& name, std::string_view what) const = 0;

  std::optional<std::size_t> find(const std::string& n) const {
    for (std::size_t c = 0; c < cols(); ++c)
      if (iequals(name(c), n)) return c;
    return std::nullopt;
  }
};

class CsvSource final : public Source {
 public:
  explicit CsvSource(const io::CsvTable& t) : t_(t) {}
  std::size_t rows() const override { return t_.rows(); }
  std::size_t cols() const override { return t_.cols(); }
  const std::string& name(std::size_t c) const override { return t_.header()[c]; }
  std::string_view text(std::size_t r, std::size_t c) const override { return t_.cell(r, c); }
  std::vector<std::string> strings(std::size_t c) const override { return t_.strings(c); }
  void fail(std::size_t row, std::size_t c, std::string_view expected) const override { t_.fail(row, c, expected); }
  void refuse(std::size_t c, const std::string& expected, const std::string& found) const override {
    throw ParseError(t_.source(), 0, 0, t_.header()[c], expected, found);
  }
  void missing(const std::string& n, std::string_view what) const override {
    t_.require({std::string_view(n)}, what);
    throw ParseError(t_.source(), 0, 0, n, std::string(what), "no such column");  // not reached
  }

 private:
  const io::CsvTable& t_;
};

class ColumnSource final : public Source {
 public:
  explicit ColumnSource(std::span<const InputColumn> c) : c_(c) {
    rows_ = c.empty() ? 0 : len(c[0]);
    for (std::size_t i = 0; i < c.size(); ++i) {
      if (!c[i].numbers.empty() && !c[i].strings.empty())
        throw InvalidArgument("churn::build_features", "columns[" + std::to_string(i) + "]", "'" + c[i].name + "'",
                              "give numbers or strings, not both");
      if (len(c[i]) != rows_)
        throw InvalidArgument("churn::build_features", "columns[" + std::to_string(i) + "]", "'" + c[i].name + "'",
                              "has " + std::to_string(len(c[i])) + " rows, column 0 has " + std::to_string(rows_));
    }
  }
  std::size_t rows() const override { return rows_; }
  std::size_t cols() const override { return c_.size(); }
  const std::string& name(std::size_t c) const override { return c_[c].name; }
  const double* typed(std::size_t c) const override {
    return c_[c].strings.empty() && !c_[c].numbers.empty() ? c_[c].numbers.data() : nullptr;
  }
  std::string_view text(std::size_t r, std::size_t c) const override {
    return r < c_[c].strings.size() ? std::string_view(c_[c].strings[r]) : std::string_view();
  }
  std::vector<std::string> strings(std::size_t c) const override {
    const InputColumn& col = c_[c];
    if (!col.strings.empty()) {
      std::vector<std::string> s(col.strings.size());
      for (std::size_t r = 0; r < s.size(); ++r) s[r] = std::string(trim(col.strings[r]));
      return s;
    }
    std::vector<std::string> s(col.numbers.size());
    for (std::size_t r = 0; r < s.size(); ++r)
      if (!std::isnan(col.numbers[r])) s[r] = number_text(col.numbers[r]);
    return s;
  }
  void fail(std::size_t row, std::size_t c, std::string_view expected) const override {
    std::string found = "<blank>";
    const InputColumn& col = c_[c];
    if (!col.strings.empty() && row < col.strings.size()) found = col.strings[row];
    else if (row < col.numbers.size() && !std::isnan(col.numbers[row])) found = number_text(col.numbers[row]);
    throw InvalidArgument("churn::features", "column '" + col.name + "' row " + std::to_string(row), "'" + found + "'",
                          "expected " + std::string(expected));
  }
  void refuse(std::size_t c, const std::string& expected, const std::string& found) const override {
    throw InvalidArgument("churn::features", "column '" + c_[c].name + "'", found, "expected " + expected);
  }
  void missing(const std::string& n, std::string_view what) const override {
    std::string have;
    for (const auto& c : c_) have += (have.empty() ? "" : ", ") + c.name;
    throw InvalidArgument("churn::features", "columns", "[" + have + "]",
                          "no column named '" + n + "' (" + std::string(what) + ")");
  }

 private:
  static std::size_t len(const InputColumn& c) { return c.strings.empty() ? c.numbers.size() : c.strings.size(); }
  std::span<const InputColumn> c_;
  std::size_t rows_ = 0;
};

constexpr std::size_t npos = static_cast<std::size_t>(-1);

// One pass over a column read as numbers: values (NaN = missing or not a number) and counts.
struct Scan {
  std::vector<double> v;
  std::size_t numbers = 0, missing = 0, bad = 0;
  std::size_t first_missing = npos, first_bad = npos;
};

Scan scan_numbers(const Source& src, std::size_t c) {
  Scan s;
  const std::size_t n = src.rows();
  s.v.resize(n);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (const double* d = src.typed(c)) {
    for (std::size_t r = 0; r < n; ++r) {
      const double x = d[r];
      if (std::isnan(x)) {
        if (s.missing++ == 0) s.first_missing = r;
      } else if (!std::isfinite(x)) {
        if (s.bad++ == 0) s.first_bad = r;
      } else {
        ++s.numbers;
      }
      s.v[r] = std::isfinite(x) ? x : nan;
    }
    return s;
  }
  for (std::size_t r = 0; r < n; ++r) {
    const std::string_view t = trim(src.text(r, c));
    double x;
    if (parse_number(t, x)) {
      ++s.numbers;
      s.v[r] = x;
      continue;
    }
    s.v[r] = nan;
    if (is_marker(t)) {
      if (s.missing++ == 0) s.first_missing = r;
    } else if (s.bad++ == 0) {
      s.first_bad = r;
    }
  }
  return s;
}

std::string missing_hint() {
  return "blank, NA, N/A, NaN and null are missing values: --missing impute (the training mean plus a <column>_missing "
         "indicator) or --missing drop (leave the row out); option missing = impute|drop";
}

// A numeric cell that is neither a number nor a missing marker, or a missing value under Error.
[[noreturn]] void numeric_cell_error(const Source& src, std::size_t c, const Scan& s, bool learning) {
  if (s.bad > 0) {
    std::string e = "a number";
    if (learning)
      e += " (" + std::to_string(s.numbers) + " of " + std::to_string(src.rows()) + " cells of this column are numbers, " +
           std::to_string(s.bad) + " are not; --categorical " + src.name(c) + " treats the column as categories)";
    else
      e += " (the model's column is numeric)";
    src.fail(s.first_bad, c, e);
  }
  src.fail(s.first_missing, c, "a number (" + missing_hint() + ")");
  std::abort();  // not reached: fail() throws (a virtual [[noreturn]] is not seen through by GCC)
}

// Rows below which the value-based id checks stay quiet (too little evidence).
constexpr std::size_t kMinIdRows = 20;

// Why a numeric column looks like an identifier ("" = it does not): all values distinct integers.
std::string numeric_id_reason(const Source& src, std::size_t c, const Scan& s) {
  const std::size_t n = src.rows();
  if (s.missing > 0 || s.bad > 0 || n < 2) return {};
  const bool named = id_like_name(src.name(c));
  if (!named && n < kMinIdRows) return {};
  for (double x : s.v)
    if (x != std::floor(x)) return {};
  std::vector<double> v = s.v;
  std::sort(v.begin(), v.end());
  if (std::adjacent_find(v.begin(), v.end()) != v.end()) return {};
  return "distinct integers in all " + std::to_string(n) + " rows" + (named ? " and an id-like name" : "");
}

// The same for a text column: its name looks like an id and all values differ, or (from kMinIdRows
// rows on) at least 95% of the rows hold distinct values.
std::string text_id_reason(const Source& src, std::size_t c, std::size_t distinct) {
  const std::size_t n = src.rows();
  if (n < 2) return {};
  if (distinct == n && id_like_name(src.name(c)))
    return std::to_string(distinct) + " distinct values in " + std::to_string(n) + " rows and an id-like name";
  if (n >= kMinIdRows && distinct * 20 >= n * 19)
    return std::to_string(distinct) + " distinct values in " + std::to_string(n) + " rows";
  return {};
}

struct Refusal {
  std::size_t col;
  std::string expected, found;
};

std::string id_fix(const std::string& name) {
  return "name it the id with --id-col " + name + ", leave it out with --exclude " + name + ", or keep it as a feature "
         "with --keep " + name + " (options id, exclude, keep)";
}

// Per row: true when some encoded column of the row holds a missing value (MissingPolicy::Drop).
std::vector<char> missing_rows(const Source& src, const FeatureEncoding& enc) {
  std::vector<char> m(src.rows(), 0);
  for (const ColumnEncoding& ce : enc.columns) {
    const auto c = src.find(ce.name);
    if (!c) src.missing(ce.name, "the model's feature column '" + ce.name + "'");
    if (!ce.categorical) {
      const Scan s = scan_numbers(src, *c);
      if (s.bad > 0) numeric_cell_error(src, *c, s, false);
      for (std::size_t r = 0; r < m.size(); ++r)
        if (std::isnan(s.v[r])) m[r] = 1;
    } else {
      const std::vector<std::string> s = src.strings(*c);
      for (std::size_t r = 0; r < m.size(); ++r)
        if (s[r].empty()) m[r] = 1;
    }
  }
  return m;
}

FeatureTable encode(const Source& src, const FeatureEncoding& enc) {
  FeatureTable t;
  t.encoding = enc;
  t.names = enc.feature_names();
  const std::size_t n = src.rows();
  // kept[r]: the output row of input row r (npos = dropped)
  std::vector<std::size_t> kept;
  std::size_t rows_out = n;
  if (enc.missing == MissingPolicy::Drop) {
    const std::vector<char> m = missing_rows(src, enc);
    kept.resize(n);
    rows_out = 0;
    for (std::size_t r = 0; r < n; ++r) kept[r] = m[r] ? npos : rows_out++;
    t.dropped = n - rows_out;
    t.rows_kept.reserve(rows_out);
    for (std::size_t r = 0; r < n; ++r)
      if (!m[r]) t.rows_kept.push_back(r);
  }
  const auto out_row = [&](std::size_t r) { return kept.empty() ? r : kept[r]; };
  t.x.resize(static_cast<Eigen::Index>(rows_out), static_cast<Eigen::Index>(t.names.size()));
  Eigen::Index out = 0;
  for (const ColumnEncoding& ce : enc.columns) {
    const auto c = src.find(ce.name);
    if (!c) src.missing(ce.name, "the model's feature column '" + ce.name + "'");
    if (!ce.categorical) {
      const Scan s = scan_numbers(src, *c);
      if (s.bad > 0 || (s.missing > 0 && enc.missing == MissingPolicy::Error)) numeric_cell_error(src, *c, s, false);
      for (std::size_t r = 0; r < n; ++r) {
        const std::size_t o = out_row(r);
        if (o == npos) continue;
        const bool blank = std::isnan(s.v[r]);
        t.x(static_cast<Eigen::Index>(o), out) = blank ? ce.mean : s.v[r];
        if (ce.missing_indicator) t.x(static_cast<Eigen::Index>(o), out + 1) = blank ? 1.0 : 0.0;
      }
      out += ce.missing_indicator ? 2 : 1;
    } else {
      const std::vector<std::string> s = src.strings(*c);
      const Eigen::Index k = static_cast<Eigen::Index>(ce.levels.size()) - 1;
      t.x.middleCols(out, k).setZero();
      for (std::size_t r = 0; r < n; ++r) {
        const std::size_t o = out_row(r);
        if (o == npos) continue;
        if (s[r].empty() && enc.missing == MissingPolicy::Error)
          src.fail(r, *c, "a category (" + missing_hint() + ")");
        const auto it = std::lower_bound(ce.levels.begin(), ce.levels.end(), s[r]);
        if (it == ce.levels.end() || *it != s[r]) {
          if (enc.unseen == UnseenLevel::Zero) continue;
          std::string known;
          for (std::size_t i = 0; i < ce.levels.size() && i < 10; ++i) known += (i ? ", " : "") + ce.levels[i];
          if (ce.levels.size() > 10) known += ", ...";
          src.fail(r, *c, "a level seen in training (" + known + "; or the unseen=zero option)");
        }
        const auto level = it - ce.levels.begin();
        if (level > 0) t.x(static_cast<Eigen::Index>(o), out + level - 1) = 1.0;
      }
      out += k;
    }
  }
  return t;
}

FeatureEncoding learn(const Source& src, const FeatureOptions& o) {
  FeatureEncoding enc;
  enc.missing = o.missing;
  enc.unseen = o.unseen;
  enc.id = o.id;
  enc.label = o.label;
  std::optional<std::size_t> id_col, label_col;
  if (!o.id.empty() && !(id_col = src.find(o.id))) src.missing(o.id, "the id column");
  if (!o.label.empty() && !(label_col = src.find(o.label))) src.missing(o.label, "the label column");
  for (const auto& e : o.exclude)
    if (!src.find(e)) src.missing(e, "a column to exclude");
  for (const auto& e : o.categorical)
    if (!src.find(e)) src.missing(e, "a categorical column");
  for (const auto& e : o.keep)
    if (!src.find(e)) src.missing(e, "a column to keep");
  if (src.rows() == 0)
    throw InvalidArgument("churn::build_features", "table", "0 rows", "needs at least one row");
  std::vector<Refusal> refused;
  for (std::size_t c = 0; c < src.cols(); ++c) {
    if (c == id_col || c == label_col || listed(o.exclude, src.name(c))) continue;
    ColumnEncoding ce;
    ce.name = src.name(c);
    const bool keep = listed(o.keep, ce.name);
    ce.categorical = listed(o.categorical, ce.name);
    Scan s;
    if (!ce.categorical) {
      s = scan_numbers(src, c);
      // Numeric when more cells are numbers than are neither numbers nor missing markers.
      ce.categorical = s.numbers == 0 || s.numbers <= s.bad;
    }
    if (!ce.categorical) {
      if (s.bad > 0 || (s.missing > 0 && o.missing == MissingPolicy::Error)) numeric_cell_error(src, c, s, true);
      if (!keep) {
        const std::string why = numeric_id_reason(src, c, s);
        if (!why.empty()) refused.push_back({c, "a feature, not an identifier (" + id_fix(ce.name) + ")", why});
      }
      double sum = 0;
      std::size_t count = 0;
      for (double x : s.v)
        if (!std::isnan(x)) {
          sum += x;
          ++count;
        }
      ce.mean = count ? sum / static_cast<double>(count) : 0.0;
      ce.missing_indicator = o.missing == MissingPolicy::Impute && count < s.v.size();
    } else {
      std::vector<std::string> v = src.strings(c);
      for (std::size_t r = 0; r < v.size(); ++r)
        if (v[r].empty() && o.missing == MissingPolicy::Error) src.fail(r, c, "a category (" + missing_hint() + ")");
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
      if (o.missing == MissingPolicy::Drop && !v.empty() && v.front().empty()) v.erase(v.begin());
      ce.levels = std::move(v);
      if (!keep) {
        const std::size_t distinct = ce.levels.size() - (!ce.levels.empty() && ce.levels.front().empty() ? 1 : 0);
        const std::string why = text_id_reason(src, c, distinct);
        if (!why.empty()) {
          refused.push_back({c, "a feature, not an identifier (" + id_fix(ce.name) + ")", why});
        } else if (o.max_levels > 0 && distinct > o.max_levels) {
          refused.push_back({c,
                             "at most " + std::to_string(o.max_levels) + " categories to one-hot encode (--max-levels N "
                             "raises the limit, 0 = none; --exclude " + ce.name + " leaves the column out; --keep " +
                             ce.name + " keeps it; options max_levels, exclude, keep)",
                             std::to_string(distinct) + " categories in " + std::to_string(src.rows()) + " rows"});
        }
      }
    }
    enc.columns.push_back(std::move(ce));
  }
  if (!refused.empty()) {
    std::string found = refused[0].found;
    if (refused.size() > 1) {
      found += "; also refused:";
      for (std::size_t i = 1; i < refused.size(); ++i) found += (i > 1 ? ", " : " ") + src.name(refused[i].col);
    }
    src.refuse(refused[0].col, refused[0].expected, found);
  }
  if (enc.n_features() == 0)
    throw InvalidArgument("churn::build_features", "table", std::to_string(src.cols()) + " columns",
                          "no feature column is left after the id, label and excluded columns "
                          "(a categorical column with one level adds none)");
  return enc;
}

std::vector<double> label_from_csv(const io::CsvTable& t, std::size_t col) {
  const auto b = t.booleans(col);
  return std::vector<double>(b.begin(), b.end());
}

// Keeps the entries of the rows kept under MissingPolicy::Drop (all when nothing was dropped).
template <class T>
std::vector<T> kept_only(std::vector<T> v, const FeatureTable& f) {
  if (f.dropped == 0 || v.empty()) return v;  // nothing dropped, or no such column (no ids, no label)
  std::vector<T> out;
  out.reserve(f.rows_kept.size());
  for (std::size_t r : f.rows_kept) out.push_back(std::move(v[r]));
  return out;
}

void attach_csv(FeatureTable& f, const io::CsvTable& t, const std::string& id, const std::string& label) {
  if (!id.empty()) f.ids = kept_only(t.strings(t.require({std::string_view(id)}, "the id column")), f);
  if (!label.empty()) f.label = kept_only(label_from_csv(t, t.require({std::string_view(label)}, "the label column")), f);
}

void check_label(std::span<const double> y, std::size_t n, const char* fn) {
  if (y.empty()) return;
  if (y.size() != n)
    throw InvalidArgument(fn, "label", std::to_string(y.size()) + " values", "must have one value per row (" + std::to_string(n) + ")");
  for (std::size_t i = 0; i < y.size(); ++i)
    if (y[i] != 0.0 && y[i] != 1.0)
      throw InvalidArgument(fn, "label[" + std::to_string(i) + "]", number_text(y[i]), "must be 0 or 1");
}

}  // namespace

std::vector<std::string> FeatureEncoding::feature_names() const {
  std::vector<std::string> names;
  for (const auto& c : columns) {
    if (!c.categorical) {
      names.push_back(c.name);
      if (c.missing_indicator) names.push_back(c.name + "_missing");
    } else {
      for (std::size_t i = 1; i < c.levels.size(); ++i) names.push_back(c.name + "=" + c.levels[i]);
    }
  }
  return names;
}

std::size_t FeatureEncoding::n_features() const {
  std::size_t k = 0;
  for (const auto& c : columns) k += c.categorical ? (c.levels.empty() ? 0 : c.levels.size() - 1) : (c.missing_indicator ? 2 : 1);
  return k;
}

FeatureTable build_features(const io::CsvTable& table, const FeatureOptions& options) {
  CsvSource src(table);
  // The label first: a bad label cell is reported before any judgement on the feature columns.
  std::vector<double> y;
  if (!options.label.empty()) y = label_from_csv(table, table.require({std::string_view(options.label)}, "the label column"));
  FeatureEncoding enc = learn(src, options);
  FeatureTable f = encode(src, enc);
  attach_csv(f, table, options.id, "");
  f.label = kept_only(std::move(y), f);
  return f;
}

FeatureTable read_features(const std::string& path, const FeatureOptions& options, const io::TableReadOptions& read) {
  return build_features(io::read_table(path, read), options);
}

FeatureTable apply_features(const io::CsvTable& table, const FeatureEncoding& encoding, const std::string& id,
                            const std::string& label) {
  CsvSource src(table);
  FeatureTable f = encode(src, encoding);
  std::string id_col = id;
  if (id_col.empty() && !encoding.id.empty() && src.find(encoding.id)) id_col = encoding.id;
  std::string label_col = label;
  if (label_col.empty() && !encoding.label.empty() && src.find(encoding.label)) label_col = encoding.label;
  attach_csv(f, table, id_col, label_col);
  return f;
}

FeatureTable read_features(const std::string& path, const FeatureEncoding& encoding, const std::string& id,
                           const std::string& label, const io::TableReadOptions& read) {
  return apply_features(io::read_table(path, read), encoding, id, label);
}

FeatureTable build_features(std::span<const InputColumn> columns, std::span<const double> label,
                            std::vector<std::string> ids, const FeatureOptions& options) {
  ColumnSource src(columns);
  FeatureOptions o = options;
  o.id.clear();
  o.label.clear();
  check_label(label, src.rows(), "churn::build_features");
  if (!ids.empty() && ids.size() != src.rows())
    throw InvalidArgument("churn::build_features", "ids", std::to_string(ids.size()) + " values",
                          "must have one value per row (" + std::to_string(src.rows()) + ")");
  FeatureEncoding enc = learn(src, o);
  FeatureTable f = encode(src, enc);
  f.label = kept_only(std::vector<double>(label.begin(), label.end()), f);
  f.ids = kept_only(std::move(ids), f);
  return f;
}

FeatureTable apply_features(std::span<const InputColumn> columns, const FeatureEncoding& encoding,
                            std::vector<std::string> ids) {
  ColumnSource src(columns);
  if (!ids.empty() && ids.size() != src.rows())
    throw InvalidArgument("churn::apply_features", "ids", std::to_string(ids.size()) + " values",
                          "must have one value per row (" + std::to_string(src.rows()) + ")");
  FeatureTable f = encode(src, encoding);
  f.ids = kept_only(std::move(ids), f);
  return f;
}

void to_json(nlohmann::json& j, const FeatureEncoding& e) {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : e.columns) {
    nlohmann::json x = {{"name", c.name}, {"type", c.categorical ? "categorical" : "numeric"}};
    if (c.categorical) {
      x["levels"] = c.levels;
      x["reference"] = c.levels.empty() ? "" : c.levels[0];
    } else {
      x["mean"] = c.mean;
      x["missing_indicator"] = c.missing_indicator;
    }
    cols.push_back(std::move(x));
  }
  j = {{"columns", std::move(cols)},
       {"missing", e.missing == MissingPolicy::Impute ? "impute" : e.missing == MissingPolicy::Drop ? "drop" : "error"},
       {"unseen", e.unseen == UnseenLevel::Zero ? "zero" : "error"},
       {"id", e.id},
       {"label", e.label}};
}

void from_json(const nlohmann::json& j, FeatureEncoding& e) {
  auto bad = [](const std::string& what) {
    throw InvalidArgument("churn::FeatureEncoding from_json", "encoding", "JSON", what);
  };
  if (!j.is_object() || !j.contains("columns") || !j["columns"].is_array()) bad("needs a \"columns\" array");
  e = FeatureEncoding{};
  for (const auto& x : j["columns"]) {
    ColumnEncoding c;
    if (!x.contains("name") || !x["name"].is_string()) bad("every column needs a \"name\"");
    c.name = x["name"].get<std::string>();
    const std::string type = x.value("type", std::string("numeric"));
    if (type != "numeric" && type != "categorical") bad("column type must be numeric or categorical");
    c.categorical = type == "categorical";
    if (c.categorical) {
      if (!x.contains("levels") || !x["levels"].is_array()) bad("categorical column '" + c.name + "' needs \"levels\"");
      c.levels = x["levels"].get<std::vector<std::string>>();
      if (!std::is_sorted(c.levels.begin(), c.levels.end())) bad("levels of '" + c.name + "' must be sorted");
    } else {
      c.mean = x.value("mean", 0.0);
      c.missing_indicator = x.value("missing_indicator", false);
    }
    e.columns.push_back(std::move(c));
  }
  const std::string m = j.value("missing", std::string("error"));
  if (m != "error" && m != "impute" && m != "drop") bad("\"missing\" must be error, impute or drop");
  e.missing = m == "impute" ? MissingPolicy::Impute : m == "drop" ? MissingPolicy::Drop : MissingPolicy::Error;
  const std::string u = j.value("unseen", std::string("error"));
  if (u != "error" && u != "zero") bad("\"unseen\" must be error or zero");
  e.unseen = u == "zero" ? UnseenLevel::Zero : UnseenLevel::Error;
  e.id = j.value("id", std::string());
  e.label = j.value("label", std::string());
}

}  // namespace crmkit::churn
