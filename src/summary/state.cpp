// Customer-keyed summary states: built from a table, refreshed with later rows, merged across shards,
// saved to and loaded from a checked file.
#include "crmkit/summary/state.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>
#include <utility>
#include <unistd.h>

#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"
#include "../io/text.hpp"
#include "detail.hpp"

namespace crmkit::summary {

namespace {

constexpr char kMagic[8] = {'C', 'R', 'M', 'K', 'S', 'T', 'A', 'T'};
constexpr std::size_t kHeaderBytes = 72;
constexpr std::uint32_t kFlagAmounts = 1;  // the rows had amounts (else every sum is 0 by definition)
// Per customer in the body: id length (4), first and last day (8 + 8), distinct days and rows (4 + 4),
// total and repeat sums (8 + 8).
constexpr std::uint64_t kBytesPerCustomer = 44;

std::string day_text(std::int64_t day) { return io::format_date(day); }

// Little-endian fixed-width values, whatever the host's byte order.
template <class T>
void put(std::string& out, T v) {
  auto u = std::bit_cast<std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>>(v);
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((u >> (8 * i)) & 0xFF));
}

// A whole column: one copy on a little-endian host, value by value elsewhere.
template <class T>
void put_all(std::string& out, const std::vector<T>& v) {
  if constexpr (std::endian::native == std::endian::little) {
    const std::size_t at = out.size();
    out.resize(at + v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(out.data() + at, v.data(), v.size() * sizeof(T));
  } else {
    for (T x : v) put<T>(out, x);
  }
}

template <class T>
T get(const unsigned char* p) {
  using U = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  U u = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) u |= static_cast<U>(p[i]) << (8 * i);
  return std::bit_cast<T>(u);
}

std::uint32_t crc(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      crc32_z(crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

// One row of a table to add, in the state's numbering.
struct Entry {
  std::uint32_t code;
  std::int64_t day;
  double amount;
};

}  // namespace

State::State(std::int64_t observation_end) : observation_end_(observation_end) {
  core::check_day("State", "observation_end", observation_end);
}

void State::append(std::string_view id, std::int64_t first, std::int64_t last, std::uint32_t distinct,
                   std::uint32_t rows, double total, double repeat) {
  ids_.encode(id);
  first_.push_back(first);
  last_.push_back(last);
  distinct_.push_back(distinct);
  rows_.push_back(rows);
  total_.push_back(total);
  repeat_.push_back(repeat);
  rows_held_ += rows;
}

namespace {

State::IdOf ids_of(const core::TransactionTable& tx) {
  return [&tx](std::uint32_t c) { return tx.ids.decode(c); };
}

// An id as the state needs it: non-empty UTF-8 (it is written to files and merged by).
const std::string& checked_id(const std::string& id, const char* function, std::uint32_t code) {
  if (id.empty() || io::detail::first_invalid_utf8(id) != std::string_view::npos)
    throw InvalidArgument(function, "id of customer code " + std::to_string(code),
                          "'" + ParseError::printable(id, 80) + "'", "must be non-empty UTF-8 text");
  return id;
}

}  // namespace

State State::from_transactions(const core::TransactionTable& tx, std::optional<std::int64_t> observation_end,
                               StateReport* report) {
  return from_transactions(tx.view(), ids_of(tx), observation_end, report);
}

void State::add(const core::TransactionTable& tx, std::optional<std::int64_t> observation_end, StateReport* report) {
  add(tx.view(), ids_of(tx), observation_end, report);
}

State State::from_transactions(const core::TransactionsView& tx, const IdOf& id_of,
                               std::optional<std::int64_t> observation_end, StateReport* report) {
  std::vector<std::uint32_t> distinct;
  std::vector<double> repeat;
  const CustomerSummary s = detail::summarize_with_sums(tx, observation_end, distinct, repeat);
  State st(s.observation_end);
  st.amounts_ = !tx.amount.empty();
  const std::size_t n = s.size();
  st.ids_.reserve(n);
  for (auto* v : {&st.first_, &st.last_}) v->reserve(n);
  for (auto* v : {&st.distinct_, &st.rows_}) v->reserve(n);
  for (auto* v : {&st.total_, &st.repeat_}) v->reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string id = id_of(s.customer[i]);
    const std::size_t before = st.ids_.size();
    st.append(checked_id(id, "State::from_transactions", s.customer[i]), s.first_purchase[i], s.last_purchase[i],
              distinct[i], s.n_transactions[i], s.total_spend[i], repeat[i]);
    if (st.ids_.size() == before)
      throw InvalidArgument("State::from_transactions", "id of customer code " + std::to_string(s.customer[i]),
                            "'" + ParseError::printable(id, 80) + "'", "names another customer code too");
  }
  if (report) {
    report->rows_added = static_cast<std::size_t>(st.rows_held_);
    report->rows_after_end = tx.size() - static_cast<std::size_t>(st.rows_held_);
    report->customers_new = n;
  }
  return st;
}

void State::add(const core::TransactionsView& tx, const IdOf& id_of, std::optional<std::int64_t> observation_end,
                StateReport* report) {
  const core::TransactionsView view = tx.validated("State::add");
  // (a table without rows has no amount column to tell: it fits either kind)
  const bool amounts = !tx.amount.empty();
  if (size() > 0 && tx.size() > 0 && amounts != amounts_)
    throw InvalidArgument("State::add", "tx.amount", amounts ? "amounts" : "no amounts",
                          amounts_ ? "must be given: the state was built from a log with amounts"
                                   : "must be left out: the state was built from a log without amounts (--no-amount)");
  std::int64_t end = observation_end_;
  if (observation_end) {
    core::check_day("State::add", "observation_end", *observation_end);
    if (*observation_end < observation_end_)
      throw InvalidArgument("State::add", "observation_end", day_text(*observation_end),
                            "must not be before the state's observation end (" + day_text(observation_end_) +
                                "): a state only moves forward in time");
    end = *observation_end;
  } else {
    for (std::size_t i = 0; i < view.size(); ++i) end = std::max(end, core::to_day(view.time[i], view.time_unit));
  }

  // The kept rows in the state's numbering: held customers keep their row, new ones follow in their
  // order of first appearance among the kept rows.
  const std::uint32_t held = static_cast<std::uint32_t>(size());
  std::vector<std::uint32_t> code_of(view.n_customers, core::Dictionary::npos);
  core::Dictionary fresh;  // new customers, in order of first appearance
  std::vector<std::uint8_t> claimed(held, 0);  // held customers already given a code of tx
  std::vector<Entry> entries;
  entries.reserve(view.size());
  std::size_t after_end = 0;
  for (std::size_t i = 0; i < view.size(); ++i) {
    const std::int64_t day = core::to_day(view.time[i], view.time_unit);
    if (day > end) {
      ++after_end;
      continue;
    }
    std::uint32_t& c = code_of[view.customer[i]];
    if (c == core::Dictionary::npos) {
      const std::string id = id_of(view.customer[i]);
      checked_id(id, "State::add", view.customer[i]);
      c = ids_.find(id);
      bool twice = false;
      if (c == core::Dictionary::npos) {
        const std::size_t before = fresh.size();
        c = held + fresh.encode(id);
        twice = fresh.size() == before;
      } else {
        twice = std::exchange(claimed[c], 1) != 0;
      }
      if (twice)
        throw InvalidArgument("State::add", "id of customer code " + std::to_string(view.customer[i]),
                              "'" + ParseError::printable(id, 80) + "'", "names another customer code too");
    }
    entries.push_back(Entry{c, day, view.amount.empty() ? 0.0 : view.amount[i]});
  }
  // (customer, day) order; rows of one day keep their order, so sums run in (day, row) order
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.code != b.code ? a.code < b.code : a.day < b.day; });
  // Checked before anything changes: a held customer's new rows may not go back before its last day.
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const Entry& e = entries[k];
    if (e.code >= held || (k > 0 && entries[k - 1].code == e.code)) continue;
    if (e.day < last_[e.code])
      throw InvalidArgument("State::add", "customer '" + ParseError::printable(ids_.decode(e.code), 80) + "'",
                            "a transaction on " + day_text(e.day),
                            "cannot be added exactly: the state already holds a purchase on " + day_text(last_[e.code]) +
                                ", and a refresh adds only transactions on or after each customer's last purchase day "
                                "(rebuild the state from the full log)");
    if (static_cast<std::uint64_t>(rows_[e.code]) + (entries.size() - k) > std::numeric_limits<std::uint32_t>::max()) {
      std::size_t same = 0;
      while (k + same < entries.size() && entries[k + same].code == e.code) ++same;
      if (static_cast<std::uint64_t>(rows_[e.code]) + same > std::numeric_limits<std::uint32_t>::max())
        throw InvalidArgument("State::add", "customer '" + ParseError::printable(ids_.decode(e.code), 80) + "'",
                              std::to_string(rows_[e.code] + same) + " rows", "must be at most 2^32 - 1");
    }
  }

  // Commit.
  const std::size_t n_new = fresh.size();
  for (std::size_t j = 0; j < n_new; ++j) append(fresh.decode(static_cast<std::uint32_t>(j)), 0, 0, 0, 0, 0.0, 0.0);
  for (const Entry& e : entries) {
    const std::uint32_t c = e.code;
    if (rows_[c] == 0) {
      first_[c] = last_[c] = e.day;
      distinct_[c] = 1;
      total_[c] = e.amount;
      repeat_[c] = 0.0;
    } else {
      total_[c] += e.amount;
      if (e.day != last_[c]) ++distinct_[c];
      if (e.day != first_[c]) repeat_[c] += e.amount;
      last_[c] = e.day;
    }
    ++rows_[c];
  }
  rows_held_ += entries.size();
  observation_end_ = end;
  if (n_new > 0 && n_new == size()) amounts_ = amounts;  // an empty state takes the rows' kind
  if (report) {
    report->rows_added = entries.size();
    report->rows_after_end = after_end;
    report->customers_new = n_new;
  }
}

State State::merge(const State& a, const State& b) {
  for (std::size_t i = 0; i < b.size(); ++i) {
    const std::string& id = b.ids_.decode(static_cast<std::uint32_t>(i));
    if (a.ids_.find(id) != core::Dictionary::npos)
      throw InvalidArgument("State::merge", "customer '" + ParseError::printable(id, 80) + "'", "in both states",
                            "merged states must hold disjoint customers (shards of customers, not of time: add "
                            "later transactions to a state with a refresh)");
  }
  if (a.size() > 0 && b.size() > 0 && a.amounts_ != b.amounts_)
    throw InvalidArgument("State::merge", "b", b.amounts_ ? "a state with amounts" : "a state without amounts",
                          std::string("must be of the same kind as a, ") + (a.amounts_ ? "with" : "without") + " amounts");
  State m = a.size() > 0 ? a : State(a.observation_end_);
  if (a.size() == 0) m.amounts_ = b.amounts_;
  m.observation_end_ = std::max(a.observation_end_, b.observation_end_);
  for (std::size_t i = 0; i < b.size(); ++i)
    m.append(b.ids_.decode(static_cast<std::uint32_t>(i)), b.first_[i], b.last_[i], b.distinct_[i], b.rows_[i],
             b.total_[i], b.repeat_[i]);
  return m;
}

CustomerSummary State::summary(Period period) const {
  CustomerSummary s;
  s.period = period;
  s.observation_end = observation_end_;
  const std::size_t n = size();
  const double len = period_days(period);
  s.customer.resize(n);
  for (auto* v : {&s.frequency, &s.recency, &s.T, &s.monetary_value}) v->resize(n);
  s.first_purchase = first_;
  s.last_purchase = last_;
  s.n_transactions = rows_;
  s.total_spend = total_;
  for (std::size_t i = 0; i < n; ++i) {
    const detail::RowValues v = detail::row_values(first_[i], last_[i], distinct_[i], repeat_[i], len, observation_end_);
    s.customer[i] = static_cast<std::uint32_t>(i);
    s.frequency[i] = v.frequency;
    s.recency[i] = v.recency;
    s.T[i] = v.T;
    s.monetary_value[i] = v.monetary;
  }
  return s;
}

bool operator==(const State& a, const State& b) {
  const auto same_doubles = [](const std::vector<double>& x, const std::vector<double>& y) {
    return x.size() == y.size() &&
           std::equal(x.begin(), x.end(), y.begin(), [](double p, double q) {
             return std::bit_cast<std::uint64_t>(p) == std::bit_cast<std::uint64_t>(q);
           });
  };
  return a.observation_end_ == b.observation_end_ && a.amounts_ == b.amounts_ && a.rows_held_ == b.rows_held_ && a.ids_.ids() == b.ids_.ids() &&
         a.first_ == b.first_ && a.last_ == b.last_ && a.distinct_ == b.distinct_ && a.rows_ == b.rows_ &&
         same_doubles(a.total_, b.total_) && same_doubles(a.repeat_, b.repeat_);
}

// ---- the file format ----------------------------------------------------------------------------

std::string State::serialize() const {
  const std::uint64_t n = size();
  std::uint64_t ids_bytes = 0;
  for (const auto& id : ids_.ids()) ids_bytes += id.size();
  std::string body;
  body.reserve(static_cast<std::size_t>(n * kBytesPerCustomer + ids_bytes));
  for (const auto& id : ids_.ids()) put<std::uint32_t>(body, static_cast<std::uint32_t>(id.size()));
  for (const auto& id : ids_.ids()) body += id;
  put_all(body, first_);
  put_all(body, last_);
  put_all(body, distinct_);
  put_all(body, rows_);
  put_all(body, total_);
  put_all(body, repeat_);
  std::string out(kMagic, sizeof kMagic);
  put<std::uint32_t>(out, kVersion);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(kHeaderBytes));
  put<std::int64_t>(out, observation_end_);
  put<std::uint64_t>(out, n);
  put<std::uint64_t>(out, rows_held_);
  put<std::uint64_t>(out, ids_bytes);
  put<std::uint64_t>(out, body.size());
  put<std::uint32_t>(out, amounts_ ? kFlagAmounts : 0u);
  put<std::uint32_t>(out, 0u);  // reserved
  put<std::uint32_t>(out, crc(body));
  put<std::uint32_t>(out, crc(out));  // the header's own checksum, over its first 68 bytes
  out += body;
  return out;
}

State State::deserialize(std::string_view bytes, std::string_view source_view) {
  const std::string source(source_view);
  const auto fail = [&](const std::string& expected, const std::string& found) -> ParseError {
    return ParseError(source, 0, 0, "", expected, found);
  };
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw fail("a crmkit summary state file (starting with CRMKSTAT)",
               ParseError::printable(bytes.substr(0, std::min<std::size_t>(bytes.size(), 16)), 40));
  if (bytes.size() < kHeaderBytes)
    throw fail("a state file header of " + std::to_string(kHeaderBytes) + " bytes",
               std::to_string(bytes.size()) + " bytes in all (the file is truncated)");
  const auto version = get<std::uint32_t>(p + 8);
  if (version < 1 || version > kVersion)
    throw fail("a state file of version 1 to " + std::to_string(kVersion) + " (what this crmkit reads)",
               "version " + std::to_string(version) + (version > kVersion ? " (written by a newer crmkit)" : ""));
  if (get<std::uint32_t>(p + 12) != kHeaderBytes)
    throw fail("a header of " + std::to_string(kHeaderBytes) + " bytes", std::to_string(get<std::uint32_t>(p + 12)));
  if (get<std::uint32_t>(p + 68) != crc(bytes.substr(0, 68)))
    throw fail("the header's CRC-32", "a different checksum (the header is corrupt)");
  const auto end = get<std::int64_t>(p + 16);
  const auto n = get<std::uint64_t>(p + 24);
  const auto rows_held = get<std::uint64_t>(p + 32);
  const auto ids_bytes = get<std::uint64_t>(p + 40);
  const auto body_bytes = get<std::uint64_t>(p + 48);
  const auto flags = get<std::uint32_t>(p + 56);
  if ((flags & ~kFlagAmounts) != 0 || get<std::uint32_t>(p + 60) != 0)
    throw fail("flags this crmkit knows (bit 0: amounts)", "flags " + std::to_string(flags) + ", reserved " +
                                                               std::to_string(get<std::uint32_t>(p + 60)));
  const std::uint64_t have = bytes.size() - kHeaderBytes;
  if (body_bytes != have)
    throw fail(std::to_string(body_bytes) + " bytes after the header",
               std::to_string(have) + (have < body_bytes ? " (the file is truncated)" : " (extra bytes at the end)"));
  if (n > body_bytes / kBytesPerCustomer || ids_bytes != body_bytes - n * kBytesPerCustomer)
    throw fail("a body of 44 bytes per customer plus the ids' bytes",
               std::to_string(body_bytes) + " bytes for " + std::to_string(n) + " customers and " +
                   std::to_string(ids_bytes) + " bytes of ids");
  const std::string_view body = bytes.substr(kHeaderBytes);
  if (get<std::uint32_t>(p + 64) != crc(body)) throw fail("the body's CRC-32", "a different checksum (the file is corrupt)");
  if (end < core::kMinDay || end > core::kMaxDay)
    throw fail("an observation end from 0001-01-01 to 9999-12-31", "day number " + std::to_string(end));

  State st(end);
  st.amounts_ = (flags & kFlagAmounts) != 0;
  const auto* b = reinterpret_cast<const unsigned char*>(body.data());
  const std::size_t cn = static_cast<std::size_t>(n);
  const unsigned char* lens = b;
  const char* id_text = body.data() + 4 * cn;
  const unsigned char* cols = b + 4 * cn + ids_bytes;
  const unsigned char* firsts = cols;
  const unsigned char* lasts = firsts + 8 * cn;
  const unsigned char* distincts = lasts + 8 * cn;
  const unsigned char* rows = distincts + 4 * cn;
  const unsigned char* totals = rows + 4 * cn;
  const unsigned char* repeats = totals + 8 * cn;
  st.ids_.reserve(cn);
  for (auto* v : {&st.first_, &st.last_}) v->reserve(cn);
  for (auto* v : {&st.distinct_, &st.rows_}) v->reserve(cn);
  for (auto* v : {&st.total_, &st.repeat_}) v->reserve(cn);
  // The ids first, encoded in one batch (prefetched: the table is beyond the caches for large states).
  std::vector<std::string_view> ids(cn);
  std::uint64_t at = 0;
  for (std::size_t i = 0; i < cn; ++i) {
    const auto len = get<std::uint32_t>(lens + 4 * i);
    if (len == 0 || len > ids_bytes - at)
      throw fail("the ids' lengths to add up to " + std::to_string(ids_bytes) + " bytes, none empty",
                 "customer " + std::to_string(i + 1) + " of length " + std::to_string(len));
    ids[i] = std::string_view(id_text + at, len);
    at += len;
    if (io::detail::first_invalid_utf8(ids[i]) != std::string_view::npos)
      throw fail("customer ids in UTF-8",
                 "customer " + std::to_string(i + 1) + ": '" + ParseError::printable(ids[i], 80) + "'");
  }
  {
    std::vector<std::uint32_t> code(cn);
    st.ids_.encode_range(ids, code.data());
    for (std::size_t i = 0; i < cn; ++i)
      if (code[i] != i) throw fail("each customer id once", "'" + ParseError::printable(ids[i], 80) + "' twice");
  }
  std::uint64_t held = 0;
  for (std::size_t i = 0; i < cn; ++i) {
    const std::string_view id = ids[i];
    const auto first = get<std::int64_t>(firsts + 8 * i), last = get<std::int64_t>(lasts + 8 * i);
    const auto distinct = get<std::uint32_t>(distincts + 4 * i), nrows = get<std::uint32_t>(rows + 4 * i);
    const auto total = get<double>(totals + 8 * i), repeat = get<double>(repeats + 8 * i);
    const auto whose = [&id] { return "'" + ParseError::printable(id, 80) + "'"; };
    if (first < core::kMinDay || first > last || last > end)
      throw fail("first <= last purchase day <= the observation end (" + day_text(end) + ")",
                 whose() + ": first day number " + std::to_string(first) + ", last " + std::to_string(last));
    if (distinct < 1 || nrows < distinct || static_cast<std::uint64_t>(distinct - 1) > static_cast<std::uint64_t>(last - first))
      throw fail("1 <= distinct days <= rows, and no more distinct days than the days from first to last",
                 whose() + ": " + std::to_string(distinct) + " distinct days, " + std::to_string(nrows) + " rows");
    const double cap = core::kMaxAmount * 4294967296.0;
    if (!std::isfinite(total) || !std::isfinite(repeat) || std::fabs(total) > cap || std::fabs(repeat) > cap ||
        (distinct == 1 && repeat != 0.0) || (!st.amounts_ && (total != 0.0 || repeat != 0.0)))
      throw fail("finite sums (none for a customer of one purchase day, or a state without amounts)",
                 whose() + ": total " + std::to_string(total) + ", repeat " + std::to_string(repeat));
    held += nrows;
    st.first_.push_back(first);
    st.last_.push_back(last);
    st.distinct_.push_back(distinct);
    st.rows_.push_back(nrows);
    st.total_.push_back(total);
    st.repeat_.push_back(repeat);
  }
  st.rows_held_ = held;
  if (held != rows_held)
    throw fail(std::to_string(rows_held) + " rows held (from the header)", std::to_string(held) + " in the records");
  return st;
}

void State::save(const std::string& path) const {
  const std::string bytes = serialize();
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw IoError(path, std::string("cannot write: ") + std::strerror(errno));
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      throw IoError(path, "cannot write (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw IoError(path, std::string("cannot write: ") + std::strerror(err));
  }
}

State State::load(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw IoError(path, std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream s;
  s << f.rdbuf();
  if (f.bad()) throw IoError(path, "cannot read");
  return deserialize(s.str(), path);
}

}  // namespace crmkit::summary
