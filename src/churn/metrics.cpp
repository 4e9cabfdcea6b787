// Churn evaluation metrics (churn/metrics.hpp, docs/models/metrics.md).
#include "crmkit/churn/metrics.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>

#include "crmkit/core/error.hpp"

namespace crmkit::churn {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string text(double v) { return std::to_string(v); }

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

// LSD radix sort of 64-bit keys in 11-bit digits; digits that are equal for all keys are skipped.
void radix_sort(std::vector<std::uint64_t>& a) {
  constexpr int kBits = 11, kDigits = 6;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  const std::size_t n = a.size();
  if (n < 2) return;
  std::vector<std::array<std::uint32_t, kBuckets>> hist(kDigits);
  for (auto& h : hist) h.fill(0);
  for (std::uint64_t k : a)
    for (int d = 0; d < kDigits; ++d) ++hist[static_cast<std::size_t>(d)][(k >> (d * kBits)) & (kBuckets - 1)];
  std::vector<std::uint64_t> tmp(n);
  for (int d = 0; d < kDigits; ++d) {
    auto& h = hist[static_cast<std::size_t>(d)];
    const int shift = d * kBits;
    if (h[(a[0] >> shift) & (kBuckets - 1)] == n) continue;  // every key has this digit
    std::uint32_t sum = 0;
    for (auto& c : h) {
      const std::uint32_t c0 = c;
      c = sum;
      sum += c0;
    }
    for (std::uint64_t k : a) tmp[h[(k >> shift) & (kBuckets - 1)]++] = k;
    a.swap(tmp);
  }
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
  const std::size_t pos = check(fn, score, label, false);
  need_both(fn, pos, score.size());
  std::vector<std::uint64_t> p, q;
  p.reserve(pos);
  q.reserve(score.size() - pos);
  for (std::size_t i = 0; i < score.size(); ++i) (label[i] == 1.0 ? p : q).push_back(key(score[i]));
  radix_sort(p);
  radix_sort(q);
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
