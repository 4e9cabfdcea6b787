"""crmkit survival / crmkit cohorts run as a user would: the leukaemia remission data of Freireich et al.
(1963) (Kleinbaum & Klein's KM table, R survfit's intervals, log-rank 16.79), a hand-built transaction log,
CDNOW, every output format and errors with exit codes."""
import csv
import io
import json
import math
import os
import subprocess

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
CDNOW = os.path.join(DATA, "CDNOW_master.txt")

MP_T = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
MP_E = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PL_T = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]

LOG = """customer_id,date,amount
a,2020-01-05,10
a,2020-01-20,5
b,2020-01-31,20
a,2020-02-03,7
c,2020-02-10,8
c,2020-02-11,2
c,2020-03-01,6
b,2020-03-15,4
d,2020-03-31,1
a,2020-04-01,3
"""


def run(*args, code=0):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)
    assert p.returncode == code, p.stderr
    assert "Traceback" not in p.stderr and "terminate called" not in p.stderr
    if code:
        assert p.stderr.startswith("crmkit: error: ") and p.stdout == ""
    return p


def table(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture()
def remission(tmp_path):
    f = tmp_path / "remission.csv"
    lines = ["weeks,relapse,arm"]
    lines += [f"{t},{'yes' if e else 'no'},6-MP" for t, e in zip(MP_T, MP_E)]
    lines += [f"{t},yes,placebo" for t in PL_T]
    f.write_text("\n".join(lines) + "\n")
    return str(f)


@pytest.fixture()
def log(tmp_path):
    f = tmp_path / "log.csv"
    f.write_text(LOG)
    return str(f)


def test_step_table(remission):
    r = table(run("survival", "--durations", remission, "--duration-col", "weeks", "--event-col", "relapse",
                  "--group-col", "arm").stdout)
    assert list(r[0]) == ["group", "time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower", "upper"]
    mp = [x for x in r if x["group"] == "6-MP" and float(x["n_event"]) > 0]
    assert [float(x["time"]) for x in mp] == [6, 7, 10, 13, 16, 22, 23]
    assert float(mp[0]["survival"]) == pytest.approx(18 / 21, abs=1e-15)
    assert float(mp[-1]["survival"]) == pytest.approx(0.4482, abs=5e-5)
    assert float(mp[-1]["std_err"]) == pytest.approx(0.1346, abs=5e-5)
    assert float(mp[-1]["lower"]) == pytest.approx(0.249, abs=5e-4)
    assert float(mp[-1]["upper"]) == pytest.approx(0.807, abs=5e-4)
    assert len([x for x in r if x["group"] == "placebo"]) == 12


def test_summary_and_logrank(remission):
    r = {x["group"]: x for x in table(run("survival", "--durations", remission, "--duration-col", "weeks",
                                          "--event-col", "relapse", "--group-col", "arm", "--summary").stdout)}
    assert float(r["6-MP"]["median"]) == 23 and float(r["6-MP"]["median_lower"]) == 16
    assert r["6-MP"]["median_upper"] == ""  # undefined (not reached): an empty CSV cell, never "nan"
    assert float(r["placebo"]["median"]) == 8
    assert float(r["placebo"]["chi_square"]) == pytest.approx(16.792940989216532, abs=1e-10)
    assert float(r["placebo"]["p_value"]) == pytest.approx(4.1688091093394775e-05, abs=1e-14)
    assert r["6-MP"]["n"] == "21" and r["placebo"]["events"] == "21"


def test_at_json_and_conf_type(remission):
    at = table(run("survival", "--durations", remission, "--duration-col", "weeks", "--event-col", "relapse",
                   "--at", "0,10,40").stdout)
    assert [float(x["time"]) for x in at] == [0, 10, 40]
    assert float(at[0]["survival"]) == 1 and float(at[0]["n_risk"]) == 42
    doc = json.loads(run("survival", "--durations", remission, "--duration-col", "weeks", "--event-col", "relapse",
                         "--group-col", "arm", "--conf-type", "log-log", "--at", "6", "--format", "json").stdout)
    assert doc["conf_type"] == "log-log" and doc["conf_level"] == 0.95
    mp = doc["curves"][0]
    assert mp["group"] == "6-MP" and mp["median_upper"] is None
    assert mp["at"]["lower"][0] == pytest.approx(0.6197, abs=5e-5)
    assert doc["logrank"]["df"] == 1


def test_from_transactions(log):
    cust = table(run("survival", "--transactions", log, "--inactive-days", "30", "--customers").stdout)
    assert [(x["customer_id"], float(x["duration"]), x["event"]) for x in cust] == [
        ("a", 87, "0"), ("b", 61, "0"), ("c", 20, "1"), ("d", 1, "0")]
    assert cust[2]["first_purchase"] == "2020-02-10" and cust[2]["last_purchase"] == "2020-03-01"
    doc = json.loads(run("survival", "--transactions", log, "--inactive-days", "30", "--format", "json").stdout)
    assert doc["observation_end"] == "2020-04-01" and doc["inactive_days"] == 30
    c = doc["curves"][0]
    assert c["n"] == 4 and c["events"] == 1
    # one event at 20 among 3 at risk (a 87, b 61, c 20): S = 2/3
    assert c["survival"][c["time"].index(20)] == pytest.approx(2 / 3, abs=1e-15)


def test_from_cdnow():
    s = table(run("survival", "--transactions", CDNOW, "--inactive-days", "180", "--period", "week",
                  "--summary").stdout)
    assert len(s) == 1 and s[0]["n"] == "23570"
    # most CDNOW customers never buy again: churned one-time buyers have duration 0, so S(0) < 1/2 and the
    # median is 0; S(0) = 1 - (churned with duration 0) / all
    assert float(s[0]["median"]) == 0
    cust = table(run("survival", "--transactions", CDNOW, "--inactive-days", "180", "--customers").stdout)
    assert len(cust) == 23570
    zero = sum(1 for x in cust if x["event"] == "1" and float(x["duration"]) == 0)
    at = table(run("survival", "--transactions", CDNOW, "--inactive-days", "180", "--at", "0").stdout)
    assert float(at[0]["survival"]) == pytest.approx(1 - zero / 23570, abs=1e-12)


def test_cohorts_long_wide_json(log):
    r = table(run("cohorts", "--transactions", log).stdout)
    assert list(r[0]) == ["cohort", "period", "cohort_size", "customers", "retention", "revenue"]
    assert len(r) == 10
    jan = [x for x in r if x["cohort"] == "2020-01"]
    assert [int(x["customers"]) for x in jan] == [2, 1, 1, 1]
    assert [float(x["revenue"]) for x in jan] == [35, 7, 4, 3]
    assert float(jan[1]["retention"]) == 0.5
    w = table(run("cohorts", "--transactions", log, "--wide", "customers").stdout)
    assert list(w[0]) == ["cohort", "cohort_size", "0", "1", "2", "3"]
    assert w[1]["3"] in ("", "nan")
    doc = json.loads(run("cohorts", "--transactions", log, "--format", "json").stdout)
    assert doc["period"] == "month" and doc["n_cohorts"] == 4
    assert doc["cohorts"][3]["retention"] == [None] and doc["cohorts"][1]["active"] == [1, 1, 0]
    q = table(run("cohorts", "--transactions", log, "--period", "quarter").stdout)
    assert [x["cohort"] for x in q] == ["2020-Q1", "2020-Q1", "2020-Q2"]


def test_cohorts_cdnow():
    r = table(run("cohorts", "--transactions", CDNOW).stdout)
    first = {x["cohort"]: int(x["cohort_size"]) for x in r if x["period"] == "0"}
    assert first["1997-01"] == 7846 and first["1997-02"] == 8476 and first["1997-03"] == 7248


def test_errors(remission, log, tmp_path):
    p = run("survival", "--durations", remission, code=1)
    assert "duration" in p.stderr  # no column named duration/time/...: names the header
    run("survival", "--durations", remission, "--transactions", log, code=2)
    run("survival", code=2)
    run("survival", "--durations", remission, "--duration-col", "weeks", "--event-col", "relapse",
        "--conf-type", "arcsine", code=2)
    run("survival", "--durations", remission, "--duration-col", "weeks", "--event-col", "relapse", "--at", "x", code=2)
    bad = tmp_path / "bad.csv"
    bad.write_text("duration,event\n3,1\n-1,0\n")
    p = run("survival", "--durations", str(bad), code=1)
    assert "bad.csv:3:1" in p.stderr and ">= 0" in p.stderr
    bad.write_text("duration,event\n3,1\n4,maybe\n")
    p = run("survival", "--durations", str(bad), code=1)
    assert "bad.csv:3:2" in p.stderr
    run("cohorts", "--transactions", log, "--period", "year", code=2)
    run("cohorts", "--transactions", str(tmp_path / "missing.csv"), code=1)
