"""crmkit.analyze: the end-to-end analysis from Python, writing a report (C ABI crmkit_analyze)."""
import json
import os

import numpy as np
import pytest

import crmkit


def test_analyze_path_writes_report(tmp_path, data_dir):
    out = tmp_path / "out"
    a = crmkit.analyze(os.path.join(data_dir, "CDNOW_master.txt"), out, customer_col="customer_id", date_col="date",
                       amount_col="dollar_value", calibration_end="1997-09-30")
    with a:
        assert a.n_customers == 23570
        assert a.summary["customers"] == 23570
        assert a.summary["transactions"] == 69659
        assert a.summary["calibration_end"] == "1997-09-30"
        for f in ("customers.csv", "summary.json", "report.html"):
            assert (out / f).stat().st_size > 0
        assert a.report_path == str(out / "report.html")
        assert json.loads((out / "summary.json").read_text()) == a.summary
        html = (out / "report.html").read_text()
        assert html.startswith("<!DOCTYPE html>")
        assert "http://" not in html and "https://" not in html and "<script" not in html
        assert html == a.report_html
        # Columns agree with the headline numbers.
        clv = a.column("clv")
        assert np.all(np.isfinite(clv)) and np.all(clv >= 0)
        assert clv.sum() == pytest.approx(a.summary["clv_total"], rel=1e-12)
        p = a.column("p_alive")
        assert p.mean() == pytest.approx(a.summary["p_alive_mean"], rel=1e-12)
        np.testing.assert_allclose(a.column("churn_risk"), 1 - p)
        h = a.summary["holdout"]
        assert 0.5 < h["churn_auc_expected_purchases"] <= 1
        with pytest.raises(crmkit.InvalidArgumentError, match="p_alive"):
            a.column("nope")


def test_customers_csv_matches_columns(tmp_path, master):
    pd = pytest.importorskip("pandas")
    a = crmkit.analyze(master, tmp_path)
    df = a.customers
    assert isinstance(df, pd.DataFrame)
    assert len(df) == 23570
    assert list(df.columns[:3]) == ["customer_id", "rfm_recency", "rfm_frequency"]
    np.testing.assert_allclose(df["clv"].to_numpy(), a.column("clv"), rtol=1e-12)  # pandas parses floats to ~1 ulp
    assert df["customer_id"].iloc[0] == "00001"  # ids keep their leading zeros
    assert df["segment"].notna().all()


def test_analyze_dataframe_without_output(master_df):
    a = crmkit.analyze(master_df, customer_id_col="customer_id", datetime_col="date", monetary_value_col="dollar_value",
                       horizon_months=6, margin=0.3)
    assert a.report_path is None and a.customers_path is None
    assert a.summary["customers"] == 23570
    assert a.summary["margin"] == 0.3 and a.summary["horizon_months"] == 6
    assert "<svg" in a.report_html


def test_errors(master, tmp_path):
    with pytest.raises(crmkit.InvalidArgumentError, match="calibration_end"):
        crmkit.analyze(master, calibration_end="2001-01-01")
    with pytest.raises(crmkit.CrmkitIOError, match="missing_survey.csv"):
        crmkit.analyze(master, survey=tmp_path / "missing_survey.csv")
    with pytest.raises(crmkit.InvalidArgumentError, match="period"):
        crmkit.analyze(master, period="fortnight")
    with pytest.raises(crmkit.ParseError):
        bad = tmp_path / "bad.csv"
        bad.write_text("customer_id,date,amount\na,2020-01-01,1\nb,2020-13-45,2\n")
        crmkit.analyze(bad)


def test_survey_interactions_and_churn_model(tmp_path, data_dir):
    out = tmp_path / "full"
    a = crmkit.analyze(os.path.join(data_dir, "CDNOW_master.txt"), out, customer_col="customer_id", date_col="date",
                       amount_col="dollar_value", calibration_end="1997-09-30",
                       survey=os.path.join(data_dir, "kano_survey.csv"),
                       interactions=os.path.join(data_dir, "service_interactions.csv"))
    with a:
        # Kano: docs/models/kano.md's worked example, password_reset first (must-be, Better 0.3, Worse -0.8).
        k = a.summary["kano"]
        assert k["features"][0] == {"feature": "password_reset", "category": "M", "better": 0.3, "worse": -0.8,
                                    "priority": 1}
        assert k["straightliners"] == ["r10"] and k["skipped_rows"] == 2
        assert a.kano_json_path == str(out / "kano.json") and a.kano_csv_path == str(out / "kano.csv")
        assert len(json.loads((out / "kano.json").read_text())["features"]) == 4
        assert (out / "kano.csv").read_text().splitlines()[1].startswith("password_reset,1,M,")
        # Service: docs/models/service.md, CSAT 10/15 overall; ids c01.. are not CDNOW's.
        s = a.summary["service"]
        assert s["overall"]["csat"] == pytest.approx(10 / 15, rel=1e-15)
        assert [g["group"] for g in s["groups"]] == ["email", "phone", "chat"]
        assert (s["customers"], s["matched_customers"], s["matched_interactions"]) == (14, 0, 0)
        assert a.service_path == str(out / "service.json")
        assert set(a.paths) == {"customers.csv", "summary.json", "report.html", "kano.json", "kano.csv",
                                "service.json"}
        # Logistic churn model: out-of-fold AUC in the summary, churn_probability per customer.
        m = a.summary["churn_model"]
        assert m["features"] == ["frequency", "recency", "T", "monetary_value"] and m["folds"] == 5
        assert 0.75 < m["auc"] <= 1
        assert a.summary["holdout"]["churn_auc_logistic"] > a.summary["holdout"]["churn_auc_p_alive"]
        p = a.column("churn_probability")
        assert p.shape == (23570,) and np.all((p >= 0) & (p <= 1))
        html = a.report_html
        for section in ('id="kano"', 'id="service"', "logistic model"):
            assert section in html


def test_without_optional_inputs_no_extra_files(master, tmp_path):
    a = crmkit.analyze(master, tmp_path / "o")
    assert a.kano_json_path is None and a.service_path is None
    assert a.summary["kano"] is None and a.summary["service"] is None and a.summary["churn_model"] is None
    assert np.all(np.isnan(a.column("churn_probability")))
    assert not (tmp_path / "o" / "kano.json").exists()
