// Service metrics against hand-computed examples (tests/data/service_interactions.csv and
// nps_scores.csv, worked in docs/models/service.md), published interval values (Newcombe 1998),
// properties and error paths.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/service/abtest.hpp"
#include "crmkit/service/metrics.hpp"

using namespace crmkit;
using namespace crmkit::service;
using ::testing::HasSubstr;

namespace {
const std::string kData = CRMKIT_TEST_DATA;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Ratios of small integers and closed forms: a few ulp.
constexpr double kTol = 1e-12;
// z_{0.975} = 1.959963984540054 (scipy.stats.norm.ppf(0.975)).
constexpr double kZ = 1.959963984540054;

const GroupMetrics& group(const ServiceReport& r, const std::string& name) {
  for (const auto& g : r.groups)
    if (g.group == name) return g;
  throw std::runtime_error("no group " + name);
}
}  // namespace

TEST(Wilson, PublishedAndClosedForm) {
  // Newcombe (1998) example (a): 56/70 and 48/80; scipy/statsmodels proportion_confint(method="wilson")
  // give 0.6918335550374695..0.8769526075163705 and 0.4904546500516038..0.7003817240412906.
  const auto b = wilson(56, 70);
  EXPECT_NEAR(b.ci_low, 0.6918335550374695, 1e-12);
  EXPECT_NEAR(b.ci_high, 0.8769526075163705, 1e-12);
  const auto a = wilson(48, 80);
  EXPECT_NEAR(a.ci_low, 0.4904546500516038, 1e-12);
  EXPECT_NEAR(a.ci_high, 0.7003817240412906, 1e-12);
  // Boundaries: 0/n has lower limit 0 and upper z^2/(n+z^2).
  const auto z = wilson(0, 10);
  EXPECT_EQ(z.ci_low, 0);
  EXPECT_NEAR(z.ci_high, kZ * kZ / (10 + kZ * kZ), 1e-12);
  EXPECT_EQ(wilson(10, 10).ci_high, 1);
  EXPECT_TRUE(std::isnan(wilson(0, 0).estimate));
  EXPECT_THROW(wilson(3, 2), InvalidArgument);
  EXPECT_THROW(wilson(1, 2, 1.0), InvalidArgument);
}

TEST(AbTest, Newcombe1998ExampleA) {
  // A = 48/80, B = 56/70: difference 0.2; Newcombe (1998), Table II, method 10: 0.0524 to 0.3339.
  const auto t = two_proportion_test(48, 80, 56, 70);
  EXPECT_NEAR(t.difference, 0.2, kTol);
  EXPECT_NEAR(t.ci_low, 0.0524, 5e-5);  // the paper prints 4 decimals
  EXPECT_NEAR(t.ci_high, 0.3339, 5e-5);
  EXPECT_NEAR(t.ci_low, 0.052431472402364926, 1e-12);  // the same formula in double (scipy)
  EXPECT_NEAR(t.ci_high, 0.333872654036906, 1e-12);
  // Pooled z: z^2 is Pearson's chi-square without continuity correction, 7.023411371237456
  // (scipy.stats.chi2_contingency(correction=False)), p = 0.008045081368196585.
  EXPECT_NEAR(t.z * t.z, 7.023411371237456, 1e-10);
  EXPECT_GT(t.z, 0);
  EXPECT_NEAR(t.p_value, 0.008045081368196585, 1e-12);
  EXPECT_TRUE(t.significant);
  EXPECT_NEAR(t.relative_lift, 0.8 / 0.6 - 1, kTol);
  // Symmetry: swapping the arms negates the difference and the interval.
  const auto s = two_proportion_test(56, 70, 48, 80);
  EXPECT_NEAR(s.difference, -0.2, kTol);
  EXPECT_NEAR(s.ci_low, -t.ci_high, kTol);
  EXPECT_NEAR(s.ci_high, -t.ci_low, kTol);
  EXPECT_NEAR(s.p_value, t.p_value, kTol);
  // Degenerate arms: no variance -> z 0, p 1; interval still finite inside [-1, 1].
  const auto d = two_proportion_test(0, 10, 0, 20);
  EXPECT_EQ(d.z, 0);
  EXPECT_EQ(d.p_value, 1);
  EXPECT_FALSE(d.significant);
  EXPECT_TRUE(std::isnan(d.relative_lift));
  EXPECT_GE(d.ci_low, -1);
  EXPECT_LE(d.ci_high, 1);
  EXPECT_THROW(two_proportion_test(1, 0, 1, 2), InvalidArgument);
  EXPECT_THROW(two_proportion_test(3, 2, 1, 2), InvalidArgument);
  EXPECT_THROW(two_proportion_test(1, 2, -1, 2), InvalidArgument);
  EXPECT_THROW(two_proportion_test(1, 2, 1, 2, 0), InvalidArgument);
  const auto j = to_json(t);
  EXPECT_EQ(j["a"]["successes"], 48);
  EXPECT_TRUE(j["significant"].get<bool>());
}

TEST(AbTest, PropertiesOverAGrid) {
  for (std::int64_t na : {1, 7, 100, 100000})
    for (std::int64_t nb : {1, 13, 1000})
      for (double fa : {0.0, 0.3, 1.0})
        for (double fb : {0.0, 0.5, 1.0}) {
          const auto sa = static_cast<std::int64_t>(fa * static_cast<double>(na));
          const auto sb = static_cast<std::int64_t>(fb * static_cast<double>(nb));
          const auto t = two_proportion_test(sa, na, sb, nb);
          EXPECT_TRUE(std::isfinite(t.ci_low) && std::isfinite(t.ci_high) && std::isfinite(t.z));
          EXPECT_LE(t.ci_low, t.difference + 1e-15);
          EXPECT_GE(t.ci_high, t.difference - 1e-15);
          EXPECT_GE(t.ci_low, -1 - 1e-12);
          EXPECT_LE(t.ci_high, 1 + 1e-12);
          EXPECT_GE(t.p_value, 0);
          EXPECT_LE(t.p_value, 1);
        }
}

TEST(Nps, HandComputedScores) {
  const NpsReport r = nps_csv(kData + "/nps_scores.csv", "segment");
  // 20 answers: 8 promoters, 6 passives, 6 detractors; one blank.
  EXPECT_EQ(r.overall.n, 20);
  EXPECT_EQ(r.overall.promoters, 8);
  EXPECT_EQ(r.overall.passives, 6);
  EXPECT_EQ(r.overall.detractors, 6);
  EXPECT_EQ(r.overall.missing, 1);
  EXPECT_NEAR(r.overall.score, 10.0, kTol);
  // se = 100 sqrt((0.4 + 0.3 - 0.1^2) / 20)
  const double se = 100 * std::sqrt(0.69 / 20);
  EXPECT_NEAR(r.overall.std_error, se, 1e-12);
  EXPECT_NEAR(r.overall.ci_low, 10 - kZ * se, 1e-10);
  EXPECT_NEAR(r.overall.ci_high, 10 + kZ * se, 1e-10);
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.group_names[0], "smb");
  EXPECT_NEAR(r.groups[0].score, 100.0 * 3 / 9, 1e-12);   // 5 promoters, 2 detractors of 9
  EXPECT_NEAR(r.groups[1].score, -100.0 / 11, 1e-12);     // 3 promoters, 4 detractors of 11
  EXPECT_EQ(r.groups[0].missing, 1);
  // All promoters: score 100, se 0, interval [100, 100].
  const std::vector<double> all9{9, 10, 9};
  const auto p = nps(all9);
  EXPECT_EQ(p.score, 100);
  EXPECT_EQ(p.std_error, 0);
  EXPECT_EQ(p.ci_high, 100);
  // Clipping to [-100, 100].
  const std::vector<double> two{10, 0};
  const auto c = nps(two, 0.999);
  EXPECT_GE(c.ci_low, -100);
  EXPECT_LE(c.ci_high, 100);
  // Errors name the index and the value; in a file the line and column.
  const std::vector<double> bad{9, 11};
  try {
    nps(bad);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("scores[1]"));
    EXPECT_THAT(e.what(), HasSubstr("0..10"));
  }
  const std::vector<double> frac{7.5};
  EXPECT_THROW(nps(frac), InvalidArgument);
  EXPECT_TRUE(std::isnan(nps(std::vector<double>{kNaN}).score));
  EXPECT_THROW(nps_csv(kData + "/nps_scores.csv", "region"), ParseError);
  EXPECT_THROW(nps_csv(kData + "/no_such.csv"), IoError);
}

TEST(Csat, AndCes) {
  const std::vector<double> s{5, 4, 3, 2, 1, 5, kNaN};
  const auto c = csat(s);
  EXPECT_EQ(c.n, 6);
  EXPECT_EQ(c.satisfied, 3);
  EXPECT_EQ(c.missing, 1);
  EXPECT_NEAR(c.csat, 0.5, kTol);
  EXPECT_NEAR(c.mean, 20.0 / 6, kTol);
  EXPECT_NEAR(c.ci_low, wilson(3, 6).ci_low, kTol);
  const std::vector<double> e{7, 6, 5, 4, 3, 2, 1, 7};
  const auto r = ces(e);
  EXPECT_EQ(r.n, 8);
  EXPECT_NEAR(r.mean, 35.0 / 8, kTol);
  EXPECT_EQ(r.easy, 4);
  EXPECT_EQ(r.difficult, 3);
  EXPECT_NEAR(r.difficult_share, 3.0 / 8, kTol);
  // Sample sd: squared deviations from 4.375 sum to 35.875; t_{0.975, 7} = 2.3646242515927853 (mpmath, 30 digits; scipy.stats.t.ppf is 6e-10 off).
  EXPECT_NEAR(r.sd, std::sqrt(35.875 / 7), 1e-12);
  EXPECT_NEAR(r.mean_ci_high - r.mean, 2.3646242515927853 * r.sd / std::sqrt(8.0), 1e-10);
  EXPECT_TRUE(std::isnan(ces(std::vector<double>{4}).sd));
  EXPECT_THROW(csat(std::vector<double>{6}), InvalidArgument);
  EXPECT_THROW(ces(std::vector<double>{0}), InvalidArgument);
}

TEST(ServiceReport, HandComputedInteractionsByChannel) {
  const ServiceReport r = service_metrics_csv(kData + "/service_interactions.csv", "channel");
  EXPECT_TRUE(r.has_csat && r.has_ces && r.has_fcr && r.has_sla);
  const GroupMetrics& o = r.overall;
  EXPECT_EQ(o.interactions, 16);
  EXPECT_EQ(o.csat.n, 15);
  EXPECT_EQ(o.csat.satisfied, 10);
  EXPECT_NEAR(o.csat.csat, 10.0 / 15, kTol);
  EXPECT_NEAR(o.csat.mean, 56.0 / 15, kTol);
  EXPECT_EQ(o.ces.n, 15);
  EXPECT_NEAR(o.ces.mean, 72.0 / 15, kTol);
  EXPECT_NEAR(o.ces.difficult_share, 3.0 / 15, kTol);
  EXPECT_EQ(o.fcr.trials, 15);
  EXPECT_EQ(o.fcr.successes, 10);
  ASSERT_EQ(o.sla.tiers.size(), 3u);
  EXPECT_EQ(o.sla.tiers[0].tier, "urgent");
  EXPECT_EQ(o.sla.tiers[0].target_minutes, 30);
  EXPECT_EQ(o.sla.tiers[0].n, 5);
  EXPECT_EQ(o.sla.tiers[0].met, 4);  // 45 minutes misses 30
  EXPECT_NEAR(o.sla.tiers[0].mean_minutes, 102.0 / 5, kTol);
  EXPECT_EQ(o.sla.tiers[1].n, 7);
  EXPECT_EQ(o.sla.tiers[1].met, 5);  // 300 and 250 miss 240
  EXPECT_EQ(o.sla.tiers[1].missing, 1);
  EXPECT_EQ(o.sla.tiers[2].met, 2);  // 1500 misses 1440
  EXPECT_NEAR(o.sla.compliance, 11.0 / 15, kTol);

  ASSERT_EQ(r.groups.size(), 3u);
  const auto& email = group(r, "email");
  EXPECT_EQ(email.interactions, 6);
  EXPECT_NEAR(email.csat.csat, 4.0 / 6, kTol);
  EXPECT_NEAR(email.sla.compliance, 0.5, kTol);
  EXPECT_NEAR(email.fcr.estimate, 0.5, kTol);
  const auto& phone = group(r, "phone");
  EXPECT_NEAR(phone.csat.csat, 0.75, kTol);
  EXPECT_NEAR(phone.sla.compliance, 0.8, kTol);
  EXPECT_NEAR(phone.fcr.estimate, 0.8, kTol);
  const auto& chat = group(r, "chat");
  EXPECT_NEAR(chat.csat.csat, 0.6, kTol);
  EXPECT_NEAR(chat.sla.compliance, 1.0, kTol);
  EXPECT_NEAR(chat.fcr.estimate, 0.75, kTol);
  // Groups add up to the overall counts.
  std::int64_t sat = 0, met = 0;
  for (const auto& g : r.groups) {
    sat += g.csat.satisfied;
    met += g.sla.met;
  }
  EXPECT_EQ(sat, o.csat.satisfied);
  EXPECT_EQ(met, o.sla.met);

  // By segment; and custom targets (everything normal within 5 h is met).
  ServiceOptions opt;
  opt.sla = parse_sla_targets("urgent=1h, normal=5h, complex=1d");
  const ServiceReport s = service_metrics_csv(kData + "/service_interactions.csv", "segment", opt);
  EXPECT_EQ(s.groups.size(), 2u);
  EXPECT_EQ(s.overall.sla.tiers[0].met, 5);
  EXPECT_EQ(s.overall.sla.tiers[1].met, 7);
  const auto j = to_json(s);
  EXPECT_EQ(j["overall"]["sla"]["tiers"]["normal"]["target_minutes"], 300);
  EXPECT_EQ(j["groups"].size(), 2u);
}

TEST(ServiceReport, ColumnsAndErrors) {
  const std::vector<double> cs{5, 4, 1}, frt{10, 50, kNaN};
  const std::vector<std::uint32_t> pr{0, 0, 1}, grp{0, 1, 1};
  const std::vector<std::string> pn{"URGENT", "normal"}, gn{"web", "app"};
  ServiceColumns c;
  c.csat = cs;
  c.first_response_minutes = frt;
  c.priority = pr;
  c.priority_names = pn;
  const auto r = service_metrics(c, grp, gn);
  EXPECT_FALSE(r.has_ces);
  EXPECT_EQ(r.overall.sla.tiers[0].n, 2);
  EXPECT_EQ(r.overall.sla.tiers[0].met, 1);
  EXPECT_EQ(r.overall.sla.tiers[1].missing, 1);
  EXPECT_EQ(group(r, "app").csat.satisfied, 1);
  EXPECT_FALSE(to_json(r)["overall"].contains("ces"));
  // Unknown tier, mismatched lengths, bad codes, bad values.
  const std::vector<std::string> odd{"urgent", "someday"};
  c.priority_names = odd;
  try {
    service_metrics(c);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("'someday'"));
    EXPECT_THAT(e.what(), HasSubstr("urgent, normal, complex"));
  }
  c.priority_names = pn;
  const std::vector<double> short_cs{5};
  ServiceColumns d = c;
  d.csat = short_cs;
  EXPECT_THROW(service_metrics(d), InvalidArgument);
  const std::vector<std::uint32_t> badg{0, 5, 1};
  EXPECT_THROW(service_metrics(c, badg, gn), InvalidArgument);
  const std::vector<double> neg{-1, 2, 3};
  d = c;
  d.first_response_minutes = neg;
  EXPECT_THROW(service_metrics(d), InvalidArgument);
  ServiceOptions o;
  o.confidence = 1.5;
  EXPECT_THROW(service_metrics(c, {}, {}, o), InvalidArgument);
  EXPECT_THROW(parse_sla_targets("urgent=soon"), InvalidArgument);
  EXPECT_THROW(parse_sla_targets("urgent=1h,URGENT=2h"), InvalidArgument);
  EXPECT_THROW(parse_sla_targets(""), InvalidArgument);
  EXPECT_EQ(parse_sla_targets("vip=90")[0].minutes, 90);
}

TEST(ServiceReport, CsvErrorsNameTheCell) {
  const std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, const std::string& text) {
    const std::string p = dir + "/" + name;
    FILE* f = std::fopen(p.c_str(), "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
    return p;
  };
  try {
    service_metrics_csv(write("s1.csv", "channel,csat\nweb,4\nweb,9\n"));
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("s1.csv:3:2: column 'csat'"));
    EXPECT_THAT(e.what(), HasSubstr("found '9'"));
  }
  try {
    service_metrics_csv(write("s2.csv", "first_response_minutes,priority\n10,urgent\n10,vip\n"));
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_THAT(e.what(), HasSubstr("s2.csv:3:2: column 'priority'"));
  }
  EXPECT_THROW(service_metrics_csv(write("s3.csv", "channel,kind\nweb,x\n")), ParseError);
  EXPECT_THROW(service_metrics_csv(write("s4.csv", "first_response_minutes\n10\n")), ParseError);
  EXPECT_THROW(service_metrics_csv(write("s5.csv", "resolved_first_contact\nmaybe\n")), ParseError);
}

TEST(ServiceProperties, RandomInteractions) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t n = 1 + rng() % 500;
    std::vector<double> cs(n), ce(n), m(n);
    std::vector<std::int8_t> f(n);
    std::vector<std::uint32_t> p(n), g(n);
    for (std::size_t i = 0; i < n; ++i) {
      cs[i] = rng() % 10 == 0 ? kNaN : static_cast<double>(1 + rng() % 5);
      ce[i] = static_cast<double>(1 + rng() % 7);
      m[i] = static_cast<double>(rng() % 3000);
      f[i] = static_cast<std::int8_t>(static_cast<int>(rng() % 3) - 1);
      p[i] = static_cast<std::uint32_t>(rng() % 3);
      g[i] = static_cast<std::uint32_t>(rng() % 4);
    }
    const std::vector<std::string> pn{"urgent", "normal", "complex"}, gn{"a", "b", "c", "d"};
    ServiceColumns c{cs, ce, m, f, p, pn};
    const auto r = service_metrics(c, g, gn);
    std::int64_t total = 0;
    for (const auto* gm : {&r.overall}) {
      EXPECT_GE(gm->csat.csat, 0);
      EXPECT_LE(gm->csat.csat, 1);
      EXPECT_LE(gm->csat.ci_low, gm->csat.csat);
      EXPECT_GE(gm->csat.ci_high, gm->csat.csat);
      EXPECT_GE(gm->ces.mean, 1);
      EXPECT_LE(gm->ces.mean, 7);
    }
    for (const auto& gm : r.groups) total += gm.interactions;
    EXPECT_EQ(total, static_cast<std::int64_t>(n));
    const auto nr = nps_by(ce, g, gn);  // 1..7 are valid 0..10 scores
    std::int64_t pro = 0;
    for (const auto& x : nr.groups) pro += x.promoters;
    EXPECT_EQ(pro, nr.overall.promoters);
    EXPECT_GE(nr.overall.ci_low, -100);
    EXPECT_LE(nr.overall.ci_high, 100);
  }
}
