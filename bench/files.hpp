// Transaction logs named by the environment variable CRMKIT_BENCH_DATA (comma-separated paths, e.g.
// the synthetic logs of scripts/gen_synthetic.py), for benchmarks on exactly the data the pandas
// comparison reads. Each file is ingested once, on first use, outside every timed loop.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "crmkit/core/table.hpp"
#include "crmkit/io/csv.hpp"

namespace crmkit::bench {

/// The paths in CRMKIT_BENCH_DATA; empty when it is unset.
inline std::vector<std::string> bench_data_paths() {
  std::vector<std::string> out;
  const char* env = std::getenv("CRMKIT_BENCH_DATA");
  if (env == nullptr) return out;
  const std::string list = env;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const auto comma = std::min(list.find(',', pos), list.size());
    if (comma > pos) out.push_back(list.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

inline std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// The table of `path`, read on first use and kept for the process.
inline const core::TransactionTable& loaded(const std::string& path) {
  static std::map<std::string, core::TransactionTable> cache;
  auto it = cache.find(path);
  if (it == cache.end()) it = cache.emplace(path, io::read_transactions(path)).first;
  return it->second;
}

/// Registers `prefix/<file name>` for every file in CRMKIT_BENCH_DATA, calling fn(state, view).
inline void register_file_benchmarks(
    const std::string& prefix, std::function<void(benchmark::State&, const core::TransactionsView&)> fn) {
  for (const auto& path : bench_data_paths()) {
    benchmark::RegisterBenchmark((prefix + "/" + base_name(path)).c_str(),
                                 [path, fn](benchmark::State& state) { fn(state, loaded(path).view()); })
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace crmkit::bench
