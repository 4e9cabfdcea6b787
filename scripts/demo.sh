#!/usr/bin/env bash
# The main job on the bundled data: installs what is missing, builds, and prints the RFM segments of
# the CDNOW master log (69,659 transactions of 23,570 customers) with a segment summary table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DCRMKIT_BUILD_TESTS=OFF >/dev/null
cmake --build build/release --target crmkit_cli -j"$(nproc)" >/dev/null
./build/release/crmkit rfm --transactions tests/data/CDNOW_master.txt \
  --customer-col customer_id --date-col date --amount-col dollar_value \
  --segments rf-grid --segment-summary --format table
