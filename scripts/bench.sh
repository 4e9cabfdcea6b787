#!/usr/bin/env bash
# Benchmarks of the foundation (ingest, summary, RFM, CLI) beside pandas, on the same data in one run.
#
#  1. builds the `bench` preset (Release; the Google Benchmarks and the crmkit CLI);
#  2. generates the synthetic logs if missing (scripts/gen_synthetic.py, seed 42):
#     $OUT/synthetic_1m.csv (1M rows, 100k customers) and $OUT/synthetic_10m.csv (10M rows, 1M customers);
#  3. runs io_bench, summary_bench and rfm_bench pinned to one core (taskset -c $CPU),
#     --benchmark_repetitions=5, JSON into $OUT/results/; then rfm_bench's two-thread cases (BM_*2T)
#     unpinned, on every core, into rfm_bench_2t.json (reported in wall time);
#  4. runs bench/compare/pandas_compare.py on both files (pinned; the 1M file also checks that crmkit's
#     numbers equal pandas'), and the CLI end to end, `crmkit rfm --transactions F -o ...` beside
#     bench/compare/pandas_rfm_cli.py, with hyperfine when installed, else bench/compare/time_cmd.py;
#  5. prints the markdown tables of docs/benchmarks.md (bench/compare/report.py), also saved to
#     $OUT/results/report.md.
# About 6 minutes on a 2-core machine. Generated data stay outside the repository.
#
# usage: scripts/bench.sh [--quick]        (--quick: the 1M file only, 1 repetition: a smoke run)
# env:   CRMKIT_BENCH_OUT (default build/bench-out), CRMKIT_BENCH_CPU (default 1), PYTHON,
#        CRMKIT_BENCH_BUILD (an existing build dir configured with -DCRMKIT_BUILD_BENCH=ON, whose
#        targets io_bench summary_bench rfm_bench crmkit_cli are built instead of the bench preset),
#        CRMKIT_BENCH_RESULTS (default $CRMKIT_BENCH_OUT/results),
#        CRMKIT_BENCH_CLOCK=cpu (pandas and the CLI timed by CPU time, for a machine loaded by other jobs;
#        the Google Benchmarks report cpu_time beside real_time in their JSON either way)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${CRMKIT_BENCH_OUT:-build/bench-out}
cpu=${CRMKIT_BENCH_CPU:-1}
py=${PYTHON:-/usr/bin/python3}
quick=0
[[ ${1:-} == --quick ]] && quick=1
reps=5 pd_repeat_small=5 pd_repeat_large=3 cli_runs=3
((quick)) && reps=1 pd_repeat_small=1 cli_runs=1

log() { printf '[bench.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [[ -n ${CRMKIT_BENCH_BUILD:-} ]]; then
  bin=$(cd "$CRMKIT_BENCH_BUILD" && pwd)
  log "building io_bench summary_bench rfm_bench crmkit_cli in $bin"
  cmake --build "$bin" -j2 --target io_bench summary_bench rfm_bench crmkit_cli >/dev/null
else
  log "building the bench preset"
  cmake --preset bench >/dev/null
  cmake --build --preset bench -j2 >/dev/null
  bin=$root/build/bench
fi
res=${CRMKIT_BENCH_RESULTS:-$out/results}
mkdir -p "$res"
small=$out/synthetic_1m.csv
large=$out/synthetic_10m.csv
[[ -f $small ]] || "$py" scripts/gen_synthetic.py "$small" --rows 1000000 --customers 100000
files=$small
if ((!quick)); then
  [[ -f $large ]] || "$py" scripts/gen_synthetic.py "$large" --rows 10000000 --customers 1000000
  files=$small,$large
fi

pin=()
command -v taskset >/dev/null && pin=(taskset -c "$cpu")
{
  echo "date: $(date -Is)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; RAM $(free -g | awk '/^Mem:/{print $2}') GiB"
  echo "compiler: $(c++ --version | head -1)"
  echo "flags: $(grep -E '^CMAKE_CXX_FLAGS_RELEASE:' "$bin/CMakeCache.txt" | cut -d= -f2)"
  echo "python: $("$py" -c 'import sys, pandas, numpy; print(sys.version.split()[0], "pandas", pandas.__version__, "numpy", numpy.__version__)')"
  echo "pinned: ${pin[*]:-no}"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$res/machine.txt"

gbench() {  # name
  log "$1 (repetitions $reps)"
  CRMKIT_BENCH_DATA=$files "${pin[@]}" "$bin/bench/$1" --benchmark_repetitions="$reps" \
    --benchmark_format=json >"$res/$1.json"
}
gbench io_bench
gbench summary_bench
gbench rfm_bench
# rfm_bench's two-thread cases again, on every core (unpinned): their wall time is the point
log "rfm_bench two-thread cases on all cores (repetitions $reps)"
CRMKIT_BENCH_DATA=$files "$bin/bench/rfm_bench" --benchmark_filter='2T/' --benchmark_repetitions="$reps" \
  --benchmark_format=json >"$res/rfm_bench_2t.json"
echo "load after gbench: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$res/machine.txt"

log "pandas on $(basename "$small") (best of $pd_repeat_small, checked against crmkit)"
"${pin[@]}" "$py" bench/compare/pandas_compare.py "$small" --repeat "$pd_repeat_small" --check "$bin/crmkit" \
  >"$res/pandas_synthetic_1m.json"
if ((!quick)); then
  log "pandas on $(basename "$large") (best of $pd_repeat_large)"
  "${pin[@]}" "$py" bench/compare/pandas_compare.py "$large" --repeat "$pd_repeat_large" >"$res/pandas_synthetic_10m.json"
fi

IFS=, read -ra file_list <<<"$files"
for f in "${file_list[@]}"; do
  name=$(basename "$f" .csv)
  log "CLI end to end on $name ($cli_runs runs)"
  cmds=("${pin[*]} $bin/crmkit rfm --transactions $f -o $out/rfm_crmkit_$name.csv"
        "${pin[*]} $py $root/bench/compare/pandas_rfm_cli.py $f -o $out/rfm_pandas_$name.csv")
  if command -v hyperfine >/dev/null; then
    hyperfine --runs "$cli_runs" --warmup 1 --export-json "$res/cli_$name.json" "${cmds[@]}" >/dev/null
  else
    "$py" bench/compare/time_cmd.py --runs "$cli_runs" --warmup 1 --export-json "$res/cli_$name.json" "${cmds[@]}"
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$res/machine.txt"

"$py" bench/compare/report.py "$res" | tee "$res/report.md"
