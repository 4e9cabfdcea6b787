"""Customer summaries with lifetimes' column names."""
from ctypes import POINTER, byref, c_double, c_int64, c_uint32, c_void_p

import numpy as np

from ._lib import Options, check, lib
from .data import _date_text, as_transactions, pd

_PERIODS = {"D": "day", "d": "day", "day": "day", "W": "week", "w": "week", "week": "week",
            "M": "month", "m": "month", "month": "month"}


def _column(h, name, n):
    out = np.empty(n, dtype=np.float64)
    check(lib.crmkit_summary_column(h, name.encode(), out.ctypes.data_as(POINTER(c_double)), n))
    return out


def summary(data, customer_id_col="customer_id", datetime_col="date", monetary_value_col=None, period="D",
            observation_end=None, calibration_end=None, **read_kw):
    """Per-customer frequency, recency, T and monetary_value (the CDNOW / lifetimes conventions:
    same-day purchases merged, monetary_value the mean of repeat purchases).

    ``data``: a Transactions, a DataFrame (with the *_col names) or a file path (``read_kw`` go to
    read_transactions). ``period``: "D"/"W"/"M" or "day"/"week"/"month". With ``calibration_end`` the
    result also has frequency_holdout, duration_holdout and monetary_value_holdout.
    Returns a DataFrame indexed by customer_id (a dict of numpy arrays without pandas).
    """
    tx = as_transactions(data, customer_id_col, datetime_col, monetary_value_col, **read_kw)
    if period not in _PERIODS:
        raise ValueError(f"crmkit: period must be one of D, W, M, day, week, month; got {period!r}")
    opts = Options(period=_PERIODS[period], observation_end=_date_text(observation_end),
                   calibration_end=_date_text(calibration_end))
    h = c_void_p()
    check(lib.crmkit_summary_compute(tx.handle, opts.handle, byref(h)))
    try:
        n = c_int64()
        check(lib.crmkit_summary_len(h, byref(n)))
        n = n.value
        codes = np.empty(n, dtype=np.uint32)
        check(lib.crmkit_summary_customers(h, codes.ctypes.data_as(POINTER(c_uint32)), n))
        # as lifetimes: without amounts (an event log) there is no monetary_value column
        money = tx.has_amounts
        cols = {k: _column(h, k, n) for k in ("frequency", "recency", "T", "monetary_value")[:4 if money else 3]}
        if calibration_end is not None:
            cols["frequency_holdout"] = _column(h, "frequency_holdout", n)
            cols["duration_holdout"] = _column(h, "duration_holdout", n)
            if money:
                cols["monetary_value_holdout"] = _column(h, "monetary_holdout", n)
    finally:
        lib.crmkit_summary_free(h)
    ids = tx.customer_ids[codes]
    if pd is None:  # pragma: no cover
        return {"customer_id": ids, **cols}
    return pd.DataFrame(cols, index=pd.Index(ids, name="customer_id"))
