#!/usr/bin/env bash
# Benchmarks of the foundation beside pandas, on the same data in the same run.
# Builds the `bench` preset, generates the synthetic log if missing (build/bench-data/), runs the
# Google Benchmarks pinned to one core, then the pandas comparison, writing JSON to build/bench-results/.
# usage: scripts/bench.sh [ROWS=10000000] [CUSTOMERS=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
customers=${2:-1000000}
bash scripts/install-deps.sh
cmake --preset bench >/dev/null
cmake --build --preset bench -j"$(nproc)" >/dev/null
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DCRMKIT_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target crmkit_cli -j"$(nproc)" >/dev/null
mkdir -p build/bench-data build/bench-results
data=build/bench-data/synthetic_${rows}.csv
[[ -f $data ]] || /usr/bin/python3 scripts/gen_synthetic.py "$data" --rows "$rows" --customers "$customers"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)
for b in io summary rfm; do
  CRMKIT_BENCH_DATA=$data "${pin[@]}" "build/bench/bench/${b}_bench" --benchmark_repetitions=5 \
    --benchmark_report_aggregates_only=true --benchmark_format=json \
    --benchmark_out="build/bench-results/${b}.json" --benchmark_out_format=json >/dev/null
done
"${pin[@]}" /usr/bin/python3 bench/compare/pandas_compare.py "$data" --crmkit build/release/crmkit \
  > build/bench-results/pandas_synthetic.json
/usr/bin/python3 bench/compare/report.py build/bench-results
