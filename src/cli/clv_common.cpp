#include "clv_common.hpp"

#include <cstdio>
#include <optional>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/io/json.hpp"
#include "crmkit/io/table.hpp"

namespace crmkit::cli {

clv::ModelData SummaryFile::data() const {
  clv::ModelData d;
  d.frequency = frequency;
  d.recency = recency;
  d.T = T;
  d.monetary_value = monetary_value;
  d.weights = weights;
  d.n_periods = n_periods;
  return d;
}

namespace {

void locate(SummaryFile& s, const io::CsvTable& t) {
  s.path = t.source();
  s.lines.resize(t.rows());
  for (std::size_t i = 0; i < t.rows(); ++i) s.lines[i] = t.line(i);
}

void column(SummaryFile& s, const io::CsvTable& t, const char* name, std::size_t c) {
  s.columns.emplace_back(name, c < t.cols() ? t.header()[c] : std::string(name));
}

}  // namespace

void with_rows(const SummaryFile& s, const std::function<void()>& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    // the library's "COLUMN (customer row N)"
    const std::string& arg = e.argument();
    const auto at = arg.find(" (customer row ");
    if (s.path.empty() || at == std::string::npos || arg.back() != ')') throw;
    std::size_t row = 0;
    for (std::size_t k = at + 15; k + 1 < arg.size(); ++k) {
      if (arg[k] < '0' || arg[k] > '9') throw;
      row = row * 10 + static_cast<std::size_t>(arg[k] - '0');
    }
    if (row < 1 || row > s.lines.size()) throw;
    std::string name = arg.substr(0, at);
    for (const auto& [model_name, header] : s.columns)
      if (model_name == name) name = header;
    std::string where = s.path;
    where += ':';
    where += std::to_string(s.lines[row - 1]);
    if (row - 1 < s.ids.size()) where += ": customer '" + s.ids[row - 1] + "'";
    throw InvalidArgument(where + " (" + e.function() + ")", name, e.value(), e.rule());
  } catch (const NumericError& e) {
    // "...: customer row N at ...": prefix the file, line and id
    const std::string text = e.what();
    const auto at = text.find("customer row ");
    if (s.path.empty() || at == std::string::npos) throw;
    std::size_t row = 0, k = at + 13;
    for (; k < text.size() && text[k] >= '0' && text[k] <= '9'; ++k) row = row * 10 + static_cast<std::size_t>(text[k] - '0');
    if (row < 1 || row > s.lines.size()) throw;
    std::string where = s.path + ":" + std::to_string(s.lines[row - 1]);
    if (row - 1 < s.ids.size()) where += ": customer '" + s.ids[row - 1] + "'";
    std::string detail = text.substr(e.model().size() + 2);  // the message after "model: "
    throw NumericError(e.model(), where + ": " + detail);
  }
}

SummaryFile read_discrete_file(const std::string& path) {
  const io::CsvTable t = io::read_table(path);
  SummaryFile s;
  const auto f = t.require({"frequency", "x"}, "a frequency column");
  const auto r = t.require({"recency", "t_x"}, "a recency column");
  const auto n = t.require({"periods", "n_periods", "n"}, "a periods column (transaction opportunities)");
  locate(s, t);
  column(s, t, "frequency", f);
  column(s, t, "recency", r);
  column(s, t, "n_periods", n);
  s.frequency = t.numbers(f);
  s.recency = t.numbers(r);
  s.n_periods = t.numbers(n);
  std::optional<std::size_t> w = t.find({"weights", "weight", "count"});
  if (w) s.weights = t.numbers(*w);
  if (w) column(s, t, "weights", *w);
  bool first_is_data = f == 0 || r == 0 || n == 0 || (w && *w == 0);
  if (!first_is_data && t.cols() > 1) {
    s.ids = t.ids(0);  // one row per customer: a repeated id is an error naming both lines
  } else {
    for (std::size_t i = 0; i < t.rows(); ++i) s.ids.push_back(std::to_string(i + 1));
  }
  return s;
}

SummaryFile read_summary_file(const std::string& path, bool need_rfT, bool need_monetary) {
  const io::CsvTable t = io::read_table(path);
  SummaryFile s;
  const auto fcol = t.require({"frequency", "x"}, "a frequency column");
  locate(s, t);
  s.frequency = t.numbers(fcol);
  column(s, t, "frequency", fcol);
  if (need_rfT) {
    const auto rc = t.require({"recency", "t_x"}, "a recency column"), tc = t.require({"T"}, "an age column");
    s.recency = t.numbers(rc);
    s.T = t.numbers(tc);
    column(s, t, "recency", rc);
    column(s, t, "T", tc);
  }
  if (need_monetary) {
    const auto mc = t.require({"monetary_value", "zbar", "m_x"}, "a monetary value column");
    s.monetary_value = t.numbers(mc);
    column(s, t, "monetary_value", mc);
  }
  if (auto w = t.find({"weights", "weight", "count"})) {
    s.weights = t.numbers(*w);
    column(s, t, "weights", *w);
  }
  // The id: the first column, unless it is one of the model columns.
  bool first_is_data = false;
  for (std::size_t c : {fcol}) first_is_data = first_is_data || c == 0;
  for (auto names : {std::initializer_list<std::string_view>{"recency", "t_x"}, {"T"}, {"monetary_value", "zbar", "m_x"},
                     {"weights", "weight", "count"}})
    if (auto c = t.find(names)) first_is_data = first_is_data || *c == 0;
  if (!first_is_data && t.cols() > 1) {
    s.ids = t.ids(0);  // one row per customer: a repeated id is an error naming both lines
  } else {
    s.ids.reserve(t.rows());
    for (std::size_t i = 0; i < t.rows(); ++i) s.ids.push_back(std::to_string(i + 1));
  }
  return s;
}

clv::ModelData RetentionFile::data() const {
  clv::ModelData d;
  d.active = active;
  d.periods = periods;
  d.churned = churned;
  d.weights = weights;
  d.cohort_size = cohort_size;
  return d;
}

RetentionFile read_retention_file(const std::string& path) {
  const io::CsvTable t = io::read_table(path);
  RetentionFile r;
  r.path = t.source();
  for (std::size_t i = 0; i < t.rows(); ++i) r.lines.push_back(t.line(i));
  if (auto a = t.find({"active", "customers", "alive"})) {
    r.active_column = t.header()[*a];
    const auto pc = t.require({"period", "t"}, "a period column (0, 1, 2, ...)");
    const auto period = t.integers(pc);
    for (std::size_t i = 0; i < period.size(); ++i)
      if (period[i] != static_cast<std::int64_t>(i)) t.fail(i, pc, "period " + std::to_string(i) + " (periods 0, 1, 2, ... in order)");
    r.active = t.numbers(*a);
    return r;
  }
  r.periods = t.numbers(t.require({"periods", "tenure", "period"}, "a cohort file's active column, or a periods column"));
  const auto c = t.require({"churned", "churn", "event"}, "a churned column (0/1)");
  const auto flags = t.booleans(c);
  r.churned.assign(flags.begin(), flags.end());
  if (auto w = t.find({"weights", "weight", "count"})) r.weights = t.numbers(*w);
  return r;
}

clv::Model read_model_file(const std::string& path) {
  const nlohmann::json j = io::read_json_file(path, "a JSON model file as written by `crmkit fit`");
  try {
    return clv::Model::from_json(j);
  } catch (const InvalidArgument& e) {
    throw ParseError(path, 0, 0, "", "a valid model file", e.what());
  } catch (const nlohmann::json::exception& e) {
    throw ParseError(path, 0, 0, "", "a valid model file", e.what());
  }
}

void write_text(const std::string& text, const std::string& output) {
  if (output.empty() || output == "-") {
    std::fputs(text.c_str(), stdout);
    std::fputc('\n', stdout);
    return;
  }
  std::ofstream out(output, std::ios::binary);
  if (!out) throw IoError(output, "cannot open for writing");
  out << text << '\n';
  if (!out) throw IoError(output, "write failed");
}

}  // namespace crmkit::cli
