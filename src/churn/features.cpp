// Feature tables for churn models (churn/features.hpp): one encoder over two sources, a CSV table
// (errors at file:line:column) and caller columns (errors naming column and row).
#include "crmkit/churn/features.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

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

// The columns an encoder reads, whatever they come from.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::size_t rows() const = 0;
  virtual std::size_t cols() const = 0;
  virtual const std::string& name(std::size_t c) const = 0;
  virtual bool is_numeric(std::size_t c) const = 0;
  /// Blanks are NaN when allow_blank, else an error at the first blank.
  virtual std::vector<double> numbers(std::size_t c, bool allow_blank) const = 0;
  /// Trimmed texts; "" = blank.
  virtual std::vector<std::string> strings(std::size_t c) const = 0;
  [[noreturn]] virtual void fail(std::size_t row, std::size_t c, std::string_view expected) const = 0;
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
  bool is_numeric(std::size_t c) const override { return t_.is_numeric(c); }
  std::vector<double> numbers(std::size_t c, bool allow_blank) const override {
    return t_.numbers(c, allow_blank ? io::Blank::NaN : io::Blank::Error);
  }
  std::vector<std::string> strings(std::size_t c) const override { return t_.strings(c); }
  void fail(std::size_t row, std::size_t c, std::string_view expected) const override { t_.fail(row, c, expected); }
  void missing(const std::string& n, std::string_view what) const override {
    t_.require({std::string_view(n)}, what);
    throw ParseError(t_.source(), 0, 0, n, std::string(what), "no such column");  // not reached
  }

 private:
  const io::CsvTable& t_;
};

std::string number_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

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
  bool is_numeric(std::size_t c) const override {
    if (!c_[c].strings.empty()) return false;
    return std::any_of(c_[c].numbers.begin(), c_[c].numbers.end(), [](double v) { return !std::isnan(v); });
  }
  std::vector<double> numbers(std::size_t c, bool allow_blank) const override {
    const InputColumn& col = c_[c];
    if (!col.strings.empty()) fail(0, c, "numbers (the column was given as strings)");
    std::vector<double> v(col.numbers.begin(), col.numbers.end());
    for (std::size_t r = 0; r < v.size(); ++r) {
      if (std::isnan(v[r])) {
        if (!allow_blank) fail(r, c, "a number (NaN is a missing value; use the impute policy)");
      } else if (!std::isfinite(v[r])) {
        fail(r, c, "a finite number");
      }
    }
    return v;
  }
  std::vector<std::string> strings(std::size_t c) const override {
    const InputColumn& col = c_[c];
    if (!col.strings.empty()) {
      std::vector<std::string> s = col.strings;
      for (auto& x : s) {
        const auto b = x.find_first_not_of(" \t\r");
        const auto e = x.find_last_not_of(" \t\r");
        x = b == std::string::npos ? std::string() : x.substr(b, e - b + 1);
      }
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

FeatureTable encode(const Source& src, const FeatureEncoding& enc) {
  FeatureTable t;
  t.encoding = enc;
  t.names = enc.feature_names();
  const std::size_t n = src.rows();
  t.x.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(t.names.size()));
  Eigen::Index out = 0;
  for (const ColumnEncoding& ce : enc.columns) {
    const auto c = src.find(ce.name);
    if (!c) src.missing(ce.name, "the model's feature column '" + ce.name + "'");
    if (!ce.categorical) {
      const bool impute = enc.missing == MissingPolicy::Impute;
      const std::vector<double> v = src.numbers(*c, impute);
      for (std::size_t r = 0; r < n; ++r) {
        const bool blank = std::isnan(v[r]);
        t.x(static_cast<Eigen::Index>(r), out) = blank ? ce.mean : v[r];
        if (ce.missing_indicator) t.x(static_cast<Eigen::Index>(r), out + 1) = blank ? 1.0 : 0.0;
      }
      out += ce.missing_indicator ? 2 : 1;
    } else {
      const std::vector<std::string> s = src.strings(*c);
      const Eigen::Index k = static_cast<Eigen::Index>(ce.levels.size()) - 1;
      t.x.middleCols(out, k).setZero();
      for (std::size_t r = 0; r < n; ++r) {
        if (s[r].empty() && enc.missing == MissingPolicy::Error) src.fail(r, *c, "a category (blank cells need the impute policy)");
        const auto it = std::lower_bound(ce.levels.begin(), ce.levels.end(), s[r]);
        if (it == ce.levels.end() || *it != s[r]) {
          if (enc.unseen == UnseenLevel::Zero) continue;
          std::string known;
          for (std::size_t i = 0; i < ce.levels.size() && i < 10; ++i) known += (i ? ", " : "") + ce.levels[i];
          if (ce.levels.size() > 10) known += ", ...";
          src.fail(r, *c, "a level seen in training (" + known + "; or the unseen=zero option)");
        }
        const auto level = it - ce.levels.begin();
        if (level > 0) t.x(static_cast<Eigen::Index>(r), out + level - 1) = 1.0;
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
  if (src.rows() == 0)
    throw InvalidArgument("churn::build_features", "table", "0 rows", "needs at least one row");
  for (std::size_t c = 0; c < src.cols(); ++c) {
    if (c == id_col || c == label_col || listed(o.exclude, src.name(c))) continue;
    ColumnEncoding ce;
    ce.name = src.name(c);
    ce.categorical = listed(o.categorical, ce.name) || !src.is_numeric(c);
    if (!ce.categorical) {
      const std::vector<double> v = src.numbers(c, o.missing == MissingPolicy::Impute);
      double sum = 0;
      std::size_t count = 0;
      for (double x : v)
        if (!std::isnan(x)) {
          sum += x;
          ++count;
        }
      ce.mean = sum / static_cast<double>(count);  // is_numeric: at least one value
      ce.missing_indicator = count < v.size();
    } else {
      std::vector<std::string> s = src.strings(c);
      for (std::size_t r = 0; r < s.size(); ++r)
        if (s[r].empty() && o.missing == MissingPolicy::Error) src.fail(r, c, "a category (blank cells need the impute policy)");
      std::sort(s.begin(), s.end());
      s.erase(std::unique(s.begin(), s.end()), s.end());
      ce.levels = std::move(s);
    }
    enc.columns.push_back(std::move(ce));
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

void attach_csv(FeatureTable& f, const io::CsvTable& t, const std::string& id, const std::string& label) {
  if (!id.empty()) f.ids = t.strings(t.require({std::string_view(id)}, "the id column"));
  if (!label.empty()) f.label = label_from_csv(t, t.require({std::string_view(label)}, "the label column"));
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
  FeatureEncoding enc = learn(src, options);
  FeatureTable f = encode(src, enc);
  attach_csv(f, table, options.id, options.label);
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
  f.label.assign(label.begin(), label.end());
  f.ids = std::move(ids);
  return f;
}

FeatureTable apply_features(std::span<const InputColumn> columns, const FeatureEncoding& encoding,
                            std::vector<std::string> ids) {
  ColumnSource src(columns);
  if (!ids.empty() && ids.size() != src.rows())
    throw InvalidArgument("churn::apply_features", "ids", std::to_string(ids.size()) + " values",
                          "must have one value per row (" + std::to_string(src.rows()) + ")");
  FeatureTable f = encode(src, encoding);
  f.ids = std::move(ids);
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
       {"missing", e.missing == MissingPolicy::Impute ? "impute" : "error"},
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
  if (m != "error" && m != "impute") bad("\"missing\" must be error or impute");
  e.missing = m == "impute" ? MissingPolicy::Impute : MissingPolicy::Error;
  const std::string u = j.value("unseen", std::string("error"));
  if (u != "error" && u != "zero") bad("\"unseen\" must be error or zero");
  e.unseen = u == "zero" ? UnseenLevel::Zero : UnseenLevel::Error;
  e.id = j.value("id", std::string());
  e.label = j.value("label", std::string());
}

}  // namespace crmkit::churn
