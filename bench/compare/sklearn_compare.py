#!/usr/bin/python3
"""Churn speed against scikit-learn on the same data in the same run (docs/benchmarks.md).

Writes a synthetic 1M x 20 table once into OUT (default build/bench-out): churn_x.f64 (column-major),
churn_y.f64 and churn_score.f64 (uniform scores for the AUC timing); times scikit-learn's
LogisticRegression() (lbfgs, l2, C=1: its defaults) and roc_auc_score on them; runs the churn_bench
binary (if given) on the same files with CRMKIT_CHURN_DATA; prints both and the ratios.

    /usr/bin/python3 bench/compare/sklearn_compare.py --bench build/bench/bench/churn_bench [--out DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np


def make_data(out, n=1_000_000, p=20, seed=42):
    paths = {k: os.path.join(out, f"churn_{k}.f64") for k in ("x", "y", "score")}
    if all(os.path.exists(v) for v in paths.values()):
        x = np.fromfile(paths["x"]).reshape(p, n).T
        return x, np.fromfile(paths["y"]), np.fromfile(paths["score"])
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, p))
    beta = np.array([(-1.0 if j % 2 else 1.0) * 0.5 / (1 + j // 4) for j in range(p)])
    z = x @ beta - 1.0
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float64)
    score = rng.random(n)
    os.makedirs(out, exist_ok=True)
    np.asfortranarray(x).T.tofile(paths["x"])  # column-major
    y.tofile(paths["y"])
    score.tofile(paths["score"])
    return x, y, score


def best_of(f, reps):
    times, result = [], None
    for _ in range(reps):
        t = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t)
    return min(times), result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="build/bench-out")
    ap.add_argument("--bench", help="path of the churn_bench binary")
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    x, y, score = make_data(a.out)
    xc = np.ascontiguousarray(x)
    t_fit, model = best_of(lambda: LogisticRegression().fit(xc, y), a.reps)
    auc_fit = roc_auc_score(y, model.predict_proba(xc)[:, 1])
    t_auc, auc = best_of(lambda: roc_auc_score(y, score), a.reps)
    print(f"scikit-learn LogisticRegression(lbfgs) fit: {t_fit:.3f} s (n_iter {model.n_iter_[0]}, in-sample AUC {auc_fit:.6f})")
    print(f"scikit-learn roc_auc_score over 1M:        {t_auc * 1e3:.1f} ms (AUC {auc:.6f})")
    if not a.bench:
        return
    env = dict(os.environ, CRMKIT_CHURN_DATA=os.path.abspath(a.out))
    cmd = [a.bench, "--benchmark_format=json", f"--benchmark_repetitions={a.reps}",
           "--benchmark_report_aggregates_only=false"]
    res = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout)
    rows = {}
    for b in res["benchmarks"]:
        if b.get("run_type") == "aggregate":
            continue
        name = b["name"].split("/")[0]
        ms = b["real_time"] * {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
        if name not in rows or ms < rows[name]["s"]:
            rows[name] = {"s": ms, "auc": b.get("auc"), "iterations": b.get("iterations")}
    fit, roc = rows["BM_LogisticFit"], rows["BM_RocAuc"]
    print(f"crmkit fit_logistic (Newton):               {fit['s']:.3f} s (in-sample AUC {fit['auc']:.6f})")
    print(f"crmkit roc_auc over 1M:                     {roc['s'] * 1e3:.1f} ms (AUC {roc['auc']:.6f})")
    print()
    print("| task | scikit-learn | crmkit | speed-up | agreement |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| logistic regression, 1M x 20, l2 C=1 | {t_fit:.3f} s | {fit['s']:.3f} s | {t_fit / fit['s']:.1f}x | "
          f"AUC {auc_fit:.6f} vs {fit['auc']:.6f} (diff {abs(auc_fit - fit['auc']):.1e}) |")
    print(f"| ROC AUC, 1M scores | {t_auc * 1e3:.1f} ms | {roc['s'] * 1e3:.1f} ms | {t_auc / roc['s']:.1f}x | "
          f"diff {abs(auc - roc['auc']):.1e} |")
    ok = t_fit / fit["s"] >= 5 and t_auc / roc["s"] >= 10 and abs(auc_fit - fit["auc"]) <= 1e-3
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
