// Dictionary encoding of customer ids: dense uint32 codes in order of first appearance, and the
// original strings back. Ids are stored byte-for-byte as read (no trimming, no case folding), so
// writers reproduce them exactly.
//
// The index is a flat open-addressing table of (hash, code) slots with linear probing: one probe
// sequence over contiguous memory per lookup, no allocation per lookup, and the stored hash skips
// nearly every string comparison that would miss.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/core/error.hpp"

namespace crmkit::core {

class Dictionary {
 public:
  static constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();

  /// Code of `id`, adding it when new. Codes are dense: 0, 1, 2, ... in order of first appearance.
  std::uint32_t encode(std::string_view id) {
    if ((ids_.size() + 1) * 4 > slots_.size() * 3) grow();
    const std::uint64_t h = hash(id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.code == npos) {
        if (ids_.size() >= npos - 1)
          throw InvalidArgument("Dictionary::encode", "id", std::string(id), "more than 2^32-2 distinct ids");
        s.code = static_cast<std::uint32_t>(ids_.size());
        s.hash = static_cast<std::uint32_t>(h >> 32);
        ids_.emplace_back(id);
        return s.code;
      }
      if (s.hash == static_cast<std::uint32_t>(h >> 32) && ids_[s.code] == id) return s.code;
    }
  }

  /// Code of `id`, or npos when absent.
  std::uint32_t find(std::string_view id) const {
    if (slots_.empty()) return npos;
    const std::uint64_t h = hash(id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.code == npos) return npos;
      if (s.hash == static_cast<std::uint32_t>(h >> 32) && ids_[s.code] == id) return s.code;
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

 private:
  struct Slot {
    std::uint32_t code = npos;  ///< npos = empty
    std::uint32_t hash = 0;     ///< high half of the 64-bit hash
  };

  static std::uint64_t hash(std::string_view s) noexcept {
    // std::hash<string_view> (libstdc++: MurmurHash2-64), then a finaliser so low bits mix well.
    std::uint64_t h = std::hash<std::string_view>{}(s);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  }

  void grow() { rehash(slots_.empty() ? 1024 : slots_.size() * 2); }

  void rehash(std::size_t cap) {
    std::vector<Slot> fresh(cap);
    const std::size_t mask = cap - 1;
    for (std::uint32_t code = 0; code < ids_.size(); ++code) {
      const std::uint64_t h = hash(ids_[code]);
      std::size_t i = static_cast<std::size_t>(h) & mask;
      while (fresh[i].code != npos) i = (i + 1) & mask;
      fresh[i] = Slot{code, static_cast<std::uint32_t>(h >> 32)};
    }
    slots_.swap(fresh);
  }

  std::vector<std::string> ids_;
  std::vector<Slot> slots_;
};

}  // namespace crmkit::core
