"""crmkit churn features and crmkit escalate, run as a user would: the promised columns, the
hand-computed values of docs/models/churn_indicators.md and docs/models/escalation.md, a CDNOW training
table fed to `crmkit churn train --cv 5`, and errors with exit codes."""
import csv
import io
import json
import os
import subprocess

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
TX = os.path.join(DATA, "indicator_transactions.csv")
INTER = os.path.join(DATA, "indicator_interactions.csv")
ESC = os.path.join(DATA, "escalation_interactions.csv")


def run(*args, ok=True):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)
    if ok:
        assert p.returncode == 0, p.stderr
    return p


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_features_columns_and_values():
    r = rows(run("churn", "features", "--transactions", TX, "--interactions", INTER, "--cutoff", "2020-03-31",
                 "--horizon-days", "30", "--recent-days", "60").stdout)
    assert list(r[0].keys()) == ["customer_id", "recency_days", "frequency", "monetary", "tenure_days",
                                 "purchase_trend", "gap_mean_days", "gap_sd_days", "gap_ratio", "gap_z",
                                 "days_since_interaction", "interactions", "complaints", "csat_mean", "csat_last",
                                 "low_csat_streak", "fcr_share", "response_minutes_mean", "churned"]
    a, b = r
    assert a["customer_id"] == "a" and a["recency_days"] == "50" and a["gap_ratio"] == "2.5"
    assert float(a["monetary"]) == 65 / 3 and float(a["purchase_trend"]) == -0.5
    assert a["low_csat_streak"] == "2" and a["days_since_interaction"] == "11" and a["churned"] == "0"
    assert b["customer_id"] == "b" and b["days_since_interaction"] == "91" and b["churned"] == "1"


def test_features_without_interactions_json_and_no_label():
    j = json.loads(run("churn", "features", "--transactions", TX, "--cutoff", "20200601", "--horizon-days", "0",
                       "--format", "json").stdout)
    assert [x["customer_id"] for x in j] == ["a", "b", "c"]
    assert "churned" not in j[0] and "interactions" not in j[0] and len(j[0]) == 10


def test_cdnow_table_trains_with_cross_validation(tmp_path):
    table = tmp_path / "train.csv"
    run("churn", "features", "--transactions", os.path.join(DATA, "CDNOW_master.txt"), "--amount-col",
        "dollar_value", "--cutoff", "1997-09-30", "--horizon-days", "180", "-o", str(table))
    r = rows(table.read_text())
    assert len(r) == 23570
    j = json.loads(run("churn", "train", "--data", str(table), "--label", "churned", "--id-col", "customer_id",
                       "--standardize", "--cv", "5", "--format", "json").stdout)
    assert 0.75 < j["metrics"]["auc"] < 0.85  # 0.7706 in tests/cpp/churn/indicators_test.cpp
    assert [c["feature"] for c in j["coefficients"]][:2] == ["recency_days", "frequency"]


def test_features_errors():
    p = run("churn", "features", "--transactions", TX, "--cutoff", "2020-03-31", "--horizon-days", "90", ok=False)
    assert p.returncode == 1 and "after the last transaction day 2020-06-01" in p.stderr
    p = run("churn", "features", "--transactions", TX, "--cutoff", "31/03/2020", "--horizon-days", "30", ok=False)
    assert p.returncode == 2 and "--cutoff" in p.stderr
    p = run("churn", "features", "--transactions", TX, "--cutoff", "2020-03-31", ok=False)
    assert p.returncode == 2 and "--horizon-days" in p.stderr
    p = run("churn", "features", "--transactions", TX, "--interactions", os.path.join(DATA, "escalation_rules.csv"),
            "--cutoff", "2020-03-31", "--horizon-days", "30", ok=False)
    assert p.returncode == 1 and "escalation_rules.csv:1" in p.stderr and "customer column" in p.stderr


def test_escalate_default_rules():
    r = rows(run("escalate", "--interactions", ESC).stdout)
    assert list(r[0].keys()) == ["customer_id", "rule", "date", "channel", "matched", "firings"]
    assert [(x["customer_id"], x["rule"], x["date"], x["channel"], x["firings"]) for x in r] == [
        ("e1", "low_csat_streak", "2026-02-05", "email", "1"),
        ("e3", "repeat_complaints", "2026-03-31", "chat", "2"),
        ("e4", "low_csat_streak", "2026-01-12", "email", "2"),
        ("e4", "repeat_complaints", "2026-01-15", "email", "1")]


def test_escalate_rules_file_as_of_and_errors(tmp_path):
    r = rows(run("escalate", "--interactions", ESC, "--rules", os.path.join(DATA, "escalation_rules.csv")).stdout)
    assert [(x["customer_id"], x["rule"], x["date"], x["matched"]) for x in r] == [
        ("e2", "complaints_any_channel", "2026-03-05", "3"), ("e3", "complaints_any_channel", "2026-04-02", "3"),
        ("e4", "three_low", "2026-01-15", "3")]
    r = rows(run("escalate", "--interactions", ESC, "--as-of", "2026-01-31").stdout)
    assert [x["customer_id"] for x in r] == ["e4", "e4"]
    bad = tmp_path / "rules.csv"
    bad.write_text("name,type,count\nok,csat_streak,2\nx,often,2\n")
    p = run("escalate", "--interactions", ESC, "--rules", str(bad), ok=False)
    assert p.returncode == 1 and "rules.csv:3:2" in p.stderr and "csat_streak or event_count" in p.stderr
    p = run("escalate", "--interactions", os.path.join(DATA, "nope.csv"), ok=False)
    assert p.returncode == 1
    p = run("escalate", ok=False)
    assert p.returncode == 2
