// Dictionary encoding of customer ids: dense uint32 codes in order of first appearance, and the
// original strings back. Ids are stored byte-for-byte as read (no trimming, no case folding), so
// writers reproduce them exactly.
//
// The index is a flat open-addressing table with linear probing. A 16-byte slot holds the code, a
// tag (24 bits of the hash and the id's length) and the id's first 8 bytes, so an id of up to 8 bytes
// (the common case: "C0000123", numeric ids) is found or rejected from its slot alone, one cache line,
// without touching the stored strings; longer ids compare the stored string only when tag and prefix
// match. The slot position comes from the hash's top bits, which the tag keeps, so growing the table
// moves slots without rehashing the strings. hash() and prefetch() let a caller with many ids at hand
// (CSV ingestion) start the memory loads of a batch before encoding it.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/core/detail/huge_pages.hpp"
#include "crmkit/core/error.hpp"

namespace crmkit::core {

class Dictionary {
 public:
  static constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();

  /// Code of `id`, adding it when new. Codes are dense: 0, 1, 2, ... in order of first appearance.
  std::uint32_t encode(std::string_view id) { return encode(id, hash(id)); }

  /// encode() with `h == hash(id)` already computed.
  std::uint32_t encode(std::string_view id, std::uint64_t h) {
    if ((ids_.size() + 1) * 4 > slots_.size() * 3) grow();
    const std::uint32_t tag = tag_of(h, id.size());
    const std::uint64_t pre = prefix(id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = position(h); ; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.code == npos) {
        if (ids_.size() >= npos - 1)
          throw InvalidArgument("Dictionary::encode", "id", std::string(id), "more than 2^32-2 distinct ids");
        s.code = static_cast<std::uint32_t>(ids_.size());
        s.tag = tag;
        s.prefix = pre;
        ids_.emplace_back(id);
        return s.code;
      }
      if (s.tag == tag && s.prefix == pre && (id.size() <= 8 || ids_[s.code] == id)) return s.code;
    }
  }

  /// Encodes every id of `other` in the order of its codes, so that the ids new here get codes in their
  /// order of first appearance in `other`, and writes each one's code here to map[its code in other]
  /// (map has other.size() entries). Merges dictionaries built over consecutive parts of one input
  /// into the codes of one pass over it.
  void encode_all(const Dictionary& other, std::uint32_t* map) { encode_range(other.ids_, map); }

  /// encode() of every id of `ids` (a random-access range of strings or string_views) in order, each
  /// one's code to map[i], with the slots prefetched a few ids ahead (a table beyond the caches would
  /// otherwise wait on memory for every id).
  template <class Ids>
  void encode_range(const Ids& ids, std::uint32_t* map) {
    constexpr std::size_t kAhead = 8;
    const std::size_t n = ids.size();
    std::uint64_t ring[kAhead];
    for (std::size_t i = 0; i < n && i < kAhead; ++i) prefetch(ring[i] = hash(ids[i]));
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t h = ring[i % kAhead];
      if (i + kAhead < n) prefetch(ring[i % kAhead] = hash(ids[i + kAhead]));
      map[i] = encode(ids[i], h);
    }
  }

  /// Code of `id`, or npos when absent.
  std::uint32_t find(std::string_view id) const {
    if (slots_.empty()) return npos;
    const std::uint64_t h = hash(id);
    const std::uint32_t tag = tag_of(h, id.size());
    const std::uint64_t pre = prefix(id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = position(h); ; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.code == npos) return npos;
      if (s.tag == tag && s.prefix == pre && (id.size() <= 8 || ids_[s.code] == id)) return s.code;
    }
  }

  /// The original id of `code`. Throws InvalidArgument when out of range.
  const std::string& decode(std::uint32_t code) const {
    if (code >= ids_.size())
      throw InvalidArgument("Dictionary::decode", "code", std::to_string(code),
                            "must be < " + std::to_string(ids_.size()));
    return ids_[code];
  }

  std::size_t size() const noexcept { return ids_.size(); }
  const std::vector<std::string>& ids() const noexcept { return ids_; }
  void reserve(std::size_t n) {
    ids_.reserve(n);
    std::size_t cap = 16;
    while (cap * 3 < n * 4) cap *= 2;
    if (cap > slots_.size()) rehash(cap);
  }

  /// The hash encode() and find() use. Ids of up to 8 bytes are mixed from their bytes and length
  /// directly; longer ones go through std::hash (libstdc++: MurmurHash2-64) first.
  static std::uint64_t hash(std::string_view s) noexcept {
    std::uint64_t h = s.size() <= 8 ? prefix(s) ^ (s.size() * 0x9E3779B97F4A7C15ULL)
                                    : std::hash<std::string_view>{}(s);
    // a 64-bit finaliser (MurmurHash3's fmix64), so both top and low bits mix well
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
  }

  /// Starts loading the slot an id of hash `h` probes first (a hint; no effect on results).
  void prefetch(std::uint64_t h) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[position(h)]);
  }

 private:
  struct Slot {
    std::uint32_t code = npos;  ///< npos = empty
    std::uint32_t tag = 0;      ///< hash bits 63..40 and min(length, 255)
    std::uint64_t prefix = 0;   ///< the first 8 bytes, zero-padded
  };

  // The first min(8, size) bytes of s, zero-padded; byte i of s is byte i of the value in memory.
  static std::uint64_t prefix(std::string_view s) noexcept {
    std::uint64_t v = 0;
    if (s.size() >= 8) std::memcpy(&v, s.data(), 8);
    else if (!s.empty()) std::memcpy(&v, s.data(), s.size());
    return v;
  }
  static std::uint32_t tag_of(std::uint64_t h, std::size_t len) noexcept {
    return (static_cast<std::uint32_t>(h >> 40) << 8) | static_cast<std::uint32_t>(len < 255 ? len : 255);
  }
  std::size_t position(std::uint64_t h) const noexcept { return static_cast<std::size_t>(h >> shift_); }

  void grow() { rehash(slots_.empty() ? 1024 : slots_.size() * 2); }

  void rehash(std::size_t cap) {
    unsigned bits = 0;
    while ((std::size_t{1} << bits) < cap) ++bits;
    std::vector<Slot, detail::HugePageAllocator<Slot>> fresh(cap);
    const std::size_t mask = cap - 1;
    const unsigned shift = 64 - bits;
    for (const Slot& s : slots_) {
      if (s.code == npos) continue;
      // the tag holds hash bits 63..40: enough for the position while the table has <= 2^24 slots
      const std::uint64_t h = bits <= 24 ? static_cast<std::uint64_t>(s.tag >> 8) << 40 : hash(ids_[s.code]);
      std::size_t i = static_cast<std::size_t>(h >> shift);
      while (fresh[i].code != npos) i = (i + 1) & mask;
      fresh[i] = s;
    }
    slots_.swap(fresh);
    shift_ = shift;
  }

  std::vector<std::string> ids_;
  std::vector<Slot, detail::HugePageAllocator<Slot>> slots_;  // huge pages once >= 4 MiB
  unsigned shift_ = 64;  ///< position = hash >> shift_ (64 - log2 of the slot count)
};

}  // namespace crmkit::core
