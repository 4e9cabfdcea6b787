// max_threads() / set_max_threads(): the process-wide thread limit of crmkit calls.
#include "crmkit/core/parallel.hpp"

#include <cstdlib>
#include <string>

#include "crmkit/core/error.hpp"

namespace crmkit {

namespace {

constexpr int kMostThreads = 256;

std::atomic<int> g_set{0};  // set_max_threads' value; 0: the default

int default_threads() noexcept {
  static const int value = [] {
    if (const char* env = std::getenv("CRMKIT_THREADS")) {
      char* end = nullptr;
      const long v = std::strtol(env, &end, 10);
      if (end != env && *end == '\0' && v > 0) return static_cast<int>(std::min<long>(v, kMostThreads));
    }
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(std::min<unsigned>(hw, kMostThreads));
  }();
  return value;
}

}  // namespace

int max_threads() noexcept {
  const int n = g_set.load(std::memory_order_relaxed);
  return n > 0 ? n : default_threads();
}

void set_max_threads(int n) {
  if (n < 0) {
    std::string got = std::to_string(n);
    throw InvalidArgument("set_max_threads", "n", got, "must be >= 0 (0: the default)");
  }
  g_set.store(std::min(n, kMostThreads), std::memory_order_relaxed);
}

}  // namespace crmkit
