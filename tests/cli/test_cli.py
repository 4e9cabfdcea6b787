"""The crmkit command-line tool, run as a user would: flags, outputs, errors and exit codes.

Run by ctest as cli.pytest with CRMKIT_CLI=<crmkit binary> and CRMKIT_TEST_DATA=<repo>/tests/data.
"""
import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
from collections import defaultdict

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
MASTER_FILE = os.path.join(DATA, "CDNOW_master.txt")
SAMPLE_FILE = os.path.join(DATA, "CDNOW_sample.txt")
MASTER = ["--transactions", MASTER_FILE, "--customer-col", "customer_id", "--date-col", "date",
          "--amount-col", "dollar_value"]
SAMPLE = ["--transactions", SAMPLE_FILE, "--no-header", "--customer-col", "2", "--date-col", "3",
          "--amount-col", "5"]
SEGMENTS = {"Champions", "Loyal Customers", "Potential Loyalists", "New Customers", "Promising", "Need Attention",
            "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating"}
SUMMARY_COLUMNS = ["customer_id", "frequency", "recency", "T", "monetary_value"]
RFM_COLUMNS = ["customer_id", "recency", "frequency", "monetary", "r", "f", "m", "segment"]
SEGMENT_SUMMARY_COLUMNS = ["segment", "customers", "customer_share", "revenue", "revenue_share", "mean_recency",
                           "mean_frequency", "mean_monetary", "mean_r", "mean_f", "mean_m"]
N_MASTER_CUSTOMERS = 23570

TRANSACTION_FLAGS = ("--transactions", "--customer-col", "--date-col", "--amount-col", "--date-format",
                     "--no-header", "--header", "--delimiter", "--skip-bad-rows", "--format", "--output", "-o,",
                     "--help")


def run(*args, ok=True, stdin=None):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, input=stdin, timeout=60)
    if ok:
        assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr and "terminate called" not in p.stderr
    return p


def fail(*args, code, stdin=None):
    """Runs a command that must fail with `code` and a single crmkit error message; returns stderr."""
    p = run(*args, ok=False, stdin=stdin)
    assert p.returncode == code, (p.returncode, p.stderr)
    assert re.search(r"^crmkit: error: ", p.stderr, re.M), p.stderr
    assert p.stdout == ""
    return p.stderr


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def master_rfm():
    return run("rfm", *MASTER).stdout


# ---- help and version --------------------------------------------------------------------------------

def test_version():
    out = run("--version").stdout
    assert re.fullmatch(r"crmkit \d+\.\d+\.\d+\S*\n", out), out


def test_top_level_help_lists_subcommands():
    top = run("--help").stdout
    assert "summary" in top and "rfm" in top and "--version" in top


@pytest.mark.parametrize("command,flags", [
    ("summary", ("--period", "--observation-end", "--calibration-end")),
    ("rfm", ("--as-of", "--bins", "--ties", "--monetary", "--segments", "--segment-summary")),
])
def test_subcommand_help_lists_every_flag(command, flags):
    h = run(command, "--help").stdout
    for flag in TRANSACTION_FLAGS + flags:
        assert flag in h, flag
    assert "day,week,month" in h if command == "summary" else "rank-first,value-quantile" in h


def test_no_subcommand_is_a_usage_error():
    assert "subcommand" in fail(code=2)


# ---- summary -----------------------------------------------------------------------------------------

def test_summary_reproduces_published_cdnow_sample():
    out = rows(run("summary", *SAMPLE, "--period", "week", "--observation-end", "1997-09-30").stdout)
    assert list(out[0]) == SUMMARY_COLUMNS
    assert out[0]["customer_id"] == "0001"  # ids written exactly as found, zeros kept
    with open(os.path.join(DATA, "cdnow_customers_summary_with_transactions.csv")) as f:
        pub = {int(r["ID"]): r for r in csv.DictReader(f)}
    assert len(out) == len(pub) == 2357
    assert len({r["customer_id"] for r in out}) == 2357
    for r in out:
        p = pub[int(r["customer_id"])]
        assert r["frequency"] == p["x"]  # integers print as integers
        # the published values are rounded to 2 decimals
        for ours, theirs in (("recency", "t_x"), ("T", "T"), ("monetary_value", "zbar")):
            assert abs(float(r[ours]) - float(p[theirs])) <= 0.005 + 1e-9, (r, p)


def sample_days():
    """{customer id: {day: amount}} of CDNOW_sample.txt, computed here independently of crmkit."""
    days = defaultdict(lambda: defaultdict(float))
    with open(SAMPLE_FILE) as f:
        for line in f:
            _, cust, date, _, amount = line.split()
            days[cust][dt.date(int(date[:4]), int(date[4:6]), int(date[6:]))] += float(amount)
    return days


def test_summary_calibration_holdout_columns():
    out = rows(run("summary", *SAMPLE, "--period", "week", "--calibration-end", "1997-09-30",
                   "--observation-end", "1998-06-30").stdout)
    assert list(out[0]) == SUMMARY_COLUMNS + ["frequency_holdout", "duration_holdout", "monetary_value_holdout"]
    cal, end = dt.date(1997, 9, 30), dt.date(1998, 6, 30)
    days = sample_days()
    assert len(out) == sum(1 for d in days.values() if min(d) <= cal)
    for r in out:
        assert float(r["duration_holdout"]) == (end - cal).days / 7 == 39.0
        hold = [a for day, a in days[r["customer_id"]].items() if cal < day <= end]
        assert int(r["frequency_holdout"]) == len(hold)
        assert float(r["monetary_value_holdout"]) == pytest.approx(sum(hold) / len(hold) if hold else 0.0)


def test_summary_periods_scale_recency_and_T():
    by = {p: {r["customer_id"]: r for r in rows(run("summary", *SAMPLE, "--period", p,
                                                    "--observation-end", "19970930").stdout)}
          for p in ("day", "week", "month")}
    r = by["day"]["0001"]
    assert float(r["T"]) == float(by["week"]["0001"]["T"]) * 7 == pytest.approx(float(by["month"]["0001"]["T"])
                                                                                   * 30.4375)
    assert float(r["T"]).is_integer()


def test_summary_formats_agree():
    csv_out = rows(run("summary", *SAMPLE, "--period", "week").stdout)
    js = json.loads(run("summary", *SAMPLE, "--period", "week", "--format", "json").stdout)
    assert [list(o) for o in js[:1]] == [SUMMARY_COLUMNS]
    assert len(js) == len(csv_out)
    for a, b in zip(js, csv_out):
        assert a["customer_id"] == b["customer_id"]
        for k in SUMMARY_COLUMNS[1:]:
            assert a[k] == float(b[k])  # shortest round-trip text: exactly the same double
    table = run("summary", *SAMPLE, "--period", "week", "--format", "table").stdout.splitlines()
    assert table[0].split() == SUMMARY_COLUMNS and set(table[1]) == {"-", " "}
    assert len(table) == len(csv_out) + 2


def test_stdin_input_and_output_dash():
    text = "customer,date,amount\nx,2020-01-01,1\nx,2020-01-08,3\ny,2020-01-03,2\n"
    out = rows(run("summary", "--transactions", "-", "-o", "-", stdin=text).stdout)
    assert [(r["customer_id"], r["frequency"], r["recency"], r["T"], r["monetary_value"]) for r in out] == [
        ("x", "1", "7", "7", "3"), ("y", "0", "0", "5", "0")]


# ---- input options -------------------------------------------------------------------------------------

def test_delimiters_date_formats_and_header(tmp_path):
    f = tmp_path / "semi.csv"
    f.write_text("when;who;paid\n02/01/2020;a;1,5\n09/01/2020;a;2\n")
    # columns by name; a strftime pattern; semicolons; amounts must be numbers with '.'
    err = fail("summary", "--transactions", str(f), "--customer-col", "who", "--date-col", "when",
               "--amount-col", "paid", "--date-format", "%d/%m/%Y", "--delimiter", "semicolon", code=1)
    assert f"{f}:2:3" in err
    f.write_text("when;who;paid\n02/01/2020;a;1.5\n09/01/2020;a;2\n")
    out = rows(run("summary", "--transactions", str(f), "--customer-col", "who", "--date-col", "when",
                   "--amount-col", "paid", "--date-format", "%d/%m/%Y", "--delimiter", "semicolon").stdout)
    assert out == [{"customer_id": "a", "frequency": "1", "recency": "7", "T": "7", "monetary_value": "2"}]
    # tabs, no header, columns by index
    g = tmp_path / "tabs.tsv"
    g.write_text("20200102\tb\t4\n20200110\tb\t6\n")
    out = rows(run("summary", "--transactions", str(g), "--no-header", "--customer-col", "2", "--date-col", "1",
                   "--amount-col", "3", "--delimiter", "tab").stdout)
    assert out[0]["customer_id"] == "b" and out[0]["recency"] == "8" and out[0]["monetary_value"] == "6"
    # --header forces the first line to be a header even when it would parse as data
    h = tmp_path / "numeric_header.csv"
    h.write_text("1,20200101,5\nc,20200101,2\nc,20200105,3\n")
    out = rows(run("summary", "--transactions", str(h), "--header", "--customer-col", "1", "--date-col", "2",
                   "--amount-col", "3").stdout)
    assert [r["customer_id"] for r in out] == ["c"]
    assert "excludes" in fail("summary", "--transactions", str(h), "--header", "--no-header", code=2)


def test_ids_are_written_verbatim_and_quoted_only_when_needed(tmp_path):
    f = tmp_path / "ids.csv"
    f.write_text('customer_id,date,amount\n"a,1",2020-01-01,1\n"q""z",2020-01-02,2\n007,2020-01-03,3\n'
                 'plain,2020-01-04,4\n')
    out = run("rfm", "--transactions", str(f)).stdout
    lines = out.splitlines()
    assert lines[1].startswith('"a,1",') and lines[2].startswith('"q""z",') and lines[3].startswith("007,")
    assert lines[4].startswith("plain,")
    assert [r["customer_id"] for r in rows(out)] == ["a,1", 'q"z', "007", "plain"]
    js = json.loads(run("rfm", "--transactions", str(f), "--format", "json").stdout)
    assert [r["customer_id"] for r in js] == ["a,1", 'q"z', "007", "plain"]


# ---- rfm -----------------------------------------------------------------------------------------------

def test_rfm_per_customer(master_rfm):
    out = rows(master_rfm)
    assert list(out[0]) == RFM_COLUMNS
    assert len(out) == N_MASTER_CUSTOMERS
    assert out[0]["customer_id"] == "00001"
    assert {r["segment"] for r in out} <= SEGMENTS
    assert all(1 <= int(r[k]) <= 5 for r in out for k in "rfm")
    assert all(int(r["recency"]) >= 1 and int(r["frequency"]) >= 1 for r in out)  # as of the day after the last


def test_rfm_json_equals_csv(master_rfm):
    out = rows(master_rfm)
    js = json.loads(run("rfm", *MASTER, "--format", "json").stdout)
    assert isinstance(js, list) and len(js) == len(out)
    for a, b in zip(js, out):
        assert list(a) == RFM_COLUMNS
        assert a["customer_id"] == b["customer_id"] and a["segment"] == b["segment"]
        for k in ("recency", "frequency", "r", "f", "m"):
            assert isinstance(a[k], int) and a[k] == int(b[k])
        assert a["monetary"] == float(b["monetary"])


def test_rfm_output_file(master_rfm, tmp_path):
    target = tmp_path / "rfm.csv"
    p = run("rfm", *MASTER, "-o", str(target))
    assert p.stdout == "" and p.stderr == ""
    assert target.read_text() == master_rfm
    target = tmp_path / "rfm.json"
    run("rfm", *MASTER, "--output", str(target), "--format", "json")
    assert len(json.loads(target.read_text())) == N_MASTER_CUSTOMERS


def test_rfm_options():
    as_of = rows(run("rfm", *MASTER, "--as-of", "1997-01-15").stdout)
    assert 0 < len(as_of) < N_MASTER_CUSTOMERS  # customers first seen later are left out
    assert all(int(r["recency"]) >= 0 for r in as_of)
    assert rows(run("rfm", *MASTER, "--as-of", "19970115").stdout) == as_of
    total = {r["customer_id"]: r for r in rows(run("rfm", *MASTER, "--as-of", "1997-03-31").stdout)}
    mean = rows(run("rfm", *MASTER, "--as-of", "1997-03-31", "--monetary", "mean").stdout)
    for r in mean:
        t = total[r["customer_id"]]
        assert float(r["monetary"]) * int(r["frequency"]) == pytest.approx(float(t["monetary"]))
    vq = rows(run("rfm", *MASTER, "--ties", "value-quantile").stdout)
    assert all(1 <= int(r["f"]) <= 5 for r in vq)
    # equal values share a score under value-quantile
    f_by_freq = defaultdict(set)
    for r in vq:
        f_by_freq[r["frequency"]].add(r["f"])
    assert all(len(s) == 1 for s in f_by_freq.values())
    ranges = rows(run("rfm", *MASTER, "--segments", "rfm-ranges").stdout)
    assert len(ranges) == N_MASTER_CUSTOMERS and "Champions" in {r["segment"] for r in ranges}


def test_rfm_table_format():
    lines = run("rfm", *MASTER, "--as-of", "1997-01-31", "--format", "table").stdout.splitlines()
    assert lines[0].split() == RFM_COLUMNS
    assert lines[2].split()[0] == "00001"


def test_segment_summary():
    out = rows(run("rfm", *MASTER, "--segment-summary").stdout)
    assert list(out[0]) == SEGMENT_SUMMARY_COLUMNS
    assert {r["segment"] for r in out} == SEGMENTS  # every preset segment listed, even when empty
    assert sum(int(r["customers"]) for r in out) == N_MASTER_CUSTOMERS
    assert sum(float(r["customer_share"]) for r in out) == pytest.approx(1.0)
    assert sum(float(r["revenue_share"]) for r in out) == pytest.approx(1.0)
    champions = next(r for r in out if r["segment"] == "Champions")
    assert int(champions["customers"]) == 4427
    assert float(champions["mean_r"]) == 5.0
    js = json.loads(run("rfm", *MASTER, "--segment-summary", "--format", "json").stdout)
    assert [r["segment"] for r in js] == [r["segment"] for r in out]
    assert js[0]["customers"] == int(out[0]["customers"])


def test_segment_summary_table_is_readable():
    table = run("rfm", *MASTER, "--segments", "rf-grid", "--segment-summary", "--format", "table").stdout
    lines = table.splitlines()
    assert lines[0].split()[0] == "segment" and "customer_share" in lines[0]
    assert "Champions" in table and "%" in table
    assert "4,427" in table and "18.8%" in table  # grouped counts, shares in percent
    assert lines[-1].startswith("All customers") and "23,570" in lines[-1] and "100.0%" in lines[-1]
    assert len({len(line) for line in lines}) == 1  # aligned


def test_custom_rules_file(tmp_path):
    rules = tmp_path / "rules.csv"
    rules.write_text("segment,r,f,m\nBest,5,5,*\nRest,*,*,*\n")
    out = rows(run("rfm", *MASTER, "--segments", str(rules)).stdout)
    assert {r["segment"] for r in out} == {"Best", "Rest"}
    assert all(r["segment"] == "Best" for r in out if r["r"] == "5" and r["f"] == "5")
    # rules for another score scale go with --bins
    rules.write_text("segment,r,f,m\nTop,3,3,*\nLow,1-2,*,*\n")
    out = rows(run("rfm", *MASTER, "--bins", "3", "--segments", str(rules)).stdout)
    assert all(1 <= int(r[k]) <= 3 for r in out for k in "rfm")
    assert {r["segment"] for r in out} <= {"Top", "Low", "Other"}
    rules.write_text("segment,r,f,m\nBest,6,5,*\n")
    err = fail("rfm", *MASTER, "--segments", str(rules), code=1)
    assert f"{rules}:2:2" in err


# ---- errors --------------------------------------------------------------------------------------------

def test_missing_file_exits_1_and_names_it():
    err = fail("rfm", "--transactions", "/nonexistent/orders.csv", code=1)
    assert "/nonexistent/orders.csv" in err
    err = fail("rfm", *MASTER, "--segments", "/nonexistent/rules.csv", code=1)
    assert "/nonexistent/rules.csv" in err


def test_directory_and_empty_input_exit_1(tmp_path):
    assert str(tmp_path) in fail("summary", "--transactions", str(tmp_path), code=1)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert str(empty) in fail("summary", "--transactions", str(empty), code=1)
    only_header = tmp_path / "header.csv"
    only_header.write_text("customer,date,amount\n")
    assert str(only_header) in fail("summary", "--transactions", str(only_header), code=1)


def test_bad_rows_name_file_line_column(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("customer,date,amount\na,2020-01-02,1\nb,2020-01-03\n")
    err = fail("summary", "--transactions", str(f), code=1)
    assert f"{f}:3:" in err and "expected 3 fields" in err
    f.write_text("customer,date,amount\na,2020-01-02,1\nb,2020-01-03,abc\n")
    err = fail("summary", "--transactions", str(f), code=1)
    assert f"{f}:3:3: column 'amount': expected a number, found 'abc'" in err
    f.write_text("customer,date,amount\na,2020-01-02,1\nb,2020-02-30,1\n")
    err = fail("rfm", "--transactions", str(f), code=1)
    assert f"{f}:3:2: column 'date'" in err and "2020-02-30" in err


def test_skip_bad_rows_reports_them(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("customer,date,amount\na,2020-01-02,1\nb,2020-01-03,abc\nc,2020-01-04\n")
    p = run("summary", "--transactions", str(f), "--skip-bad-rows")
    assert "skipped 2 bad rows; first: " in p.stderr and f"{f}:3:3" in p.stderr
    assert [r["customer_id"] for r in rows(p.stdout)] == ["a"]
    f.write_text("customer,date,amount\nb,2020-01-03,abc\n")
    err = fail("summary", "--transactions", str(f), "--skip-bad-rows", code=1)
    assert "no transactions" in err


def test_usage_errors_exit_2():
    assert "--no-such-flag" in fail("rfm", *MASTER, "--no-such-flag", code=2)
    assert "--transactions" in fail("summary", code=2)  # required
    assert "year" in fail("summary", *SAMPLE, "--period", "year", code=2)
    assert "30/06/1998" in fail("rfm", *MASTER, "--as-of", "30/06/1998", code=2)
    assert "--observation-end" in fail("summary", *SAMPLE, "--observation-end", "1997-02-30", code=2)
    assert "--format" in fail("rfm", *MASTER, "--format", "xml", code=2)
    assert "--bins" in fail("rfm", *MASTER, "--bins", "1", code=2)
    assert "--bins" in fail("rfm", *MASTER, "--bins", "3", code=2)  # rf-grid is written for 5 bins
    assert "--date-format" in fail("summary", *MASTER, "--date-format", "dd.mm", code=2)
    assert "--customer-col" in fail("summary", *MASTER, "--customer-col", "0", code=2)
    assert "header" in fail("summary", *MASTER, "--no-header", code=2)  # names need a header
    err = fail("summary", *MASTER, "--calibration-end", "1998-07-01", code=2)
    assert "1998-06-30" in err  # the observation end it must precede, as a date
    assert "must be before" in fail("summary", *MASTER, "--calibration-end", "1998-01-01",
                                    "--observation-end", "1997-12-31", code=2)


def test_unwritable_output_exits_1(tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "out.csv"
    assert str(target) in fail("rfm", *MASTER, "-o", str(target), code=1)


def test_unknown_column_name_names_the_header():
    err = fail("rfm", "--transactions", MASTER_FILE, "--customer-col", "client", code=1)
    assert MASTER_FILE in err and "client" in err


def test_threads_flag_and_env_leave_outputs_unchanged(master_rfm):
    # --threads is global: before or after the subcommand; CRMKIT_THREADS is the environment default
    assert run("--threads", "1", "rfm", *MASTER).stdout == master_rfm
    assert run("rfm", *MASTER, "--threads", "2").stdout == master_rfm
    env = dict(os.environ, CRMKIT_THREADS="1")
    p = subprocess.run([CLI, "rfm", *MASTER], capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    assert p.stdout == master_rfm
    assert "--threads" in fail("--threads", "-1", "rfm", *MASTER, code=2)
    assert "--threads" in run("--help").stdout
