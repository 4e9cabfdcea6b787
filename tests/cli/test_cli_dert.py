"""`crmkit predict --what dert` (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB), `--what probability_of_n_purchases`
(BG/BB) and `crmkit clv --method dert`: the spot values of tests/cpp/clv/dert_test.cpp (mpmath at 30 digits;
direct summation of Fader, Hardie & Shang 2010's definitions for BG/BB) and the errors."""
import csv
import io
import json
import math
import os
import subprocess

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
WEEKLY = math.log(1.01) / 4.345  # 1% a month, per week


def run(*args, ok=True):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)
    if ok:
        assert p.returncode == 0, p.stderr
    return p


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture()
def files(tmp_path):
    models = {
        "bgnbd": {"model": "bgnbd", "params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}},
        "mbgnbd": {"model": "mbgnbd", "params": {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}},
        "gg": {"model": "gg", "params": {"p": 6.25, "q": 3.74, "gamma": 15.44}},
        "bgbb": {"model": "bgbb", "params": {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}},
    }
    paths = {}
    for k, v in models.items():
        paths[k] = tmp_path / f"{k}.json"
        paths[k].write_text(json.dumps(v))
    paths["summary"] = tmp_path / "s.csv"
    paths["summary"].write_text("id,frequency,recency,T,monetary_value\nc1,2,30.43,38.86,22.35\nc2,0,0,38.86,0\n")
    paths["discrete"] = tmp_path / "d.csv"
    paths["discrete"].write_text("id,frequency,recency,periods\nd1,3,4,6\nd2,0,0,6\n")
    return paths


def test_predict_dert(files):
    out = rows(run("predict", "bgnbd", "--model", str(files["bgnbd"]), "--summary", str(files["summary"]),
                   "--what", "dert,p_alive", "--discount-rate", repr(WEEKLY)).stdout)
    assert list(out[0]) == ["customer_id", "dert", "p_alive"]
    assert float(out[0]["dert"]) == pytest.approx(5.6473859945975983856, rel=1e-9)
    assert float(out[1]["dert"]) == pytest.approx(1.1303702188513086425, rel=1e-9)
    out = json.loads(run("predict", "mbgnbd", "--model", str(files["mbgnbd"]), "--summary", str(files["summary"]),
                         "--what", "dert", "--discount-rate", repr(WEEKLY), "--format", "json").stdout)
    assert out[0]["customer_id"] == "c1"
    assert out[0]["dert"] == pytest.approx(5.3447538590530408749, rel=1e-9)
    # the default columns are unchanged
    out = rows(run("predict", "bgnbd", "--model", str(files["bgnbd"]), "--summary", str(files["summary"]),
                   "--horizon", "39").stdout)
    assert list(out[0]) == ["customer_id", "expected_purchases", "p_alive"]


def test_predict_bgbb_dert_and_pmf(files):
    out = rows(run("predict", "bgbb", "--model", str(files["bgbb"]), "--summary", str(files["discrete"]),
                   "--what", "dert,probability_of_n_purchases,p_alive", "--discount-rate", "0.1",
                   "--horizon", "6").stdout)
    assert list(out[0]) == ["customer_id", "dert", "probability_of_n_purchases", "p_alive"]
    assert [r["customer_id"] for r in out] == ["d1", "d2"]
    assert float(out[0]["dert"]) == pytest.approx(1.6286607730608238221, rel=1e-10)
    assert float(out[1]["dert"]) == pytest.approx(0.114646996181764105, rel=1e-10)
    # P(X(6) = 3) and P(X(6) = 0) for a new donor
    assert float(out[0]["probability_of_n_purchases"]) == pytest.approx(0.10026311502480368974, rel=1e-10)
    assert float(out[1]["probability_of_n_purchases"]) == pytest.approx(0.31121774326384934717, rel=1e-10)


def test_clv_method_dert(files):
    common = ["clv", "--summary", str(files["summary"]), "--period", "week", "--transaction-model",
              str(files["bgnbd"]), "--spend-model", str(files["gg"]), "--discount-rate", "0.01", "--margin", "0.3"]
    dert = rows(run(*common, "--method", "dert").stdout)
    monthly = rows(run(*common).stdout)
    assert list(dert[0]) == ["customer_id", "clv", "expected_purchases", "expected_spend", "p_alive"]
    for d, m, want in zip(dert, monthly, [5.6473859945975983856, 1.1303702188513086425]):
        assert float(d["clv"]) == pytest.approx(0.3 * float(d["expected_spend"]) * want, rel=1e-9)
        assert float(m["clv"]) < float(d["clv"])  # 12 months vs the whole discounted future
    assert float(monthly[0]["clv"]) == pytest.approx(0.3 * 36.28921112559922, rel=1e-9)  # the default is unchanged


@pytest.mark.parametrize("args,code,message", [
    (["predict", "bgnbd", "--what", "dert"], 2, "--discount-rate"),
    (["predict", "bgnbd", "--what", "nope", "--discount-rate", "0.1"], 2, "--what"),
    (["predict", "bgnbd", "--what", "dert", "--discount-rate", "-1"], 2, "--discount-rate"),
    (["clv", "--method", "dert", "--discount-rate", "0"], 2, "--discount-rate > 0"),
    (["clv", "--method", "yearly"], 2, "--method"),
])
def test_errors(files, args, code, message):
    extra = []
    if args[0] == "predict":
        extra = ["--model", str(files["bgnbd"]), "--summary", str(files["summary"])]
    else:
        extra = ["--summary", str(files["summary"]), "--period", "week", "--transaction-model", str(files["bgnbd"]),
                 "--spend-model", str(files["gg"])]
    p = run(*args, *extra, ok=False)
    assert p.returncode == code, p.stderr
    assert message in p.stderr
