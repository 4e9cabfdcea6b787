// An allocator for large tables that are read at random (hash slots, per-customer records): blocks of
// 4 MiB or more are aligned to 2 MiB and offered to transparent huge pages (Linux madvise), which
// removes most TLB misses of random access; smaller blocks come from operator new. Internal.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace crmkit::detail {

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHuge = std::size_t{2} << 20;

  HugePageAllocator() noexcept = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < 2 * kHuge) return static_cast<T*>(::operator new(bytes));
    const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
    void* p = std::aligned_alloc(kHuge, rounded);
    if (!p) throw std::bad_alloc();
#ifdef __linux__
    ::madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < 2 * kHuge) ::operator delete(p);
    else std::free(p);
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
};

/// Offers the whole pages inside [p, p + bytes) to transparent huge pages (Linux madvise; a hint,
/// errors ignored; nothing below 4 MiB). For large std::vector buffers that are about to be written
/// for the first time: a few hundred 2 MiB faults instead of tens of thousands of 4 KiB ones.
inline void advise_huge_pages([[maybe_unused]] void* p, [[maybe_unused]] std::size_t bytes) noexcept {
#ifdef __linux__
  constexpr std::size_t page = 4096;
  if (bytes < (std::size_t{4} << 20)) return;
  const std::size_t b = (reinterpret_cast<std::size_t>(p) + page - 1) & ~(page - 1);
  const std::size_t e = (reinterpret_cast<std::size_t>(p) + bytes) & ~(page - 1);
  if (e > b) ::madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);
#endif
}

/// v.resize(n), the buffer first reserved and advised as above when it has to grow. Returns v.data().
template <class Vector>
auto* presize_huge(Vector& v, std::size_t n) {
  if (n > v.capacity()) {
    v.reserve(n);
    advise_huge_pages(v.data(), v.capacity() * sizeof(*v.data()));
  }
  v.resize(n);
  return v.data();
}

}  // namespace crmkit::detail
