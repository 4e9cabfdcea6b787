"""Issue 13 at the CLI: hostile model files and inputs end in a clean error (exit 1, file and position),
never a crash."""
import os
import subprocess

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
SUMMARY = os.path.join(DATA, "cdnow_customers_summary.csv")
TABLE = os.path.join(DATA, "churn_customers.csv")
MASTER = ["--transactions", os.path.join(DATA, "CDNOW_master.txt"), "--customer-col", "customer_id",
          "--date-col", "date", "--amount-col", "dollar_value"]


def fail(*args, code=1):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)
    assert p.returncode == code, (p.returncode, p.stderr[-2000:])
    assert p.stderr.startswith("crmkit: error: "), p.stderr[-2000:]
    assert p.stdout == ""
    return p.stderr


@pytest.fixture(scope="module")
def deep_model(tmp_path_factory):
    # '[' * 100000 + ']' * 100000 crashed every model loader with SIGSEGV.
    path = tmp_path_factory.mktemp("deep") / "deep.json"
    path.write_text("[" * 100000 + "]" * 100000)
    return str(path)


@pytest.mark.parametrize("args", [
    ["predict", "bgnbd", "--summary", SUMMARY, "--horizon", "1"],
    ["track", "bgnbd", *MASTER],
    ["churn", "score", "--data", TABLE],
])
def test_deeply_nested_model_file_is_a_parse_error(deep_model, args):
    err = fail(*args[:2], "--model", deep_model, *args[2:]) if args[0] != "churn" else \
        fail("churn", "score", "--model", deep_model, *args[2:])
    assert f"{deep_model}:1:65: expected a JSON model" in err
    assert "nested more than 64 levels deep" in err
    assert len(err) < 600  # the document is not echoed


def test_deeply_nested_spend_model_in_clv(deep_model):
    err = fail("clv", "--summary", os.path.join(DATA, "cdnow_customers_summary_with_transactions.csv"),
               "--spend-model", deep_model)
    assert "nested more than 64 levels deep" in err


def test_number_beyond_a_double_in_a_model_file(tmp_path):
    m = tmp_path / "m.json"
    m.write_text('{"model": "bgnbd", "params": {"r": 1e400, "alpha": 1, "a": 1, "b": 1}}')
    err = fail("predict", "bgnbd", "--model", str(m), "--summary", SUMMARY, "--horizon", "1")
    assert str(m) in err and "1e400" in err and "finite" in err


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    # An event log: customer and date, no amount column at all.
    path = tmp_path_factory.mktemp("events") / "events.csv"
    path.write_text("customer_id,date\n"
                    "a,2020-01-01\na,2020-01-15\na,2020-03-01\nb,2020-01-02\nc,2020-02-01\nc,2020-02-20\n")
    return str(path)


def test_event_log_without_amounts_needs_no_amount(events):
    err = fail("summary", "--transactions", events)
    assert "amount" in err


def test_summary_of_an_event_log(events):
    p = subprocess.run([CLI, "summary", "--transactions", events, "--no-amount"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert "--no-amount" in p.stderr  # says what it left out
    lines = p.stdout.splitlines()
    assert lines[0] == "customer_id,frequency,recency,T,monetary_value".replace(",monetary_value", "")
    assert lines[1] == "a,2,60,60"


def test_no_amount_is_not_offered_where_amounts_are_needed(events):
    fail("rfm", "--transactions", events, "--no-amount", code=2)
    fail("summary", "--transactions", events, "--no-amount", "--amount-col", "date", code=2)


def test_cohorts_of_an_event_log_leave_out_revenue(events):
    p = subprocess.run([CLI, "cohorts", "--transactions", events, "--no-amount"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[0] == "cohort,period,cohort_size,customers,retention"
    fail("cohorts", "--transactions", events, "--no-amount", "--wide", "revenue", code=2)


def test_analyze_an_event_log(tmp_path):
    log = tmp_path / "events.csv"
    lines = ["customer_id,date"]
    for i in range(40):
        lines += [f"c{i},2020-0{i % 3 + 1}-1{i % 9}", f"c{i},2020-0{i % 3 + 2}-0{i % 9 + 1}"]
    log.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    p = subprocess.run([CLI, "analyze", "--transactions", str(log), "--no-amount", "-o", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    import json
    j = json.load(open(out / "summary.json"))
    assert j["amounts"] is False and j["revenue"] is None and j["top20_revenue_share"] is None
    assert all(s["revenue"] is None for s in j["segments"])
    assert any(n["section"] == "Spend and value" for n in j["notes"])
    header, first = open(out / "customers.csv").read().splitlines()[:2]
    row = dict(zip(header.split(","), first.split(",")))
    assert row["monetary_value"] == "" and row["total_spend"] == "" and row["m_score"] == "" and row["r_score"]
    html = open(out / "report.html").read()
    assert "of revenue from the top 20%" not in html and "no amounts" in html
    err = fail("analyze", "--transactions", str(log), "--no-amount", "--segments", "rfm-ranges", "-o", str(out), code=2)
    assert "rf-grid" in err


def test_amounts_that_would_overflow_are_refused_at_their_cell(tmp_path):
    # 1e308 + 1e308 printed inf in summary and churn features, and rfm failed naming "row 0".
    f = tmp_path / "big.csv"
    f.write_text("customer_id,date,amount\na,2020-01-01,1e308\na,2020-01-02,1e308\n")
    for cmd in ("summary", "rfm", "churn"):
        args = [cmd, "--transactions", str(f)] if cmd != "churn" else \
            ["churn", "features", "--transactions", str(f), "--cutoff", "2020-01-02", "--horizon-days", "30"]
        err = fail(*args)
        assert f"{f}:2:3: column 'amount': expected a finite number (at most 1e290 in magnitude), found '1e308'" in err


def test_order_col_counts_orders_and_zero_amount_days_policy(tmp_path):
    # Issue 13 item 17: receipt lines. RFM's frequency counts orders with --order-col (lines without);
    # --zero-amount-days drop removes days whose amounts are all 0 and says how many on stderr.
    import csv
    import io
    f = tmp_path / "lines.csv"
    f.write_text("customer_id,date,invoice,amount\na,2020-01-01,o1,5\na,2020-01-01,o1,5\n"
                 "a,2020-01-03,o2,3\nb,2020-01-02,o3,0\n")

    def rfm(*extra):
        p = subprocess.run([CLI, "rfm", "--transactions", str(f), *extra], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        return {r["customer_id"]: r for r in csv.DictReader(io.StringIO(p.stdout))}, p.stderr

    rows, _ = rfm()
    assert rows["a"]["frequency"] == "3"
    rows, err = rfm("--order-col", "invoice")
    assert rows["a"]["frequency"] == "2" and float(rows["a"]["monetary"]) == 13
    assert "4 lines in 3 orders" in err
    rows, err = rfm("--order-col", "invoice", "--zero-amount-days", "drop")
    assert set(rows) == {"a"}
    assert "dropped 1 customer-days whose amounts are all 0" in err and "1 customers had no other purchase" in err
    assert "--zero-amount-days" in fail("rfm", "--transactions", str(f), "--zero-amount-days", "skip", code=2)
    g = tmp_path / "two.csv"
    g.write_text("customer_id,date,invoice,amount\na,2020-01-01,o1,5\na,2020-01-02,o1,5\n")
    err = fail("summary", "--transactions", str(g), "--order-col", "invoice")
    assert f"{g}:3:2" in err and "order 'o1' on line 2" in err and "one order, one day" in err
    err = fail("summary", "--transactions", str(g), "--order-col", "invoice", "--no-amount", "--zero-amount-days",
               "drop", code=2)
    assert "no_amount" in err or "--no-amount" in err
