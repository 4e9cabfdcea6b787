"""Issue 16, "silent wrong results": keyword arguments that would be ignored are errors, integer YYYYMMDD
dates in a DataFrame are read as the CLI reads them (not as nanoseconds after 1970), and times that all
fall on one day are refused with what to do."""
import numpy as np
import pandas as pd
import pytest

import crmkit
from crmkit._errors import InvalidArgumentError

DF = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"],
                   "date": [19970101, 19970115, 19970102, 19970103, 19970301],
                   "amount": [1.0, 2.0, 3.0, 4.0, 5.0]})


def test_unknown_keyword_arguments_raise_type_error():
    # lifetimes' freq= and observation_period_end= fell into **read_kw and were ignored
    with pytest.raises(TypeError, match="unexpected keyword arguments: freq, observation_period_end"):
        crmkit.summary(DF, "customer_id", "date", monetary_value_col="amount", freq="W",
                       observation_period_end="1998-06-30")
    with pytest.raises(TypeError, match="observaton_end"):
        crmkit.summary(DF, "customer_id", "date", observaton_end="1997-12-31")
    with pytest.raises(TypeError, match="unexpected keyword argument: bogus"):
        crmkit.rfm(DF, "customer_id", "date", monetary_value_col="amount", bogus=1)
    tx = crmkit.Transactions.from_pandas(DF, "customer_id", "date", "amount")
    with pytest.raises(TypeError, match="only applies when reading a file, not to a Transactions"):
        crmkit.summary(tx, skip_bad_rows=True)
    with pytest.raises(TypeError, match="only applies when reading a file, not to a DataFrame"):
        crmkit.summary(DF, "customer_id", "date", encoding="latin-1")


def test_integer_yyyymmdd_dates_are_dates_not_nanoseconds():
    as_dates = DF.assign(date=pd.to_datetime(DF["date"].astype(str), format="%Y%m%d"))
    got = crmkit.summary(DF, "customer_id", "date", monetary_value_col="amount")
    want = crmkit.summary(as_dates, "customer_id", "date", monetary_value_col="amount")
    pd.testing.assert_frame_equal(got, want)
    assert got.loc["a", "recency"] == 14 and got.loc["c", "T"] == 57
    # floats holding whole YYYYMMDD numbers (a column read with NaN elsewhere) are read the same way
    pd.testing.assert_frame_equal(crmkit.summary(DF.assign(date=DF["date"].astype(float)), "customer_id", "date",
                                                 monetary_value_col="amount"), want)


def test_times_all_on_one_day_are_refused():
    with pytest.raises(InvalidArgumentError, match="falls on one day \\(1970-01-01\\)"):
        crmkit.summary(DF.assign(date=[1, 2, 3, 4, 5]), "customer_id", "date")
    with pytest.raises(InvalidArgumentError, match="neither YYYYMMDD dates nor Unix seconds"):
        crmkit.summary(DF.assign(date=pd.to_datetime(DF["date"].astype(str)).astype("int64")), "customer_id", "date")
    with pytest.raises(InvalidArgumentError, match="fractional"):
        crmkit.summary(DF.assign(date=[1.5, 2, 3, 4, 5]), "customer_id", "date")


def test_column_names_choose_a_files_columns(tmp_path):
    # for a path the *_col names were ignored and the file's columns found by their common names
    f = tmp_path / "log.csv"
    f.write_text("buyer,when,customer_id,date,paid\nx,2020-01-01,q,2020-02-01,5\nx,2020-01-08,q,2020-02-02,6\n")
    s = crmkit.summary(str(f), customer_id_col="buyer", datetime_col="when", monetary_value_col="paid")
    assert list(s.index) == ["x"] and s.loc["x", "recency"] == 7
    with pytest.raises(TypeError, match="contradicts"):
        crmkit.summary(str(f), customer_id_col="buyer", customer_col="customer_id")
    assert np.isclose(crmkit.summary(str(f), monetary_value_col="paid").loc["q", "recency"], 1)
