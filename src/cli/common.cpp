#include "common.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include "crmkit/io/date.hpp"

namespace crmkit::cli {

// ---- input ----------------------------------------------------------------------------------------

void TransactionArgs::add_to(CLI::App& app, bool allow_no_amount, bool required) {
  CLI::Option* o = app.add_option("--transactions", path, "Transaction log, delimited text ('-' reads stdin)");
  o->type_name("FILE");
  if (required) o->required();
  app.add_option("--customer-col", customer_col,
                 "Customer id column: header name (case-insensitive) or 1-based index "
                 "(default: a column named customer_id, customer, id, ...)")
      ->type_name("COL");
  app.add_option("--date-col", date_col,
                 "Date column: header name or 1-based index (default: date, datetime, order_date, ...)")
      ->type_name("COL");
  app.add_option("--amount-col", amount_col,
                 "Amount column: header name or 1-based index (default: amount, value, revenue, ...)")
      ->type_name("COL");
  app.add_option("--date-format", date_format,
                 "YYYYMMDD, YYYY-MM-DD, iso (date-time), unix (seconds), or a strftime pattern such as "
                 "%d/%m/%Y (default: detected from the first rows)")
      ->type_name("FMT");
  app.add_option("--delimiter", delimiter, "Field delimiter (whitespace = runs of blanks)")
      ->check(CLI::IsMember({"auto", "comma", "tab", "semicolon", "whitespace"}))
      ->capture_default_str();
  auto* nh = app.add_flag("--no-header", no_header, "The file has no header line: give columns by index");
  auto* h = app.add_flag("--header", header, "The first line is a header (default: detected)");
  nh->excludes(h);
  h->excludes(nh);
  if (allow_no_amount) {
    auto* na = app.add_flag("--no-amount", no_amount,
                            "The log has no amounts (an event log): frequency and recency only; spend, value and "
                            "revenue outputs are left out");
    na->excludes("--amount-col");
  }
  app.add_option("--encoding", encoding,
                 "Text encoding of the file: utf-8 (ids that are not UTF-8 are an error) or latin-1 "
                 "(transcoded to UTF-8 as read)")
      ->type_name("ENC")
      ->capture_default_str();
  app.add_option("--order-col", order_col,
                 "Order (receipt, invoice, basket) column, for logs of receipt lines: the lines of one order are "
                 "one purchase, their amounts summed (default: every row is a purchase)")
      ->type_name("COL");
  app.add_option("--zero-amount-days", zero_amount_days,
                 "A day on which all of a customer's amounts are 0: keep (a purchase, as lifetimes counts it) or "
                 "drop (not a purchase; the rows are removed and counted on stderr)")
      ->check(CLI::IsMember({"keep", "drop"}))
      ->capture_default_str();
  app.add_flag("--skip-bad-rows", skip_bad_rows,
               "Skip unparsable rows, reporting their count and the first ones on stderr, instead of "
               "stopping at the first");
}

io::ReadOptions TransactionArgs::options() const {
  io::ReadOptions o;
  auto flag = [](const char* name, const std::string& value, auto&& convert) {
    try {
      return convert(value);
    } catch (const InvalidArgument& e) {
      throw UsageError(std::string(name) + " '" + value + "': " + e.rule());
    }
  };
  auto col = [](const std::string& v) { return io::ColumnRef::parse(v); };
  if (!customer_col.empty()) o.customer = flag("--customer-col", customer_col, col);
  if (!date_col.empty()) o.date = flag("--date-col", date_col, col);
  if (!amount_col.empty()) o.amount = flag("--amount-col", amount_col, col);
  if (!order_col.empty()) o.order = flag("--order-col", order_col, col);
  o.zero_amount_days =
      flag("--zero-amount-days", zero_amount_days, [](const std::string& v) { return io::parse_zero_amount_days(v); });
  if (!date_format.empty())
    o.date_format = flag("--date-format", date_format, [](const std::string& v) { return io::DateFormat::from_spec(v); });
  if (no_header) o.header = false;
  if (header) o.header = true;
  o.no_amount = no_amount;
  o.skip_bad_rows = skip_bad_rows;
  o.encoding = flag("--encoding", encoding, [](const std::string& v) { return io::parse_encoding(v); });
  if (delimiter == "comma") o.delimiter = io::Delimiter::Comma;
  else if (delimiter == "tab") o.delimiter = io::Delimiter::Tab;
  else if (delimiter == "semicolon") o.delimiter = io::Delimiter::Semicolon;
  else if (delimiter == "whitespace") o.delimiter = io::Delimiter::Whitespace;
  return o;
}

namespace {

std::string read_stdin() {
  std::string buf;
  std::size_t used = 0;
  buf.resize(std::size_t{1} << 20);
  for (;;) {
    const std::size_t n = std::fread(buf.data() + used, 1, buf.size() - used, stdin);
    used += n;
    if (n == 0) break;
    if (used == buf.size()) buf.resize(buf.size() * 2);
  }
  if (std::ferror(stdin)) throw IoError("<stdin>", std::string("read failed: ") + std::strerror(errno));
  buf.resize(used);
  return buf;
}

}  // namespace

core::TransactionTable TransactionArgs::read(bool allow_empty) const {
  const io::ReadOptions o = options();
  io::ReadReport rep;
  core::TransactionTable t;
  const std::string source = path == "-" ? "<stdin>" : path;
  try {
    if (path == "-") {
      const std::string text = read_stdin();
      t = io::parse_transactions(text, o, source, &rep);
    } else {
      std::error_code ec;
      if (std::filesystem::is_directory(path, ec)) throw IoError(path, "cannot open: is a directory");
      t = io::read_transactions(path, o, &rep);
    }
  } catch (const InvalidArgument& e) {
    // The reader throws InvalidArgument for options that do not fit the file (names without a header...).
    throw UsageError(source + ": " + e.rule() + " (" + e.argument() + ": " + e.value() + ")");
  }
  if (rep.rows_skipped > 0) {
    std::string m = "crmkit: skipped " + std::to_string(rep.rows_skipped) + " bad row" +
                    (rep.rows_skipped == 1 ? "" : "s");
    for (std::size_t i = 0; i < rep.first_errors.size(); ++i)
      m += (i == 0 ? "; first: " : "\n  ") + rep.first_errors[i];
    m += '\n';
    std::fputs(m.c_str(), stderr);
  }
  if (rep.orders > 0) {
    const std::string m = "crmkit: note: --order-col: " + std::to_string(rep.rows_read) + " lines in " +
                          std::to_string(rep.orders) + " orders (" + std::to_string(rep.lines_folded) +
                          " lines folded into their order's first line)\n";
    std::fputs(m.c_str(), stderr);
  }
  if (rep.zero_amount_rows_dropped > 0) {
    std::string m = "crmkit: note: --zero-amount-days drop: dropped " + std::to_string(rep.zero_amount_days_dropped) +
                    " customer-days whose amounts are all 0 (" + std::to_string(rep.zero_amount_rows_dropped) +
                    " transactions)";
    if (rep.customers_dropped > 0)
      m += "; " + std::to_string(rep.customers_dropped) + " customers had no other purchase and are left out";
    m += '\n';
    std::fputs(m.c_str(), stderr);
  }
  if (t.size() == 0 && !allow_empty) throw Error(source + ": holds no transactions");
  if (no_amount) {
    std::fputs("crmkit: note: --no-amount: frequency and recency only; spend, value and revenue are left out\n", stderr);
  }
  return t;
}

void refuse_empty_column_flags(CLI::App& app) {
  for (CLI::Option* opt : app.get_options()) {
    const auto& names = opt->get_lnames();
    const bool col = std::any_of(names.begin(), names.end(), [](const std::string& n) {
      return n.size() > 4 && n.compare(n.size() - 4, 4, "-col") == 0;
    });
    if (col)
      opt->check(CLI::Validator(
          [](std::string& v) {
            return v.empty() ? std::string("an empty column name: give a header name or a 1-based index, or leave "
                                           "the flag out for the default")
                             : std::string();
          },
          "", "non-empty column"));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) refuse_empty_column_flags(*sub);
}

std::int64_t parse_date_flag(const std::string& text, const char* flag) {
  try {
    return io::parse_date_arg(text, "crmkit", flag);
  } catch (const InvalidArgument&) {
    throw UsageError(std::string(flag) + ": '" + text + "' is not a date (expected YYYY-MM-DD or YYYYMMDD)");
  }
}

std::vector<std::string_view> customer_ids(const core::TransactionTable& tx, std::span<const std::uint32_t> codes) {
  const auto& ids = tx.ids.ids();
  std::vector<std::string_view> out;
  out.reserve(codes.size());
  for (std::uint32_t c : codes) out.emplace_back(ids.at(c));
  return out;
}

std::vector<std::shared_ptr<const void>>& kept_until_exit() {
  static std::vector<std::shared_ptr<const void>> kept;
  return kept;
}

void warn(std::string_view message) {
  std::string m = "crmkit: warning: ";
  m += message;
  m += '\n';
  std::fputs(m.c_str(), stderr);
}

// ---- output ---------------------------------------------------------------------------------------

void OutputArgs::add_to(CLI::App& app) {
  app.add_option("--format", format,
                 "csv (header + rows), json (an array of row objects), or table (aligned columns for reading)")
      ->check(CLI::IsMember({"csv", "json", "table"}))
      ->capture_default_str();
  app.add_option("-o,--output", output, "Write to FILE instead of stdout ('-' = stdout)")->type_name("FILE");
}

void OutputTable::check_rows(std::size_t n, const std::string& name) {
  if (!columns_.empty() && n != rows_)
    throw std::logic_error("OutputTable: column '" + name + "' has " + std::to_string(n) + " rows, expected " +
                           std::to_string(rows_));
  rows_ = n;
}

namespace {

// Output buffered in large blocks, written with fwrite.
class Out {
 public:
  Out(std::FILE* f, std::string name) : f_(f), name_(std::move(name)) { buf_.reserve(kBlock + 4096); }
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;
  ~Out() = default;  // never writes: a failed write must surface as an exception from flush()

  void put(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= kBlock) flush();
  }
  void put(char c) { buf_.push_back(c); }
  void fill(char c, std::size_t n) { buf_.append(n, c); }
  void end_row() {
    buf_.push_back('\n');
    if (buf_.size() >= kBlock) flush();
  }
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      throw IoError(name_, std::string("write failed: ") + std::strerror(errno));
    buf_.clear();
  }

 private:
  static constexpr std::size_t kBlock = std::size_t{1} << 20;
  std::FILE* f_;
  std::string name_;
  std::string buf_;
};

template <class T>
void put_number(Out& o, T v) {
  char b[64];
  if constexpr (std::is_floating_point_v<T>) {
    if (v == 0) v = 0;  // no "-0"
  }
  const auto r = std::to_chars(b, b + sizeof b, v);
  o.put(std::string_view(b, static_cast<std::size_t>(r.ptr - b)));
}

void put_csv_string(Out& o, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    o.put(s);
    return;
  }
  o.put('"');
  for (char c : s) {
    if (c == '"') o.put('"');
    o.put(c);
  }
  o.put('"');
}

void put_json_string(Out& o, std::string_view s) {
  o.put('"');
  for (char c : s) {
    switch (c) {
      case '"': o.put("\\\""); break;
      case '\\': o.put("\\\\"); break;
      case '\n': o.put("\\n"); break;
      case '\r': o.put("\\r"); break;
      case '\t': o.put("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char hex[] = "0123456789abcdef";
          const auto u = static_cast<unsigned char>(c);
          const char esc[6] = {'\\', 'u', '0', '0', hex[u >> 4], hex[u & 15]};
          o.put(std::string_view(esc, 6));
        } else {
          o.put(c);
        }
    }
  }
  o.put('"');
}

void put_csv_cell(Out& o, const OutputTable::Values& values, std::size_t i) {
  std::visit(
      [&](const auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        if constexpr (std::is_same_v<T, std::string_view>) put_csv_string(o, v[i]);
        else if constexpr (std::is_same_v<T, std::uint8_t>) put_number(o, static_cast<unsigned>(v[i]));
        else if constexpr (std::is_same_v<T, double>) {
          if (!std::isnan(v[i])) put_number(o, v[i]);  // no value: an empty cell (JSON: null)
        } else {
          put_number(o, v[i]);
        }
      },
      values);
}

void put_json_cell(Out& o, const OutputTable::Values& values, std::size_t i) {
  std::visit(
      [&](const auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        if constexpr (std::is_same_v<T, std::string_view>) put_json_string(o, v[i]);
        else if constexpr (std::is_same_v<T, std::uint8_t>) put_number(o, static_cast<unsigned>(v[i]));
        else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(v[i])) put_number(o, v[i]);
          else o.put("null");  // JSON has no NaN or infinity
        } else {
          put_number(o, v[i]);
        }
      },
      values);
}

std::string group_digits(std::string s) {
  // s is [-]digits[.digits][%]
  std::size_t begin = (!s.empty() && s[0] == '-') ? 1 : 0;
  std::size_t end = begin;
  while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  for (std::size_t k = end; k > begin + 3; k -= 3) s.insert(k - 3, 1, ',');
  return s;
}

std::string table_cell(const OutputTable::Column& c, std::size_t i) {
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = typename std::decay_t<decltype(v)>::value_type;
        if constexpr (std::is_same_v<T, std::string_view>) {
          return std::string(v[i]);
        } else if constexpr (std::is_same_v<T, double>) {
          return format_number(v[i], c.style);
        } else {
          std::string s = std::to_string(static_cast<std::int64_t>(v[i]));
          return c.style.grouped ? group_digits(std::move(s)) : s;
        }
      },
      c.values);
}

bool is_text(const OutputTable::Column& c) {
  return std::holds_alternative<std::span<const std::string_view>>(c.values);
}

void write_csv(Out& o, const OutputTable& t) {
  const auto& cols = t.columns();
  for (std::size_t c = 0; c < cols.size(); ++c) {
    if (c) o.put(',');
    put_csv_string(o, cols[c].name);
  }
  o.end_row();
  for (std::size_t i = 0; i < t.rows(); ++i) {
    for (std::size_t c = 0; c < cols.size(); ++c) {
      if (c) o.put(',');
      put_csv_cell(o, cols[c].values, i);
    }
    o.end_row();
  }
}

void write_json(Out& o, const OutputTable& t) {
  const auto& cols = t.columns();
  if (t.rows() == 0) {
    o.put("[]\n");
    return;
  }
  o.put('[');
  for (std::size_t i = 0; i < t.rows(); ++i) {
    o.put(i ? ",\n{" : "\n{");
    for (std::size_t c = 0; c < cols.size(); ++c) {
      if (c) o.put(',');
      put_json_string(o, cols[c].name);
      o.put(':');
      put_json_cell(o, cols[c].values, i);
    }
    o.put('}');
  }
  o.put("\n]");
  o.end_row();
}

void write_text_table(Out& o, const OutputTable& t) {
  const auto& cols = t.columns();
  const std::size_t n = t.rows();
  std::vector<std::vector<std::string>> cells(cols.size());
  std::vector<std::size_t> width(cols.size());
  const auto& footer = t.table_footer();
  for (std::size_t c = 0; c < cols.size(); ++c) {
    width[c] = cols[c].name.size();
    cells[c].reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      cells[c].push_back(table_cell(cols[c], i));
      width[c] = std::max(width[c], cells[c].back().size());
    }
    if (c < footer.size()) width[c] = std::max(width[c], footer[c].size());
  }
  auto line = [&](auto&& text_of) {
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const std::string_view s = text_of(c);
      const std::size_t pad = width[c] - std::min(width[c], s.size());
      if (c) o.put("  ");
      if (is_text(cols[c])) {
        o.put(s);
        if (c + 1 < cols.size()) o.fill(' ', pad);
      } else {
        o.fill(' ', pad);
        o.put(s);
      }
    }
    o.end_row();
  };
  auto rule = [&] {
    for (std::size_t c = 0; c < cols.size(); ++c) {
      if (c) o.put("  ");
      o.fill('-', width[c]);
    }
    o.end_row();
  };
  line([&](std::size_t c) { return std::string_view(cols[c].name); });
  rule();
  for (std::size_t i = 0; i < n; ++i) line([&](std::size_t c) { return std::string_view(cells[c][i]); });
  if (!footer.empty()) {
    rule();
    line([&](std::size_t c) { return c < footer.size() ? std::string_view(footer[c]) : std::string_view(); });
  }
}

}  // namespace

std::string format_number(double v, const Style& style) {
  if (std::isnan(v)) return style.nan_text;
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  const double x = style.percent ? v * 100 : v;
  char b[512];
  std::snprintf(b, sizeof b, "%.*f", std::clamp(style.decimals, 0, 17), x);
  std::string s = b;
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);  // "-0.00" -> "0.00"
  if (style.grouped) s = group_digits(std::move(s));
  if (style.percent) s += '%';
  return s;
}

namespace {

// No output holds an infinity (docs/cli.md): a value that overflowed is an error, found before anything
// is written, naming the column and the row's first text cell (the customer id, where there is one).
void check_finite(const OutputTable& table) {
  const auto& cols = table.columns();
  for (const auto& c : cols) {
    const auto* d = std::get_if<std::span<const double>>(&c.values);
    if (!d) continue;
    for (std::size_t i = 0; i < d->size(); ++i) {
      if (!std::isinf((*d)[i])) continue;
      std::string where = "row " + std::to_string(i + 1);
      for (const auto& k : cols)
        if (const auto* t = std::get_if<std::span<const std::string_view>>(&k.values); t && i < t->size()) {
          where = k.name + " '" + quoted_text((*t)[i]) + "'";
          break;
        }
      throw NumericError("crmkit", "column '" + c.name + "' of " + where + " is " +
                                       ((*d)[i] > 0 ? "infinite" : "minus infinite") +
                                       ": the value overflows a double, so nothing is written");
    }
  }
}

}  // namespace

void write_output(const OutputTable& table, const OutputArgs& args) {
  check_finite(table);
  const bool to_stdout = args.output.empty() || args.output == "-";
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  std::FILE* f = stdout;
  if (!to_stdout) {
    file.reset(std::fopen(args.output.c_str(), "wb"));
    if (!file) throw IoError(args.output, std::string("cannot write: ") + std::strerror(errno));
    f = file.get();
  }
  const std::string name = to_stdout ? "<stdout>" : args.output;
  Out o(f, name);
  if (args.format == "json") write_json(o, table);
  else if (args.format == "table") write_text_table(o, table);
  else write_csv(o, table);
  o.flush();
  if (std::fflush(f) != 0 || std::ferror(f))
    throw IoError(name, std::string("write failed: ") + std::strerror(errno));
  if (file && std::fclose(file.release()) != 0)
    throw IoError(name, std::string("write failed: ") + std::strerror(errno));
}

CLI::App& subcommand_group(CLI::App& root, const std::string& name, const std::string& description) {
  for (CLI::App* sub : root.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->get_name() == name) return *sub;
  CLI::App* group = root.add_subcommand(name, description);
  group->require_subcommand(1);
  return *group;
}

}  // namespace crmkit::cli
