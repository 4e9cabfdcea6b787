// The analysis pipeline (include/crmkit/analysis/analysis.hpp).
#include "crmkit/analysis/analysis.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

#include <Eigen/Core>

#include "crmkit/churn/cohorts.hpp"
#include "crmkit/churn/logistic.hpp"
#include "crmkit/churn/metrics.hpp"
#include "crmkit/churn/survival.hpp"
#include "crmkit/churn/validation.hpp"
#include "crmkit/clv/model.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/io/interactions.hpp"
#include "crmkit/io/table.hpp"
#include "crmkit/version.hpp"

namespace crmkit::analysis {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// lifetimes' periods per month (freq D / W / M), the convention clv::ClvOptions documents.
double periods_per_month(summary::Period p) {
  switch (p) {
    case summary::Period::Day: return 30.0;
    case summary::Period::Week: return 4.345;
    case summary::Period::Month: return 1.0;
  }
  return 1.0;
}

struct Stepper {
  const Progress& progress;
  int steps;
  int step = 0;
  void operator()(std::string_view what) {
    ++step;
    if (progress) progress(step, steps, what);
  }
  /// Progress inside the current step (same step number, a more specific text), for long steps.
  void detail(const std::string& what) const {
    if (progress) progress(step, steps, what);
  }
};

clv::ModelData pattern_data(const summary::Patterns& p) {
  clv::ModelData d;
  d.frequency = p.frequency;
  d.recency = p.recency;
  d.T = p.T;
  d.weights = p.weight;
  return d;
}

// Prediction per pattern, scattered to the rows.
std::vector<double> scatter(const std::vector<double>& per_pattern, const std::vector<std::uint32_t>& index) {
  std::vector<double> out(index.size());
  for (std::size_t i = 0; i < index.size(); ++i) out[i] = per_pattern[index[i]];
  return out;
}

FittedModel describe(const clv::Model& m) {
  FittedModel f;
  f.key = m.key();
  f.title = m.title();
  f.param_names = m.param_names();
  f.params = m.param_values();
  f.log_likelihood = m.info().log_likelihood;
  f.converged = m.info().converged();
  f.iterations = m.info().iterations;
  return f;
}

// Repeat transactions (distinct purchase days after a customer's first) per day offset from day0, over
// customers whose first purchase is on or before cohort_end. A counting sort of the rows by day keeps it
// O(rows + days) whatever the row order.
std::vector<double> repeat_events_by_day(const core::TransactionsView& tx, std::int64_t day0, std::int64_t last_day,
                                         const std::vector<std::int64_t>& first_day_by_code,
                                         std::int64_t cohort_end) {
  const auto span = static_cast<std::size_t>(last_day - day0 + 1);
  std::vector<std::uint32_t> start(span + 1, 0);
  const std::size_t n = tx.size();
  auto day_of = [&](std::size_t i) { return core::to_day(tx.time[i], tx.time_unit); };
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t d = day_of(i);
    if (d < day0 || d > last_day) continue;
    ++start[static_cast<std::size_t>(d - day0) + 1];
  }
  for (std::size_t k = 1; k <= span; ++k) start[k] += start[k - 1];
  std::vector<std::uint32_t> order(start[span]);
  {
    std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t d = day_of(i);
      if (d < day0 || d > last_day) continue;
      order[fill[static_cast<std::size_t>(d - day0)]++] = tx.customer[i];
    }
  }
  std::vector<double> events(span, 0.0);
  std::vector<std::int64_t> last_seen(first_day_by_code.size(), std::numeric_limits<std::int64_t>::min());
  for (std::size_t k = 0; k < span; ++k) {
    const std::int64_t day = day0 + static_cast<std::int64_t>(k);
    for (std::uint32_t j = start[k]; j < start[k + 1]; ++j) {
      const std::uint32_t c = order[j];
      if (last_seen[c] == day) continue;
      last_seen[c] = day;
      const std::int64_t first = first_day_by_code[c];
      if (first < day && first <= cohort_end) events[k] += 1;
    }
  }
  return events;
}

// Expected cumulative repeat transactions of a cohort at tracking points: sum over first-purchase days
// d of n_d * E[X((t - d) / period)] (Fader, Hardie & Lee 2005, the tracking plot).
struct TrackingCurve {
  std::vector<double> t, actual, expected;
};
TrackingCurve tracking_curve(const clv::Model& model, const std::vector<double>& events, std::int64_t day0,
                             const std::vector<std::int64_t>& first_days, double period_days) {
  const std::size_t span = events.size();
  std::vector<double> first_count(span, 0.0);
  for (std::int64_t d : first_days) {
    const std::int64_t k = d - day0;
    if (k >= 0 && static_cast<std::size_t>(k) < span) first_count[static_cast<std::size_t>(k)] += 1;
  }
  std::vector<std::size_t> cohort_days;
  for (std::size_t k = 0; k < span; ++k)
    if (first_count[k] > 0) cohort_days.push_back(k);
  // E[X(h)] of a new customer for every whole-day age h = 0..span.
  std::vector<double> ex(span + 1, 0.0);
  {
    const double one = 1.0;
    clv::ModelData d;
    d.frequency = std::span<const double>(&one, 1);
    d.recency = std::span<const double>(&one, 1);
    d.T = std::span<const double>(&one, 1);
    std::vector<double> horizons(span + 1);
    for (std::size_t h = 0; h <= span; ++h) horizons[h] = static_cast<double>(h) / period_days;
    double out = 0;
    for (std::size_t h = 1; h <= span; ++h) {
      model.predict("expected_purchases", horizons[h], d, std::span<double>(&out, 1));
      ex[h] = out;
    }
  }
  // Points: one per period (at most ~200 of them), and the last day.
  std::size_t step = static_cast<std::size_t>(std::max(1.0, std::round(period_days)));
  while (span / step > 200) step *= 2;
  TrackingCurve c;
  double cum = 0;
  std::size_t next = 0;
  for (std::size_t k = 0; k < span; ++k) {
    cum += events[k];
    if (k != next && k + 1 != span) continue;
    next = k + step;
    double e = 0;
    for (std::size_t d : cohort_days) {
      if (d >= k) break;
      e += first_count[d] * ex[k - d];
    }
    c.t.push_back(static_cast<double>(k + 1) / period_days);
    c.actual.push_back(cum);
    c.expected.push_back(e);
  }
  return c;
}

// ROC, gains and lift of a score against 0/1 labels given as (score, positives, total) groups; equal
// scores form one tie group (a diagonal ROC step, as scikit-learn's roc_curve / roc_auc_score).
ChurnScore churn_curves(std::string name, const std::vector<double>& raw_score, const std::vector<double>& pos,
                        const std::vector<double>& tot) {
  ChurnScore h;
  h.name = std::move(name);
  // A score without a value (NaN) ranks last.
  std::vector<double> score(raw_score);
  for (double& v : score)
    if (std::isnan(v)) v = -std::numeric_limits<double>::infinity();
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  double P = 0, N = 0;
  for (std::size_t i = 0; i < score.size(); ++i) {
    P += pos[i];
    N += tot[i] - pos[i];
  }
  h.roc.clear();
  h.gains.clear();
  h.roc.push_back({0, 0});
  h.gains.push_back({0, 0});
  double tp = 0, fp = 0, auc = 0, seen = 0;
  const double all = P + N;
  std::vector<Point> gains_full{{0, 0}};
  for (std::size_t k = 0; k < order.size();) {
    const double s = score[order[k]];
    double gp = 0, gt = 0;
    do {
      gp += pos[order[k]];
      gt += tot[order[k]];
      ++k;
    } while (k < order.size() && score[order[k]] == s);
    const double ptp = tp, pfp = fp;
    tp += gp;
    fp += gt - gp;
    seen += gt;
    if (P > 0 && N > 0) auc += (fp - pfp) / N * (tp + ptp) / (2 * P);
    h.roc.push_back({N > 0 ? fp / N : 0, P > 0 ? tp / P : 0});
    gains_full.push_back({all > 0 ? seen / all : 0, P > 0 ? tp / P : 0});
  }
  h.auc = (P > 0 && N > 0) ? auc : kNaN;
  // Thin the curves to at most ~200 points for drawing (keeping the ends).
  auto thin = [](std::vector<Point>& v) {
    if (v.size() <= 220) return;
    std::vector<Point> out;
    const double every = static_cast<double>(v.size() - 1) / 200.0;
    for (int i = 0; i <= 200; ++i) out.push_back(v[static_cast<std::size_t>(std::round(i * every))]);
    v.swap(out);
  };
  // Gains at a share x, by linear interpolation within a tie group.
  auto gain_at = [&](double x) {
    for (std::size_t i = 1; i < gains_full.size(); ++i)
      if (gains_full[i].x >= x) {
        const Point a = gains_full[i - 1], b = gains_full[i];
        return b.x > a.x ? a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x) : b.y;
      }
    return gains_full.back().y;
  };
  h.lift.clear();
  for (int dcl = 1; dcl <= 10; ++dcl) {
    const double caught = gain_at(dcl / 10.0) - gain_at((dcl - 1) / 10.0);
    h.lift.push_back(caught / 0.1);
  }
  h.gains = gains_full;
  thin(h.roc);
  thin(h.gains);
  return h;
}

double top_share(std::vector<double> values, double top) {
  double total = 0;
  for (double v : values) total += v;
  if (values.empty() || !(total > 0)) return 0;
  const auto k = static_cast<std::size_t>(std::ceil(top * static_cast<double>(values.size())));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k - 1), values.end(), std::greater<>());
  double s = 0;
  for (std::size_t i = 0; i < k; ++i) s += values[i];
  return s / total;
}


// The calibration-summary features of the logistic churn model, one row per customer: frequency,
// recency, T and (when the log has amounts) monetary_value.
Eigen::MatrixXd churn_features(const summary::CustomerSummary& s, bool amounts) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(s.size()), amounts ? 4 : 3);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    x(r, 0) = s.frequency[i];
    x(r, 1) = s.recency[i];
    x(r, 2) = s.T[i];
    if (amounts) x(r, 3) = s.monetary_value[i];
  }
  return x;
}

// The service section: metrics by channel (when the file has a channel column), NPS when it has a
// score column, and how many of its customers the transaction log knows.
ServiceSection service_section(const std::string& path, const core::Dictionary* ids,
                               const std::vector<std::int64_t>& first_by_code) {
  const io::CsvTable t = io::read_table(path);
  ServiceSection sv;
  sv.source = path;
  sv.interactions = t.rows();
  if (const auto ch = t.find({"channel"})) sv.by = t.header()[*ch];
  const bool metric = t.find({"csat", "csat_score", "satisfaction"}) || t.find({"ces", "ces_score", "effort"}) ||
                      t.find({"first_response_minutes", "response_minutes", "first_response_time"}) ||
                      t.find({"resolved_first_contact", "first_contact_resolution", "fcr"});
  const auto nps_col = t.find({"nps", "nps_score", "score", "likelihood_to_recommend", "recommend"});
  if (!metric && !nps_col)
    throw ParseError(t.source(), 1, 0, "",
                     "at least one service column (csat, ces, first_response_minutes, resolved_first_contact) or "
                     "an NPS score column (nps, score, likelihood_to_recommend)",
                     "none in the header");
  if (metric) sv.metrics = service::service_metrics_csv(path, sv.by);
  if (nps_col) {
    sv.nps_column = t.header()[*nps_col];
    sv.nps = service::nps_csv(path, sv.by, sv.nps_column);
  }
  if (const auto cc = t.find({"customer_id", "customer", "client_id", "client"})) {
    sv.customer_column = t.header()[*cc];
    core::Dictionary seen;
    std::vector<char> matched;  // by code of `seen`
    for (std::size_t r = 0; r < t.rows(); ++r) {
      std::string_view cell = t.cell(r, *cc);
      while (!cell.empty() && cell.front() == ' ') cell.remove_prefix(1);
      while (!cell.empty() && cell.back() == ' ') cell.remove_suffix(1);
      if (cell.empty()) continue;
      std::uint32_t code = core::Dictionary::npos;
      if (ids) {
        code = ids->find(cell);
      } else {
        std::uint64_t v = 0;
        const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
        if (ec == std::errc() && ptr == cell.data() + cell.size() && v < first_by_code.size())
          code = static_cast<std::uint32_t>(v);
      }
      // A customer of the analysis has a purchase on or before as_of.
      const bool known = code != core::Dictionary::npos && code < first_by_code.size() &&
                         first_by_code[code] != std::numeric_limits<std::int64_t>::max();
      const std::uint32_t k = seen.encode(cell);
      if (k >= matched.size()) matched.push_back(known ? 1 : 0);
      sv.matched_interactions += known ? 1 : 0;
    }
    sv.customers = seen.size();
    for (char m : matched) sv.matched_customers += m ? 1 : 0;
  }
  return sv;
}

}  // namespace

std::string Results::id(std::size_t i) const {
  const std::uint32_t code = customers.customer[i];
  if (ids && code < ids->size()) return ids->ids()[code];
  return std::to_string(code);
}

Results analyze(const Inputs& inputs, const Options& options) {
  const core::TransactionsView tx = inputs.transactions.validated("analysis::analyze");
  if (tx.size() == 0) throw InvalidArgument("analysis::analyze", "transactions", "0 rows", "must not be empty");
  if (options.horizon_months < 1)
    throw InvalidArgument("analysis::analyze", "horizon_months", std::to_string(options.horizon_months), "must be >= 1");
  if (!(options.discount_rate >= 0))
    throw InvalidArgument("analysis::analyze", "discount_rate", number_text(options.discount_rate), "must be >= 0");
  if (!(options.margin > 0))
    throw InvalidArgument("analysis::analyze", "margin", number_text(options.margin), "must be > 0");

  Stepper step{options.progress, options.calibration_end ? 7 : 6};
  Results res;
  res.title = options.title;
  res.source = inputs.transactions_source;
  res.period = options.period;
  res.horizon_months = options.horizon_months;
  res.discount_rate = options.discount_rate;
  res.margin = options.margin;
  res.ids = inputs.ids;
  res.amounts = !tx.amount.empty();
  if (!res.amounts)
    res.notes.push_back({"Spend and value", "The log has no amounts: revenue, spend and customer lifetime value "
                                            "are left out; segments, activity and churn use purchases alone."});

  // ---- 1. summaries and RFM ------------------------------------------------------------------------
  step("summaries and RFM segments");
  std::int64_t first_day = std::numeric_limits<std::int64_t>::max(), last_day = std::numeric_limits<std::int64_t>::min();
  for (std::int64_t t : tx.time) {
    const std::int64_t d = core::to_day(t, tx.time_unit);
    first_day = std::min(first_day, d);
    last_day = std::max(last_day, d);
  }
  res.as_of = options.as_of.value_or(last_day);
  res.first_day = first_day;
  if (res.as_of < first_day)
    throw InvalidArgument("analysis::analyze", "as_of", io::format_date(res.as_of),
                          "must not be before the first transaction (" + io::format_date(first_day) + ")");
  if (options.calibration_end && (*options.calibration_end >= res.as_of || *options.calibration_end < first_day))
    throw InvalidArgument("analysis::analyze", "calibration_end", io::format_date(*options.calibration_end),
                          "must be on or after the first transaction (" + io::format_date(first_day) +
                              ") and before the as-of day (" + io::format_date(res.as_of) + ")");

  summary::SummaryOptions so;
  so.period = options.period;
  so.observation_end = res.as_of;
  summary::CustomerSummary s = summary::summarize(tx, so);
  rfm::RfmOptions ro;
  ro.as_of = res.as_of;
  ro.bins = options.rfm_bins;
  rfm::RfmTable rt = rfm::compute(tx, ro);
  const rfm::Segmentation seg = rfm::Segmentation::preset(options.segments);
  if (!res.amounts && options.segments != "rf-grid")
    throw InvalidArgument("analysis::analyze", "segments", options.segments,
                          "uses monetary scores, and the log has no amounts: use rf-grid");
  if (seg.bins != options.rfm_bins)
    throw InvalidArgument("analysis::analyze", "segments", options.segments,
                          "is written for " + std::to_string(seg.bins) + " bins, not " + std::to_string(options.rfm_bins));
  if (rt.size() != s.size()) throw Error("analysis: RFM and summary disagree on the customers");  // invariant
  auto& c = res.customers;
  c.segment = rfm::assign(rt, seg);
  res.segment_names = seg.names();
  res.segments = rfm::segment_summary(rt, c.segment, seg);
  for (std::int64_t t : tx.time)
    if (core::to_day(t, tx.time_unit) <= res.as_of) ++res.n_transactions;
  res.n_customers = s.size();
  double revenue = 0, repeaters = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    revenue += s.total_spend[i];
    repeaters += s.frequency[i] > 0 ? 1 : 0;
  }
  res.revenue = revenue;
  res.repeat_customer_share = s.size() ? repeaters / static_cast<double>(s.size()) : 0;
  res.top20_revenue_share = top_share(s.total_spend, 0.2);

  c.customer = s.customer;
  c.frequency = s.frequency;
  c.recency = s.recency;
  c.T = s.T;
  c.monetary_value = s.monetary_value;
  c.total_spend = s.total_spend;
  c.first_purchase = s.first_purchase;
  c.last_purchase = s.last_purchase;
  c.n_transactions = s.n_transactions;
  c.rfm_recency = std::move(rt.recency);
  c.rfm_frequency = std::move(rt.frequency);
  c.rfm_monetary = std::move(rt.monetary);
  c.r = std::move(rt.r);
  c.f = std::move(rt.f);
  c.m = std::move(rt.m);
  const std::size_t n = s.size();
  const double pdays = summary::period_days(options.period);
  const double ppm = periods_per_month(options.period);
  const double horizon = options.horizon_months * ppm;

  // ---- 2. the transaction model --------------------------------------------------------------------
  step("transaction model");
  core::FitOptions fo;
  fo.penalizer = options.penalizer;
  const auto avail = clv::Model::available();
  std::vector<std::string> keys;
  for (const char* k : {"bgnbd", "pnbd"})
    if (std::find(avail.begin(), avail.end(), k) != avail.end()) keys.emplace_back(k);
  if (std::find(keys.begin(), keys.end(), "pnbd") == keys.end())
    res.notes.push_back({"Transaction model", "Pareto/NBD is not in this build: BG/NBD is the only candidate."});

  std::optional<summary::HoldoutSummary> hs;
  std::optional<summary::Patterns> cal_patterns;
  if (options.calibration_end) {
    hs = summary::summarize_holdout(tx, *options.calibration_end, so);
    cal_patterns = summary::compress(hs->calibration);
  }
  const summary::Patterns patterns = summary::compress(s);
  std::vector<clv::Model> fitted_cal;  // with a calibration end, the calibration fits by candidate
  std::optional<clv::Model> model;
  std::size_t best = 0;
  double best_score = std::numeric_limits<double>::infinity();
  bool best_converged = false;
  std::vector<clv::Model> fitted;
  for (std::size_t ki = 0; ki < keys.size(); ++ki) {
    const auto& key = keys[ki];
    ModelCandidate cand;
    cand.key = key;
    try {
      const summary::Patterns& p = hs ? *cal_patterns : patterns;
      step.detail("transaction model: fitting " + key + " (" + std::to_string(ki + 1) + " of " +
                  std::to_string(keys.size()) + (hs ? ", calibration period" : "") + ")");
      clv::Model m = clv::Model::fit(key, pattern_data(p), fo);
      cand.title = m.title();
      cand.ok = true;
      cand.log_likelihood = m.info().log_likelihood;
      cand.converged = m.info().converged();
      cand.param_names = m.param_names();
      cand.params = m.param_values();
      cand.holdout_mae = kNaN;
      double score = -cand.log_likelihood;
      if (hs) {
        std::vector<double> pred(p.size());
        m.predict("conditional_expected_purchases", hs->duration_holdout, pattern_data(p), pred);
        double err = 0, tot = 0;
        for (std::size_t i = 0; i < hs->size(); ++i) {
          const double e = pred[p.index[i]];
          err += std::abs(e - hs->frequency_holdout[i]);
          tot += e;
        }
        cand.holdout_mae = hs->size() ? err / static_cast<double>(hs->size()) : 0;
        cand.holdout_predicted = tot;
        score = cand.holdout_mae;
      }
      // A converged fit beats one that did not converge whatever their scores: a non-converged fit's
      // likelihood is only where its search stopped (issue 13: a Pareto/NBD stuck on its way to a
      // boundary won over a converged BG/NBD by 5 log-likelihood points).
      if ((cand.converged && !best_converged) || (cand.converged == best_converged && score < best_score)) {
        best_score = score;
        best = fitted.size();
        best_converged = cand.converged;
      }
      fitted.push_back(std::move(m));
      res.candidates.push_back(std::move(cand));
    } catch (const Error& e) {
      cand.error = e.what();
      res.candidates.push_back(std::move(cand));
    }
  }
  if (!fitted.empty()) {
    res.selection = fitted.size() == 1 ? "only" : hs ? "holdout" : "likelihood";
    const std::string key = fitted[best].key();
    if (hs) {
      fitted_cal.push_back(fitted[best]);
      step.detail("transaction model: fitting " + key + " to the whole period");
      model = clv::Model::fit(key, pattern_data(patterns), fo);
    } else {
      model = fitted[best];
    }
    res.transaction_model = describe(*model);
    if (model->info().limit == "nbd")
      res.notes.push_back({"Transaction model", "The " + model->title() + " likelihood is highest in its no-dropout "
                                                "limit: nobody is seen to drop out, purchases follow the NBD (s = 0), "
                                                "so P(alive) is 1 for every customer."});
    if (!model->info().converged())
      res.notes.push_back({"Transaction model", "The " + model->title() + " fit did not converge (" +
                                                    std::string(core::fit_status_name(model->info().status)) +
                                                    "): treat its predictions with care."});
  } else {
    res.notes.push_back({"Transaction model", keys.empty() ? "No transaction model is in this build."
                                                           : "No transaction model could be fitted: " +
                                                                 (res.candidates.empty() ? std::string() : res.candidates[0].error)});
  }

  // ---- 3. P(alive), expected purchases, churn risk ---------------------------------------------------
  step("P(alive) and expected purchases");
  std::vector<double> disc_per_pattern;  // sum of discounted incremental expected purchases (for CLV)
  if (model) {
    const clv::ModelData pd = pattern_data(patterns);
    std::vector<double> alive(patterns.size());
    model->predict("p_alive", 0, pd, alive);
    // Discounted expected purchases per pattern, month by month (for CLV below); the last month's
    // cumulative value is the expected purchases over the horizon (horizon = months * periods per month).
    disc_per_pattern.assign(patterns.size(), 0.0);
    std::vector<double> prev(patterns.size(), 0.0), cur(patterns.size());
    for (int month = 1; month <= options.horizon_months; ++month) {
      model->predict("conditional_expected_purchases", month * ppm, pd, cur);
      const double df = std::pow(1.0 + options.discount_rate, month);
      for (std::size_t k = 0; k < cur.size(); ++k) disc_per_pattern[k] += (cur[k] - prev[k]) / df;
      prev.swap(cur);
    }
    c.p_alive = scatter(alive, patterns.index);
    c.expected_purchases = scatter(prev, patterns.index);
    c.churn_risk.resize(n);
    for (std::size_t i = 0; i < n; ++i) c.churn_risk[i] = 1.0 - c.p_alive[i];

    // Heatmaps over frequency x recency at the largest T (lifetimes' frequency/recency matrices).
    double max_T = 0, max_f = 0;
    for (std::size_t i = 0; i < n; ++i) {
      max_T = std::max(max_T, s.T[i]);
      max_f = std::max(max_f, s.frequency[i]);
    }
    std::vector<double> fsorted = s.frequency;
    const std::size_t q99 = std::min(n - 1, static_cast<std::size_t>(0.99 * static_cast<double>(n)));
    std::nth_element(fsorted.begin(), fsorted.begin() + static_cast<std::ptrdiff_t>(q99), fsorted.end());
    const int fcols = static_cast<int>(std::clamp(std::max(fsorted[q99], 4.0), 1.0, 30.0));
    for (int k = 0; k <= fcols; ++k) res.grid_frequency.push_back(k);
    constexpr int rrows = 16;
    for (int k = 0; k < rrows; ++k) res.grid_recency.push_back(max_T * k / (rrows - 1));
    std::vector<double> gf, gr, gT;
    for (double r : res.grid_recency)
      for (double f : res.grid_frequency) {
        gf.push_back(f);
        gr.push_back(f == 0 ? 0 : r);
        gT.push_back(max_T);
      }
    clv::ModelData gd;
    gd.frequency = gf;
    gd.recency = gr;
    gd.T = gT;
    res.grid_p_alive.resize(gf.size());
    res.grid_expected.resize(gf.size());
    model->predict("p_alive", 0, gd, res.grid_p_alive);
    model->predict("conditional_expected_purchases", horizon, gd, res.grid_expected);
    // A customer with no repeat purchase has recency 0 whatever the row: blank the other cells.
    for (std::size_t r = 1; r < res.grid_recency.size(); ++r) {
      res.grid_p_alive[r * res.grid_frequency.size()] = kNaN;
      res.grid_expected[r * res.grid_frequency.size()] = kNaN;
    }

  }

  // ---- 4. spend and CLV ----------------------------------------------------------------------------
  step("spend model and CLV");
  if (model && res.amounts) {
    std::vector<double> w(n, 1.0);
    std::size_t used = 0, zero_spend = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!(s.frequency[i] > 0 && s.monetary_value[i] > 0)) w[i] = 0;
      used += w[i] > 0 ? 1 : 0;
      zero_spend += s.frequency[i] > 0 && !(s.monetary_value[i] > 0) ? 1 : 0;
    }
    // One zero-spend policy (issue 13, item 18): as `crmkit fit gg` and `crmkit clv`, repeat buyers whose
    // mean spend is 0 (or below) are left out of the spend model's fit, and the report says how many.
    if (zero_spend > 0)
      res.notes.push_back({"Customer lifetime value",
                           std::to_string(zero_spend) + " repeat buyer" + (zero_spend == 1 ? "" : "s") +
                               " with a mean repeat spend of 0 or below " + (zero_spend == 1 ? "was" : "were") +
                               " left out of the spend model's fit (it needs spend above 0); their expected spend "
                               "is shrunk from their own mean towards the population's."});
    if (used < 10) {
      res.notes.push_back({"Customer lifetime value", "Fewer than 10 repeat buyers with a positive spend: no spend model."});
    } else {
      try {
        clv::ModelData sd;
        sd.frequency = s.frequency;
        sd.monetary_value = s.monetary_value;
        sd.weights = w;
        const clv::Model gg = clv::Model::fit("gg", sd, fo);
        c.expected_spend.resize(n);
        gg.predict("conditional_expected_spend", 0, sd, c.expected_spend);
        res.spend_model = describe(gg);
        res.frequency_spend_correlation = clv::frequency_spend_correlation(s.frequency, s.monetary_value, w);
        c.clv.resize(n);
        for (std::size_t i = 0; i < n; ++i)
          c.clv[i] = options.margin * c.expected_spend[i] * disc_per_pattern[patterns.index[i]];
      } catch (const NumericError& e) {
        c.expected_spend.clear();
        c.clv.clear();
        res.spend_model.reset();
        res.notes.push_back({"Customer lifetime value", std::string("The spend model gives no finite value: ") + e.what()});
      }
    }
  }

  // ---- 5. tracking over the whole period -------------------------------------------------------------
  step("tracking");
  std::vector<std::int64_t> first_by_code(tx.n_customers, std::numeric_limits<std::int64_t>::max());
  for (std::size_t i = 0; i < n; ++i) first_by_code[s.customer[i]] = s.first_purchase[i];
  if (model) {
    const auto events = repeat_events_by_day(tx, first_day, res.as_of, first_by_code, res.as_of);
    const auto curve = tracking_curve(*model, events, first_day, s.first_purchase, pdays);
    res.tracking = Tracking{curve.t, curve.actual, curve.expected};
  }

  // ---- 6. holdout checks ---------------------------------------------------------------------------
  if (hs && !fitted_cal.empty()) {
    step("holdout checks");
    const clv::Model& cm = fitted_cal.front();
    Holdout h;
    h.calibration_end = *options.calibration_end;
    h.duration = hs->duration_holdout;
    h.customers = hs->size();
    const summary::Patterns& p = *cal_patterns;
    const clv::ModelData pd = pattern_data(p);
    std::vector<double> pred(p.size()), alive(p.size());
    cm.predict("conditional_expected_purchases", hs->duration_holdout, pd, pred);
    cm.predict("p_alive", 0, pd, alive);
    constexpr int groups = 9;
    h.actual_by_frequency.assign(groups, 0.0);
    h.predicted_by_frequency.assign(groups, 0.0);
    h.customers_by_frequency.assign(groups, 0.0);
    std::vector<double> pos(p.size(), 0.0);
    for (std::size_t i = 0; i < hs->size(); ++i) {
      const auto g = static_cast<std::size_t>(std::min(hs->calibration.frequency[i], double(groups - 1)));
      const double e = pred[p.index[i]];
      h.actual_by_frequency[g] += hs->frequency_holdout[i];
      h.predicted_by_frequency[g] += e;
      h.customers_by_frequency[g] += 1;
      h.actual_total += hs->frequency_holdout[i];
      h.predicted_total += e;
      if (hs->frequency_holdout[i] == 0) {
        pos[p.index[i]] += 1;
        h.churn_rate += 1;
      }
    }
    h.churn_rate = hs->size() ? h.churn_rate / static_cast<double>(hs->size()) : 0;
    for (int g = 0; g < groups; ++g) {
      h.frequency_labels.push_back(g == groups - 1 ? std::to_string(g) + "+" : std::to_string(g));
      const double k = h.customers_by_frequency[static_cast<std::size_t>(g)];
      h.actual_by_frequency[static_cast<std::size_t>(g)] = k > 0 ? h.actual_by_frequency[static_cast<std::size_t>(g)] / k : kNaN;
      h.predicted_by_frequency[static_cast<std::size_t>(g)] = k > 0 ? h.predicted_by_frequency[static_cast<std::size_t>(g)] / k : kNaN;
    }
    // Tracking of the calibration cohort with the calibration model, across calibration and holdout.
    const auto events = repeat_events_by_day(tx, first_day, res.as_of, first_by_code, *options.calibration_end);
    const auto curve = tracking_curve(cm, events, first_day, hs->calibration.first_purchase, pdays);
    h.tracking_t = curve.t;
    h.tracking_actual = curve.actual;
    h.tracking_expected = curve.expected;
    // Churn: risk 1 - P(alive) against "no purchase in the holdout".
    std::vector<double> risk(p.size());
    for (std::size_t k = 0; k < p.size(); ++k) risk[k] = 1.0 - alive[k];
    h.churn_scores.push_back(churn_curves("1 - P(alive)", risk, pos, p.weight));
    for (std::size_t k = 0; k < p.size(); ++k) risk[k] = -pred[k];
    h.churn_scores.push_back(churn_curves("fewest expected purchases", risk, pos, p.weight));
    // The logistic churn model on the calibration summary, cross-validated (out-of-fold scores).
    {
      const auto& cal = hs->calibration;
      std::vector<double> y(cal.size());
      double churners = 0;
      for (std::size_t i = 0; i < cal.size(); ++i) {
        y[i] = hs->frequency_holdout[i] == 0 ? 1.0 : 0.0;
        churners += y[i];
      }
      const double stayers = static_cast<double>(cal.size()) - churners;
      const std::size_t folds = static_cast<std::size_t>(std::min({5.0, churners, stayers}));
      if (folds >= 2) {
        try {
          const Eigen::MatrixXd x = churn_features(cal, res.amounts);
          churn::LogisticOptions lo;
          lo.standardize = true;
          const auto cv = churn::cross_validate(x, y, lo, folds, 0);
          const churn::LogisticModel lm =
              churn::fit_logistic(x, y, lo, res.amounts ? std::vector<std::string>{"frequency", "recency", "T", "monetary_value"}
                                                        : std::vector<std::string>{"frequency", "recency", "T"});
          ChurnModel lmod;
          lmod.feature_names = lm.feature_names;
          for (Eigen::Index j = 0; j < lm.coef.size(); ++j) {
            lmod.coef.push_back(lm.coef(j));
            lmod.std_coef.push_back(lm.coef(j) * lm.feature_scale(j));
          }
          lmod.intercept = lm.intercept;
          lmod.converged = lm.status == math::FitStatus::Converged;
          lmod.iterations = lm.iterations;
          lmod.folds = folds;
          lmod.horizon = hs->duration_holdout;
          lmod.auc = cv.pooled.auc;
          lmod.pr_auc = cv.pooled.pr_auc;
          lmod.log_loss = cv.pooled.log_loss;
          lmod.brier = cv.pooled.brier;
          const std::vector<double> ones(cal.size(), 1.0);
          h.churn_scores.push_back(churn_curves("logistic model", cv.probability, y, ones));
          c.churn_probability.resize(n);
          lm.predict_proba(churn_features(s, res.amounts), c.churn_probability);
          res.churn_model = std::move(lmod);
          if (!res.churn_model->converged)
            res.notes.push_back({"Churn model", "The logistic churn model did not converge: treat its scores with care."});
        } catch (const Error& e) {
          c.churn_probability.clear();
          res.notes.push_back({"Churn model", std::string("The logistic churn model could not be fitted: ") + e.what()});
        }
      } else {
        res.notes.push_back({"Churn model", "The logistic churn model needs at least two customers who bought in "
                                            "the holdout and two who did not."});
      }
    }
    res.holdout = std::move(h);
  } else if (!options.calibration_end) {
    res.notes.push_back({"Holdout checks", "No calibration end given (--calibration-end): the calibration-versus-holdout "
                                           "plot and the churn ROC, gains and lift need one."});
    res.notes.push_back({"Churn model", "The logistic churn model needs a label window: give --calibration-end "
                                        "(label = no purchase after it); churn risk is 1 - P(alive)."});
  }

  // ---- 7. other inputs -------------------------------------------------------------------------------
  step("report sections");
  for (const std::string* path : {&inputs.interactions_path, &inputs.survey_path}) {
    if (path->empty()) continue;
    std::error_code ec;
    if (std::filesystem::is_directory(*path, ec)) throw IoError(*path, "is a directory, not a file");
    std::ifstream probe(*path);
    if (!probe) throw IoError(*path, "cannot open");
  }
  {
    Retention ret;
    churn::DurationOptions dopt;
    dopt.inactive_days = ret.inactive_days;
    dopt.has_observation_end = true;
    dopt.observation_end = res.as_of;
    dopt.period_days = pdays;
    const auto d = churn::durations_from_transactions(tx, dopt);
    churn::SurvivalInput si;
    si.duration = d.duration;
    si.event = d.event;
    const auto km = churn::kaplan_meier(si);
    if (!km.curves.empty()) {
      const auto& cv = km.curves.front();
      ret.customers = cv.n;
      ret.churned = cv.events;
      ret.median = cv.median;
      ret.time.push_back(0);
      ret.survival.push_back(1);
      ret.lower.push_back(1);
      ret.upper.push_back(1);
      for (std::size_t k = 0; k < cv.time.size(); ++k) {
        ret.time.push_back(cv.time[k]);
        ret.survival.push_back(cv.survival[k]);
        ret.lower.push_back(cv.lower[k]);
        ret.upper.push_back(cv.upper[k]);
      }
    }
    // Monthly cohorts of the log up to as_of (a filtered copy only when later rows exist).
    std::vector<std::uint32_t> fc;
    std::vector<std::int64_t> ft;
    std::vector<double> fa;
    core::TransactionsView upto = tx;
    if (last_day > res.as_of) {
      for (std::size_t i = 0; i < tx.size(); ++i)
        if (core::to_day(tx.time[i], tx.time_unit) <= res.as_of) {
          fc.push_back(tx.customer[i]);
          ft.push_back(tx.time[i]);
          fa.push_back(tx.amount.empty() ? 0.0 : tx.amount[i]);
        }
      upto.customer = fc;
      upto.time = ft;
      if (!tx.amount.empty()) upto.amount = fa;
    }
    const auto ct = churn::cohort_retention(upto, churn::CohortPeriod::Month);
    ret.n_offsets = ct.n_offsets;
    for (std::size_t c2 = 0; c2 < ct.n_cohorts; ++c2) {
      if (ct.size[c2] == 0) continue;
      ret.cohort_label.push_back(ct.cohort_label[c2]);
      ret.cohort_size.push_back(static_cast<double>(ct.size[c2]));
      for (std::size_t k = 0; k < ct.n_offsets; ++k) ret.cohort_retention.push_back(ct.retention[c2 * ct.n_offsets + k]);
    }
    res.retention = std::move(ret);
  }
  if (!inputs.interactions_path.empty()) {
    res.service = service_section(inputs.interactions_path, inputs.ids, first_by_code);
    // Interactions per customer, when the file's ids can share the log's dictionary and it has times.
    if (inputs.ids && !res.service->customer_column.empty() && res.service->matched_customers > 0) {
      try {
        const core::InteractionTable it = io::read_interactions(inputs.interactions_path, {}, inputs.ids);
        const core::InteractionsView v = it.view();
        std::vector<double> per_code(first_by_code.size(), 0.0);
        for (std::size_t i = 0; i < v.customer.size(); ++i) {
          const std::uint32_t code = v.customer[i];
          if (code < per_code.size() && core::to_day(v.time[i], v.time_unit) <= res.as_of) per_code[code] += 1;
        }
        c.interactions.resize(n);
        for (std::size_t i = 0; i < n; ++i) c.interactions[i] = per_code[c.customer[i]];
      } catch (const Error& e) {
        res.notes.push_back({"Service metrics", std::string("No per-customer interaction counts: ") + e.what()});
      }
    }
  } else
    res.notes.push_back({"Service metrics", "No interaction table given (--interactions)."});
  if (!inputs.survey_path.empty()) {
    KanoSection k;
    k.source = inputs.survey_path;
    const kano::SurveyTable survey = kano::read_survey(inputs.survey_path);
    kano::KanoOptions ko;
    ko.invalid = kano::InvalidPolicy::Skip;  // the report counts unknown answers (skipped_rows, invalid_answers)
    k.result = kano::analyze(survey.view(), ko, survey.inputs());
    res.kano = std::move(k);
  } else {
    res.notes.push_back({"Kano", "No Kano survey given (--survey)."});
  }
  return res;
}

nlohmann::ordered_json Results::summary_json() const {
  using J = nlohmann::ordered_json;
  auto num = [](double v) -> J { return std::isfinite(v) ? J(v) : J(nullptr); };
  J j;
  j["crmkit_version"] = CRMKIT_VERSION_STRING;
  j["source"] = source;
  j["as_of"] = io::format_date(as_of);
  j["first_purchase"] = io::format_date(first_day);
  j["calibration_end"] = holdout ? J(io::format_date(holdout->calibration_end)) : J(nullptr);
  j["period"] = summary::period_name(period);
  j["horizon_months"] = horizon_months;
  j["discount_rate"] = discount_rate;
  j["margin"] = margin;
  j["customers"] = n_customers;
  j["transactions"] = n_transactions;
  j["revenue"] = amounts ? J(revenue) : J(nullptr);
  j["repeat_customer_share"] = repeat_customer_share;
  j["top20_revenue_share"] = amounts ? J(top20_revenue_share) : J(nullptr);
  J segs = J::array();
  for (const auto& r : segments) {
    if (r.customers == 0) continue;
    segs.push_back({{"segment", r.segment}, {"customers", r.customers}, {"customer_share", r.customer_share},
                    {"revenue", amounts ? J(r.revenue) : J(nullptr)},
                    {"revenue_share", amounts ? J(r.revenue_share) : J(nullptr)}});
  }
  j["segments"] = segs;
  auto model_json = [&](const FittedModel& m) {
    J o;
    o["model"] = m.key;
    o["title"] = m.title;
    J p;
    for (std::size_t i = 0; i < m.params.size(); ++i) p[m.param_names[i]] = m.params[i];
    o["params"] = p;
    o["log_likelihood"] = num(m.log_likelihood);
    o["converged"] = m.converged;
    return o;
  };
  if (transaction_model) {
    J tm = model_json(*transaction_model);
    tm["selection"] = selection;
    J cands = J::array();
    for (const auto& cd : candidates) {
      J o;
      o["model"] = cd.key;
      o["fitted"] = cd.ok;
      o["log_likelihood"] = cd.ok ? num(cd.log_likelihood) : J(nullptr);
      o["holdout_mae"] = cd.ok ? num(cd.holdout_mae) : J(nullptr);
      o["converged"] = cd.ok && cd.converged;
      if (!cd.ok) o["error"] = cd.error;
      o["chosen"] = cd.ok && cd.key == transaction_model->key;
      cands.push_back(o);
    }
    tm["candidates"] = cands;
    j["transaction_model"] = tm;
  } else {
    j["transaction_model"] = nullptr;
  }
  if (spend_model) {
    J sm = model_json(*spend_model);
    sm["frequency_spend_correlation"] = num(frequency_spend_correlation);
    j["spend_model"] = sm;
  } else {
    j["spend_model"] = nullptr;
  }
  auto mean = [](const std::vector<double>& v) {
    if (v.empty()) return kNaN;
    double t = 0;
    for (double x : v) t += x;
    return t / static_cast<double>(v.size());
  };
  auto sum = [](const std::vector<double>& v) {
    if (v.empty()) return kNaN;
    double t = 0;
    for (double x : v) t += x;
    return t;
  };
  j["p_alive_mean"] = num(mean(customers.p_alive));
  double at_risk = kNaN;
  if (!customers.p_alive.empty()) {
    at_risk = 0;
    for (double p : customers.p_alive) at_risk += p < 0.5 ? 1 : 0;
    at_risk /= static_cast<double>(customers.p_alive.size());
  }
  j["at_risk_share"] = num(at_risk);
  j["expected_purchases_total"] = num(sum(customers.expected_purchases));
  j["clv_total"] = num(sum(customers.clv));
  j["clv_mean"] = num(mean(customers.clv));
  j["clv_top20_share"] = customers.clv.empty() ? J(nullptr) : J(top_share(customers.clv, 0.2));
  if (holdout) {
    const Holdout& h = *holdout;
    j["holdout"] = {{"calibration_end", io::format_date(h.calibration_end)},
                    {"duration", h.duration},
                    {"customers", h.customers},
                    {"actual_purchases", h.actual_total},
                    {"predicted_purchases", h.predicted_total},
                    {"churn_rate", h.churn_rate},
                    {"churn_auc_p_alive", num(h.churn_scores[0].auc)},
                    {"churn_auc_expected_purchases", num(h.churn_scores[1].auc)},
                    {"top_decile_lift_p_alive", num(h.churn_scores[0].lift.front())},
                    {"top_decile_lift_expected_purchases", num(h.churn_scores[1].lift.front())}};
    const bool lg = h.churn_scores.size() > 2;
    j["holdout"]["churn_auc_logistic"] = lg ? num(h.churn_scores[2].auc) : J(nullptr);
    j["holdout"]["top_decile_lift_logistic"] = lg ? num(h.churn_scores[2].lift.front()) : J(nullptr);
  } else {
    j["holdout"] = nullptr;
  }
  J omitted = J::array();
  for (const auto& nt : notes) omitted.push_back({{"section", nt.section}, {"note", nt.text}});
  j["notes"] = omitted;

  // Added after the first release's keys (appended so their order stays stable).
  if (churn_model) {
    const ChurnModel& m = *churn_model;
    J coef, std_coef;
    for (std::size_t i = 0; i < m.feature_names.size(); ++i) {
      coef[m.feature_names[i]] = num(m.coef[i]);
      std_coef[m.feature_names[i]] = num(m.std_coef[i]);
    }
    j["churn_model"] = {{"model", "logistic_regression"},
                        {"label", "no purchase in the holdout"},
                        {"horizon", m.horizon},
                        {"features", m.feature_names},
                        {"coef", coef},
                        {"standardized_coef", std_coef},
                        {"intercept", num(m.intercept)},
                        {"converged", m.converged},
                        {"folds", m.folds},
                        {"auc", num(m.auc)},
                        {"pr_auc", num(m.pr_auc)},
                        {"log_loss", num(m.log_loss)},
                        {"brier", num(m.brier)}};
  } else {
    j["churn_model"] = nullptr;
  }
  if (retention) {
    const Retention& rt = *retention;
    auto surv_at = [&](double t) {
      double v = 1;
      for (std::size_t k = 0; k < rt.time.size() && rt.time[k] <= t; ++k) v = rt.survival[k];
      return v;
    };
    const double ppm = period == summary::Period::Day ? 30.0 : period == summary::Period::Week ? 4.345 : 1.0;
    J cohorts = J::array();
    for (std::size_t c2 = 0; c2 < rt.cohort_label.size(); ++c2) {
      J ret = J::array();
      for (std::size_t k = 0; k < rt.n_offsets; ++k) ret.push_back(num(rt.cohort_retention[c2 * rt.n_offsets + k]));
      cohorts.push_back({{"cohort", rt.cohort_label[c2]}, {"size", rt.cohort_size[c2]}, {"retention", ret}});
    }
    j["retention"] = {{"inactive_days", rt.inactive_days},
                      {"customers", rt.customers},
                      {"churned", rt.churned},
                      {"median", num(rt.median)},
                      {"survival_3_months", num(surv_at(3 * ppm))},
                      {"survival_6_months", num(surv_at(6 * ppm))},
                      {"survival_12_months", num(surv_at(12 * ppm))},
                      {"cohort_period", "month"},
                      {"cohorts", cohorts}};
  } else {
    j["retention"] = nullptr;
  }
  if (kano) {
    const auto& r = kano->result;
    const auto& q = r.quality;
    J feats = J::array();
    std::vector<const kano::FeatureResult*> order;
    for (const auto& f : r.features) order.push_back(&f);
    std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->priority < b->priority; });
    for (const auto* f : order)
      feats.push_back({{"feature", f->feature},
                       {"category", f->n ? J(std::string(1, kano::letter(f->category))) : J(nullptr)},
                       {"better", num(f->better)},
                       {"worse", num(f->worse)},
                       {"priority", f->priority}});
    j["kano"] = {{"source", kano->source},
                 {"respondents", q.respondents},
                 {"rows", q.rows},
                 {"used_rows", q.used_rows},
                 {"skipped_rows", q.skipped_rows},
                 {"missing_answers", q.missing_answers},
                 {"invalid_answers", q.invalid_answers},
                 {"straightliners", q.straightliners},
                 {"questionable_respondents", q.questionable_respondents},
                 {"features", feats}};
  } else {
    j["kano"] = nullptr;
  }
  if (service) {
    const ServiceSection& sv = *service;
    auto metrics = [&](const service::GroupMetrics& g) {
      const auto& rep = *sv.metrics;
      J o;
      o["interactions"] = g.interactions;
      o["csat"] = rep.has_csat ? num(g.csat.csat) : J(nullptr);
      o["ces_mean"] = rep.has_ces ? num(g.ces.mean) : J(nullptr);
      o["fcr"] = rep.has_fcr ? num(g.fcr.estimate) : J(nullptr);
      o["sla_compliance"] = rep.has_sla ? num(g.sla.compliance) : J(nullptr);
      return o;
    };
    J o;
    o["source"] = sv.source;
    o["by"] = sv.by.empty() ? J(nullptr) : J(sv.by);
    o["interactions"] = sv.interactions;
    o["customers"] = sv.customer_column.empty() ? J(nullptr) : J(sv.customers);
    o["matched_customers"] = sv.customer_column.empty() ? J(nullptr) : J(sv.matched_customers);
    o["matched_interactions"] = sv.customer_column.empty() ? J(nullptr) : J(sv.matched_interactions);
    if (sv.metrics) {
      o["overall"] = metrics(sv.metrics->overall);
      J groups = J::array();
      for (const auto& g : sv.metrics->groups) {
        J gj = metrics(g);
        gj["group"] = g.group;
        groups.push_back(gj);
      }
      o["groups"] = groups;
      J tiers = J::array();
      if (sv.metrics->has_sla)
        for (const auto& t : sv.metrics->overall.sla.tiers)
          tiers.push_back({{"tier", t.tier}, {"target_minutes", t.target_minutes}, {"n", t.n},
                           {"compliance", num(t.compliance)}});
      o["sla_tiers"] = tiers;
    } else {
      o["overall"] = nullptr;
      o["groups"] = J::array();
      o["sla_tiers"] = J::array();
    }
    if (sv.nps) {
      const auto& a = sv.nps->overall;
      o["nps"] = {{"n", a.n}, {"score", num(a.score)}, {"ci_low", num(a.ci_low)}, {"ci_high", num(a.ci_high)}};
    } else {
      o["nps"] = nullptr;
    }
    j["service"] = o;
  } else {
    j["service"] = nullptr;
  }
  j["amounts"] = amounts;  // last: keys added later go after the earlier ones
  return j;
}

}  // namespace crmkit::analysis
