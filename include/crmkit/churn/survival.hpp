// Kaplan-Meier survival curves with Greenwood standard errors and pointwise confidence intervals,
// median survival with its interval, survival at chosen times, the log-rank test between groups, and
// (duration, event) pairs derived from a transaction log (docs/models/survival.md).
//
//   churn::SurvivalInput in;
//   in.duration = durations;  in.event = events;          // event 1 = churned, 0 = censored
//   churn::KaplanMeierResult km = churn::kaplan_meier(in);
//   km.curves[0].survival;  km.curves[0].median;
//
// Definitions (Kaplan & Meier 1958; Greenwood 1926; Klein & Moeschberger 2003, ch. 4 and 7):
// - At each distinct time t_j (an event or a censoring), n_j = weight of subjects with duration >= t_j
//   (at risk), d_j = weight of events at t_j, c_j = weight of censorings at t_j. Events come before
//   censorings at the same time: a subject censored at t_j is at risk at t_j.
// - S(t_j) = prod_{i <= j} (1 - d_i / n_i).
// - Greenwood: var(log S(t_j)) = sum_{i <= j} d_i / (n_i (n_i - d_i)); std_err = S * sqrt(that), the
//   standard error of S itself (R's summary.survfit "std.err").
// - Intervals at level 1 - alpha, z = Phi^-1(1 - alpha/2), sigma = sqrt(var(log S)):
//     log      (default, R survfit's conf.type = "log"):  S exp(-z sigma) .. min(1, S exp(z sigma))
//     log-log  (lifelines, SAS PROC LIFETEST; the interval of log(-log S), sd sigma / |log S|):
//              S^exp(z sigma / |log S|) .. S^exp(-z sigma / |log S|)
//     plain    S -/+ z S sigma, clipped to [0, 1]
//   Where S = 1 (before any event) the interval is [1, 1]; where S = 0 it is [0, 0] and std_err is 0
//   (R prints NA there); log-log at S = 1 is [1, 1].
// - Median (as R's survfit): the smallest t_j with S(t_j) <= 0.5; when S equals 0.5 exactly from t_j up
//   to the next time t_k, the midpoint (t_j + t_k) / 2. Its interval applies the same rule to the lower
//   and upper curves: median_lower from `lower`, median_upper from `upper`. NaN = not reached.
// - Log-rank test (Mantel 1966; Peto & Peto 1972) over K >= 2 groups with rows: at each event time,
//   O_k = d_jk, E_k = d_j n_jk / n_j, V_kl = d_j (n_j - d_j) / (n_j - 1) * n_jk / n_j (delta_kl - n_jl / n_j)
//   (n_j = 1: no variance). chi_square = (O - E)' V^-1 (O - E) over the first K - 1 groups, K - 1 degrees
//   of freedom, p = Q(chi-square). Weights count as frequency weights (n, d are weighted sums).
//
// Input: durations finite and >= 0; events exactly 0 or 1; weights (optional) finite and > 0; group
// codes (optional) < group_names.size() when names are given. Bad input throws InvalidArgument naming
// the first offending row. Nothing here is NaN for valid input except the documented "not reached".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crmkit/core/table.hpp"

namespace crmkit::churn {

enum class ConfType : std::uint8_t { Log = 0, LogLog = 1, Plain = 2 };

/// "log", "log-log" (also "loglog"), "plain". Throws InvalidArgument otherwise.
ConfType parse_conf_type(std::string_view text);
const char* conf_type_name(ConfType t) noexcept;

struct KaplanMeierOptions {
  double conf_level = 0.95;          ///< in (0, 1)
  ConfType conf_type = ConfType::Log;
};

/// Columns of one analysis. Spans are caller-owned and read during the call only.
struct SurvivalInput {
  std::span<const double> duration;
  std::span<const double> event;         ///< 1 = event (churned), 0 = censored
  std::span<const double> weight;        ///< empty: every weight is 1
  std::span<const std::uint32_t> group;  ///< empty: one curve; else dense codes
  std::vector<std::string> group_names;  ///< names of the codes; empty: the decimal code
};

/// One Kaplan-Meier curve: a row per distinct time with an event or a censoring, ascending.
struct SurvivalCurve {
  std::string group;                 ///< "" without a group column
  double n = 0;                      ///< total weight (subjects)
  double events = 0;                 ///< total weight of events
  std::vector<double> time;
  std::vector<double> n_risk, n_event, n_censor;
  std::vector<double> survival, std_err, lower, upper;
  double median = 0, median_lower = 0, median_upper = 0;  ///< NaN = not reached

  std::size_t size() const noexcept { return time.size(); }
};

struct LogRankTest {
  double chi_square = 0;
  double df = 0;                         ///< number of groups with subjects - 1
  double p_value = 1;
  std::vector<double> observed, expected;  ///< per curve, as KaplanMeierResult::curves
};

struct KaplanMeierResult {
  ConfType conf_type = ConfType::Log;
  double conf_level = 0.95;
  std::vector<SurvivalCurve> curves;     ///< one per group code that has rows, in code order
  bool has_logrank = false;              ///< true when there are >= 2 curves
  LogRankTest logrank;
};

KaplanMeierResult kaplan_meier(const SurvivalInput& input, const KaplanMeierOptions& options = {});

/// The step function at chosen times: S(t) = survival at the last curve time <= t (1 before the first
/// time, with std_err 0 and interval [1, 1]; beyond the last time the last value is carried forward,
/// as lifelines does, although it is not estimated there). Times must be finite.
struct SurvivalAt {
  std::vector<double> time, survival, std_err, lower, upper;
  std::vector<double> n_risk;  ///< weight still at risk at t (duration >= t)
};
SurvivalAt survival_at(const SurvivalCurve& curve, std::span<const double> times);

/// The result as JSON (the CLI's --format json; docs/models/survival.md lists the keys): conf_type,
/// conf_level, curves[] {group, n, events, median, median_lower, median_upper, time, n_risk, n_event,
/// n_censor, survival, std_err, lower, upper, and "at" {time, survival, std_err, lower, upper, n_risk}
/// when `at` is not empty}, logrank {chi_square, df, p_value, observed, expected} or null. NaN is null.
std::string to_json(const KaplanMeierResult& result, std::span<const double> at = {});

/// (duration, event) per customer from a transaction log, in the non-contractual setting, at an
/// observation end E (inclusive; default the last transaction's day). Times are floored to days; rows
/// after E are ignored; customers whose first purchase is after E are left out. For each customer with
/// first purchase day f and last purchase day l <= E:
///   event = 1 (churned) when E - l >= inactive_days, i.e. no purchase in the inactive_days days
///           (E - inactive_days, E]; duration = l - f (the lifetime ends at the last purchase);
///   event = 0 (censored, still active) otherwise;  duration = E - f (observed until E).
/// Durations are in days divided by the period length (day 1, week 7, month 30.4375 days).
struct DurationOptions {
  std::int64_t inactive_days = 90;       ///< >= 1
  bool has_observation_end = false;
  std::int64_t observation_end = 0;      ///< day number (days since 1970-01-01), when has_observation_end
  double period_days = 1.0;              ///< > 0
};
struct CustomerDurations {
  std::vector<std::uint32_t> customer;   ///< codes, ascending
  std::vector<double> duration, event;
  std::vector<std::int64_t> first_day, last_day;
  std::int64_t observation_end = 0;
  std::size_t size() const noexcept { return customer.size(); }
};
CustomerDurations durations_from_transactions(const core::TransactionsView& tx, const DurationOptions& options = {});

}  // namespace crmkit::churn
