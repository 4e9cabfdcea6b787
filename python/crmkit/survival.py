"""Kaplan-Meier survival, the log-rank test, customer durations and cohort retention over the C ABI
(crmkit/c/survival.h); docs/models/survival.md and docs/models/cohorts.md.

    >>> import crmkit
    >>> km = crmkit.kaplan_meier(df.weeks, df.relapse, groups=df.treatment)   # conf_type="log" as R
    >>> km.table            # group, time, n_risk, n_event, n_censor, survival, std_err, lower, upper
    >>> km.summary          # group, n, events, median, median_lower, median_upper
    >>> km.logrank          # {"chi_square", "df", "p_value", "observed", "expected"} or None
    >>> km.survival_at([30, 90, 365])
    >>> d = crmkit.customer_durations(tx, inactive_days=90)            # duration, event per customer
    >>> c = crmkit.cohort_retention(tx)                                # monthly cohorts
    >>> c.retention         # cohorts x months since the first purchase, NaN after the log ends

Results are pandas DataFrames when pandas is installed (else dicts of numpy arrays).
"""
import ctypes
import json
from ctypes import POINTER, byref, c_char_p, c_double, c_int32, c_int64, c_uint32, c_void_p

import numpy as np

from ._lib import Options, check, declare, lib, release_with
from .data import _date_text, as_transactions, pd

_P = c_void_p
_DP = POINTER(c_double)
_I64P = POINTER(c_int64)
declare({
    "crmkit_km_fit": (c_int32, [_DP, _DP, _DP, POINTER(c_uint32), POINTER(c_char_p), c_int64, c_int64, _P,
                                POINTER(_P)]),
    "crmkit_km_curve_count": (c_int32, [_P, _I64P]),
    "crmkit_km_curve_group": (c_int32, [_P, c_int64, POINTER(c_char_p)]),
    "crmkit_km_curve_len": (c_int32, [_P, c_int64, _I64P]),
    "crmkit_km_curve_column": (c_int32, [_P, c_int64, c_char_p, _DP, c_int64]),
    "crmkit_km_curve_value": (c_int32, [_P, c_int64, c_char_p, _DP]),
    "crmkit_km_survival_at": (c_int32, [_P, c_int64, _DP, c_int64, _DP, _DP, _DP, _DP, _DP]),
    "crmkit_km_logrank": (c_int32, [_P, POINTER(c_int32), _DP, _DP, _DP]),
    "crmkit_km_logrank_counts": (c_int32, [_P, _DP, _DP, c_int64]),
    "crmkit_km_to_json": (c_int32, [_P, c_char_p, c_int64, _I64P]),
    "crmkit_km_free": (c_int32, [_P]),
    "crmkit_durations_compute": (c_int32, [_P, _P, POINTER(_P)]),
    "crmkit_durations_len": (c_int32, [_P, _I64P]),
    "crmkit_durations_observation_end": (c_int32, [_P, _I64P]),
    "crmkit_durations_customers": (c_int32, [_P, POINTER(c_uint32), c_int64]),
    "crmkit_durations_column": (c_int32, [_P, c_char_p, _DP, c_int64]),
    "crmkit_durations_free": (c_int32, [_P]),
    "crmkit_cohorts_compute": (c_int32, [_P, _P, POINTER(_P)]),
    "crmkit_cohorts_shape": (c_int32, [_P, _I64P, _I64P]),
    "crmkit_cohorts_label": (c_int32, [_P, c_int64, POINTER(c_char_p)]),
    "crmkit_cohorts_start": (c_int32, [_P, _I64P, c_int64]),
    "crmkit_cohorts_size": (c_int32, [_P, _I64P, c_int64]),
    "crmkit_cohorts_matrix": (c_int32, [_P, c_char_p, _DP, c_int64]),
    "crmkit_cohorts_to_json": (c_int32, [_P, c_char_p, c_int64, _I64P]),
    "crmkit_cohorts_free": (c_int32, [_P]),
})

CURVE_COLUMNS = ("time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower", "upper")
SUMMARY_KEYS = ("n", "events", "median", "median_lower", "median_upper")
_PERIODS = {"D": "day", "d": "day", "day": "day", "W": "week", "w": "week", "week": "week",
            "M": "month", "m": "month", "month": "month"}


def _frame(cols, index=None):
    if pd is None:  # pragma: no cover
        return cols
    return pd.DataFrame(cols, index=index)


def _dp(a):
    return a.ctypes.data_as(_DP)


def _col(data, x, name):
    if isinstance(x, str):
        if data is None:
            raise TypeError(f"crmkit: {name}={x!r} names a column, but no data= DataFrame was given")
        return data[x]
    return x


class KaplanMeier:
    """Kaplan-Meier curves (one per group), with Greenwood standard errors, pointwise intervals, medians
    and, with two or more groups, the log-rank test. Build with :func:`kaplan_meier`."""

    def __init__(self, handle):
        self._h = handle
        self._release = release_with(self, handle, lib.crmkit_km_free)
        n = c_int64()
        check(lib.crmkit_km_curve_count(self._h, byref(n)))
        self.n_curves = n.value
        self.groups = []
        for i in range(self.n_curves):
            p = c_char_p()
            check(lib.crmkit_km_curve_group(self._h, i, byref(p)))
            self.groups.append(p.value.decode("utf-8"))
        self._curves = []
        for i in range(self.n_curves):
            check(lib.crmkit_km_curve_len(self._h, i, byref(n)))
            m = n.value
            cols = {}
            for c in CURVE_COLUMNS:
                out = np.empty(m)
                check(lib.crmkit_km_curve_column(self._h, i, c.encode(), _dp(out), m))
                cols[c] = out
            self._curves.append(cols)
        rows = []
        v = c_double()
        for i in range(self.n_curves):
            row = {"group": self.groups[i]}
            for k in SUMMARY_KEYS:
                check(lib.crmkit_km_curve_value(self._h, i, k.encode(), byref(v)))
                row[k] = v.value
            rows.append(row)
        self._summary = rows
        check(lib.crmkit_km_curve_value(self._h, 0, b"conf_level", byref(v)))
        self.conf_level = v.value
        has, chi, df, p = c_int32(), c_double(), c_double(), c_double()
        check(lib.crmkit_km_logrank(self._h, byref(has), byref(chi), byref(df), byref(p)))
        self.logrank = None
        if has.value:
            o, e = np.empty(self.n_curves), np.empty(self.n_curves)
            check(lib.crmkit_km_logrank_counts(self._h, _dp(o), _dp(e), self.n_curves))
            self.logrank = {"chi_square": chi.value, "df": df.value, "p_value": p.value,
                            "observed": dict(zip(self.groups, o.tolist())),
                            "expected": dict(zip(self.groups, e.tolist()))}

    @property
    def table(self):
        """Every curve's step function: group, time, n_risk, n_event, n_censor, survival, std_err, lower,
        upper (one row per distinct time with an event or a censoring)."""
        cols = {"group": np.concatenate([np.full(len(c["time"]), g, dtype=object)
                                         for g, c in zip(self.groups, self._curves)])}
        for k in CURVE_COLUMNS:
            cols[k] = np.concatenate([c[k] for c in self._curves])
        return _frame(cols)

    def curve(self, group=None):
        """One curve's step function (group None: the only or first curve), indexed by time."""
        i = 0 if group is None else self.groups.index(str(group))
        c = self._curves[i]
        if pd is None:  # pragma: no cover
            return c
        return pd.DataFrame({k: c[k] for k in CURVE_COLUMNS[1:]}, index=pd.Index(c["time"], name="time"))

    @property
    def summary(self):
        """group, n, events, median, median_lower, median_upper (NaN = not reached)."""
        if pd is None:  # pragma: no cover
            return self._summary
        return pd.DataFrame(self._summary)

    @property
    def median(self):
        """Median survival time of the first (or only) curve; NaN when not reached."""
        return self._summary[0]["median"]

    def survival_at(self, times):
        """S(t) at the given times for every curve: group, time, survival, std_err, lower, upper, n_risk."""
        t = np.ascontiguousarray(np.atleast_1d(np.asarray(times, dtype=np.float64)))
        m = len(t)
        parts = []
        for i, g in enumerate(self.groups):
            outs = [np.empty(m) for _ in range(5)]
            check(lib.crmkit_km_survival_at(self._h, i, _dp(t), m, *[_dp(o) for o in outs]))
            parts.append({"group": np.full(m, g, dtype=object), "time": t.copy(), "survival": outs[0],
                          "std_err": outs[1], "lower": outs[2], "upper": outs[3], "n_risk": outs[4]})
        cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        return _frame(cols)

    def to_json(self):
        """The library's JSON document (docs/models/survival.md), as a dict."""
        n = c_int64()
        check(lib.crmkit_km_to_json(self._h, None, 0, byref(n)))
        buf = ctypes.create_string_buffer(n.value + 1)
        check(lib.crmkit_km_to_json(self._h, buf, n.value + 1, byref(n)))
        return json.loads(buf.value.decode("utf-8"))

    def close(self):
        self._release()
        self._h = None

    def __repr__(self):
        return f"<crmkit.KaplanMeier curves={self.n_curves} groups={self.groups}>"


def kaplan_meier(durations, events=None, weights=None, groups=None, data=None, conf_type="log",
                 conf_level=0.95):
    """Kaplan-Meier estimate.

    ``durations``: times (finite, >= 0); ``events``: 1 = event (churned), 0 = censored (None: all
    events; booleans accepted); ``weights``: frequency weights (> 0); ``groups``: one curve per distinct
    label (sorted), with the log-rank test between them. Each may be an array or, with ``data`` (a
    DataFrame), a column name. ``conf_type``: "log" (default, as R's survfit), "log-log" (lifelines,
    SAS) or "plain"."""
    t = np.ascontiguousarray(_col(data, durations, "durations"), dtype=np.float64).ravel()
    n = len(t)
    if events is None:
        e = np.ones(n)
    else:
        e = np.ascontiguousarray(_col(data, events, "events"), dtype=np.float64).ravel()
    w = None
    if weights is not None:
        w = np.ascontiguousarray(_col(data, weights, "weights"), dtype=np.float64).ravel()
    for name, a in (("events", e), ("weights", w)):
        if a is not None and len(a) != n:
            raise ValueError(f"crmkit: {name} has {len(a)} values, durations {n}")
    g = names_arr = None
    n_names = 0
    if groups is not None:
        labels = np.asarray(_col(data, groups, "groups"))
        if len(labels) != n:
            raise ValueError(f"crmkit: groups has {len(labels)} values, durations {n}")
        if pd is not None:
            if pd.isna(labels).any():
                raise ValueError("crmkit: groups has missing labels")
        uniq, inv = np.unique(labels.astype(str) if labels.dtype == object else labels, return_inverse=True)
        g = np.ascontiguousarray(inv, dtype=np.uint32)
        enc = [str(u).encode("utf-8") for u in uniq]
        names_arr = (c_char_p * len(enc))(*enc)
        n_names = len(enc)
    opts = Options(conf_type=conf_type, conf_level=conf_level)
    h = c_void_p()
    check(lib.crmkit_km_fit(_dp(t), _dp(e), None if w is None else _dp(w),
                            None if g is None else g.ctypes.data_as(POINTER(c_uint32)), names_arr, n_names, n,
                            opts.handle, byref(h)))
    return KaplanMeier(h)


def customer_durations(data, inactive_days=90, observation_end=None, period="D", customer_id_col="customer_id",
                       datetime_col="date", monetary_value_col=None, **read_kw):
    """(duration, event) per customer from a transaction log, non-contractual: a customer is churned
    (event 1) when they bought nothing in the ``inactive_days`` days up to ``observation_end`` (default
    the last transaction's day), with duration = first to last purchase; otherwise censored (event 0)
    with duration = first purchase to observation_end. Durations in ``period`` units ("D", "W", "M").
    Returns a DataFrame indexed by customer_id: duration, event, first_purchase, last_purchase."""
    tx = as_transactions(data, customer_id_col, datetime_col, monetary_value_col, **read_kw)
    if period not in _PERIODS:
        raise ValueError(f"crmkit: period must be one of D, W, M, day, week, month; got {period!r}")
    opts = Options(inactive_days=int(inactive_days), observation_end=_date_text(observation_end),
                   period=_PERIODS[period])
    h = c_void_p()
    check(lib.crmkit_durations_compute(tx.handle, opts.handle, byref(h)))
    try:
        n = c_int64()
        check(lib.crmkit_durations_len(h, byref(n)))
        n = n.value
        codes = np.empty(n, dtype=np.uint32)
        check(lib.crmkit_durations_customers(h, codes.ctypes.data_as(POINTER(c_uint32)), n))
        cols = {}
        for k in ("duration", "event", "first_day", "last_day"):
            out = np.empty(n)
            check(lib.crmkit_durations_column(h, k.encode(), _dp(out), n))
            cols[k] = out
    finally:
        lib.crmkit_durations_free(h)
    ids = tx.customer_ids[codes]
    out = {"duration": cols["duration"], "event": cols["event"].astype(np.int64),
           "first_purchase": cols["first_day"].astype(np.int64).astype("datetime64[D]"),
           "last_purchase": cols["last_day"].astype(np.int64).astype("datetime64[D]")}
    if pd is None:  # pragma: no cover
        return {"customer_id": ids, **out}
    return pd.DataFrame(out, index=pd.Index(ids, name="customer_id"))


class CohortRetention:
    """Cohort matrices: ``active`` (customers with a purchase k periods after their first period),
    ``retention`` (active / size), ``revenue``; rows are cohorts (labels "1997-01"), columns the offsets
    0, 1, ...; cells after the log's last period are NaN. ``size``: customers per cohort."""

    def __init__(self, period, labels, start, size, active, retention, revenue, observed):
        self.period = period
        self.labels = labels
        self.start = start
        self._size, self._active, self._retention, self._revenue, self.observed = (
            size, active, retention, revenue, observed.astype(bool))

    def _m(self, a, integer=False):
        a = np.where(self.observed, a, np.nan)
        if pd is None:  # pragma: no cover
            return a
        df = pd.DataFrame(a, index=pd.Index(self.labels, name="cohort"),
                          columns=pd.RangeIndex(a.shape[1], name="period"))
        return df.astype("Int64") if integer else df

    @property
    def size(self):
        if pd is None:  # pragma: no cover
            return self._size
        return pd.Series(self._size, index=pd.Index(self.labels, name="cohort"), name="size")

    @property
    def active(self):
        return self._m(self._active, integer=True)

    @property
    def retention(self):
        return self._m(self._retention)

    @property
    def revenue(self):
        return self._m(self._revenue)

    def to_long(self):
        """One row per observed cell: cohort, period, cohort_size, customers, retention, revenue (the CLI's
        CSV)."""
        c, k = np.nonzero(self.observed)
        cols = {"cohort": np.asarray(self.labels, dtype=object)[c], "period": k,
                "cohort_size": self._size[c], "customers": self._active[c, k].astype(np.int64),
                "retention": self._retention[c, k], "revenue": self._revenue[c, k]}
        return _frame(cols)

    def __repr__(self):
        return f"<crmkit.CohortRetention period={self.period} cohorts={len(self.labels)}>"


def cohort_retention(data, period="month", customer_id_col="customer_id", datetime_col="date",
                     monetary_value_col=None, **read_kw):
    """Cohort retention by the period (``"month"``, ``"quarter"`` or ``"week"``) of each customer's first
    purchase. ``data``: Transactions, a DataFrame (with the *_col names) or a file path."""
    tx = as_transactions(data, customer_id_col, datetime_col, monetary_value_col, **read_kw)
    opts = Options(period=period)
    h = c_void_p()
    check(lib.crmkit_cohorts_compute(tx.handle, opts.handle, byref(h)))
    try:
        nc, nk = c_int64(), c_int64()
        check(lib.crmkit_cohorts_shape(h, byref(nc), byref(nk)))
        nc, nk = nc.value, nk.value
        labels = []
        for i in range(nc):
            p = c_char_p()
            check(lib.crmkit_cohorts_label(h, i, byref(p)))
            labels.append(p.value.decode())
        start = np.empty(nc, dtype=np.int64)
        size = np.empty(nc, dtype=np.int64)
        check(lib.crmkit_cohorts_start(h, start.ctypes.data_as(_I64P), nc))
        check(lib.crmkit_cohorts_size(h, size.ctypes.data_as(_I64P), nc))
        mats = {}
        for k in ("active", "retention", "revenue", "observed"):
            out = np.empty(nc * nk)
            check(lib.crmkit_cohorts_matrix(h, k.encode(), _dp(out), nc * nk))
            mats[k] = out.reshape(nc, nk)
    finally:
        lib.crmkit_cohorts_free(h)
    return CohortRetention(period, labels, start.astype("datetime64[D]"), size, mats["active"], mats["retention"],
                           mats["revenue"], mats["observed"])
