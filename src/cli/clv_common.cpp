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

SummaryFile read_discrete_file(const std::string& path) {
  const io::CsvTable t = io::read_table(path);
  SummaryFile s;
  const auto f = t.require({"frequency", "x"}, "a frequency column");
  const auto r = t.require({"recency", "t_x"}, "a recency column");
  const auto n = t.require({"periods", "n_periods", "n"}, "a periods column (transaction opportunities)");
  s.frequency = t.numbers(f);
  s.recency = t.numbers(r);
  s.n_periods = t.numbers(n);
  std::optional<std::size_t> w = t.find({"weights", "weight", "count"});
  if (w) s.weights = t.numbers(*w);
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
  s.frequency = t.numbers(fcol);
  if (need_rfT) {
    s.recency = t.numbers(t.require({"recency", "t_x"}, "a recency column"));
    s.T = t.numbers(t.require({"T"}, "an age column"));
  }
  if (need_monetary) s.monetary_value = t.numbers(t.require({"monetary_value", "zbar", "m_x"}, "a monetary value column"));
  if (auto w = t.find({"weights", "weight", "count"})) s.weights = t.numbers(*w);
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
  return d;
}

RetentionFile read_retention_file(const std::string& path) {
  const io::CsvTable t = io::read_table(path);
  RetentionFile r;
  if (auto a = t.find({"active", "customers", "alive"})) {
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
