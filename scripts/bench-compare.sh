#!/usr/bin/env bash
# Before and after: the hot-path benchmarks (ingest, summary, RFM, CLV fits) of a base commit beside the
# working tree, built with the same flags and run in alternating rounds pinned to one core, so that
# whatever else the machine does falls on both sides alike. Prints, per benchmark, the median CPU time
# of each side over the rounds and the ratio after / before (docs/benchmarks.md, "Before and after").
#
# usage: scripts/bench-compare.sh BASE [ROUNDS]          (ROUNDS default 3)
# env:   CRMKIT_BENCH_OUT (default build/bench-out: the synthetic log and the results),
#        CRMKIT_BENCH_CPU (default 1), PYTHON (default /usr/bin/python3),
#        CRMKIT_BENCH_FILTER (a --benchmark_filter regex; default: every single-thread case)
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: scripts/bench-compare.sh BASE [ROUNDS]}
rounds=${2:-3}
out=${CRMKIT_BENCH_OUT:-build/bench-out}
cpu=${CRMKIT_BENCH_CPU:-1}
py=${PYTHON:-/usr/bin/python3}
filter=${CRMKIT_BENCH_FILTER:-'^BM_[A-Za-z0-9_]*[^T](/|$)'}
benches=(io_bench summary_bench rfm_bench clv_bench)
log() { printf '[bench-compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

src=build/bench-base-src
git worktree remove --force "$src" 2>/dev/null || rm -rf "$src"
git worktree prune
git worktree add --detach "$src" "$base" >/dev/null
trap 'git worktree remove --force "$src" 2>/dev/null || true' EXIT

for side in base head; do
  dir=$([[ $side == base ]] && echo "$src" || echo .)
  log "building $side ($(git -C "$dir" rev-parse --short HEAD)$([[ $side == head ]] && ! git diff --quiet && echo ' + changes'))"
  cmake -S "$dir" -B "build/bench-$side" -DCMAKE_BUILD_TYPE=Release -DCRMKIT_BUILD_TESTS=OFF \
    -DCRMKIT_BUILD_BENCH=ON -DCRMKIT_BUILD_CLI=OFF ${CRMKIT_BENCH_CMAKE_ARGS:-} >/dev/null
  cmake --build "build/bench-$side" -j"$(nproc)" --target "${benches[@]}" >/dev/null
done

mkdir -p "$out/compare"
data=$out/synthetic_1m.csv
[[ -f $data ]] || "$py" scripts/gen_synthetic.py "$data" --rows 1000000 --customers 100000
pin=()
command -v taskset >/dev/null && pin=(taskset -c "$cpu")
for ((k = 1; k <= rounds; ++k)); do
  for side in base head; do
    for b in "${benches[@]}"; do
      log "round $k/$rounds: $side $b"
      CRMKIT_BENCH_DATA=$data "${pin[@]}" "build/bench-$side/bench/$b" --benchmark_filter="$filter" \
        --benchmark_format=json >"$out/compare/$side-$b-$k.json"
    done
  done
done
"$py" - "$out/compare" "$rounds" <<'EOF'
import json, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
t = {}
for side in ("base", "head"):
    for b in ("io_bench", "summary_bench", "rfm_bench", "clv_bench"):
        for k in range(1, rounds + 1):
            for r in json.load(open(f"{d}/{side}-{b}-{k}.json"))["benchmarks"]:
                unit = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[r["time_unit"]]
                t.setdefault(r["name"], {}).setdefault(side, []).append(r["cpu_time"] * unit)
print("| benchmark | before (ms CPU) | after (ms CPU) | after / before |")
print("| --- | ---: | ---: | ---: |")
for name, v in t.items():
    if "base" in v and "head" in v:
        a, b = statistics.median(v["base"]), statistics.median(v["head"])
        print(f"| {name} | {a:.3f} | {b:.3f} | {b / a:.3f} |")
EOF
