"""Customer-keyed summary states (crmkit/c/state.h): the per-customer sums behind a summary, keyed by the
original customer id, that are saved, loaded, refreshed with later transactions and merged across
customer shards -- exactly: a state's summary is bitwise the summary of the rows it holds."""
import ctypes
import datetime as _dt
from ctypes import POINTER, byref, c_char_p, c_int32, c_int64, c_void_p


from ._lib import Options, check, declare, lib, release_with
from .data import _arrow_strings, _date_text, as_transactions, pd
from .summary import _PERIODS, _column

_P = c_void_p
_I64P = POINTER(c_int64)
declare({
    "crmkit_state_from_transactions": (c_int32, [_P, _P, POINTER(_P)]),
    "crmkit_state_add": (c_int32, [_P, _P, _P]),
    "crmkit_state_merge": (c_int32, [_P, _P, POINTER(_P)]),
    "crmkit_state_save": (c_int32, [_P, c_char_p]),
    "crmkit_state_load": (c_int32, [c_char_p, POINTER(_P)]),
    "crmkit_state_to_bytes": (c_int32, [_P, POINTER(c_void_p), _I64P]),
    "crmkit_state_from_bytes": (c_int32, [c_void_p, c_int64, POINTER(_P)]),
    "crmkit_state_count": (c_int32, [_P, c_char_p, _I64P]),
    "crmkit_state_ids": (c_int32, [_P, POINTER(c_void_p), POINTER(_I64P), _I64P]),
    "crmkit_state_summary": (c_int32, [_P, _P, POINTER(_P)]),
    "crmkit_state_free": (c_int32, [_P]),
})

_EPOCH = _dt.date(1970, 1, 1)


class SummaryState:
    """The summary state of a customer population (docs/scaling.md).

        >>> s = crmkit.SummaryState.from_transactions("day1.csv", monetary_value_col="amount")
        >>> s.add("day2.csv", monetary_value_col="amount")      # a refresh: later transactions
        >>> s.save("customers.state"); crmkit.SummaryState.load("customers.state").summary("W")

    ``add`` takes only transactions on or after each held customer's last purchase day (anything else
    could not be added exactly: InvalidArgumentError naming the customer, and the state is unchanged).
    ``merge`` joins states of disjoint customers. States pickle (as their file bytes), so they travel
    between processes, e.g. Dask workers.
    """

    def __init__(self, _handle=None):
        if _handle is None:
            raise TypeError("crmkit: make a SummaryState with SummaryState.from_transactions, load or from_bytes")
        self._h = _handle
        self._free = release_with(self, _handle, lib.crmkit_state_free)

    # -- making one --------------------------------------------------------------------------------------
    @classmethod
    def from_transactions(cls, data, customer_id_col="customer_id", datetime_col="date", monetary_value_col=None,
                          observation_end=None, **read_kw):
        """The state of the transactions on or before ``observation_end`` (default: the last one's day).
        ``data`` as for crmkit.summary: a Transactions, a DataFrame with the *_col names, or a path."""
        tx = as_transactions(data, customer_id_col, datetime_col, monetary_value_col, **read_kw)
        opts = Options(observation_end=_date_text(observation_end))  # alive until the call returns
        h = c_void_p()
        check(lib.crmkit_state_from_transactions(tx.handle, opts.handle, byref(h)))
        return cls(h)

    def add(self, data, customer_id_col="customer_id", datetime_col="date", monetary_value_col=None,
            observation_end=None, **read_kw):
        """Adds later transactions (a refresh); returns self. The observation end becomes
        ``observation_end`` (never earlier than the state's), else the later of the state's and the last
        new transaction's day. ``report`` then says what was added and left out."""
        tx = as_transactions(data, customer_id_col, datetime_col, monetary_value_col, **read_kw)
        opts = Options(observation_end=_date_text(observation_end))
        check(lib.crmkit_state_add(self._h, tx.handle, opts.handle))
        return self

    @classmethod
    def merge(cls, *states):
        """The state of the union of states of disjoint customers (in the order given)."""
        if len(states) == 1 and not isinstance(states[0], SummaryState):
            states = tuple(states[0])
        if not states:
            raise ValueError("crmkit: merge needs at least one state")
        for s in states:
            if not isinstance(s, SummaryState):
                raise TypeError(f"crmkit: merge takes SummaryState objects, not {type(s).__name__}")
        out = states[0]
        for s in states[1:]:
            h = c_void_p()
            check(lib.crmkit_state_merge(out._h, s._h, byref(h)))
            out = cls(h)
        return out if len(states) > 1 else cls.from_bytes(out.to_bytes())

    # -- files and bytes ---------------------------------------------------------------------------------
    def save(self, path):
        """Writes the state file (docs/data-formats.md, "Summary state files")."""
        check(lib.crmkit_state_save(self._h, str(path).encode()))

    @classmethod
    def load(cls, path):
        h = c_void_p()
        check(lib.crmkit_state_load(str(path).encode(), byref(h)))
        return cls(h)

    def to_bytes(self):
        data, n = c_void_p(), c_int64()
        check(lib.crmkit_state_to_bytes(self._h, byref(data), byref(n)))
        return ctypes.string_at(data.value, n.value) if n.value else b""

    @classmethod
    def from_bytes(cls, data):
        data = bytes(data)
        h = c_void_p()
        check(lib.crmkit_state_from_bytes(data, len(data), byref(h)))
        return cls(h)

    def __reduce__(self):
        return (SummaryState.from_bytes, (self.to_bytes(),))

    def __eq__(self, other):
        return isinstance(other, SummaryState) and self.to_bytes() == other.to_bytes()

    __hash__ = None

    # -- what it holds -----------------------------------------------------------------------------------
    def _count(self, name):
        v = c_int64()
        check(lib.crmkit_state_count(self._h, name.encode(), byref(v)))
        return v.value

    def __len__(self):
        return self._count("customers")

    @property
    def rows(self):
        """Transactions held."""
        return self._count("rows")

    @property
    def observation_end(self):
        """The last day observed (datetime.date)."""
        return _EPOCH + _dt.timedelta(days=self._count("observation_end"))

    @property
    def has_amounts(self):
        return bool(self._count("amounts"))

    @property
    def report(self):
        """Of the last from_transactions or add: rows_added, rows_after_end (left out, not held) and
        customers_new."""
        return {k: self._count(k) for k in ("rows_added", "rows_after_end", "customers_new")}

    @property
    def customer_ids(self):
        """numpy object array of the customer ids, in state order."""
        return _arrow_strings(lib.crmkit_state_ids, self._h)

    def summary(self, period="D"):
        """frequency, recency, T and monetary_value (no monetary_value without amounts), indexed by
        customer_id, as crmkit.summary gives for the rows held."""
        if period not in _PERIODS:
            raise ValueError(f"crmkit: period must be one of D, W, M, day, week, month; got {period!r}")
        opts = Options(period=_PERIODS[period])
        h = c_void_p()
        check(lib.crmkit_state_summary(self._h, opts.handle, byref(h)))
        try:
            n = len(self)
            names = ("frequency", "recency", "T", "monetary_value")[:4 if self.has_amounts else 3]
            cols = {k: _column(h, k, n) for k in names}
        finally:
            lib.crmkit_summary_free(h)
        ids = self.customer_ids
        if pd is None:  # pragma: no cover
            return {"customer_id": ids, **cols}
        return pd.DataFrame(cols, index=pd.Index(ids, name="customer_id"))

    def __repr__(self):
        return (f"SummaryState({len(self)} customers, {self.rows} transactions, "
                f"observed to {self.observation_end.isoformat()})")


def merge_states(states):
    """SummaryState.merge over an iterable of states of disjoint customers."""
    return SummaryState.merge(*list(states))
