#!/usr/bin/python3
"""Churn speed against scikit-learn on the same data in the same run (docs/benchmarks.md).

Writes each synthetic 1M x 20 table once into OUT/churn-<table> (default OUT build/bench-out):
churn_x.f64 (column-major), churn_y.f64 and churn_score.f64 (uniform scores for the AUC timing); tables
"normal" (standard normal columns) and "mixed" (churn-table scales: days, dollars, counts, flags, CSAT); times scikit-learn's
LogisticRegression() (lbfgs, l2, C=1: its defaults) and roc_auc_score on them; runs the churn_bench
binary (if given) on the same files with CRMKIT_CHURN_DATA; prints both and the ratios of CPU times
(the load average is printed too: the machine may be shared).

    /usr/bin/python3 bench/compare/sklearn_compare.py --bench build/bench/bench/churn_bench [--out DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np


def features(kind, rng, n, p):
    """(x, beta, intercept). normal: independent standard normals (scikit-learn's lbfgs at its best).
    mixed: columns on the scales of a churn table: tenure and recency in days, spend in dollars, counts,
    0/1 flags, CSAT 1-5, response hours, shares (unstandardised, as a feature CSV arrives)."""
    if kind == "normal":
        x = rng.standard_normal((n, p))
        beta = np.array([(-1.0 if j % 2 else 1.0) * 0.5 / (1 + j // 4) for j in range(p)])
        return x, beta, -1.0
    cols, beta = [], []
    for j in range(p):
        k = j % 5
        if k == 0:
            c, b = rng.gamma(2.0, 200.0, n), -0.002 / (1 + j // 5)          # days
        elif k == 1:
            c, b = rng.lognormal(4.0, 1.0, n), -0.003 / (1 + j // 5)         # dollars
        elif k == 2:
            c, b = rng.poisson(3.0, n).astype(float), 0.15 / (1 + j // 5)    # counts
        elif k == 3:
            c, b = (rng.random(n) < 0.3).astype(float), 0.6 / (1 + j // 5)   # flags
        else:
            c, b = rng.integers(1, 6, n).astype(float), -0.25 / (1 + j // 5)  # CSAT 1-5
        cols.append(c)
        beta.append(b)
    return np.column_stack(cols), np.array(beta), 1.0


def make_data(out, kind="normal", n=1_000_000, p=20, seed=42):
    paths = {k: os.path.join(out, f"churn_{k}.f64") for k in ("x", "y", "score")}
    if all(os.path.exists(v) for v in paths.values()):
        x = np.fromfile(paths["x"]).reshape(p, n).T
        return x, np.fromfile(paths["y"]), np.fromfile(paths["score"])
    rng = np.random.default_rng(seed)
    x, beta, b0 = features(kind, rng, n, p)
    z = x @ beta + b0
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float64)
    score = rng.random(n)
    os.makedirs(out, exist_ok=True)
    np.asfortranarray(x).T.tofile(paths["x"])  # column-major
    y.tofile(paths["y"])
    score.tofile(paths["score"])
    return x, y, score


def best_of(f, reps):
    """Best CPU time (time.process_time: all threads of this process) of reps calls; the machine is shared,
    so CPU time, not wall time, is compared (crmkit's side uses Google Benchmark's cpu_time)."""
    times, result = [], None
    for _ in range(reps):
        t = time.process_time()
        result = f()
        times.append(time.process_time() - t)
    return min(times), result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="build/bench-out")
    ap.add_argument("--bench", help="path of the churn_bench binary")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--tables", default="normal,mixed", help="synthetic tables: normal, mixed (comma-separated)")
    a = ap.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    table = ["| table | task | scikit-learn | crmkit | speed-up | agreement |", "| --- | --- | --- | --- | --- | --- |"]
    ok = True
    for kind in a.tables.split(","):
        out = os.path.join(a.out, f"churn-{kind}")
        x, y, score = make_data(out, kind)
        xc = np.ascontiguousarray(x)
        t_fit, model = best_of(lambda: LogisticRegression().fit(xc, y), a.reps)
        auc_fit = roc_auc_score(y, model.predict_proba(xc)[:, 1])
        t_auc, auc = best_of(lambda: roc_auc_score(y, score), a.reps)
        print(f"[{kind}] scikit-learn LogisticRegression(lbfgs): {t_fit:.3f} s (n_iter {model.n_iter_[0]}, "
              f"in-sample AUC {auc_fit:.6f}); roc_auc_score: {t_auc * 1e3:.1f} ms")
        if not a.bench:
            continue
        env = dict(os.environ, CRMKIT_CHURN_DATA=os.path.abspath(out))
        cmd = [a.bench, "--benchmark_format=json", f"--benchmark_repetitions={a.reps}",
               "--benchmark_filter=BM_LogisticFit|BM_RocAuc"]
        res = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout)
        rows = {}
        for b in res["benchmarks"]:
            if b.get("run_type") == "aggregate":
                continue
            name = b["name"].split("/")[0]
            sec = b["cpu_time"] * {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
            if name not in rows or sec < rows[name]["s"]:
                rows[name] = {"s": sec, "auc": b.get("auc"), "iterations": b.get("iterations")}
        fit, roc = rows["BM_LogisticFit"], rows["BM_RocAuc"]
        print(f"[{kind}] crmkit fit_logistic: {fit['s']:.3f} s (in-sample AUC {fit['auc']:.6f}); "
              f"roc_auc: {roc['s'] * 1e3:.1f} ms")
        table.append(f"| {kind} | logistic regression, 1M x 20, l2 C=1 | {t_fit:.3f} s ({model.n_iter_[0]} lbfgs "
                     f"iterations) | {fit['s']:.3f} s | {t_fit / fit['s']:.1f}x | AUC {auc_fit:.6f} vs "
                     f"{fit['auc']:.6f} (diff {abs(auc_fit - fit['auc']):.1e}) |")
        table.append(f"| {kind} | ROC AUC, 1M scores | {t_auc * 1e3:.1f} ms | {roc['s'] * 1e3:.1f} ms | "
                     f"{t_auc / roc['s']:.1f}x | diff {abs(auc - roc['auc']):.1e} |")
        ok = ok and t_fit / fit["s"] >= 5 and t_auc / roc["s"] >= 10 and abs(auc_fit - fit["auc"]) <= 1e-3
    print()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (CPU times compared)")
    print("\n".join(table))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
