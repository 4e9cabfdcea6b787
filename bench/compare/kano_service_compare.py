#!/usr/bin/env python3
"""Kano and service metrics the way a pandas user computes them, beside crmkit, on the same data.

usage: kano_service_compare.py OUTDIR --cli CRMKIT_CLI [--rows 1000000] [--repeat 3] > result.json

Generates (numpy, seed 42) OUTDIR/interactions_<rows>.csv and OUTDIR/kano_<rows>.csv with the shapes of
bench/service_bench.cpp and bench/kano_bench.cpp (4 channels, 3 priority tiers, ~5 % blanks; 20
features, rows/20 respondents, half the answers a feature's typical pair, 1 % missing), then times,
best of --repeat (time.perf_counter, seconds, single-threaded):
  pandas_service_s      in memory: CSAT share and mean, CES mean and share <= 3, FCR rate and SLA
                        compliance per tier, overall and by channel (groupby)
  pandas_kano_s         in memory: answers -> category through the 5x5 table, pd.crosstab by feature,
                        shares, mode, Better/Worse
  pandas_service_e2e_s  read_csv + the service metrics (in this process)
  pandas_kano_e2e_s     read_csv + the Kano table
  crmkit_service_cli_s  `crmkit service --interactions F --by channel --format json` as a process
  crmkit_kano_cli_s     `crmkit kano --survey F --format json` as a process
  crmkit_service_py_s   crmkit.service_metrics on the in-memory columns (ctypes; strings converted)
  crmkit_kano_py_s      crmkit.kano on the in-memory columns
and checks (untimed) that crmkit's numbers equal pandas'.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd

TABLE = np.array([list("QAAAO"), list("RIIIM"), list("RIIIM"), list("RIIIM"), list("RRRRQ")])
TARGET = {"urgent": 30.0, "normal": 240.0, "complex": 1440.0}


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def make_interactions(n, rng):
    prio = rng.integers(0, 3, n)
    names = np.array(["urgent", "normal", "complex"])
    mean = np.array([25.0, 200.0, 900.0])[prio]
    df = pd.DataFrame({
        "channel": np.array(["email", "phone", "chat", "web"])[rng.integers(0, 4, n)],
        "csat": np.where(rng.random(n) < 0.05, np.nan, rng.integers(1, 6, n)),
        "ces": np.where(rng.random(n) < 0.05, np.nan, rng.integers(1, 8, n)),
        "first_response_minutes": np.where(rng.random(n) < 0.05, np.nan, np.round(rng.exponential(mean))),
        "resolved_first_contact": np.where(rng.random(n) < 0.05, np.nan, (rng.random(n) < 0.7).astype(float)),
        "priority": names[prio],
    })
    return df


def make_survey(n, rng):
    f = np.arange(n) % 20
    typical = np.array([[1, 3], [1, 5], [3, 5], [3, 3]])[f % 4]
    x = rng.random(n)
    fu = np.where(x < 0.5, typical[:, 0], rng.integers(1, 6, n))
    dy = np.where(x < 0.5, typical[:, 1], rng.integers(1, 6, n))
    fu = np.where(x >= 0.99, 0, fu)
    dy = np.where(x >= 0.99, 0, dy)
    return pd.DataFrame({"respondent": np.char.add("r", (np.arange(n) // 20).astype(str)),
                         "feature": np.char.add("feature_", f.astype(str)),
                         "functional": fu, "dysfunctional": dy})


def pandas_service(df):
    d = df.assign(satisfied=(df.csat >= 4).astype(float).where(df.csat.notna()),
                  difficult=(df.ces <= 3).astype(float).where(df.ces.notna()),
                  met=(df.first_response_minutes <= df.priority.map(TARGET)).astype(float)
                  .where(df.first_response_minutes.notna()))
    agg = dict(csat=("satisfied", "mean"), csat_mean=("csat", "mean"), ces_mean=("ces", "mean"),
               ces_difficult_share=("difficult", "mean"), fcr_rate=("resolved_first_contact", "mean"),
               sla_compliance=("met", "mean"))
    by = d.groupby("channel").agg(**agg)
    overall = d.agg({"satisfied": "mean", "csat": "mean", "ces": "mean", "difficult": "mean",
                     "resolved_first_contact": "mean", "met": "mean"})
    tiers = d.groupby(["channel", "priority"])["met"].mean().unstack()
    return by, overall, tiers


def pandas_kano(df):
    ok = (df.functional.between(1, 5)) & (df.dysfunctional.between(1, 5))
    d = df[ok]
    cat = TABLE[d.functional.to_numpy() - 1, d.dysfunctional.to_numpy() - 1]
    tab = pd.crosstab(d.feature.to_numpy(), cat).reindex(columns=list("AOMIRQ"), fill_value=0)
    shares = tab.div(tab.sum(axis=1), axis=0)
    aomi = tab[["A", "O", "M", "I"]].sum(axis=1)
    return pd.DataFrame({"category": shares.idxmax(axis=1), "better": (tab.A + tab.O) / aomi,
                         "worse": -(tab.O + tab.M) / aomi}).join(tab)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--cli", required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    rng = np.random.default_rng(42)
    inter, survey = make_interactions(a.rows, rng), make_survey(a.rows, rng)
    fi = os.path.join(a.outdir, f"interactions_{a.rows}.csv")
    fk = os.path.join(a.outdir, f"kano_{a.rows}.csv")
    if not os.path.exists(fi):
        inter.to_csv(fi, index=False, float_format="%.0f")
    if not os.path.exists(fk):
        survey.replace({"functional": {0: ""}, "dysfunctional": {0: ""}}).to_csv(fk, index=False)
    inter = pd.read_csv(fi)
    survey = pd.read_csv(fk)
    survey[["functional", "dysfunctional"]] = survey[["functional", "dysfunctional"]].fillna(0).astype(int)
    res = {"rows": a.rows, "pandas": pd.__version__, "numpy": np.__version__, "repeat": a.repeat,
           "interactions_bytes": os.path.getsize(fi), "kano_bytes": os.path.getsize(fk)}
    res["pandas_service_s"] = best(lambda: pandas_service(inter), a.repeat)
    res["pandas_kano_s"] = best(lambda: pandas_kano(survey), a.repeat)
    res["pandas_service_e2e_s"] = best(lambda: pandas_service(pd.read_csv(fi)), a.repeat)
    res["pandas_kano_e2e_s"] = best(lambda: pandas_kano(pd.read_csv(fk).fillna(0).astype(
        {"functional": int, "dysfunctional": int})), a.repeat)
    svc = [a.cli, "service", "--interactions", fi, "--by", "channel", "--format", "json"]
    kan = [a.cli, "kano", "--survey", fk, "--format", "json"]
    res["crmkit_service_cli_s"] = best(lambda: subprocess.run(svc, check=True, capture_output=True), a.repeat)
    res["crmkit_kano_cli_s"] = best(lambda: subprocess.run(kan, check=True, capture_output=True), a.repeat)
    # Python face on the in-memory columns (ctypes; group and tier strings are converted on each call).
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
    import crmkit
    cols = {k: inter[k].to_numpy() for k in inter.columns}
    res["crmkit_service_py_s"] = best(lambda: crmkit.service_metrics(cols, by="channel"), a.repeat)
    kcols = {k: survey[k].to_numpy() for k in survey.columns}
    res["crmkit_kano_py_s"] = best(lambda: crmkit.kano(kcols), a.repeat)
    # Checks: the same numbers.
    by, overall, _ = pandas_service(inter)
    doc = json.loads(subprocess.run(svc, check=True, capture_output=True, text=True).stdout)
    ours = {g["group"]: g for g in doc["groups"]}
    for ch, row in by.iterrows():
        assert abs(ours[ch]["csat"]["csat"] - row.csat) < 1e-12
        assert abs(ours[ch]["ces"]["mean"] - row.ces_mean) < 1e-9
        assert abs(ours[ch]["fcr"]["rate"] - row.fcr_rate) < 1e-12
        assert abs(ours[ch]["sla"]["compliance"] - row.sla_compliance) < 1e-12
    kt = pandas_kano(survey)
    kdoc = json.loads(subprocess.run(kan, check=True, capture_output=True, text=True).stdout)
    for f in kdoc["features"]:
        row = kt.loc[f["feature"]]
        assert [f["counts"][c] for c in "AOMIRQ"] == [int(row[c]) for c in "AOMIRQ"]
        assert abs(f["better"] - row.better) < 1e-12 and abs(f["worse"] - row.worse) < 1e-12
    res["checked"] = True
    json.dump(res, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
