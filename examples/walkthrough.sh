#!/usr/bin/env bash
# A walkthrough of the crmkit CLI on the bundled CDNOW data (69,659 transactions of 23,570 customers).
# usage: walkthrough.sh DATA_DIR WORK_DIR      (uses the `crmkit` on PATH; docs/cli.md has every flag)
# Stops with a non-zero exit status at the first command or check that fails.
set -euo pipefail
data=$1
work=$2
mkdir -p "$work"
log="$data/CDNOW_master.txt"                 # header: customer_id date number_of_cds dollar_value
cols=(--customer-col customer_id --date-col date --amount-col dollar_value)
crmkit --version

# 0. The whole analysis in one command: report.html (open it in a browser), customers.csv and
#    summary.json (docs/report.md). --calibration-end holds out the rest of the log to test the models.
crmkit analyze --transactions "$log" "${cols[@]}" --calibration-end 1997-09-30 -o "$work/analysis" --quiet
test -s "$work/analysis/report.html"
test "$(wc -l < "$work/analysis/customers.csv")" -eq 23571
grep -q '"customers": 23570' "$work/analysis/summary.json"
echo "report: $work/analysis/report.html"

# 1. Customer summaries in weeks: frequency, recency, T, monetary_value (lifetimes' names), the input
#    of the CLV models. Ids are written as found ("00001").
crmkit summary --transactions "$log" "${cols[@]}" --period week -o "$work/summary.csv"
head -3 "$work/summary.csv"
test "$(wc -l < "$work/summary.csv")" -eq 23571  # header + one row per customer

# 2. The same, split at a calibration end: the calibration summary plus what each customer did in the
#    holdout (frequency_holdout, duration_holdout, monetary_value_holdout).
crmkit summary --transactions "$log" "${cols[@]}" --period week \
  --calibration-end 1997-09-30 --observation-end 1998-06-30 -o "$work/calibration.csv"
head -2 "$work/calibration.csv"

# 3. RFM values, 1..5 scores and segments per customer, as CSV and as JSON (an array of row objects).
crmkit rfm --transactions "$log" "${cols[@]}" -o "$work/rfm.csv"
crmkit rfm --transactions "$log" "${cols[@]}" --format json -o "$work/rfm.json"
test "$(wc -l < "$work/rfm.csv")" -eq 23571
grep -q '"segment":"Champions"' "$work/rfm.json"

# 4. Your own segments: a rules file (segment,r,f,m; ranges a-b, a or *; first match wins).
cat > "$work/rules.csv" <<'RULES'
segment,r,f,m
Best,5,4-5,*
Slipping,1-2,4-5,*
Rest,*,*,*
RULES
crmkit rfm --transactions "$log" "${cols[@]}" --segments "$work/rules.csv" --segment-summary --format table

# 5. Input from a pipe ("-" is stdin): here the first quarter of 1997 only, scored as of 1997-04-01.
awk 'NR == 1 || $2 < 19970401' "$log" |
  crmkit rfm --transactions - "${cols[@]}" --as-of 1997-04-01 --segment-summary -o "$work/q1_segments.csv"

# 6. Errors name the file, line and column and exit non-zero (1 = bad data, 2 = bad usage).
printf 'customer,date,amount\na,2020-01-02,1\nb,2020-01-03,abc\n' > "$work/bad.csv"
if crmkit summary --transactions "$work/bad.csv" 2> "$work/error.txt"; then exit 1; fi
grep -q "bad.csv:3:3" "$work/error.txt"
cat "$work/error.txt"

# 7. The segment summary a manager reads.
crmkit rfm --transactions "$log" "${cols[@]}" --segments rf-grid --segment-summary --format table
