// Column<T>: a read-only view over caller-owned values, with an optional validity bitmap
// (Arrow layout: bit i of byte i/8, least-significant bit first; 1 = valid) and a name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace crmkit::core {

template <class T>
struct Column {
  std::span<const T> values;
  std::span<const std::uint8_t> validity{};  ///< empty = all valid
  std::string_view name{};

  std::size_t size() const noexcept { return values.size(); }
  bool valid(std::size_t i) const noexcept {
    return validity.empty() || ((validity[i / 8] >> (i % 8)) & 1u) != 0;
  }
  const T& operator[](std::size_t i) const noexcept { return values[i]; }
};

}  // namespace crmkit::core
