"""Churn models in the scikit-learn manner over the C ABI (crmkit/c/churn.h).

    >>> from crmkit.churn import LogisticRegression, roc_auc_score, read_features
    >>> t = read_features("customers.csv", label="churned", id_col="customer_id")
    >>> m = LogisticRegression(penalty="l2", C=1.0, standardize=True).fit(t.X, t.y)
    >>> m.predict_proba(t.X)[:, 1], m.coef_, m.odds_ratios, m.summary()
    >>> roc_auc_score(t.y, m.predict_proba(t.X)[:, 1])

``fit`` accepts numpy arrays or pandas DataFrames. A DataFrame's text columns are one-hot encoded in the
library (the first level in sorted order is the reference and gets no column; docs/models/logistic.md),
and the encoding is kept with the model so ``predict_proba`` on a new DataFrame encodes it the same way.
Labels may be 0/1, booleans or the strings true/false, yes/no (any case).
"""
import ctypes
import json
import math
from ctypes import POINTER, byref, c_char_p, c_double, c_int32, c_int64, c_uint64, c_void_p

import numpy as np

from ._lib import Options, check, declare, lib, release_with

try:
    import pandas as pd
except ImportError:  # pragma: no cover
    pd = None

_DP = POINTER(c_double)
_P = c_void_p
_CPP = POINTER(c_char_p)
declare({
    "crmkit_churn_features_read_csv": (c_int32, [c_char_p, _P, POINTER(_P)]),
    "crmkit_churn_features_from_columns": (c_int32, [_CPP, POINTER(_DP), POINTER(_CPP), c_int64, c_int64, _DP, _CPP,
                                                     _P, POINTER(_P)]),
    "crmkit_churn_features_from_columns_for": (c_int32, [_P, _CPP, POINTER(_DP), POINTER(_CPP), c_int64, c_int64,
                                                         _CPP, POINTER(_P)]),
    "crmkit_churn_features_read_csv_for": (c_int32, [_P, c_char_p, _P, POINTER(_P)]),
    "crmkit_churn_features_shape": (c_int32, [_P, POINTER(c_int64), POINTER(c_int64)]),
    "crmkit_churn_features_name": (c_int32, [_P, c_int64, POINTER(c_char_p)]),
    "crmkit_churn_features_matrix": (c_int32, [_P, _DP, c_int64]),
    "crmkit_churn_features_label": (c_int32, [_P, _DP, c_int64, POINTER(c_int32)]),
    "crmkit_churn_features_id": (c_int32, [_P, c_int64, POINTER(c_char_p)]),
    "crmkit_churn_features_dropped": (c_int32, [_P, POINTER(c_int64)]),
    "crmkit_churn_features_free": (c_int32, [_P]),
    "crmkit_logit_fit": (c_int32, [_DP, c_int64, c_int64, _DP, _DP, _CPP, _P, POINTER(_P)]),
    "crmkit_logit_fit_features": (c_int32, [_P, _DP, _P, POINTER(_P)]),
    "crmkit_logit_n_features": (c_int32, [_P, POINTER(c_int64)]),
    "crmkit_logit_coef": (c_int32, [_P, c_int64, POINTER(c_char_p), _DP, _DP, _DP]),
    "crmkit_logit_intercept": (c_int32, [_P, _DP, _DP]),
    "crmkit_logit_fit_info": (c_int32, [_P, POINTER(c_int32), POINTER(c_int32), _DP, _DP]),
    "crmkit_logit_predict": (c_int32, [_P, c_char_p, _DP, c_int64, c_int64, _DP]),
    "crmkit_logit_predict_features": (c_int32, [_P, c_char_p, _P, _DP, c_int64]),
    "crmkit_logit_drivers": (c_int32, [_P, _DP, c_int64, c_int64, POINTER(c_int64), _DP, POINTER(c_int64)]),
    "crmkit_logit_to_json": (c_int32, [_P, c_char_p, c_int64, POINTER(c_int64)]),
    "crmkit_logit_from_json": (c_int32, [c_char_p, POINTER(_P)]),
    "crmkit_logit_free": (c_int32, [_P]),
    "crmkit_churn_metric": (c_int32, [c_char_p, _DP, _DP, c_int64, _DP]),
    "crmkit_churn_roc_curve": (c_int32, [_DP, _DP, c_int64, _DP, _DP, _DP, c_int64, POINTER(c_int64)]),
    "crmkit_churn_lift_table": (c_int32, [_DP, _DP, c_int64, c_int64, _DP]),
    "crmkit_churn_calibration_table": (c_int32, [_DP, _DP, c_int64, c_int64, _DP]),
    "crmkit_churn_confusion": (c_int32, [_DP, _DP, c_int64, c_double, _DP]),
    "crmkit_churn_stratified_folds": (c_int32, [_DP, c_int64, c_int64, c_uint64, POINTER(c_int32)]),
    "crmkit_churn_cross_validate": (c_int32, [_DP, c_int64, c_int64, _DP, _P, _DP, _DP]),
})

_TRUE = {"1", "true", "yes", "t", "y"}
_FALSE = {"0", "false", "no", "f", "n"}


def _ptr(a):
    return a.ctypes.data_as(_DP)


def _labels(y):
    """0/1 float64 array from 0/1, booleans or true/false/yes/no text."""
    a = np.asarray(y.values if hasattr(y, "values") else y)
    if a.dtype == bool:
        return a.astype(np.float64)
    if a.dtype.kind in "iuf":
        out = np.ascontiguousarray(a, dtype=np.float64)
        bad = ~np.isin(out, (0.0, 1.0))
        if bad.any():
            raise ValueError(f"labels must be 0 or 1; found {out[bad][0]!r} at position {int(np.argmax(bad))}")
        return out
    out = np.empty(len(a), dtype=np.float64)
    for i, v in enumerate(a):
        t = str(v).strip().lower()
        if t in _TRUE:
            out[i] = 1.0
        elif t in _FALSE:
            out[i] = 0.0
        else:
            raise ValueError(f"labels must be 0/1, true/false or yes/no; found {v!r} at position {i}")
    return out


def _vector(x, n=None, name="values"):
    a = np.ascontiguousarray(x.values if hasattr(x, "values") else x, dtype=np.float64).ravel()
    if n is not None and len(a) != n:
        raise ValueError(f"{name} has {len(a)} values, expected {n}")
    return a


def _matrix(X):
    """Column-major float64 matrix and feature names (None for arrays)."""
    names = None
    if pd is not None and isinstance(X, pd.DataFrame):
        names = [str(c) for c in X.columns]
        X = X.to_numpy(dtype=np.float64)
    a = np.asarray(X, dtype=np.float64)
    if a.ndim == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2:
        raise ValueError(f"X must be 2-dimensional, got shape {a.shape}")
    return np.asfortranarray(a), names


def _is_numeric_frame(X):
    return all(np.issubdtype(t, np.number) or t == bool for t in X.dtypes)


def _columns(X):
    """ctypes column arrays for crmkit_churn_features_from_columns* from a DataFrame (keep the result alive)."""
    names, nums, strs, keep = [], [], [], []
    for c in X.columns:
        col = X[c]
        names.append(str(c).encode())
        if np.issubdtype(col.dtype, np.number) or col.dtype == bool:
            a = np.ascontiguousarray(col.to_numpy(dtype=np.float64))
            keep.append(a)
            nums.append(_ptr(a))
            strs.append(None)
        else:
            vals = [None if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v).encode()
                    for v in col.tolist()]
            arr = (c_char_p * len(vals))(*vals)
            keep.append(arr)
            nums.append(None)
            strs.append(ctypes.cast(arr, _CPP))
    k = len(names)
    return ((c_char_p * k)(*names), (_DP * k)(*nums), (_CPP * k)(*strs), k, keep)


class _Features:
    """A crmkit_churn_features handle, read into numpy."""

    def __init__(self, h):
        self._h = h
        self._release = release_with(self, h, lib.crmkit_churn_features_free)

    def close(self):
        self._release()
        self._h = None

    def arrays(self):
        rows, cols = c_int64(), c_int64()
        check(lib.crmkit_churn_features_shape(self._h, byref(rows), byref(cols)))
        n, p = rows.value, cols.value
        names = []
        for j in range(p):
            s = c_char_p()
            check(lib.crmkit_churn_features_name(self._h, j, byref(s)))
            names.append(s.value.decode())
        x = np.empty((n, p), dtype=np.float64, order="F")
        check(lib.crmkit_churn_features_matrix(self._h, _ptr(x), n * p))
        has = c_int32()
        y = np.empty(n, dtype=np.float64)
        check(lib.crmkit_churn_features_label(self._h, _ptr(y), n, byref(has)))
        ids = None
        if n:
            s = c_char_p()
            check(lib.crmkit_churn_features_id(self._h, 0, byref(s)))
            if s.value is not None:
                ids = []
                for i in range(n):
                    check(lib.crmkit_churn_features_id(self._h, i, byref(s)))
                    ids.append(s.value.decode())
                ids = np.array(ids, dtype=object)
        return x, names, (y if has.value else None), ids

    def dropped(self):
        d = c_int64()
        check(lib.crmkit_churn_features_dropped(self._h, byref(d)))
        return d.value


class FeatureTable:
    """A feature table read from CSV: ``X`` (DataFrame when pandas is installed, else an array),
    ``y`` (0/1 array or None), ``ids`` (array or None), ``feature_names`` and ``dropped`` (rows left
    out under ``missing="drop"``)."""

    def __init__(self, X, y, ids, feature_names, dropped=0):
        self.X, self.y, self.ids, self.feature_names, self.dropped = X, y, ids, feature_names, dropped


def read_features(path, label=None, id_col=None, missing="error", unseen="error", categorical=None, exclude=None,
                  keep=None, max_levels=50):
    """Reads a customer table and encodes it: numeric columns as they are, text columns one-hot
    without their first sorted level. Missing numbers (blank, NA, N/A, NaN, null) are a ParseError
    naming file:line:column under ``missing="error"``; ``"impute"`` fills them with the mean and adds a
    ``<col>_missing`` column; ``"drop"`` leaves the row out (counted in ``dropped``). Id-like columns
    and text columns with more than ``max_levels`` categories (0 = no limit) are refused unless
    listed in ``keep`` (or named by ``id_col`` / ``exclude``)."""
    opts = Options(label=label, id=id_col, missing=missing, unseen=unseen,
                   categorical=list(categorical) if categorical else None, exclude=list(exclude) if exclude else None,
                   keep=list(keep) if keep else None, max_levels=int(max_levels))
    h = c_void_p()
    check(lib.crmkit_churn_features_read_csv(str(path).encode(), opts.handle, byref(h)))
    f = _Features(h)
    try:
        x, names, y, ids = f.arrays()
        dropped = f.dropped()
    finally:
        f.close()
    X = pd.DataFrame(x, columns=names) if pd is not None else x
    if pd is not None and ids is not None:
        X.index = pd.Index(ids, name=id_col)
    return FeatureTable(X, y, ids, names, dropped)


class LogisticRegression:
    """Regularised logistic regression with scikit-learn's objective and parameters.

    penalty: "l2" (default), "l1", "elasticnet" or None/"none"; C: inverse strength; l1_ratio: the
    elastic-net mix; standardize: fit on standardised columns (the penalty then acts on standardised
    coefficients; ``coef_`` is on the original scale); class_weight: None, "balanced" or {0: w0, 1: w1};
    missing / unseen: how a DataFrame's missing numbers ("error" or "impute"; drop rows with
    DataFrame.dropna) and unseen text levels are handled; max_levels / keep: a DataFrame's text columns
    with more categories than max_levels (0 = no limit) and id-like columns are refused unless in keep.
    """

    def __init__(self, penalty="l2", C=1.0, l1_ratio=None, fit_intercept=True, standardize=False, class_weight=None,
                 max_iter=100, tol=1e-8, missing="error", unseen="error", max_levels=50, keep=None):
        self.penalty, self.C, self.l1_ratio = penalty, C, l1_ratio
        self.fit_intercept, self.standardize, self.class_weight = fit_intercept, standardize, class_weight
        self.max_iter, self.tol, self.missing, self.unseen = max_iter, tol, missing, unseen
        self.max_levels, self.keep = max_levels, keep
        self._h = None
        self._encoded = False

    # -- handle ---------------------------------------------------------------------------------------

    def _options(self):
        cw = self.class_weight
        if isinstance(cw, dict):
            cw = f"{float(cw.get(0, 1.0))!r},{float(cw.get(1, 1.0))!r}"
        return Options(penalty="none" if self.penalty in (None, "none") else self.penalty, C=repr(float(self.C)),
                       l1_ratio=None if self.l1_ratio is None else repr(float(self.l1_ratio)),
                       fit_intercept=bool(self.fit_intercept), standardize=bool(self.standardize), class_weight=cw,
                       max_iterations=int(self.max_iter), tolerance=repr(float(self.tol)))

    def _adopt(self, h):
        old = getattr(self, "_release", None)
        if old is not None:
            old()
        self._h = h
        self._release = release_with(self, h, lib.crmkit_logit_free)
        p = c_int64()
        check(lib.crmkit_logit_n_features(h, byref(p)))
        names, coef, se = [], np.empty(p.value), np.empty(p.value)
        for j in range(p.value):
            s, c, e = c_char_p(), c_double(), c_double()
            check(lib.crmkit_logit_coef(h, j, byref(s), byref(c), byref(e), None))
            names.append(s.value.decode())
            coef[j], se[j] = c.value, e.value
        b, bse = c_double(), c_double()
        check(lib.crmkit_logit_intercept(h, byref(b), byref(bse)))
        conv, iters, ll = c_int32(), c_int32(), c_double()
        check(lib.crmkit_logit_fit_info(h, byref(conv), byref(iters), byref(ll), None))
        self.feature_names_ = np.array(names, dtype=object)
        self.coef_ = coef.reshape(1, -1)
        self.intercept_ = np.array([b.value])
        self.standard_errors_ = se
        self.intercept_std_error_ = bse.value
        self.n_iter_ = np.array([iters.value])
        self.converged_ = bool(conv.value)
        self.log_likelihood_ = ll.value
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = len(getattr(self, "feature_names_in_", names))
        return self

    # -- fitting --------------------------------------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        yv = _labels(y)
        w = None if sample_weight is None else _vector(sample_weight, len(yv), "sample_weight")
        opts = self._options()
        h = c_void_p()
        if pd is not None and isinstance(X, pd.DataFrame) and not _is_numeric_frame(X):
            if len(X) != len(yv):
                raise ValueError(f"X has {len(X)} rows but y has {len(yv)}")
            names, nums, strs, k, keep = _columns(X)
            if self.missing not in ("error", "impute"):
                raise ValueError(f"missing must be 'error' or 'impute' (drop rows with DataFrame.dropna), "
                                 f"got {self.missing!r}")
            fo = Options(missing=self.missing, unseen=self.unseen, max_levels=int(self.max_levels),
                         keep=list(self.keep) if self.keep else None)
            fh = c_void_p()
            check(lib.crmkit_churn_features_from_columns(names, nums, strs, k, len(X), _ptr(yv), None, fo.handle,
                                                         byref(fh)))
            f = _Features(fh)
            try:
                check(lib.crmkit_logit_fit_features(fh, None if w is None else _ptr(w), opts.handle, byref(h)))
            finally:
                f.close()
            del keep
            self._encoded = True
            self.feature_names_in_ = np.array([str(c) for c in X.columns], dtype=object)
        else:
            x, names = _matrix(X)
            n, p = x.shape
            if n != len(yv):
                raise ValueError(f"X has {n} rows but y has {len(yv)}")
            cn = None if names is None else (c_char_p * p)(*[s.encode() for s in names])
            check(lib.crmkit_logit_fit(_ptr(x), n, p, _ptr(yv), None if w is None else _ptr(w), cn, opts.handle,
                                       byref(h)))
            self._encoded = False
            if names is not None:
                self.feature_names_in_ = np.array(names, dtype=object)
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        return self._adopt(h)

    def _check_fitted(self):
        if not self._h:
            raise RuntimeError("this LogisticRegression is not fitted yet; call fit() first")

    def _predict(self, X, what):
        self._check_fitted()
        if self._encoded:
            if not (pd is not None and isinstance(X, pd.DataFrame)):
                raise ValueError("this model was fitted on a DataFrame with text columns; predict on a DataFrame "
                                 "with the same columns")
            names, nums, strs, k, keep = _columns(X)
            fh = c_void_p()
            check(lib.crmkit_churn_features_from_columns_for(self._h, names, nums, strs, k, len(X), None, byref(fh)))
            f = _Features(fh)
            try:
                out = np.empty(len(X))
                check(lib.crmkit_logit_predict_features(self._h, what, fh, _ptr(out), len(out)))
            finally:
                f.close()
            del keep
            return out
        if pd is not None and isinstance(X, pd.DataFrame) and hasattr(self, "feature_names_in_"):
            missing = [c for c in self.feature_names_in_ if c not in X.columns]
            if missing:
                raise ValueError(f"X lacks the fitted columns {missing}")
            X = X[list(self.feature_names_in_)]
        x, _ = _matrix(X)
        out = np.empty(x.shape[0])
        check(lib.crmkit_logit_predict(self._h, what, _ptr(x), x.shape[0], x.shape[1], _ptr(out)))
        return out

    def decision_function(self, X):
        """x.w + b per row."""
        return self._predict(X, b"decision")

    def predict_proba(self, X):
        """(n, 2) array: P(class 0), P(class 1) — as scikit-learn."""
        p = self._predict(X, b"proba")
        return np.column_stack([1.0 - p, p])

    def predict(self, X):
        """1 where the decision function is > 0 (P > 1/2), as scikit-learn."""
        return (self.decision_function(X) > 0).astype(np.int64)

    # -- results --------------------------------------------------------------------------------------
    @property
    def odds_ratios(self):
        """exp(coef) per feature (a Series with the feature names when pandas is installed)."""
        self._check_fitted()
        r = np.exp(self.coef_[0])
        return pd.Series(r, index=list(self.feature_names_)) if pd is not None else r

    def summary(self):
        """coef, std_error, z, p_value (two-sided normal; NaN for penalised fits) and odds_ratio, with
        the intercept first."""
        self._check_fitted()
        names = ["intercept"] + list(self.feature_names_)
        coef = np.concatenate([self.intercept_, self.coef_[0]])
        se = np.concatenate([[self.intercept_std_error_], self.standard_errors_])
        with np.errstate(invalid="ignore", divide="ignore"):
            z = coef / se
        p = np.array([math.erfc(abs(v) / math.sqrt(2)) if np.isfinite(v) else np.nan for v in z])
        cols = {"coef": coef, "std_error": se, "z": z, "p_value": p, "odds_ratio": np.exp(coef)}
        return pd.DataFrame(cols, index=names) if pd is not None else dict(cols, feature=names)

    def drivers(self, x_row, n=3):
        """[(feature name, contribution)] of one row: the n largest positive coef * (x - training mean)."""
        self._check_fitted()
        row = _vector(x_row)
        feat = np.empty(max(n, 1), dtype=np.int64)
        contrib = np.empty(max(n, 1))
        count = c_int64()
        check(lib.crmkit_logit_drivers(self._h, _ptr(row), len(row), n, feat.ctypes.data_as(POINTER(c_int64)),
                                       _ptr(contrib), byref(count)))
        return [(self.feature_names_[feat[k]], float(contrib[k])) for k in range(count.value)]

    def early_warning(self, X, top_k=10, n_drivers=3, ids=None):
        """The top_k rows by risk with their drivers: columns id (or row), risk, drivers ("a; b; c")."""
        if self._encoded:
            raise ValueError("early_warning needs numeric columns (use read_features for text columns)")
        risk = self.predict_proba(X)[:, 1]
        x, _ = _matrix(X[list(self.feature_names_in_)] if (pd is not None and isinstance(X, pd.DataFrame)
                                                              and hasattr(self, "feature_names_in_")) else X)
        order = np.lexsort((np.arange(len(risk)), -risk))[:top_k]
        if ids is None and pd is not None and isinstance(X, pd.DataFrame):
            ids = X.index.to_numpy()
        key = np.asarray(ids)[order] if ids is not None else order
        drv = ["; ".join(f"{nm} (+{c:.3g})" for nm, c in self.drivers(x[i], n_drivers)) for i in order]
        cols = {"id": key, "risk": risk[order], "drivers": drv}
        return pd.DataFrame(cols) if pd is not None else cols

    # -- persistence ----------------------------------------------------------------------------------
    def to_json(self):
        self._check_fitted()
        n = c_int64()
        check(lib.crmkit_logit_to_json(self._h, None, 0, byref(n)))
        buf = ctypes.create_string_buffer(n.value + 1)
        check(lib.crmkit_logit_to_json(self._h, buf, n.value + 1, byref(n)))
        return buf.value.decode("utf-8")

    @classmethod
    def from_json(cls, text):
        """A model from the JSON of to_json() or `crmkit churn train -o`."""
        h = c_void_p()
        check(lib.crmkit_logit_from_json(text.encode(), byref(h)))  # the library's checks first (depth, numbers)
        d = json.loads(text)
        o = d.get("options", {})
        m = cls(penalty=o.get("penalty", "l2"), C=o.get("C", 1.0), l1_ratio=o.get("l1_ratio"),
                fit_intercept=o.get("fit_intercept", True), standardize=o.get("standardize", False))
        m._encoded = "encoding" in d and any(c.get("type") == "categorical" for c in d["encoding"].get("columns", []))
        if "encoding" in d:
            m.feature_names_in_ = np.array([c["name"] for c in d["encoding"]["columns"]], dtype=object)
        else:
            m.feature_names_in_ = np.array(d["feature_names"], dtype=object)
        return m._adopt(h)

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_json())

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls.from_json(f.read())


# -- metrics (scikit-learn's definitions; docs/models/metrics.md) ----------------------------------------
def _pair(y_true, y_score):
    y = _labels(y_true)
    s = _vector(y_score, len(y), "y_score")
    return y, s


def _metric(name, y_true, y_score):
    y, s = _pair(y_true, y_score)
    out = c_double()
    check(lib.crmkit_churn_metric(name, _ptr(s), _ptr(y), len(y), byref(out)))
    return out.value


def roc_auc_score(y_true, y_score):
    """ROC AUC with ties as one diagonal step (= sklearn.metrics.roc_auc_score)."""
    return _metric(b"auc", y_true, y_score)


def average_precision_score(y_true, y_score):
    """PR AUC as average precision (= sklearn.metrics.average_precision_score)."""
    return _metric(b"pr_auc", y_true, y_score)


def log_loss(y_true, y_prob):
    """Mean log-loss with probabilities clipped to [eps, 1 - eps] (= sklearn.metrics.log_loss)."""
    return _metric(b"log_loss", y_true, y_prob)


def brier_score_loss(y_true, y_prob):
    """Mean squared error of the probabilities (= sklearn.metrics.brier_score_loss)."""
    return _metric(b"brier", y_true, y_prob)


def roc_curve(y_true, y_score):
    """fpr, tpr, thresholds at every distinct threshold from +inf (roc_curve with drop_intermediate=False)."""
    y, s = _pair(y_true, y_score)
    n = c_int64()
    check(lib.crmkit_churn_roc_curve(_ptr(s), _ptr(y), len(y), None, None, None, 0, byref(n)))
    fpr, tpr, thr = np.empty(n.value), np.empty(n.value), np.empty(n.value)
    check(lib.crmkit_churn_roc_curve(_ptr(s), _ptr(y), len(y), _ptr(fpr), _ptr(tpr), _ptr(thr), n.value, byref(n)))
    return fpr, tpr, thr


_LIFT = ("bin", "count", "positives", "rate", "lift", "cumulative_gain", "cumulative_lift", "min_score", "max_score")
_CAL = ("lower", "upper", "count", "mean_predicted", "observed")


def _table(cols, a, ints):
    d = {c: (a[:, k].astype(np.int64) if c in ints else a[:, k]) for k, c in enumerate(cols)}
    return pd.DataFrame(d) if pd is not None else d


def lift_table(y_true, y_score, bins=10):
    """Lift and cumulative gains by score group (deciles by default), highest scores first."""
    y, s = _pair(y_true, y_score)
    out = np.empty((bins, len(_LIFT)))
    check(lib.crmkit_churn_lift_table(_ptr(s), _ptr(y), len(y), bins, _ptr(out)))
    return _table(_LIFT, out, {"bin", "count"})


def calibration_table(y_true, y_prob, bins=10):
    """Observed churn rate against mean predicted probability in equal-width bins (empty bins kept, NaN)."""
    y, s = _pair(y_true, y_prob)
    out = np.empty((bins, len(_CAL)))
    check(lib.crmkit_churn_calibration_table(_ptr(s), _ptr(y), len(y), bins, _ptr(out)))
    return _table(_CAL, out, {"count"})


def confusion(y_true, y_score, threshold=0.5):
    """{tp, fp, tn, fn, precision, recall, accuracy, f1} with score >= threshold predicted positive."""
    y, s = _pair(y_true, y_score)
    out = np.empty(8)
    check(lib.crmkit_churn_confusion(_ptr(s), _ptr(y), len(y), float(threshold), _ptr(out)))
    keys = ("tp", "fp", "tn", "fn", "precision", "recall", "accuracy", "f1")
    return {k: (int(v) if i < 4 else float(v)) for i, (k, v) in enumerate(zip(keys, out))}


def stratified_folds(y, k=5, seed=0):
    """Fold 0..k-1 of each row: classes shuffled with a seeded Mersenne Twister and dealt round-robin."""
    yv = _labels(y)
    out = np.empty(len(yv), dtype=np.int32)
    check(lib.crmkit_churn_stratified_folds(_ptr(yv), len(yv), k, seed, out.ctypes.data_as(POINTER(c_int32))))
    return out


def cross_validate(X, y, k=5, seed=0, **params):
    """Stratified k-fold CV of LogisticRegression(**params) on numeric X: {"metrics": mean over folds of
    auc, pr_auc, log_loss, brier; "pooled": the same over all out-of-fold predictions; "probability":
    the out-of-fold P(churn)}."""
    m = LogisticRegression(**params)
    x, _ = _matrix(X)
    yv = _labels(y)
    opts = m._options()
    check(lib.crmkit_options_set(opts.handle, b"k", str(int(k)).encode()))
    check(lib.crmkit_options_set(opts.handle, b"seed", str(int(seed)).encode()))
    prob, met = np.empty(len(yv)), np.empty(8)
    check(lib.crmkit_churn_cross_validate(_ptr(x), x.shape[0], x.shape[1], _ptr(yv), opts.handle, _ptr(prob),
                                          _ptr(met)))
    keys = ("auc", "pr_auc", "log_loss", "brier")
    return {"metrics": dict(zip(keys, met[:4])), "pooled": dict(zip(keys, met[4:])), "probability": prob}


__all__ = ["LogisticRegression", "FeatureTable", "read_features", "roc_auc_score", "average_precision_score",
           "log_loss", "brier_score_loss", "roc_curve", "lift_table", "calibration_table", "confusion",
           "stratified_folds", "cross_validate"]

# Churn indicators at a cutoff and escalation rules live in crmkit.interactions (crmkit/c/interactions.h).
from .interactions import Interactions, escalate, features, read_interactions  # noqa: E402

__all__ += ["features", "escalate", "read_interactions", "Interactions"]
