"""crmkit.tracking: actual vs expected cumulative / incremental repeat transactions (lifetimes'
expected_cumulative_transactions), on the CDNOW 1/10 sample (weekly, calibration to 1997-09-30, 78 weeks).

Oracles: the actual counts are recomputed here with pandas, independently of crmkit (repeat purchase days
after each customer's first, same-day purchases merged); the week-39 count equals the sum of x in Fader &
Hardie's published calibration summary (2,457). The predictions are recomputed as the sum over first-purchase
days of count x E[X(age)] with E[X] from the model's expected_number_of_purchases_up_to_time.
"""
import os

import numpy as np
import pandas as pd
import pytest

import crmkit
from crmkit.clv import BgNbd, GammaGamma, MBgNbd, ParetoNBD
from crmkit.tracking import (expected_cumulative, expected_cumulative_transactions, expected_incremental,
                             expected_incremental_transactions, track)

PARAMS = {BgNbd: [0.243, 4.414, 0.793, 2.426], MBgNbd: [0.525, 6.183, 0.891, 1.614],
          ParetoNBD: [0.5534, 10.5796, 0.6061, 11.6650]}
CAL, END = "1997-09-30", "1998-06-30"


@pytest.fixture(scope="module")
def sample_df(data_dir):
    df = pd.read_csv(os.path.join(data_dir, "CDNOW_sample.txt"), sep=r"\s+", header=None,
                     names=["master_id", "customer_id", "date", "cds", "amount"], dtype={"customer_id": str})
    df["date"] = pd.to_datetime(df["date"].astype(str), format="%Y%m%d")
    return df


@pytest.fixture(scope="module")
def sample_path(data_dir):
    return os.path.join(data_dir, "CDNOW_sample.txt")


def _read_kw():
    return dict(customer_col=2, date_col=3, amount_col=5, header=False)


def _independent(df, weeks=78):
    """(actual cumulative per week, {first purchase day: customers}) computed with pandas alone."""
    days = df[["customer_id", "date"]].drop_duplicates()
    first = days.groupby("customer_id")["date"].transform("min")
    start = days["date"].min()
    repeat = days[days["date"] > first]
    week = ((repeat["date"] - start).dt.days // 7).to_numpy()
    per_week = np.bincount(week, minlength=weeks)[:weeks]
    births = days.groupby("customer_id")["date"].min().value_counts()
    return np.cumsum(per_week), births, start


@pytest.mark.parametrize("cls", [BgNbd, MBgNbd, ParetoNBD])
def test_actual_and_predicted_match_independent_computations(cls, sample_df, sample_path):
    m = cls.from_params(PARAMS[cls])
    out = expected_cumulative_transactions(m, sample_path, freq="W", calibration_end=CAL, observation_end=END,
                                           **_read_kw())
    assert list(out.columns) == ["actual", "predicted"]
    assert len(out) == 78 and list(out.index[:2]) == [1, 2] and out.index.name == "period"
    actual, births, start = _independent(sample_df)
    np.testing.assert_array_equal(out["actual"].to_numpy(), actual)
    assert out["actual"].loc[39] == 2457  # sum of x in the published calibration summary
    assert out["actual"].loc[78] == 4339
    for k in (1, 13, 39, 78):
        end_day = start + pd.Timedelta(days=7 * k - 1)
        ages = np.array([(end_day - b).days / 7 for b in births.index])
        born = ages > 0  # customers whose first purchase is after the period's end do not count yet
        e = m.expected_number_of_purchases_up_to_time(ages[born])
        want = float((e * births.to_numpy()[born]).sum())
        assert out["predicted"].loc[k] == pytest.approx(want, rel=1e-10)
    assert np.all(np.diff(out["predicted"].to_numpy()) > 0)
    assert out["predicted"].loc[78] / 4339 == pytest.approx(1, abs=0.08)  # FHL Figure 2: close to the actual
    assert out.attrs["customers"] == 2357 and out.attrs["calibration_periods"] == 39

    inc = expected_incremental_transactions(m, sample_path, freq="W", calibration_end=CAL, observation_end=END,
                                            **_read_kw())
    np.testing.assert_allclose(inc.cumsum().to_numpy(), out.to_numpy(), rtol=1e-12)


def test_dataframe_path_and_transactions_agree_and_dates_index(sample_df, sample_path):
    m = BgNbd.from_params(PARAMS[BgNbd])
    a = expected_cumulative_transactions(m, sample_df, "date", "customer_id", freq="W", set_index_date=True)
    b = expected_cumulative_transactions(m, sample_path, freq="week", set_index_date=True, **_read_kw())
    tx = crmkit.read_transactions(sample_path, **_read_kw())
    c = expected_cumulative_transactions(m, tx, freq="W", set_index_date=True)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert isinstance(a.index, pd.DatetimeIndex) and a.index.name == "date"
    assert a.index[0] == pd.Timestamp("1997-01-07") and a.index[-1] == pd.Timestamp(END)
    # a string date column with lifetimes' datetime_format
    s = sample_df.assign(date=sample_df["date"].dt.strftime("%d/%m/%Y"))
    d = expected_cumulative_transactions(m, s, "date", "customer_id", datetime_format="%d/%m/%Y", freq="W",
                                         set_index_date=True)
    pd.testing.assert_frame_equal(a, d)


def test_full_table_and_periods_after_the_observation_end(sample_path):
    m = ParetoNBD.from_params(PARAMS[ParetoNBD])
    full = track(m, sample_path, freq="W", observation_end=CAL, t=45, **_read_kw())
    assert list(full.columns) == ["date", "actual_cumulative", "predicted_cumulative", "actual_incremental",
                                  "predicted_incremental"]
    assert len(full) == 45
    assert full["actual_cumulative"].loc[39] == 2457
    assert full["actual_cumulative"].loc[40:].isna().all() and full["actual_incremental"].loc[40:].isna().all()
    assert full["predicted_cumulative"].is_monotonic_increasing
    assert full.attrs["start"] == np.datetime64("1997-01-01")
    assert full.attrs["observation_end"] == np.datetime64(CAL)


def test_daily_periods_with_daily_rates_equal_weekly_ones(sample_path):
    for cls, p in PARAMS.items():
        w = cls.from_params(p)
        q = list(p)
        q[1] *= 7  # alpha (and beta) are in time units: weeks -> days
        if cls is ParetoNBD:
            q[3] *= 7
        d = cls.from_params(q)
        weekly = expected_cumulative_transactions(w, sample_path, freq="W", **_read_kw())
        daily = expected_cumulative_transactions(d, sample_path, freq="D", **_read_kw())
        assert len(daily) == 546
        np.testing.assert_array_equal(daily["actual"].to_numpy()[6::7], weekly["actual"].to_numpy())
        np.testing.assert_allclose(daily["predicted"].to_numpy()[6::7], weekly["predicted"].to_numpy(), rtol=1e-10)


def test_arrays_weights_equal_replicated_customers():
    for cls, p in PARAMS.items():
        m = cls.from_params(p)
        t = np.array([1.0, 2.0, 10.0, 39.0])
        a = expected_cumulative(m, [0, 0, 0, 1.5, 1.5, 4], t)
        b = expected_cumulative(m, [0, 1.5, 4], t, weights=[3, 2, 1])
        np.testing.assert_allclose(a, b, rtol=1e-14)
        want = [sum(m.expected_number_of_purchases_up_to_time(tj - s) for s in [0, 0, 0, 1.5, 1.5, 4] if s < tj)
                for tj in t]
        np.testing.assert_allclose(a, want, rtol=1e-12)
        np.testing.assert_allclose(np.cumsum(expected_incremental(m, [0, 1.5, 4], t, [3, 2, 1])), a, rtol=1e-12)


def test_errors(sample_path):
    gg = GammaGamma.from_params([6.25, 3.74, 15.44])
    with pytest.raises(crmkit.InvalidArgumentError, match="bgnbd, mbgnbd or pnbd"):
        expected_cumulative(gg, [0.0], [1.0])
    with pytest.raises(crmkit.InvalidArgumentError, match="bgnbd, mbgnbd or pnbd"):
        track(gg, sample_path, freq="W", **_read_kw())
    bg = BgNbd.from_params(PARAMS[BgNbd])
    with pytest.raises(crmkit.InvalidArgumentError, match="non-decreasing"):
        expected_incremental(bg, [0.0], [2.0, 1.0])
    with pytest.raises(ValueError, match="weights has 1 values"):
        expected_cumulative(bg, [0.0, 1.0], [1.0], weights=[1.0])
    with pytest.raises(ValueError, match="freq"):
        track(bg, sample_path, freq="Q", **_read_kw())
    with pytest.raises(ValueError, match="t must be"):
        track(bg, sample_path, t=0, **_read_kw())
    with pytest.raises(crmkit.InvalidArgumentError, match="must be before the observation end"):
        track(bg, sample_path, calibration_end=END, **_read_kw())
    with pytest.raises(RuntimeError, match="not fitted"):
        expected_cumulative(BgNbd(), [0.0], [1.0])
    with pytest.raises(TypeError):
        expected_cumulative(object(), [0.0], [1.0])
