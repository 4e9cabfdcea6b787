"""Churn indicators at a cutoff: crmkit.churn.features against the same computation in pandas
(bench/compare/churn_indicators_pandas.py) on one synthetic log in memory, checked equal, best of
--reps. Figures in docs/benchmarks.md.

    taskset -c 1 /usr/bin/python3 bench/compare/churn_indicators_compare.py --rows 1000000 --reps 3

The log: rows / 10 customers, each with a first day uniform over two years and purchases on days
uniform from it to the end (numpy default_rng(20261201)); lognormal amounts. Cutoff 540 days in,
horizon 180, recent window 90. crmkit's time includes building the Transactions from the arrays and
returning the DataFrame (ids decoded)."""
import argparse
import os
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
import crmkit  # noqa: E402
from churn_indicators_pandas import purchase_indicators  # noqa: E402

FIRST = 18993  # 2022-01-01


def make_log(rows, seed=20261201):
    rng = np.random.default_rng(seed)
    n = max(1, rows // 10)
    start = rng.integers(0, 730, n)
    cust = np.concatenate([np.arange(n), rng.integers(0, n, rows - n)])
    day = start[cust] + (rng.random(rows) * (730 - start[cust])).astype(np.int64)
    amount = np.round(np.exp(rng.normal(3, 1, rows)), 2)
    return pd.DataFrame({"customer_id": cust.astype(str), "code": cust.astype(np.uint32),
                         "day": FIRST + day, "amount": amount})


def best(f, reps):
    times, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    df = make_log(a.rows)
    cutoff = FIRST + 540
    ids = [str(i) for i in range(int(df.code.max()) + 1)]

    def run_crmkit():
        tx = crmkit.Transactions.from_arrays(df.code.to_numpy(), df.day.to_numpy(), df.amount.to_numpy(), ids=ids)
        return crmkit.churn.features(tx, cutoff=pd.Timestamp("1970-01-01") + pd.Timedelta(days=cutoff),
                                     horizon_days=180, recent_days=90)

    t_c, got = best(run_crmkit, a.reps)
    t_p, ref = best(lambda: purchase_indicators(df[["customer_id", "day", "amount"]], cutoff, 180, 90), a.reps)
    got = got.set_index("customer_id")
    ref = ref.reindex(got.index)
    assert len(got) == len(ref)
    for col in ref.columns:
        np.testing.assert_allclose(got[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-9, atol=1e-9,
                                   err_msg=col)
    print(f"rows {a.rows}, customers {len(got)}: crmkit.churn.features {t_c * 1e3:.1f} ms, "
          f"pandas {t_p * 1e3:.1f} ms, ratio {t_p / t_c:.1f}x (equal to 1e-9)")


if __name__ == "__main__":
    main()
