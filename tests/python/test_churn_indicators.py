"""crmkit.churn.features, read_interactions and escalate over the C ABI: the hand-computed values of
docs/models/churn_indicators.md and docs/models/escalation.md, pandas on CDNOW as an independent
oracle of every purchase indicator, the CDNOW end-to-end AUC check (logistic 5-fold AUC vs BG/NBD) and
the error paths."""
import os
import sys

import numpy as np
import pytest

import crmkit
from crmkit.churn import LogisticRegression, cross_validate, features, roc_auc_score

pd = pytest.importorskip("pandas")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench", "compare"))
from churn_indicators_pandas import purchase_indicators  # noqa: E402


def small(data_dir, **kw):
    tx = crmkit.read_transactions(os.path.join(data_dir, "indicator_transactions.csv"))
    return tx, features(tx, os.path.join(data_dir, "indicator_interactions.csv"), cutoff="2020-03-31",
                        horizon_days=30, recent_days=60, **kw)


def test_hand_computed_indicators(data_dir):
    _, df = small(data_dir)
    assert list(df.customer_id) == ["a", "b"]
    assert list(df.columns[:6]) == ["customer_id", "recency_days", "frequency", "monetary", "tenure_days",
                                    "purchase_trend"]
    a, b = df.iloc[0], df.iloc[1]
    assert (a.recency_days, a.frequency, a.tenure_days) == (50, 2, 90)
    assert a.monetary == pytest.approx(65 / 3, rel=1e-15)
    assert a.purchase_trend == -0.5
    assert (a.gap_mean_days, a.gap_sd_days, a.gap_ratio, a.gap_z) == (20, 10, 2.5, 3)
    assert (a.days_since_interaction, a.interactions, a.complaints, a.csat_last, a.low_csat_streak) == (11, 3, 2, 2, 2)
    assert a.csat_mean == pytest.approx(10 / 3, rel=1e-15)
    assert (a.fcr_share, a.response_minutes_mean) == (0.5, 45)
    assert b.days_since_interaction == 91 and b.interactions == 0 and b.csat_mean == 0
    assert list(df.churned) == [0, 1] and df.churned.dtype == np.int64
    assert not df.isna().any().any()


def test_no_label_and_dict_output(data_dir):
    tx = crmkit.read_transactions(os.path.join(data_dir, "indicator_transactions.csv"))
    d = features(tx, cutoff="2020-06-01", horizon_days=0, as_frame=False)
    assert "churned" not in d and list(d["customer_id"]) == ["a", "b", "c"]
    assert len(d) == 10  # customer_id + the nine purchase indicators


def test_read_interactions_shares_codes(data_dir):
    tx = crmkit.read_transactions(os.path.join(data_dir, "indicator_transactions.csv"))
    it = crmkit.read_interactions(os.path.join(data_dir, "indicator_interactions.csv"), tx)
    assert len(it) == 5 and it.customer_ids == ["a", "b", "c", "d"]
    c = it.columns()
    assert list(c["customer"]) == [0, 0, 0, 0, 3]
    assert np.isnan(c["first_response_minutes"][1])
    df = it.to_pandas()
    assert list(df.kind) == ["inquiry", "complaint", "complaint", "complaint", "inquiry"]
    assert df.resolved_first_contact.isna().tolist() == [False, False, True, False, False]
    assert str(df.date.iloc[0].date()) == "2020-01-05"
    # The same table passed as an object gives the same features as the path.
    same = features(tx, it, cutoff="2020-03-31", horizon_days=30, recent_days=60)
    pd.testing.assert_frame_equal(same, small(data_dir)[1])


def test_purchase_indicators_match_pandas_on_cdnow(master, master_df):
    cutoff = int((pd.Timestamp("1997-09-30") - pd.Timestamp("1970-01-01")).days)
    got = features(master, cutoff="1997-09-30", horizon_days=180, recent_days=90).set_index("customer_id")
    df = pd.DataFrame({"customer_id": master_df.customer_id,
                       "day": (master_df.date - pd.Timestamp("1970-01-01")).dt.days,
                       "amount": master_df.dollar_value})
    ref = purchase_indicators(df, cutoff, 180, 90)
    assert len(got) == len(ref) == 23570
    ref = ref.reindex(got.index)
    for col in ref.columns:
        np.testing.assert_allclose(got[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-12, atol=1e-12,
                                   err_msg=col)


def test_cdnow_cross_validated_auc_against_bgnbd(master):
    # Figures and bounds as tests/cpp/churn/indicators_test.cpp (docs/models/churn_indicators.md#cdnow).
    df = features(master, cutoff="1997-09-30", horizon_days=180)
    X = df.drop(columns=["customer_id", "churned"])
    cv = cross_validate(X.to_numpy(), df.churned.to_numpy(), k=5, seed=0, standardize=True)
    auc = cv["metrics"]["auc"]
    assert 0.75 < auc < 0.85
    s = crmkit.summary(master, period="W", observation_end="1997-09-30")
    m = crmkit.BgNbd().fit(s)
    alive = np.asarray(m.conditional_probability_alive(s["frequency"], s["recency"], s["T"]))
    assert list(s.index) == list(df.customer_id)
    auc_alive = roc_auc_score(df.churned, 1 - alive)
    assert 0.25 < auc_alive < 0.45  # P(alive) = 1 for every customer without a repeat purchase
    rep = s["frequency"].to_numpy() > 0
    assert 0.65 < roc_auc_score(df.churned[rep], 1 - alive[rep]) < 0.8


def test_escalate_defaults_and_rules_file(data_dir):
    path = os.path.join(data_dir, "escalation_interactions.csv")
    e = crmkit.escalate(path)
    assert list(zip(e.customer_id, e.rule)) == [("e1", "low_csat_streak"), ("e3", "repeat_complaints"),
                                                ("e4", "low_csat_streak"), ("e4", "repeat_complaints")]
    assert [str(d)[:10] for d in e.date] == ["2026-02-05", "2026-03-31", "2026-01-12", "2026-01-15"]
    assert list(e.channel) == ["email", "chat", "email", "email"]
    assert list(e.firings) == [1, 2, 2, 1]
    r = crmkit.escalate(path, rules=os.path.join(data_dir, "escalation_rules.csv"))
    assert list(zip(r.customer_id, r.rule, r.matched)) == [("e2", "complaints_any_channel", 3),
                                                           ("e3", "complaints_any_channel", 3), ("e4", "three_low", 3)]
    early = crmkit.escalate(path, as_of="2026-01-31")
    assert list(early.customer_id) == ["e4", "e4"]
    t = crmkit.escalate(path, rules_text="name,type,count,kind,per\nbusy,event_count,4,,customer\n")
    assert list(t.customer_id) == ["e1"]


def test_errors(data_dir):
    tx = crmkit.read_transactions(os.path.join(data_dir, "indicator_transactions.csv"))
    with pytest.raises(crmkit.InvalidArgumentError, match="last transaction day 2020-06-01"):
        features(tx, cutoff="2020-03-31", horizon_days=90)
    with pytest.raises(TypeError):
        features(tx)
    with pytest.raises(crmkit.ParseError, match=r"x\.csv:3:3"):
        bad = os.path.join(os.environ.get("TMPDIR", "/tmp"), "x.csv")
        with open(bad, "w") as f:
            f.write("customer,date,csat\na,2020-01-01,4\nb,2020-01-02,9\n")
        crmkit.read_interactions(bad)
    with pytest.raises(crmkit.CrmkitIOError):
        crmkit.escalate(os.path.join(data_dir, "escalation_interactions.csv"), rules="/no/such/rules.csv")
    with pytest.raises(crmkit.ParseError, match="rules_text:2:2"):
        crmkit.escalate(os.path.join(data_dir, "escalation_interactions.csv"), rules_text="name,type\nx,often\n")
    alone = crmkit.read_interactions(os.path.join(data_dir, "indicator_interactions.csv"))
    with pytest.raises(crmkit.InvalidArgumentError, match="read with this transaction table"):
        features(tx, alone, cutoff="2020-03-31", horizon_days=30)
