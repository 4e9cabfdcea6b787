"""Issue 14 in Python: crmkit.SummaryState. Yesterday's state plus today's rows equals today's summary
recomputed from scratch (every value bitwise); customer shards merge; states save, load and pickle; a
refresh that cannot be exact raises and changes nothing; unknown keyword arguments raise."""
import copy
import pickle

import numpy as np
import pandas as pd
import pytest

import crmkit
from crmkit._errors import CrmkitIOError, InvalidArgumentError, ParseError


def test_refresh_equals_recompute_bitwise(master_df):
    cut = pd.Timestamp("1997-09-30")
    early, late = master_df[master_df.date <= cut], master_df[master_df.date > cut]
    cols = dict(customer_id_col="customer_id", datetime_col="date", monetary_value_col="dollar_value")
    s = crmkit.SummaryState.from_transactions(early, **cols)
    assert s.observation_end.isoformat() == "1997-09-30"
    s.add(late, **cols)
    assert s.report["rows_added"] == len(late)
    assert s.observation_end.isoformat() == "1998-06-30" and s.rows == len(master_df)
    for period in ("D", "W", "M"):
        got = s.summary(period)
        want = crmkit.summary(master_df, period=period, **cols)
        assert list(got.index) == list(want.index)
        for c in want.columns:
            assert np.array_equal(got[c].to_numpy().view(np.uint64), want[c].to_numpy().view(np.uint64)), c


def test_customer_shards_merge(master_df):
    cols = dict(customer_id_col="customer_id", datetime_col="date", monetary_value_col="dollar_value",
                observation_end="1998-06-30")
    ids = master_df.customer_id.astype(int)
    parts = [crmkit.SummaryState.from_transactions(master_df[ids % 3 == k], **cols) for k in range(3)]
    m = crmkit.merge_states(parts)
    assert len(m) == 23570 == sum(len(p) for p in parts)
    want = crmkit.summary(master_df, **cols).sort_index()
    got = m.summary().sort_index()
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    with pytest.raises(InvalidArgumentError, match="in both states"):
        crmkit.SummaryState.merge(parts[0], parts[0])


def test_files_bytes_and_pickle(tmp_path, master):
    s = crmkit.SummaryState.from_transactions(master)
    p = tmp_path / "c.state"
    s.save(p)
    assert crmkit.SummaryState.load(p) == s
    assert pickle.loads(pickle.dumps(s)) == s
    assert copy.deepcopy(s) == s
    assert crmkit.SummaryState.from_bytes(s.to_bytes()) == s
    b = bytearray(s.to_bytes())
    b[100] ^= 4
    with pytest.raises(ParseError, match="corrupt"):
        crmkit.SummaryState.from_bytes(bytes(b))
    with pytest.raises(CrmkitIOError, match="cannot open"):
        crmkit.SummaryState.load(tmp_path / "missing.state")
    assert "23570 customers" in repr(s)


def test_refresh_back_in_time_raises_and_changes_nothing():
    df = pd.DataFrame({"customer_id": ["a", "a"], "date": pd.to_datetime(["2024-01-01", "2024-01-05"]),
                       "amount": [1.0, 2.0]})
    s = crmkit.SummaryState.from_transactions(df, monetary_value_col="amount")
    before = s.to_bytes()
    back = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2024-01-03"]), "amount": [5.0]})
    with pytest.raises(InvalidArgumentError, match="customer 'a'.*cannot be added exactly"):
        s.add(back, monetary_value_col="amount")
    assert s.to_bytes() == before
    with pytest.raises(InvalidArgumentError, match="a state only moves forward"):
        s.add(df.iloc[1:], monetary_value_col="amount", observation_end="2024-01-02")
    with pytest.raises(TypeError, match="observaton_end"):
        s.add(df, monetary_value_col="amount", observaton_end="2024-02-01")
    with pytest.raises(TypeError):
        crmkit.SummaryState()


def test_event_log_state_has_no_monetary_value_and_does_not_mix():
    df = pd.DataFrame({"customer_id": ["a", "b"], "date": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    s = crmkit.SummaryState.from_transactions(df)
    assert not s.has_amounts
    assert list(s.summary().columns) == ["frequency", "recency", "T"]
    money = df.assign(amount=[1.0, 2.0], date=pd.to_datetime(["2024-01-03", "2024-01-04"]))
    with pytest.raises(InvalidArgumentError, match="without amounts"):
        s.add(money, monetary_value_col="amount")
