// Dictionary encoding of customer ids: dense uint32 codes in order of first appearance, and the
// original strings back. Ids are stored byte-for-byte as read (no trimming of inner content, no case
// folding), so writers reproduce them exactly.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crmkit/core/error.hpp"

namespace crmkit::core {

class Dictionary {
 public:
  static constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();

  /// Code of `id`, adding it when new. Codes are dense: 0, 1, 2, ... in order of first appearance.
  std::uint32_t encode(std::string_view id) {
    auto it = index_.find(id);
    if (it != index_.end()) return it->second;
    if (ids_.size() >= npos)
      throw InvalidArgument("Dictionary::encode", "id", std::string(id), "more than 2^32-1 distinct ids");
    const auto code = static_cast<std::uint32_t>(ids_.size());
    ids_.emplace_back(id);
    // Key the map by a view into the stored string; std::string's heap buffer does not move when
    // the vector reallocates (it is moved, not copied), except for SSO strings, so keep a stable copy.
    keys_.emplace_back(std::make_unique<std::string>(id));
    index_.emplace(std::string_view(*keys_.back()), code);
    return code;
  }

  /// Code of `id`, or npos when absent.
  std::uint32_t find(std::string_view id) const {
    auto it = index_.find(id);
    return it == index_.end() ? npos : it->second;
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
    keys_.reserve(n);
    index_.reserve(n);
  }

 private:
  std::vector<std::string> ids_;
  std::vector<std::unique_ptr<std::string>> keys_;
  std::unordered_map<std::string_view, std::uint32_t> index_;
};

}  // namespace crmkit::core
