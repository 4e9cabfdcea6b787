"""crmkit service / nps / abtest run as a user would: hand-computed values of docs/models/service.md,
Newcombe (1998), output formats, and errors with exit codes."""
import csv
import io
import json
import math
import os
import subprocess

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
INTERACTIONS = os.path.join(DATA, "service_interactions.csv")
SCORES = os.path.join(DATA, "nps_scores.csv")


def run(*args, code=0):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60)
    assert p.returncode == code, p.stderr
    assert "Traceback" not in p.stderr and "terminate called" not in p.stderr
    if code:
        assert p.stderr.startswith("crmkit: error: ") and p.stdout == ""
    return p


def rows(text):
    return {r["group"]: r for r in csv.DictReader(io.StringIO(text))}


def test_service_by_channel():
    r = rows(run("service", "--interactions", INTERACTIONS, "--by", "channel").stdout)
    assert list(r) == ["all", "email", "phone", "chat"]
    assert r["all"]["interactions"] == "16"
    assert float(r["all"]["csat"]) == pytest.approx(10 / 15, abs=1e-12)
    assert float(r["all"]["ces_mean"]) == pytest.approx(4.8, abs=1e-12)
    assert float(r["all"]["fcr_rate"]) == pytest.approx(10 / 15, abs=1e-12)
    assert float(r["all"]["sla_compliance"]) == pytest.approx(11 / 15, abs=1e-12)
    assert float(r["email"]["sla_compliance"]) == pytest.approx(0.5, abs=1e-12)
    assert float(r["phone"]["sla_urgent_compliance"]) == pytest.approx(2 / 3, abs=1e-12)
    doc = json.loads(run("service", "--interactions", INTERACTIONS, "--by", "segment", "--format", "json").stdout)
    assert doc["overall"]["sla"]["tiers"]["urgent"]["target_minutes"] == 30
    assert [g["group"] for g in doc["groups"]] == ["smb", "enterprise"]
    doc = json.loads(run("service", "--interactions", INTERACTIONS, "--sla", "urgent=1h,normal=5h,complex=1d",
                         "--format", "json").stdout)
    assert doc["overall"]["sla"]["met"] == 14 and doc["groups"] == []
    assert "sla_urgent_compliance" in run("service", "--interactions", INTERACTIONS, "--format", "table").stdout


def test_nps():
    r = rows(run("nps", "--scores", SCORES, "--by", "segment").stdout)
    se = 100 * math.sqrt(0.69 / 20)
    assert float(r["all"]["nps"]) == pytest.approx(10, abs=1e-12)
    assert float(r["all"]["std_error"]) == pytest.approx(se, abs=1e-12)
    assert float(r["all"]["ci_low"]) == pytest.approx(10 - 1.959963984540054 * se, abs=1e-10)
    assert float(r["smb"]["nps"]) == pytest.approx(100 / 3, abs=1e-12)
    assert r["enterprise"]["detractors"] == "4" and r["smb"]["missing"] == "1"
    doc = json.loads(run("nps", "--scores", SCORES, "--score-col", "score", "--confidence", "0.9",
                         "--format", "json").stdout)
    assert doc["confidence"] == 0.9 and doc["overall"]["promoters"] == 8


def test_abtest():
    r = list(csv.DictReader(io.StringIO(run("abtest", "--a", "48/80", "--b", "56/70").stdout)))[0]
    assert float(r["difference"]) == pytest.approx(0.2, abs=1e-12)
    assert float(r["ci_low"]) == pytest.approx(0.0524, abs=5e-5)  # Newcombe (1998), method 10
    assert float(r["ci_high"]) == pytest.approx(0.3339, abs=5e-5)
    assert r["significant"] == "1"
    doc = json.loads(run("abtest", "--a", "8/793", "--b", "15/736", "--format", "json").stdout)
    assert doc["a"]["trials"] == 793 and 0 < doc["p_value"] < 1 and doc["significant"] is False


def test_errors(tmp_path):
    run("abtest", "--a", "9/8", "--b", "1/2", code=2)
    run("abtest", "--a", "nine", "--b", "1/2", code=2)
    run("abtest", "--a", "1/2", code=2)
    run("nps", code=2)
    run("service", "--interactions", INTERACTIONS, "--sla", "urgent=soon", code=2)
    bad = tmp_path / "bad.csv"
    bad.write_text("channel,csat\nweb,4\nweb,9\n")
    assert "bad.csv:3:2: column 'csat'" in run("service", "--interactions", str(bad), code=1).stderr
    scores = tmp_path / "s.csv"
    scores.write_text("score\n7\n11\n")
    assert "s.csv:3:1: column 'score'" in run("nps", "--scores", str(scores), code=1).stderr
    assert "region" in run("nps", "--scores", SCORES, "--by", "region", code=1).stderr
    tiers = tmp_path / "t.csv"
    tiers.write_text("first_response_minutes,priority\n10,vip\n")
    assert "vip" in run("service", "--interactions", str(tiers), code=1).stderr
    run("service", "--interactions", str(tmp_path / "missing.csv"), code=1)


def test_edge_cases(tmp_path):
    # No answers (only blanks): n = 0 and the scores are null in JSON, '-' in a table, never an error.
    s = tmp_path / "blank.csv"
    s.write_text("score,segment\n,a\n,b\n")
    doc = json.loads(run("nps", "--scores", str(s), "--by", "segment", "--format", "json").stdout)
    assert doc["overall"]["n"] == 0 and doc["overall"]["missing"] == 2 and doc["overall"]["nps"] is None
    assert [g["group"] for g in doc["groups"]] == ["a", "b"] and doc["groups"][0]["ci_low"] is None
    empty = tmp_path / "empty.csv"
    empty.write_text("score\n")
    assert json.loads(run("nps", "--scores", str(empty), "--format", "json").stdout)["overall"]["n"] == 0
    i = tmp_path / "i.csv"
    i.write_text("csat,channel,first_response_minutes,priority\n,web,10,urgent\n,,,normal\n")
    doc = json.loads(run("service", "--interactions", str(i), "--by", "channel", "--format", "json").stdout)
    groups = {g["group"]: g for g in doc["groups"]}
    assert set(groups) == {"web", "(blank)"}  # a blank group label is its own group
    assert groups["web"]["csat"]["csat"] is None and groups["web"]["sla"]["compliance"] == 1.0
    assert groups["(blank)"]["sla"]["tiers"]["normal"]["missing"] == 1
    assert groups["(blank)"]["sla"]["compliance"] is None
    table = run("service", "--interactions", str(i), "--format", "table").stdout
    assert table.splitlines()[2].split()[3] == "-"  # csat of 'all' is NaN
    # One answer: NPS 100 with a zero standard error.
    one = tmp_path / "one.csv"
    one.write_text("score\n9\n")
    o = json.loads(run("nps", "--scores", str(one), "--format", "json").stdout)["overall"]
    assert (o["nps"], o["std_error"], o["ci_low"], o["ci_high"]) == (100.0, 0.0, 100.0, 100.0)
    # 'nan' and negative times are errors naming the cell.
    bad = tmp_path / "bad.csv"
    bad.write_text("first_response_minutes,priority\nnan,urgent\n")
    assert "bad.csv:2:1: column 'first_response_minutes'" in run("service", "--interactions", str(bad), code=1).stderr
    bad.write_text("first_response_minutes,priority\n-5,urgent\n")
    assert "bad.csv:2:1" in run("service", "--interactions", str(bad), code=1).stderr
    nometric = tmp_path / "nometric.csv"
    nometric.write_text("channel\nweb\n")
    assert "at least one metric column" in run("service", "--interactions", str(nometric), code=1).stderr
    run("abtest", "--a", "0/0", "--b", "1/2", code=2)
    r = list(csv.DictReader(io.StringIO(run("abtest", "--a", "5/5", "--b", "5/5").stdout)))[0]
    assert (float(r["z"]), float(r["p_value"]), r["significant"]) == (0.0, 1.0, "0")
