// Two-proportion A/B comparison (service/abtest.hpp). Sources: docs/models/service.md.
#include "crmkit/service/abtest.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <boost/math/distributions/normal.hpp>
#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/math/policy.hpp"

namespace crmkit::service {

namespace {
nlohmann::json num(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

void check_arm(std::int64_t s, std::int64_t n, const char* arm) {
  constexpr const char* fn = "service::two_proportion_test";
  if (n <= 0) throw InvalidArgument(fn, std::string("trials_") + arm, std::to_string(n), "must be > 0");
  if (s < 0 || s > n)
    throw InvalidArgument(fn, std::string("successes_") + arm, std::to_string(s),
                          "must be in 0.." + std::to_string(n) + " (the trials)");
}

nlohmann::json arm_json(const Proportion& p) {
  return {{"successes", p.successes}, {"trials", p.trials}, {"rate", p.estimate}, {"ci_low", p.ci_low},
          {"ci_high", p.ci_high}};
}
}  // namespace

TwoProportionResult two_proportion_test(std::int64_t sa, std::int64_t na, std::int64_t sb, std::int64_t nb,
                                        double confidence) {
  check_arm(sa, na, "a");
  check_arm(sb, nb, "b");
  TwoProportionResult r;
  r.confidence = confidence;
  r.a = wilson(sa, na, confidence);  // checks confidence
  r.b = wilson(sb, nb, confidence);
  const double pa = r.a.estimate, pb = r.b.estimate;
  r.difference = pb - pa;
  // Newcombe (1998), method 10, for theta = p_B - p_A with Wilson limits (l, u) of each rate.
  r.ci_low = r.difference - std::sqrt((pb - r.b.ci_low) * (pb - r.b.ci_low) + (r.a.ci_high - pa) * (r.a.ci_high - pa));
  r.ci_high = r.difference + std::sqrt((r.b.ci_high - pb) * (r.b.ci_high - pb) + (pa - r.a.ci_low) * (pa - r.a.ci_low));
  r.relative_lift = pa > 0 ? pb / pa - 1 : std::numeric_limits<double>::quiet_NaN();
  const double dna = static_cast<double>(na), dnb = static_cast<double>(nb);
  const double pooled = static_cast<double>(sa + sb) / (dna + dnb);
  const double se = std::sqrt(pooled * (1 - pooled) * (1 / dna + 1 / dnb));
  const boost::math::normal_distribution<double, math::Policy> nd;
  if (se > 0) {
    r.z = r.difference / se;
    r.p_value = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(nd, std::fabs(r.z))));
  } else {
    r.z = 0;  // both arms all successes or all failures: no evidence of a difference
    r.p_value = 1;
  }
  r.significant = r.p_value < 1 - confidence;
  return r;
}

nlohmann::json to_json(const TwoProportionResult& r) {
  return {{"confidence", r.confidence}, {"a", arm_json(r.a)},          {"b", arm_json(r.b)},
          {"difference", r.difference}, {"ci_low", r.ci_low},          {"ci_high", r.ci_high},
          {"relative_lift", num(r.relative_lift)}, {"z", r.z},         {"p_value", r.p_value},
          {"significant", r.significant}};
}

}  // namespace crmkit::service
