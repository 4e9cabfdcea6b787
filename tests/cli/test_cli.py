"""The crmkit command-line tool, run as a user would: flags, outputs, errors and exit codes."""
import csv
import io
import json
import os
import subprocess

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
MASTER = ["--transactions", os.path.join(DATA, "CDNOW_master.txt"), "--customer-col", "customer_id",
          "--date-col", "date", "--amount-col", "dollar_value"]
SAMPLE = ["--transactions", os.path.join(DATA, "CDNOW_sample.txt"), "--no-header", "--customer-col", "2",
          "--date-col", "3", "--amount-col", "5"]
SEGMENTS = {"Champions", "Loyal Customers", "Potential Loyalists", "New Customers", "Promising", "Need Attention",
            "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating"}


def run(*args, ok=True):
    p = subprocess.run([CLI, *args], capture_output=True, text=True)
    if ok:
        assert p.returncode == 0, p.stderr
    return p


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_version_and_help():
    assert run("--version").stdout.startswith("crmkit ")
    top = run("--help").stdout
    assert "summary" in top and "rfm" in top
    h = run("summary", "--help").stdout
    for flag in ("--transactions", "--customer-col", "--date-col", "--amount-col", "--date-format", "--no-header",
                 "--period", "--observation-end", "--calibration-end", "--format", "--output", "--skip-bad-rows"):
        assert flag in h, flag
    h = run("rfm", "--help").stdout
    for flag in ("--as-of", "--bins", "--segments", "--segment-summary", "--ties", "--monetary", "--format"):
        assert flag in h, flag


def test_summary_reproduces_published_cdnow_sample():
    out = rows(run("summary", *SAMPLE, "--period", "week", "--observation-end", "1997-09-30").stdout)
    assert list(out[0]) == ["customer_id", "frequency", "recency", "T", "monetary_value"]
    assert out[0]["customer_id"] == "0001"  # ids written exactly as found
    with open(os.path.join(DATA, "cdnow_customers_summary_with_transactions.csv")) as f:
        pub = {int(r["ID"]): r for r in csv.DictReader(f)}
    assert len(out) == len(pub) == 2357
    for r in out:
        p = pub[int(r["customer_id"])]
        assert float(r["frequency"]) == float(p["x"])
        for ours, theirs in (("recency", "t_x"), ("T", "T"), ("monetary_value", "zbar")):
            assert abs(float(r[ours]) - float(p[theirs])) <= 0.005 + 1e-9, (r, p)


def test_summary_calibration_columns():
    out = rows(run("summary", *SAMPLE, "--period", "week", "--calibration-end", "1997-09-30",
                   "--observation-end", "1998-06-30").stdout)
    assert list(out[0])[:7] == ["customer_id", "frequency", "recency", "T", "monetary_value", "frequency_holdout",
                                "duration_holdout"]
    assert float(out[0]["duration_holdout"]) == 39.0


def test_rfm_csv_json_and_output_file(tmp_path):
    out = rows(run("rfm", *MASTER).stdout)
    assert list(out[0]) == ["customer_id", "recency", "frequency", "monetary", "r", "f", "m", "segment"]
    assert len(out) == 23570
    assert {r["segment"] for r in out} <= SEGMENTS
    assert all(1 <= int(r[k]) <= 5 for r in out for k in "rfm")
    js = json.loads(run("rfm", *MASTER, "--format", "json").stdout)
    assert len(js) == 23570
    assert js[0]["customer_id"] == out[0]["customer_id"] and js[0]["segment"] == out[0]["segment"]
    assert js[0]["r"] == int(out[0]["r"]) and js[0]["monetary"] == pytest.approx(float(out[0]["monetary"]))
    target = tmp_path / "rfm.csv"
    assert run("rfm", *MASTER, "-o", str(target)).stdout == ""
    assert rows(target.read_text()) == out


def test_segment_summary():
    out = rows(run("rfm", *MASTER, "--segment-summary").stdout)
    assert list(out[0])[:5] == ["segment", "customers", "customer_share", "revenue", "revenue_share"]
    assert sum(int(r["customers"]) for r in out) == 23570
    champions = next(r for r in out if r["segment"] == "Champions")
    assert int(champions["customers"]) == 4427
    table = run("rfm", *MASTER, "--segment-summary", "--format", "table").stdout
    assert "Champions" in table and "%" in table


def test_custom_rules_file(tmp_path):
    rules = tmp_path / "rules.csv"
    rules.write_text("segment,r,f,m\nBest,5,5,*\nRest,*,*,*\n")
    out = rows(run("rfm", *MASTER, "--segments", str(rules)).stdout)
    assert {r["segment"] for r in out} == {"Best", "Rest"}
    rules.write_text("segment,r,f,m\nBest,6,5,*\n")
    p = run("rfm", *MASTER, "--segments", str(rules), ok=False)
    assert p.returncode == 1 and f"{rules}:2:2" in p.stderr


def test_missing_file_exits_1_and_names_it():
    p = run("rfm", "--transactions", "/nonexistent/orders.csv", ok=False)
    assert p.returncode == 1
    assert "crmkit: error:" in p.stderr and "/nonexistent/orders.csv" in p.stderr


def test_bad_row_names_file_line_column(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("customer,date,amount\na,2020-01-02,1\nb,2020-01-03\n")
    p = run("summary", "--transactions", str(f), ok=False)
    assert p.returncode == 1 and f"{f}:3:" in p.stderr and "expected 3 fields" in p.stderr
    f.write_text("customer,date,amount\na,2020-01-02,1\nb,2020-01-03,abc\n")
    p = run("summary", "--transactions", str(f), ok=False)
    assert f"{f}:3:3: column 'amount': expected a number, found 'abc'" in p.stderr
    p = run("summary", "--transactions", str(f), "--skip-bad-rows")
    assert "skipped 1 bad row" in p.stderr and len(rows(p.stdout)) == 1


def test_usage_errors_exit_2():
    assert run("rfm", "--no-such-flag", ok=False).returncode == 2
    assert run("summary", *SAMPLE, "--period", "year", ok=False).returncode == 2
    p = run("rfm", *MASTER, "--as-of", "30/06/1998", ok=False)
    assert p.returncode == 2 and "30/06/1998" in p.stderr
    assert run(ok=False).returncode == 2  # no subcommand


def test_stdin_input():
    p = subprocess.run([CLI, "summary", "--transactions", "-"], input="customer,date,amount\nx,2020-01-01,1\n"
                       "x,2020-01-08,3\n", capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert rows(p.stdout)[0]["frequency"] == "1"
