// Delimited-text ingestion: the whole file is read into memory once and parsed in place; fields are
// string_views into the buffer (quoted fields with "" escapes are unescaped into a per-row scratch).
#include "crmkit/io/csv.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "crmkit/core/error.hpp"
#include "text.hpp"

namespace crmkit::io {

ColumnRef ColumnRef::parse(std::string_view text) {
  if (!text.empty() && text.size() <= 6 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const int i = std::stoi(std::string(text));
    if (i < 1) throw InvalidArgument("ColumnRef::parse", "column", std::string(text), "indices are 1-based");
    return ColumnRef(i);
  }
  return ColumnRef(std::string(text));
}

std::string ColumnRef::describe() const {
  return index > 0 ? "column " + std::to_string(index) : "column '" + name + "'";
}

namespace {

using namespace detail;

const std::array<const char*, 6> kCustomerNames{"customer_id", "customer", "customerid", "client_id", "user_id", "id"};
const std::array<const char*, 8> kDateNames{"date", "datetime", "timestamp", "time", "order_date",
                                            "invoicedate", "purchase_date", "transaction_date"};
const std::array<const char*, 10> kAmountNames{"amount", "value", "monetary", "monetary_value", "revenue",
                                               "sales", "spend", "total", "price", "dollar_value"};

// parse_date with a memo of the last text parsed successfully: transaction logs repeat the same date
// on many consecutive rows (they are usually in time order), so most rows compare a few bytes instead
// of parsing. Only successes are kept, so every bad value is still parsed and reported.
class LastDate {
 public:
  std::optional<std::int64_t> parse(std::string_view text, const DateFormat& fmt) noexcept {
    if (text.size() == len_ && std::memcmp(text.data(), buf_, len_) == 0) return value_;
    const auto v = parse_date(text, fmt);
    if (v && text.size() <= sizeof buf_) {
      std::memcpy(buf_, text.data(), text.size());
      len_ = text.size();
      value_ = *v;
    }
    return v;
  }

 private:
  char buf_[40]{};
  std::size_t len_ = sizeof buf_ + 1;  // matches no text
  std::int64_t value_ = 0;
};

// A bad row: thrown inside the row loop, caught there to skip or rethrow.
struct RowError {
  ParseError error;
};

class Parser {
 public:
  Parser(std::string_view text, const ReadOptions& opt, std::string_view source, ReadReport* report)
      : text_(text), opt_(opt), source_(source), report_(report) {}

  core::TransactionTable run() {
    ReadReport local;
    ReadReport& rep = report_ ? *report_ : local;
    rep = ReadReport{};
    rep.bytes = text_.size();
    if (opt_.max_reported_errors > 10000)
      throw InvalidArgument("read_transactions", "max_reported_errors", std::to_string(opt_.max_reported_errors),
                            "must be <= 10000");

    // Skip a UTF-8 byte order mark.
    std::string_view body = text_;
    if (body.size() >= 3 && std::memcmp(body.data(), "\xEF\xBB\xBF", 3) == 0) body.remove_prefix(3);

    // Sample the first non-blank lines for the delimiter.
    std::vector<std::string_view> sample;
    {
      LineReader lr(body);
      Line l;
      while (sample.size() < 20 && lr.next(l))
        if (!is_blank(l.text)) sample.push_back(l.text);
    }
    if (sample.empty()) throw ParseError(std::string(source_), 1, 0, "", "a header or data row", "end of file");
    char delim = static_cast<char>(opt_.delimiter);
    if (opt_.delimiter == Delimiter::Auto) delim = detect_delimiter(sample);
    rep.delimiter = delim;
    Splitter splitter(delim);

    LineReader lines(body);
    Line line;
    std::vector<std::string_view> fields;
    // First non-blank line.
    while (lines.next(line) && is_blank(line.text)) {}
    if (!splitter.split(line.text, fields)) throw bad_quote(line);
    std::vector<std::string> first_fields(fields.begin(), fields.end());

    // Header: explicit, or implied by a column asked for by name, or detected.
    const bool any_by_name = by_name(opt_.customer) || by_name(opt_.date) || by_name(opt_.amount) ||
                             std::any_of(opt_.extra.begin(), opt_.extra.end(), by_name);
    bool header;
    if (opt_.header) {
      header = *opt_.header;
    } else if (any_by_name) {
      header = true;
    } else {
      // all by index: a header is a first row whose date field is not a date
      const std::size_t di = static_cast<std::size_t>(opt_.date.index);
      header = !(di >= 1 && di <= first_fields.size() && looks_like_date(first_fields[di - 1]));
    }
    rep.header = header;
    if (!header && any_by_name)
      throw InvalidArgument("read_transactions", "header", "no", "columns chosen by name need a header line");
    const std::size_t n_fields = first_fields.size();

    const int amount_required = opt_.require_amount ? 1 : 0;
    customer_col_ = resolve(opt_.customer, kCustomerNames, header, first_fields, line, "customer", 1);
    date_col_ = resolve(opt_.date, kDateNames, header, first_fields, line, "date", 1);
    amount_col_ = resolve(opt_.amount, kAmountNames, header, first_fields, line, "amount", amount_required);
    for (const auto& e : opt_.extra) extra_cols_.push_back(resolve(e, {}, header, first_fields, line, "extra", 1));
    names_.resize(n_fields);
    for (std::size_t i = 0; i < n_fields; ++i) names_[i] = header ? trim_copy(first_fields[i]) : "";
    if (!header) {
      names_[customer_col_] = "customer";
      names_[date_col_] = "date";
      if (amount_col_ != npos) names_[amount_col_] = "amount";
    }

    // Date format: given, or detected from the first rows.
    DateFormat fmt;
    if (opt_.date_format) {
      fmt = *opt_.date_format;
    } else {
      fmt = detect(body, header, splitter);
    }
    rep.date_format = fmt;

    core::TransactionTable t;
    t.time_unit = fmt.has_time() ? core::TimeUnit::Seconds : core::TimeUnit::Days;
    t.extra.resize(opt_.extra.size());
    for (std::size_t k = 0; k < opt_.extra.size(); ++k)
      t.extra[k].name = names_[extra_cols_[k]].empty() ? opt_.extra[k].describe() : names_[extra_cols_[k]];
    const std::size_t estimate = body.size() / std::max<std::size_t>(first_line_len(sample), 8) + 16;
    LastDate dates;
    t.customer.reserve(estimate);
    t.time.reserve(estimate);
    if (amount_col_ != npos) t.amount.reserve(estimate);

    // Customer ids are encoded a few rows behind the parse: each id's hash is computed and its slot
    // prefetched when its row is parsed, and the lookup happens kPending rows later, when the slot is
    // in cache (a table of a million ids is far beyond L2; the lookup would otherwise wait on memory
    // every row). Codes still come out in row order, so first-appearance numbering is unchanged.
    // Ids unescaped from quotes live in the splitter's per-row scratch: those drain the queue and are
    // encoded at once.
    struct Pending {
      std::string_view id;
      std::uint64_t hash = 0;
      std::size_t row = 0;
    };
    constexpr std::size_t kPending = 16;
    std::array<Pending, kPending> pending{};
    std::size_t pending_head = 0, pending_size = 0;
    auto encode_oldest = [&] {
      const Pending& p = pending[pending_head];
      t.customer[p.row] = t.ids.encode(p.id, p.hash);
      pending_head = (pending_head + 1) % kPending;
      --pending_size;
    };
    auto drain = [&] {
      while (pending_size > 0) encode_oldest();
    };
    const char* const text_begin = text_.data();
    const char* const text_end = text_.data() + text_.size();
    auto push_id = [&](std::string_view id) {
      if (id.data() < text_begin || id.data() >= text_end) {  // unescaped into the scratch buffer
        drain();
        t.customer.push_back(t.ids.encode(id));
        return;
      }
      if (pending_size == kPending) encode_oldest();
      const std::uint64_t h = core::Dictionary::hash(id);
      t.ids.prefetch(h);
      pending[(pending_head + pending_size) % kPending] = Pending{id, h, t.customer.size()};
      ++pending_size;
      t.customer.push_back(core::Dictionary::npos);
    };

    auto process = [&](const Line& l) {
      if (!splitter.split(l.text, fields)) throw RowError{bad_quote(l)};
      if (fields.size() != n_fields) {
        // A trailing delimiter-only difference (e.g. "a,b,") is still ragged: be strict.
        throw RowError{ParseError(std::string(source_), l.number, static_cast<std::int64_t>(std::min(fields.size(), n_fields) + 1),
                                  "", std::to_string(n_fields) + " fields", std::to_string(fields.size()) + " fields in '" + shorten(l.text) + "'")};
      }
      const std::string_view id = fields[customer_col_];
      if (id.empty()) throw RowError{field_error(l, customer_col_, "a customer id", id)};
      const auto when = dates.parse(fields[date_col_], fmt);
      if (!when) throw RowError{field_error(l, date_col_, fmt.describe(), fields[date_col_])};
      double amount = 0;
      if (amount_col_ != npos) amount = parse_number(l, amount_col_, fields[amount_col_]);
      double extras[16];
      const std::size_t ne = std::min<std::size_t>(extra_cols_.size(), 16);
      for (std::size_t k = 0; k < ne; ++k) extras[k] = parse_number(l, extra_cols_[k], fields[extra_cols_[k]]);
      // all fields good: append
      push_id(id);
      t.time.push_back(*when);
      if (amount_col_ != npos) t.amount.push_back(amount);
      for (std::size_t k = 0; k < ne; ++k) t.extra[k].values.push_back(extras[k]);
      for (std::size_t k = ne; k < extra_cols_.size(); ++k)
        t.extra[k].values.push_back(parse_number(l, extra_cols_[k], fields[extra_cols_[k]]));
    };

    auto handle = [&](const Line& l) {
      if (is_blank(l.text)) return;
      try {
        process(l);
        ++rep.rows_read;
      } catch (RowError& e) {
        if (!opt_.skip_bad_rows) throw std::move(e.error);
        ++rep.rows_skipped;
        if (rep.first_errors.size() < opt_.max_reported_errors) rep.first_errors.emplace_back(e.error.what());
      }
    };
    if (!header) handle(line);
    while (lines.next(line)) handle(line);
    drain();
    if (amount_col_ == npos) t.amount.clear();
    return t;
  }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  static bool by_name(const ColumnRef& r) { return r.index == 0 && !r.name.empty(); }

  static std::size_t first_line_len(const std::vector<std::string_view>& sample) {
    std::size_t total = 0;
    for (auto s : sample) total += s.size() + 1;
    return total / sample.size();
  }

  static bool looks_like_date(std::string_view s) {
    std::array<std::string_view, 1> one{s};
    return detect_date_format(one).has_value();
  }

  ParseError bad_quote(const Line& l) const {
    return ParseError(std::string(source_), l.number, 0, "", "a closing quote (\") on the same line", shorten(l.text));
  }

  ParseError field_error(const Line& l, std::size_t col, const std::string& expected, std::string_view found) const {
    return ParseError(std::string(source_), l.number, static_cast<std::int64_t>(col + 1), names_[col], expected,
                      shorten(found));
  }

  double parse_number(const Line& l, std::size_t col, std::string_view s) const {
    std::string_view t = s;
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    if (!t.empty() && t.front() == '+') t.remove_prefix(1);
    double v = 0;
    const auto r = fast_float::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size())
      throw RowError{field_error(l, col, "a number", s)};
    if (!std::isfinite(v)) throw RowError{field_error(l, col, "a finite number", s)};
    return v;
  }

  template <std::size_t N>
  std::size_t resolve(const ColumnRef& ref, const std::array<const char*, N>& candidates, bool header,
                      const std::vector<std::string>& first, const Line& line, const char* role,
                      int required) const {
    const std::size_t n = first.size();
    if (ref.index > 0) {
      if (static_cast<std::size_t>(ref.index) > n)
        throw ParseError(std::string(source_), line.number, ref.index, "",
                         std::string("a ") + role + " column at index " + std::to_string(ref.index),
                         "only " + std::to_string(n) + " fields");
      return static_cast<std::size_t>(ref.index) - 1;
    }
    std::vector<std::string> want;
    if (!ref.name.empty()) want.push_back(lower(ref.name));
    else
      for (auto c : candidates) want.emplace_back(c);
    if (header) {
      for (const auto& w : want)
        for (std::size_t i = 0; i < n; ++i)
          if (lower(trim_copy(first[i])) == w) return i;
    }
    if (!required) return npos;
    std::string cols;
    for (std::size_t i = 0; i < n; ++i) cols += (i ? ", " : "") + trim_copy(first[i]);
    if (!header)
      throw InvalidArgument("read_transactions", std::string(role) + " column", "(not given)",
                            "a file without a header needs the column's 1-based index");
    const std::string asked = ref.name.empty() ? std::string("a ") + role + " column (one of the common names; name it)"
                                               : std::string("a column named '") + ref.name + "'";
    throw ParseError(std::string(source_), line.number, 0, "", asked, "header: " + cols);
  }
  std::size_t resolve(const ColumnRef& ref, std::initializer_list<const char*>, bool header,
                      const std::vector<std::string>& first, const Line& line, const char* role, int required) const {
    return resolve(ref, std::array<const char*, 0>{}, header, first, line, role, required);
  }

  DateFormat detect(std::string_view body, bool header, Splitter& splitter) const {
    LineReader lr(body);
    Line l;
    std::vector<std::string_view> fields;
    std::vector<std::string> samples;
    std::vector<std::int64_t> sample_lines;
    bool skipped_header = !header;
    while (samples.size() < 100 && lr.next(l)) {
      if (is_blank(l.text)) continue;
      if (!skipped_header) {
        skipped_header = true;
        continue;
      }
      if (!splitter.split(l.text, fields) || fields.size() <= date_col_) continue;
      samples.emplace_back(fields[date_col_]);
      sample_lines.push_back(l.number);
    }
    if (samples.empty()) {
      DateFormat f;
      f.kind = DateFormat::Kind::IsoDate;
      return f;
    }
    // The format most samples match wins, so one bad value among the first rows is reported (or
    // skipped) as that row's error rather than defeating detection.
    std::optional<DateFormat> best;
    std::size_t best_count = 0;
    for (auto k : {DateFormat::Kind::Yyyymmdd, DateFormat::Kind::IsoDate, DateFormat::Kind::IsoDateTime,
                   DateFormat::Kind::UnixSeconds}) {
      DateFormat f;
      f.kind = k;
      std::size_t count = 0;
      for (const auto& s : samples) count += parse_date(s, f).has_value();
      if (count > best_count) {
        best = f;
        best_count = count;
      }
    }
    if (best) return *best;
    throw ParseError(std::string(source_), sample_lines[0], static_cast<std::int64_t>(date_col_ + 1), names_[date_col_],
                     "a date (YYYYMMDD, YYYY-MM-DD, ISO 8601 date-time or Unix seconds; or pass a date format)",
                     shorten(samples[0]));
  }

  std::string_view text_;
  const ReadOptions& opt_;
  std::string_view source_;
  ReadReport* report_;
  std::size_t customer_col_ = npos, date_col_ = npos, amount_col_ = npos;
  std::vector<std::size_t> extra_cols_;
  std::vector<std::string> names_;
};

}  // namespace

core::TransactionTable parse_transactions(std::string_view text, const ReadOptions& options, std::string_view source,
                                          ReadReport* report) {
  return Parser(text, options, source, report).run();
}

core::TransactionTable read_transactions(const std::string& path, const ReadOptions& options, ReadReport* report) {
  const detail::FileBytes bytes(path);
  return parse_transactions(bytes.view(), options, path, report);
}

}  // namespace crmkit::io
