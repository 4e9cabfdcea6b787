// RFM segment rules files (rfm::Segmentation::parse, behind Segmentation::load, the C ABI's
// `segments` / `segments_text` options, Python's rfm(segments=...) and `crmkit rfm --segments`).
//
// Input: byte 0 sets the score scale (bins = 2 + b % 9, so 2..10); the rest is the rules file's text.
// Checks: only crmkit errors; rules that are read lie on the scale; every (r, f, m) on the scale
// classifies into one of names() (the last being the fallback).
#include <cstdint>
#include <string>

#include "crmkit/rfm/rfm.hpp"
#include "fuzz_common.hpp"

using namespace crmkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const int bins = 2 + data[0] % 9;
  rfm::Segmentation s;
  if (!fuzz::expect_ok_or_error("Segmentation::parse",
                                [&] { s = rfm::Segmentation::parse(fuzz::as_text(data + 1, size - 1), "rules.csv", bins); }))
    return 0;
  fuzz::require(s.bins == bins, "bins changed");
  for (const auto& r : s.rules) {
    fuzz::require(!r.name.empty(), "rule without a name");
    for (auto [lo, hi] : {std::pair{r.r_min, r.r_max}, std::pair{r.f_min, r.f_max}, std::pair{r.m_min, r.m_max}})
      fuzz::require(1 <= lo && lo <= hi && hi <= bins, "range outside 1.." + std::to_string(bins) + " accepted: " +
                                                          std::to_string(lo) + "-" + std::to_string(hi));
  }
  const auto names = s.names();
  fuzz::require(!names.empty(), "no segment names");
  for (int r = 1; r <= bins; ++r)
    for (int f = 1; f <= bins; ++f)
      for (int m = 1; m <= bins; ++m) fuzz::require(s.classify(r, f, m) < names.size(), "classify() out of names()");
  return 0;
}
