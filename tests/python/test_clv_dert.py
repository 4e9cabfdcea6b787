"""crmkit.clv: DERT for BG/NBD, MBG/NBD and BG/BB, BG/BB's P(X(n) = x), and CLV by DERT.

Oracles (tests/cpp/clv/dert_test.cpp): mpmath values at 30 digits for BG/NBD and MBG/NBD DERT (two
independent routes), direct summation of Fader, Hardie & Shang (2010)'s definitions for BG/BB.
"""
import math
import os

import numpy as np
import pandas as pd
import pytest

from crmkit import CrmkitError
from crmkit.clv import BetaGeoBetaBinomFitter, BgBb, BgNbd, GammaGamma, MBgNbd, ParetoNBD

WEEKLY = math.log(1.01) / 4.345  # 1% a month, per week


def test_bgnbd_and_mbgnbd_dert():
    bg = BgNbd.from_params({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    d = bg.discounted_expected_residual_transactions(WEEKLY, [2, 0], [30.43, 0], [38.86, 38.86])
    np.testing.assert_allclose(d, [5.6473859945975983856, 1.1303702188513086425], rtol=1e-9)
    s = pd.Series([2.0], index=["c1"])
    out = bg.dert(0.1, s, pd.Series([30.43], index=["c1"]), pd.Series([38.86], index=["c1"]))
    assert isinstance(out, pd.Series) and list(out.index) == ["c1"]
    assert out.iloc[0] == pytest.approx(0.34228104611056907609, rel=1e-9)
    mbg = MBgNbd.from_params([0.525, 6.183, 0.891, 1.614])
    np.testing.assert_allclose(mbg.dert(WEEKLY, [2, 0], [30.43, 0], [38.86, 38.86]),
                               [5.3447538590530408749, 0.7971582270940894642], rtol=1e-9)
    with pytest.raises(CrmkitError, match="delta"):
        bg.dert(0.0, [1], [1], [2])


def test_dert_falls_with_the_rate_and_is_finite_for_heavy_buyers():
    bg = BgNbd.from_params([0.243, 4.414, 0.793, 2.426])
    rates = [1e-4, 1e-3, 1e-2, 0.1, 1.0]
    v = [bg.dert(r, [3], [30], [38.86])[0] for r in rates]
    assert all(a > b for a, b in zip(v, v[1:]))
    heavy = bg.dert(WEEKLY, [10000, 200], [9000, 10000], [10000, 10000])
    assert np.isfinite(heavy).all() and (heavy >= 0).all()


def test_clv_by_dert_is_margin_times_spend_times_dert():
    bg = BgNbd.from_params([0.243, 4.414, 0.793, 2.426])
    pn = ParetoNBD.from_params([0.5534, 10.5796, 0.6061, 11.6650])
    gg = GammaGamma.from_params([6.25, 3.74, 15.44])
    f, r, T, m = [2, 0, 10], [30.43, 0, 35], [38.86] * 3, [22.35, 0, 50]
    spend = gg.conditional_expected_average_profit(f, m)
    for model in (bg, pn):
        v = gg.customer_lifetime_value(model, f, r, T, m, discount_rate=0.01, freq="W", margin=0.3, method="dert")
        want = 0.3 * np.asarray(spend) * model.dert(math.log(1.01) / 4.345, f, r, T)
        np.testing.assert_allclose(v, want, rtol=1e-12)
        # the default stays lifetimes' 12-month recipe, which discounts less of the future
        monthly = gg.customer_lifetime_value(model, f, r, T, m, discount_rate=0.01, freq="W", margin=0.3)
        assert (np.asarray(monthly) < v).all()
    with pytest.raises(ValueError, match="method"):
        gg.customer_lifetime_value(bg, f, r, T, m, method="yearly")
    with pytest.raises(CrmkitError, match="discount_rate"):
        gg.customer_lifetime_value(bg, f, r, T, m, discount_rate=0.0, method="dert")


def test_bgbb_pmf_and_dert(data_dir):
    donations = pd.read_csv(os.path.join(data_dir, "donations.csv"))
    bb = BgBb.from_params({"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783})
    pmf = bb.probability_of_n_purchases_up_to_time(6, np.arange(7))
    want = [0.31121774326384934717, 0.1701099784065146583, 0.12148051376687113402, 0.10026311502480368974,
            0.091659853424921834801, 0.092481147905292493703, 0.11278764820774684226]
    np.testing.assert_allclose(pmf, want, rtol=1e-10)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert bb.probability_of_n_purchases_up_to_time(6, 3) == pytest.approx(want[3], rel=1e-10)
    # the expected histogram beside the observed one (FHS 2010, Figure 3)
    observed = donations.groupby("frequency")["weights"].sum().reindex(range(7), fill_value=0).to_numpy()
    expected = pmf * observed.sum()
    assert observed.sum() == 11104
    assert np.abs(expected - observed).max() < 100
    d = bb.discounted_expected_residual_transactions(0.1, [3, 0, 6], [4, 0, 6], [6, 6, 6])
    np.testing.assert_allclose(d, [1.6286607730608238221, 0.114646996181764105, 5.9086783195553812846], rtol=1e-10)
    assert BetaGeoBetaBinomFitter is BgBb
    fitted = BgBb().fit(donations)
    per_donor = fitted.dert(0.1, donations["frequency"], donations["recency"], donations["periods"])
    assert isinstance(per_donor, pd.Series) and (per_donor > 0).all()
    with pytest.raises(CrmkitError, match="discount_rate"):
        bb.dert(0.0, [3], [4], [6])
