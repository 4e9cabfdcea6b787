"""CLV models with lifetimes-style fitters over the C ABI (crmkit/c/clv.h).

    >>> from crmkit.clv import BgNbd, GammaGamma      # also MBgNbd, ParetoNBD (same methods)
    >>> bg = BgNbd().fit(summary["frequency"], summary["recency"], summary["T"])   # or .fit(summary)
    >>> bg.params_
    >>> bg.conditional_expected_number_of_purchases_up_to_time(39, summary["frequency"], summary["recency"], summary["T"])
    >>> gg = GammaGamma().fit(repeat["frequency"], repeat["monetary_value"])
    >>> gg.customer_lifetime_value(bg, f, r, T, m, time=12, discount_rate=0.01, freq="D")

Summary DataFrames may use lifetimes' column names (frequency, recency, T, monetary_value) or Fader &
Hardie's (x, t_x, T, zbar). Methods take numpy arrays, pandas Series or lists and return numpy arrays
(a Series when the input was one, keeping its index).
"""
import ctypes
import json
from ctypes import POINTER, byref, c_char_p, c_double, c_int32, c_int64, c_void_p

import numpy as np

from ._errors import InvalidArgumentError
from ._lib import declare
from ._lib import Options, check, lib, release_with

try:
    import pandas as pd
except ImportError:  # pragma: no cover
    pd = None

_DP = POINTER(c_double)
_P = c_void_p
declare({
    "crmkit_clv_fit": (c_int32, [c_char_p, _DP, _DP, _DP, _DP, _DP, c_int64, _P, POINTER(_P)]),
    "crmkit_clv_from_params": (c_int32, [c_char_p, _DP, c_int64, POINTER(_P)]),
    "crmkit_clv_from_json": (c_int32, [c_char_p, POINTER(_P)]),
    "crmkit_clv_to_json": (c_int32, [_P, c_char_p, c_int64, POINTER(c_int64)]),
    "crmkit_clv_model_key": (c_int32, [_P, POINTER(c_char_p)]),
    "crmkit_clv_param_count": (c_int32, [_P, POINTER(c_int64)]),
    "crmkit_clv_param": (c_int32, [_P, c_int64, POINTER(c_char_p), _DP, _DP]),
    "crmkit_clv_fit_info": (c_int32, [_P, POINTER(c_int32), _DP, POINTER(c_int32), POINTER(c_int32), _DP]),
    "crmkit_clv_predict": (c_int32, [_P, c_char_p, c_double, _DP, _DP, _DP, _DP, c_int64, _DP]),
    "crmkit_clv_value": (c_int32, [_P, _P, _DP, _DP, _DP, _DP, c_int64, _P, _DP]),
    "crmkit_clv_free": (c_int32, [_P]),
    "crmkit_clv_fit_columns": (c_int32, [c_char_p, POINTER(c_char_p), POINTER(_DP), c_int64, c_int64, _P, POINTER(_P)]),
    "crmkit_clv_predict_columns": (c_int32, [_P, c_char_p, c_double, POINTER(c_char_p), POINTER(_DP), c_int64, c_int64,
                                             _DP]),
})


def _named(cols):
    """(names, columns, n, keep) for the *_columns functions from {name: array}."""
    cols = {k: v for k, v in cols.items() if v is not None}
    n = len(next(iter(cols.values())))
    arrays = [_array(v, n, k) for k, v in cols.items()]
    names = (c_char_p * len(arrays))(*[k.encode() for k in cols])
    ptrs = (_DP * len(arrays))(*[_ptr(a) for a in arrays])
    return names, ptrs, len(arrays), n, arrays

_ALIASES = {"frequency": ("frequency", "x"), "recency": ("recency", "t_x"), "T": ("T",),
            "monetary_value": ("monetary_value", "zbar", "m_x"), "weights": ("weights", "weight", "count")}
_FREQ = {"D": 30.0, "W": 4.345, "M": 1.0, "H": 30.0 * 24}


def _column(df, role, required=True):
    for name in _ALIASES[role]:
        if name in df.columns:
            return df[name]
    if required:
        raise KeyError(f"the summary has no {role} column (one of {', '.join(_ALIASES[role])}); "
                       f"columns: {', '.join(map(str, df.columns))}")
    return None


def _array(x, n=None, name="column"):
    if x is None:
        return None
    a = np.ascontiguousarray(np.asarray(x, dtype=np.float64))
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if n is not None and a.shape[0] != n:
        raise ValueError(f"{name} has {a.shape[0]} values, expected {n}")
    return a


def _ptr(a):
    return None if a is None else a.ctypes.data_as(_DP)


def _wrap(values, like):
    if pd is not None and isinstance(like, pd.Series):
        return pd.Series(values, index=like.index)
    return values


class _Model:
    """A fitted (or given) model behind a crmkit_clv_model handle."""

    _key = None
    _roles = ()

    def __init__(self, penalizer_coef=0.0):
        self.penalizer_coef = penalizer_coef
        self._h = None

    # -- handle management ------------------------------------------------------------------------------
    def _set(self, h):
        old = getattr(self, "_release", None)
        if old is not None:
            old()
        self._h = h
        self._release = release_with(self, h, lib.crmkit_clv_free)
        return self

    def _require(self):
        if not self._h:
            raise RuntimeError(f"{type(self).__name__} is not fitted; call fit() or from_params() first")

    # -- fitting --------------------------------------------------------------------------------------------
    def _fit(self, cols, weights, **options):
        n = len(next(c for c in cols.values() if c is not None))
        arrays = {k: _array(v, n, k) for k, v in cols.items()}
        w = _array(weights, n, "weights")
        opts = Options(penalizer=self.penalizer_coef, **options)
        h = c_void_p()
        check(lib.crmkit_clv_fit(self._key.encode(), _ptr(arrays.get("frequency")), _ptr(arrays.get("recency")),
                                 _ptr(arrays.get("T")), _ptr(arrays.get("monetary_value")), _ptr(w), n,
                                 opts.handle, byref(h)))
        return self._set(h)

    @classmethod
    def from_params(cls, params):
        """A model from given parameters: a dict/Series by name or a sequence in the model's order."""
        m = cls()
        if hasattr(params, "keys"):
            names = cls._param_names
            params = [params[k] for k in names]
        v = _array(params, name="params")
        h = c_void_p()
        check(lib.crmkit_clv_from_params(cls._key.encode(), _ptr(v), len(v), byref(h)))
        return m._set(h)

    # -- results --------------------------------------------------------------------------------------------
    def _params(self):
        self._require()
        n = c_int64()
        check(lib.crmkit_clv_param_count(self._h, byref(n)))
        names, values, errors = [], [], []
        for i in range(n.value):
            name, v, se = c_char_p(), c_double(), c_double()
            check(lib.crmkit_clv_param(self._h, i, byref(name), byref(v), byref(se)))
            names.append(name.value.decode())
            values.append(v.value)
            errors.append(se.value)
        return names, values, errors

    @property
    def params_(self):
        names, values, _ = self._params()
        return pd.Series(values, index=names, name="coef") if pd is not None else dict(zip(names, values))

    @property
    def standard_errors_(self):
        names, _, errors = self._params()
        return pd.Series(errors, index=names, name="se(coef)") if pd is not None else dict(zip(names, errors))

    def _info(self):
        self._require()
        fitted, ll, conv, it, gn = c_int32(), c_double(), c_int32(), c_int32(), c_double()
        check(lib.crmkit_clv_fit_info(self._h, byref(fitted), byref(ll), byref(conv), byref(it), byref(gn)))
        return fitted.value, ll.value, bool(conv.value), it.value, gn.value

    @property
    def log_likelihood_(self):
        fitted, ll, *_ = self._info()
        return ll if fitted else None

    @property
    def converged_(self):
        fitted, _, conv, *_ = self._info()
        return conv if fitted else None

    @property
    def iterations_(self):
        return self._info()[3]

    @property
    def status_(self):
        """How the fit ended: "converged", "max_iterations", "line_search_failed" or "boundary"; None
        for a model made from parameters."""
        return json.loads(self.to_json()).get("status")

    @property
    def limit_(self):
        """The limiting model a boundary optimum was reported as (Pareto/NBD: "nbd"), else None."""
        return json.loads(self.to_json()).get("limit")

    @property
    def summary(self):
        """Estimates with standard errors and 95% Wald intervals (lifetimes' summary columns)."""
        names, values, errors = self._params()
        v, se = np.array(values), np.array(errors)
        data = {"coef": v, "se(coef)": se, "lower 95% bound": v - 1.96 * se, "upper 95% bound": v + 1.96 * se}
        return pd.DataFrame(data, index=names) if pd is not None else data

    def to_json(self):
        self._require()
        n = c_int64()
        check(lib.crmkit_clv_to_json(self._h, None, 0, byref(n)))
        buf = ctypes.create_string_buffer(n.value + 1)
        check(lib.crmkit_clv_to_json(self._h, buf, n.value + 1, byref(n)))
        return buf.value.decode()

    def save_model(self, path):
        """Writes the model file (the same JSON as `crmkit fit`)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_json() + "\n")

    @classmethod
    def load_model(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls.from_json(f.read())

    @classmethod
    def from_json(cls, text):
        h = c_void_p()
        check(lib.crmkit_clv_from_json(text.encode(), byref(h)))  # the library's checks first (depth, numbers)
        model = cls()._set(h)
        key = json.loads(text).get("model")  # a JSON object of bounded depth by now
        if key not in (cls._key, cls._typed):
            raise InvalidArgumentError(f"crmkit: the JSON holds a {key!r} model, not {cls._key!r}")
        return model

    def _predict(self, what, horizon, frequency=None, recency=None, T=None, monetary_value=None, n=None):
        self._require()
        like = next((c for c in (frequency, monetary_value) if c is not None), None)
        if n is None:
            n = len(_array(like)) if like is not None else 1
        cols = [_array(c, n, name) for c, name in
                ((frequency, "frequency"), (recency, "recency"), (T, "T"), (monetary_value, "monetary_value"))]
        out = np.empty(n, dtype=np.float64)
        check(lib.crmkit_clv_predict(self._h, what.encode(), float(horizon), *(_ptr(c) for c in cols), n, _ptr(out)))
        return _wrap(out, like)

    def __repr__(self):
        if not self._h:
            return f"<crmkit.clv.{type(self).__name__}: not fitted>"
        names, values, _ = self._params()
        inner = ", ".join(f"{k}: {v:.4g}" for k, v in zip(names, values))
        return f"<crmkit.clv.{type(self).__name__}: {inner}>"


class _RepeatPurchaseModel(_Model):
    """Continuous-time repeat-purchase models (BG/NBD, MBG/NBD, Pareto/NBD): one set of methods, lifetimes'
    names."""

    def fit(self, frequency, recency=None, T=None, weights=None, max_iterations=None, tolerance=None,
            initial_params=None):
        """Fits on per-customer frequency, recency and T (one time unit), or on a summary DataFrame."""
        if recency is None and T is None and pd is not None and isinstance(frequency, pd.DataFrame):
            df = frequency
            frequency, recency, T = _column(df, "frequency"), _column(df, "recency"), _column(df, "T")
            if weights is None:
                weights = _column(df, "weights", required=False)
        return self._fit({"frequency": frequency, "recency": recency, "T": T}, weights,
                         max_iterations=max_iterations, tolerance=tolerance, initial_params=initial_params)

    def conditional_probability_alive(self, frequency, recency, T):
        return self._predict("p_alive", 0, frequency, recency, T)

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        """Expected purchases in (T, T + t] given each customer's history (FHL 2005 eq. 10)."""
        return self._predict("conditional_expected_purchases", t, frequency, recency, T)

    def expected_number_of_purchases_up_to_time(self, t):
        """E[X(t)] for a new customer; t a number or an array of horizons."""
        ts = np.atleast_1d(np.asarray(t, dtype=np.float64))
        out = np.array([self._predict("expected_purchases", v, n=1)[0] for v in ts])
        return out if np.ndim(t) else float(out[0])

    def probability_of_n_purchases_up_to_time(self, t, n):
        """P(X(t) = n) for a new customer; n a number or an array."""
        ns = np.atleast_1d(np.asarray(n, dtype=np.float64))
        out = self._predict("probability_of_n_purchases", t, ns)
        return out if np.ndim(n) else float(out[0])

    def discounted_expected_residual_transactions(self, discount_rate, frequency, recency, T):
        """DERT: expected future purchases discounted continuously at `discount_rate` per time unit of recency
        and T (e.g. 0.15 a year = 0.0027 a week; a monthly rate d is log(1 + d) / 4.345 a week). Pareto/NBD by
        its closed form (Fader, Hardie & Lee 2005, "RFM and CLV"), BG/NBD and MBG/NBD by quadrature of the
        conditional expectation (docs/models/bg_nbd.md)."""
        return self._predict("dert", discount_rate, frequency, recency, T)

    dert = discounted_expected_residual_transactions
    predict = conditional_expected_number_of_purchases_up_to_time


class BgNbd(_RepeatPurchaseModel):
    """BG/NBD (Fader, Hardie & Lee 2005); lifetimes' BetaGeoFitter. Parameters r, alpha, a, b."""

    _key, _typed = "bgnbd", "bg_nbd"
    _param_names = ("r", "alpha", "a", "b")


class MBgNbd(_RepeatPurchaseModel):
    """MBG/NBD (Batislam, Denizel & Filiztekin 2007); lifetimes' ModifiedBetaGeoFitter. Parameters r, alpha, a,
    b. Unlike BG/NBD, a customer may drop out right after the first purchase, so P(alive) < 1 also without
    repeat purchases."""

    _key, _typed = "mbgnbd", "mbg_nbd"
    _param_names = ("r", "alpha", "a", "b")


class ParetoNBD(_RepeatPurchaseModel):
    """Pareto/NBD (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005); lifetimes' ParetoNBDFitter.
    Parameters r, alpha, s, beta."""

    _key, _typed = "pnbd", "pareto_nbd"
    _param_names = ("r", "alpha", "s", "beta")


class GammaGamma(_Model):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005); lifetimes' GammaGammaFitter. Parameters p, q, gamma."""

    _key, _typed = "gg", "gamma_gamma"
    _param_names = ("p", "q", "gamma")

    def fit(self, frequency, monetary_value=None, weights=None, max_iterations=None, tolerance=None,
            initial_params=None, zero_spend=None):
        """Fits on repeat buyers' frequency and mean spend (rows with frequency 0 are ignored), or on a
        summary DataFrame. Repeat buyers whose mean spend is 0 (the model needs spend > 0) are left out
        and counted in ``n_zero_spend_skipped_`` (``zero_spend="skip"``, the default), or refused with
        the customer row named (``zero_spend="error"``)."""
        if monetary_value is None and pd is not None and isinstance(frequency, pd.DataFrame):
            df = frequency
            frequency, monetary_value = _column(df, "frequency"), _column(df, "monetary_value")
            if weights is None:
                weights = _column(df, "weights", required=False)
        return self._fit({"frequency": frequency, "monetary_value": monetary_value}, weights,
                         max_iterations=max_iterations, tolerance=tolerance, initial_params=initial_params,
                         zero_spend=zero_spend)

    @property
    def n_zero_spend_skipped_(self):
        """The (weighted) repeat buyers with a mean spend of 0 that the fit left out (zero_spend="skip")."""
        return json.loads(self.to_json()).get("n_zero_spend_skipped")

    def conditional_expected_average_profit(self, frequency=None, monetary_value=None):
        """E[M | x, m_x]; without arguments the population mean p gamma / (q - 1)."""
        if frequency is None:
            return float(self._predict("expected_spend", 0, n=1)[0])
        return self._predict("conditional_expected_spend", 0, frequency, monetary_value=monetary_value)

    def customer_lifetime_value(self, transaction_prediction_model, frequency, recency, T, monetary_value, time=12,
                                discount_rate=0.01, freq="D", margin=1.0, method="monthly"):
        """lifetimes' customer_lifetime_value: `time` months, monthly `discount_rate`, `freq` the time unit of
        recency and T ("D", "W", "M", "H"); `margin` multiplies the value (crmkit's addition).

        method="dert" (crmkit's addition) discounts every future purchase continuously at log(1 + discount_rate)
        per month instead, with no horizon (`time` is ignored): margin * spend * DERT (docs/models/clv.md)."""
        if freq not in _FREQ:
            raise ValueError(f"freq must be one of {', '.join(_FREQ)}")
        if method not in ("monthly", "dert"):
            raise ValueError("method must be 'monthly' or 'dert'")
        if not isinstance(transaction_prediction_model, _Model):
            raise TypeError("transaction_prediction_model must be a fitted crmkit.clv model (BgNbd, MBgNbd or "
                            "ParetoNBD)")
        f = _array(frequency, name="frequency")
        n = len(f)
        cols = [f, _array(recency, n, "recency"), _array(T, n, "T"), _array(monetary_value, n, "monetary_value")]
        opts = Options(months=int(time), discount_rate=discount_rate, margin=margin, periods_per_month=_FREQ[freq],
                       method=method)
        out = np.empty(n, dtype=np.float64)
        self._require()
        transaction_prediction_model._require()
        check(lib.crmkit_clv_value(transaction_prediction_model._h, self._h, *(_ptr(c) for c in cols), n,
                                   opts.handle, _ptr(out)))
        return _wrap(out, frequency)


class BgBb(_Model):
    """BG/BB (Fader, Hardie & Shang 2010) for discrete transaction opportunities. Parameters alpha, beta,
    gamma, delta."""

    _key, _typed = "bgbb", "bg_bb"
    _param_names = ("alpha", "beta", "gamma", "delta")

    def fit(self, frequency, recency=None, n_periods=None, weights=None, max_iterations=None, tolerance=None):
        """Fits on (frequency, recency, n_periods[, weights]) or a DataFrame with columns frequency, recency,
        periods (or n_periods) and optional weights."""
        if recency is None and pd is not None and isinstance(frequency, pd.DataFrame):
            df = frequency
            frequency, recency = _column(df, "frequency"), _column(df, "recency")
            n_periods = next(df[c] for c in ("periods", "n_periods", "n") if c in df.columns)
            if weights is None:
                weights = _column(df, "weights", required=False)
        names, ptrs, k, n, keep = _named({"frequency": frequency, "recency": recency, "n_periods": n_periods,
                                          "weights": weights})
        opts = Options(penalizer=self.penalizer_coef, max_iterations=max_iterations, tolerance=tolerance)
        h = c_void_p()
        check(lib.crmkit_clv_fit_columns(self._key.encode(), names, ptrs, k, n, opts.handle, byref(h)))
        del keep
        return self._set(h)

    def _rows(self, what, horizon, frequency, recency, n_periods):
        self._require()
        names, ptrs, k, n, keep = _named({"frequency": frequency, "recency": recency, "n_periods": n_periods})
        out = np.empty(n, dtype=np.float64)
        check(lib.crmkit_clv_predict_columns(self._h, what.encode(), float(horizon), names, ptrs, k, n, _ptr(out)))
        del keep
        return _wrap(out, frequency)

    def conditional_probability_alive(self, frequency, recency, n_periods):
        """P(alive at opportunity n + 1 | x, t_x, n)."""
        return self._rows("p_alive", 0, frequency, recency, n_periods)

    def conditional_expected_number_of_purchases_up_to_time(self, m_periods_in_future, frequency, recency, n_periods):
        """Expected transactions in the next m opportunities (lifetimes' BetaGeoBetaBinomFitter name)."""
        return self._rows("conditional_expected_purchases", m_periods_in_future, frequency, recency, n_periods)

    def expected_number_of_transactions_in_first_n_periods(self, n):
        """E[X(n)] for a new customer."""
        return float(self._predict("expected_purchases", n, n=1)[0])

    def probability_of_n_purchases_up_to_time(self, n_periods, x):
        """P(X(n_periods) = x) for a new customer (FHS 2010); x a number or an array."""
        xs = np.atleast_1d(np.asarray(x, dtype=np.float64))
        self._require()
        names, ptrs, k, n, keep = _named({"frequency": xs})
        out = np.empty(n, dtype=np.float64)
        check(lib.crmkit_clv_predict_columns(self._h, b"probability_of_n_purchases", float(n_periods), names, ptrs, k,
                                             n, _ptr(out)))
        del keep
        return out if np.ndim(x) else float(out[0])

    def discounted_expected_residual_transactions(self, discount_rate, frequency, recency, n_periods):
        """DERT (FHS 2010 eq. 14): expected future transactions, the one at opportunity n + k discounted by
        (1 + discount_rate)^-k."""
        return self._rows("dert", discount_rate, frequency, recency, n_periods)

    dert = discounted_expected_residual_transactions


class Sbg(_Model):
    """Shifted-beta-geometric contractual retention (Fader & Hardie 2007). Parameters alpha, beta."""

    _key, _typed = "sbg", "sbg"
    _param_names = ("alpha", "beta")

    def fit(self, active=None, periods=None, churned=None, weights=None, max_iterations=None, tolerance=None):
        """Fits a cohort (`active`: customers active at the start of periods 0, 1, ..., T) or individual
        records (`periods` survived, `churned` 0/1, optional `weights`)."""
        if (active is None) == (periods is None):
            raise ValueError("give either active (a cohort) or periods and churned (records)")
        cols = {"active": active} if active is not None else {"periods": periods, "churned": churned,
                                                              "weights": weights}
        names, ptrs, k, n, keep = _named(cols)
        opts = Options(penalizer=self.penalizer_coef, max_iterations=max_iterations, tolerance=tolerance)
        h = c_void_p()
        check(lib.crmkit_clv_fit_columns(self._key.encode(), names, ptrs, k, n, opts.handle, byref(h)))
        del keep
        return self._set(h)

    def _at(self, what, t, horizon=0.0):
        self._require()
        names, ptrs, k, n, keep = _named({"periods": np.atleast_1d(t)})
        out = np.empty(n, dtype=np.float64)
        check(lib.crmkit_clv_predict_columns(self._h, what.encode(), float(horizon), names, ptrs, k, n, _ptr(out)))
        del keep
        return out if np.ndim(t) else float(out[0])

    def survival_function(self, t):
        """S(t) = P(T > t) for whole t >= 0."""
        return self._at("survival", t)

    def retention_rate(self, t):
        """r(t) = S(t) / S(t - 1) for whole t >= 1; r(0) = 1 (period 0 is the start)."""
        return self._at("retention_rate", t)

    def churn_probability(self, t):
        """P(T = t) for whole t >= 1; P(T = 0) = 0."""
        return self._at("churn_probability", t)

    def expected_lifetime(self, horizon=None):
        """E[T] (inf when alpha <= 1), or E[min(T, horizon)]."""
        return float(self._predict("expected_lifetime", horizon or 0, n=1)[0])

    def derl(self, discount_rate, n=0):
        """Discounted expected residual lifetime of customers who survived n periods (docs/models/sbg.md)."""
        return self._at("derl", n, horizon=discount_rate)


#: lifetimes' names
BetaGeoFitter = BgNbd
ModifiedBetaGeoFitter = MBgNbd
ParetoNBDFitter = ParetoNBD
BetaGeoBetaBinomFitter = BgBb
GammaGammaFitter = GammaGamma

__all__ = ["BgNbd", "MBgNbd", "ParetoNBD", "BgBb", "GammaGamma", "Sbg", "BetaGeoFitter", "ModifiedBetaGeoFitter",
           "ParetoNBDFitter", "BetaGeoBetaBinomFitter", "GammaGammaFitter"]
