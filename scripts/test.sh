#!/usr/bin/env bash
# Every test, C++, C, Python and CLI: installs what is missing, builds with warnings as errors, runs
# ctest (which also installs the package and builds the examples against it), then the C++ and C
# suites again under ASan+UBSan, then the libFuzzer targets for a short fixed time each (scripts/fuzz.sh;
# CRMKIT_SKIP_ASAN=1 / CRMKIT_SKIP_FUZZ=1 skip those stages).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)
cmake --preset ci >/dev/null
cmake --build --preset ci -j"$jobs"
ctest --preset ci -j"$jobs"
if [[ "${CRMKIT_SKIP_ASAN:-0}" != 1 ]]; then
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j"$jobs"
  ctest --preset asan -j"$jobs" -L "cpp|c"
fi
if [[ "${CRMKIT_SKIP_FUZZ:-0}" != 1 ]]; then
  bash scripts/fuzz.sh
fi
