"""crmkit churn train / churn score, run as a user would: JSON keys promised by the issue, labels 0/1,
true/false and yes/no, cross-validation, the model file, scoring with drivers, errors and exit codes.
Coefficients: statsmodels on tests/data/churn_customers.csv (see tests/cpp/churn/logistic_test.cpp)."""
import csv
import io
import json
import os
import subprocess

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
TABLE = os.path.join(DATA, "churn_customers.csv")


def run(*args, ok=True):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60)
    if ok:
        assert p.returncode == 0, p.stderr
    return p


def train(*extra, data=TABLE, label="churned"):
    return json.loads(run("churn", "train", "--data", data, "--label", label, "--id-col", "customer_id",
                          *extra, "--format", "json").stdout)


def test_train_json_unpenalised_matches_statsmodels():
    j = train("--penalty", "none")
    assert set(j["metrics"]) == {"auc", "pr_auc", "log_loss", "brier"}
    assert j["evaluation"] == "training" and j["cv"] is None and j["converged"]
    c = {r["feature"]: r for r in j["coefficients"]}
    assert list(c) == ["tenure", "spend", "complaints", "plan=plus", "plan=pro"]
    assert c["complaints"]["coef"] == pytest.approx(0.82345005649, abs=1e-6)
    assert c["complaints"]["std_error"] == pytest.approx(0.198770189738, abs=1e-7)
    assert c["plan=pro"]["odds_ratio"] == pytest.approx(0.5098892, abs=1e-6)
    assert j["intercept"] == pytest.approx(0.564270230796, abs=1e-6)
    assert j["rows"] == 240 and j["churned"] == 88
    assert 0.75 < j["metrics"]["auc"] < 0.9 and 0 < j["metrics"]["brier"] < 0.25


def test_train_cv_and_penalties():
    j = train("--penalty", "l2", "--C", "0.5", "--standardize", "--cv", "5", "--seed", "7")
    assert j["evaluation"] == "cross_validation" and j["cv"] == 5 and len(j["folds"]) == 5
    mean_auc = sum(f["auc"] for f in j["folds"]) / 5
    assert j["metrics"]["auc"] == pytest.approx(mean_auc, abs=1e-12)
    assert 0.7 < j["metrics"]["auc"] < 0.9 and 0.7 < j["metrics_pooled"]["auc"] < 0.9
    assert all(r["std_error"] is None for r in j["coefficients"])  # penalised: no standard errors
    l1 = train("--penalty", "l1", "--C", "0.05", "--standardize")
    zero = [r["feature"] for r in l1["coefficients"] if r["coef"] == 0]
    assert zero == ["spend", "plan=plus", "plan=pro"]  # as scikit-learn's saga
    en = train("--penalty", "elasticnet", "--C", "0.1", "--l1-ratio", "0.5", "--standardize")
    assert en["l1_ratio"] == 0.5
    bal = train("--class-weight", "balanced")
    assert bal["converged"]


@pytest.mark.parametrize("yes,no", [("1", "0"), ("true", "false"), ("Yes", "No")])
def test_label_spellings(tmp_path, yes, no):
    rows = list(csv.reader(open(TABLE)))
    for r in rows[1:]:
        r[-1] = yes if r[-1] == "yes" else no
    path = tmp_path / "t.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    assert train("--penalty", "none", data=str(path))["coefficients"][2]["coef"] == pytest.approx(0.82345005649, abs=1e-6)


def test_model_file_and_score(tmp_path):
    model = tmp_path / "model.json"
    run("churn", "train", "--data", TABLE, "--label", "churned", "--id-col", "customer_id", "--standardize",
        "-o", str(model), "--format", "json")
    m = json.load(open(model))
    assert m["model"] == "logistic_regression" and m["encoding"]["columns"][3]["reference"] == "basic"
    out = run("churn", "score", "--model", str(model), "--data", TABLE).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 240 and list(rows[0]) == ["customer_id", "risk", "driver_1", "driver_2", "driver_3"]
    assert rows[0]["customer_id"] == "C0000" and 0 < float(rows[0]["risk"]) < 1
    top = list(csv.DictReader(io.StringIO(run("churn", "score", "--model", str(model), "--data", TABLE, "--top", "10",
                                              "--drivers", "1").stdout)))
    risks = [float(r["risk"]) for r in top]
    assert len(top) == 10 and risks == sorted(risks, reverse=True)
    assert max(float(r["risk"]) for r in rows) == risks[0]
    assert list(top[0]) == ["customer_id", "risk", "driver_1"]
    js = json.loads(run("churn", "score", "--model", str(model), "--data", TABLE, "--top", "2", "--format",
                        "json").stdout)
    assert len(js) == 2 and set(js[0]) >= {"customer_id", "risk"}


def test_score_with_unseen_level_and_missing_column(tmp_path):
    model = tmp_path / "model.json"
    run("churn", "train", "--data", TABLE, "--label", "churned", "--id-col", "customer_id", "-o", str(model))
    new = tmp_path / "new.csv"
    new.write_text("customer_id,tenure,spend,complaints,plan\nN1,3,50,2,gold\n")
    p = run("churn", "score", "--model", str(model), "--data", str(new), ok=False)
    assert p.returncode == 1 and "new.csv:2:5" in p.stderr and "plan" in p.stderr
    run("churn", "train", "--data", TABLE, "--label", "churned", "--id-col", "customer_id", "--unseen", "zero",
        "-o", str(model))
    assert run("churn", "score", "--model", str(model), "--data", str(new)).stdout.startswith("customer_id,risk")
    lacking = tmp_path / "lacking.csv"
    lacking.write_text("customer_id,tenure,plan\nN1,3,pro\n")
    p = run("churn", "score", "--model", str(model), "--data", str(lacking), ok=False)
    assert p.returncode == 1 and "spend" in p.stderr


def test_errors_and_exit_codes(tmp_path):
    p = run("churn", "train", "--data", TABLE, "--label", "nope", ok=False)
    assert p.returncode == 1 and "nope" in p.stderr
    p = run("churn", "train", "--data", TABLE, "--label", "tenure", ok=False)
    assert p.returncode == 1 and "churn_customers.csv:2:2" in p.stderr
    p = run("churn", "train", "--data", TABLE, "--label", "churned", "--penalty", "l3", ok=False)
    assert p.returncode == 2
    p = run("churn", "train", "--data", TABLE, "--label", "churned", "--C", "-1", ok=False)
    assert p.returncode == 2
    p = run("churn", "train", "--data", "/nonexistent.csv", "--label", "churned", ok=False)
    assert p.returncode == 1
    blank = tmp_path / "blank.csv"
    blank.write_text("id,x,y\na,1,1\nb,,0\nc,3,0\nd,4,1\n")
    p = run("churn", "train", "--data", str(blank), "--label", "y", "--id-col", "id", ok=False)
    assert p.returncode == 1 and "blank.csv:3:2" in p.stderr
    j = json.loads(run("churn", "train", "--data", str(blank), "--label", "y", "--id-col", "id", "--missing", "impute",
                       "--format", "json").stdout)
    assert [r["feature"] for r in j["coefficients"]] == ["x", "x_missing"]
    p = run("churn", "score", "--model", str(tmp_path / "none.json"), "--data", TABLE, ok=False)
    assert p.returncode == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{\"model\": \"logistic_regression\"}")
    p = run("churn", "score", "--model", str(bad), "--data", TABLE, ok=False)
    assert p.returncode == 1 and "bad.json" in p.stderr
