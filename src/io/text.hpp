// Internal to src/io: physical lines, field splitting with quotes, delimiter detection and small
// string helpers shared by the transaction reader (csv.cpp) and the generic table reader (table.cpp).
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/core/error.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__unix__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace crmkit::io::detail {

struct Line {
  std::string_view text;  // without the line end
  std::int64_t number;    // 1-based physical line
};

// Iterates physical lines of a buffer, LF or CRLF.
class LineReader {
 public:
  explicit LineReader(std::string_view buf) : buf_(buf) {}
  /// Byte offset of the next line, and the number of the last line returned (0 before the first).
  std::size_t position() const noexcept { return pos_; }
  std::int64_t number() const noexcept { return number_; }
  bool next(Line& line) {
    if (pos_ >= buf_.size()) return false;
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', buf_.size() - pos_);
    std::size_t len = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : buf_.size() - pos_;
    pos_ += len + (nl ? 1 : 0);
    if (len > 0 && start[len - 1] == '\r') --len;
    line = Line{std::string_view(start, len), ++number_};
    return true;
  }

 private:
  std::string_view buf_;
  std::size_t pos_ = 0;
  std::int64_t number_ = 0;
};

// Positions of four given bytes (e.g. the delimiter, '\n', '"' and '"' again, or ' ', '\t', '\n' and
// '"') in a buffer, 64 bytes at a time:
// a block's matches become one 64-bit mask (SSE2 compares where available), and next() returns them
// in order. Loads never leave [begin, end): the last partial block is copied into a padded buffer.
class ByteScanner {
 public:
  ByteScanner(const char* begin, const char* end, char a, char b, char c, char d) noexcept
      : block_(begin), end_(end), a_(a), b_(b), c_(c), d_(d) {
#if defined(__SSE2__)
    va_ = _mm_set1_epi8(a);
    vb_ = _mm_set1_epi8(b);
    vc_ = _mm_set1_epi8(c);
    vd_ = _mm_set1_epi8(d);
#endif
    load();
  }

  /// The next match at or after the scan point, or end() when there is none.
  const char* next() noexcept {
    while (mask_ == 0) {
      if (end_ - block_ <= 64) return end_;
      block_ += 64;
      load();
    }
    const char* p = block_ + __builtin_ctzll(mask_);
    mask_ &= mask_ - 1;
    return p;
  }
  const char* end() const noexcept { return end_; }

 private:
  void load() noexcept {
    if (end_ - block_ >= 64) {
      mask_ = match(block_);
    } else {
      char pad[64];
      std::memset(pad, 0, sizeof pad);
      std::memcpy(pad, block_, static_cast<std::size_t>(end_ - block_));
      // the padding's zero bytes would match a zero among a..d: keep only the bytes of the buffer
      const auto n = static_cast<unsigned>(end_ - block_);
      mask_ = match(pad) & (n == 0 ? 0 : ~std::uint64_t{0} >> (64 - n));
    }
  }
  std::uint64_t match(const char* p) const noexcept {
#if defined(__SSE2__)
    std::uint64_t m = 0;
    for (int k = 0; k < 4; ++k) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
      const __m128i e = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va_), _mm_cmpeq_epi8(x, vb_)),
                                     _mm_or_si128(_mm_cmpeq_epi8(x, vc_), _mm_cmpeq_epi8(x, vd_)));
      m |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm_movemask_epi8(e))) << (16 * k);
    }
    return m;
#else
    std::uint64_t m = 0;
    for (unsigned i = 0; i < 64; ++i)
      m |= std::uint64_t{p[i] == a_ || p[i] == b_ || p[i] == c_ || p[i] == d_} << i;
    return m;
#endif
  }

  const char* block_;
  const char* end_;
  std::uint64_t mask_ = 0;
  char a_, b_, c_, d_;
#if defined(__SSE2__)
  __m128i va_, vb_, vc_, vd_;
#endif
};

inline bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

// Splits one line into fields. Returns false on malformed quoting (error() says what and where): a
// quote not closed on the line, or text other than blanks between a closing quote and the next
// delimiter ("12"3).
class Splitter {
 public:
  explicit Splitter(char delim) : delim_(delim) {}

  struct Error {
    bool unterminated = false;  ///< true: no closing quote; false: text after the closing quote
    std::size_t field = 0;      ///< 1-based field of the error
    std::string_view found;     ///< the rest of the field after the closing quote (or the line)
  };
  const Error& error() const noexcept { return error_; }

  bool split(std::string_view line, std::vector<std::string_view>& out) {
    out.clear();
    scratch_.clear();
    scratch_.reserve(line.size());
    if (delim_ == ' ') return split_whitespace(line, out);
    std::size_t i = 0;
    while (true) {
      if (i < line.size() && line[i] == '"') {
        if (!quoted(line, i, out)) return false;
        // only blanks may stand between the closing quote and the delimiter
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t') && line[i] != delim_) ++i;
        if (i < line.size() && line[i] != delim_) {
          std::size_t e = i;
          while (e < line.size() && line[e] != delim_) ++e;
          return after_quote(out, line.substr(i, e - i));
        }
      } else {
        const std::size_t start = i;
        while (i < line.size() && line[i] != delim_) ++i;
        out.push_back(line.substr(start, i - start));
      }
      if (i >= line.size()) break;
      ++i;  // the delimiter
      if (i == line.size()) {
        out.emplace_back();  // trailing empty field
        break;
      }
    }
    return true;
  }

 private:
  // A quoted field starting at line[i] == '"': unescapes "" into the scratch buffer (reserved to the
  // line's length, so views into it stay valid), appends it to out, leaves i after the closing quote.
  // False when the quote is not closed on this line.
  bool quoted(std::string_view line, std::size_t& i, std::vector<std::string_view>& out) {
    const std::size_t field_start = scratch_.size();
    const std::size_t quote = i;
    for (++i; i < line.size(); ++i) {
      if (line[i] != '"') {
        scratch_.push_back(line[i]);
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        scratch_.push_back('"');
        ++i;
      } else {
        ++i;
        out.emplace_back(scratch_.data() + field_start, scratch_.size() - field_start);
        return true;
      }
    }
    error_ = Error{true, out.size() + 1, line.substr(quote)};
    return false;
  }

  bool after_quote(const std::vector<std::string_view>& out, std::string_view rest) {
    error_ = Error{false, out.size(), rest};
    return false;
  }

  bool split_whitespace(std::string_view line, std::vector<std::string_view>& out) {
    std::size_t i = 0;
    const std::size_t n = line.size();
    while (true) {
      while (i < n && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i >= n) break;
      if (line[i] == '"') {
        if (!quoted(line, i, out)) return false;
        if (i < n && line[i] != ' ' && line[i] != '\t') {
          std::size_t e = i;
          while (e < n && line[e] != ' ' && line[e] != '\t') ++e;
          return after_quote(out, line.substr(i, e - i));
        }
      } else {
        const std::size_t start = i;
        while (i < n && line[i] != ' ' && line[i] != '\t') ++i;
        out.push_back(line.substr(start, i - start));
      }
    }
    return true;
  }

  char delim_;
  std::string scratch_;
  Error error_;
};

/// The ParseError of a line the splitter refused: "file:line:field: expected ..., found '...'".
inline ParseError quote_error(const std::string& source, std::int64_t line, const Splitter::Error& e) {
  if (e.unterminated)
    return ParseError(source, line, static_cast<std::int64_t>(e.field), "",
                      "a closing quote (\") on the same line (quoted fields cannot span lines)",
                      ParseError::printable(e.found, 80));
  return ParseError(source, line, static_cast<std::int64_t>(e.field), "",
                    "a delimiter or the end of the line after the closing quote (\") of the field",
                    ParseError::printable(e.found, 80));
}

inline std::size_t count_unquoted(std::string_view line, char c) {
  std::size_t n = 0;
  bool q = false;
  for (char ch : line) {
    if (ch == '"') q = !q;
    else if (ch == c && !q) ++n;
  }
  return n;
}

// Picks the delimiter from the first non-blank lines: the first of tab, semicolon, comma that
// appears the same non-zero number of times on each; otherwise runs of whitespace.
inline char detect_delimiter(const std::vector<std::string_view>& sample) {
  for (char c : {'\t', ';', ','}) {
    const std::size_t first = count_unquoted(sample.front(), c);
    if (first == 0) continue;
    bool same = true;
    for (auto s : sample) same = same && count_unquoted(s, c) == first;
    if (same) return c;
  }
  for (char c : {'\t', ';', ','})
    if (count_unquoted(sample.front(), c) > 0) return c;
  return ' ';
}

inline std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return r;
}

inline std::string trim_copy(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

/// A found value for a message: control and non-UTF-8 bytes escaped, cut after about 80 bytes.
inline std::string shorten(std::string_view s) { return ParseError::printable(s, 80); }

/// Where the first byte that is not part of well-formed UTF-8 is, or npos. ASCII runs are skipped 8
/// bytes at a time.
inline std::size_t first_invalid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence_at(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

/// Latin-1 (ISO 8859-1) text as UTF-8: bytes 0x80..0xFF become two-byte sequences.
inline std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

/// True when the text has a byte >= 0x80.
inline bool has_non_ascii(std::string_view s) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ULL) return true;
  }
  for (; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) >= 0x80) return true;
  return false;
}

/// The 1-based line of byte `offset` of `body` (lines end at LF).
inline std::int64_t line_of(std::string_view body, std::size_t offset) {
  return 1 + static_cast<std::int64_t>(std::count(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

/// The 1-based field of byte `offset` of `line` (delimiters inside quotes do not count; ' ' = runs of
/// blanks).
inline std::size_t field_of(std::string_view line, std::size_t offset, char delim) {
  std::size_t field = delim == ' ' ? 0 : 1;
  bool q = false, prev_blank = true;
  for (std::size_t i = 0; i <= offset && i < line.size(); ++i) {
    const char c = line[i];
    if (delim == ' ') {
      const bool blank = !q && (c == ' ' || c == '\t');
      if (!blank && prev_blank) ++field;
      prev_blank = blank;
    } else if (c == delim && !q && i < offset) {
      ++field;
    }
    if (c == '"') q = !q;
  }
  return field == 0 ? 1 : field;
}

/// The ParseError of a byte that is not UTF-8 at `offset` of `body`: file:line:field, the bytes found
/// (escaped), and the way out (`hint`, e.g. the option that reads Latin-1).
inline ParseError utf8_error(const std::string& source, std::string_view body, std::size_t offset, char delim,
                             std::string_view column_name, const std::string& hint) {
  std::size_t ls = offset == 0 ? std::string_view::npos : body.rfind('\n', offset - 1);
  ls = ls == std::string_view::npos ? 0 : ls + 1;
  std::size_t le = body.find('\n', offset);
  if (le == std::string_view::npos) le = body.size();
  const std::string_view line = body.substr(ls, le - ls);
  const std::size_t field = field_of(line, offset - ls, delim);
  // the field's text around the bad byte: from the field's start to its end (or 40 bytes on)
  std::size_t fs = offset - ls, fe = offset - ls;
  const char d = delim == ' ' ? '\t' : delim;
  while (fs > 0 && line[fs - 1] != delim && line[fs - 1] != d) --fs;
  while (fe < line.size() && line[fe] != delim && line[fe] != d && line[fe] != '\r') ++fe;
  return ParseError(source, line_of(body, offset), static_cast<std::int64_t>(field), std::string(column_name),
                    "UTF-8 text (" + hint + ")", ParseError::printable(line.substr(fs, fe - fs), 80));
}

/// Refuses line ends of a lone CR (classic Mac OS): such a file reads as one long line, and every
/// later message (a missing column, a ragged row) would be about the wrong thing. Looks at the first
/// line only.
inline void check_line_ends(std::string_view body, const std::string& source) {
  const std::size_t nl = body.find('\n');
  const std::string_view first = body.substr(0, nl == std::string_view::npos ? body.size() : nl);
  const std::size_t cr = first.find('\r');
  if (cr != std::string_view::npos && cr + 1 < first.size())
    throw ParseError(source, 1, 0, "", "lines ending in LF or CR LF",
                     "lines ending in a lone CR (classic Mac OS line ends; convert them, e.g. with tr '\\r' '\\n')");
}

/// Refuses a header that names a column twice (trimmed, ASCII case ignored; blank names may repeat):
/// a lookup by name would silently take the first.
inline void check_unique_names(const std::vector<std::string>& names, const std::string& source, std::int64_t line) {
  std::vector<std::pair<std::string, std::size_t>> v;
  v.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string n = lower(trim_copy(names[i]));
    if (!n.empty()) v.emplace_back(std::move(n), i);
  }
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t k = 1; k < v.size(); ++k)
    if (v[k].first == v[k - 1].first)
      throw ParseError(source, line, static_cast<std::int64_t>(v[k].second + 1), "",
                       "each column named once in the header (rename one)",
                       "\"" + ParseError::printable(trim_copy(names[v[k - 1].second]), 80) + "\" at column " +
                           std::to_string(v[k - 1].second + 1) + " and \"" +
                           ParseError::printable(trim_copy(names[v[k].second]), 80) + "\" at column " +
                           std::to_string(v[k].second + 1));
}

/// "header: a, b, c" for messages: each name escaped and cut, at most 40 names.
inline std::string header_list(const std::vector<std::string>& names) {
  std::string out = "header: ";
  const std::size_t n = std::min<std::size_t>(names.size(), 40);
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    out += ParseError::printable(trim_copy(names[i]), 60);
  }
  if (names.size() > n) out += ", ... (" + std::to_string(names.size()) + " columns)";
  return out;
}

/// The whole file as bytes. IoError for a directory, a missing or unreadable file.
inline std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IoError(path, "is a directory, not a file");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw IoError(path, std::string("cannot open: ") + std::strerror(errno));
  std::string buf;
  if (std::fseek(f.get(), 0, SEEK_END) == 0) {
    const long size = std::ftell(f.get());
    if (size > 0) buf.reserve(static_cast<std::size_t>(size));
    std::fseek(f.get(), 0, SEEK_SET);
  }
  char chunk[1 << 16];
  std::size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, f.get())) > 0) buf.append(chunk, got);
  if (std::ferror(f.get())) throw IoError(path, "read failed (is it a directory?)");
  return buf;
}

/// A file's bytes, memory-mapped read-only when it is a non-empty regular file (no copy: the parser
/// reads the page cache directly), else read into memory (pipes, /dev/stdin, empty files). The same
/// IoErrors as read_file.
class FileBytes {
 public:
  explicit FileBytes(const std::string& path) {
#if defined(__unix__)
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw IoError(path, "is a directory, not a file");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw IoError(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      const auto size = static_cast<std::size_t>(st.st_size);
      void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p != MAP_FAILED) {
        map_ = p;
        size_ = size;
        ::madvise(p, size, MADV_SEQUENTIAL);
      }
    }
    ::close(fd);
    if (map_) return;
#endif
    copy_ = read_file(path);
  }
  ~FileBytes() {
#if defined(__unix__)
    if (map_) ::munmap(map_, size_);
#endif
  }
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  std::string_view view() const noexcept {
    return map_ ? std::string_view(static_cast<const char*>(map_), size_) : std::string_view(copy_);
  }

 private:
  void* map_ = nullptr;
  std::size_t size_ = 0;
  std::string copy_;
};

}  // namespace crmkit::io::detail
