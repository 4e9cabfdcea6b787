// Service-quality metrics: NPS with a confidence interval, CSAT, CES, first-contact resolution and
// response-time SLA compliance per priority tier, overall and broken down by any group column
// (channel, customer segment). Inputs are caller-owned columns; nothing is kept.
// docs/models/service.md gives every formula and its source.
//
//   auto r = service::nps(scores);                       // r.score, r.ci_low, r.ci_high (points, -100..100)
//   service::ServiceColumns c{.csat = csat, .first_response_minutes = minutes, ...};
//   auto rep = service::service_metrics(c, channel_codes, channel_names);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace crmkit::service {

/// A proportion with its Wilson score interval (Wilson 1927). NaN estimate and bounds when trials = 0.
struct Proportion {
  std::int64_t successes = 0, trials = 0;
  double estimate = 0, ci_low = 0, ci_high = 0;
};
/// Wilson score interval at `confidence` in (0, 1). InvalidArgument unless 0 <= successes <= trials.
Proportion wilson(std::int64_t successes, std::int64_t trials, double confidence = 0.95);

/// Net Promoter Score of 0..10 answers: promoters 9-10, passives 7-8, detractors 0-6.
/// score = 100 (P - D) / n; std_error = 100 sqrt((p_P + p_D - (p_P - p_D)^2) / n) (the multinomial
/// variance of a difference of two shares); ci = score -/+ z std_error, clipped to [-100, 100].
struct NpsResult {
  std::int64_t n = 0, promoters = 0, passives = 0, detractors = 0, missing = 0;
  double promoter_share = 0, passive_share = 0, detractor_share = 0;
  double score = 0, std_error = 0, ci_low = 0, ci_high = 0;  ///< NaN when n = 0
};

/// CSAT on 1..5: csat = share of 4-5 answers (with a Wilson interval); mean of the answers.
struct CsatResult {
  std::int64_t n = 0, satisfied = 0, missing = 0;
  double csat = 0, ci_low = 0, ci_high = 0, mean = 0;  ///< NaN when n = 0
};

/// CES on 1..7 (7 = "very easy", CES 2.0 agreement scale): mean with a Student-t interval, sample
/// standard deviation, share of 5-7 (easy) and share of 1-3 (difficult).
struct CesResult {
  std::int64_t n = 0, easy = 0, difficult = 0, missing = 0;
  double mean = 0, sd = 0, mean_ci_low = 0, mean_ci_high = 0;  ///< sd and interval NaN when n < 2
  double easy_share = 0, difficult_share = 0;
};

/// A priority tier and its first-response target.
struct SlaTarget {
  std::string tier;
  double minutes = 0;
};
/// Defaults: urgent 30 min, normal 4 h, complex 24 h.
std::vector<SlaTarget> default_sla_targets();
/// "urgent=30m,normal=4h,complex=1d" (a bare number is minutes). InvalidArgument for a bad entry.
std::vector<SlaTarget> parse_sla_targets(std::string_view spec);

struct SlaTier {
  std::string tier;
  double target_minutes = 0;
  std::int64_t n = 0, met = 0, missing = 0;
  double compliance = 0, ci_low = 0, ci_high = 0;  ///< met / n with a Wilson interval; NaN when n = 0
  double mean_minutes = 0;                          ///< NaN when n = 0
};
struct SlaResult {
  std::int64_t n = 0, met = 0, missing = 0;
  double compliance = 0, ci_low = 0, ci_high = 0;
  std::vector<SlaTier> tiers;  ///< in the order of the targets
};

/// The interaction columns a service report reads (each may be empty = not measured). NaN (and -1
/// for resolved_first_contact) = no value for that row.
struct ServiceColumns {
  std::span<const double> csat;                       ///< 1..5 whole numbers
  std::span<const double> ces;                        ///< 1..7 whole numbers
  std::span<const double> first_response_minutes;     ///< >= 0
  std::span<const std::int8_t> resolved_first_contact;///< 0/1, -1 = unknown
  std::span<const std::uint32_t> priority;            ///< codes into priority_names (with first_response_minutes)
  std::span<const std::string> priority_names;        ///< tier names (matched to targets ignoring case)
};

struct ServiceOptions {
  double confidence = 0.95;
  std::vector<SlaTarget> sla = default_sla_targets();
};

struct GroupMetrics {
  std::string group;  ///< "all" for the overall row
  std::int64_t interactions = 0;
  CsatResult csat;
  CesResult ces;
  Proportion fcr;  ///< first-contact resolution rate
  SlaResult sla;
};

struct ServiceReport {
  bool has_csat = false, has_ces = false, has_fcr = false, has_sla = false;
  double confidence = 0.95;
  GroupMetrics overall;
  std::vector<GroupMetrics> groups;  ///< by group code (empty without a group column)
};

/// NPS of 0..10 scores (NaN = no answer). InvalidArgument naming the index for any other value.
NpsResult nps(std::span<const double> scores, double confidence = 0.95);
/// CSAT of 1..5 scores; CES of 1..7 scores (NaN = no answer).
CsatResult csat(std::span<const double> scores, double confidence = 0.95);
CesResult ces(std::span<const double> scores, double confidence = 0.95);

struct NpsReport {
  double confidence = 0.95;
  NpsResult overall;
  std::vector<std::string> group_names;
  std::vector<NpsResult> groups;  ///< by group code
};
/// NPS overall and per group (group codes < group_names.size(); empty group = overall only).
NpsReport nps_by(std::span<const double> scores, std::span<const std::uint32_t> group,
                 std::span<const std::string> group_names, double confidence = 0.95);

/// Every measured metric overall and per group. InvalidArgument for mismatched lengths, values out of
/// range (naming the column and index), an unknown priority tier, or a bad confidence.
ServiceReport service_metrics(const ServiceColumns& columns, std::span<const std::uint32_t> group = {},
                              std::span<const std::string> group_names = {}, const ServiceOptions& options = {});

/// An interaction CSV (io::read_table): optional columns csat, ces, first_response_minutes,
/// resolved_first_contact, priority (needed with first_response_minutes); `by` names a group column
/// ("" = overall only). Values out of range are ParseErrors at file:line:column. At least one metric
/// column is required.
ServiceReport service_metrics_csv(const std::string& path, const std::string& by = "",
                                  const ServiceOptions& options = {});
/// A scores CSV: the score column (score_col, or one named score, nps, nps_score, likelihood_to_recommend,
/// recommend) of 0..10 whole numbers, blanks = no answer; `by` names a group column.
NpsReport nps_csv(const std::string& path, const std::string& by = "", const std::string& score_col = "",
                  double confidence = 0.95);

/// JSON: {"confidence", "overall": {...}, "groups": [{"group", "interactions", "csat": {...}, "ces": {...},
/// "fcr": {...}, "sla": {..., "tiers": {"urgent": {...}, ...}}}]} (only measured metrics; NaN -> null).
nlohmann::json to_json(const ServiceReport& report);
/// JSON: {"confidence", "overall": {n, promoters, ..., nps, std_error, ci_low, ci_high}, "groups": [{"group", ...}]}.
nlohmann::json to_json(const NpsReport& report);

}  // namespace crmkit::service
