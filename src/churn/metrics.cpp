// Churn evaluation metrics (churn/metrics.hpp, docs/models/metrics.md).
#include "crmkit/churn/metrics.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <string>

#include "crmkit/core/error.hpp"

namespace crmkit::churn {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string text(double v) { return number_text(v); }

// Checks sizes, labels and scores; returns the number of positives.
std::size_t check(const char* fn, std::span<const double> score, std::span<const double> label, bool probability) {
  if (score.size() != label.size())
    throw InvalidArgument(fn, "label", std::to_string(label.size()) + " values",
                          "must have one label per score (" + std::to_string(score.size()) + ")");
  if (score.empty()) throw InvalidArgument(fn, "score", "0 values", "needs at least one value");
  std::size_t pos = 0;
  for (std::size_t i = 0; i < score.size(); ++i) {
    const double y = label[i];
    if (y != 0.0 && y != 1.0) throw InvalidArgument(fn, "label[" + std::to_string(i) + "]", text(y), "must be 0 or 1");
    pos += y == 1.0;
    const double s = score[i];
    if (probability ? !(s >= 0.0 && s <= 1.0) : !std::isfinite(s))
      throw InvalidArgument(fn, (probability ? "probability[" : "score[") + std::to_string(i) + "]", text(s),
                            probability ? "must be a probability in [0, 1]" : "must be finite");
  }
  return pos;
}

void need_both(const char* fn, std::size_t pos, std::size_t n) {
  if (pos == 0 || pos == n)
    throw InvalidArgument(fn, "label", pos == 0 ? "all 0" : "all 1",
                          "needs both classes (the metric is undefined with one class)");
}

// Order-preserving map of a finite double to an unsigned key (-0.0 and 0.0 map to one key).
inline std::uint64_t key(double x) noexcept {
  if (x == 0.0) x = 0.0;
  const auto b = std::bit_cast<std::uint64_t>(x);
  return (b & 0x8000000000000000ULL) ? ~b : (b | 0x8000000000000000ULL);
}

// Sorts n 64-bit keys: an LSD radix sort on the top 32 bits only (three digits of 11, 11 and 10 bits;
// a digit equal for all keys is skipped), then a pass that orders each run of equal top halves by the
// full key (insertion sort for short runs, std::sort beyond 32). Scores rarely share their top 32 bits
// (sign, exponent and 20 mantissa bits), so the runs are short and this does three scatter passes
// instead of six; keys equal in their top halves cost a comparison sort, never a wrong order.
// `hist` holds the digit counts of the keys (counted by the caller while it wrote them); `tmp` has room
// for n keys. Returns where the sorted keys are (a or tmp).
constexpr int kDigits = 3;
constexpr int kShift[kDigits] = {32, 43, 54};
constexpr std::uint64_t kMask[kDigits] = {0x7FF, 0x7FF, 0x3FF};
constexpr std::size_t kBuckets = 2048;
using Histogram = std::array<std::array<std::uint32_t, kBuckets>, kDigits>;

inline void count_digits(Histogram& h, std::uint64_t k) noexcept {
  for (int d = 0; d < kDigits; ++d) ++h[static_cast<std::size_t>(d)][(k >> kShift[d]) & kMask[d]];
}

std::uint64_t* radix_sort(std::uint64_t* a, std::uint64_t* tmp, std::size_t n, Histogram& hist) {
  if (n < 2) return a;
  for (int d = 0; d < kDigits; ++d) {
    auto& h = hist[static_cast<std::size_t>(d)];
    const int shift = kShift[d];
    const std::uint64_t mask = kMask[d];
    if (h[(a[0] >> shift) & mask] == n) continue;  // every key has this digit
    std::uint32_t sum = 0;
    for (auto& c : h) {
      const std::uint32_t c0 = c;
      c = sum;
      sum += c0;
    }
    for (std::size_t i = 0; i < n; ++i) tmp[h[(a[i] >> shift) & mask]++] = a[i];
    std::swap(a, tmp);
  }
  for (std::size_t i = 0; i + 1 < n;) {
    const std::uint64_t top = a[i] >> 32;
    std::size_t e = i + 1;
    while (e < n && (a[e] >> 32) == top) ++e;
    if (e - i > 32) {
      std::sort(a + i, a + e);
    } else {
      for (std::size_t j = i + 1; j < e; ++j) {
        const std::uint64_t k = a[j];
        std::size_t m = j;
        for (; m > i && a[m - 1] > k; --m) a[m] = a[m - 1];
        a[m] = k;
      }
    }
    i = e;
  }
  return a;
}

// Rows sorted by score descending; ties keep input order.
std::vector<std::uint32_t> order_desc(std::span<const double> score) {
  std::vector<std::uint32_t> idx(score.size());
  std::iota(idx.begin(), idx.end(), 0u);
  std::stable_sort(idx.begin(), idx.end(), [&](std::uint32_t a, std::uint32_t b) { return score[a] > score[b]; });
  return idx;
}

// Cumulative (fp, tp) at the end of each tie group, by descending score, and the group's score.
struct Steps {
  std::vector<double> fp, tp, threshold;
};
Steps steps(std::span<const double> score, std::span<const double> label) {
  const auto idx = order_desc(score);
  Steps s;
  double tp = 0, fp = 0;
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const auto i = idx[k];
    tp += label[i];
    fp += 1.0 - label[i];
    if (k + 1 == idx.size() || score[idx[k + 1]] != score[i]) {
      s.fp.push_back(fp);
      s.tp.push_back(tp);
      s.threshold.push_back(score[i]);
    }
  }
  return s;
}

}  // namespace

double roc_auc(std::span<const double> score, std::span<const double> label) {
  const char* fn = "churn::roc_auc";
  if (score.size() >= (std::size_t{1} << 32))
    throw InvalidArgument(fn, "score", std::to_string(score.size()) + " values", "must be fewer than 2^32");
  if (score.size() != label.size() || score.empty()) check(fn, score, label, false);  // throws
  // One pass: validate, map scores to keys, partition them without branches (positives from the front,
  // negatives from the back; a slot's last write is its own key) and count the radix digits per class.
  // Bad input is named by check(), which rescans.
  const std::size_t n = score.size();
  auto buf = std::make_unique_for_overwrite<std::uint64_t[]>(n);
  auto tmp = std::make_unique_for_overwrite<std::uint64_t[]>(n);
  auto hist = std::make_unique<std::array<Histogram, 2>>();  // [0] negatives, [1] positives; zeroed
  std::size_t ip = 0, iq = n - 1;
  bool bad = false;
  for (std::size_t i = 0; i < n; ++i) {
    const double y = label[i], s = score[i];
    bad |= !((y == 0.0) | (y == 1.0)) | !std::isfinite(s);
    const std::uint64_t k = key(s);
    const std::size_t one = y == 1.0;
    buf[ip] = k;
    buf[iq] = k;
    ip += one;
    iq -= 1 - one;
    count_digits((*hist)[one], k);
  }
  if (bad) check(fn, score, label, false);  // throws, naming the first bad value
  const std::size_t pos = ip;
  need_both(fn, pos, n);
  const std::span<const std::uint64_t> p(radix_sort(buf.get(), tmp.get(), pos, (*hist)[1]), pos);
  const std::span<const std::uint64_t> q(radix_sort(buf.get() + pos, tmp.get() + pos, n - pos, (*hist)[0]), n - pos);
  // For each group of equal positive keys: negatives below count 1, ties 1/2 (exact in integers).
  std::uint64_t twice = 0;  // 2 * U
  std::size_t j = 0;
  for (std::size_t i = 0; i < p.size();) {
    const std::uint64_t k = p[i];
    std::size_t e = i;
    while (e < p.size() && p[e] == k) ++e;
    while (j < q.size() && q[j] < k) ++j;
    std::size_t t = j;
    while (t < q.size() && q[t] == k) ++t;
    twice += static_cast<std::uint64_t>(e - i) * (2 * j + (t - j));
    i = e;
  }
  return static_cast<double>(twice) / (2.0 * static_cast<double>(p.size()) * static_cast<double>(q.size()));
}

RocCurve roc_curve(std::span<const double> score, std::span<const double> label) {
  const char* fn = "churn::roc_curve";
  const std::size_t pos = check(fn, score, label, false);
  need_both(fn, pos, score.size());
  const Steps s = steps(score, label);
  const double P = static_cast<double>(pos), N = static_cast<double>(score.size() - pos);
  RocCurve c;
  c.fpr.push_back(0);
  c.tpr.push_back(0);
  c.thresholds.push_back(std::numeric_limits<double>::infinity());
  for (std::size_t k = 0; k < s.fp.size(); ++k) {
    c.fpr.push_back(s.fp[k] / N);
    c.tpr.push_back(s.tp[k] / P);
    c.thresholds.push_back(s.threshold[k]);
  }
  return c;
}

double average_precision(std::span<const double> score, std::span<const double> label) {
  const char* fn = "churn::average_precision";
  const std::size_t pos = check(fn, score, label, false);
  need_both(fn, pos, score.size());
  const Steps s = steps(score, label);
  const double P = static_cast<double>(pos);
  double ap = 0, prev_recall = 0;
  for (std::size_t k = 0; k < s.tp.size(); ++k) {
    const double recall = s.tp[k] / P;
    const double precision = s.tp[k] / (s.tp[k] + s.fp[k]);
    ap += (recall - prev_recall) * precision;
    prev_recall = recall;
  }
  return ap;
}

double log_loss(std::span<const double> probability, std::span<const double> label) {
  check("churn::log_loss", probability, label, true);
  constexpr double eps = std::numeric_limits<double>::epsilon();
  double sum = 0;
  for (std::size_t i = 0; i < probability.size(); ++i) {
    const double p = std::clamp(probability[i], eps, 1.0 - eps);
    sum -= label[i] == 1.0 ? std::log(p) : std::log1p(-p);
  }
  return sum / static_cast<double>(probability.size());
}

double brier_score(std::span<const double> probability, std::span<const double> label) {
  check("churn::brier_score", probability, label, true);
  double sum = 0;
  for (std::size_t i = 0; i < probability.size(); ++i) sum += (probability[i] - label[i]) * (probability[i] - label[i]);
  return sum / static_cast<double>(probability.size());
}

Metrics evaluate(std::span<const double> probability, std::span<const double> label) {
  Metrics m;
  m.auc = roc_auc(probability, label);
  m.pr_auc = average_precision(probability, label);
  m.log_loss = log_loss(probability, label);
  m.brier = brier_score(probability, label);
  return m;
}

std::vector<LiftRow> lift_table(std::span<const double> score, std::span<const double> label, std::size_t bins) {
  const char* fn = "churn::lift_table";
  const std::size_t pos = check(fn, score, label, false);
  const std::size_t n = score.size();
  if (bins < 1 || bins > n)
    throw InvalidArgument(fn, "bins", std::to_string(bins), "must be in 1.." + std::to_string(n) + " (the number of rows)");
  if (pos == 0) throw InvalidArgument(fn, "label", "all 0", "needs at least one positive (lift divides by the churn rate)");
  const auto idx = order_desc(score);
  const double overall = static_cast<double>(pos) / static_cast<double>(n);
  std::vector<LiftRow> rows;
  double cum_pos = 0, cum_n = 0;
  for (std::size_t b = 0; b < bins; ++b) {
    const std::size_t lo = b * n / bins, hi = (b + 1) * n / bins;
    LiftRow r;
    r.bin = b + 1;
    r.count = hi - lo;
    r.max_score = score[idx[lo]];
    r.min_score = score[idx[hi - 1]];
    for (std::size_t k = lo; k < hi; ++k) r.positives += label[idx[k]];
    cum_pos += r.positives;
    cum_n += static_cast<double>(r.count);
    r.rate = r.positives / static_cast<double>(r.count);
    r.lift = r.rate / overall;
    r.cumulative_gain = cum_pos / static_cast<double>(pos);
    r.cumulative_lift = (cum_pos / cum_n) / overall;
    rows.push_back(r);
  }
  return rows;
}

std::vector<CalibrationRow> calibration_table(std::span<const double> probability, std::span<const double> label,
                                              std::size_t bins) {
  const char* fn = "churn::calibration_table";
  check(fn, probability, label, true);
  if (bins < 1 || bins > 10000) throw InvalidArgument(fn, "bins", std::to_string(bins), "must be in 1..10000");
  std::vector<CalibrationRow> rows(bins);
  std::vector<double> sum_p(bins, 0.0), sum_y(bins, 0.0);
  const double k = static_cast<double>(bins);
  const double step = 1.0 / k;  // edges as numpy.linspace(0, 1, bins + 1): i * step, the last exactly 1
  for (std::size_t b = 0; b < bins; ++b) {
    rows[b].lower = static_cast<double>(b) * step;
    rows[b].upper = b + 1 == bins ? 1.0 : static_cast<double>(b + 1) * step;
  }
  for (std::size_t i = 0; i < probability.size(); ++i) {
    const double p = probability[i];
    // numpy.searchsorted(inner edges, p, side="left"): the first b with p <= upper edge b
    auto b = static_cast<std::size_t>(std::min(k - 1, std::max(0.0, std::floor(p * k))));
    while (b > 0 && p <= rows[b - 1].upper) --b;
    while (b + 1 < bins && p > rows[b].upper) ++b;
    ++rows[b].count;
    sum_p[b] += p;
    sum_y[b] += label[i];
  }
  for (std::size_t b = 0; b < bins; ++b) {
    const double c = static_cast<double>(rows[b].count);
    rows[b].mean_predicted = rows[b].count ? sum_p[b] / c : kNaN;
    rows[b].observed = rows[b].count ? sum_y[b] / c : kNaN;
  }
  return rows;
}

Confusion confusion(std::span<const double> score, std::span<const double> label, double threshold) {
  const char* fn = "churn::confusion";
  check(fn, score, label, false);
  if (std::isnan(threshold)) throw InvalidArgument(fn, "threshold", "nan", "must be a number");
  Confusion c;
  for (std::size_t i = 0; i < score.size(); ++i) {
    const bool pred = score[i] >= threshold;
    const bool y = label[i] == 1.0;
    if (pred && y) c.tp += 1;
    else if (pred) c.fp += 1;
    else if (y) c.fn += 1;
    else c.tn += 1;
  }
  c.precision = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 0.0;
  c.recall = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0.0;
  c.accuracy = (c.tp + c.tn) / static_cast<double>(score.size());
  c.f1 = c.precision + c.recall > 0 ? 2 * c.precision * c.recall / (c.precision + c.recall) : 0.0;
  return c;
}

}  // namespace crmkit::churn
