"""Kano questionnaire analysis over the C ABI (crmkit/c/kano.h); docs/models/kano.md.

    >>> import crmkit
    >>> r = crmkit.kano("survey.csv", costs="costs.csv")
    >>> r.features[["feature", "category", "better", "worse", "priority", "recommendation"]]
    >>> r.quality["straightliners"]

A survey is one row per respondent and feature with a functional and a dysfunctional answer, as codes
1..5 (1 like, 2 must-be, 3 neutral, 4 live-with, 5 dislike) or words. Pass a CSV path, a pandas
DataFrame or a dict of columns.
"""
import csv
import ctypes
import io
import json
import os
from ctypes import POINTER, byref, c_char_p, c_double, c_int32, c_int64, c_uint32, c_void_p

import numpy as np

from ._lib import Options, check, declare, lib

try:
    import pandas as pd
except ImportError:  # pragma: no cover
    pd = None

_P = c_void_p
_CPP = POINTER(c_char_p)
declare({
    "crmkit_kano_read_csv": (c_int32, [c_char_p, _P, POINTER(_P)]),
    "crmkit_kano_analyze": (c_int32, [_CPP, _CPP, _CPP, _CPP, POINTER(c_double), c_int64, _P, POINTER(_P)]),
    "crmkit_kano_analyze_codes": (c_int32, [_CPP, _CPP, POINTER(c_int32), POINTER(c_int32), POINTER(c_double),
                                            c_int64, _P, POINTER(_P)]),
    "crmkit_kano_analyze_coded": (c_int32, [POINTER(c_uint32), _CPP, c_int64, POINTER(c_uint32), _CPP, c_int64,
                                            POINTER(c_int32), POINTER(c_int32), POINTER(c_double), c_int64, _P,
                                            POINTER(_P)]),
    "crmkit_kano_feature_count": (c_int32, [_P, POINTER(c_int64)]),
    "crmkit_kano_feature_name": (c_int32, [_P, c_int64, _CPP]),
    "crmkit_kano_counts": (c_int32, [_P, POINTER(c_int64), c_int64]),
    "crmkit_kano_categories": (c_int32, [_P, POINTER(c_int32), c_int64]),
    "crmkit_kano_values": (c_int32, [_P, c_char_p, POINTER(c_double), c_int64]),
    "crmkit_kano_flags": (c_int32, [_P, c_char_p, POINTER(c_int64), c_int64]),
    "crmkit_kano_recommendation": (c_int32, [_P, c_int64, _CPP]),
    "crmkit_kano_quality": (c_int32, [_P, c_char_p, POINTER(c_int64)]),
    "crmkit_kano_issue_count": (c_int32, [_P, POINTER(c_int64)]),
    "crmkit_kano_issue": (c_int32, [_P, c_int64, POINTER(c_int64), POINTER(c_int64), _CPP, _CPP, _CPP]),
    "crmkit_kano_flagged_count": (c_int32, [_P, c_char_p, POINTER(c_int64)]),
    "crmkit_kano_flagged": (c_int32, [_P, c_char_p, c_int64, _CPP]),
    "crmkit_kano_to_json": (c_int32, [_P, c_char_p, c_int64, POINTER(c_int64)]),
    "crmkit_kano_free": (c_int32, [_P]),
})

CATEGORIES = ("A", "O", "M", "I", "R", "Q")


class KanoResult:
    """One analysis: ``features`` (one row per feature in priority order: feature, n, counts A..Q,
    shares share_A..share_Q, category, better, worse, category_strength, total_strength,
    fong_significant, functional_mean, dysfunctional_mean, ..., priority, benefit, cost, frequency,
    recommendation; a DataFrame when pandas is installed, else a list of dicts), ``quality`` (a dict:
    counts, ``issues``, ``straightliners``, ``questionable_respondents``) and ``json`` (the whole result
    as the CLI prints it)."""

    def __init__(self, doc):
        self.json = doc
        self.quality = doc["quality"]
        rows = []
        for f in doc["features"]:
            row = {k: v for k, v in f.items() if k not in ("counts", "shares", "weighted_shares")}
            for c in CATEGORIES:
                row[c] = f["counts"][c]
            for c in CATEGORIES:
                row["share_" + c] = f["shares"][c]
            if "weighted_shares" in f:
                for c in CATEGORIES:
                    v = f["weighted_shares"][c]
                    row["weighted_share_" + c] = float("nan") if v is None else v
            for k, v in row.items():
                if v is None and k not in ("category", "recommendation"):
                    row[k] = float("nan")
            rows.append(row)
        self.features = pd.DataFrame(rows) if pd is not None else rows

    def category(self, feature):
        """The Kano category letter of one feature (None when it has no classified answer)."""
        for f in self.json["features"]:
            if f["feature"] == feature:
                return f["category"]
        raise KeyError(feature)

    def __repr__(self):
        return f"KanoResult({len(self.json['features'])} features, {self.quality['used_rows']} answers used)"


def _csv_text(table, columns):
    """CSV text of a dict of columns or a DataFrame (for the *_text options)."""
    if pd is not None and isinstance(table, pd.DataFrame):
        return table.to_csv(index=False)
    names = [c for c in columns if c in table]
    n = len(table[names[0]])
    lines = [",".join(names)] + [",".join(str(table[c][i]) for c in names) for i in range(n)]
    return "\n".join(lines) + "\n"


def _words_csv(words):
    """{wording: answer} as CSV text wording,answer (wordings with commas or quotes are quoted)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for k, v in words.items():
        w.writerow([str(k), str(v)])
    return buf.getvalue()


def _options(table, words, invalid, tie_threshold, fong_z, straightline_min_features, exclude_straightliners,
             questionable_share, exclude_questionable, costs, benefit_split, cost_split, frequency_split,
             words_file=None, missing=None):
    kv = dict(invalid=invalid, missing=missing, tie_threshold=tie_threshold, fong_z=fong_z,
              straightline_min_features=straightline_min_features, exclude_straightliners=exclude_straightliners,
              questionable_share=questionable_share, exclude_questionable=exclude_questionable,
              benefit_split=benefit_split, cost_split=cost_split, frequency_split=frequency_split)
    if isinstance(table, (list, tuple)):
        kv["table_text"] = "\n".join(",".join(r) if not isinstance(r, str) else ",".join(r) for r in table) + "\n"
    elif isinstance(table, str) and "\n" in table:
        kv["table_text"] = table
    elif table is not None and table != "standard":
        kv["table"] = os.fspath(table)
    if words_file is not None:
        kv["words_file"] = os.fspath(words_file)
    if words is not None:
        if isinstance(words, str):
            kv["words"] = words
        elif words_file is None:
            kv["words_csv"] = _words_csv(words)
        else:
            kv["words"] = ",".join(f"{w}={c}" for w, c in words.items())
    if costs is not None:
        if isinstance(costs, (str, os.PathLike)):
            kv["costs"] = os.fspath(costs)
        elif isinstance(costs, dict) and "feature" not in costs:
            kv["costs_text"] = "feature,cost\n" + "".join(f"{k},{v}\n" for k, v in costs.items())
        else:
            kv["costs_text"] = _csv_text(costs, ("feature", "cost", "frequency"))
    return Options(**kv)


def _column(data, name, required=True):
    if name is None:
        return None
    if pd is not None and isinstance(data, pd.DataFrame):
        if name in data.columns:
            return _values(data[name])
    elif name in data:
        return _values(data[name])
    if required:
        raise KeyError(f"crmkit.kano: the survey has no column '{name}'")
    return None


def _values(col):
    """A column as a numpy array, or as its pandas extension array (nullable integers, strings,
    categoricals), whose NA is a missing value."""
    if pd is not None and isinstance(col, pd.Series):
        return col.array if isinstance(col.dtype, pd.api.extensions.ExtensionDtype) else col.to_numpy()
    if pd is not None and isinstance(col, pd.api.extensions.ExtensionArray):
        return col
    return np.asarray(col)


def _missing(v):
    """None, NaN, pandas' NA / NaT: a missing value."""
    if isinstance(v, (str, bytes)):
        return False
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return True
    if pd is not None:
        try:
            return bool(pd.isna(v)) if np.ndim(v) == 0 else False
        except (TypeError, ValueError):  # pragma: no cover
            return False
    return False


def _strings(values):
    out = [b"" if _missing(v) else str(v).encode("utf-8") for v in values]
    return (c_char_p * len(out))(*out)


def _names(names):
    """char* array of dictionary names (already strings)."""
    return (c_char_p * len(names))(*[n.encode("utf-8") for n in names])


def _float_column(values, name):
    """float64 of a numeric column; None / NaN / pandas NA become NaN."""
    try:
        if pd is not None and isinstance(values, pd.api.extensions.ExtensionArray):
            return np.ascontiguousarray(values.to_numpy(dtype="float64", na_value=np.nan))
        a = np.asarray(values)
        if a.dtype == object:
            a = np.array([np.nan if _missing(v) else v for v in a], dtype=np.float64)
        return np.ascontiguousarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"crmkit.kano: column '{name}' must be numeric (blank / NaN = none)") from None


_INT32_MIN, _INT32_MAX = -(2 ** 31), 2 ** 31 - 1


def _answer_codes(values):
    """int32 answer codes (0 = missing) of an integer, float or pandas nullable integer column (NaN / NA
    = missing), or None when the column holds text (or fractional numbers) and must go as text so that
    messages quote the answers as given. Integers beyond int32 are clamped (still invalid, never
    wrapped into a valid or missing code)."""
    a = values
    if pd is not None and isinstance(a, pd.api.extensions.ExtensionArray):
        if not pd.api.types.is_integer_dtype(a.dtype):
            return None
        mask = np.asarray(pd.isna(a))
        a = np.asarray(a.to_numpy(dtype="float64", na_value=np.nan))
    else:
        a = np.asarray(a)
        if a.dtype.kind not in "iuf":
            return None
        mask = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, dtype=bool)
    if a.dtype.kind == "f":
        finite = a[~mask]
        if not np.all(np.isfinite(finite)) or np.any(finite != np.floor(finite)):
            return None
        a = np.where(mask, 0, a)
    out = np.clip(a, _INT32_MIN, _INT32_MAX).astype(np.int64)
    out[mask] = 0
    return np.ascontiguousarray(out, dtype=np.int32)


def factorize(values, blank=""):
    """(uint32 codes, names) of a column in order of first appearance; None / NaN become `blank`."""
    a = np.asarray(values)
    if pd is not None:
        codes, uniques = pd.factorize(a)
        names = [str(u) for u in uniques]
        if len(codes) and codes.min() < 0:
            codes = np.where(codes < 0, len(names), codes)
            names.append(blank)
    else:  # pragma: no cover
        names_arr, first, codes = np.unique(a.astype(str), return_index=True, return_inverse=True)
        order = np.argsort(first)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        codes = rank[codes]
        names = [str(x) for x in names_arr[order]]
    return np.ascontiguousarray(codes, dtype=np.uint32), names


def kano(survey, *, respondent_col="respondent", feature_col="feature", functional_col="functional",
         dysfunctional_col="dysfunctional", importance_col="importance", table="standard", words=None,
         invalid="fail", tie_threshold=None, fong_z=None, straightline_min_features=None,
         exclude_straightliners=False, questionable_share=None, exclude_questionable=False, costs=None,
         benefit_split=None, cost_split=None, frequency_split=None, words_file=None, missing="skip"):
    """Analyses a Kano survey and returns a KanoResult.

    ``survey``: a CSV path (columns respondent, feature, functional, dysfunctional, optional importance,
    cost, frequency), a DataFrame or a dict of columns (named by the ``*_col`` arguments; integer answer
    columns are codes with 0 = missing, other columns are text). ``table``: "standard" (Berger et al.
    1993), a file path, CSV text or a 5x5 list of letters. ``words``: {wording: code} replacing the
    default answer words (wordings may hold commas); ``words_file``: a CSV of wording,answer rows
    replacing them (``words`` is then added). Answers match after normalising typographic quotes,
    blanks and ASCII case. ``invalid``: answers outside the word map, "fail" (default: a ParseError
    listing every unknown wording with its count) or "skip" (counted in ``quality``); ``missing``:
    blank answers, "skip" (default, counted) or "fail". ``costs``: a path, a DataFrame / dict of columns
    (feature, cost, frequency) or {feature: cost}. Defaults of the numbers: docs/models/kano.md.
    """
    opts = _options(table, words, invalid, tie_threshold, fong_z, straightline_min_features, exclude_straightliners,
                    questionable_share, exclude_questionable, costs, benefit_split, cost_split, frequency_split,
                    words_file, missing)
    h = c_void_p()
    if isinstance(survey, (str, os.PathLike)):
        check(lib.crmkit_kano_read_csv(os.fspath(survey).encode(), opts.handle, byref(h)))
    else:
        resp = _column(survey, respondent_col)
        feat = _column(survey, feature_col)
        fu = _column(survey, functional_col)
        dy = _column(survey, dysfunctional_col)
        imp = _column(survey, importance_col, required=False)
        n = len(fu)
        named = ((respondent_col, resp), (feature_col, feat), (dysfunctional_col, dy), (importance_col, imp))
        for name, col in named:
            if col is not None and len(col) != n:
                raise ValueError(f"crmkit.kano: column '{name}' has {len(col)} rows, '{functional_col}' has {n}")
        ip = None
        keep = []
        if imp is not None:
            imp = _float_column(imp, importance_col)
            keep.append(imp)
            ip = imp.ctypes.data_as(POINTER(c_double))
        fa, da = _answer_codes(fu), _answer_codes(dy)
        if fa is not None and da is not None:
            # Dictionary-encode the ids here (pandas' factorize is far cheaper than one ctypes string per row).
            rc, rn = factorize(resp)
            fc, fnames = factorize(feat)
            rnames, fnames_c = _names(rn), _names(fnames)
            keep += [fa, da, rc, fc, rnames, fnames_c]
            u32 = POINTER(c_uint32)
            check(lib.crmkit_kano_analyze_coded(rc.ctypes.data_as(u32), rnames, len(rn), fc.ctypes.data_as(u32),
                                                fnames_c, len(fnames), fa.ctypes.data_as(POINTER(c_int32)),
                                                da.ctypes.data_as(POINTER(c_int32)), ip, n, opts.handle, byref(h)))
        else:
            rs, ft, fs, ds = _strings(resp), _strings(feat), _strings(fu), _strings(dy)
            keep += [rs, ft, fs, ds]
            check(lib.crmkit_kano_analyze(rs, ft, fs, ds, ip, n, opts.handle, byref(h)))
    try:
        length = c_int64()
        check(lib.crmkit_kano_to_json(h, None, 0, byref(length)))
        buf = ctypes.create_string_buffer(length.value + 1)
        check(lib.crmkit_kano_to_json(h, buf, length.value + 1, byref(length)))
        doc = json.loads(buf.value.decode("utf-8"))
    finally:
        lib.crmkit_kano_free(h)
    return KanoResult(doc)
