"""crmkit analyze: flags, outputs, progress and errors, run as a user would (docs/report.md).

Run by ctest as cli.pytest with CRMKIT_CLI=<crmkit binary> and CRMKIT_TEST_DATA=<repo>/tests/data.
"""
import csv
import json
import os
import pty
import re
import subprocess
from html.parser import HTMLParser

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
MASTER_FILE = os.path.join(DATA, "CDNOW_master.txt")
MASTER = ["--transactions", MASTER_FILE, "--customer-col", "customer_id", "--date-col", "date",
          "--amount-col", "dollar_value"]
CUSTOMER_COLUMNS = ["customer_id", "rfm_recency", "rfm_frequency", "rfm_monetary", "r_score", "f_score", "m_score",
                    "rfm_cell", "segment", "frequency", "recency", "T", "monetary_value", "total_spend",
                    "n_transactions", "first_purchase", "last_purchase", "p_alive", "churn_risk",
                    "expected_purchases", "expected_spend", "clv", "churn_probability", "interactions"]
SUMMARY_KEYS = ["crmkit_version", "source", "as_of", "first_purchase", "calibration_end", "period", "horizon_months",
                "discount_rate", "margin", "customers", "transactions", "revenue", "repeat_customer_share",
                "top20_revenue_share", "segments", "transaction_model", "spend_model", "p_alive_mean",
                "at_risk_share", "expected_purchases_total", "clv_total", "clv_mean", "clv_top20_share", "holdout",
                "notes", "churn_model", "retention", "kano", "service", "amounts"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def run(*args, ok=True, **kw):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, **kw)
    if ok:
        assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr and "terminate called" not in p.stderr
    return p


class Balance(HTMLParser):
    """Checks that every element is closed in order (well-formed), and collects what it sees."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags, self.attrs = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("analyze") / "out"
    p = run("analyze", *MASTER, "--calibration-end", "1997-09-30", "-o", str(out))
    return out, p


def test_writes_three_files_and_says_where(report):
    out, p = report
    for f in ("customers.csv", "summary.json", "report.html"):
        assert (out / f).stat().st_size > 0
    assert p.stdout == ""
    assert str(out / "report.html") in p.stderr
    # Not a terminal: plain step lines, no carriage returns.
    assert re.search(r"^crmkit analyze: step 1/9: reading ", p.stderr, re.M)
    assert "\r" not in p.stderr


def test_customers_csv(report):
    out, _ = report
    with open(out / "customers.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == CUSTOMER_COLUMNS
    assert len(rows) == 1 + 23570
    first = dict(zip(rows[0], rows[1]))
    assert first["customer_id"] == "00001"
    assert first["first_purchase"] == "1997-01-01"
    assert first["rfm_cell"] == first["r_score"] + first["f_score"] + first["m_score"]
    for r in rows[1:200]:
        d = dict(zip(rows[0], r))
        assert 0 <= float(d["p_alive"]) <= 1
        assert float(d["churn_risk"]) == pytest.approx(1 - float(d["p_alive"]))
        assert float(d["clv"]) >= 0


def test_summary_json(report):
    out, _ = report
    j = json.loads((out / "summary.json").read_text())
    assert list(j) == SUMMARY_KEYS
    assert j["customers"] == 23570 and j["transactions"] == 69659
    assert j["as_of"] == "1998-06-30" and j["calibration_end"] == "1997-09-30"
    assert j["transaction_model"]["model"] in ("bgnbd", "pnbd")
    cands = j["transaction_model"]["candidates"]
    assert sum(c["chosen"] for c in cands) == 1
    assert [c["model"] for c in cands if c["chosen"]] == [j["transaction_model"]["model"]]
    if len(cands) > 1:  # BG/NBD and Pareto/NBD: the lower holdout error wins
        assert j["transaction_model"]["selection"] == "holdout"
        assert min(cands, key=lambda c: c["holdout_mae"])["chosen"]
    assert set(j["spend_model"]["params"]) == {"p", "q", "gamma"}
    assert sum(s["customers"] for s in j["segments"]) == 23570
    assert sum(s["revenue_share"] for s in j["segments"]) == pytest.approx(1)
    h = j["holdout"]
    assert h["customers"] == 23570 and h["duration"] == 39
    assert 0 <= h["churn_auc_p_alive"] <= 1 and 0.5 < h["churn_auc_expected_purchases"] <= 1
    with open(out / "customers.csv", newline="") as f:
        clv = sum(float(r["clv"]) for r in csv.DictReader(f))
    assert clv == pytest.approx(j["clv_total"], rel=1e-9)


def test_report_is_well_formed_and_self_contained(report):
    out, _ = report
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<script", html, re.I)
    assert not re.search(r"<link|<img|<iframe|@import|url\(", html, re.I)
    b = Balance()
    b.feed(html)
    b.close()
    assert b.errors == []
    assert b.stack == []
    # No attribute points anywhere (no src/href at all).
    assert not [a for a in b.attrs if a[0] in ("src", "href")]
    assert b.tags.count("svg") >= 8
    for section in ("segments", "model", "holdout", "clv", "churn", "notes"):
        assert f'id="{section}"' in html
    assert re.search(r"The top 20% of customers by spend bring \d+% of revenue", html)
    assert "nan" not in re.sub(r"<[^>]*>", "", html).lower().split()


def test_survey_and_interactions_add_sections_and_files(tmp_path):
    out = tmp_path / "s"
    survey = os.path.join(DATA, "kano_survey.csv")
    inter = os.path.join(DATA, "service_interactions.csv")
    run("analyze", *MASTER, "--calibration-end", "1997-09-30", "--survey", survey, "--interactions", inter,
        "-o", str(out), "--quiet")
    for f in ("customers.csv", "summary.json", "report.html", "kano.json", "kano.csv", "service.json"):
        assert (out / f).stat().st_size > 0, f
    j = json.loads((out / "summary.json").read_text())
    assert list(j) == SUMMARY_KEYS
    assert list(j["kano"]) == ["source", "respondents", "rows", "used_rows", "skipped_rows", "missing_answers",
                               "invalid_answers", "straightliners", "questionable_respondents", "features"]
    assert [f["feature"] for f in j["kano"]["features"]][0] == "password_reset"
    assert list(j["service"]) == ["source", "by", "interactions", "customers", "matched_customers",
                                  "matched_interactions", "overall", "groups", "sla_tiers", "nps"]
    assert j["service"]["matched_customers"] == 0 and j["service"]["customers"] == 14
    assert list(j["churn_model"]) == ["model", "label", "horizon", "features", "coef", "standardized_coef",
                                      "intercept", "converged", "folds", "auc", "pr_auc", "log_loss", "brier"]
    assert "churn_auc_logistic" in j["holdout"] and "top_decile_lift_logistic" in j["holdout"]
    assert list(j["retention"]) == ["inactive_days", "customers", "churned", "median", "survival_3_months",
                                    "survival_6_months", "survival_12_months", "cohort_period", "cohorts"]
    # CDNOW's customers all first bought in January-March 1997: three monthly cohorts.
    assert [c["cohort"] for c in j["retention"]["cohorts"]] == ["1997-01", "1997-02", "1997-03"]
    assert j["retention"]["customers"] == 23570 and j["retention"]["cohorts"][0]["retention"][0] == 1
    assert not [n for n in j["notes"] if n["section"] in ("Kano", "Service metrics", "Churn model")]
    with open(out / "kano.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["priority"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0]["feature"] == "password_reset" and rows[0]["category"] == "M"
    k = json.loads((out / "kano.json").read_text())
    assert set(k) >= {"features", "quality"}
    s = json.loads((out / "service.json").read_text())
    assert s["metrics"]["overall"]["interactions"] == 16 and s["nps"] is None
    html = (out / "report.html").read_text()
    for section in ('id="kano"', 'id="service"', 'id="retention"', ">Must-be<", ">Attractive<",
                    "0 of its 14 customers"):
        assert section in html
    b = Balance()
    b.feed(html)
    b.close()
    assert b.errors == [] and b.stack == []


def test_malformed_interactions_name_file_line_column(tmp_path):
    bad = tmp_path / "inter.csv"
    bad.write_text("customer,channel,csat\nc1,email,4\nc2,chat,9\n")
    p = run("analyze", *MASTER, "--interactions", str(bad), "-o", str(tmp_path / "o"), "--quiet", ok=False)
    assert p.returncode == 1
    assert re.search(re.escape(str(bad)) + r":3:3:", p.stderr), p.stderr


def test_without_calibration_end_omits_holdout_with_a_note(tmp_path):
    out = tmp_path / "o"
    run("analyze", *MASTER, "-o", str(out), "--quiet", "--as-of", "1998-06-30", "--period", "week")
    html = (out / "report.html").read_text()
    assert 'id="holdout"' not in html and 'id="tracking"' in html
    assert "--calibration-end" in html
    j = json.loads((out / "summary.json").read_text())
    assert j["holdout"] is None and j["calibration_end"] is None
    assert any(n["section"] == "Holdout checks" for n in j["notes"])


def test_quiet_prints_nothing(tmp_path):
    p = run("analyze", *MASTER, "-o", str(tmp_path / "q"), "--quiet")
    assert p.stderr == "" and p.stdout == ""


def test_progress_bar_on_a_terminal(tmp_path):
    master, slave = pty.openpty()
    p = subprocess.run([CLI, "analyze", *MASTER, "-o", str(tmp_path / "t")], stdout=subprocess.PIPE, stderr=slave,
                       timeout=120)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    err = b"".join(chunks).decode()
    assert p.returncode == 0, err
    assert "\r" in err and "[" in err and "#" in err
    assert "step 1/" not in err


def test_missing_output_is_a_usage_error():
    p = run("analyze", *MASTER, ok=False)
    assert p.returncode == 2
    assert "crmkit: error:" in p.stderr and "--output" in p.stderr


def test_bad_file_names_file_line_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,date,amount\na,2020-01-01,1\nb,2020-01-02,x\n")
    p = run("analyze", "--transactions", str(bad), "-o", str(tmp_path / "o"), ok=False)
    assert p.returncode == 1
    assert re.search(re.escape(str(bad)) + r":3:\d+:", p.stderr), p.stderr
    missing = tmp_path / "missing.csv"
    p = run("analyze", "--transactions", str(missing), "-o", str(tmp_path / "o"), ok=False)
    assert p.returncode == 1 and str(missing) in p.stderr


@pytest.mark.parametrize("flags, code, text", [
    (["--calibration-end", "1999-01-01"], 1, "calibration_end"),
    (["--calibration-end", "1998-06-30", "--as-of", "1998-01-01"], 2, "--calibration-end"),
    (["--as-of", "yesterday"], 2, "--as-of"),
    (["--period", "fortnight"], 2, "--period"),
    (["--horizon-months", "0"], 2, "--horizon-months"),
    (["--survey", "/nonexistent/survey.csv"], 1, "/nonexistent/survey.csv"),
])
def test_flag_errors(tmp_path, flags, code, text):
    p = run("analyze", *MASTER, "-o", str(tmp_path / "o"), *flags, ok=False)
    assert p.returncode == code, p.stderr
    assert text in p.stderr


def test_unwritable_output_directory(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    p = run("analyze", *MASTER, "-o", str(f), "--quiet", ok=False)
    assert p.returncode == 1 and str(f) in p.stderr


def test_help_lists_the_promised_flags():
    h = run("analyze", "--help").stdout
    for flag in ("--transactions", "--customer-col", "--date-col", "--amount-col", "--interactions", "--survey",
                 "--as-of", "--calibration-end", "--output", "--quiet"):
        assert flag in h
