"""Issue 13 (hardening), the CLV commands: `crmkit fit`, `predict`, `clv` and `track` on hostile input.

Every case asserts the exit code (1 = data error, 2 = usage error) and the words of the message (file, line,
customer, the value and the flag that fixes it), or, for accepted input, that every printed number is finite.
"""
import csv
import io
import json
import math
import os
import subprocess

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
SUMMARY = os.path.join(DATA, "cdnow_customers_summary.csv")  # ID,frequency,recency,T
DONATIONS = os.path.join(DATA, "donations.csv")
SAMPLE = ["--transactions", os.path.join(DATA, "CDNOW_sample.txt"), "--no-header", "--customer-col", "2",
          "--date-col", "3", "--amount-col", "5"]


def run(*args, code=0):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)
    assert p.returncode == code, (p.returncode, p.stdout[:500], p.stderr)
    assert "Traceback" not in p.stderr and "terminate called" not in p.stderr
    assert "internal error" not in p.stderr
    return p


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def all_finite(text, skip=("customer_id", "date")):
    for r in rows(text):
        for k, v in r.items():
            if k in skip:
                continue
            assert v.strip().lower() not in ("nan", "-nan", "inf", "-inf", ""), (k, v, r)
            assert math.isfinite(float(v)), (k, v, r)


def model_file(tmp_path, model, params, name="m.json"):
    f = tmp_path / name
    f.write_text(json.dumps({"model": model, "params": params}))
    return str(f)


# ---- 4. bounded, finite predictions for extreme parameters ---------------------------------------------

@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd"])
@pytest.mark.parametrize("value", [1e-300, 1e-8, 1e8, 1e200, 1e300])
def test_predict_with_extreme_parameters_prints_numbers_or_names_the_customer(tmp_path, model, value):
    summary = tmp_path / "s.csv"
    summary.write_text("id,frequency,recency,T\nA,0,0,38\nB,2,30.43,38.86\nC,20,37,38\n")
    for params in ({"r": value, "alpha": value, "a": value, "b": value},
                   {"r": value, "alpha": 1.0, "a": value, "b": 1.0},
                   {"r": 0.24, "alpha": 4.4, "a": value, "b": value}):
        m = model_file(tmp_path, model, params)
        p = subprocess.run([CLI, "predict", model, "--model", m, "--summary", str(summary), "--horizon", "39",
                            "--what", "expected_purchases,p_alive,probability_of_n_purchases"],
                           capture_output=True, text=True, timeout=120)
        assert "internal error" not in p.stderr and "terminate called" not in p.stderr
        if p.returncode == 0:
            all_finite(p.stdout)
        else:  # a NumericError names the file, line and customer
            assert p.returncode == 1 and f"{summary}:" in p.stderr and "customer '" in p.stderr, p.stderr


def test_a_model_fitted_on_degenerate_data_predicts(tmp_path):
    summary = tmp_path / "degenerate.csv"
    summary.write_text("id,frequency,recency,T\n" + "".join(f"c{i},0,0,1e-9\n" for i in range(20))
                       + "d,1,1e-9,1e-9\n")
    fit = subprocess.run([CLI, "fit", "mbgnbd", "--summary", str(summary)], capture_output=True, text=True, timeout=120)
    assert fit.returncode in (0, 1) and "internal error" not in fit.stderr
    if fit.returncode == 0:
        m = tmp_path / "m.json"
        m.write_text(fit.stdout)
        p = subprocess.run([CLI, "predict", "mbgnbd", "--model", str(m), "--summary", SUMMARY, "--horizon", "39"],
                           capture_output=True, text=True, timeout=120)
        assert "internal error" not in p.stderr
        if p.returncode == 0:
            all_finite(p.stdout)
        else:
            assert p.returncode == 1 and "customer '" in p.stderr


# ---- 9. no NaN / inf in any prediction; 1e400 in a model file ------------------------------------------

def test_predict_bgbb_with_tiny_parameters_prints_no_nan(tmp_path):
    m = model_file(tmp_path, "bgbb", {"alpha": 1e-300, "beta": 1e-300, "gamma": 1e-300, "delta": 1e-300})
    p = subprocess.run([CLI, "predict", "bgbb", "--model", m, "--summary", DONATIONS, "--horizon", "5"],
                       capture_output=True, text=True, timeout=120)
    assert "internal error" not in p.stderr
    if p.returncode == 0:
        all_finite(p.stdout)
    else:
        assert p.returncode == 1 and f"{DONATIONS}:" in p.stderr and "customer '" in p.stderr, p.stderr


@pytest.mark.parametrize("alpha,beta", [(0.704, 1.182), (1e-300, 1e-300), (1e300, 1e300), (1e-300, 1e300)])
def test_predict_sbg_prints_a_defined_period_zero_and_no_nan(tmp_path, alpha, beta):
    m = model_file(tmp_path, "sbg", {"alpha": alpha, "beta": beta})
    out = rows(run("predict", "sbg", "--model", m, "--horizon", "12").stdout)
    assert [r["period"] for r in out] == [str(i) for i in range(13)]
    assert float(out[0]["survival"]) == 1 and float(out[0]["retention_rate"]) == 1  # period 0: the start
    all_finite(run("predict", "sbg", "--model", m, "--horizon", "12").stdout)


def test_predict_gg_with_huge_parameters_prints_no_inf(tmp_path):
    summary = tmp_path / "s.csv"
    summary.write_text("id,frequency,monetary_value\nA,0,0\nB,2,20\nC,5,35\n")
    m = model_file(tmp_path, "gg", {"p": 1e200, "q": 3, "gamma": 1e100})
    all_finite(run("predict", "gg", "--model", m, "--summary", str(summary)).stdout)
    m = model_file(tmp_path, "gg", {"p": 1e300, "q": 3, "gamma": 1e300})
    p = run("predict", "gg", "--model", m, "--summary", str(summary), code=1)
    assert f"{summary}:2: customer 'A'" in p.stderr and "no finite expected spend" in p.stderr


@pytest.mark.parametrize("text", ["1e400", "-1e400", "1E+999"])
def test_a_model_file_number_beyond_double_is_a_data_error(tmp_path, text):
    m = tmp_path / "big.json"
    m.write_text('{"model": "bgnbd", "params": {"r": %s, "alpha": 4.4, "a": 0.8, "b": 2.4}}' % text)
    p = run("predict", "bgnbd", "--model", str(m), "--summary", SUMMARY, "--horizon", "1", code=1)
    assert str(m) in p.stderr and "finite doubles" in p.stderr and "number overflow" in p.stderr


def test_a_model_file_parameter_of_zero_after_underflow_names_it(tmp_path):
    m = tmp_path / "tiny.json"
    m.write_text('{"model": "bgnbd", "params": {"r": 1e-400, "alpha": 4.4, "a": 0.8, "b": 2.4}}')
    p = run("predict", "bgnbd", "--model", str(m), "--summary", SUMMARY, "--horizon", "1", code=1)
    assert "'params.r' = 0: must be finite and > 0" in p.stderr


# ---- 5. caps on horizons and periods --------------------------------------------------------------------

def test_clv_horizon_months_is_capped_at_100_years():
    p = run("clv", "--summary", os.path.join(DATA, "cdnow_customers_summary_with_transactions.csv"), "--period",
            "week", "--horizon-months", "1000000", code=2)
    assert "--horizon-months" in p.stderr and "6000" in p.stderr


def test_predict_sbg_horizon_is_capped(tmp_path):
    m = model_file(tmp_path, "sbg", {"alpha": 0.7, "beta": 1.2})
    p = run("predict", "sbg", "--model", m, "--horizon", "1e9", code=2)
    assert "--horizon" in p.stderr and "1..10000" in p.stderr


def test_predict_bgbb_horizon_is_capped(tmp_path):
    m = model_file(tmp_path, "bgbb", {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.78})
    p = run("predict", "bgbb", "--model", m, "--summary", DONATIONS, "--horizon", "1000000000", code=2)
    assert "--horizon" in p.stderr and "0..10000" in p.stderr


def test_track_with_a_date_in_9999_is_a_data_error_naming_it(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("customer,date,amount\nA,1997-01-01,10\nA,1997-02-01,12\nB,1997-01-05,5\nB,9999-12-31,7\n")
    m = model_file(tmp_path, "bgnbd", {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    p = run("track", "bgnbd", "--model", m, "--transactions", str(log), code=1)
    assert str(log) in p.stderr and "customer 'B'" in p.stderr and "9999-12-31" in p.stderr
    assert "at most 20000" in p.stderr and "--observation-end" in p.stderr
    p = run("track", "bgnbd", "--model", m, "--transactions", str(log), "--observation-end", "9999-12-31", code=2)
    assert "--observation-end 9999-12-31" in p.stderr and "at most 20000" in p.stderr
    # an observation end within the cap still works
    out = rows(run("track", "bgnbd", "--model", m, "--transactions", str(log), "--observation-end",
                   "1997-03-31").stdout)
    assert len(out) == 90


# ---- 13. sBG percentages are not counts -------------------------------------------------------------------

def test_fit_sbg_refuses_percentages_as_counts_and_takes_them_as_proportions(tmp_path):
    pct = [100.0, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1]
    f = tmp_path / "pct.csv"
    f.write_text("period,active\n" + "".join(f"{i},{c}\n" for i, c in enumerate(pct)))
    p = run("fit", "sbg", "--summary", str(f), code=1)
    assert f"{f}:3 (period 1)" in p.stderr and "'active' = 63.1" in p.stderr
    assert "--survival-as proportions --cohort-size N" in p.stderr
    counts = tmp_path / "counts.csv"
    counts.write_text("period,active\n" + "".join(f"{i},{c}\n" for i, c in
                                                 enumerate([1000, 631, 468, 382, 326, 289, 262, 241])))
    a = json.loads(run("fit", "sbg", "--summary", str(counts)).stdout)
    b = json.loads(run("fit", "sbg", "--summary", str(f), "--survival-as", "proportions", "--cohort-size",
                       "1000").stdout)
    assert abs(a["params"]["alpha"] - 0.704) <= 0.0005 and abs(b["params"]["alpha"] - a["params"]["alpha"]) < 1e-6
    assert abs(b["std_errors"]["alpha"] - a["std_errors"]["alpha"]) < 1e-6
    p = run("fit", "sbg", "--summary", str(f), "--survival-as", "proportions", code=2)
    assert "--cohort-size" in p.stderr
    p = run("fit", "bgnbd", "--summary", SUMMARY, "--cohort-size", "10", code=2)
    assert "sbg only" in p.stderr


# ---- 15. errors name the customer, the file and the line --------------------------------------------------

def test_fit_errors_name_file_line_and_customer(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("id,frequency,recency,T\nA,1,2,3\nB,2,1,-5\n")
    p = run("fit", "bgnbd", "--summary", str(f), code=1)
    assert f"{f}:3: customer 'B'" in p.stderr and "argument 'T' = -5" in p.stderr
    assert "[" not in p.stderr.split("argument")[1]  # no 0-based array index
    g = tmp_path / "g.csv"
    g.write_text("id,x,zbar\nA,1,10\nB,2,-3\n")
    p = run("fit", "gg", "--summary", str(g), code=1)
    assert f"{g}:3: customer 'B'" in p.stderr and "argument 'zbar' = -3" in p.stderr


# ---- 18. one zero-spend policy -----------------------------------------------------------------------------

def test_fit_gg_skips_and_counts_zero_spend_repeat_buyers_or_refuses_them(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("id,frequency,monetary_value\n" + "\n".join(
        f"c{i},{1 + i % 4},{0 if i in (3, 7) else 10 + i}" for i in range(30)) + "\n")
    p = run("fit", "gg", "--summary", str(f))
    assert "2 repeat buyer(s) with a mean spend of 0 left out" in p.stderr
    assert json.loads(p.stdout)["n_zero_spend_skipped"] == 2
    p = run("fit", "gg", "--summary", str(f), "--zero-spend", "error", code=1)
    assert f"{f}:5: customer 'c3'" in p.stderr and "'monetary_value' = 0" in p.stderr
    p = run("fit", "bgnbd", "--summary", SUMMARY, "--zero-spend", "error", code=2)
    assert "gg only" in p.stderr


def test_clv_uses_the_same_zero_spend_policy(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("id,frequency,recency,T,monetary_value\n" + "\n".join(
        f"c{i},{i % 5},{(i % 5) * 3},{20 + i % 7},{0 if i in (4, 9) else 10 + i % 13}" for i in range(60)) + "\n")
    p = run("clv", "--summary", str(f), "--period", "week")
    assert "2 repeat buyer(s) with a mean spend of 0 left out" in p.stderr
    all_finite(p.stdout)
    p = run("clv", "--summary", str(f), "--period", "week", "--zero-spend", "error", code=1)
    assert f"{f}:6: customer 'c4'" in p.stderr
