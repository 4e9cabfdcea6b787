// kSanitized: true in the ASan+UBSan build (scripts/test.sh's second stage). The long parameter-grid
// sweeps then take a coarser grid: the sanitizers check memory and undefined behaviour, which the
// coarser grid reaches through the same code, while the full grid's numbers are asserted by the plain
// build, where it costs a fifth of the time.
#pragma once

namespace crmkit::test {
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif
}  // namespace crmkit::test
