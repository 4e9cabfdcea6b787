#!/usr/bin/env python3
"""Writes a synthetic transaction log (fixed seed) for benchmarks: customer_id,date,amount.

usage: gen_synthetic.py OUT.csv [--customers 1000000] [--rows 10000000] [--seed 42]

Per-customer purchase propensities are gamma-distributed (a few heavy buyers, many one-timers),
dates span two years, amounts are lognormal with two decimals; rows are in date order.
"""
import argparse

import numpy as np
import pandas as pd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    weight = rng.gamma(0.6, 1.0, a.customers)
    # every customer buys once; the rest of the rows go by propensity
    extra = rng.choice(a.customers, size=a.rows - a.customers, p=weight / weight.sum())
    cust = np.concatenate([np.arange(a.customers), extra])
    day = rng.integers(0, 730, a.rows)
    order = np.argsort(day, kind="stable")
    cust, day = cust[order], day[order]
    amount = np.round(rng.lognormal(3.0, 0.8, a.rows), 2)
    dates = (np.datetime64("2022-01-01") + day.astype("timedelta64[D]")).astype(str)
    ids = np.char.add("C", np.char.zfill(cust.astype(str), 7))
    pd.DataFrame({"customer_id": ids, "date": dates, "amount": amount}).to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
