// Delimited-text ingestion: the whole file is read into memory once and parsed in place; fields are
// string_views into the buffer (quoted fields with "" escapes are unescaped into a per-row scratch).
// The data rows are cut into chunks of whole lines (any line end is a row boundary: a quoted field
// cannot span lines), parsed on up to max_threads() threads, each with its own id dictionary, and put
// together in order, so that codes, rows, reports and the first error are those of one pass.
#include "crmkit/io/csv.hpp"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <unordered_map>

#include "crmkit/core/detail/huge_pages.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/core/parallel.hpp"
#include "text.hpp"

namespace crmkit::io {

ColumnRef ColumnRef::parse(std::string_view text) {
  // An empty name given explicitly would silently mean "the default column".
  if (text.empty()) throw InvalidArgument("ColumnRef::parse", "column", "''", "a header name or a 1-based index, not empty");
  if (!text.empty() && text.size() <= 6 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const int i = std::stoi(std::string(text));
    if (i < 1) throw InvalidArgument("ColumnRef::parse", "column", std::string(text), "indices are 1-based");
    return ColumnRef(i);
  }
  return ColumnRef(std::string(text));
}

Encoding parse_encoding(std::string_view word) {
  const std::string w = detail::lower(word);
  if (w == "utf-8" || w == "utf8") return Encoding::Utf8;
  if (w == "latin-1" || w == "latin1" || w == "iso-8859-1") return Encoding::Latin1;
  throw InvalidArgument("parse_encoding", "encoding", "'" + ParseError::printable(word, 40) + "'",
                        "must be utf-8 or latin-1");
}

ZeroAmountDays parse_zero_amount_days(std::string_view word) {
  if (word == "keep") return ZeroAmountDays::Keep;
  if (word == "drop") return ZeroAmountDays::Drop;
  throw InvalidArgument("parse_zero_amount_days", "zero_amount_days", "'" + ParseError::printable(word, 40) + "'",
                        "must be keep or drop");
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
    if (text.size() == len_) {
      if (len_ >= 8 && len_ <= 16) {
        // two overlapping 8-byte words cover the text: no call to memcmp
        std::uint64_t a, b, x, y;
        std::memcpy(&a, text.data(), 8);
        std::memcpy(&b, text.data() + len_ - 8, 8);
        std::memcpy(&x, buf_, 8);
        std::memcpy(&y, buf_ + len_ - 8, 8);
        if (((a ^ x) | (b ^ y)) == 0) return value_;
      } else if (std::memcmp(text.data(), buf_, len_) == 0) {
        return value_;
      }
    }
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

enum class NumberStatus { Ok, NotANumber, NotFinite };

// parse_number's rule without errors: blanks around, an optional '+', then fast_float's syntax.
NumberStatus to_number(std::string_view s, double& v) noexcept {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return NumberStatus::NotANumber;
  const auto r = fast_float::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return NumberStatus::NotANumber;
  // finite, and small enough that no sum of 2^32 amounts overflows (core::kMaxAmount)
  return (v <= core::kMaxAmount && v >= -core::kMaxAmount) ? NumberStatus::Ok : NumberStatus::NotFinite;
}

// The common shape of amounts, -?digits[.digits] with at most 15 digits in all, read exactly: the
// digits form an integer m < 10^15 < 2^53 and the value is m / 10^k with 10^k exact (k <= 15), one
// correctly rounded division, so the result is the correctly rounded value of the text, the same
// double fast_float returns (Clinger's fast path). False for anything else (the caller then uses
// to_number).
bool simple_decimal(const char* p, const char* e, double& v) noexcept {
  static constexpr double kPow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const bool neg = p < e && *p == '-';
  p += neg;
  if (e - p > 16 || p == e) return false;
  std::uint64_t m = 0;
  const char* const int_begin = p;
  while (p < e && static_cast<unsigned char>(*p - '0') < 10) m = m * 10 + static_cast<unsigned>(*p++ - '0');
  const auto int_digits = p - int_begin;
  if (int_digits == 0) return false;
  std::ptrdiff_t frac = 0;
  if (p < e && *p == '.') {
    const char* const frac_begin = ++p;
    while (p < e && static_cast<unsigned char>(*p - '0') < 10) m = m * 10 + static_cast<unsigned>(*p++ - '0');
    frac = p - frac_begin;
    if (frac == 0) return false;
  }
  if (p != e || int_digits + frac > 15) return false;
  const double x = static_cast<double>(m) / kPow10[frac];
  v = neg ? -x : x;
  return true;
}

// Output columns written in place: sized ahead from an estimate of the row count (large ones offered
// to transparent huge pages, so the first touch costs a few hundred faults instead of tens of
// thousands), written through raw pointers, and cut to the rows kept at the end.
class Columns {
 public:
  Columns(core::TransactionTable& t, bool has_amount) : t_(t), amount_(has_amount) {}

  /// Room for row `n` (the next row); `done` of `total` bytes have been read, for the estimate.
  void ensure(std::size_t done, std::size_t total) {
    if (n < cap_) return;
    // the rows so far extrapolated to the whole input, with 1/8 to spare (and at least 1/2 more)
    const double per_row = n ? static_cast<double>(std::max<std::size_t>(done, 1)) / static_cast<double>(n) : 32.0;
    const auto left = static_cast<std::size_t>(static_cast<double>(total - std::min(done, total)) / per_row);
    resize(std::max(n + left + left / 8 + 1024, n + n / 2));
  }
  void reserve(std::size_t rows) { resize(rows); }
  void finish() {
    t_.customer.resize(n);
    t_.time.resize(n);
    if (amount_) t_.amount.resize(n);
  }

  std::size_t n = 0;  ///< rows written
  std::uint32_t* customer = nullptr;
  std::int64_t* time = nullptr;
  double* amount = nullptr;

 private:
  void resize(std::size_t rows) {
    customer = crmkit::detail::presize_huge(t_.customer, rows);
    time = crmkit::detail::presize_huge(t_.time, rows);
    if (amount_) amount = crmkit::detail::presize_huge(t_.amount, rows);
    cap_ = rows;
  }

  core::TransactionTable& t_;
  bool amount_;
  std::size_t cap_ = 0;
};

// A bad row: thrown inside the row loop, caught there to skip or rethrow.
struct RowError {
  ParseError error;
};

constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);

// What every chunk of rows is read with, fixed from the header and the first rows before any row is
// parsed.
struct Layout {
  const ReadOptions* opt = nullptr;
  std::string source;
  std::string_view text;  // the whole input (as UTF-8): ids inside it are views, others were unescaped
  char delim = ',';
  std::size_t n_fields = 0;
  std::size_t customer = kNoColumn, date = kNoColumn, amount = kNoColumn, order = kNoColumn;
  std::vector<std::size_t> extra;
  std::vector<std::string> names;  // per column: its header name ("" for none)
  DateFormat fmt{};
};

// ParseError `e` with its line number moved on by `base` lines (a chunk reports lines from its start).
ParseError rebase(const ParseError& e, std::int64_t base) {
  return ParseError(e.file(), e.line() > 0 ? e.line() + base : e.line(), e.column(), e.column_name(), e.expected(),
                    e.found());
}

// One chunk of the data rows (whole lines), parsed on its own: its customer ids are encoded in a
// dictionary of its own, in order of first appearance within the chunk, and its order ids likewise;
// line numbers, in errors and in line_of_row, count from the chunk's first line (1). The reader
// merges the chunks in order afterwards (Parser::run), which gives exactly the codes, rows and first
// error of one pass over the whole input.
class ChunkParser {
 public:
  ChunkParser(const Layout& lay, std::string_view text, std::size_t reserve_rows)
      : lay_(lay), text_(text), reserve_(reserve_rows), cols_(t, lay.amount != kNoColumn), splitter_(lay.delim) {
    t.time_unit = lay.fmt.has_time() ? core::TimeUnit::Seconds : core::TimeUnit::Days;
    t.extra.resize(lay.extra.size());
    for (std::size_t k = 0; k < lay.extra.size(); ++k)
      t.extra[k].name = lay.names[lay.extra[k]].empty() ? lay.opt->extra[k].describe() : lay.names[lay.extra[k]];
  }
  ChunkParser(const ChunkParser&) = delete;
  ChunkParser& operator=(const ChunkParser&) = delete;

  /// Parses every line. Throws ParseError (lines counted from the chunk's start) for the first bad row
  /// unless bad rows are skipped, and for an id that is not UTF-8.
  void run();

  core::TransactionTable t;                 // the rows kept; t.ids is this chunk's own dictionary
  core::Dictionary order_ids;               // this chunk's order ids (order column only)
  std::vector<std::uint32_t> order_of_row;  // each kept row's order, a code of order_ids
  std::vector<std::int64_t> line_of_row;    // each kept row's line, from the chunk's start
  std::int64_t lines = 0;                   // physical lines in the chunk
  std::size_t rows_read = 0, rows_skipped = 0;
  std::vector<ParseError> first_errors;     // the first skipped rows' errors (at most max_reported_errors)

 private:
  static constexpr std::size_t kMaxFastFields = 64;
  static constexpr std::size_t kPending = 16;

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

  ParseError field_error(const Line& l, std::size_t col, const std::string& expected, std::string_view found) const {
    return ParseError(lay_.source, l.number, static_cast<std::int64_t>(col + 1), lay_.names[col], expected,
                      shorten(found));
  }

  double parse_number(const Line& l, std::size_t col, std::string_view s) const {
    double v = 0;
    switch (to_number(s, v)) {
      case NumberStatus::Ok: return v;
      case NumberStatus::NotANumber: throw RowError{field_error(l, col, "a number", s)};
      case NumberStatus::NotFinite: break;
    }
    throw RowError{field_error(l, col, "a finite number (at most 1e290 in magnitude)", s)};
  }

  // A new id (one check per distinct id, not per row) must be UTF-8: it is written back out.
  void check_new_id(std::string_view id, std::int64_t line_number) const {
    const std::size_t bad = first_invalid_utf8(id);
    if (bad == std::string_view::npos) return;
    if (id.data() >= text_.data() && id.data() < text_.data() + text_.size())
      throw utf8_error(lay_.source, text_, static_cast<std::size_t>(id.data() - text_.data()) + bad, lay_.delim,
                       lay_.names[lay_.customer], kEncodingHint);
    throw ParseError(lay_.source, line_number, static_cast<std::int64_t>(lay_.customer + 1), lay_.names[lay_.customer],
                     std::string("UTF-8 text (") + kEncodingHint + ")", shorten(id));
  }

  void encode_oldest() {
    const Pending& p = pending_[pending_head_];
    const std::size_t known = t.ids.size();
    cols_.customer[p.row] = t.ids.encode(p.id, p.hash);
    if (t.ids.size() != known) check_new_id(p.id, 0);
    pending_head_ = (pending_head_ + 1) % kPending;
    --pending_size_;
  }
  void drain() {
    while (pending_size_ > 0) encode_oldest();
  }

  // Appends a row whose fields are all good (room for it ensured by the caller).
  void push_row(std::string_view id, std::int64_t when, double amount) {
    const std::size_t row = cols_.n++;
    cols_.time[row] = when;
    if (lay_.amount != kNoColumn) cols_.amount[row] = amount;
    if (id.data() < lay_.text.data() || id.data() >= lay_.text.data() + lay_.text.size()) {  // unescaped
      drain();
      const std::size_t known = t.ids.size();
      cols_.customer[row] = t.ids.encode(id);
      if (t.ids.size() != known) check_new_id(id, general_line_);
      return;
    }
    if (pending_size_ == kPending) encode_oldest();
    const std::uint64_t h = core::Dictionary::hash(id);
    t.ids.prefetch(h);
    pending_[(pending_head_ + pending_size_) % kPending] = Pending{id, h, row};
    ++pending_size_;
  }

  void process(const Line& l);
  void handle(const Line& l);
  void fast_rows();

  static constexpr const char* kEncodingHint =
      "if the file is Latin-1, read it with --encoding latin-1 (encoding='latin-1')";

  const Layout& lay_;
  std::string_view text_;
  std::size_t reserve_;  // rows to make room for at the start (on the chunk's own thread)
  Columns cols_;
  Splitter splitter_;
  std::vector<std::string_view> fields_;
  LastDate dates_;
  std::array<Pending, kPending> pending_{};
  std::size_t pending_head_ = 0, pending_size_ = 0;
  std::int64_t general_line_ = 0;  // the line process() is reading (for ids unescaped from quotes)
};

// The general path of one line: any delimiter, quotes, and every error.
void ChunkParser::process(const Line& l) {
  const Layout& L = lay_;
  if (!splitter_.split(l.text, fields_)) throw RowError{quote_error(L.source, l.number, splitter_.error())};
  general_line_ = l.number;
  if (fields_.size() != L.n_fields) {
    // A trailing delimiter-only difference (e.g. "a,b,") is still ragged: be strict.
    throw RowError{ParseError(L.source, l.number, static_cast<std::int64_t>(std::min(fields_.size(), L.n_fields) + 1), "",
                              std::to_string(L.n_fields) + " fields",
                              std::to_string(fields_.size()) + " fields in '" + shorten(l.text) + "'")};
  }
  const std::string_view id = fields_[L.customer];
  if (id.empty()) throw RowError{field_error(l, L.customer, "a customer id", id)};
  const auto when = dates_.parse(fields_[L.date], L.fmt);
  if (!when) throw RowError{field_error(l, L.date, L.fmt.describe(), fields_[L.date])};
  double amount = 0;
  if (L.amount != kNoColumn) amount = parse_number(l, L.amount, fields_[L.amount]);
  double extras[16];
  const std::size_t ne = std::min<std::size_t>(L.extra.size(), 16);
  for (std::size_t k = 0; k < ne; ++k) extras[k] = parse_number(l, L.extra[k], fields_[L.extra[k]]);
  std::uint32_t order = 0;
  if (L.order != kNoColumn) {
    const std::string_view oid = fields_[L.order];
    if (oid.empty()) throw RowError{field_error(l, L.order, "an order id", oid)};
    order = order_ids.encode(oid);
  }
  // all fields good: append
  cols_.ensure(static_cast<std::size_t>(l.text.data() - text_.data()), text_.size());
  push_row(id, *when, amount);
  if (L.order != kNoColumn) {
    order_of_row.push_back(order);
    line_of_row.push_back(l.number);
  }
  for (std::size_t k = 0; k < ne; ++k) t.extra[k].values.push_back(extras[k]);
  for (std::size_t k = ne; k < L.extra.size(); ++k)
    t.extra[k].values.push_back(parse_number(l, L.extra[k], fields_[L.extra[k]]));
}

void ChunkParser::handle(const Line& l) {
  if (is_blank(l.text)) return;
  try {
    process(l);
    ++rows_read;
  } catch (RowError& e) {
    if (!lay_.opt->skip_bad_rows) {
      drain();  // an id of an earlier row that is not UTF-8 comes first: the first error in line order
      throw std::move(e.error);
    }
    ++rows_skipped;
    if (first_errors.size() < lay_.opt->max_reported_errors) first_errors.push_back(std::move(e.error));
  }
}

void ChunkParser::run() {
  const Layout& L = lay_;
  cols_.reserve(reserve_);
  if (L.n_fields <= kMaxFastFields && L.extra.empty() && L.order == kNoColumn) {
    fast_rows();
  } else {
    LineReader reader(text_);
    Line line;
    while (reader.next(line)) handle(line);
    lines = reader.number();
  }
  drain();
  cols_.finish();
  if (L.amount == kNoColumn) t.amount.clear();
}

// The fast path: lines split by a 64-byte-at-a-time scan for the delimiter (or blanks), line ends and
// quotes, fields cut straight into the columns. A line it does not take as is (a quote anywhere in it,
// a field count other than the header's, a blank line, an empty id, a date or amount that does not
// parse) goes to handle(), which gives exactly the general path's result or error for it; the scan
// then goes on with the next line.
void ChunkParser::fast_rows() {
  const Layout& L = lay_;
  const std::size_t n_fields = L.n_fields;
  const bool has_amount = L.amount != kNoColumn;
  const bool blanks = L.delim == ' ';  // runs of spaces and tabs
  const char* const begin = text_.data();
  const char* const end = begin + text_.size();
  const char* ls = begin;  // start of the current line
  std::int64_t number = 1;  // its number
  ByteScanner scan(ls, end, L.delim, blanks ? '\t' : '"', '\n', '"');
  const char* fb[kMaxFastFields];  // field k is [fb[k], fe[k])
  const char* fe[kMaxFastFields];
  const std::size_t ci = L.customer, di = L.date, ai = L.amount;
  while (ls < end) {
    std::size_t k = 0;  // fields complete
    bool plain = true;
    fb[0] = ls;
    const char* s;
    const char* tok = ls;  // blanks: where the current token would start
    for (;;) {
      s = scan.next();
      if (s == end || *s == '\n') break;
      if (*s == '"') {
        plain = false;  // the general path reads quotes
      } else if (blanks) {
        if (s > tok) {
          if (k < n_fields) {
            fb[k] = tok;
            fe[k] = s;
          }
          ++k;
        }
        tok = s + 1;
      } else if (k + 1 < n_fields) {
        fe[k] = s;
        fb[++k] = s + 1;
      } else {
        plain = false;  // one delimiter too many: the general path says what is wrong
      }
    }
    const char* const le = (s > ls && s[-1] == '\r') ? s - 1 : s;  // LineReader drops a CR before LF
    if (blanks) {
      if (le > tok) {  // the last token
        if (k < n_fields) {
          fb[k] = tok;
          fe[k] = le;
        }
        ++k;
      }
    } else {
      fe[k] = le;
      ++k;
    }
    bool taken = false;
    if (plain && k == n_fields) {
      const std::string_view id(fb[ci], static_cast<std::size_t>(fe[ci] - fb[ci]));
      const auto when = dates_.parse(std::string_view(fb[di], static_cast<std::size_t>(fe[di] - fb[di])), L.fmt);
      double amount = 0;
      bool ok = !id.empty() && when.has_value();
      if (ok && has_amount && !simple_decimal(fb[ai], fe[ai], amount))
        ok = to_number(std::string_view(fb[ai], static_cast<std::size_t>(fe[ai] - fb[ai])), amount) == NumberStatus::Ok;
      if (ok) {
        cols_.ensure(static_cast<std::size_t>(ls - begin), text_.size());
        push_row(id, *when, amount);
        ++rows_read;
        taken = true;
      }
    }
    if (!taken) handle(Line{std::string_view(ls, static_cast<std::size_t>(le - ls)), number});
    lines = number;
    if (s == end) break;
    ls = s + 1;
    ++number;
  }
}

// The data rows cut into `parts` chunks of whole lines, of about equal size (a chunk ends just after a
// line end; any line end is a row boundary, since a quoted field cannot span lines). Empty chunks are
// left out; at least one chunk, possibly empty.
std::vector<std::string_view> split_rows(std::string_view rows, std::size_t parts) {
  std::vector<std::string_view> out;
  std::size_t b = 0;
  for (std::size_t k = 1; k <= parts && b < rows.size(); ++k) {
    std::size_t e = rows.size();
    if (k < parts) {
      const std::size_t target = std::max(b, rows.size() / parts * k);
      const std::size_t nl = rows.find('\n', target);
      e = nl == std::string_view::npos ? rows.size() : nl + 1;
    }
    out.push_back(rows.substr(b, e - b));
    b = e;
  }
  if (out.empty()) out.push_back(rows);
  return out;
}
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

    // Latin-1 becomes UTF-8 before anything else (line and field positions do not change).
    if (opt_.encoding == Encoding::Latin1 && has_non_ascii(text_)) {
      transcoded_ = latin1_to_utf8(text_);
      text_ = transcoded_;
    }
    // Skip a UTF-8 byte order mark.
    std::string_view body = text_;
    if (body.size() >= 3 && std::memcmp(body.data(), "\xEF\xBB\xBF", 3) == 0) body.remove_prefix(3);
    check_line_ends(body, std::string(source_));

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
    if (!splitter.split(line.text, fields)) throw quote_error(std::string(source_), line.number, splitter.error());
    std::vector<std::string> first_fields(fields.begin(), fields.end());

    // Header: explicit, or implied by a column asked for by name, or detected.
    const bool any_by_name = by_name(opt_.customer) || by_name(opt_.date) || by_name(opt_.amount) ||
                             by_name(opt_.order) || std::any_of(opt_.extra.begin(), opt_.extra.end(), by_name);
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
    if (header) {
      // names are written back out (extra columns) and shown in messages: UTF-8 like the ids
      if (const std::size_t bad = first_invalid_utf8(line.text); bad != std::string_view::npos)
        throw utf8_error(std::string(source_), body, static_cast<std::size_t>(line.text.data() - body.data()) + bad,
                         delim, "", kEncodingHint);
      check_unique_names(first_fields, std::string(source_), line.number);
    }

    // Every column asked for that is missing is reported at once, with the option that chooses it.
    std::vector<std::string> missing;
    auto find = [&](const ColumnRef& ref, auto candidates, const char* role, const char* flag, bool required) {
      const std::size_t c = resolve(ref, candidates, header, first_fields, line, role);
      if (c == npos && required) missing.push_back(describe_missing(ref, candidates, role, flag, header));
      return c;
    };
    customer_col_ = find(opt_.customer, kCustomerNames, "customer id", "--customer-col (customer_col)", true);
    date_col_ = find(opt_.date, kDateNames, "date", "--date-col (date_col)", true);
    if (opt_.no_amount && !opt_.amount.empty())
      throw InvalidArgument("read_transactions", "amount", opt_.amount.describe(), "contradicts no_amount");
    amount_col_ = opt_.no_amount ? npos
                                 : find(opt_.amount, kAmountNames, "amount", "--amount-col (amount_col)", opt_.require_amount);
    for (const auto& e : opt_.extra)
      extra_cols_.push_back(find(e, std::array<const char*, 0>{}, "extra", "extra_cols", true));
    if (!opt_.order.empty())
      order_col_ = find(opt_.order, std::array<const char*, 0>{}, "order id", "--order-col (order_col)", true);
    if (opt_.zero_amount_days == ZeroAmountDays::Drop && opt_.no_amount)
      throw InvalidArgument("read_transactions", "zero_amount_days", "drop",
                            "needs amounts, and no_amount (--no-amount) has none");
    if (opt_.zero_amount_days == ZeroAmountDays::Drop && !opt_.no_amount && amount_col_ == npos && missing.empty())
      throw InvalidArgument("read_transactions", "zero_amount_days", "drop",
                            "needs an amount column, and the file has none");
    if (!missing.empty()) {
      std::string expected;
      for (std::size_t i = 0; i < missing.size(); ++i)
        expected += (i == 0 ? "" : i + 1 == missing.size() ? " and " : ", ") + missing[i];
      std::string found = header_list(first_fields);
      if (sample.size() == 1) found += " (the only line: the file has no data rows)";
      throw ParseError(std::string(source_), line.number, 0, "", expected, found);
    }
    names_.resize(n_fields);
    for (std::size_t i = 0; i < n_fields; ++i) names_[i] = header ? trim_copy(first_fields[i]) : "";
    if (!header) {
      names_[customer_col_] = "customer";
      names_[date_col_] = "date";
      if (amount_col_ != npos) names_[amount_col_] = "amount";
      if (order_col_ != npos) names_[order_col_] = "order";
    }
    for (std::size_t c : {customer_col_, date_col_, amount_col_})
      if (order_col_ != npos && c == order_col_)
        throw InvalidArgument("read_transactions", "order_col", opt_.order.describe(),
                              "is also the " + std::string(c == customer_col_ ? "customer" : c == date_col_ ? "date" : "amount") +
                                  " column: an order id needs a column of its own");

    // Date format: given, or detected from the first rows.
    DateFormat fmt;
    if (opt_.date_format) {
      fmt = *opt_.date_format;
    } else {
      fmt = detect(body, header, splitter);
    }
    rep.date_format = fmt;

    Layout lay;
    lay.opt = &opt_;
    lay.source = std::string(source_);
    lay.text = text_;
    lay.delim = delim;
    lay.n_fields = n_fields;
    lay.customer = customer_col_;
    lay.date = date_col_;
    lay.amount = amount_col_;
    lay.order = order_col_;
    lay.extra = extra_cols_;
    lay.names = names_;
    lay.fmt = fmt;

    // The data rows: from the line after the header, or from the first non-blank line.
    const std::size_t rows_begin =
        header ? lines.position() : static_cast<std::size_t>(line.text.data() - body.data());
    const std::int64_t lines_before = header ? lines.number() : line.number - 1;
    const std::string_view rows = body.substr(std::min(rows_begin, body.size()));

    // Chunks of whole lines, parsed on up to max_threads() threads; results do not depend on how many.
    std::size_t parts = 1;
    if (opt_.chunk_bytes > 0) {
      parts = std::max<std::size_t>(1, (rows.size() + opt_.chunk_bytes - 1) / opt_.chunk_bytes);
    } else {
      const auto threads = static_cast<std::size_t>(max_threads());
      parts = std::clamp<std::size_t>(rows.size() / kMinChunkBytes, 1, threads);
    }
    const std::vector<std::string_view> texts = split_rows(rows, parts);
    const std::size_t line_len = std::max<std::size_t>(first_line_len(sample), 8);
    std::vector<std::unique_ptr<ChunkParser>> chunks;
    chunks.reserve(texts.size());
    for (std::size_t k = 0; k < texts.size(); ++k) {
      // the first chunk's table becomes the result: room for every row of the input
      const std::size_t bytes = k == 0 ? body.size() : texts[k].size();
      chunks.push_back(std::make_unique<ChunkParser>(lay, texts[k], bytes / line_len + 16));
    }
    std::vector<std::optional<ParseError>> parse_errors(chunks.size());
    std::vector<std::exception_ptr> errors(chunks.size());
    std::atomic<std::size_t> first_failed{chunks.size()};
    crmkit::detail::parallel_tasks(chunks.size(), [&](std::size_t k) {
      if (first_failed.load(std::memory_order_relaxed) < k) return;  // an earlier chunk's error is the one
      try {
        chunks[k]->run();
        return;
      } catch (const ParseError& e) {
        parse_errors[k] = e;
      } catch (...) {
        errors[k] = std::current_exception();
      }
      std::size_t f = first_failed.load(std::memory_order_relaxed);
      while (k < f && !first_failed.compare_exchange_weak(f, k, std::memory_order_relaxed)) {}
    });
    // Line numbers: each chunk's are counted from its start.
    std::vector<std::int64_t> base(chunks.size());
    base[0] = lines_before;
    for (std::size_t k = 1; k < chunks.size(); ++k) base[k] = base[k - 1] + chunks[k - 1]->lines;
    for (std::size_t k = 0; k < chunks.size(); ++k) {
      if (parse_errors[k]) throw rebase(*parse_errors[k], base[k]);
      if (errors[k]) std::rethrow_exception(errors[k]);
    }
    for (std::size_t k = 0; k < chunks.size(); ++k) {
      ChunkParser& c = *chunks[k];
      rep.rows_read += c.rows_read;
      rep.rows_skipped += c.rows_skipped;
      for (const auto& e : c.first_errors)
        if (rep.first_errors.size() < opt_.max_reported_errors) rep.first_errors.emplace_back(rebase(e, base[k]).what());
    }

    core::TransactionTable t = merge_chunks(chunks, base);
    if (order_col_ != npos) fold_orders(t, rep);
    if (opt_.zero_amount_days == ZeroAmountDays::Drop) drop_zero_amount_days(t, rep);
    rep.transactions = t.size();
    return t;
  }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  // Below this many bytes of rows per thread, threads cost more than they save.
  static constexpr std::size_t kMinChunkBytes = std::size_t{4} << 20;
  // Rows copied per task when the chunks are put together.
  static constexpr std::size_t kCopyRows = std::size_t{1} << 20;

  // The chunks put together in order: the first chunk's table, with every later chunk's rows appended
  // and their customer (and order) codes mapped to the first appearance over the whole input.
  core::TransactionTable merge_chunks(std::vector<std::unique_ptr<ChunkParser>>& chunks,
                                      const std::vector<std::int64_t>& base) {
    ChunkParser& first = *chunks[0];
    core::TransactionTable t = std::move(first.t);
    const bool orders = order_col_ != npos;
    if (orders) {
      order_ids_ = std::move(first.order_ids);
      order_of_row_ = std::move(first.order_of_row);
      line_of_row_ = std::move(first.line_of_row);
      for (auto& l : line_of_row_) l += base[0];
    }
    if (chunks.size() == 1) return t;
    // Codes: each chunk's ids in their order of first appearance in the chunk, encoded into the
    // dictionary of all chunks before it (serial: the codes of chunk k depend on chunks 0..k-1).
    std::vector<std::vector<std::uint32_t>> customer_map(chunks.size()), order_map(chunks.size());
    std::vector<std::size_t> offset(chunks.size() + 1, 0);
    offset[1] = t.size();
    for (std::size_t k = 1; k < chunks.size(); ++k) {
      ChunkParser& c = *chunks[k];
      customer_map[k].resize(c.t.ids.size());
      t.ids.encode_all(c.t.ids, customer_map[k].data());
      c.t.ids = core::Dictionary();
      if (orders) {
        order_map[k].resize(c.order_ids.size());
        order_ids_.encode_all(c.order_ids, order_map[k].data());
        c.order_ids = core::Dictionary();
      }
      offset[k + 1] = offset[k] + c.t.size();
    }
    const std::size_t n = offset.back();
    const bool has_amount = amount_col_ != npos;
    t.customer.resize(n);
    t.time.resize(n);
    if (has_amount) t.amount.resize(n);
    for (auto& e : t.extra) e.values.resize(n);
    if (orders) {
      order_of_row_.resize(n);
      line_of_row_.resize(n);
    }
    // Rows: copied in blocks of kCopyRows, in parallel (each block writes its own rows).
    std::vector<std::pair<std::size_t, std::size_t>> blocks;  // (chunk, first row in it)
    for (std::size_t k = 1; k < chunks.size(); ++k)
      for (std::size_t r = 0; r < chunks[k]->t.size(); r += kCopyRows) blocks.emplace_back(k, r);
    crmkit::detail::parallel_tasks(blocks.size(), [&](std::size_t b) {
      const auto [k, r0] = blocks[b];
      const ChunkParser& c = *chunks[k];
      const std::size_t r1 = std::min(c.t.size(), r0 + kCopyRows), at = offset[k];
      const std::uint32_t* map = customer_map[k].data();
      for (std::size_t r = r0; r < r1; ++r) t.customer[at + r] = map[c.t.customer[r]];
      std::copy(c.t.time.begin() + static_cast<std::ptrdiff_t>(r0), c.t.time.begin() + static_cast<std::ptrdiff_t>(r1),
                t.time.begin() + static_cast<std::ptrdiff_t>(at + r0));
      if (has_amount)
        std::copy(c.t.amount.begin() + static_cast<std::ptrdiff_t>(r0), c.t.amount.begin() + static_cast<std::ptrdiff_t>(r1),
                  t.amount.begin() + static_cast<std::ptrdiff_t>(at + r0));
      for (std::size_t e = 0; e < t.extra.size(); ++e)
        std::copy(c.t.extra[e].values.begin() + static_cast<std::ptrdiff_t>(r0),
                  c.t.extra[e].values.begin() + static_cast<std::ptrdiff_t>(r1),
                  t.extra[e].values.begin() + static_cast<std::ptrdiff_t>(at + r0));
      if (orders)
        for (std::size_t r = r0; r < r1; ++r) {
          order_of_row_[at + r] = order_map[k][c.order_of_row[r]];
          line_of_row_[at + r] = c.line_of_row[r] + base[k];
        }
    });
    return t;
  }

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

  // The column of `ref`: its index (checked against the first line), or the first header name equal
  // to its name or, when it has none, to one of the candidates; npos when there is no such name.
  template <std::size_t N>
  std::size_t resolve(const ColumnRef& ref, const std::array<const char*, N>& candidates, bool header,
                      const std::vector<std::string>& first, const Line& line, const char* role) const {
    const std::size_t n = first.size();
    if (ref.index > 0) {
      if (static_cast<std::size_t>(ref.index) > n)
        throw ParseError(std::string(source_), line.number, ref.index, "",
                         article(role) + " " + role + " column at index " + std::to_string(ref.index),
                         "only " + std::to_string(n) + " fields");
      return static_cast<std::size_t>(ref.index) - 1;
    }
    if (!header) return npos;
    std::vector<std::string> want;
    if (!ref.name.empty()) want.push_back(lower(ref.name));
    else
      for (auto c : candidates) want.emplace_back(c);
    for (const auto& w : want)
      for (std::size_t i = 0; i < n; ++i)
        if (lower(trim_copy(first[i])) == w) return i;
    return npos;
  }

  // What a missing column was expected to be, with the option that chooses it.
  template <std::size_t N>
  static std::string describe_missing(const ColumnRef& ref, const std::array<const char*, N>& candidates,
                                      const char* role, const char* flag, bool header) {
    if (!header)
      throw InvalidArgument("read_transactions", std::string(role) + " column", "(not given)",
                            "a file without a header needs the column's 1-based index");
    if (!ref.name.empty())
      return "a column named '" + ParseError::printable(ref.name, 80) + "' (" + flag + ")";
    std::string names;
    for (std::size_t i = 0; i < N; ++i) names += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(candidates[i]);
    return article(role) + " " + role + " column (named " + names + "; or choose it with " + flag + ")";
  }

  static std::string article(std::string_view word) {
    return !word.empty() && std::string_view("aeiouAEIOU").find(word.front()) != std::string_view::npos ? "an" : "a";
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

  // The lines of each order become one transaction, in place of the order's first line (rows only move
  // up, so the compaction is in place; customers keep their first-appearance codes, since a customer's
  // first line is its order's first line).
  void fold_orders(core::TransactionTable& t, ReadReport& rep) {
    const std::size_t n = t.size();
    const bool has_amount = !t.amount.empty();
    std::vector<std::size_t> at(order_ids_.size(), npos);  // order -> its row in the output
    std::size_t m = 0;
    for (std::size_t r = 0; r < n; ++r) {
      const std::uint32_t o = order_of_row_[r];
      if (at[o] == npos) {
        at[o] = m;
        t.customer[m] = t.customer[r];
        t.time[m] = t.time[r];
        if (has_amount) t.amount[m] = t.amount[r];
        for (auto& e : t.extra) e.values[m] = e.values[r];
        line_of_row_[m] = line_of_row_[r];
        ++m;
        continue;
      }
      const std::size_t j = at[o];
      const auto order_text = [&] { return "order '" + shorten(order_ids_.decode(o)) + "'"; };
      if (t.customer[r] != t.customer[j])
        throw ParseError(std::string(source_), line_of_row_[r], static_cast<std::int64_t>(customer_col_ + 1),
                         names_[customer_col_],
                         "the customer of " + order_text() + " on line " + std::to_string(line_of_row_[j]) + " ('" +
                             shorten(t.ids.decode(t.customer[j])) + "'): one order, one customer",
                         shorten(t.ids.decode(t.customer[r])));
      const std::int64_t dj = core::to_day(t.time[j], t.time_unit), dr = core::to_day(t.time[r], t.time_unit);
      if (dr != dj)
        throw ParseError(std::string(source_), line_of_row_[r], static_cast<std::int64_t>(date_col_ + 1),
                         names_[date_col_],
                         "the day of " + order_text() + " on line " + std::to_string(line_of_row_[j]) + " (" +
                             format_date(dj) + "): one order, one day",
                         format_date(dr));
      t.time[j] = std::min(t.time[j], t.time[r]);
      if (has_amount) t.amount[j] += t.amount[r];
      for (auto& e : t.extra) e.values[j] += e.values[r];
    }
    t.customer.resize(m);
    t.time.resize(m);
    if (has_amount) t.amount.resize(m);
    for (auto& e : t.extra) e.values.resize(m);
    rep.orders = order_ids_.size();
    rep.lines_folded = n - m;
  }

  // ZeroAmountDays::Drop: removes the rows of every (customer, day) whose amounts are all 0, and
  // renumbers the customers when some are left with none (codes stay dense, first-appearance order).
  static void drop_zero_amount_days(core::TransactionTable& t, ReadReport& rep) {
    const std::size_t n = t.size();
    if (t.amount.empty() || n == 0) return;
    const auto key = [&](std::size_t r) {
      return (static_cast<std::uint64_t>(t.customer[r]) << 32) |
             static_cast<std::uint64_t>(core::to_day(t.time[r], t.time_unit) - core::kMinDay);
    };
    std::unordered_map<std::uint64_t, bool> nonzero;  // (customer, day) -> any amount != 0
    for (std::size_t r = 0; r < n; ++r) {
      auto [it, fresh] = nonzero.try_emplace(key(r), false);
      it->second = it->second || t.amount[r] != 0.0;
    }
    std::size_t zero_days = 0;
    for (const auto& [k, any] : nonzero) zero_days += any ? 0 : 1;
    if (zero_days == 0) return;
    std::vector<char> kept_customer(t.ids.size(), 0);
    std::size_t m = 0;
    for (std::size_t r = 0; r < n; ++r) {
      if (!nonzero.find(key(r))->second) continue;
      t.customer[m] = t.customer[r];
      t.time[m] = t.time[r];
      t.amount[m] = t.amount[r];
      for (auto& e : t.extra) e.values[m] = e.values[r];
      kept_customer[t.customer[m]] = 1;
      ++m;
    }
    rep.zero_amount_days_dropped = zero_days;
    rep.zero_amount_rows_dropped = n - m;
    t.customer.resize(m);
    t.time.resize(m);
    t.amount.resize(m);
    for (auto& e : t.extra) e.values.resize(m);
    const auto lost = static_cast<std::size_t>(std::count(kept_customer.begin(), kept_customer.end(), 0));
    rep.customers_dropped = lost;
    if (lost == 0) return;
    core::Dictionary ids;
    ids.reserve(t.ids.size() - lost);
    std::vector<std::uint32_t> code(t.ids.size(), core::Dictionary::npos);
    for (std::size_t r = 0; r < m; ++r) {
      std::uint32_t& c = code[t.customer[r]];
      if (c == core::Dictionary::npos) c = ids.encode(t.ids.decode(t.customer[r]));
      t.customer[r] = c;
    }
    t.ids = std::move(ids);
  }

  static constexpr const char* kEncodingHint =
      "if the file is Latin-1, read it with --encoding latin-1 (encoding='latin-1')";

  std::string_view text_;
  std::string transcoded_;  // the text as UTF-8 when read as Latin-1
  const ReadOptions& opt_;
  std::string_view source_;
  ReadReport* report_;
  std::size_t customer_col_ = npos, date_col_ = npos, amount_col_ = npos;
  std::vector<std::size_t> extra_cols_;
  std::vector<std::string> names_;
  std::size_t order_col_ = npos;
  core::Dictionary order_ids_;                 // order id -> code (order column only)
  std::vector<std::uint32_t> order_of_row_;    // each kept row's order
  std::vector<std::int64_t> line_of_row_;      // each kept row's line (for the folding errors)
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
