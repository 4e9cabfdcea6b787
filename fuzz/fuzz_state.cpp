// Summary state files (summary::State::deserialize: what `crmkit summary --state-in`, `crmkit merge`,
// crmkit_state_load / crmkit_state_from_bytes and SummaryState.load read).
//
// Input: one mode byte, then the file's bytes. Mode odd: the two CRC-32 fields are recomputed before
// reading, so that mutations reach the record checks behind the checksums (random bytes rarely pass a
// CRC). Checks: reading returns a state or throws crmkit's ParseError; a state that loads writes back
// the same bytes (the format is canonical), its summary is finite at every period, and it merges with
// itself only by refusing (every customer is in both).
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "crmkit/summary/state.hpp"
#include "fuzz_common.hpp"

using crmkit::fuzz::expect_ok_or_error;
using crmkit::fuzz::require;
using crmkit::fuzz::require_finite;

namespace {

void put32(std::string& s, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

std::uint32_t crc(const char* p, std::size_t n) {
  return static_cast<std::uint32_t>(crc32_z(crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(p), n));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool fix = (data[0] & 1) != 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (fix && bytes.size() >= 72) {  // body CRC at 64, header CRC (over bytes 0..67) at 68
    put32(bytes, 64, crc(bytes.data() + 72, bytes.size() - 72));
    put32(bytes, 68, crc(bytes.data(), 68));
  }
  crmkit::summary::State st;
  const bool loaded = expect_ok_or_error("State::deserialize", [&] { st = crmkit::summary::State::deserialize(bytes, "f"); });
  if (!loaded) {
    // The error must be a ParseError (not an InvalidArgument or another crmkit error).
    try {
      (void)crmkit::summary::State::deserialize(bytes, "f");
    } catch (const crmkit::ParseError&) {
    } catch (const std::exception& e) {
      crmkit::fuzz::finding(std::string("State::deserialize threw a non-ParseError: ") + e.what());
    }
    return 0;
  }
  require(st.serialize() == bytes, "a state that loads does not write back the same bytes");
  for (auto p : {crmkit::summary::Period::Day, crmkit::summary::Period::Week, crmkit::summary::Period::Month}) {
    const auto s = st.summary(p);
    require_finite(s.frequency, "frequency");
    require_finite(s.recency, "recency");
    require_finite(s.T, "T");
    require_finite(s.monetary_value, "monetary_value");
    require_finite(s.total_spend, "total_spend");
  }
  if (st.size() > 0) {
    bool refused = false;
    try {
      (void)crmkit::summary::State::merge(st, st);
    } catch (const crmkit::InvalidArgument&) {
      refused = true;
    }
    require(refused, "a state merged with itself was not refused");
  }
  return 0;
}
