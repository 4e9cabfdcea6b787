#!/usr/bin/env python3
"""Writes a synthetic transaction log for benchmarks: `customer_id,date,amount`, fixed seed.

usage: gen_synthetic.py OUT.csv [--customers 1000000] [--rows 10000000] [--seed 42] [--days 730]

The model (a buy-till-you-die shape, as real retail logs have):
  - each customer arrives on a day uniform over the first 90 % of the window and buys that day;
  - each customer has a purchase rate drawn from a gamma distribution (shape 0.5: many one-timers,
    a few heavy buyers) and a lifetime drawn from an exponential distribution (mean one year): they
    churn silently at the end of it;
  - the remaining rows - customers purchases are shared among customers in proportion to
    rate x active days (a multinomial draw, so the row count is exact), on days uniform over each
    customer's active window;
  - amounts are lognormal (median about 20), written with two decimals; rows are in date order.
Ids look like C0000123 (a zero-padded code), dates like 2022-03-07.

Generation is vectorised numpy: 10M rows in well under a minute. The CSV is assembled as a byte
matrix (fixed-width fields, then the padding removed), never row by row. Never commit the output.
"""
import argparse
import os
import sys
import time

import numpy as np


def digits(values, width):
    """(n, width) uint8 ASCII digits of non-negative integers, zero-padded."""
    out = np.empty((values.shape[0], width), dtype=np.uint8)
    v = values.astype(np.int64, copy=True)
    for j in range(width - 1, -1, -1):
        out[:, j] = (v % 10).astype(np.uint8) + ord("0")
        v //= 10
    return out


def generate(customers, rows, seed, days):
    if rows < customers:
        raise SystemExit("gen_synthetic: --rows must be >= --customers")
    rng = np.random.default_rng(seed)
    birth = rng.integers(0, int(days * 0.9), customers)
    rate = rng.gamma(0.5, 1.0, customers)
    lifetime = rng.exponential(365.0, customers)
    end = np.minimum(birth + 1 + lifetime.astype(np.int64), days)  # exclusive
    active = (end - birth).astype(np.float64)
    weight = rate * active
    extra = rng.multinomial(rows - customers, weight / weight.sum())
    cust = np.concatenate([np.arange(customers, dtype=np.int64), np.repeat(np.arange(customers), extra)])
    day = np.concatenate([birth, birth[cust[customers:]] +
                          (rng.random(rows - customers) * active[cust[customers:]]).astype(np.int64)])
    order = np.argsort(day, kind="stable")
    cust, day = cust[order], day[order]
    cents = np.minimum(np.rint(rng.lognormal(3.0, 0.8, rows) * 100).astype(np.int64), 99_999_999)
    cents = np.maximum(cents, 1)
    return cust, day, cents


def to_csv_bytes(cust, day, cents, start="2022-01-01"):
    n = cust.shape[0]
    id_width = max(7, len(str(int(cust.max()))))
    # one row of the matrix: C<id> , YYYY-MM-DD , <6 int digits> . <2 decimals> \n
    w_id, w_int = 1 + id_width, 6
    width = w_id + 1 + 10 + 1 + w_int + 1 + 2 + 1
    m = np.empty((n, width), dtype=np.uint8)
    m[:, 0] = ord("C")
    m[:, 1:w_id] = digits(cust, id_width)
    m[:, w_id] = ord(",")
    n_days = int(day.max()) + 1
    table = (np.datetime64(start) + np.arange(n_days).astype("timedelta64[D]")).astype(str)
    table = np.frombuffer("".join(table).encode(), dtype=np.uint8).reshape(n_days, 10)
    m[:, w_id + 1:w_id + 11] = table[day]
    m[:, w_id + 11] = ord(",")
    a = w_id + 12
    whole = cents // 100
    m[:, a:a + w_int] = digits(whole, w_int)
    m[:, a + w_int] = ord(".")
    m[:, a + w_int + 1:a + w_int + 3] = digits(cents % 100, 2)
    m[:, -1] = ord("\n")
    # drop the leading zeros of the integer part (keep one digit)
    keep = np.ones((n, width), dtype=bool)
    n_digits = 1 + sum((whole >= 10 ** k).astype(np.int64) for k in range(1, w_int))
    keep[:, a:a + w_int] = np.arange(w_int)[None, :] >= (w_int - n_digits)[:, None]
    return b"customer_id,date,amount\n" + m[keep].tobytes()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--days", type=int, default=730)
    a = ap.parse_args()
    t0 = time.perf_counter()
    cust, day, cents = generate(a.customers, a.rows, a.seed, a.days)
    data = to_csv_bytes(cust, day, cents)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, a.out)
    print(f"gen_synthetic: {a.out}: {a.rows:,} rows, {a.customers:,} customers, {len(data) / 1e6:.0f} MB "
          f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
