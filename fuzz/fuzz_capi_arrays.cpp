// The C ABI from caller arrays to predictions: crmkit_transactions_from_arrays -> crmkit_summary_compute
// -> crmkit_rfm_compute -> crmkit_clv_fit (BG/NBD, a few iterations) -> crmkit_clv_predict — what a
// C, Python or embedding caller does with its own columns.
//
// Input (read with libFuzzer's FuzzedDataProvider): the number of customers (1..64), the time unit,
// whether amounts are given, options (period, observation end, RFM bins / ties / monetary, GG fit or
// not), then rows of (customer code, time, amount) until the bytes run out (at most 512 rows). Amounts
// are taken raw from 8 bytes half of the time, so NaN, infinities and subnormals reach the C ABI.
// Checks: every call returns a status, never CRMKIT_E_INTERNAL, and a failing call leaves *out NULL;
// every double output of a call reported OK is finite; RFM scores lie in 1..bins.
//
// Codes may be any uint32 and one time in eight any int64: code 0xFFFFFFFF crashed RFM, times near
// INT64_MIN/MAX overflowed, and one sparse code (2^31 in a 3-row log, found here) made the summary
// allocate tens of GB (fuzz/regressions/capi_arrays/); all are refused now (issue 13). Other times stay
// within +-30,000 days (+-3e9 s): wider spans are valid, but RFM's counting pass, sized by the day span,
// is slow under the sanitizers.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "crmkit/crmkit.h"
#include "fuzz_common.hpp"

using crmkit::fuzz::finding;
using crmkit::fuzz::require;

namespace {

bool call(std::int32_t st, const char* what) {
  if (st == CRMKIT_E_INTERNAL) finding(std::string(what) + " returned CRMKIT_E_INTERNAL: " + crmkit_last_error());
  if (st != CRMKIT_OK && *crmkit_last_error() == '\0') finding(std::string(what) + " failed with an empty message");
  return st == CRMKIT_OK;
}

void finite(const std::vector<double>& v, const char* what) { crmkit::fuzz::require_finite(v, what); }

struct Options {
  crmkit_options* o = nullptr;
  Options() { call(crmkit_options_new(&o), "crmkit_options_new"); }
  ~Options() { crmkit_options_free(o); }
  void set(const char* k, const std::string& v) { call(crmkit_options_set(o, k, v.c_str()), "crmkit_options_set"); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto n_customers = in.ConsumeIntegralInRange<std::uint32_t>(1, 64);
  const bool seconds = in.ConsumeBool();
  const bool with_amount = in.ConsumeBool();
  const auto period = in.ConsumeIntegralInRange<int>(0, 3);
  const bool obs_end = in.ConsumeBool();
  const auto obs_day = in.ConsumeIntegralInRange<int>(-1000, 30000);  // 1967 .. 2052
  const auto bins = in.ConsumeIntegralInRange<int>(1, 11);             // 1 and 11: refused
  const bool value_quantile = in.ConsumeBool();
  const bool mean_monetary = in.ConsumeBool();
  const bool raw_codes = in.ConsumeBool();
  const bool fit_gg = in.ConsumeBool();

  std::vector<std::uint32_t> customer;
  std::vector<std::int64_t> time;
  std::vector<double> amount;
  // Wider spans are valid but slow under the sanitizers (RFM's counting pass is sized by the day span,
  // up to 2^22 days): within +-30,000 days (+-3e9 s) a run takes milliseconds.
  const std::int64_t tmax = seconds ? 3'000'000'000LL : 30'000LL;
  while (in.remaining_bytes() > 0 && customer.size() < 512) {
    std::uint32_t c = in.ConsumeIntegralInRange<std::uint32_t>(0, n_customers - 1);
    if (raw_codes && in.ConsumeBool()) {
      c = in.ConsumeIntegral<std::uint32_t>();
    }
    std::int64_t t;
    const int kind = in.ConsumeIntegralInRange<int>(0, 7);
    if (kind < 4) t = in.ConsumeIntegralInRange<std::int64_t>(seconds ? 0 : 9000, seconds ? 1'000'000'000 : 12000);
    else if (kind < 7) t = in.ConsumeIntegralInRange<std::int64_t>(-tmax, tmax);
    else t = in.ConsumeIntegral<std::int64_t>();  // refused outside 0001-01-01..9999-12-31
    double a;
    if (in.ConsumeBool()) {
      a = in.ConsumeFloatingPointInRange<double>(-1000.0, 1000.0);
    } else {
      std::uint64_t bits = in.ConsumeIntegral<std::uint64_t>();
      std::memcpy(&a, &bits, sizeof a);
    }
    customer.push_back(c);
    time.push_back(t);
    amount.push_back(a);
  }
  const auto n = static_cast<std::int64_t>(customer.size());

  crmkit_transactions* tx = nullptr;
  const auto st = crmkit_transactions_from_arrays(customer.data(), time.data(), with_amount ? amount.data() : nullptr, n,
                                                  seconds ? CRMKIT_TIME_SECONDS : CRMKIT_TIME_DAYS, &tx);
  if (!call(st, "crmkit_transactions_from_arrays")) {
    require(tx == nullptr, "from_arrays failed but set *out");
    return 0;
  }
  std::int64_t rows = -1, nc = -1;
  call(crmkit_transactions_len(tx, &rows), "crmkit_transactions_len");
  call(crmkit_transactions_n_customers(tx, &nc), "crmkit_transactions_n_customers");
  require(rows == n, "transactions_len != n");

  // Summary.
  {
    Options o;
    if (period == 1) o.set("period", "week");
    if (period == 2) o.set("period", "month");
    if (period == 3) o.set("period", "day");
    if (obs_end) {
      const int y = 1970 + obs_day / 365;  // a valid date near the chosen day
      o.set("observation_end", std::to_string(y) + "-0" + std::to_string(1 + obs_day % 9) + "-1" + std::to_string(obs_day % 10));
    }
    crmkit_summary* s = nullptr;
    if (call(crmkit_summary_compute(tx, o.o, &s), "crmkit_summary_compute")) {
      std::int64_t len = 0;
      call(crmkit_summary_len(s, &len), "crmkit_summary_len");
      require(len >= 0 && len <= nc, "summary length > customers");
      std::vector<double> freq(static_cast<std::size_t>(len)), rec(freq.size()), T(freq.size()), mon(freq.size());
      for (const char* name : {"frequency", "recency", "T", "monetary_value", "first_purchase", "last_purchase",
                               "n_transactions", "total_spend"}) {
        std::vector<double> col(static_cast<std::size_t>(len));
        if (call(crmkit_summary_column(s, name, col.data(), len), "crmkit_summary_column")) finite(col, name);
        if (!std::strcmp(name, "frequency")) freq = col;
        if (!std::strcmp(name, "recency")) rec = col;
        if (!std::strcmp(name, "T")) T = col;
        if (!std::strcmp(name, "monetary_value")) mon = col;
      }
      for (std::size_t i = 0; i < freq.size(); ++i) {
        require(freq[i] >= 0 && rec[i] >= 0 && rec[i] <= T[i], "summary row breaks 0 <= recency <= T, frequency >= 0");
      }

      // BG/NBD fit, a few iterations, then predictions on the same customers.
      Options fo;
      fo.set("max_iterations", "25");
      fo.set("restarts", "0");
      crmkit_clv_model* m = nullptr;
      if (len > 0 && call(crmkit_clv_fit("bgnbd", freq.data(), rec.data(), T.data(), nullptr, nullptr, len, fo.o, &m),
                          "crmkit_clv_fit bgnbd")) {
        std::int64_t np = 0;
        call(crmkit_clv_param_count(m, &np), "crmkit_clv_param_count");
        for (std::int64_t i = 0; i < np; ++i) {
          double v = 0;
          call(crmkit_clv_param(m, i, nullptr, &v, nullptr), "crmkit_clv_param");
          crmkit::fuzz::require_finite(v, "bgnbd parameter", static_cast<std::size_t>(i));
        }
        double ll = 0, gn = 0;
        call(crmkit_clv_fit_info(m, nullptr, &ll, nullptr, nullptr, &gn), "crmkit_clv_fit_info");
        crmkit::fuzz::require_finite(ll, "log_likelihood");
        for (const char* what : {"p_alive", "conditional_expected_purchases", "expected_purchases",
                                 "probability_of_n_purchases", "dert"}) {
          std::vector<double> out(static_cast<std::size_t>(len));
          if (call(crmkit_clv_predict(m, what, 0.5, freq.data(), rec.data(), T.data(), nullptr, len, out.data()),
                   "crmkit_clv_predict"))
            finite(out, what);
        }
        crmkit_clv_free(m);
      } else {
        require(m == nullptr, "clv_fit failed but set *out");
      }
      if (fit_gg && len > 0) {
        crmkit_clv_model* g = nullptr;
        if (call(crmkit_clv_fit("gg", freq.data(), nullptr, nullptr, mon.data(), nullptr, len, fo.o, &g), "crmkit_clv_fit gg")) {
          std::vector<double> out(static_cast<std::size_t>(len));
          if (call(crmkit_clv_predict(g, "conditional_expected_spend", 0, freq.data(), nullptr, nullptr, mon.data(), len,
                                      out.data()),
                   "crmkit_clv_predict gg"))
            finite(out, "conditional_expected_spend");
          crmkit_clv_free(g);
        }
      }
      crmkit_summary_free(s);
    } else {
      require(s == nullptr, "summary failed but set *out");
    }
  }

  // RFM.
  {
    Options o;
    o.set("bins", std::to_string(bins));
    if (value_quantile) o.set("ties", "value-quantile");
    if (mean_monetary) o.set("monetary", "mean");
    crmkit_rfm* r = nullptr;
    if (call(crmkit_rfm_compute(tx, o.o, &r), "crmkit_rfm_compute")) {
      std::int64_t len = 0;
      call(crmkit_rfm_len(r, &len), "crmkit_rfm_len");
      require(len >= 0 && len <= nc, "rfm length > customers");
      for (const char* name : {"recency", "frequency", "monetary", "total_spend"}) {
        std::vector<double> col(static_cast<std::size_t>(len));
        if (call(crmkit_rfm_values(r, name, col.data(), len), "crmkit_rfm_values")) finite(col, name);
      }
      std::vector<std::int32_t> rs(static_cast<std::size_t>(len)), fs(rs.size()), ms(rs.size()), seg(rs.size());
      if (call(crmkit_rfm_scores(r, rs.data(), fs.data(), ms.data(), len), "crmkit_rfm_scores"))
        for (std::size_t i = 0; i < rs.size(); ++i)
          require(rs[i] >= 1 && rs[i] <= bins && fs[i] >= 1 && fs[i] <= bins && ms[i] >= 1 && ms[i] <= bins,
                  "RFM score outside 1..bins");
      std::int64_t nseg = 0;
      call(crmkit_rfm_segment_count(r, &nseg), "crmkit_rfm_segment_count");
      if (call(crmkit_rfm_segments(r, seg.data(), len), "crmkit_rfm_segments"))
        for (auto k : seg) require(k >= 0 && k < nseg, "segment index outside the names");
      for (const char* name : {"customers", "customer_share", "revenue", "revenue_share", "mean_recency",
                               "mean_frequency", "mean_monetary", "mean_r", "mean_f", "mean_m"}) {
        std::vector<double> col(static_cast<std::size_t>(nseg));
        if (call(crmkit_rfm_segment_summary(r, name, col.data(), nseg), "crmkit_rfm_segment_summary")) finite(col, name);
      }
      crmkit_rfm_free(r);
    } else {
      require(r == nullptr, "rfm failed but set *out");
    }
  }
  crmkit_transactions_free(tx);
  return 0;
}
