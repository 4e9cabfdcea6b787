#!/usr/bin/env bash
# A walkthrough of the crmkit CLI on the bundled CDNOW data.
# usage: walkthrough.sh DATA_DIR WORK_DIR   (uses the `crmkit` on PATH)
set -euo pipefail
data=$1
work=$2
mkdir -p "$work"
cols=(--customer-col customer_id --date-col date --amount-col dollar_value)

# 1. Customer summaries in weeks, the input of the CLV models (lifetimes' column names).
crmkit summary --transactions "$data/CDNOW_master.txt" "${cols[@]}" --period week -o "$work/summary.csv"
head -3 "$work/summary.csv"

# 2. The same split at a calibration end: calibration summary plus holdout purchases.
crmkit summary --transactions "$data/CDNOW_master.txt" "${cols[@]}" --period week \
  --calibration-end 1997-09-30 --observation-end 1998-06-30 -o "$work/calibration.csv"
head -2 "$work/calibration.csv"

# 3. RFM scores and segments per customer, as CSV and as JSON.
crmkit rfm --transactions "$data/CDNOW_master.txt" "${cols[@]}" -o "$work/rfm.csv"
crmkit rfm --transactions "$data/CDNOW_master.txt" "${cols[@]}" --format json -o "$work/rfm.json"
test "$(wc -l < "$work/rfm.csv")" -eq 23571  # header + one row per customer

# 4. The segment summary a manager reads.
crmkit rfm --transactions "$data/CDNOW_master.txt" "${cols[@]}" --segment-summary --format table
