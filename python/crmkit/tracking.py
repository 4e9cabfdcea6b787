"""Tracking a cohort's repeat transactions against a fitted model (crmkit/c/tracking.h).

    >>> from crmkit.clv import BgNbd
    >>> from crmkit.tracking import expected_cumulative_transactions
    >>> bg = BgNbd().fit(crmkit.summary(tx, period="W", observation_end="1997-09-30"))
    >>> expected_cumulative_transactions(bg, tx, freq="W", calibration_end="1997-09-30")   # actual, predicted

Like lifetimes.utils.expected_cumulative_transactions: the actual repeat transactions of a transaction
log (purchase days after each customer's first, same-day purchases merged) beside the model's expected
ones, per period from the cohort's first purchase day. Works for BgNbd, MBgNbd and ParetoNBD models
(fitted in the same time unit as ``freq``). Fader, Hardie & Lee (2005), section 4 and Figure 2.
"""
from ctypes import POINTER, byref, c_char_p, c_double, c_int32, c_int64, c_void_p

import numpy as np

from ._lib import Options, check, declare, lib
from .data import _date_text, _refuse_read_keywords, as_transactions, pd, read_transactions
from .summary import _PERIODS

_DP = POINTER(c_double)
_P = c_void_p
_LP = POINTER(c_int64)
_SIGNATURES = {
    "crmkit_clv_expected_cumulative": (c_int32, [_P, _DP, _DP, c_int64, _DP, c_int64, _DP]),
    "crmkit_clv_expected_incremental": (c_int32, [_P, _DP, _DP, c_int64, _DP, c_int64, _DP]),
    "crmkit_clv_track": (c_int32, [_P, _P, _P, POINTER(_P)]),
    "crmkit_tracking_len": (c_int32, [_P, _LP]),
    "crmkit_tracking_column": (c_int32, [_P, c_char_p, _DP, c_int64]),
    "crmkit_tracking_dates": (c_int32, [_P, _LP, c_int64]),
    "crmkit_tracking_info": (c_int32, [_P, _LP, _LP, _LP, _LP]),
    "crmkit_tracking_free": (c_int32, [_P]),
}
_declared = False


def _declare():
    """Declares the C signatures on first use, so `import crmkit` works with a library built before this
    section existed (its functions then fail with AttributeError when called)."""
    global _declared
    if not _declared:
        declare(_SIGNATURES)
        _declared = True

COLUMNS = ("actual_cumulative", "predicted_cumulative", "actual_incremental", "predicted_incremental")


def _handle(model):
    _declare()
    h = getattr(model, "_h", None)
    if h is None and not hasattr(model, "_require"):
        raise TypeError("crmkit: model must be a crmkit.clv model (BgNbd, MBgNbd or ParetoNBD), not "
                        + type(model).__name__)
    model._require()
    return model._h


def _vector(x, name):
    a = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1:
        raise ValueError(f"crmkit: {name} must be one-dimensional")
    return a


def _expected(fn, model, first_purchase, t, weights):
    h = _handle(model)
    s = _vector(first_purchase, "first_purchase")
    tt = _vector(t, "t")
    w = None
    if weights is not None:
        w = _vector(weights, "weights")
        if len(w) != len(s):
            raise ValueError(f"crmkit: weights has {len(w)} values, first_purchase {len(s)}")
    out = np.empty(len(tt), dtype=np.float64)
    check(fn(h, s.ctypes.data_as(_DP), None if w is None else w.ctypes.data_as(_DP), len(s),
             tt.ctypes.data_as(_DP), len(tt), out.ctypes.data_as(_DP)))
    return out


def expected_cumulative(model, first_purchase, t, weights=None):
    """Expected cumulative repeat transactions by each t[j] of customers whose first purchases were at
    first_purchase[i] (one clock, the model's time unit): sum_i weights[i] E[X(t[j] - first_purchase[i])]
    over first_purchase[i] < t[j]. Returns a numpy array of len(t)."""
    return _expected(lib.crmkit_clv_expected_cumulative, model, first_purchase, t, weights)


def expected_incremental(model, first_purchase, t, weights=None):
    """The same per period: differences of the cumulative curve (t non-decreasing)."""
    return _expected(lib.crmkit_clv_expected_incremental, model, first_purchase, t, weights)


def _transactions(transactions, datetime_col, customer_id_col, datetime_format, read_kw):
    if isinstance(transactions, (str, bytes)) or hasattr(transactions, "__fspath__"):
        kw = dict(read_kw)
        kw.setdefault("customer_col", customer_id_col)
        kw.setdefault("date_col", datetime_col)
        kw.setdefault("date_format", datetime_format)
        return read_transactions(transactions, **kw)
    if pd is not None and isinstance(transactions, pd.DataFrame):
        _refuse_read_keywords(read_kw, "a DataFrame")
        dcol = datetime_col or "date"
        if datetime_format is not None:
            transactions = transactions.assign(**{dcol: pd.to_datetime(transactions[dcol], format=datetime_format)})
        return as_transactions(transactions, customer_id_col or "customer_id", dcol)
    return as_transactions(transactions, **read_kw)


def track(model, transactions, datetime_col=None, customer_id_col=None, t=None, datetime_format=None, freq="D",
          calibration_end=None, observation_end=None, **read_kw):
    """Actual and predicted cumulative and incremental repeat transactions, one row per period.

    ``transactions``: a crmkit.Transactions, a DataFrame (``customer_id_col``/``datetime_col``, default
    customer_id/date) or a file path (``read_kw`` go to read_transactions). ``freq``: the model's time unit
    and the period (D/W/M or day/week/month). ``calibration_end``: the cohort is the customers whose first
    purchase is on or before it (default: all). ``observation_end``: last day observed (default: the last
    transaction's). ``t``: number of periods (default: the complete periods up to the observation end;
    actual values after it are NaN). Returns a DataFrame indexed by period (1..n) with columns date,
    actual_cumulative, predicted_cumulative, actual_incremental, predicted_incremental (a dict of numpy
    arrays without pandas); ``.attrs`` holds start, observation_end, calibration_periods and customers.
    """
    h = _handle(model)
    if freq not in _PERIODS:
        raise ValueError(f"crmkit: freq must be one of D, W, M, day, week, month; got {freq!r}")
    if t is not None and (int(t) != t or t < 1):
        raise ValueError(f"crmkit: t must be a whole number of periods >= 1; got {t!r}")
    tx = _transactions(transactions, datetime_col, customer_id_col, datetime_format, read_kw)
    opts = Options(period=_PERIODS[freq], calibration_end=_date_text(calibration_end),
                   observation_end=_date_text(observation_end), periods=None if t is None else int(t))
    tr = c_void_p()
    check(lib.crmkit_clv_track(h, tx.handle, opts.handle, byref(tr)))
    try:
        n = c_int64()
        check(lib.crmkit_tracking_len(tr, byref(n)))
        n = n.value
        cols = {}
        for name in ("period",) + COLUMNS:
            v = np.empty(n, dtype=np.float64)
            check(lib.crmkit_tracking_column(tr, name.encode(), v.ctypes.data_as(_DP), n))
            cols[name] = v
        days = np.empty(n, dtype=np.int64)
        check(lib.crmkit_tracking_dates(tr, days.ctypes.data_as(_LP), n))
        info = [c_int64() for _ in range(4)]
        check(lib.crmkit_tracking_info(tr, *(byref(i) for i in info)))
    finally:
        lib.crmkit_tracking_free(tr)
    start, end, cal_periods, customers = (i.value for i in info)
    period = cols.pop("period").astype(np.int64)
    dates = days.astype("datetime64[D]")
    meta = {"start": np.datetime64(int(start), "D"), "observation_end": np.datetime64(int(end), "D"),
            "calibration_periods": int(cal_periods), "customers": int(customers)}
    if pd is None:  # pragma: no cover
        return {"period": period, "date": dates, **cols, **meta}
    df = pd.DataFrame({"date": dates, **cols}, index=pd.Index(period, name="period"))
    df.attrs.update(meta)
    return df


def _pair(kind, model, transactions, datetime_col, customer_id_col, t, datetime_format, freq, set_index_date,
          calibration_end, observation_end, read_kw):
    full = track(model, transactions, datetime_col, customer_id_col, t, datetime_format, freq, calibration_end,
                 observation_end, **read_kw)
    if pd is None:  # pragma: no cover
        return {"actual": full[f"actual_{kind}"], "predicted": full[f"predicted_{kind}"],
                ("date" if set_index_date else "period"): full["date" if set_index_date else "period"]}
    out = full[[f"actual_{kind}", f"predicted_{kind}"]].rename(
        columns={f"actual_{kind}": "actual", f"predicted_{kind}": "predicted"})
    if set_index_date:
        out.index = pd.DatetimeIndex(full["date"], name="date")
    out.attrs.update(full.attrs)
    return out


def expected_cumulative_transactions(model, transactions, datetime_col=None, customer_id_col=None, t=None,
                                     datetime_format=None, freq="D", set_index_date=False, calibration_end=None,
                                     observation_end=None, **read_kw):
    """lifetimes.utils.expected_cumulative_transactions: a DataFrame with columns ``actual`` and
    ``predicted`` (cumulative repeat transactions at the end of each period), indexed by period 1..n, or by
    the period's last day with ``set_index_date=True``. Arguments as for :func:`track`."""
    return _pair("cumulative", model, transactions, datetime_col, customer_id_col, t, datetime_format, freq,
                 set_index_date, calibration_end, observation_end, read_kw)


def expected_incremental_transactions(model, transactions, datetime_col=None, customer_id_col=None, t=None,
                                      datetime_format=None, freq="D", set_index_date=False, calibration_end=None,
                                      observation_end=None, **read_kw):
    """The per-period counterpart of :func:`expected_cumulative_transactions` (columns ``actual``,
    ``predicted``: repeat transactions within each period)."""
    return _pair("incremental", model, transactions, datetime_col, customer_id_col, t, datetime_format, freq,
                 set_index_date, calibration_end, observation_end, read_kw)
