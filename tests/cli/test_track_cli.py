"""crmkit track: actual vs expected repeat transactions per period, run as a user would.

On the CDNOW 1/10 sample (weekly, calibration to 1997-09-30, 78 weeks to 1998-06-30): the actual cumulative
repeat transactions are recomputed here without crmkit (purchase days after each customer's first), 2,457 at
week 39 being the sum of x in Fader & Hardie's published calibration summary. The predictions are checked
here for their properties (increasing, incremental sums to cumulative, days == weeks with daily rates, within
8% of the actual at week 78); their per-customer arithmetic is checked in tests/cpp/clv/tracking_test.cpp
and tests/python/test_tracking.py.
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
SAMPLE_FILE = os.path.join(DATA, "CDNOW_sample.txt")
SAMPLE = ["--transactions", SAMPLE_FILE, "--no-header", "--customer-col", "2", "--date-col", "3",
          "--amount-col", "5"]
COLUMNS = ["period", "date", "actual_cumulative", "predicted_cumulative", "actual_incremental",
           "predicted_incremental"]
MODELS = {"bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
          "mbgnbd": {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614},
          "pnbd": {"r": 0.5534, "alpha": 10.5796, "s": 0.6061, "beta": 11.6650}}


def run(*args, ok=True):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)
    if ok:
        assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr and "terminate called" not in p.stderr
    return p


def fail(*args, code):
    p = run(*args, ok=False)
    assert p.returncode == code, (p.returncode, p.stderr)
    assert re.search(r"^crmkit: error: ", p.stderr, re.M), p.stderr
    assert p.stdout == ""
    return p.stderr


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("track")
    paths = {}
    for key, params in MODELS.items():
        paths[key] = str(d / f"{key}.json")
        with open(paths[key], "w") as f:
            json.dump({"model": key, "params": params}, f)
    gg = str(d / "gg.json")
    with open(gg, "w") as f:
        json.dump({"model": "gg", "params": {"p": 6.25, "q": 3.74, "gamma": 15.44}}, f)
    paths["gg"] = gg
    return paths


def actual_weekly():
    """Cumulative repeat purchase days per week from 1997-01-01, computed here without crmkit."""
    days = defaultdict(set)
    with open(SAMPLE_FILE) as f:
        for line in f:
            _, cust, date, _, _ = line.split()
            days[cust].add(dt.date(int(date[:4]), int(date[4:6]), int(date[6:])))
    start = min(min(s) for s in days.values())
    per_week = [0] * 78
    for s in days.values():
        for d in s:
            if d != min(s):
                per_week[(d - start).days // 7] += 1
    out, total = [], 0
    for n in per_week:
        total += n
        out.append(total)
    return out


@pytest.mark.parametrize("key", ["bgnbd", "mbgnbd", "pnbd"])
def test_track_weekly_cdnow(model_files, key):
    out = run("track", key, "--model", model_files[key], *SAMPLE, "--period", "week", "--calibration-end",
              "1997-09-30", "--observation-end", "1998-06-30").stdout
    assert out.splitlines()[0] == ",".join(COLUMNS)
    r = rows(out)
    assert len(r) == 78
    assert [int(x["period"]) for x in r] == list(range(1, 79))
    assert r[0]["date"] == "1997-01-07" and r[38]["date"] == "1997-09-30" and r[77]["date"] == "1998-06-30"
    assert [int(x["actual_cumulative"]) for x in r] == actual_weekly()
    assert int(r[38]["actual_cumulative"]) == 2457  # sum of x in the published calibration summary
    assert int(r[77]["actual_cumulative"]) == 4339
    pred = [float(x["predicted_cumulative"]) for x in r]
    assert all(b > a for a, b in zip(pred, pred[1:]))
    assert abs(pred[-1] / 4339 - 1) < 0.08
    running = 0.0
    for x in r:
        running += float(x["predicted_incremental"])
        assert running == pytest.approx(float(x["predicted_cumulative"]), rel=1e-12)
    assert sum(int(x["actual_incremental"]) for x in r) == 4339


def test_fit_then_track_end_to_end_json_and_output_file(tmp_path):
    summary = tmp_path / "cal.csv"
    run("summary", *SAMPLE, "--period", "week", "--observation-end", "1997-09-30", "-o", str(summary))
    model = tmp_path / "bgnbd.json"
    run("fit", "bgnbd", "--summary", str(summary), "-o", str(model))
    csv_out = run("track", "bgnbd", "--model", str(model), *SAMPLE, "--period", "week").stdout
    js = json.loads(run("track", "bgnbd", "--model", str(model), *SAMPLE, "--period", "week", "--format",
                        "json").stdout)
    assert len(js) == 78 and list(js[0]) == COLUMNS
    for a, b in zip(rows(csv_out), js):
        assert int(a["period"]) == b["period"] and a["date"] == b["date"]
        assert float(a["predicted_cumulative"]) == b["predicted_cumulative"]
        assert float(a["actual_cumulative"]) == b["actual_cumulative"]
    target = tmp_path / "track.csv"
    p = run("track", "bgnbd", "--model", str(model), *SAMPLE, "--period", "week", "-o", str(target))
    assert p.stdout == "" and target.read_text() == csv_out


def test_daily_periods_with_daily_rates_equal_weekly(model_files, tmp_path):
    daily = dict(MODELS["bgnbd"], alpha=MODELS["bgnbd"]["alpha"] * 7)  # alpha is in time units
    path = tmp_path / "daily.json"
    path.write_text(json.dumps({"model": "bgnbd", "params": daily}))
    w = rows(run("track", "bgnbd", "--model", model_files["bgnbd"], *SAMPLE, "--period", "week").stdout)
    d = rows(run("track", "bgnbd", "--model", str(path), *SAMPLE, "--period", "day").stdout)
    assert len(d) == 546
    for k, row in enumerate(w):
        day = d[7 * k + 6]
        assert day["date"] == row["date"] and day["actual_cumulative"] == row["actual_cumulative"]
        assert float(day["predicted_cumulative"]) == pytest.approx(float(row["predicted_cumulative"]), rel=1e-10)


def test_errors(model_files):
    bg = model_files["bgnbd"]
    assert "pnbd" in fail("track", "pnbd", "--model", bg, *SAMPLE, code=2)  # MODEL vs file
    assert "bgnbd, mbgnbd or pnbd" in fail("track", "gg", "--model", model_files["gg"], *SAMPLE, code=2)
    assert "--calibration-end" in fail("track", "bgnbd", "--model", bg, *SAMPLE, "--calibration-end", "1998-06-30",
                                       "--observation-end", "1998-06-30", code=2)
    assert "--calibration-end" in fail("track", "bgnbd", "--model", bg, *SAMPLE, "--calibration-end", "1999-01-01",
                                       code=2)
    assert "--observation-end" in fail("track", "bgnbd", "--model", bg, *SAMPLE, "--observation-end", "1998-02-30",
                                       code=2)
    fail("track", "bgnbd", "--model", bg, *SAMPLE, "--period", "year", code=2)
    fail("track", "bgnbd", "--model", "/no/such/model.json", *SAMPLE, code=1)
    fail("track", "bgnbd", "--model", bg, "--transactions", "/no/such/file.csv", code=1)
    err = fail("track", "bgnbd", "--model", bg, *SAMPLE, "--period", "week", "--observation-end", "1997-01-03",
               code=1)
    assert "at least one complete week after the first purchase on 1997-01-01" in err


def test_help_lists_every_flag():
    out = run("track", "--help").stdout
    for flag in ("MODEL", "--model", "--transactions", "--customer-col", "--date-col", "--period",
                 "--calibration-end", "--observation-end", "--format", "--output"):
        assert flag in out, flag
