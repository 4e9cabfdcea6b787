"""Transaction tables: read from delimited text, or wrapped around numpy arrays / pandas DataFrames."""
import ctypes
import datetime as _dt
import inspect
import weakref
from ctypes import byref, c_char_p, c_double, c_int32, c_int64, c_uint32, c_void_p, POINTER

import numpy as np

from ._errors import InvalidArgumentError
from ._lib import Options, check, lib

try:  # pandas is optional
    import pandas as pd
except ImportError:  # pragma: no cover
    pd = None

TIME_DAYS = 0
TIME_SECONDS = 1


def _date_text(value):
    """A date option as YYYY-MM-DD: accepts str, datetime.date/datetime, numpy/pandas timestamps."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, np.datetime64):
        return str(value.astype("datetime64[D]"))
    if isinstance(value, (_dt.date, _dt.datetime)) or (pd is not None and isinstance(value, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    raise TypeError(f"crmkit: a date must be a string or a date, not {type(value).__name__}")


def _arrow_strings(fn, handle):
    """The strings a C function returns Arrow-style (fn(handle, &data, &offsets, &n): string i is
    data[offsets[i], offsets[i + 1])), as a numpy object array."""
    data, offsets, n = c_void_p(), POINTER(c_int64)(), c_int64()
    check(fn(handle, byref(data), byref(offsets), byref(n)))
    off = np.ctypeslib.as_array(offsets, shape=(n.value + 1,)).copy()
    raw = ctypes.string_at(data.value, int(off[-1])) if off[-1] else b""
    return np.array([raw[off[i]:off[i + 1]].decode("utf-8", "replace") for i in range(n.value)], dtype=object)


def _view(ptr, ctype, dtype, n, owner):
    """A numpy view of n elements at ptr that keeps `owner` (the handle's Python object) alive."""
    if n == 0 or not ptr:
        return np.empty(0, dtype=dtype)
    buf = (ctype * n).from_address(ctypes.addressof(ptr.contents))
    buf._owner = owner
    out = np.frombuffer(buf, dtype=dtype)
    out.flags.writeable = False
    return out


class _Handle:
    """Owns one crmkit_transactions handle; numpy views hold a reference, so the memory lives until the
    Transactions object is closed (or collected) and every view is gone."""

    def __init__(self, h, keep):
        self.h = h
        self.keep = keep  # caller arrays a from_arrays handle points into
        weakref.finalize(self, lib.crmkit_transactions_free, h)


def _whole_column(name, values, dtype, lo, hi):
    """`values` as a contiguous 1-D array of `dtype`, refusing what the conversion would change."""
    a = np.asarray(values)
    if a.ndim != 1:
        raise InvalidArgumentError(f"crmkit: {name} must be one-dimensional, got shape {a.shape}")
    if a.size == 0:
        return np.ascontiguousarray(a, dtype=dtype)
    if a.dtype.kind == "f":
        bad = ~np.isfinite(a) | (a != np.floor(a))
        if bad.any():
            i = int(np.argmax(bad))
            raise InvalidArgumentError(f"crmkit: {name}[{i}] = {a[i]!r} is not a whole number "
                                       f"({name} must hold whole {'days or seconds' if name == 'time' else 'numbers'})")
        if a.min() < lo or a.max() > hi:
            i = int(np.argmax((a < lo) | (a > hi)))
            raise InvalidArgumentError(f"crmkit: {name}[{i}] = {a[i]!r} is outside {lo} to {hi}")
        return np.ascontiguousarray(a, dtype=dtype)
    if a.dtype.kind not in "iu":
        raise InvalidArgumentError(f"crmkit: {name} must hold integers, got dtype {a.dtype}")
    if a.dtype.kind == "i" or a.dtype.itemsize >= np.dtype(dtype).itemsize:
        out = (a < lo) | (a > hi) if a.dtype.kind == "i" else a > hi
        if out.any():
            i = int(np.argmax(out))
            raise InvalidArgumentError(f"crmkit: {name}[{i}] = {a[i]!r} is outside {lo} to {hi}")
    return np.ascontiguousarray(a, dtype=dtype)


class Transactions:
    """A transaction table held by the library (crmkit_transactions).

    Columns are exposed without copying: ``codes`` (uint32 dense customer codes), ``time`` (int64 days
    since 1970-01-01, or Unix seconds when ``time_unit == "seconds"``) and ``amount`` (float64).
    ``customer_ids[code]`` is the original id. Release with ``close()`` or a ``with`` block; otherwise
    the handle is freed when the object is collected.
    """

    def __init__(self, handle, keep=()):
        self._h = handle
        self._owner = _Handle(handle, keep)
        self._ids = None

    # -- construction ------------------------------------------------------------------------------
    @classmethod
    def from_arrays(cls, codes, time, amount=None, time_unit="days", ids=None):
        """Wraps one-dimensional numpy arrays (converted to uint32 / int64 / float64 only when needed).
        Codes must be whole numbers from 0 to 2^32 - 2, times whole days or seconds; anything that would
        change in the conversion (a negative or fractional code, a fractional time, NaN) is an error."""
        codes = _whole_column("codes", codes, np.uint32, 0, 2**32 - 2)
        time = _whole_column("time", time, np.int64, -(2**63), 2**63 - 1)
        n = len(codes)
        if len(time) != n:
            raise InvalidArgumentError(f"crmkit: time has {len(time)} rows, codes {n}")
        amount_ptr = None
        if amount is not None:
            amount = np.asarray(amount)
            if amount.ndim != 1:
                raise InvalidArgumentError(f"crmkit: amount must be one-dimensional, got shape {amount.shape}")
            if amount.dtype.kind not in "iuf":
                raise InvalidArgumentError(f"crmkit: amount must hold numbers, got dtype {amount.dtype}")
            amount = np.ascontiguousarray(amount, dtype=np.float64)
            amount_ptr = amount.ctypes.data_as(POINTER(c_double))
        unit = {"days": TIME_DAYS, "seconds": TIME_SECONDS}.get(time_unit)
        if unit is None:
            raise ValueError("crmkit: time_unit must be 'days' or 'seconds'")
        h = c_void_p()
        check(lib.crmkit_transactions_from_arrays(codes.ctypes.data_as(POINTER(c_uint32)),
                                                  time.ctypes.data_as(POINTER(c_int64)), amount_ptr, n, unit,
                                                  byref(h)))
        self = cls(h, keep=(codes, time, amount))
        if ids is not None:
            encoded = [str(x).encode("utf-8") for x in ids]
            for i, e in enumerate(encoded):
                if b"\0" in e:
                    raise InvalidArgumentError(f"crmkit: ids[{i}] = {e[:80]!r} holds a NUL byte")
            arr = (c_char_p * len(encoded))(*encoded)
            check(lib.crmkit_transactions_set_ids(h, arr, len(encoded)))
        return self

    @classmethod
    def from_pandas(cls, df, customer_id_col, datetime_col, monetary_value_col=None):
        """From a DataFrame: ids factorised in order of first appearance, datetimes to days (or seconds
        when any value has a time of day)."""
        if pd is None:  # pragma: no cover
            raise ImportError("crmkit: pandas is not installed")
        codes, uniques = pd.factorize(df[customer_id_col], sort=False)
        if (codes < 0).any():
            raise ValueError(f"crmkit: column '{customer_id_col}' has missing customer ids")
        when = df[datetime_col]
        if pd.api.types.is_numeric_dtype(when) and not pd.api.types.is_bool_dtype(when):
            when = _numeric_dates(when, datetime_col)
        elif not pd.api.types.is_datetime64_any_dtype(when):
            when = pd.to_datetime(when)
        if getattr(when.dt, "tz", None) is not None:
            when = when.dt.tz_convert("UTC").dt.tz_localize(None)
        if when.isna().any():
            raise ValueError(f"crmkit: column '{datetime_col}' has missing dates")
        ns = when.to_numpy(dtype="datetime64[ns]").astype(np.int64)
        day_ns = 86_400 * 10**9
        if len(ns) > 1 and ns.min() // day_ns == ns.max() // day_ns:
            raise InvalidArgumentError(
                f"crmkit: every time in column '{datetime_col}' falls on one day "
                f"({np.datetime64(int(ns.min() // day_ns), 'D')}), so recency, T and every model would be 0; if "
                f"the column holds numbers (epoch nanoseconds, a date code), convert it with pd.to_datetime(..., "
                f"unit=... or format=...) first")
        if (ns % day_ns == 0).all():
            time, unit = ns // day_ns, "days"
        else:
            time, unit = ns // 10**9, "seconds"
        amount = None if monetary_value_col is None else df[monetary_value_col].to_numpy(dtype=np.float64)
        return cls.from_arrays(codes, time, amount, unit, ids=[str(u) for u in uniques])

    # -- columns -----------------------------------------------------------------------------------
    def _get(self, fn, ctype):
        v = ctype()
        check(fn(self.handle, byref(v)))
        return v.value

    @property
    def n_rows(self):
        return self._get(lib.crmkit_transactions_len, c_int64)

    def __len__(self):
        return self.n_rows

    @property
    def n_customers(self):
        return self._get(lib.crmkit_transactions_n_customers, c_int64)

    @property
    def time_unit(self):
        return "days" if self._get(lib.crmkit_transactions_time_unit, c_int32) == TIME_DAYS else "seconds"

    def _columns(self):
        c, t, a = POINTER(c_uint32)(), POINTER(c_int64)(), POINTER(c_double)()
        check(lib.crmkit_transactions_columns(self.handle, byref(c), byref(t), byref(a)))
        return c, t, a

    @property
    def codes(self):
        return _view(self._columns()[0], c_uint32, np.uint32, self.n_rows, self._owner)

    @property
    def time(self):
        return _view(self._columns()[1], c_int64, np.int64, self.n_rows, self._owner)

    @property
    def has_amounts(self):
        """False for an event log without amounts (read with no_amount=True, or from arrays without amount)."""
        return bool(self._columns()[2])

    @property
    def amount(self):
        a = self._columns()[2]
        return _view(a, c_double, np.float64, self.n_rows, self._owner) if a else np.zeros(self.n_rows)

    @property
    def customer_ids(self):
        """numpy object array: customer_ids[code] is the original id string."""
        if self._ids is None:
            self._ids = _arrow_strings(lib.crmkit_transactions_ids, self.handle)
        return self._ids

    @property
    def report(self):
        """What reading did: rows_read, rows_skipped, the first skipped rows' messages, and the counts of
        order folding and zero-amount days: transactions (rows of this table), orders, lines_folded,
        zero_amount_days_dropped, zero_amount_rows_dropped, customers_dropped."""
        r, s, m = c_int64(), c_int64(), c_int64()
        check(lib.crmkit_transactions_read_report(self.handle, byref(r), byref(s), byref(m)))
        msgs = []
        for i in range(m.value):
            p = c_char_p()
            check(lib.crmkit_transactions_read_message(self.handle, i, byref(p)))
            msgs.append(p.value.decode("utf-8", "replace"))
        out = {"rows_read": r.value, "rows_skipped": s.value, "messages": msgs}
        for name in ("transactions", "orders", "lines_folded", "zero_amount_days_dropped",
                     "zero_amount_rows_dropped", "customers_dropped"):
            v = c_int64()
            check(lib.crmkit_transactions_read_count(self.handle, name.encode(), byref(v)))
            out[name] = v.value
        return out

    def to_pandas(self):
        if pd is None:  # pragma: no cover
            raise ImportError("crmkit: pandas is not installed")
        unit = "D" if self.time_unit == "days" else "s"
        return pd.DataFrame({"customer_id": self.customer_ids[self.codes],
                             "date": self.time.astype(f"datetime64[{unit}]"),
                             "amount": np.array(self.amount)})

    # -- lifetime ----------------------------------------------------------------------------------
    @property
    def handle(self):
        if self._h is None:
            raise ValueError("crmkit: this Transactions object is closed")
        return self._h

    def close(self):
        """Releases the handle; its memory is freed once no numpy view of its columns remains."""
        self._h = None
        self._owner = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<crmkit.Transactions rows={self.n_rows} customers={self.n_customers} time_unit={self.time_unit}>"


def read_transactions(path, customer_col=None, date_col=None, amount_col=None, date_format=None,
                      delimiter=None, header=None, skip_bad_rows=False, extra_cols=None,
                      max_reported_errors=None, no_amount=False, encoding=None, order_col=None,
                      zero_amount_days=None):
    """Reads a delimited transaction log (comma, tab, semicolon or whitespace; detected).

    Columns by header name or 1-based index (int). ``header``: None detects, True/False forces.
    ``no_amount=True``: an event log without amounts (frequency and recency only; spend is left out).
    ``encoding``: "utf-8" (the default: ids that are not UTF-8 are a ParseError) or "latin-1"
    (transcoded to UTF-8 as read).
    ``order_col``: an order (receipt, invoice) column: the lines of one order are one purchase (their
    amounts summed, at the earliest line's time); an order on two customers or two days is a ParseError.
    ``zero_amount_days``: "keep" (the default: a day whose amounts are all 0 is a purchase, as in
    lifetimes) or "drop" (such days are removed and counted in ``report``).
    Raises ParseError (file:line:column in the message) or CrmkitIOError.
    """
    hdr = None if header is None else ("yes" if header else "no")
    opts = Options(customer_col=customer_col, date_col=date_col, amount_col=amount_col, date_format=date_format,
                   delimiter=delimiter, header=hdr, skip_bad_rows=bool(skip_bad_rows), extra_cols=extra_cols,
                   max_reported_errors=max_reported_errors, no_amount=bool(no_amount) or None, encoding=encoding,
                   order_col=order_col, zero_amount_days=zero_amount_days)
    h = c_void_p()
    check(lib.crmkit_transactions_read_csv(str(path).encode(), opts.handle, byref(h)))
    return Transactions(h)


_READ_KEYWORDS = tuple(inspect.signature(read_transactions).parameters)[1:]


def _numeric_dates(values, name):
    """A numeric date column as datetimes, detected as the CLI detects a file's dates: YYYYMMDD integers
    (19970101) when every value is one, else Unix seconds. pandas alone would read 19970101 as
    nanoseconds after 1970-01-01, and every purchase would fall on the first day of 1970."""
    v = values.to_numpy()
    if np.issubdtype(v.dtype, np.floating):
        if not np.isfinite(v).all():
            raise InvalidArgumentError(f"crmkit: column '{name}' has missing or non-finite dates")
        if (v != np.floor(v)).any():
            raise InvalidArgumentError(f"crmkit: column '{name}' holds fractional numbers, not dates; convert it "
                                       f"with pd.to_datetime(..., unit=...) first")
    v = v.astype(np.int64)
    if ((v >= 10000101) & (v <= 99991231)).all():
        parsed = pd.to_datetime(pd.Series(v).astype(str), format="%Y%m%d", errors="coerce")
        if not parsed.isna().any():
            return parsed
    try:
        return pd.to_datetime(pd.Series(v), unit="s")
    except (ValueError, OverflowError) as e:
        raise InvalidArgumentError(f"crmkit: column '{name}' holds numbers that are neither YYYYMMDD dates nor "
                                   f"Unix seconds from 0001 to 9999 ({e}); for other units convert it with "
                                   f"pd.to_datetime(column, unit='ms' or 'ns') first") from None


def _refuse_read_keywords(read_kw, what):
    """Keyword arguments meant for read_transactions are errors for a DataFrame or a Transactions (they
    were silently ignored: issue 16)."""
    if not read_kw:
        return
    unknown = sorted(k for k in read_kw if k not in _READ_KEYWORDS)
    if unknown:
        raise TypeError(f"crmkit: unexpected keyword argument{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}")
    raise TypeError(f"crmkit: {', '.join(sorted(read_kw))} only appl{'y' if len(read_kw) > 1 else 'ies'} when "
                    f"reading a file, not to {what}")


def as_transactions(data, customer_id_col="customer_id", datetime_col="date", monetary_value_col=None, **read_kw):
    """Transactions from a Transactions object, a DataFrame or a file path. ``read_kw`` go to
    read_transactions for a path and are a TypeError otherwise; for a path, column names other than
    the defaults choose the file's columns (as customer_col, date_col, amount_col)."""
    if isinstance(data, Transactions):
        _refuse_read_keywords(read_kw, "a Transactions object")
        return data
    if pd is not None and isinstance(data, pd.DataFrame):
        _refuse_read_keywords(read_kw, "a DataFrame")
        return Transactions.from_pandas(data, customer_id_col, datetime_col, monetary_value_col)
    if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__"):
        kw = dict(read_kw)
        for key, value, default in (("customer_col", customer_id_col, "customer_id"), ("date_col", datetime_col, "date"),
                                    ("amount_col", monetary_value_col, None)):
            if value is not None and value != default:
                if kw.get(key, value) != value:
                    raise TypeError(f"crmkit: {key}={kw[key]!r} contradicts the column name {value!r}")
                kw[key] = value
        return read_transactions(data, **kw)
    raise TypeError("crmkit: expected Transactions, a pandas DataFrame or a path, not " + type(data).__name__)
