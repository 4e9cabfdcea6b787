"""crmkit.nps / service_metrics / abtest against the hand-computed files of docs/models/service.md,
pandas groupby, scipy, Newcombe (1998), and errors."""
import math
import os

import numpy as np
import pytest

import crmkit
from crmkit.service import abtest, nps, nps_report, service_metrics, service_report

Z = 1.959963984540054


@pytest.fixture(scope="module")
def interactions(data_dir):
    return os.path.join(data_dir, "service_interactions.csv")


@pytest.fixture(scope="module")
def scores(data_dir):
    return os.path.join(data_dir, "nps_scores.csv")


def records(df):
    return {r["group"]: r for r in (df.to_dict("records") if hasattr(df, "to_dict") else df)}


def test_nps_hand_computed(scores):
    r = records(nps(scores, by="segment"))
    se = 100 * math.sqrt(0.69 / 20)
    assert r["all"]["nps"] == pytest.approx(10, abs=1e-12)
    assert r["all"]["std_error"] == pytest.approx(se, abs=1e-12)
    assert r["all"]["ci_low"] == pytest.approx(10 - Z * se, abs=1e-10)
    assert (r["all"]["promoters"], r["all"]["passives"], r["all"]["detractors"], r["all"]["missing"]) == (8, 6, 6, 1)
    assert r["smb"]["nps"] == pytest.approx(100 / 3, abs=1e-12)
    assert r["enterprise"]["nps"] == pytest.approx(-100 / 11, abs=1e-12)


def test_nps_inputs_agree(scores):
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(scores)
    a = records(nps(df, by="segment"))
    b = records(nps(df["score"].to_numpy(), by=df["segment"].to_numpy()))
    for g in ("all", "smb", "enterprise"):
        assert a[g]["nps"] == b[g]["nps"]
    # pandas: the same by groupby
    s = df.dropna(subset=["score"])
    cat = np.where(s["score"] >= 9, 1, np.where(s["score"] <= 6, -1, 0))
    expect = (pd.Series(cat, index=s.index).groupby(s["segment"]).mean() * 100).to_dict()
    for g, v in expect.items():
        assert a[g]["nps"] == pytest.approx(v, abs=1e-12)
    doc = nps_report([10, 9, 0, 7])
    assert doc["overall"]["nps"] == pytest.approx(25)


def test_service_hand_computed(interactions):
    r = records(service_metrics(interactions, by="channel"))
    assert r["all"]["interactions"] == 16
    assert r["all"]["csat"] == pytest.approx(10 / 15, abs=1e-12)
    assert r["all"]["csat_mean"] == pytest.approx(56 / 15, abs=1e-12)
    assert r["all"]["ces_mean"] == pytest.approx(4.8, abs=1e-12)
    assert r["all"]["fcr_rate"] == pytest.approx(10 / 15, abs=1e-12)
    assert r["all"]["sla_compliance"] == pytest.approx(11 / 15, abs=1e-12)
    assert r["all"]["sla_urgent_compliance"] == pytest.approx(0.8, abs=1e-12)
    assert r["email"]["sla_compliance"] == pytest.approx(0.5, abs=1e-12)
    assert r["chat"]["fcr_rate"] == pytest.approx(0.75, abs=1e-12)
    r = records(service_metrics(interactions, by="segment", sla={"urgent": "1h", "normal": "5h", "complex": "1d"}))
    assert r["all"]["sla_urgent_met"] == 5 and r["all"]["sla_normal_met"] == 7


def test_service_against_pandas_groupby(interactions):
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(interactions)
    ours = records(service_metrics(df, by="channel"))
    g = df.groupby("channel")
    csat = g["csat"].apply(lambda s: (s.dropna() >= 4).mean())
    ces = g["ces"].mean()
    fcr = g["resolved_first_contact"].mean()
    target = df["priority"].map({"urgent": 30, "normal": 240, "complex": 1440})
    ok = df.assign(met=(df["first_response_minutes"] <= target).astype(float).where(df["first_response_minutes"].notna()))
    sla = ok.groupby("channel")["met"].mean()
    for ch in df["channel"].unique():
        assert ours[ch]["csat"] == pytest.approx(csat[ch], abs=1e-12)
        assert ours[ch]["ces_mean"] == pytest.approx(ces[ch], abs=1e-12)
        assert ours[ch]["fcr_rate"] == pytest.approx(fcr[ch], abs=1e-12)
        assert ours[ch]["sla_compliance"] == pytest.approx(sla[ch], abs=1e-12)


def test_abtest_newcombe_and_scipy():
    r = abtest((48, 80), "56/70")
    assert r["difference"] == pytest.approx(0.2, abs=1e-12)
    assert r["ci_low"] == pytest.approx(0.0524, abs=5e-5) and r["ci_high"] == pytest.approx(0.3339, abs=5e-5)
    assert r["significant"] is True
    scipy = pytest.importorskip("scipy.stats")
    chi2, p, _, _ = scipy.chi2_contingency([[48, 32], [56, 14]], correction=False)
    assert r["p_value"] == pytest.approx(p, rel=1e-10)
    assert r["z"] == pytest.approx(math.sqrt(chi2), rel=1e-10)
    lo, hi = r["ci_low_a"], r["ci_high_a"]
    assert 0 <= lo <= r["rate_a"] <= hi <= 1


def test_errors(interactions, tmp_path):
    with pytest.raises(crmkit.InvalidArgumentError, match=r"scores\[1\]"):
        nps([9, 11])
    with pytest.raises(crmkit.InvalidArgumentError, match="successes_a"):
        abtest((9, 8), (1, 2))
    with pytest.raises(ValueError, match="SUCCESSES/TRIALS"):
        abtest("nine", (1, 2))
    with pytest.raises(crmkit.InvalidArgumentError, match="someday"):
        service_metrics({"csat": [5, 4], "first_response_minutes": [1, 2], "priority": ["urgent", "someday"]})
    bad = tmp_path / "bad.csv"
    bad.write_text("channel,csat\nweb,4\nweb,9\n")
    with pytest.raises(crmkit.ParseError, match=r"bad.csv:3:2: column 'csat'"):
        service_metrics(str(bad))
    with pytest.raises(crmkit.CrmkitIOError):
        nps(str(tmp_path / "missing.csv"))
    with pytest.raises(crmkit.ParseError):
        service_metrics(interactions, by="region")


# --- the dictionary-coded entry points (crmkit_nps_coded, crmkit_service_metrics_coded) ----------------

def test_coded_path_equals_csv_path(interactions, scores):
    pd = pytest.importorskip("pandas")
    for by in ("channel", "segment"):
        via_csv = service_report(interactions, by=by)
        via_df = service_report(pd.read_csv(interactions), by=by)
        assert via_df == via_csv
    df = pd.read_csv(scores)
    assert nps_report(df, by="segment") == nps_report(scores, by="segment")
    # Labels as an array, with a missing label grouped as "(blank)".
    seg = df["segment"].to_numpy(dtype=object)
    seg[0] = None
    r = records(nps(df["score"].to_numpy(), by=seg))
    assert "(blank)" in r and r["(blank)"]["n"] == 1 and r["(blank)"]["promoters"] == 1


def test_python_inputs_checked_before_the_c_abi():
    # Columns of different lengths would make the C side read past a buffer: rejected in Python.
    with pytest.raises(ValueError, match="'ces' has 1 rows"):
        service_metrics({"csat": [1, 2], "ces": [1]})
    with pytest.raises(ValueError, match="'channel' has 1 rows"):
        service_metrics({"csat": [1, 2], "channel": ["a"]}, by="channel")
    with pytest.raises(KeyError, match="no metric column"):
        service_metrics({"channel": ["a"]}, by="channel")
    with pytest.raises(KeyError, match="priority"):
        service_metrics({"first_response_minutes": [1.0]})
    with pytest.raises(crmkit.InvalidArgumentError, match=r"'\(blank\)': has no response-time target"):
        service_metrics({"first_response_minutes": [1.0, 2.0], "priority": ["urgent", None]})
    # first-contact resolution: 0/1, booleans or yes/no words; anything else is an error, not "resolved".
    with pytest.raises(ValueError, match=r"resolved_first_contact\[0\] = 2"):
        service_metrics({"resolved_first_contact": [2, 0]})
    with pytest.raises(ValueError, match=r"resolved_first_contact\[1\] = 'maybe'"):
        service_metrics({"resolved_first_contact": ["yes", "maybe"]})
    r = records(service_metrics({"resolved_first_contact": ["yes", "no", None, "Y", "false"]}))["all"]
    assert (r["fcr_n"], r["fcr_resolved"]) == (4, 2)
    with pytest.raises(ValueError, match="whole numbers"):
        abtest((1.5, 5), (5, 5))
    with pytest.raises(ValueError, match="whole numbers"):
        abtest((1, 2 ** 70), (5, 5))
    assert abtest((1.0, 5), "2/5")["rate_a"] == pytest.approx(0.2)
    with pytest.raises(TypeError):
        nps([9, 0], by="segment")


def test_edge_cases_documented_values():
    pd = pytest.importorskip("pandas")
    # No answers at all, or only blanks: n = 0 and every rate / score NaN (JSON null), never an error.
    for s in ([], [np.nan, np.nan], pd.Series(pd.array([None, None], dtype="Int64"))):
        r = records(nps(s))["all"]
        assert r["n"] == 0 and math.isnan(r["nps"]) and math.isnan(r["ci_low"])
    r = records(service_metrics({"csat": [np.nan, np.nan], "channel": ["a", "b"]}, by="channel"))
    assert r["a"]["csat_n"] == 0 and math.isnan(r["a"]["csat"]) and math.isnan(r["all"]["csat_mean"])
    # One answer: NPS 100 with standard error 0; CES mean with no sd or interval (NaN below two answers).
    r = records(nps([9]))["all"]
    assert (r["nps"], r["std_error"], r["ci_low"], r["ci_high"]) == (100.0, 0.0, 100.0, 100.0)
    r = records(service_metrics({"ces": [3]}))["all"]
    assert r["ces_mean"] == 3.0 and math.isnan(r["ces_sd"]) and math.isnan(r["ces_ci_low"])
    # A group with SLA times but no CSAT answers: its CSAT is NaN, its SLA compliance computed.
    r = records(service_metrics({"csat": [5, np.nan], "first_response_minutes": [10.0, 60.0],
                                 "priority": ["urgent", "urgent"], "channel": ["a", "b"]}, by="channel"))
    assert math.isnan(r["b"]["csat"]) and r["b"]["sla_compliance"] == 0.0 and r["a"]["sla_urgent_compliance"] == 1.0
    # Nullable integer CSAT: <NA> is no answer.
    r = records(service_metrics(pd.DataFrame({"csat": pd.array([5, None], dtype="Int64")})))["all"]
    assert (r["csat_n"], r["csat_missing"], r["csat"]) == (1, 1, 1.0)
    # NaN / inf where a number is required: errors naming the value.
    with pytest.raises(crmkit.InvalidArgumentError, match=r"scores\[0\]"):
        nps([np.inf])
    with pytest.raises(crmkit.InvalidArgumentError, match=r"first_response_minutes\[0\]"):
        service_metrics({"first_response_minutes": [np.inf], "priority": ["urgent"]})


# ---- issue 13: undefined statistics and dates ------------------------------------------------------------

def test_undefined_statistics_have_n_zero_and_bad_dates_fail(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("segment,score\nsmb,\nsmb,\n")
    r = records(nps(str(p)))["all"]
    assert r["n"] == 0 and r["missing"] == 2 and math.isnan(r["nps"])
    d = tmp_path / "d.csv"
    d.write_text("time,csat\n2026-01-05,4\n2026-01-32,5\n")
    with pytest.raises(crmkit.ParseError, match=r"d.csv:3:1: column 'time'"):
        service_metrics(str(d))
