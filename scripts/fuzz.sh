#!/usr/bin/env bash
# The fuzz stage (docs/reliability.md): builds the libFuzzer targets of fuzz/ with clang under
# ASan+UBSan (build/fuzz, the `fuzz` preset; only the targets and the library sources they use), replays
# every committed regression input, then fuzzes each target over its seed corpus. Fails on any finding
# (crash, sanitizer report, leak, timeout, a crmkit contract broken) and prints the target's log; the
# input that broke is saved as build/fuzz/findings/<target>/crash-*.
#
# The default (what CI runs) is reproducible: a fixed seed, a fixed number of executions per target
# (about 7 s each on the 2-core box), a fresh corpus grown from the seeds, no corpus reloading, and
# address-space randomisation off (setarch -R: libFuzzer learns from compared values, and the readers
# compare pointers), so the same tree fuzzes the same inputs on any machine and a CI finding is a
# local finding. Exploring is a separate, explicit
# run that keeps its grown corpus and takes a random seed:
#
#   scripts/fuzz.sh                     # all targets, CI's fixed budget
#   CRMKIT_FUZZ_TARGETS="kano table" scripts/fuzz.sh
#   CRMKIT_FUZZ_RUNS=10000000 scripts/fuzz.sh   # explore: this many executions per target
#   CRMKIT_FUZZ_SECONDS=600 scripts/fuzz.sh     # explore: this long per target
#   CRMKIT_FUZZ_SEED=7 ...                      # explore with a chosen seed (0: libFuzzer picks one)
#   CRMKIT_FUZZ_CMAKE_ARGS="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache" scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

all=(transactions_csv table interactions kano segment_rules escalation_rules model_json capi_arrays state)
read -r -a targets <<<"${CRMKIT_FUZZ_TARGETS:-${all[*]}}"
seconds=${CRMKIT_FUZZ_SECONDS:-}
runs=${CRMKIT_FUZZ_RUNS:-}
explore=0
[[ -n "$seconds$runs" ]] && explore=1
seed=${CRMKIT_FUZZ_SEED:-$((explore ? 0 : 1))}
jobs=${CRMKIT_FUZZ_JOBS:-$(nproc)}

start=$(date +%s)
# shellcheck disable=SC2086  # CRMKIT_FUZZ_CMAKE_ARGS is a list of arguments
cmake --preset fuzz ${CRMKIT_FUZZ_CMAKE_ARGS:-} >/dev/null
cmake --build --preset fuzz -j"$jobs"
built=$(date +%s)
echo "fuzz: built in $((built - start)) s"

# Per-target input size limits: model_json stays below its known-defect cap (deep JSON nesting).
max_len() {
  case "$1" in
    model_json) echo 8192 ;;
    *) echo 16384 ;;
  esac
}

# CI's budget: executions per target, about 7 s each at the rates CI measured (docs/reliability.md).
ci_runs() {
  case "$1" in
    transactions_csv) echo 8000 ;;
    table) echo 30000 ;;
    interactions) echo 30000 ;;
    kano) echo 15000 ;;
    segment_rules) echo 90000 ;;
    escalation_rules) echo 65000 ;;
    model_json) echo 12000 ;;
    capi_arrays) echo 1200 ;;
    state) echo 40000 ;;
    *) echo 10000 ;;
  esac
}

# Address-space randomisation off for the reproducible run, where the kernel allows it.
norandom=()
if ((!explore)) && setarch "$(uname -m)" -R true 2>/dev/null; then
  norandom=(setarch "$(uname -m)" -R)
elif ((!explore)); then
  echo "fuzz: note: setarch -R is refused here; the run is reproducible only up to address randomisation" >&2
fi

failed=()
for t in "${targets[@]}"; do
  bin=build/fuzz/fuzz/fuzz_$t
  work=build/fuzz/grown/$t          # the run's own corpus: the committed seeds are never modified
  findings=build/fuzz/findings/$t
  log=build/fuzz/logs/$t.log
  ((explore)) || rm -rf "$work"      # CI's run starts from the seeds alone, as on a fresh clone
  mkdir -p "$work" "$findings" "$(dirname "$log")"
  [[ -d fuzz/corpus/$t ]] || { echo "fuzz: no seed corpus fuzz/corpus/$t" >&2; exit 2; }
  dirs=("$work" "fuzz/corpus/$t")
  # Regressions: every minimised finding is replayed first (a file argument runs that input once).
  regressions=()
  if [[ -d fuzz/regressions/$t ]]; then
    while IFS= read -r -d '' f; do regressions+=("$f"); done < <(find "fuzz/regressions/$t" -type f -print0 | sort -z)
  fi
  common=(-max_len="$(max_len "$t")" -timeout=25 -rss_limit_mb=2560 -seed="$seed" -artifact_prefix="$findings/")
  ((explore)) || common+=(-reload=0)
  rc=0
  if ((${#regressions[@]})); then
    "${norandom[@]}" "$bin" "${common[@]}" "${regressions[@]}" >"$log" 2>&1 || rc=$?
  fi
  if ((rc == 0)); then
    if [[ -n "$runs" ]]; then budget=(-runs="$runs")
    elif [[ -n "$seconds" ]]; then budget=(-max_total_time="$seconds")
    else budget=(-runs="$(ci_runs "$t")"); fi
    "${norandom[@]}" "$bin" "${common[@]}" "${budget[@]}" -print_final_stats=1 "${dirs[@]}" >>"$log" 2>&1 || rc=$?
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  if ((rc == 0)); then
    printf 'fuzz: %-17s ok    %9s runs  %6s/s  %s  (%d regressions)\n' "$t" "${execs:-?}" "${secs:-?}" "$cov" "${#regressions[@]}"
  else
    printf 'fuzz: %-17s FAILED (exit %d); log %s, input in %s\n' "$t" "$rc" "$log" "$findings" >&2
    tail -n 60 "$log" >&2
    failed+=("$t")
  fi
done
echo "fuzz: ${#targets[@]} targets in $(($(date +%s) - built)) s (build $((built - start)) s; seed $seed$( ((explore)) || echo ", CI's fixed budget"))"
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
