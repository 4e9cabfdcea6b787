// Shared by the libFuzzer targets in fuzz/ (docs/reliability.md).
//
// The contract every target checks: whatever the bytes, crmkit either returns a result or throws one
// of its own errors (crmkit::Error: InvalidArgument, ParseError, IoError, NumericError); the C ABI
// returns a status other than CRMKIT_E_INTERNAL. Anything else — another exception type (a
// std::out_of_range or a nlohmann::json exception leaking), a crash, a sanitizer report, a hang, a
// NaN or infinity in an output that was reported OK — is a finding: the target aborts with a message
// naming what broke, and libFuzzer saves the input.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <span>
#include <string>
#include <string_view>

#include "crmkit/core/error.hpp"

namespace crmkit::fuzz {

[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "\ncrmkit fuzz finding: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

/// Runs f; crmkit's own errors are the documented answer to bad input and are swallowed (their
/// message must not be empty). Any other exception is a finding. Returns true when f returned.
template <class F>
bool expect_ok_or_error(const char* what, F&& f) {
  try {
    f();
    return true;
  } catch (const crmkit::Error& e) {
    if (e.what() == nullptr || *e.what() == '\0') finding(std::string(what) + ": crmkit error with an empty message");
    return false;
  } catch (const std::exception& e) {
    finding(std::string(what) + ": non-crmkit exception escaped: " + e.what());
  } catch (...) {
    finding(std::string(what) + ": unknown exception escaped");
  }
}

inline void require_finite(double v, const char* what, std::size_t i = 0) {
  if (!std::isfinite(v)) finding(std::string(what) + "[" + std::to_string(i) + "] = " + std::to_string(v) + " (reported OK)");
}

inline void require_finite(std::span<const double> v, const char* what) {
  for (std::size_t i = 0; i < v.size(); ++i) require_finite(v[i], what, i);
}

inline void require(bool ok, const std::string& what) {
  if (!ok) finding(what);
}

/// The input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace crmkit::fuzz
