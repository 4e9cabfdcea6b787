// CSV ingestion throughput (bytes per second, rows per second).
//
//  - BM_Parse/<file>:     io::parse_transactions from a buffer read once, outside the loop;
//  - BM_ReadFile/<file>:  io::read_transactions from the path (the file is in the page cache after the
//                         first run, so this adds the read to the parse);
//  - BM_ScanLines/<file>: the floor: count the newlines of the same buffer (one pass over the bytes).
// Files: tests/data/CDNOW_master.txt (real data, whitespace-separated, always), and the files in the
// environment variable CRMKIT_BENCH_DATA (comma-separated paths, e.g. the synthetic logs written by
// scripts/gen_synthetic.py); the synthetic cases are skipped when it is unset.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crmkit/io/csv.hpp"
#include "files.hpp"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

using crmkit::bench::base_name;

struct Input {
  std::string path, name, text;
  crmkit::io::ReadOptions options;
};

void set_counters(benchmark::State& state, const Input& in, std::size_t rows) {
  const auto it = static_cast<std::int64_t>(state.iterations());
  state.SetBytesProcessed(it * static_cast<std::int64_t>(in.text.size()));
  state.SetItemsProcessed(it * static_cast<std::int64_t>(rows));
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["MB"] = static_cast<double>(in.text.size()) / 1e6;
}

void parse(benchmark::State& state, const Input& in) {
  std::size_t rows = 0;
  for (auto _ : state) {
    auto t = crmkit::io::parse_transactions(in.text, in.options, in.name);
    rows = t.size();
    benchmark::DoNotOptimize(t.customer.data());
    benchmark::DoNotOptimize(t.time.data());
    benchmark::DoNotOptimize(t.amount.data());
  }
  set_counters(state, in, rows);
}

void read_file(benchmark::State& state, const Input& in) {
  std::size_t rows = 0;
  for (auto _ : state) {
    auto t = crmkit::io::read_transactions(in.path, in.options);
    rows = t.size();
    benchmark::DoNotOptimize(t.customer.data());
  }
  set_counters(state, in, rows);
}

void scan_lines(benchmark::State& state, const Input& in) {
  std::size_t lines = 0;
  for (auto _ : state) {
    lines = static_cast<std::size_t>(std::count(in.text.begin(), in.text.end(), '\n'));
    benchmark::DoNotOptimize(lines);
  }
  set_counters(state, in, lines);
}

// Inputs live for the whole process; benchmarks hold references into this list.
std::vector<std::unique_ptr<Input>>& inputs() {
  static std::vector<std::unique_ptr<Input>> v;
  return v;
}

void add(const std::string& path, crmkit::io::ReadOptions options, bool heavy) {
  auto in = std::make_unique<Input>();
  in->path = path;
  in->name = base_name(path);
  in->text = slurp(path);
  in->options = std::move(options);
  if (in->text.empty()) return;
  const Input& r = *in;
  inputs().push_back(std::move(in));
  auto unit = heavy ? benchmark::kMillisecond : benchmark::kMicrosecond;
  benchmark::RegisterBenchmark(("BM_Parse/" + r.name).c_str(), [&r](benchmark::State& s) { parse(s, r); })
      ->Unit(unit)->UseRealTime();
  benchmark::RegisterBenchmark(("BM_ReadFile/" + r.name).c_str(), [&r](benchmark::State& s) { read_file(s, r); })
      ->Unit(unit)->UseRealTime();
  benchmark::RegisterBenchmark(("BM_ScanLines/" + r.name).c_str(), [&r](benchmark::State& s) { scan_lines(s, r); })
      ->Unit(unit)->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  crmkit::io::ReadOptions cdnow;
  cdnow.amount = "dollar_value";
  add(std::string(CRMKIT_TEST_DATA) + "/CDNOW_master.txt", cdnow, false);
  for (const auto& path : crmkit::bench::bench_data_paths()) add(path, {}, true);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
