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

// Splits one line into fields. Returns false on an unterminated quote.
class Splitter {
 public:
  explicit Splitter(char delim) : delim_(delim) {}

  bool split(std::string_view line, std::vector<std::string_view>& out) {
    out.clear();
    scratch_.clear();
    scratch_.reserve(line.size());
    if (delim_ == ' ') return split_whitespace(line, out);
    std::size_t i = 0;
    while (true) {
      if (i < line.size() && line[i] == '"') {
        if (!quoted(line, i, out)) return false;
        // anything between the closing quote and the delimiter is kept out (blanks tolerated)
        while (i < line.size() && line[i] != delim_) ++i;
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
};

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

inline std::string shorten(std::string_view s) {
  if (s.size() <= 60) return std::string(s);
  return std::string(s.substr(0, 57)) + "...";
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
