"""`crmkit fit`, `crmkit predict` and `crmkit clv`: published values, the model-file contract, errors."""
import csv
import io
import json
import os
import subprocess

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
SUMMARY = os.path.join(DATA, "cdnow_customers_summary.csv")                       # ID,frequency,recency,T
SUMMARY_FH = os.path.join(DATA, "cdnow_customers_summary_with_transactions.csv")  # ID,x,t_x,T,zbar
MASTER = ["--transactions", os.path.join(DATA, "CDNOW_master.txt"), "--amount-col", "dollar_value"]


def run(*args, ok=True):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60)
    if ok:
        assert p.returncode == 0, p.stderr
    return p


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_fit_bgnbd_reproduces_fader_hardie_lee_2005():
    out = json.loads(run("fit", "bgnbd", "--summary", SUMMARY, "--format", "json").stdout)
    assert list(out)[:6] == ["model", "params", "log_likelihood", "converged", "iterations", "std_errors"]
    assert out["model"] == "bgnbd" and out["converged"] is True
    p = out["params"]
    assert list(p) == ["r", "alpha", "a", "b"]
    # FHL (2005), CDNOW 1/10 sample in weeks: 0.243, 4.414, 0.793, 2.426, LL -9582.4
    for k, v in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert abs(p[k] - v) <= 0.0005, k
    assert abs(out["log_likelihood"] + 9582.4) <= 0.05
    assert set(out["std_errors"]) == set(p) and all(v > 0 for v in out["std_errors"].values())


def test_fit_gg_reproduces_fader_hardie_with_their_column_names():
    out = json.loads(run("fit", "gg", "--summary", SUMMARY_FH).stdout)
    assert out["model"] == "gg" and list(out["params"]) == ["p", "q", "gamma"]
    # Fader & Hardie (2013) "The Gamma-Gamma model of monetary value": p 6.25, q 3.74, gamma 15.44
    for k, v in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert abs(out["params"][k] - v) <= 0.01, k
    table = run("fit", "gg", "--summary", SUMMARY_FH, "--format", "table").stdout
    assert "Gamma-Gamma fit" in table and "gamma" in table


def test_predict_reads_the_fit_output(tmp_path):
    model = tmp_path / "bg.json"
    run("fit", "bgnbd", "--summary", SUMMARY, "-o", str(model))
    out = rows(run("predict", "bgnbd", "--model", str(model), "--summary", SUMMARY, "--horizon", "39").stdout)
    assert list(out[0]) == ["customer_id", "expected_purchases", "p_alive"]
    assert len(out) == 2357
    assert out[0]["customer_id"] == "1"
    assert abs(float(out[0]["expected_purchases"]) - 1.226) < 0.0005   # FHL 2005: x=2, t_x=30.43, T=38.86
    assert all(0 <= float(r["p_alive"]) <= 1 for r in out)
    spend = tmp_path / "gg.json"
    run("fit", "gg", "--summary", SUMMARY_FH, "-o", str(spend))
    out = rows(run("predict", "gg", "--model", str(spend), "--summary", SUMMARY_FH).stdout)
    assert list(out[0]) == ["customer_id", "expected_spend"]
    assert all(float(r["expected_spend"]) > 0 for r in out)


def test_clv_from_transactions_and_from_models(tmp_path):
    out = rows(run("clv", *MASTER, "--horizon-months", "12", "--discount-rate", "0.01").stdout)
    assert list(out[0]) == ["customer_id", "clv", "expected_purchases", "expected_spend", "p_alive"]
    assert len(out) == 23570
    values = [float(r["clv"]) for r in out]
    assert all(v >= 0 for v in values) and sum(values) > 0
    half = rows(run("clv", *MASTER, "--horizon-months", "12", "--discount-rate", "0.01", "--margin", "0.5").stdout)
    assert abs(float(half[2]["clv"]) - 0.5 * float(out[2]["clv"])) < 1e-9 * float(out[2]["clv"]) + 1e-12
    # With given models and a weekly summary: lifetimes' recipe (spot value of tests/cpp/clv/model_test.cpp)
    bg = tmp_path / "bg.json"
    bg.write_text(json.dumps({"model": "bgnbd", "params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}}))
    gg = tmp_path / "gg.json"
    gg.write_text(json.dumps({"model": "gg", "params": {"p": 6.25, "q": 3.74, "gamma": 15.44}}))
    summ = tmp_path / "s.csv"
    summ.write_text("id,frequency,recency,T,monetary_value\nc1,2,30.43,38.86,22.35\nc2,0,0,38.86,0\n")
    out = rows(run("clv", "--summary", str(summ), "--period", "week", "--transaction-model", str(bg),
                   "--spend-model", str(gg), "--horizon-months", "12", "--discount-rate", "0.01").stdout)
    assert [r["customer_id"] for r in out] == ["c1", "c2"]
    assert abs(float(out[0]["clv"]) - 36.28921112559922) < 1e-6
    assert abs(float(out[1]["clv"]) - 8.369004358920181) < 1e-6


@pytest.mark.parametrize("args,code,message", [
    (["fit", "nope", "--summary", SUMMARY], 2, "must be one of"),
    (["fit", "pnbdx", "--summary", SUMMARY], 2, "bgnbd, gg, sbg, bgbb, pnbd, mbgnbd"),
    (["fit", "pnbd", "--summary", SUMMARY_FH, "--penalizer", "-1"], 2, "--penalizer"),
    (["fit", "bgnbd"], 2, "--summary"),
    (["fit", "bgnbd", "--summary", "/no/such.csv"], 1, "/no/such.csv"),
    (["fit", "gg", "--summary", SUMMARY], 1, "monetary value column"),
    (["clv", "--horizon-months", "12"], 2, "exactly one of --transactions and --summary"),
    (["clv", "--summary", SUMMARY, "--model-type", "pnbd"], 1, "monetary value column"),
    (["clv", "--summary", SUMMARY_FH, "--model-type", "nbd"], 2, "--model-type"),
])
def test_errors(args, code, message):
    p = run(*args, ok=False)
    assert p.returncode == code, p.stderr
    assert message in p.stderr


def test_bad_cell_and_bad_model_file_name_their_place(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,frequency,recency,T\na,1,2,3\nb,x,2,3\n")
    p = run("fit", "bgnbd", "--summary", str(bad), ok=False)
    assert p.returncode == 1 and f"{bad}:3:2: column 'frequency': expected a finite number, found 'x'" in p.stderr
    model = tmp_path / "m.json"
    model.write_text("{not json")
    p = run("predict", "bgnbd", "--model", str(model), "--summary", SUMMARY, "--horizon", "1", ok=False)
    assert p.returncode == 1 and str(model) in p.stderr
    model.write_text(json.dumps({"model": "gg", "params": {"p": 1, "q": 2, "gamma": 3}}))
    p = run("predict", "bgnbd", "--model", str(model), "--summary", SUMMARY, "--horizon", "1", ok=False)
    assert p.returncode == 2 and "holds a gg model" in p.stderr


def test_fit_sbg_reproduces_fader_hardie_2007(tmp_path):
    # Fader & Hardie (2007), "How to project customer retention": the two cohorts, years 0-7
    for counts, alpha, beta in (([1000, 631, 468, 382, 326, 289, 262, 241], 0.704, 1.182),
                                ([1000, 869, 743, 653, 593, 551, 517, 491], 0.668, 3.806)):
        f = tmp_path / "cohort.csv"
        f.write_text("period,active\n" + "".join(f"{i},{c}\n" for i, c in enumerate(counts)))
        out = json.loads(run("fit", "sbg", "--summary", str(f)).stdout)
        assert out["model"] == "sbg" and list(out["params"]) == ["alpha", "beta"]
        assert abs(out["params"]["alpha"] - alpha) <= 0.0005 and abs(out["params"]["beta"] - beta) <= 0.0005
    model = tmp_path / "sbg.json"
    model.write_text(json.dumps(out))
    curve = rows(run("predict", "sbg", "--model", str(model), "--horizon", "10").stdout)
    assert [r["period"] for r in curve] == [str(i) for i in range(11)]
    s = [float(r["survival"]) for r in curve]
    assert s[0] == 1 and all(a > b for a, b in zip(s, s[1:]))
    ret = [float(r["retention_rate"]) for r in curve[1:]]
    assert all(a < b for a, b in zip(ret, ret[1:]))  # retention rises with tenure
    # individual records give the same fit as the cohort they describe
    rec = tmp_path / "records.csv"
    counts = [1000, 869, 743, 653, 593, 551, 517, 491]
    rec.write_text("periods,churned,weights\n" + "".join(f"{t},yes,{counts[t - 1] - counts[t]}\n" for t in range(1, 8))
                   + "7,no,491\n")
    out2 = json.loads(run("fit", "sbg", "--summary", str(rec)).stdout)
    assert abs(out2["params"]["alpha"] - out["params"]["alpha"]) < 1e-6
    bad = tmp_path / "bad.csv"
    bad.write_text("period,active\n0,1000\n2,800\n")
    p = run("fit", "sbg", "--summary", str(bad), ok=False)
    assert p.returncode == 1 and f"{bad}:3:1: column 'period'" in p.stderr


def test_fit_bgbb_reproduces_fader_hardie_shang_2010(tmp_path):
    out = json.loads(run("fit", "bgbb", "--summary", os.path.join(DATA, "donations.csv")).stdout)
    assert out["model"] == "bgbb" and list(out["params"]) == ["alpha", "beta", "gamma", "delta"]
    for k, v in {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}.items():
        assert abs(out["params"][k] - v) <= 0.0005, k
    assert abs(out["log_likelihood"] + 33225.6) <= 0.05
    model = tmp_path / "bb.json"
    model.write_text(json.dumps(out))
    pred = rows(run("predict", "bgbb", "--model", str(model), "--summary", os.path.join(DATA, "donations.csv"),
                    "--horizon", "5").stdout)
    assert len(pred) == 22 and list(pred[0]) == ["customer_id", "expected_purchases", "p_alive"]
    assert all(0 <= float(r["p_alive"]) <= 1 for r in pred)
    p = run("predict", "bgbb", "--model", str(model), "--summary", os.path.join(DATA, "donations.csv"),
            "--horizon", "2.5", ok=False)
    assert p.returncode == 2 and "whole number" in p.stderr


def test_fit_and_predict_pnbd_reproduce_fader_hardie_2005(tmp_path):
    model = tmp_path / "pnbd.json"
    run("fit", "pnbd", "--summary", SUMMARY, "-o", str(model))
    out = json.loads(model.read_text())
    assert list(out)[:6] == ["model", "params", "log_likelihood", "converged", "iterations", "std_errors"]
    assert out["model"] == "pnbd" and out["converged"] is True
    p = out["params"]
    assert list(p) == ["r", "alpha", "s", "beta"]
    # Fader & Hardie (2005) on CDNOW: r 0.5534, alpha 10.5796, s 0.6061, beta 11.6650, LL -9594.98; the
    # likelihood is flat along alpha/beta (tolerances of tests/cpp/clv/pareto_nbd_test.cpp)
    for k, v, tol in (("r", 0.5534, 2e-4), ("alpha", 10.5796, 5e-3), ("s", 0.6061, 2e-4), ("beta", 11.6650, 1.5e-2)):
        assert abs(p[k] - v) <= tol, k
    assert abs(out["log_likelihood"] + 9594.98) <= 0.02
    assert all(v > 0 for v in out["std_errors"].values())
    pred = rows(run("predict", "pnbd", "--model", str(model), "--summary", SUMMARY, "--horizon", "39").stdout)
    assert list(pred[0]) == ["customer_id", "expected_purchases", "p_alive"] and len(pred) == 2357
    assert all(0 <= float(r["p_alive"]) <= 1 for r in pred)
    # the model file must match the MODEL argument
    p2 = run("predict", "bgnbd", "--model", str(model), "--summary", SUMMARY, "--horizon", "39", ok=False)
    assert p2.returncode == 2 and "holds a pnbd model" in p2.stderr
    table = run("fit", "pnbd", "--summary", SUMMARY, "--format", "table").stdout
    assert table.startswith("Pareto/NBD fit") and "beta" in table


def test_fit_mbgnbd_reproduces_lifetimes_and_btydplus():
    out = json.loads(run("fit", "mbgnbd", "--summary", SUMMARY_FH).stdout)  # Fader & Hardie's column names
    assert out["model"] == "mbgnbd" and out["converged"] is True
    # lifetimes' ModifiedBetaGeoFitter test / BTYDplus: 0.525, 6.183, 0.891, 1.614 (3 decimals)
    for k, v in {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}.items():
        assert abs(out["params"][k] - v) <= 0.0015, k


def test_clv_with_a_pareto_nbd_model(tmp_path):
    out = rows(run("clv", "--summary", SUMMARY_FH, "--period", "week", "--model-type", "pnbd", "--horizon-months",
                   "12", "--discount-rate", "0.01").stdout)
    assert list(out[0]) == ["customer_id", "clv", "expected_purchases", "expected_spend", "p_alive"]
    assert len(out) == 2357 and all(float(r["clv"]) >= 0 for r in out)
    # The same with the fitted model given as a file: identical values.
    model = tmp_path / "pnbd.json"
    run("fit", "pnbd", "--summary", SUMMARY_FH, "-o", str(model))
    again = rows(run("clv", "--summary", SUMMARY_FH, "--period", "week", "--transaction-model", str(model),
                     "--horizon-months", "12", "--discount-rate", "0.01").stdout)
    assert [r["clv"] for r in again] == [r["clv"] for r in out]
    bg = rows(run("clv", "--summary", SUMMARY_FH, "--period", "week", "--horizon-months", "12").stdout)
    assert [r["clv"] for r in bg] != [r["clv"] for r in out]
