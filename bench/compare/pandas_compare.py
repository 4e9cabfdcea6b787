#!/usr/bin/env python3
"""The foundation's work done in pandas, timed on the same files in the same run as crmkit.

usage: pandas_compare.py CSV [--crmkit PATH_TO_CLI] [--repeat 3] > results.json

Times (best of --repeat, seconds): read_csv; a lifetimes-style summary (same-day merge, frequency,
recency, T, monetary_value, as lifetimes' summary_data_from_transaction_data computes them) from an
in-memory DataFrame; RFM (groupby + qcut of first-ranks + the 10-segment grid) from an in-memory
DataFrame; and end to end "read CSV -> RFM -> write CSV" beside `crmkit rfm` doing the same.
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def read(path):
    df = pd.read_csv(path, dtype={"customer_id": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df


def lifetimes_summary(df, period_days=7.0):
    end = df.date.max()
    daily = df.groupby(["customer_id", "date"], sort=False)["amount"].sum().reset_index()
    g = daily.groupby("customer_id", sort=False)
    first, last, n = g.date.min(), g.date.max(), g.size()
    first_amount = daily.sort_values("date").groupby("customer_id").amount.first()
    out = pd.DataFrame({"frequency": n - 1, "recency": (last - first).dt.days / period_days,
                        "T": (end - first).dt.days / period_days})
    out["monetary_value"] = ((g.amount.sum() - first_amount) / out.frequency).where(out.frequency > 0, 0.0)
    return out


GRID = [("Hibernating", 1, 2, 1, 2), ("At Risk", 1, 2, 3, 4), ("Can't Lose Them", 1, 2, 5, 5),
        ("About to Sleep", 3, 3, 1, 2), ("Need Attention", 3, 3, 3, 3), ("Loyal Customers", 3, 4, 4, 5),
        ("Promising", 4, 4, 1, 1), ("New Customers", 5, 5, 1, 1), ("Potential Loyalists", 4, 5, 2, 3),
        ("Champions", 5, 5, 4, 5)]


def rfm(df):
    as_of = df.date.max() + pd.Timedelta(days=1)
    g = df.groupby("customer_id", sort=False).agg(last=("date", "max"), frequency=("date", "size"),
                                                 monetary=("amount", "sum"))
    g["recency"] = (as_of - g["last"]).dt.days
    q = lambda s: pd.qcut(s.rank(method="first"), 5, labels=False) + 1  # noqa: E731
    g["r"], g["f"], g["m"] = 6 - q(g.recency), q(g.frequency), q(g.monetary)
    seg = np.full(len(g), "Other", dtype=object)
    r, f = g.r.to_numpy(), g.f.to_numpy()
    for name, r0, r1, f0, f1 in GRID:
        seg[(r >= r0) & (r <= r1) & (f >= f0) & (f <= f1)] = name
    g["segment"] = seg
    return g


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--crmkit")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    res = {"file": os.path.basename(a.csv), "bytes": os.path.getsize(a.csv), "pandas": pd.__version__}
    res["pandas_read_csv_s"] = best(lambda: read(a.csv), a.repeat)
    df = read(a.csv)
    res["rows"], res["customers"] = len(df), int(df.customer_id.nunique())
    res["pandas_summary_s"] = best(lambda: lifetimes_summary(df), a.repeat)
    res["pandas_rfm_s"] = best(lambda: rfm(df), a.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "rfm.csv")
        res["pandas_end_to_end_s"] = best(lambda: rfm(read(a.csv)).to_csv(out), a.repeat)
        if a.crmkit:
            cmd = [a.crmkit, "rfm", "--transactions", a.csv, "-o", out]
            res["crmkit_cli_end_to_end_s"] = best(lambda: subprocess.run(cmd, check=True), a.repeat)
            res["end_to_end_ratio"] = res["pandas_end_to_end_s"] / res["crmkit_cli_end_to_end_s"]
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
