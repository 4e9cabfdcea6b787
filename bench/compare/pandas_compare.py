#!/usr/bin/env python3
"""Times the foundation's work in pandas on a transaction log, for the side-by-side with crmkit.

usage: pandas_compare.py CSV [--repeat 3] [--check CRMKIT_CLI] > pandas.json

Best of --repeat (time.perf_counter, seconds), one process, single-threaded pandas:
  read_csv_s      pd.read_csv alone (ids as strings)
  ingest_s        read_csv + to_datetime: what io::read_transactions delivers (ids, day numbers, amounts)
  summary_s       lifetimes-style summary from the in-memory DataFrame (pandas_work.lifetimes_summary)
  rfm_s           RFM values + rank-first quintile scores from the in-memory DataFrame
  rfm_segments_s  the same + the 10-segment R-F grid
  rfm_codes_s     rfm_s with the customer ids replaced by dense integer codes beforehand (what crmkit's
                  in-memory columns hold), to show how much of pandas' time is string grouping
With --check, runs `CLI summary` and `CLI rfm` on the same file and asserts that crmkit's numbers
equal pandas' (untimed; a guard that both sides do the same work).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pandas_work as pw  # noqa: E402


# CRMKIT_BENCH_CLOCK=cpu times with the process's CPU time instead of the wall clock: on a machine
# shared with other jobs (load above the core count) wall times measure the queue, not the work.
CLOCK = time.process_time if os.environ.get("CRMKIT_BENCH_CLOCK") == "cpu" else time.perf_counter


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = CLOCK()
        fn()
        times.append(CLOCK() - t0)
    return min(times)


def check(cli, path, df):
    with tempfile.TemporaryDirectory() as tmp:
        s_out, r_out = os.path.join(tmp, "s.csv"), os.path.join(tmp, "r.csv")
        subprocess.run([cli, "summary", "--transactions", path, "-o", s_out], check=True)
        subprocess.run([cli, "rfm", "--transactions", path, "-o", r_out], check=True)
        ours_s = pd.read_csv(s_out, dtype={"customer_id": str}).set_index("customer_id")
        ours_r = pd.read_csv(r_out, dtype={"customer_id": str}).set_index("customer_id")
    theirs = pw.lifetimes_summary(df).loc[ours_s.index]
    assert len(ours_s) == len(theirs)
    for c in ("frequency", "recency", "T", "monetary_value"):
        np.testing.assert_allclose(ours_s[c].to_numpy(), theirs[c].to_numpy(), rtol=1e-9, atol=1e-6, err_msg=c)
    theirs = pw.rfm_segments(df).loc[ours_r.index]
    assert len(ours_r) == len(theirs)
    for c in ("recency", "frequency", "r", "f", "m"):
        assert (ours_r[c].to_numpy() == theirs[c].to_numpy()).all(), c
    np.testing.assert_allclose(ours_r.monetary.to_numpy(), theirs.monetary.to_numpy(), rtol=1e-9, atol=1e-6)
    assert (ours_r.segment.to_numpy() == theirs.segment.to_numpy()).all()
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", metavar="CRMKIT_CLI")
    a = ap.parse_args()
    res = {"file": os.path.basename(a.csv), "bytes": os.path.getsize(a.csv), "pandas": pd.__version__,
           "numpy": np.__version__, "repeat": a.repeat}
    t0 = time.perf_counter()
    res["read_csv_s"] = best(lambda: pd.read_csv(a.csv, dtype={"customer_id": str, "amount": np.float64}), a.repeat)
    res["ingest_s"] = best(lambda: pw.read(a.csv), a.repeat)
    df = pw.read(a.csv)
    res["rows"], res["customers"] = len(df), int(df.customer_id.nunique())
    res["summary_s"] = best(lambda: pw.lifetimes_summary(df), a.repeat)
    res["rfm_s"] = best(lambda: pw.rfm_scores(df), a.repeat)
    res["rfm_segments_s"] = best(lambda: pw.rfm_segments(df), a.repeat)
    codes = df.assign(customer_id=pd.factorize(df.customer_id)[0])
    res["rfm_codes_s"] = best(lambda: pw.rfm_scores(codes), a.repeat)
    if a.check:
        res["checked_against_crmkit"] = check(a.check, a.csv, df)
    res["wall_s"] = time.perf_counter() - t0
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
