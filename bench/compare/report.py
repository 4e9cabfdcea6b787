#!/usr/bin/env python3
"""Turns build/bench-results/*.json into the markdown tables of docs/benchmarks.md.

usage: report.py RESULTS_DIR
"""
import json
import os
import sys


def gbench(path):
    """{name: (mean real time in seconds, bytes/s or None)} of a Google Benchmark JSON (mean aggregates)."""
    out = {}
    with open(path) as f:
        for b in json.load(f)["benchmarks"]:
            if b.get("aggregate_name", "mean") != "mean":
                continue
            unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
            out[b["run_name"]] = (b["real_time"] * unit, b.get("bytes_per_second"))
    return out


def main():
    d = sys.argv[1]
    g = {}
    for name in ("io", "summary", "rfm"):
        p = os.path.join(d, f"{name}.json")
        if os.path.exists(p):
            g.update(gbench(p))
    with open(os.path.join(d, "pandas_synthetic.json")) as f:
        pd_ = json.load(f)
    rows = pd_["rows"]
    key = f"/{rows}" if f"BM_Summary/{rows}" in g else "/10000000"
    print(f"synthetic log: {rows:,} rows, {pd_['customers']:,} customers, {pd_['bytes'] / 1e6:.0f} MB; "
          f"pandas {pd_['pandas']}\n")
    print("| capability | crmkit | pandas | ratio | target |")
    print("| --- | --- | --- | --- | --- |")
    ingest_s, ingest_bps = next((v for k, v in g.items() if k.startswith("BM_ParseSynthetic")), (None, None))
    if ingest_s:
        print(f"| ingest CSV (in memory, 1 core) | {ingest_s:.3f} s ({ingest_bps / 1e6:.0f} MB/s) | "
              f"{pd_['pandas_read_csv_s']:.3f} s (read_csv + to_datetime) | {pd_['pandas_read_csv_s'] / ingest_s:.1f}x | "
              f">= 300 MB/s per core |")
    s = g.get("BM_Summary" + key, (None,))[0]
    if s:
        print(f"| summary from in-memory columns | {s * 1e3:.1f} ms | {pd_['pandas_summary_s']:.2f} s "
              f"(lifetimes-style) | {pd_['pandas_summary_s'] / s:.0f}x | >= 100x |")
    r = g.get("BM_Rfm" + key, (None,))[0]
    stream = g.get("BM_StreamColumns" + key, (None,))[0]
    if r:
        print(f"| RFM from in-memory columns | {r * 1e3:.1f} ms | {pd_['pandas_rfm_s']:.2f} s | "
              f"{pd_['pandas_rfm_s'] / r:.0f}x | >= 100x |")
    if r and stream:
        print(f"| RFM vs streaming its input once | {r * 1e3:.1f} ms vs {stream * 1e3:.1f} ms | | "
              f"{r / stream:.1f}x the floor | within 3x |")
    if "crmkit_cli_end_to_end_s" in pd_:
        print(f"| CLI end to end (CSV in, RFM CSV out) | {pd_['crmkit_cli_end_to_end_s']:.2f} s | "
              f"{pd_['pandas_end_to_end_s']:.2f} s | {pd_['end_to_end_ratio']:.1f}x | >= 10x |")
    c = g.get("BM_ParseCdnowMaster", (None, None))
    if c[0]:
        print(f"| ingest CDNOW_master.txt (1.9 MB, whitespace) | {c[0] * 1e3:.2f} ms ({c[1] / 1e6:.0f} MB/s) | | | |")


if __name__ == "__main__":
    main()
