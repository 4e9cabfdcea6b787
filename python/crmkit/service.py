"""Service-quality metrics over the C ABI (crmkit/c/service.h); docs/models/service.md.

    >>> import crmkit
    >>> crmkit.nps("scores.csv", by="segment")                  # one row per group, "all" first
    >>> crmkit.service_metrics(interactions_df, by="channel")   # CSAT, CES, FCR, SLA per channel
    >>> crmkit.abtest((48, 80), (56, 70))["ci_low"]             # Newcombe interval of B - A

Tables may be CSV paths, pandas DataFrames or dicts of columns. Results are DataFrames when pandas is
installed (else lists of dicts); nested report keys are joined with "_" ("sla.tiers.urgent.compliance"
becomes "sla_urgent_compliance", "csat.csat" becomes "csat").
"""
import ctypes
import json
import os
from ctypes import POINTER, byref, c_char_p, c_double, c_int32, c_int64, c_uint32, c_void_p

import numpy as np

from ._lib import Options, check, declare, lib
from .kano import _missing, factorize

try:
    import pandas as pd
except ImportError:  # pragma: no cover
    pd = None

_P = c_void_p
_CPP = POINTER(c_char_p)
_DP = POINTER(c_double)
declare({
    "crmkit_nps": (c_int32, [_DP, _CPP, c_int64, _P, POINTER(_P)]),
    "crmkit_nps_read_csv": (c_int32, [c_char_p, _P, POINTER(_P)]),
    "crmkit_service_metrics": (c_int32, [_CPP, _DP, _DP, _DP, POINTER(c_int32), _CPP, c_int64, _P, POINTER(_P)]),
    "crmkit_service_read_csv": (c_int32, [c_char_p, _P, POINTER(_P)]),
    "crmkit_nps_coded": (c_int32, [_DP, POINTER(c_uint32), _CPP, c_int64, c_int64, _P, POINTER(_P)]),
    "crmkit_service_metrics_coded": (c_int32, [POINTER(c_uint32), _CPP, c_int64, _DP, _DP, _DP, POINTER(c_int32),
                                               POINTER(c_uint32), _CPP, c_int64, c_int64, _P, POINTER(_P)]),
    "crmkit_service_group_count": (c_int32, [_P, POINTER(c_int64)]),
    "crmkit_service_group_name": (c_int32, [_P, c_int64, _CPP]),
    "crmkit_service_value": (c_int32, [_P, c_int64, c_char_p, _DP]),
    "crmkit_service_to_json": (c_int32, [_P, c_char_p, c_int64, POINTER(c_int64)]),
    "crmkit_service_free": (c_int32, [_P]),
    "crmkit_abtest": (c_int32, [c_int64, c_int64, c_int64, c_int64, c_double, _DP, c_int64]),
})

ABTEST_KEYS = ("rate_a", "ci_low_a", "ci_high_a", "rate_b", "ci_low_b", "ci_high_b", "difference", "ci_low",
               "ci_high", "relative_lift", "z", "p_value", "significant")


def _doc(h):
    try:
        n = c_int64()
        check(lib.crmkit_service_to_json(h, None, 0, byref(n)))
        buf = ctypes.create_string_buffer(n.value + 1)
        check(lib.crmkit_service_to_json(h, buf, n.value + 1, byref(n)))
        return json.loads(buf.value.decode("utf-8"))
    finally:
        lib.crmkit_service_free(h)


def _flat(row, prefix=""):
    out = {}
    for k, v in row.items():
        if k == "tiers":
            k = ""
        key = f"{prefix}_{k}".strip("_") if k else prefix
        if isinstance(v, dict):
            out.update(_flat(v, key))
        else:
            out[key] = float("nan") if v is None else v
    # "csat_csat" -> "csat"
    return {("csat" if k == "csat_csat" else k): v for k, v in out.items()}


def _frame(doc):
    rows = [_flat(doc["overall"])] + [_flat(g) for g in doc["groups"]]
    return pd.DataFrame(rows) if pd is not None else rows


def _column(data, name):
    if name is None:
        return None
    if pd is not None and isinstance(data, pd.DataFrame):
        return data[name].to_numpy() if name in data.columns else None
    return np.asarray(data[name]) if name in data else None


def _strings(values):
    if values is None:
        return None
    return (c_char_p * len(values))(*[b"" if v is None else str(v).encode("utf-8") for v in values])


def _floats(values, name="scores"):
    """float64 of a numeric column; None / pandas NA become NaN (no answer)."""
    if values is None:
        return None
    try:
        if pd is not None and isinstance(values, (pd.Series, pd.api.extensions.ExtensionArray)):
            return np.ascontiguousarray(pd.Series(values).to_numpy(dtype="float64", na_value=np.nan))
        a = np.asarray(values)
        if a.dtype == object:
            a = np.array([np.nan if _missing(v) else v for v in a], dtype=np.float64)
        return np.ascontiguousarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"crmkit: column '{name}' must be numeric (NaN / None = no answer)") from None


_TRUE = {"1", "true", "yes", "t", "y"}
_FALSE = {"0", "false", "no", "f", "n"}


def _fcr(values):
    """resolved_first_contact as int32 1 / 0 / -1 (unknown): booleans, 0/1 numbers or the words the CSV
    reader accepts (1/0, true/false, yes/no, t/f, y/n); NaN / None / NA unknown; anything else a
    ValueError naming the index (never silently counted as resolved)."""
    if values is None:
        return None
    f = values.to_numpy() if pd is not None and isinstance(values, pd.Series) else values
    if pd is not None and isinstance(f, pd.api.extensions.ExtensionArray):
        f = f.to_numpy(dtype=object, na_value=None)
    f = np.asarray(f)
    if f.dtype.kind == "b":
        return np.ascontiguousarray(f.astype(np.int32))
    if f.dtype.kind in "iuf":
        x = f.astype(np.float64)
        bad = ~np.isnan(x) & (x != 0) & (x != 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"crmkit.service_metrics: resolved_first_contact[{i}] = {f[i]!r}: must be 0, 1 "
                             "or NaN (unknown)")
        return np.ascontiguousarray(np.where(np.isnan(x), -1, x).astype(np.int32))
    out = np.empty(len(f), dtype=np.int32)
    for i, v in enumerate(f):
        if _missing(v):
            out[i] = -1
        elif isinstance(v, (bool, np.bool_)):
            out[i] = int(v)
        else:
            t = str(v).strip().lower()
            if t in ("1.0",):
                t = "1"
            elif t in ("0.0",):
                t = "0"
            if t in _TRUE:
                out[i] = 1
            elif t in _FALSE:
                out[i] = 0
            elif t == "":
                out[i] = -1
            else:
                raise ValueError(f"crmkit.service_metrics: resolved_first_contact[{i}] = {v!r}: must be a boolean "
                                 "(1/0, true/false, yes/no) or missing")
    return out


def _dp(a):
    return None if a is None else a.ctypes.data_as(_DP)


def _is_table(x):
    return isinstance(x, dict) or (pd is not None and isinstance(x, pd.DataFrame))


def nps_report(scores, by=None, confidence=0.95, score_col=None):
    """The NPS report as a dict: {"confidence", "overall": {...}, "groups": [...]}."""
    h = c_void_p()
    if isinstance(scores, (str, os.PathLike)):
        if by is not None and not isinstance(by, str):
            raise TypeError("crmkit.nps: with a CSV path, by must be a column name")
        opts = Options(confidence=confidence, by=by, score_col=score_col)
        check(lib.crmkit_nps_read_csv(os.fspath(scores).encode(), opts.handle, byref(h)))
        return _doc(h)
    group = None
    if _is_table(scores):
        col = score_col or next((c for c in ("score", "nps", "nps_score", "likelihood_to_recommend", "recommend")
                                 if _column(scores, c) is not None), None)
        if col is None or _column(scores, col) is None:
            raise KeyError(f"crmkit.nps: no score column '{score_col or 'score'}'")
        group = _column(scores, by) if by else None
        if by and group is None:
            raise KeyError(f"crmkit.nps: no column '{by}'")
        scores = _column(scores, col)
    elif by is not None and not isinstance(by, str):
        group = np.asarray(by)
    elif by is not None:
        raise TypeError("crmkit.nps: by names a column only when scores is a table; pass the labels instead")
    s = _floats(scores)
    plain = Options(confidence=confidence)
    if group is None:
        check(lib.crmkit_nps_coded(_dp(s), None, None, 0, len(s), plain.handle, byref(h)))
        return _doc(h)
    if len(group) != len(s):
        raise ValueError(f"crmkit.nps: {len(group)} group labels for {len(s)} scores")
    codes, names = factorize(group, "(blank)")
    cn = _strings(names)
    check(lib.crmkit_nps_coded(_dp(s), codes.ctypes.data_as(POINTER(c_uint32)), cn, len(names), len(s), plain.handle,
                               byref(h)))
    return _doc(h)


def nps(scores, by=None, confidence=0.95, score_col=None):
    """Net Promoter Score: one row per group ("all" first) with n, promoters, passives, detractors,
    missing, shares, nps (points, -100..100), std_error, ci_low, ci_high.

    ``scores``: a CSV path, a DataFrame / dict (``score_col`` or a column named score, nps, ...), or an
    array of 0..10 scores (NaN = no answer). ``by``: a group column name, or an array of labels."""
    return _frame(nps_report(scores, by, confidence, score_col))


def service_report(interactions, by=None, sla=None, confidence=0.95):
    """The service report as a dict: {"confidence", "overall": {...}, "groups": [...]}."""
    if isinstance(sla, dict):
        sla = ",".join(f"{k}={v}" for k, v in sla.items())
    h = c_void_p()
    if isinstance(interactions, (str, os.PathLike)):
        opts = Options(confidence=confidence, sla=sla, by=by)
        check(lib.crmkit_service_read_csv(os.fspath(interactions).encode(), opts.handle, byref(h)))
        return _doc(h)
    d = interactions
    if not _is_table(d):
        raise TypeError("crmkit.service_metrics: interactions must be a CSV path, a DataFrame or a dict of columns")
    group = _column(d, by) if by else None
    if by and group is None:
        raise KeyError(f"crmkit.service_metrics: no column '{by}'")
    csat, ces, frt = (_floats(_column(d, c), c) for c in ("csat", "ces", "first_response_minutes"))
    fcr = _fcr(_column(d, "resolved_first_contact"))
    prio = _column(d, "priority")
    if csat is None and ces is None and frt is None and fcr is None:
        raise KeyError("crmkit.service_metrics: no metric column (csat, ces, first_response_minutes, "
                       "resolved_first_contact)")
    if frt is not None and prio is None:
        raise KeyError("crmkit.service_metrics: first_response_minutes needs a priority column (the SLA tier)")
    # Every column crosses the C ABI with one length n: check them all here.
    cols = {"csat": csat, "ces": ces, "first_response_minutes": frt, "resolved_first_contact": fcr,
            "priority": prio if frt is not None else None, by: group}
    n = next(len(v) for v in cols.values() if v is not None)
    for name, v in cols.items():
        if v is not None and len(v) != n:
            raise ValueError(f"crmkit.service_metrics: column '{name}' has {len(v)} rows, the others {n}")
    opts = Options(confidence=confidence, sla=sla)
    u32 = POINTER(c_uint32)
    gc, gn = factorize(group, "(blank)") if group is not None else (None, [])
    pc, pn = factorize(prio, "(blank)") if (prio is not None and frt is not None) else (None, [])
    gnames, pnames = _strings(gn), _strings(pn)
    check(lib.crmkit_service_metrics_coded(None if gc is None else gc.ctypes.data_as(u32), gnames, len(gn), _dp(csat),
                                           _dp(ces), _dp(frt),
                                           None if fcr is None else fcr.ctypes.data_as(POINTER(c_int32)),
                                           None if pc is None else pc.ctypes.data_as(u32), pnames, len(pn), n,
                                           opts.handle, byref(h)))
    return _doc(h)


def service_metrics(interactions, by=None, sla=None, confidence=0.95):
    """CSAT, CES, first-contact resolution and response-time SLA compliance, one row per group ("all"
    first). ``interactions``: a CSV path, DataFrame or dict with any of csat (1..5), ces (1..7),
    first_response_minutes, resolved_first_contact, priority. ``sla``: {"urgent": "30m", ...} or
    "urgent=30m,normal=4h,complex=24h" (the default)."""
    return _frame(service_report(interactions, by, sla, confidence))


def _whole(v):
    if isinstance(v, (bool, np.bool_)):
        raise ValueError
    if isinstance(v, str):
        return int(v.strip())
    if isinstance(v, (int, np.integer)):
        return int(v)
    f = float(v)
    if not f.is_integer():
        raise ValueError
    return int(f)


def _arm(x, name):
    try:
        s, t = x.split("/") if isinstance(x, str) else x
        s, t = _whole(s), _whole(t)
        if not (-2 ** 63 <= s < 2 ** 63 and -2 ** 63 <= t < 2 ** 63):  # int64_t in the C ABI
            raise OverflowError
        return s, t
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"crmkit.abtest: {name} must be SUCCESSES/TRIALS of whole numbers, found {x!r}") from None


def abtest(a, b, confidence=0.95):
    """Two-proportion test of B against A (each (successes, trials) or "S/T"): a dict with rate_a,
    ci_low_a, ci_high_a, rate_b, ..., difference (B - A), ci_low, ci_high (Newcombe), relative_lift,
    z (pooled), p_value (two-sided) and significant."""
    sa, na = _arm(a, "a")
    sb, nb = _arm(b, "b")
    out = np.empty(len(ABTEST_KEYS), dtype=np.float64)
    check(lib.crmkit_abtest(sa, na, sb, nb, confidence, out.ctypes.data_as(_DP), len(out)))
    res = dict(zip(ABTEST_KEYS, (float(v) for v in out)))
    res["significant"] = bool(res["significant"])
    return res
