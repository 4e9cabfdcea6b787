#!/usr/bin/env python3
"""Kaplan-Meier and cohort retention the way a Python user computes them, beside crmkit, on the same data.

usage: survival_compare.py [--km-rows 1000000] [--cohort-rows 10000000] [--repeat 3] > result.json

Data (numpy, seed 42): KM durations as in bench/survival_bench.cpp (exponential, mean 365 days, floored
to whole days, 40 % censored); the cohort log from scripts/gen_synthetic.py's generate() (rows/10
customers over 730 days from 2022-01-01, rows in day order). Times, best of --repeat
(time.perf_counter, seconds, single-threaded; lifelines is not packaged in Debian):
  numpy_km_s           vectorised numpy KM: np.unique + bincount, reverse cumsum for the risk set,
                       cumprod, Greenwood cumsum, log interval (what one writes without a library)
  statsmodels_km_s     statsmodels.SurvfuncRight(t, e) (Debian python3-statsmodels), when installed
  crmkit_km_py_s       crmkit.kaplan_meier(t, e) through ctypes, the step table copied out
  pandas_cohorts_s     in memory: month of each row, groupby(customer).transform("min"), offset,
                       groupby([cohort, k]): customer nunique and amount sum, unstacked
  crmkit_cohorts_py_s  crmkit.cohort_retention on Transactions.from_arrays (zero-copy columns)
and checks (untimed) that crmkit's numbers equal the others'.
"""
import argparse
import importlib.util
import json
import os
import sys
import time

import numpy as np
import pandas as pd

import crmkit

HERE = os.path.dirname(os.path.abspath(__file__))


def best(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def numpy_km(t, e):
    times, inv = np.unique(t, return_inverse=True)
    d = np.bincount(inv, weights=e, minlength=len(times))
    total = np.bincount(inv, minlength=len(times)).astype(float)
    n = np.cumsum(total[::-1])[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.cumprod(1 - d / n)
        var = np.cumsum(np.where(n > d, d / (n * (n - d)), np.inf))
        sig = np.sqrt(var)
        lo = s * np.exp(-1.959963984540054 * sig)
        hi = np.minimum(1, s * np.exp(1.959963984540054 * sig))
    return times, n, d, s, s * sig, lo, hi


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--km-rows", type=int, default=1_000_000)
    ap.add_argument("--cohort-rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    out = {"km_rows": a.km_rows, "cohort_rows": a.cohort_rows, "repeat": a.repeat}

    rng = np.random.default_rng(42)
    t = np.floor(rng.exponential(365.0, a.km_rows))
    e = (rng.random(a.km_rows) >= 0.4).astype(float)
    out["numpy_km_s"], ref = best(lambda: numpy_km(t, e), a.repeat)
    out["crmkit_km_py_s"], km = best(lambda: crmkit.kaplan_meier(t, e).curve(), a.repeat)
    assert np.array_equal(km.index.to_numpy(), ref[0])
    np.testing.assert_allclose(km.survival.to_numpy(), ref[3], rtol=1e-10)
    try:
        import statsmodels.api as sm
        out["statsmodels_km_s"], sf = best(lambda: sm.SurvfuncRight(t, e), a.repeat)
        ev = km[km.n_event > 0]
        np.testing.assert_allclose(ev.survival.to_numpy(), sf.surv_prob, rtol=1e-10)
    except ImportError:
        out["statsmodels_km_s"] = None

    spec = importlib.util.spec_from_file_location("gen_synthetic", os.path.join(HERE, "..", "..", "scripts",
                                                                                 "gen_synthetic.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    cust, day, cents = gen.generate(max(1, a.cohort_rows // 10), a.cohort_rows, 42, 730)
    day = day + 18993  # 2022-01-01
    amount = cents / 100.0
    df = pd.DataFrame({"customer": cust, "day": day, "amount": amount})

    def pandas_cohorts():
        month = df.day.to_numpy().astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        m = pd.Series(month, index=df.index)
        first = m.groupby(df.customer).transform("min")
        g = df.assign(cohort=first, k=m - first).groupby(["cohort", "k"])
        return g.customer.nunique().unstack(), g.amount.sum().unstack()

    def crmkit_cohorts():
        tx = crmkit.Transactions.from_arrays(cust, day, amount)
        return crmkit.cohort_retention(tx)

    out["pandas_cohorts_s"], (pa, pr) = best(pandas_cohorts, a.repeat)
    out["crmkit_cohorts_py_s"], c = best(crmkit_cohorts, a.repeat)
    mine = c.active.to_numpy(dtype=float, na_value=np.nan)
    want = pa.reindex(index=range(pa.index.min(), pa.index.min() + mine.shape[0]),
                      columns=range(mine.shape[1])).to_numpy(dtype=float)
    obs = c.observed
    assert np.array_equal(np.nan_to_num(want)[obs], mine[obs])
    want_r = pr.reindex(index=range(pr.index.min(), pr.index.min() + mine.shape[0]),
                        columns=range(mine.shape[1])).to_numpy(dtype=float)
    np.testing.assert_allclose(c.revenue.to_numpy()[obs], np.nan_to_num(want_r)[obs], rtol=1e-9)
    out["km_ratio_numpy"] = out["numpy_km_s"] / out["crmkit_km_py_s"]
    if out["statsmodels_km_s"]:
        out["km_ratio_statsmodels"] = out["statsmodels_km_s"] / out["crmkit_km_py_s"]
    out["cohorts_ratio_pandas"] = out["pandas_cohorts_s"] / out["crmkit_cohorts_py_s"]
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
