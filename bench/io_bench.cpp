// CSV ingestion from memory (the file is read once, outside the loop): CDNOW_master.txt, and the
// synthetic log named by CRMKIT_BENCH_DATA when set (scripts/bench.sh generates it).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "crmkit/io/csv.hpp"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void parse(benchmark::State& state, const std::string& text, const crmkit::io::ReadOptions& o) {
  if (text.empty()) {
    state.SkipWithError("no data (set CRMKIT_BENCH_DATA)");
    return;
  }
  std::size_t rows = 0;
  for (auto _ : state) {
    auto t = crmkit::io::parse_transactions(text, o);
    rows = t.size();
    benchmark::DoNotOptimize(t.customer.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(rows));
}

void BM_ParseCdnowMaster(benchmark::State& state) {
  static const std::string text = slurp(std::string(CRMKIT_TEST_DATA) + "/CDNOW_master.txt");
  crmkit::io::ReadOptions o;
  o.amount = "dollar_value";
  parse(state, text, o);
}

void BM_ParseSynthetic(benchmark::State& state) {
  const char* p = std::getenv("CRMKIT_BENCH_DATA");
  static const std::string text = p ? slurp(p) : std::string();
  parse(state, text, {});
}

}  // namespace

BENCHMARK(BM_ParseCdnowMaster)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseSynthetic)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_MAIN();
