"""The Python package over the C ABI: errors, ingestion, summaries and RFM, checked against pandas."""
import os

import numpy as np
import pandas as pd
import pytest

import crmkit


def test_version_and_library():
    assert crmkit.__version__.count(".") == 2
    assert crmkit.ABI_VERSION == 1
    assert os.path.exists(crmkit.library_path)


def test_thread_limit_set_and_restored():
    default = crmkit.max_threads()
    assert default >= 1
    try:
        crmkit.set_max_threads(2)
        assert crmkit.max_threads() == 2
        crmkit.set_max_threads(np.int64(1))
        assert crmkit.max_threads() == 1
        with pytest.raises(crmkit.InvalidArgumentError, match="must be >= 0"):
            crmkit.set_max_threads(-3)
        with pytest.raises(crmkit.InvalidArgumentError, match="integer"):
            crmkit.set_max_threads(1.5)
        assert crmkit.max_threads() == 1
    finally:
        crmkit.set_max_threads(0)
    assert crmkit.max_threads() == default


def test_read_master(master):
    assert master.n_rows == 69659
    assert master.n_customers == 23570
    assert master.time_unit == "days"
    assert master.customer_ids[0] == "00001"
    assert master.codes.dtype == np.uint32 and master.time.dtype == np.int64
    assert master.amount[0] == pytest.approx(11.77)
    assert master.time[0] == np.datetime64("1997-01-01").astype(np.int64)
    assert not master.codes.flags.writeable
    assert master.report == {"rows_read": 69659, "rows_skipped": 0, "messages": [], "transactions": 69659,
                             "orders": 0, "lines_folded": 0, "zero_amount_days_dropped": 0,
                             "zero_amount_rows_dropped": 0, "customers_dropped": 0}


def test_missing_file_is_an_io_error(data_dir):
    with pytest.raises(crmkit.CrmkitIOError, match="no_such_file.csv"):
        crmkit.read_transactions(os.path.join(data_dir, "no_such_file.csv"))
    with pytest.raises(OSError):  # also an OSError
        crmkit.read_transactions(os.path.join(data_dir, "no_such_file.csv"))


def test_parse_error_names_file_line_column(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("customer,date,amount\na,2020-01-02,1\nb,2020-02-30,2\n")
    with pytest.raises(crmkit.ParseError, match=r"bad.csv:3:2: column 'date': expected a date as YYYY-MM-DD, "
                                                r"found '2020-02-30'"):
        crmkit.read_transactions(p)
    tx = crmkit.read_transactions(p, skip_bad_rows=True)
    assert tx.n_rows == 1
    rep = tx.report
    assert rep["rows_skipped"] == 1 and "bad.csv:3:2" in rep["messages"][0]


def test_bad_options_are_invalid_argument(master, data_dir):
    with pytest.raises(crmkit.InvalidArgumentError, match="pipe"):
        crmkit.read_transactions(os.path.join(data_dir, "CDNOW_master.txt"), delimiter="pipe")
    with pytest.raises(ValueError, match="bins"):
        crmkit.rfm(master, bins=1)
    with pytest.raises(crmkit.InvalidArgumentError, match="30/09/1997"):
        crmkit.summary(master, observation_end="30/09/1997")
    with pytest.raises(ValueError, match="period"):
        crmkit.summary(master, period="Y")


def test_summary_reproduces_published_cdnow_sample(data_dir):
    """Fader, Hardie & Lee (2005) calibration summary of the 1/10 sample (two printed decimals)."""
    tx = crmkit.read_transactions(os.path.join(data_dir, "CDNOW_sample.txt"), customer_col=2, date_col=3,
                                  amount_col=5, header=False)
    s = crmkit.summary(tx, period="W", observation_end="1997-09-30")
    pub = pd.read_csv(os.path.join(data_dir, "cdnow_customers_summary_with_transactions.csv"))
    s.index = s.index.astype(int)
    s = s.loc[pub.ID]
    assert (s.frequency.values == pub.x.values).all()
    for ours, theirs in (("recency", "t_x"), ("T", "T"), ("monetary_value", "zbar")):
        assert np.abs(s[ours].values - pub[theirs].values).max() <= 0.005 + 1e-9, ours


def lifetimes_style_summary(df, observation_end, period_days):
    """The summary computed in pandas the way lifetimes' summary_data_from_transaction_data does it."""
    df = df[df.date <= observation_end]
    daily = df.groupby(["customer_id", "date"], sort=False)["dollar_value"].sum().reset_index()
    g = daily.groupby("customer_id", sort=False)
    first, last, n = g.date.min(), g.date.max(), g.size()
    first_amount = daily.sort_values("date").groupby("customer_id").dollar_value.first()
    total = g.dollar_value.sum()
    out = pd.DataFrame({"frequency": n - 1,
                        "recency": (last - first).dt.days / period_days,
                        "T": (observation_end - first).dt.days / period_days})
    out["monetary_value"] = ((total - first_amount) / out.frequency).where(out.frequency > 0, 0.0)
    return out


def test_summary_equals_pandas_on_master(master, master_df):
    end = pd.Timestamp("1998-06-30")
    ours = crmkit.summary(master, period="W", observation_end="1998-06-30")
    theirs = lifetimes_style_summary(master_df, end, 7.0).loc[ours.index]
    assert (ours.frequency.values == theirs.frequency.values).all()
    np.testing.assert_allclose(ours.recency, theirs.recency, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["T"], theirs["T"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.monetary_value, theirs.monetary_value, rtol=1e-12, atol=1e-9)


def test_calibration_holdout_columns(master):
    s = crmkit.summary(master, period="W", calibration_end="1997-09-30", observation_end="1998-06-30")
    assert list(s.columns) == ["frequency", "recency", "T", "monetary_value", "frequency_holdout",
                               "duration_holdout", "monetary_value_holdout"]
    assert (s.duration_holdout == 39.0).all()
    assert len(s) == 23570  # every CDNOW customer starts in Q1 1997
    assert s.frequency_holdout.sum() > 0


def test_rfm_matches_pandas(master, master_df):
    ours = crmkit.rfm(master).set_index("customer_id")
    df = master_df
    as_of = df.date.max() + pd.Timedelta(days=1)
    g = df.groupby("customer_id", sort=False).agg(last=("date", "max"), frequency=("date", "size"),
                                                 monetary=("dollar_value", "sum"))
    g["recency"] = (as_of - g["last"]).dt.days
    theirs = g.loc[ours.index]
    assert (ours.recency.values == theirs.recency.values).all()
    assert (ours.frequency.values == theirs.frequency.values).all()
    np.testing.assert_allclose(ours.monetary.values, theirs.monetary.values, rtol=1e-12)
    # rank-first scores equal pandas' qcut of first-ranks (ties broken in order of first appearance)
    q = lambda s: pd.qcut(s.rank(method="first"), 5, labels=False) + 1  # noqa: E731
    assert (ours.f.values == q(g.frequency).loc[ours.index].values).all()
    assert (ours.m.values == q(g.monetary).loc[ours.index].values).all()
    assert (ours.r.values == 6 - q(g.recency).loc[ours.index].values).all()
    assert ours.segment.value_counts()["Champions"] == 4427


def test_segment_summary(master):
    s = crmkit.rfm_segment_summary(master)
    assert s.customers.sum() == 23570
    assert s.customer_share.sum() == pytest.approx(1.0)
    assert s.revenue_share.sum() == pytest.approx(1.0)
    assert list(s.segment[:2]) == ["Champions", "Loyal Customers"]
    r = crmkit.rfm_segment_summary(master, segments="rfm-ranges")
    assert "Big Spenders" in set(r.segment)
    custom = crmkit.rfm(master, segments="segment,r,f,m\nRecent,4-5,*,*\nRest,*,*,*\n")
    assert set(custom.segment) == {"Recent", "Rest"}


def test_value_quantile_ties_share_scores(master):
    r = crmkit.rfm(master, ties="value-quantile")
    assert r.groupby("frequency").f.nunique().max() == 1


def test_dataframe_input_equals_file_input(master, master_df):
    from_file = crmkit.summary(master, period="W")
    from_df = crmkit.summary(master_df, customer_id_col="customer_id", datetime_col="date",
                             monetary_value_col="dollar_value", period="W")
    pd.testing.assert_frame_equal(from_file, from_df)
    rf = crmkit.rfm(master_df, monetary_value_col="dollar_value")
    assert (rf.set_index("customer_id").segment == crmkit.rfm(master).set_index("customer_id").segment).all()


def test_from_arrays_with_datetimes_and_ids():
    tx = crmkit.Transactions.from_arrays([0, 0, 1, 0], [0, 7, 3, 14], [10.0, 20.0, 5.0, 30.0], ids=["alice", "bob"])
    s = crmkit.summary(tx)
    assert list(s.index) == ["alice", "bob"]
    assert s.loc["alice", "frequency"] == 2 and s.loc["alice", "monetary_value"] == 25
    df = pd.DataFrame({"customer_id": ["x", "x"], "date": pd.to_datetime(["2020-01-01 10:00", "2020-01-03 09:00"]),
                       "amount": [1.0, 2.0]})
    t2 = crmkit.Transactions.from_pandas(df, "customer_id", "date", "amount")
    assert t2.time_unit == "seconds"
    assert crmkit.summary(t2).loc["x", "recency"] == 2
    with pytest.raises(crmkit.InvalidArgumentError, match="finite"):
        crmkit.Transactions.from_arrays([0], [0], [float("nan")])


def test_close_and_context_manager(data_dir):
    with crmkit.read_transactions(os.path.join(data_dir, "CDNOW_sample.txt"), customer_col=2, date_col=3,
                                  amount_col=5) as tx:
        codes = tx.codes
        assert tx.n_rows == 6919
    assert codes[0] == 0 and codes[-1] == 2356  # a view keeps the closed handle's memory alive
    del codes
    with pytest.raises(ValueError, match="closed"):
        crmkit.summary(tx)
