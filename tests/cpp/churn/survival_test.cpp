// Kaplan-Meier, Greenwood, intervals, medians and the log-rank test on the leukaemia remission data of
// Freireich et al. (1963), Blood 21:699-716 (weeks; 6-MP: 6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+ 20+ 22 23
// 25+ 32+ 32+ 34+ 35+; placebo: 1 1 2 2 3 4 4 5 5 8 8 8 8 11 11 12 12 15 17 22 23, all relapses), as
// printed in Le, Introductory Biostatistics (2003), Example 11.1, and Kleinbaum & Klein, Survival
// Analysis (3rd ed., 2012), ch. 2, whose KM table for 6-MP reads S = .8571 .8067 .7529 .6902 .6275 .5378
// .4482 at t = 6 7 10 13 16 22 23 and whose log-rank statistic is 16.79.
// R's survival::survfit (conf.type "log") prints for 6-MP std.err 0.0764 0.0869 0.0963 0.1068 0.1141
// 0.1282 0.1346, lower 0.720 0.653 0.586 0.510 0.439 0.337 0.249, upper 1.000 0.996 0.968 0.935 0.896
// 0.858 0.807, median 23 (0.95 LCL 16, UCL NA); placebo median 8 (4, 12). statsmodels 0.13.5
// SurvfuncRight gives the same standard errors to 6 digits (0.076360 ... 0.134591) and survdiff
// chi-square 16.792940989216532, p 4.1688091093394775e-05.
// Printed digits are checked at their printed precision; the hand-computed products and Greenwood
// sums (exact rational arithmetic, then rounded) at 1e-12.
#include "crmkit/churn/survival.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"

using namespace crmkit;
using namespace crmkit::churn;
using ::testing::HasSubstr;

namespace {

const std::vector<double> kMpTime = {6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35};
const std::vector<double> kMpEvent = {1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0};
const std::vector<double> kPlTime = {1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23};

SurvivalInput mp() {
  SurvivalInput in;
  in.duration = kMpTime;
  in.event = kMpEvent;
  return in;
}

struct Both {
  std::vector<double> time, event;
  std::vector<std::uint32_t> group;
  SurvivalInput input() const {
    SurvivalInput in;
    in.duration = time;
    in.event = event;
    in.group = group;
    in.group_names = {"6-MP", "placebo"};
    return in;
  }
};

Both both() {
  Both b;
  b.time = kMpTime;
  b.event = kMpEvent;
  b.group.assign(21, 0);
  for (double t : kPlTime) {
    b.time.push_back(t);
    b.event.push_back(1);
    b.group.push_back(1);
  }
  return b;
}

// the rows of the 6-MP curve that have events
std::vector<std::size_t> event_rows(const SurvivalCurve& c) {
  std::vector<std::size_t> r;
  for (std::size_t j = 0; j < c.size(); ++j)
    if (c.n_event[j] > 0) r.push_back(j);
  return r;
}

}  // namespace

TEST(KaplanMeier, SixMpTableMatchesTextbookAndR) {
  const KaplanMeierResult km = kaplan_meier(mp());
  ASSERT_EQ(km.curves.size(), 1u);
  const SurvivalCurve& c = km.curves[0];
  EXPECT_EQ(c.group, "");
  EXPECT_EQ(c.n, 21);
  EXPECT_EQ(c.events, 9);
  // every distinct time, as R's survfit lists them (events and censorings)
  EXPECT_EQ(c.time, (std::vector<double>{6, 7, 9, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 34, 35}));
  EXPECT_EQ(c.n_risk, (std::vector<double>{21, 17, 16, 15, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 2, 1}));
  EXPECT_EQ(c.n_censor[0], 1);  // 6+ is at risk at 6: events before censorings
  const std::vector<std::size_t> rows = event_rows(c);
  ASSERT_EQ(rows.size(), 7u);
  const double s_book[] = {.8571, .8067, .7529, .6902, .6275, .5378, .4482};
  const double s_exact[] = {18.0 / 21, 18.0 / 21 * 16 / 17, 18.0 / 21 * 16 / 17 * 14 / 15,
                            18.0 / 21 * 16 / 17 * 14 / 15 * 11 / 12, 18.0 / 21 * 16 / 17 * 14 / 15 * 11 / 12 * 10 / 11,
                            18.0 / 21 * 16 / 17 * 14 / 15 * 11 / 12 * 10 / 11 * 6 / 7,
                            18.0 / 21 * 16 / 17 * 14 / 15 * 11 / 12 * 10 / 11 * 6 / 7 * 5 / 6};
  const double se_r[] = {0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346};
  const double se_sm[] = {0.076360, 0.086935, 0.096350, 0.106815, 0.114054, 0.128234, 0.134591};
  const double lo_r[] = {0.720, 0.653, 0.586, 0.510, 0.439, 0.337, 0.249};
  const double hi_r[] = {1.000, 0.996, 0.968, 0.935, 0.896, 0.858, 0.807};
  for (std::size_t i = 0; i < 7; ++i) {
    const std::size_t j = rows[i];
    EXPECT_NEAR(c.survival[j], s_book[i], 5e-5) << i;
    EXPECT_NEAR(c.survival[j], s_exact[i], 1e-12) << i;
    EXPECT_NEAR(c.std_err[j], se_r[i], 5e-5) << i;
    EXPECT_NEAR(c.std_err[j], se_sm[i], 5e-7) << i;
    EXPECT_NEAR(c.lower[j], lo_r[i], 5e-4) << i;
    EXPECT_NEAR(c.upper[j], hi_r[i], 5e-4) << i;
  }
  // Greenwood at t = 6 exactly: S^2 * 3 / (21 * 18)
  EXPECT_NEAR(c.std_err[0], 18.0 / 21 * std::sqrt(3.0 / (21 * 18)), 1e-15);
  // censor-only rows carry the survival forward
  EXPECT_EQ(c.survival[2], c.survival[1]);
  EXPECT_EQ(c.median, 23);
  EXPECT_EQ(c.median_lower, 16);
  EXPECT_TRUE(std::isnan(c.median_upper));
}

TEST(KaplanMeier, LogLogAndPlainIntervals) {
  KaplanMeierOptions o;
  o.conf_type = ConfType::LogLog;
  const SurvivalCurve ll = kaplan_meier(mp(), o).curves[0];
  // lifelines' exponential Greenwood interval at t = 6: 0.619718 .. 0.951552 (hand: S^exp(+-z sigma/|log S|))
  EXPECT_NEAR(ll.lower[0], 0.6197, 5e-5);
  EXPECT_NEAR(ll.upper[0], 0.9516, 5e-5);
  EXPECT_NEAR(ll.lower.back(), 0.1881, 5e-5);  // t = 35 carries t = 23
  EXPECT_NEAR(ll.upper.back(), 0.6801, 5e-5);
  o.conf_type = ConfType::Plain;
  const SurvivalCurve pl = kaplan_meier(mp(), o).curves[0];
  EXPECT_NEAR(pl.lower[0], 0.7075, 5e-5);
  EXPECT_EQ(pl.upper[0], 1.0);  // clipped
  EXPECT_NEAR(pl.lower.back(), 0.1844, 5e-5);
  EXPECT_NEAR(pl.upper.back(), 0.7120, 5e-5);
  // a narrower level gives a narrower interval
  o.conf_level = 0.5;
  const SurvivalCurve narrow = kaplan_meier(mp(), o).curves[0];
  EXPECT_GT(narrow.lower[5], pl.lower[5]);
  EXPECT_LT(narrow.upper[5], pl.upper[5]);
  EXPECT_EQ(parse_conf_type("log-log"), ConfType::LogLog);
  EXPECT_EQ(parse_conf_type("loglog"), ConfType::LogLog);
  EXPECT_STREQ(conf_type_name(ConfType::Plain), "plain");
  EXPECT_THROW(parse_conf_type("arcsine"), InvalidArgument);
}

TEST(KaplanMeier, PlaceboGroupReachesZeroWithoutNaN) {
  const Both b = both();
  for (ConfType t : {ConfType::Log, ConfType::LogLog, ConfType::Plain}) {
    KaplanMeierOptions o;
    o.conf_type = t;
    const KaplanMeierResult km = kaplan_meier(b.input(), o);
    ASSERT_EQ(km.curves.size(), 2u);
    const SurvivalCurve& p = km.curves[1];
    EXPECT_EQ(p.group, "placebo");
    EXPECT_EQ(p.median, 8);
    EXPECT_EQ(p.survival.back(), 0);
    EXPECT_EQ(p.std_err.back(), 0);
    EXPECT_EQ(p.lower.back(), 0);
    EXPECT_EQ(p.upper.back(), 0);
    // statsmodels: 0.380952 (SE 0.105971) at 8, 0.047619 (SE 0.046471) at 22
    EXPECT_NEAR(p.survival[5], 0.380952, 5e-7);
    EXPECT_NEAR(p.std_err[5], 0.105971, 5e-7);
    EXPECT_NEAR(p.std_err[10], 0.046471, 5e-7);
    for (std::size_t j = 0; j < p.size(); ++j) {
      EXPECT_TRUE(std::isfinite(p.std_err[j]) && std::isfinite(p.lower[j]) && std::isfinite(p.upper[j]));
      EXPECT_LE(p.lower[j], p.survival[j]);
      EXPECT_GE(p.upper[j], p.survival[j]);
    }
  }
  // R: placebo median 8, 0.95 LCL 4, UCL 12
  const SurvivalCurve p = kaplan_meier(b.input()).curves[1];
  EXPECT_EQ(p.median_lower, 4);
  EXPECT_EQ(p.median_upper, 12);
}

TEST(KaplanMeier, LogRankMatchesKleinbaumAndStatsmodels) {
  const KaplanMeierResult km = kaplan_meier(both().input());
  ASSERT_TRUE(km.has_logrank);
  EXPECT_NEAR(km.logrank.chi_square, 16.79, 5e-3);  // Kleinbaum & Klein
  EXPECT_NEAR(km.logrank.chi_square, 16.792940989216532, 1e-10);
  EXPECT_NEAR(km.logrank.p_value, 4.1688091093394775e-05, 1e-14);
  EXPECT_EQ(km.logrank.df, 1);
  // O = 9 and 21 relapses; E = 19.25 and 10.75 (Kleinbaum & Klein's expected counts)
  EXPECT_EQ(km.logrank.observed, (std::vector<double>{9, 21}));
  EXPECT_NEAR(km.logrank.expected[0], 19.25, 5e-3);
  EXPECT_NEAR(km.logrank.expected[1], 10.75, 5e-3);
  EXPECT_NEAR(km.logrank.expected[0] + km.logrank.expected[1], 30, 1e-12);
}

TEST(KaplanMeier, LogRankThreeGroupsMatchesStatsmodels) {
  Both b = both();
  const std::vector<double> x = {2, 3, 5, 5, 7, 8, 9, 12, 14, 15, 18, 20, 21, 30};
  const std::vector<double> xe = {1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 0};
  for (std::size_t i = 0; i < x.size(); ++i) {
    b.time.push_back(x[i]);
    b.event.push_back(xe[i]);
    b.group.push_back(2);
  }
  SurvivalInput in = b.input();
  in.group_names = {"6-MP", "placebo", "other"};
  const KaplanMeierResult km = kaplan_meier(in);
  ASSERT_EQ(km.curves.size(), 3u);
  EXPECT_EQ(km.logrank.df, 2);
  // statsmodels 0.13.5 duration.survdiff: (17.76250206477194, 0.00013897020054498554)
  EXPECT_NEAR(km.logrank.chi_square, 17.76250206477194, 1e-9);
  EXPECT_NEAR(km.logrank.p_value, 0.00013897020054498554, 1e-13);
  // group order does not change the statistic
  std::vector<std::uint32_t> rev(b.group.size());
  for (std::size_t i = 0; i < rev.size(); ++i) rev[i] = 2 - b.group[i];
  in.group = rev;
  EXPECT_NEAR(kaplan_meier(in).logrank.chi_square, 17.76250206477194, 1e-9);
}

TEST(KaplanMeier, FrequencyWeightsEqualRepeatedRows) {
  // weight 2 on every row = every row twice
  std::vector<double> w(kMpTime.size(), 2.0), t2, e2;
  for (int r = 0; r < 2; ++r) {
    t2.insert(t2.end(), kMpTime.begin(), kMpTime.end());
    e2.insert(e2.end(), kMpEvent.begin(), kMpEvent.end());
  }
  SurvivalInput weighted = mp();
  weighted.weight = w;
  SurvivalInput doubled;
  doubled.duration = t2;
  doubled.event = e2;
  const SurvivalCurve a = kaplan_meier(weighted).curves[0], b = kaplan_meier(doubled).curves[0];
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t j = 0; j < a.size(); ++j) {
    EXPECT_EQ(a.n_risk[j], b.n_risk[j]);
    EXPECT_NEAR(a.survival[j], b.survival[j], 1e-15);
    EXPECT_NEAR(a.std_err[j], b.std_err[j], 1e-15);
  }
  // and the point estimate equals the unweighted one (same proportions)
  const SurvivalCurve u = kaplan_meier(mp()).curves[0];
  EXPECT_NEAR(a.survival.back(), u.survival.back(), 1e-15);
}

TEST(KaplanMeier, MedianAtExactHalfIsMidpoint) {
  // 2, 2 (events), 3+, 4: S = 1/2 from t = 2 until the drop at t = 4, so R's rule gives (2 + 4) / 2
  const std::vector<double> t = {2, 2, 3, 4}, e = {1, 1, 0, 1};
  SurvivalInput in;
  in.duration = t;
  in.event = e;
  const SurvivalCurve c = kaplan_meier(in).curves[0];
  EXPECT_EQ(c.survival, (std::vector<double>{0.5, 0.5, 0}));
  EXPECT_EQ(c.median, 3);
}

TEST(KaplanMeier, SurvivalAtTimes) {
  const SurvivalCurve c = kaplan_meier(mp()).curves[0];
  const std::vector<double> at = {0, 5.9, 6, 12, 23, 40};
  const SurvivalAt s = survival_at(c, at);
  EXPECT_EQ(s.survival[0], 1);
  EXPECT_EQ(s.survival[1], 1);
  EXPECT_EQ(s.lower[1], 1);
  EXPECT_NEAR(s.survival[2], 18.0 / 21, 1e-15);
  EXPECT_NEAR(s.survival[3], c.survival[4], 0);  // 12 -> the row at 11 (S of 10)
  EXPECT_NEAR(s.survival[4], 0.4482, 5e-5);
  EXPECT_EQ(s.survival[5], c.survival.back());
  EXPECT_EQ(s.n_risk[0], 21);
  EXPECT_EQ(s.n_risk[3], 12);  // duration >= 12
  EXPECT_EQ(s.n_risk[5], 0);
  const std::vector<double> bad = {std::nan("")};
  EXPECT_THROW(survival_at(c, bad), InvalidArgument);
}

TEST(KaplanMeier, BadInputIsRejectedByRow) {
  std::vector<double> t = {1, 2, -1}, e = {1, 0, 1};
  SurvivalInput in;
  in.duration = t;
  in.event = e;
  try {
    kaplan_meier(in);
    FAIL();
  } catch (const InvalidArgument& ex) {
    EXPECT_THAT(ex.what(), HasSubstr("duration"));
    EXPECT_THAT(ex.what(), HasSubstr("row 2"));
  }
  t[2] = 3;
  e[1] = 2;
  try {
    kaplan_meier(in);
    FAIL();
  } catch (const InvalidArgument& ex) {
    EXPECT_THAT(ex.what(), HasSubstr("row 1"));
    EXPECT_THAT(ex.what(), HasSubstr("1 (event) or 0 (censored)"));
  }
  e[1] = 0;
  const std::vector<double> w = {1, 0, 1};
  in.weight = w;
  EXPECT_THROW(kaplan_meier(in), InvalidArgument);
  in.weight = {};
  const std::vector<double> short_e = {1};
  in.event = short_e;
  EXPECT_THROW(kaplan_meier(in), InvalidArgument);
  in.event = e;
  const std::vector<std::uint32_t> g = {0, 1, 5};
  in.group = g;
  in.group_names = {"a", "b"};
  EXPECT_THROW(kaplan_meier(in), InvalidArgument);
  KaplanMeierOptions o;
  o.conf_level = 1;
  in.group = {};
  EXPECT_THROW(kaplan_meier(in, o), InvalidArgument);
  SurvivalInput empty;
  EXPECT_THROW(kaplan_meier(empty), InvalidArgument);
}

TEST(KaplanMeier, RandomDataIsFiniteAndMonotone) {
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> ex(0.1);
  std::bernoulli_distribution ev(0.6);
  std::uniform_real_distribution<double> wt(0.1, 3);
  for (int rep = 0; rep < 20; ++rep) {
    const std::size_t n = 1 + rep * 37;
    std::vector<double> t(n), e(n), w(n);
    std::vector<std::uint32_t> g(n);
    for (std::size_t i = 0; i < n; ++i) {
      t[i] = std::floor(ex(rng));  // many ties
      e[i] = ev(rng) ? 1 : 0;
      w[i] = wt(rng);
      g[i] = static_cast<std::uint32_t>(i % 3);
    }
    SurvivalInput in;
    in.duration = t;
    in.event = e;
    in.weight = w;
    in.group = g;
    for (ConfType ct : {ConfType::Log, ConfType::LogLog, ConfType::Plain}) {
      KaplanMeierOptions o;
      o.conf_type = ct;
      const KaplanMeierResult km = kaplan_meier(in, o);
      for (const SurvivalCurve& c : km.curves) {
        for (std::size_t j = 0; j < c.size(); ++j) {
          ASSERT_TRUE(std::isfinite(c.survival[j]) && std::isfinite(c.std_err[j]) && std::isfinite(c.lower[j]) &&
                      std::isfinite(c.upper[j]));
          ASSERT_GE(c.lower[j], 0);
          ASSERT_LE(c.upper[j], 1);
          ASSERT_LE(c.lower[j], c.survival[j] + 1e-15);
          ASSERT_GE(c.upper[j], c.survival[j] - 1e-15);
          if (j > 0) {
            ASSERT_LE(c.survival[j], c.survival[j - 1]);
          }
        }
      }
      if (km.has_logrank) {
        ASSERT_TRUE(std::isfinite(km.logrank.chi_square));
        ASSERT_GE(km.logrank.p_value, 0);
        ASSERT_LE(km.logrank.p_value, 1);
      }
    }
  }
}

// ---- durations from a transaction log ---------------------------------------------------------------

TEST(Durations, NonContractualDefinition) {
  auto day = [](int y, unsigned m, unsigned d) { return io::days_from_civil(y, m, d); };
  // a: Jan 5, Jan 20, Feb 3, Apr 1; b: Jan 31, Mar 15; c: Feb 10, Feb 11, Mar 1; d: Mar 31 (2020)
  const std::vector<std::uint32_t> cust = {0, 0, 1, 0, 2, 2, 2, 1, 3, 0};
  const std::vector<std::int64_t> time = {day(2020, 1, 5),  day(2020, 1, 20), day(2020, 1, 31), day(2020, 2, 3),
                                          day(2020, 2, 10), day(2020, 2, 11), day(2020, 3, 1),  day(2020, 3, 15),
                                          day(2020, 3, 31), day(2020, 4, 1)};
  core::TransactionsView v{cust, time, {}, core::TimeUnit::Days, 0};
  DurationOptions o;
  o.inactive_days = 30;
  const CustomerDurations d = durations_from_transactions(v, o);
  EXPECT_EQ(d.observation_end, day(2020, 4, 1));
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d.event, (std::vector<double>{0, 0, 1, 0}));  // only c: 31 days without a purchase
  EXPECT_EQ(d.duration, (std::vector<double>{87, 61, 20, 1}));
  // exactly inactive_days counts as churned: c is silent for 31 days
  o.inactive_days = 31;
  EXPECT_EQ(durations_from_transactions(v, o).event[2], 1);
  o.inactive_days = 32;
  EXPECT_EQ(durations_from_transactions(v, o).event[2], 0);
  EXPECT_EQ(durations_from_transactions(v, o).duration[2], 51);  // censored at E: Feb 10 -> Apr 1
  // an earlier observation end drops later rows and customers
  o.inactive_days = 30;
  o.has_observation_end = true;
  o.observation_end = day(2020, 2, 29);
  const CustomerDurations e = durations_from_transactions(v, o);
  EXPECT_EQ(e.customer, (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(e.event, (std::vector<double>{0, 0, 0}));  // b silent since Jan 31: 29 days < 30
  EXPECT_EQ(e.duration, (std::vector<double>{55, 29, 19}));
  o.inactive_days = 29;
  EXPECT_EQ(durations_from_transactions(v, o).event, (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(durations_from_transactions(v, o).duration[1], 0);  // one purchase: lifetime 0
  // weeks
  o.has_observation_end = false;
  o.period_days = 7;
  EXPECT_NEAR(durations_from_transactions(v, o).duration[0], 87.0 / 7, 1e-15);
  o.inactive_days = 0;
  EXPECT_THROW(durations_from_transactions(v, o), InvalidArgument);
}
