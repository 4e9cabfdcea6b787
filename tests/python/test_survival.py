"""crmkit.kaplan_meier / customer_durations / cohort_retention over the C ABI.

Kaplan-Meier on the leukaemia remission data of Freireich et al. (1963), Blood 21:699-716 (6-MP vs
placebo, weeks): Kleinbaum & Klein's KM table (S = .8571 ... .4482) and log-rank 16.79; R survfit's
printed std.err / log intervals; statsmodels 0.13.5 SurvfuncRight and survdiff when installed (Debian's
python3-statsmodels). Cohorts: the CDNOW master log against a pandas groupby of the same definition.
"""
import math

import numpy as np
import pytest

import crmkit

MP_T = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
MP_E = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PL_T = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]


@pytest.fixture(scope="module")
def leuk():
    pd = pytest.importorskip("pandas")
    return pd.DataFrame({"weeks": MP_T + PL_T, "relapse": MP_E + [1] * 21,
                         "arm": ["6-MP"] * 21 + ["placebo"] * 21})


def test_six_mp_table_and_median():
    km = crmkit.kaplan_meier(MP_T, MP_E)
    c = km.curve()
    ev = c[c.n_event > 0]
    assert list(ev.index) == [6, 7, 10, 13, 16, 22, 23]
    np.testing.assert_allclose(ev.survival, [.8571, .8067, .7529, .6902, .6275, .5378, .4482], atol=5e-5)
    np.testing.assert_allclose(ev.std_err, [0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346], atol=5e-5)
    np.testing.assert_allclose(ev.lower, [0.720, 0.653, 0.586, 0.510, 0.439, 0.337, 0.249], atol=5e-4)
    np.testing.assert_allclose(ev.upper, [1.000, 0.996, 0.968, 0.935, 0.896, 0.858, 0.807], atol=5e-4)
    assert km.median == 23
    s = km.summary.iloc[0]
    assert s["median_lower"] == 16 and math.isnan(s["median_upper"])
    assert km.logrank is None
    assert list(km.table.columns) == ["group", "time", "n_risk", "n_event", "n_censor", "survival", "std_err",
                                      "lower", "upper"]


def test_groups_logrank_and_dataframe_columns(leuk):
    km = crmkit.kaplan_meier("weeks", "relapse", groups="arm", data=leuk)
    assert km.groups == ["6-MP", "placebo"]
    assert km.logrank["chi_square"] == pytest.approx(16.792940989216532, abs=1e-10)
    assert km.logrank["p_value"] == pytest.approx(4.1688091093394775e-05, abs=1e-14)
    assert km.logrank["df"] == 1
    assert km.logrank["observed"] == {"6-MP": 9.0, "placebo": 21.0}
    summ = km.summary.set_index("group")
    assert summ.loc["placebo", "median"] == 8
    assert summ.loc["placebo", "median_lower"] == 4 and summ.loc["placebo", "median_upper"] == 12
    at = km.survival_at([0, 10, 23])
    assert len(at) == 6
    p = at[at.group == "placebo"].set_index("time")
    assert p.loc[23, "survival"] == 0 and p.loc[0, "survival"] == 1
    doc = km.to_json()
    assert doc["conf_type"] == "log" and doc["curves"][0]["median_upper"] is None


def test_conf_types_and_booleans():
    ll = crmkit.kaplan_meier(MP_T, np.array(MP_E, dtype=bool), conf_type="log-log").curve()
    assert ll.lower.iloc[0] == pytest.approx(0.6197, abs=5e-5)   # lifelines' exponential Greenwood
    assert ll.upper.iloc[0] == pytest.approx(0.9516, abs=5e-5)
    pl = crmkit.kaplan_meier(MP_T, MP_E, conf_type="plain", conf_level=0.9).curve()
    assert pl.lower.iloc[0] == pytest.approx(18 / 21 - 1.6448536269514722 * 0.07636035483212125, abs=1e-9)


def test_against_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(3)
    t = np.floor(rng.exponential(20, 500))
    e = (rng.random(500) < 0.7).astype(float)
    g = rng.integers(0, 3, 500)
    km = crmkit.kaplan_meier(t, e, groups=g)
    for k in range(3):
        sf = sm.SurvfuncRight(t[g == k], e[g == k])
        c = km.curve(str(k))
        ev = c[c.n_event > 0]
        np.testing.assert_allclose(ev.index, sf.surv_times, rtol=0, atol=0)
        np.testing.assert_allclose(ev.survival, sf.surv_prob, rtol=1e-12)
        ok = ev.survival > 0
        np.testing.assert_allclose(ev.std_err[ok], sf.surv_prob_se[ok.to_numpy()], rtol=1e-9)
    chi, p = sm.duration.survdiff(t, e, g)
    assert km.logrank["chi_square"] == pytest.approx(chi, rel=1e-9)
    assert km.logrank["p_value"] == pytest.approx(p, rel=1e-7)


def test_weights_equal_repeated_rows():
    w = crmkit.kaplan_meier(MP_T, MP_E, weights=np.full(21, 3.0)).curve()
    r = crmkit.kaplan_meier(MP_T * 3, MP_E * 3).curve()
    np.testing.assert_allclose(w.survival, r.survival, rtol=1e-14)
    np.testing.assert_allclose(w.std_err, r.std_err, rtol=1e-12)
    np.testing.assert_array_equal(w.n_risk, r.n_risk)


def test_errors():
    with pytest.raises(crmkit.InvalidArgumentError, match="row 1"):
        crmkit.kaplan_meier([1, -1], [1, 1])
    with pytest.raises(crmkit.InvalidArgumentError, match=r"1 \(event\) or 0"):
        crmkit.kaplan_meier([1, 2], [1, 2])
    with pytest.raises(crmkit.InvalidArgumentError, match="log-log"):
        crmkit.kaplan_meier([1, 2], [1, 0], conf_type="arcsine")
    with pytest.raises(ValueError, match="events has 1 values"):
        crmkit.kaplan_meier([1, 2], [1])
    with pytest.raises(TypeError, match="data="):
        crmkit.kaplan_meier("weeks", [1])
    with pytest.raises(crmkit.InvalidArgumentError):
        crmkit.kaplan_meier([], [])


def _log():
    pd = pytest.importorskip("pandas")
    return pd.DataFrame({
        "customer_id": ["a", "a", "b", "a", "c", "c", "c", "b", "d", "a"],
        "date": pd.to_datetime(["2020-01-05", "2020-01-20", "2020-01-31", "2020-02-03", "2020-02-10", "2020-02-11",
                                "2020-03-01", "2020-03-15", "2020-03-31", "2020-04-01"]),
        "amount": [10, 5, 20, 7, 8, 2, 6, 4, 1, 3.0]})


def test_customer_durations_hand_built():
    d = crmkit.customer_durations(_log(), inactive_days=30, monetary_value_col="amount")
    assert list(d.index) == ["a", "b", "c", "d"]
    assert list(d.duration) == [87, 61, 20, 1]
    assert list(d.event) == [0, 0, 1, 0]
    assert str(d.loc["c", "last_purchase"].date()) == "2020-03-01"
    d2 = crmkit.customer_durations(_log(), inactive_days=29, observation_end="2020-02-29")
    assert list(d2.event) == [0, 1, 0] and list(d2.duration) == [55, 0, 19]
    w = crmkit.customer_durations(_log(), inactive_days=30, period="W")
    assert w.duration.iloc[0] == pytest.approx(87 / 7)
    with pytest.raises(crmkit.InvalidArgumentError, match="inactive_days"):
        crmkit.customer_durations(_log(), inactive_days=0)


def test_durations_feed_kaplan_meier(master):
    d = crmkit.customer_durations(master, inactive_days=180, period="W")
    assert len(d) == 23570
    km = crmkit.kaplan_meier(d.duration, d.event)
    s = km.curve().survival
    assert (np.diff(s.to_numpy()) <= 0).all() and 0 < s.iloc[-1] < 1
    # the definition by hand in pandas
    tx = master.to_pandas()
    g = tx.groupby("customer_id").date.agg(["min", "max"])
    end = tx.date.max()
    churned = (end - g["max"]).dt.days >= 180
    dur = np.where(churned, (g["max"] - g["min"]).dt.days, (end - g["min"]).dt.days) / 7
    assert (d.event.to_numpy() == churned.loc[d.index].to_numpy()).all()
    np.testing.assert_allclose(d.duration.to_numpy(), dur[g.index.get_indexer(d.index)], rtol=1e-15)


def test_cohorts_hand_built():
    c = crmkit.cohort_retention(_log(), monetary_value_col="amount")
    assert c.labels == ["2020-01", "2020-02", "2020-03", "2020-04"]
    assert list(c.size) == [2, 1, 1, 0]
    a = c.active
    assert a.loc["2020-01"].tolist() == [2, 1, 1, 1]
    assert a.loc["2020-02", 2] == 0 and a.loc["2020-02"].isna().tolist() == [False, False, False, True]
    assert c.retention.loc["2020-01", 1] == 0.5
    assert c.revenue.loc["2020-01"].tolist() == [35, 7, 4, 3]
    long = c.to_long()
    assert list(long.columns) == ["cohort", "period", "cohort_size", "customers", "retention", "revenue"]
    assert len(long) == 10
    q = crmkit.cohort_retention(_log(), period="quarter")
    assert q.labels == ["2020-Q1", "2020-Q2"] and list(q.size) == [4, 0]
    with pytest.raises(crmkit.InvalidArgumentError, match="month, quarter or week"):
        crmkit.cohort_retention(_log(), period="year")


def test_cohorts_cdnow_against_pandas(master, master_df):
    pd = pytest.importorskip("pandas")
    c = crmkit.cohort_retention(master)
    df = master_df
    month = df.date.dt.year * 12 + df.date.dt.month - 1
    first = month.groupby(df.customer_id).transform("min")
    k = month - first
    active = df.assign(first=first, k=k).groupby(["first", "k"]).customer_id.nunique().unstack()
    revenue = df.assign(first=first, k=k).groupby(["first", "k"]).dollar_value.sum().unstack()
    m0 = int(month.min())
    n = int(month.max()) - m0 + 1
    assert c.active.shape == (n, n)
    obs = c.observed
    mine_a = c.active.to_numpy(dtype=float, na_value=np.nan)
    mine_r = c.revenue.to_numpy()
    for ci in range(n):
        for kk in range(n):
            if not obs[ci, kk]:
                continue
            key = (m0 + ci, kk)
            want_a = active.loc[key] if key[0] in active.index and kk in active.columns else np.nan
            want_r = revenue.loc[key] if key[0] in revenue.index and kk in revenue.columns else np.nan
            want_a = 0 if pd.isna(want_a) else want_a
            want_r = 0 if pd.isna(want_r) else want_r
            assert mine_a[ci, kk] == want_a, (ci, kk)
            assert mine_r[ci, kk] == pytest.approx(want_r, rel=1e-12, abs=1e-9), (ci, kk)
    assert list(c.size[:3]) == [7846, 8476, 7248]
