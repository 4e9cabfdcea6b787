#!/usr/bin/env bash
# The main job on the bundled data: installs what is missing, builds, and runs `crmkit analyze` on the
# CDNOW master log (69,659 transactions of 23,570 customers) into build/demo: a self-contained
# report.html (open it in any browser, offline), customers.csv and summary.json (docs/report.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --no-browser
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DCRMKIT_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target crmkit_cli -j"$(nproc)" >/dev/null
./build/release/crmkit analyze --transactions tests/data/CDNOW_master.txt \
  --customer-col customer_id --date-col date --amount-col dollar_value \
  --calibration-end 1997-09-30 -o build/demo
echo "Report: $(pwd)/build/demo/report.html  (per-customer results: build/demo/customers.csv)"
