"""crmkit.clv: lifetimes-style fitters over the C ABI, checked against the published CDNOW values."""
import json
import os

import numpy as np
import pandas as pd
import pytest

import crmkit
from crmkit.clv import BetaGeoFitter, BgNbd, GammaGamma, GammaGammaFitter


@pytest.fixture(scope="module")
def cdnow(data_dir):
    return pd.read_csv(os.path.join(data_dir, "cdnow_customers_summary.csv"))


@pytest.fixture(scope="module")
def cdnow_fh(data_dir):
    return pd.read_csv(os.path.join(data_dir, "cdnow_customers_summary_with_transactions.csv"))


def test_bgnbd_reproduces_fader_hardie_lee(cdnow):
    bg = BgNbd().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    # FHL (2005): r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4
    assert list(bg.params_.index) == ["r", "alpha", "a", "b"]
    np.testing.assert_allclose(bg.params_.values, [0.243, 4.414, 0.793, 2.426], atol=5e-4)
    assert bg.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)
    assert bg.converged_ is True
    assert (bg.standard_errors_ > 0).all()
    assert list(bg.summary.columns) == ["coef", "se(coef)", "lower 95% bound", "upper 95% bound"]
    e = bg.conditional_expected_number_of_purchases_up_to_time(39, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert isinstance(e, pd.Series) and e.index.equals(cdnow.index)
    assert e.iloc[0] == pytest.approx(1.226, abs=5e-4)
    p = bg.conditional_probability_alive(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert ((p >= 0) & (p <= 1)).all()
    # the same fit from the DataFrame, and under lifetimes' class name
    bg2 = BetaGeoFitter().fit(cdnow)
    np.testing.assert_allclose(bg2.params_.values, bg.params_.values)


def test_bgnbd_unconditional_predictions_are_consistent(cdnow):
    bg = BgNbd.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    assert bg.log_likelihood_ is None
    ts = [0, 1, 10, 39, 78]
    e = bg.expected_number_of_purchases_up_to_time(ts)
    assert e[0] == 0 and np.all(np.diff(e) > 0)
    pmf = bg.probability_of_n_purchases_up_to_time(39, np.arange(0, 200))
    assert pmf.sum() == pytest.approx(1, abs=1e-6)
    assert (pmf * np.arange(0, 200)).sum() == pytest.approx(bg.expected_number_of_purchases_up_to_time(39), rel=1e-6)
    assert isinstance(bg.probability_of_n_purchases_up_to_time(39, 0), float)


def test_weights_equal_replicated_rows():
    f, r, T = np.array([0, 1, 2, 5.0]), np.array([0, 3, 10, 30.0]), np.array([40, 40, 35, 38.0])
    w = np.array([3, 2, 1, 2.0])
    a = BgNbd().fit(f, r, T, weights=w)
    b = BgNbd().fit(np.repeat(f, w.astype(int)), np.repeat(r, w.astype(int)), np.repeat(T, w.astype(int)))
    np.testing.assert_allclose(a.params_.values, b.params_.values, rtol=1e-5)


def test_gamma_gamma_and_clv(cdnow_fh):
    repeat = cdnow_fh[cdnow_fh["x"] > 0]
    gg = GammaGamma().fit(repeat)  # Fader & Hardie's column names x, zbar
    # Fader & Hardie (2013): p 6.25, q 3.74, gamma 15.44
    np.testing.assert_allclose(gg.params_.values, [6.25, 3.74, 15.44], atol=0.01)
    pop = gg.conditional_expected_average_profit()
    assert pop == pytest.approx(gg.params_["p"] * gg.params_["gamma"] / (gg.params_["q"] - 1))
    spend = gg.conditional_expected_average_profit(repeat["x"], repeat["zbar"])
    assert (spend > 0).all()
    bg = BgNbd.from_params([0.243, 4.414, 0.793, 2.426])
    gg0 = GammaGammaFitter.from_params([6.25, 3.74, 15.44])
    clv = gg0.customer_lifetime_value(bg, [2, 0], [30.43, 0], [38.86, 38.86], [22.35, 0], time=12,
                                      discount_rate=0.01, freq="W")
    # lifetimes' recipe, spot values of tests/cpp/clv/model_test.cpp
    np.testing.assert_allclose(clv, [36.28921112559922, 8.369004358920181], rtol=1e-9)
    half = gg0.customer_lifetime_value(bg, [2], [30.43], [38.86], [22.35], freq="W", margin=0.5)
    assert half[0] == pytest.approx(clv[0] / 2)


def test_save_load_and_errors(tmp_path, cdnow):
    bg = BgNbd().fit(cdnow)
    path = tmp_path / "bg.json"
    bg.save_model(path)
    doc = json.loads(path.read_text())
    assert doc["model"] == "bgnbd" and set(doc["params"]) == {"r", "alpha", "a", "b"}
    back = BgNbd.load_model(path)
    np.testing.assert_array_equal(back.params_.values, bg.params_.values)
    assert back.log_likelihood_ == bg.log_likelihood_
    with pytest.raises(ValueError, match="not 'gg'"):
        GammaGamma.load_model(path)
    with pytest.raises(RuntimeError, match="not fitted"):
        _ = BgNbd().params_
    with pytest.raises(crmkit.InvalidArgumentError, match="frequency"):
        BgNbd().fit([1, -1], [1, 1], [2, 2])
    with pytest.raises(ValueError, match="expected 2"):
        BgNbd().fit([1, 1], [1], [2, 2])
    with pytest.raises(KeyError, match="monetary_value"):
        GammaGamma().fit(cdnow)
    with pytest.raises(crmkit.NumericError, match="q = 0.9"):
        GammaGamma.from_params([2, 0.9, 10]).conditional_expected_average_profit()


def test_sbg_reproduces_fader_hardie_2007():
    from crmkit.clv import Sbg
    regular = [1000, 631, 468, 382, 326, 289, 262, 241]
    m = Sbg().fit(active=regular)
    np.testing.assert_allclose(m.params_.values, [0.704, 1.182], atol=5e-4)   # F&H (2007)
    assert m.converged_
    s = m.survival_function(np.arange(0, 8))
    assert s[0] == 1 and np.all(np.diff(s) < 0)
    assert np.all(np.diff(m.retention_rate(np.arange(1, 12))) > 0)
    with pytest.raises(crmkit.NumericError, match="infinite for alpha <= 1"):  # alpha < 1: no inf output
        m.expected_lifetime()
    assert m.expected_lifetime(10) == pytest.approx(s.sum() + m.survival_function(8) + m.survival_function(9))
    # DERL spot value: 2F1(1, beta; alpha + beta; 1 / 1.1) at (0.704, 1.182), scipy 1.10
    assert Sbg.from_params([0.704, 1.182]).derl(0.1) == pytest.approx(3.6951474055745748, rel=1e-10)
    rec = Sbg().fit(periods=[1, 2, 3, 7], churned=[1, 1, 1, 0], weights=[369, 163, 86, 382])
    assert rec.params_["alpha"] > 0
    with pytest.raises(ValueError):
        Sbg().fit()
    with pytest.raises(crmkit.InvalidArgumentError, match="must not exceed"):
        Sbg().fit(active=[100, 120])


def test_bgbb_reproduces_fader_hardie_shang_2010(data_dir):
    from crmkit.clv import BetaGeoBetaBinomFitter, BgBb
    don = pd.read_csv(os.path.join(data_dir, "donations.csv"))
    m = BgBb().fit(don)
    # FHS (2010): alpha 1.204, beta 0.750, gamma 0.657, delta 2.783, LL -33,225.6
    np.testing.assert_allclose(m.params_.values, [1.204, 0.750, 0.657, 2.783], atol=5e-4)
    assert m.log_likelihood_ == pytest.approx(-33225.6, abs=0.05)
    assert BetaGeoBetaBinomFitter is BgBb
    p = m.conditional_probability_alive(don["frequency"], don["recency"], don["periods"])
    assert ((p >= 0) & (p <= 1)).all()
    fixed = BgBb.from_params([1.204, 0.750, 0.657, 2.783])
    # spot value (scipy, FHS eq. 13 closed form) for x = 3, t_x = 4, n = 6, next 5 opportunities
    e = fixed.conditional_expected_number_of_purchases_up_to_time(5, [3], [4], [6])
    assert e[0] == pytest.approx(1.0342284984211145, rel=1e-10)
    assert fixed.expected_number_of_transactions_in_first_n_periods(6) == pytest.approx(2.2196313934873078, rel=1e-10)


def test_pareto_nbd_reproduces_fader_hardie_2005(cdnow):
    from crmkit.clv import ParetoNBD, ParetoNBDFitter
    assert ParetoNBDFitter is ParetoNBD and crmkit.ParetoNBD is ParetoNBD
    pn = ParetoNBDFitter().fit(cdnow)
    # Fader & Hardie (2005): r 0.5534, alpha 10.5796, s 0.6061, beta 11.6650, LL -9594.98 (flat along
    # alpha/beta: tolerances of tests/cpp/clv/pareto_nbd_test.cpp)
    assert list(pn.params_.index) == ["r", "alpha", "s", "beta"]
    tol = np.array([2e-4, 5e-3, 2e-4, 1.5e-2])
    assert (np.abs(pn.params_.values - [0.5534, 10.5796, 0.6061, 11.6650]) <= tol).all(), pn.params_
    assert pn.log_likelihood_ == pytest.approx(-9594.98, abs=0.02)
    assert pn.converged_ is True and (pn.standard_errors_ > 0).all()
    # BTYD walkthrough: P(alive | 26, 30.86, 31) = 0.9979; conditional expectation over 52 weeks 25.46
    assert pn.conditional_probability_alive(26, 30.86, 31)[0] == pytest.approx(0.9979, abs=5e-5)
    assert pn.conditional_expected_number_of_purchases_up_to_time(52, 26, 30.86, 31)[0] == pytest.approx(25.46, abs=0.01)
    # BTYD's pnbd.Expectation for t = 0..9, with lifetimes' tolerance (test_expectation_returns_same_value_as_R_BTYD,
    # atol 0.01: BTYD's values come from its own, slightly different, estimates)
    btyd = [0.0, 0.05077821, 0.09916088, 0.14542507, 0.18979930, 0.23247466, 0.27361274, 0.31335159, 0.35181024,
            0.38909211]
    np.testing.assert_allclose(pn.expected_number_of_purchases_up_to_time(np.arange(10)), btyd, atol=0.01)
    p = pn.conditional_probability_alive(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert isinstance(p, pd.Series) and ((p >= 0) & (p <= 1)).all()
    d = pn.dert(0.0027, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    e = pn.predict(52, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert np.isfinite(d).all() and (d >= e).all()
    pmf = pn.probability_of_n_purchases_up_to_time(39, np.arange(0, 300))
    assert pmf.sum() == pytest.approx(1, abs=1e-6)
    back = ParetoNBD.from_json(pn.to_json())
    np.testing.assert_array_equal(back.params_.values, pn.params_.values)
    with pytest.raises(ValueError):
        crmkit.BgNbd.from_json(pn.to_json())


def test_pareto_nbd_heavy_buyers_and_weights():
    from crmkit.clv import ParetoNBD
    pn = ParetoNBD.from_params({"r": 0.5534, "alpha": 74.06, "s": 0.6061, "beta": 81.66})  # CDNOW in days
    x = np.array([200, 1000, 10000, 10000.0])
    T = np.array([1000, 5000, 10000, 10000.0])
    t_x = np.array([990, 2500, 9999, 100.0])
    p = pn.conditional_probability_alive(x, t_x, T)
    e = pn.conditional_expected_number_of_purchases_up_to_time(365, x, t_x, T)
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all() and np.isfinite(e).all()
    assert p[3] < p[2]  # the same customer, last purchase long ago
    f, r, TT = np.array([0, 1, 2, 5.0]), np.array([0, 3, 10, 30.0]), np.array([40, 40, 35, 38.0])
    w = np.array([30, 20, 10, 20.0])
    a = ParetoNBD().fit(f, r, TT, weights=w)
    b = ParetoNBD().fit(np.repeat(f, w.astype(int)), np.repeat(r, w.astype(int)), np.repeat(TT, w.astype(int)))
    assert a.log_likelihood_ == pytest.approx(b.log_likelihood_, rel=1e-9)


def test_mbgnbd_reproduces_lifetimes_and_btydplus(cdnow):
    from crmkit.clv import MBgNbd, ModifiedBetaGeoFitter
    assert ModifiedBetaGeoFitter is MBgNbd
    m = ModifiedBetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    # lifetimes' TestModifiedBetaGeoFitter / BTYDplus: 0.525, 6.183, 0.891, 1.614 (3 decimals)
    np.testing.assert_allclose(m.params_.values, [0.525, 6.183, 0.891, 1.614], atol=1.5e-3)
    assert m.conditional_probability_alive(0, 1, 1)[0] < 1.0
    assert m.conditional_expected_number_of_purchases_up_to_time(39, 2, 30.43, 38.86)[0] == pytest.approx(1.226, abs=0.05)
    times = [0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00]
    np.testing.assert_allclose(m.expected_number_of_purchases_up_to_time(times),
                               [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576], rtol=0.05)
    gg = GammaGamma.from_params([6.25, 3.74, 15.44])
    v = gg.customer_lifetime_value(m, [2, 0], [30.43, 0], [38.86, 38.86], [22.35, 0], freq="W")
    assert (v > 0).all()
