#!/usr/bin/env python3
"""crmkit against DuckDB and Polars on the same job in the same run: the customer summary of a CSV log,
CSV in and CSV out, each as its own process (engine start included), at each thread count, in
alternating rounds (crmkit, DuckDB, Polars, crmkit, ...), so that the machine's swings hit all three
alike. Prints a markdown table of the median wall times and the ratios, and checks that the three
outputs agree (every customer, every column, to 1e-9 relative).

    /usr/bin/python3 bench/compare/peers_compare.py LOG --crmkit build/bench/crmkit \\
        --peers PEERS/node_modules [--threads 1 2] [--rounds 3]

The peers are installed outside the repository (npm install @duckdb/node-api nodejs-polars
nodejs-polars-linux-x64-gnu in a directory PEERS outside the checkout) and run beside crmkit, never
linked into it.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, env):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--crmkit", required=True)
    ap.add_argument("--peers", required=True, help="node_modules holding @duckdb/node-api and nodejs-polars")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    out = tempfile.mkdtemp(prefix="crmkit_peers_")
    script = os.path.join(HERE, "peers_summary.mjs")
    rows = []
    for th in a.threads:
        env = {**os.environ, "NODE_PATH": a.peers, "POLARS_MAX_THREADS": str(th)}
        cmds = {
            "crmkit": [a.crmkit, "--threads", str(th), "summary", "--transactions", a.log, "-o",
                       os.path.join(out, "crmkit.csv")],
            "DuckDB": ["node", script, "duckdb", a.log, os.path.join(out, "duckdb.csv"), str(th)],
            "Polars": ["node", script, "polars", a.log, os.path.join(out, "polars.csv"), str(th)],
        }
        times = {k: [] for k in cmds}
        for _ in range(a.rounds):
            for k, c in cmds.items():
                times[k].append(run(c, env))
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append((th, med, times))
        want = pd.read_csv(os.path.join(out, "crmkit.csv"), dtype={"customer_id": str}).set_index("customer_id").sort_index()
        for k in ("duckdb", "polars"):
            got = pd.read_csv(os.path.join(out, f"{k}.csv"), dtype={"customer_id": str}).set_index("customer_id")
            got = got.sort_index()[want.columns]
            if len(got) != len(want) or not np.allclose(got.to_numpy(float), want.to_numpy(float), rtol=1e-9, atol=1e-9):
                sys.exit(f"peers_compare: {k}'s summary differs from crmkit's")
    print("| threads | crmkit | DuckDB | Polars | DuckDB / crmkit | Polars / crmkit |")
    print("| --- | --- | --- | --- | --- | --- |")
    for th, med, _ in rows:
        print(f"| {th} | {med['crmkit']:.2f} s | {med['DuckDB']:.2f} s | {med['Polars']:.2f} s | "
              f"{med['DuckDB'] / med['crmkit']:.2f}x | {med['Polars'] / med['crmkit']:.2f}x |")
    if len(rows) > 1:
        f, l = rows[0], rows[-1]
        print(f"\nfrom {f[0]} to {l[0]} threads: crmkit {f[1]['crmkit'] / l[1]['crmkit']:.2f}x, DuckDB "
              f"{f[1]['DuckDB'] / l[1]['DuckDB']:.2f}x, Polars {f[1]['Polars'] / l[1]['Polars']:.2f}x")
    print("\nall runs (s):", {th: {k: [round(x, 3) for x in v] for k, v in t.items()} for th, _, t in rows})


if __name__ == "__main__":
    main()
