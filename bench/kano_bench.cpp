// Kano analysis of synthetic surveys (in-memory code columns), 1e3 .. 1e7 answers, and of survey CSV
// text (parse + word mapping + analysis). Items are answers (rows).
//  - 20 features, rows / 20 respondents; answers drawn so each feature leans to one category
//    (fixed seed), 1 % missing, importance 1..5;
//  - BM_KanoAnalyze/<rows>: kano::analyze on the columns (the work pandas does with crosstab);
//  - BM_KanoParseAndAnalyze/<rows>: kano::parse_survey on CSV text in memory + analyze.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "crmkit/kano/kano.hpp"

namespace {

struct Survey {
  std::vector<std::uint32_t> respondent, feature;
  std::vector<std::int32_t> functional, dysfunctional;
  std::vector<double> importance;
  std::vector<std::string> names;
  crmkit::kano::SurveyView view() const {
    crmkit::kano::SurveyView v;
    v.respondent = respondent;
    v.feature = feature;
    v.functional = functional;
    v.dysfunctional = dysfunctional;
    v.importance = importance;
    v.feature_names = names;
    return v;
  }
};

Survey make(std::size_t rows) {
  constexpr std::size_t kFeatures = 20;
  Survey s;
  std::mt19937_64 rng(42);
  // Typical answer pairs per category: A (1,3), O (1,5), M (3,5), I (3,3); other pairs as noise.
  const int pairs[4][2] = {{1, 3}, {1, 5}, {3, 5}, {3, 3}};
  std::uniform_int_distribution<int> any(1, 5);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::size_t k = 0; k < kFeatures; ++k) {
    std::string name = "feature_";
    name += std::to_string(k);
    s.names.push_back(name);
  }
  for (std::size_t i = 0; i < rows; ++i) {
    const auto f = static_cast<std::uint32_t>(i % kFeatures);
    s.respondent.push_back(static_cast<std::uint32_t>(i / kFeatures));
    s.feature.push_back(f);
    const double x = u(rng);
    int fu = 0, dy = 0;
    if (x < 0.5) {
      fu = pairs[f % 4][0];
      dy = pairs[f % 4][1];
    } else if (x < 0.99) {
      fu = any(rng);
      dy = any(rng);
    }
    s.functional.push_back(fu);
    s.dysfunctional.push_back(dy);
    s.importance.push_back(static_cast<double>(1 + rng() % 5));
  }
  return s;
}

const Survey& cached(std::size_t rows) {
  static std::map<std::size_t, Survey> cache;
  auto it = cache.find(rows);
  if (it == cache.end()) it = cache.emplace(rows, make(rows)).first;
  return it->second;
}

void BM_KanoAnalyze(benchmark::State& state) {
  const Survey& s = cached(static_cast<std::size_t>(state.range(0)));
  const auto v = s.view();
  for (auto _ : state) {
    auto r = crmkit::kano::analyze(v);
    benchmark::DoNotOptimize(r.features.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_KanoAnalyze)->RangeMultiplier(10)->Range(1000, 10000000)->Unit(benchmark::kMillisecond);

void BM_KanoParseAndAnalyze(benchmark::State& state) {
  const Survey& s = cached(static_cast<std::size_t>(state.range(0)));
  static const char* words[] = {"", "like", "must-be", "neutral", "live-with", "dislike"};
  std::string text = "respondent,feature,functional,dysfunctional,importance\n";
  for (std::size_t i = 0; i < s.functional.size(); ++i) {
    text += 'r';
    text += std::to_string(s.respondent[i]);
    text += ',';
    text += s.names[s.feature[i]];
    text += ',';
    text += (i % 2 ? words[s.functional[i]] : std::to_string(s.functional[i]));
    text += ',';
    text += std::to_string(s.dysfunctional[i]);
    text += ',';
    text += std::to_string(static_cast<int>(s.importance[i]));
    text += '\n';
  }
  for (auto _ : state) {
    const auto t = crmkit::kano::parse_survey(text);
    auto r = crmkit::kano::analyze(t.view());
    benchmark::DoNotOptimize(r.features.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_KanoParseAndAnalyze)->RangeMultiplier(10)->Range(1000, 1000000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
