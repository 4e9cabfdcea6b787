// The one Boost.Math policy crmkit uses. It is passed explicitly to every Boost.Math call (no policy
// macros anywhere), so that including crmkit never changes Boost's behaviour for the caller.
//
//  - promote_double<false>: evaluate in double, not long double (Boost's double kernels are accurate to a
//    few ulp; promotion costs 2-4x in the likelihood hot loops);
//  - domain, pole, overflow and evaluation errors throw (std::domain_error, std::overflow_error,
//    boost::math::evaluation_error); models catch them at their boundary and rethrow NumericError;
//  - underflow and denormal results are returned silently (0 or the denormal): log-space callers expect it.
#pragma once

#include <boost/math/policies/policy.hpp>

namespace crmkit::math {

using Policy = boost::math::policies::policy<
    boost::math::policies::promote_float<false>, boost::math::policies::promote_double<false>,
    boost::math::policies::domain_error<boost::math::policies::throw_on_error>,
    boost::math::policies::pole_error<boost::math::policies::throw_on_error>,
    boost::math::policies::overflow_error<boost::math::policies::throw_on_error>,
    boost::math::policies::evaluation_error<boost::math::policies::throw_on_error>,
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::denorm_error<boost::math::policies::ignore_error>>;

/// The policy value to pass: `boost::math::lgamma(x, policy)`.
inline constexpr Policy policy{};

}  // namespace crmkit::math
