#include "common.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <iostream>
#include <iterator>
#include <memory>

#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"

namespace crmkit::cli {

void TransactionArgs::add_to(CLI::App& app) {
  app.add_option("--transactions", path, "Transaction log (delimited text; '-' reads stdin)")->required();
  app.add_option("--customer-col", customer_col, "Customer id column: header name or 1-based index");
  app.add_option("--date-col", date_col, "Date column: header name or 1-based index");
  app.add_option("--amount-col", amount_col, "Amount column: header name or 1-based index");
  app.add_option("--date-format", date_format,
                 "YYYYMMDD, YYYY-MM-DD, iso, unix, or a strftime pattern such as %Y%m%d (default: detected)");
  app.add_option("--delimiter", delimiter, "Field delimiter")
      ->check(CLI::IsMember({"auto", "comma", "tab", "semicolon", "whitespace"}));
  auto* nh = app.add_flag("--no-header", no_header, "The file has no header line (columns by index)");
  auto* h = app.add_flag("--header", header, "The file has a header line (default: detected)");
  nh->excludes(h);
  app.add_flag("--skip-bad-rows", skip_bad_rows,
               "Skip unparsable rows (reported on stderr) instead of stopping at the first");
}

core::TransactionTable TransactionArgs::read(bool quiet) const {
  io::ReadOptions o;
  if (!customer_col.empty()) o.customer = io::ColumnRef::parse(customer_col);
  if (!date_col.empty()) o.date = io::ColumnRef::parse(date_col);
  if (!amount_col.empty()) o.amount = io::ColumnRef::parse(amount_col);
  if (!date_format.empty()) o.date_format = io::DateFormat::from_spec(date_format);
  if (no_header) o.header = false;
  if (header) o.header = true;
  o.skip_bad_rows = skip_bad_rows;
  if (delimiter == "comma") o.delimiter = io::Delimiter::Comma;
  else if (delimiter == "tab") o.delimiter = io::Delimiter::Tab;
  else if (delimiter == "semicolon") o.delimiter = io::Delimiter::Semicolon;
  else if (delimiter == "whitespace") o.delimiter = io::Delimiter::Whitespace;
  io::ReadReport rep;
  core::TransactionTable t;
  if (path == "-") {
    std::string buf((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    t = io::parse_transactions(buf, o, "<stdin>", &rep);
  } else {
    t = io::read_transactions(path, o, &rep);
  }
  if (rep.rows_skipped > 0 && !quiet) {
    std::cerr << "crmkit: skipped " << rep.rows_skipped << " bad row" << (rep.rows_skipped == 1 ? "" : "s");
    for (std::size_t i = 0; i < rep.first_errors.size(); ++i)
      std::cerr << (i == 0 ? "; first: " : "\n  ") << rep.first_errors[i];
    std::cerr << "\n";
  }
  if (t.size() == 0) throw InvalidArgument("crmkit", "--transactions", path, "holds no transactions");
  return t;
}

void OutputArgs::add_to(CLI::App& app, bool table_default) {
  if (table_default) format = "table";
  app.add_option("--format", format, "Output format")
      ->check(CLI::IsMember({"csv", "json", "table"}))
      ->capture_default_str();
  app.add_option("-o,--output", output, "Write to this file instead of stdout");
}

std::int64_t parse_date_flag(const std::string& text, const char* flag) {
  return io::parse_date_arg(text, "crmkit", flag);
}

namespace {

// A growable output buffer flushed to a FILE in large blocks.
class Out {
 public:
  explicit Out(std::FILE* f) : f_(f) { buf_.reserve(1 << 20); }
  ~Out() { flush(); }
  void put(std::string_view s) {
    buf_.append(s);
    if (buf_.size() > (1 << 20)) flush();
  }
  void put(char c) { buf_.push_back(c); }
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      throw Error("crmkit: write failed");
    buf_.clear();
  }

 private:
  std::FILE* f_;
  std::string buf_;
};

void put_double(Out& o, double v) {
  char b[32];
  if (v == 0) v = 0;  // no "-0"
  const auto r = std::to_chars(b, b + sizeof b, v);
  o.put(std::string_view(b, static_cast<std::size_t>(r.ptr - b)));
}
void put_int(Out& o, std::int64_t v) {
  char b[24];
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
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          o.put(b);
        } else {
          o.put(c);
        }
    }
  }
  o.put('"');
}

std::size_t rows_of(const std::vector<Column>& cols) {
  if (cols.empty()) return 0;
  return std::visit([](const auto& v) { return v.size(); }, cols.front().values);
}

std::string cell_text(const Column& c, std::size_t i) {
  if (auto* d = std::get_if<std::vector<double>>(&c.values)) {
    char b[64];
    const double v = c.percent ? (*d)[i] * 100 : (*d)[i];
    std::snprintf(b, sizeof b, c.percent ? "%.*f%%" : "%.*f", c.table_decimals, v);
    return b;
  }
  if (auto* n = std::get_if<std::vector<std::int64_t>>(&c.values)) return std::to_string((*n)[i]);
  return std::get<std::vector<std::string>>(c.values)[i];
}

}  // namespace

void write_table(const std::vector<Column>& cols, const OutputArgs& args) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  std::FILE* f = stdout;
  if (!args.output.empty()) {
    file.reset(std::fopen(args.output.c_str(), "wb"));
    if (!file) throw IoError(args.output, std::string("cannot write: ") + std::strerror(errno));
    f = file.get();
  }
  Out o(f);
  const std::size_t n = rows_of(cols);
  if (args.format == "csv") {
    for (std::size_t c = 0; c < cols.size(); ++c) {
      if (c) o.put(',');
      put_csv_string(o, cols[c].name);
    }
    o.put('\n');
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t c = 0; c < cols.size(); ++c) {
        if (c) o.put(',');
        std::visit(
            [&](const auto& v) {
              using T = std::decay_t<decltype(v)>;
              if constexpr (std::is_same_v<T, std::vector<double>>) put_double(o, v[i]);
              else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) put_int(o, v[i]);
              else put_csv_string(o, v[i]);
            },
            cols[c].values);
      }
      o.put('\n');
    }
  } else if (args.format == "json") {
    o.put('[');
    for (std::size_t i = 0; i < n; ++i) {
      o.put(i ? ",\n{" : "\n{");
      for (std::size_t c = 0; c < cols.size(); ++c) {
        if (c) o.put(',');
        put_json_string(o, cols[c].name);
        o.put(':');
        std::visit(
            [&](const auto& v) {
              using T = std::decay_t<decltype(v)>;
              if constexpr (std::is_same_v<T, std::vector<double>>) put_double(o, v[i]);
              else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) put_int(o, v[i]);
              else put_json_string(o, v[i]);
            },
            cols[c].values);
      }
      o.put('}');
    }
    o.put("\n]\n");
  } else {  // table
    std::vector<std::vector<std::string>> cells(cols.size());
    std::vector<std::size_t> width(cols.size());
    for (std::size_t c = 0; c < cols.size(); ++c) {
      width[c] = cols[c].name.size();
      cells[c].reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        cells[c].push_back(cell_text(cols[c], i));
        width[c] = std::max(width[c], cells[c].back().size());
      }
    }
    auto pad = [&](const std::string& s, std::size_t w, bool left) {
      if (!left) o.put(std::string(w - s.size(), ' '));
      o.put(s);
      if (left) o.put(std::string(w - s.size(), ' '));
    };
    for (std::size_t c = 0; c < cols.size(); ++c) {
      if (c) o.put("  ");
      pad(cols[c].name, width[c], std::holds_alternative<std::vector<std::string>>(cols[c].values));
    }
    o.put('\n');
    for (std::size_t c = 0; c < cols.size(); ++c) {
      if (c) o.put("  ");
      o.put(std::string(width[c], '-'));
    }
    o.put('\n');
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t c = 0; c < cols.size(); ++c) {
        if (c) o.put("  ");
        pad(cells[c][i], width[c], std::holds_alternative<std::vector<std::string>>(cols[c].values));
      }
      o.put('\n');
    }
  }
  o.flush();
}

}  // namespace crmkit::cli
