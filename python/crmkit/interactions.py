"""Interaction tables, churn indicators at a cutoff and escalation rules over the C ABI
(crmkit/c/interactions.h; docs/models/churn_indicators.md, docs/models/escalation.md).

    >>> import crmkit
    >>> tx = crmkit.read_transactions("CDNOW_master.txt", amount_col="dollar_value")
    >>> df = crmkit.churn.features(tx, cutoff="1997-09-30", horizon_days=180)   # customer_id, indicators, churned
    >>> crmkit.churn.LogisticRegression(standardize=True).fit(df.drop(columns=["customer_id", "churned"]), df.churned)
    >>> crmkit.escalate("interactions.csv")                                     # customer_id, rule, date, ...
"""
import datetime
import weakref
from ctypes import POINTER, byref, c_char_p, c_double, c_int8, c_int32, c_int64, c_uint32, c_void_p

import numpy as np

from ._lib import Options, check, declare, lib
from .data import Transactions, as_transactions

try:
    import pandas as pd
except ImportError:  # pragma: no cover
    pd = None

_P = c_void_p
_DP = POINTER(c_double)
declare({
    "crmkit_interactions_read_csv": (c_int32, [c_char_p, _P, _P, POINTER(_P)]),
    "crmkit_interactions_len": (c_int32, [_P, POINTER(c_int64)]),
    "crmkit_interactions_n_customers": (c_int32, [_P, POINTER(c_int64)]),
    "crmkit_interactions_columns": (c_int32, [_P, POINTER(POINTER(c_uint32)), POINTER(POINTER(c_int64)),
                                              POINTER(POINTER(c_uint32)), POINTER(POINTER(c_uint32)), POINTER(_DP),
                                              POINTER(_DP), POINTER(POINTER(c_int8))]),
    "crmkit_interactions_name": (c_int32, [_P, c_char_p, c_int64, POINTER(c_char_p), POINTER(c_int64)]),
    "crmkit_interactions_free": (c_int32, [_P]),
    "crmkit_churn_indicators": (c_int32, [_P, _P, _P, POINTER(_P)]),
    "crmkit_indicators_shape": (c_int32, [_P, POINTER(c_int64), POINTER(c_int64)]),
    "crmkit_indicators_name": (c_int32, [_P, c_int64, POINTER(c_char_p)]),
    "crmkit_indicators_column": (c_int32, [_P, c_char_p, _DP, c_int64]),
    "crmkit_indicators_matrix": (c_int32, [_P, _DP, c_int64]),
    "crmkit_indicators_label": (c_int32, [_P, _DP, c_int64, POINTER(c_int32)]),
    "crmkit_indicators_customers": (c_int32, [_P, POINTER(c_uint32), c_int64]),
    "crmkit_indicators_id": (c_int32, [_P, c_int64, POINTER(c_char_p)]),
    "crmkit_indicators_free": (c_int32, [_P]),
    "crmkit_escalate": (c_int32, [_P, c_char_p, _P, POINTER(_P)]),
    "crmkit_escalations_len": (c_int32, [_P, POINTER(c_int64)]),
    "crmkit_escalations_row": (c_int32, [_P, c_int64, POINTER(c_char_p), POINTER(c_char_p), POINTER(c_char_p),
                                         POINTER(c_int64), POINTER(c_int64), POINTER(c_int64)]),
    "crmkit_escalations_free": (c_int32, [_P]),
})

_EPOCH = np.datetime64("1970-01-01", "D")


def _date_text(d):
    """YYYY-MM-DD of a str, date, datetime, numpy datetime64 or pandas Timestamp."""
    if isinstance(d, str):
        return d
    if isinstance(d, np.datetime64):
        return str(d.astype("datetime64[D]"))
    if isinstance(d, datetime.datetime) or (pd is not None and isinstance(d, pd.Timestamp)):
        return d.date().isoformat()
    if isinstance(d, datetime.date):
        return d.isoformat()
    raise TypeError("crmkit: expected a date (YYYY-MM-DD text, date, datetime or Timestamp), not " + type(d).__name__)


class Interactions:
    """An interaction table held by the library (crmkit_interactions): customer codes (shared with the
    transaction table it was read with), days since 1970-01-01, channel and kind codes, CSAT (NaN = no
    answer), first-response minutes (NaN = unknown) and resolved-on-first-contact (1/0, -1 = unknown).
    Columns are read-only numpy views into the handle; ``to_pandas()`` decodes them."""

    def __init__(self, handle, transactions=None):
        self._h = handle
        self._tx = transactions  # keeps the shared transaction table alive
        weakref.finalize(self, lib.crmkit_interactions_free, handle)

    def __len__(self):
        n = c_int64()
        check(lib.crmkit_interactions_len(self._h, byref(n)))
        return n.value

    def _names(self, what):
        n = c_int64()
        check(lib.crmkit_interactions_name(self._h, what.encode(), 0, None, byref(n)))
        out = []
        s = c_char_p()
        for i in range(n.value):
            check(lib.crmkit_interactions_name(self._h, what.encode(), i, byref(s), None))
            out.append(s.value.decode("utf-8", "replace"))
        return out

    @property
    def customer_ids(self):
        return self._names("customer")

    @property
    def channel_names(self):
        return self._names("channel")

    @property
    def kind_names(self):
        return self._names("kind")

    def columns(self):
        """{name: read-only numpy view} of the columns the file has."""
        cu, t, ch, k = POINTER(c_uint32)(), POINTER(c_int64)(), POINTER(c_uint32)(), POINTER(c_uint32)()
        cs, fr, rs = _DP(), _DP(), POINTER(c_int8)()
        check(lib.crmkit_interactions_columns(self._h, byref(cu), byref(t), byref(ch), byref(k), byref(cs), byref(fr),
                                              byref(rs)))
        n = len(self)
        out = {}
        for name, p in (("customer", cu), ("time", t), ("channel", ch), ("kind", k), ("csat", cs),
                        ("first_response_minutes", fr), ("resolved_first_contact", rs)):
            if p and n > 0:
                a = np.ctypeslib.as_array(p, shape=(n,))
                a.flags.writeable = False
                out[name] = a
        return out

    def to_pandas(self):
        """A DataFrame: customer_id, date, and whichever of channel, kind, csat, first_response_minutes,
        resolved_first_contact (nullable Int8) the file has."""
        c = self.columns()
        ids = np.array(self.customer_ids, dtype=object)
        d = {"customer_id": ids[c["customer"]] if "customer" in c else ids[:0],
             "date": _EPOCH + c.get("time", np.zeros(0, np.int64)).astype("timedelta64[D]")}
        if "channel" in c:
            d["channel"] = np.array(self.channel_names, dtype=object)[c["channel"]]
        if "kind" in c:
            d["kind"] = np.array(self.kind_names, dtype=object)[c["kind"]]
        for k in ("csat", "first_response_minutes"):
            if k in c:
                d[k] = np.array(c[k])
        df = pd.DataFrame(d)
        if "resolved_first_contact" in c:
            r = c["resolved_first_contact"].astype(np.int8)
            df["resolved_first_contact"] = pd.array(np.where(r < 0, None, r), dtype="Int8")
        return df

    def __repr__(self):
        return f"<crmkit.Interactions rows={len(self)}>"


def read_interactions(path, transactions=None, customer_col=None, date_col=None, channel_col=None, kind_col=None,
                      csat_col=None, first_response_col=None, resolved_col=None, date_format=None, delimiter=None):
    """Reads an interaction CSV (docs/data-formats.md#interactions). With ``transactions`` (a
    Transactions), customer codes agree with that table's, as churn indicators need. Raises ParseError
    (file:line:column in the message) or CrmkitIOError."""
    opts = Options(customer_col=customer_col, date_col=date_col, channel_col=channel_col, kind_col=kind_col,
                   csat_col=csat_col, first_response_col=first_response_col, resolved_col=resolved_col,
                   date_format=date_format, delimiter=delimiter)
    h = c_void_p()
    tx_h = transactions._h if transactions is not None else None
    check(lib.crmkit_interactions_read_csv(str(path).encode(), tx_h, opts.handle, byref(h)))
    return Interactions(h, transactions)


def features(transactions, interactions=None, cutoff=None, horizon_days=180, recent_days=90, low_csat=4,
             complaint_kinds=("complaint",), as_frame=True, **read_kw):
    """Churn indicators at ``cutoff`` (last day observed, inclusive) with the label ``churned`` = no
    purchase in (cutoff, cutoff + horizon_days] (0 = no label column), one row per customer with a
    purchase on or before the cutoff (docs/models/churn_indicators.md).

    ``transactions``: a Transactions, a DataFrame or a path (``read_kw`` go to read_transactions);
    ``interactions``: None, an Interactions read with the same transactions, or a path (read with them).
    Returns a DataFrame customer_id, the indicators, churned (int); with ``as_frame=False`` a dict of numpy
    arrays with the same keys."""
    if cutoff is None:
        raise TypeError("crmkit.churn.features: cutoff is required")
    tx = as_transactions(transactions, **read_kw) if not isinstance(transactions, Transactions) else transactions
    inter = interactions
    if interactions is not None and not isinstance(interactions, Interactions):
        inter = read_interactions(interactions, tx)
    opts = Options(cutoff=_date_text(cutoff), horizon_days=int(horizon_days), recent_days=int(recent_days),
                   low_csat=float(low_csat), complaint_kinds=list(complaint_kinds))
    h = c_void_p()
    check(lib.crmkit_churn_indicators(tx._h, inter._h if inter is not None else None, opts.handle, byref(h)))
    try:
        rows, cols = c_int64(), c_int64()
        check(lib.crmkit_indicators_shape(h, byref(rows), byref(cols)))
        n, p = rows.value, cols.value
        x = np.empty(n * p, dtype=np.float64)
        check(lib.crmkit_indicators_matrix(h, x.ctypes.data_as(_DP), n * p))
        names = []
        s = c_char_p()
        for j in range(p):
            check(lib.crmkit_indicators_name(h, j, byref(s)))
            names.append(s.value.decode())
        codes = np.empty(n, dtype=np.uint32)
        check(lib.crmkit_indicators_customers(h, codes.ctypes.data_as(POINTER(c_uint32)), n))
        ids = tx.customer_ids[codes]  # one decode of the dictionary (cached), not a call per row
        has = c_int32()
        y = np.empty(n, dtype=np.float64)
        check(lib.crmkit_indicators_label(h, y.ctypes.data_as(_DP), n, byref(has)))
    finally:
        lib.crmkit_indicators_free(h)
    out = {"customer_id": np.array(ids, dtype=object)}
    for j, name in enumerate(names):
        out[name] = x[j * n:(j + 1) * n]
    if has.value:
        out["churned"] = y.astype(np.int64)
    if as_frame:
        if pd is None:  # pragma: no cover
            raise ImportError("crmkit.churn.features: pandas is needed for as_frame=True")
        return pd.DataFrame(out)
    return out


def escalate(interactions, rules=None, as_of=None, rules_text=None, **read_kw):
    """Escalation rules over an interaction table (an Interactions or a path): one row per customer and
    rule that fired — customer_id, rule, date (first interaction where it held), channel, matched
    (interactions in that run), firings (interactions where it held). ``rules``: a rules CSV path, or
    None for the defaults (low_csat_streak, repeat_complaints); ``rules_text``: a rules CSV as text.
    docs/models/escalation.md."""
    inter = interactions if isinstance(interactions, Interactions) else read_interactions(interactions, **read_kw)
    opts = Options(rules_text=rules_text, as_of=_date_text(as_of) if as_of is not None else None)
    h = c_void_p()
    check(lib.crmkit_escalate(inter._h, str(rules).encode() if rules is not None else None, opts.handle, byref(h)))
    try:
        n = c_int64()
        check(lib.crmkit_escalations_len(h, byref(n)))
        cu, ru, ch = c_char_p(), c_char_p(), c_char_p()
        day, matched, firings = c_int64(), c_int64(), c_int64()
        cols = {"customer_id": [], "rule": [], "date": [], "channel": [], "matched": [], "firings": []}
        for i in range(n.value):
            check(lib.crmkit_escalations_row(h, i, byref(cu), byref(ru), byref(ch), byref(day), byref(matched),
                                             byref(firings)))
            cols["customer_id"].append(cu.value.decode("utf-8", "replace"))
            cols["rule"].append(ru.value.decode("utf-8", "replace"))
            cols["channel"].append(ch.value.decode("utf-8", "replace"))
            cols["date"].append(day.value)
            cols["matched"].append(matched.value)
            cols["firings"].append(firings.value)
    finally:
        lib.crmkit_escalations_free(h)
    cols["date"] = _EPOCH + np.array(cols["date"], dtype=np.int64).astype("timedelta64[D]")
    cols["matched"] = np.array(cols["matched"], dtype=np.int64)
    cols["firings"] = np.array(cols["firings"], dtype=np.int64)
    if pd is None:  # pragma: no cover
        return cols
    return pd.DataFrame(cols)
