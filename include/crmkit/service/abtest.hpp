// A/B comparison of two proportions (conversion, satisfaction, resolution rates): the pooled two-sample
// z test and Newcombe's hybrid score interval for the difference (Newcombe 1998, method 10), built on
// Wilson intervals for each rate. docs/models/service.md.
//
//   auto t = service::two_proportion_test(48, 80, 56, 70);   // A = 48/80, B = 56/70
//   t.difference;   // p_B - p_A = 0.2;  t.ci_low, t.ci_high = 0.0524, 0.3339 (Newcombe 1998)
#pragma once

#include <cstdint>

#include <nlohmann/json_fwd.hpp>

#include "crmkit/service/metrics.hpp"

namespace crmkit::service {

struct TwoProportionResult {
  double confidence = 0.95;
  Proportion a, b;            ///< each rate with its Wilson interval
  double difference = 0;      ///< p_B - p_A
  double ci_low = 0, ci_high = 0;  ///< Newcombe's hybrid score interval for p_B - p_A
  double relative_lift = 0;   ///< p_B / p_A - 1 (NaN when p_A = 0)
  double z = 0;               ///< (p_B - p_A) / sqrt(p (1 - p) (1/n_A + 1/n_B)), p pooled; 0 when p is 0 or 1
  double p_value = 1;         ///< two-sided, from the standard normal
  bool significant = false;   ///< p_value < 1 - confidence
};

/// InvalidArgument unless trials > 0, 0 <= successes <= trials and 0 < confidence < 1.
TwoProportionResult two_proportion_test(std::int64_t successes_a, std::int64_t trials_a, std::int64_t successes_b,
                                        std::int64_t trials_b, double confidence = 0.95);

nlohmann::json to_json(const TwoProportionResult& result);

}  // namespace crmkit::service
