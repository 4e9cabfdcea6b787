#!/usr/bin/env python3
"""Markdown tables of docs/benchmarks.md from one scripts/bench.sh run.

usage: report.py RESULTS_DIR

Reads {io,summary,rfm}_bench.json (Google Benchmark; the median of the repetitions is used),
rfm_bench_2t.json (rfm_bench's two-thread cases on both cores; always their wall time),
pandas_synthetic_*.json (bench/compare/pandas_compare.py; best of N) and cli_synthetic_*.json
(hyperfine or bench/compare/time_cmd.py; best of N).
"""
import json
import os
import sys


# CRMKIT_BENCH_CLOCK=cpu (as for pandas_compare.py and time_cmd.py): Google Benchmark's cpu_time
# instead of real_time, so both sides of every ratio are CPU times on a machine loaded by other jobs.
TIME_KEY = "cpu_time" if os.environ.get("CRMKIT_BENCH_CLOCK") == "cpu" else "real_time"


def gbench(path, key=None):
    """{run_name: benchmark entry}, preferring the median aggregate; the time (TIME_KEY unless `key`)
    converted to seconds."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        entries = json.load(f)["benchmarks"]
    out, medians = {}, {}
    for b in entries:
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        e = dict(b, seconds=b[key or TIME_KEY] * scale)
        name = b["run_name"].removesuffix("/real_time").removesuffix("/process_time")
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = e
        else:
            out.setdefault(name, e)
    out.update(medians)
    return out


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def t(s):
    """A duration, readable."""
    if s is None:
        return "n/a"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    if s >= 1e-5:
        return f"{s * 1e6:.0f} µs"
    return f"{s * 1e6:.2f} µs"


def x(r):
    return "n/a" if r is None else (f"{r:.0f}×" if r >= 10 else f"{r:.1f}×")


def met(ok):
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def secs(g, name):
    e = g.get(name)
    return e["seconds"] if e else None


def ratio(a, b):
    return a / b if a is not None and b else None


def file_table(g, pdj, cli, name, g2=None):
    g2 = g2 or {}
    rows = []
    parse, readf = g.get(f"BM_Parse/{name}.csv"), g.get(f"BM_ReadFile/{name}.csv")
    mb = pdj["bytes"] / 1e6
    if parse:
        bps = parse["bytes_per_second"] / 1e6
        rows.append(("ingest, parse from memory (1 core)", f"{t(parse['seconds'])}, **{bps:.0f} MB/s**",
                     f"{t(pdj['ingest_s'])}, {mb / pdj['ingest_s']:.0f} MB/s (read_csv + to_datetime)",
                     x(ratio(pdj["ingest_s"], parse["seconds"])), "≥ 300 MB/s per core", met(bps >= 300)))
    if readf:
        bps = readf["bytes_per_second"] / 1e6
        rows.append(("ingest, read file (page cache)", f"{t(readf['seconds'])}, {bps:.0f} MB/s",
                     f"(read_csv alone: {t(pdj['read_csv_s'])})", x(ratio(pdj["ingest_s"], readf["seconds"])),
                     "", ""))
    s = secs(g, f"BM_Summary/{name}.csv")
    rows.append(("summary from in-memory columns", t(s), f"{t(pdj['summary_s'])} (lifetimes-style)",
                 x(ratio(pdj["summary_s"], s)), "≥ 100×", met(s and pdj["summary_s"] / s >= 100)))
    r = secs(g, f"BM_Rfm/{name}.csv")
    rows.append(("RFM values + scores from in-memory columns", t(r), f"{t(pdj['rfm_s'])} (groupby + qcut of ranks)",
                 x(ratio(pdj["rfm_s"], r)), "≥ 100×", met(r and pdj["rfm_s"] / r >= 100)))
    rows.append(("  (pandas given integer customer codes)", t(r), t(pdj["rfm_codes_s"]),
                 x(ratio(pdj["rfm_codes_s"], r)), "", ""))
    rs = secs(g, f"BM_RfmSegments/{name}.csv")
    rows.append(("RFM + 10 R-F segments", t(rs), t(pdj["rfm_segments_s"]), x(ratio(pdj["rfm_segments_s"], rs)),
                 "", ""))
    st = secs(g, f"BM_StreamColumns/{name}.csv")
    rows.append(("RFM vs streaming its input columns once", f"{t(r)} vs {t(st)}", "",
                 f"{ratio(r, st):.1f}× the floor" if r and st else "n/a", "within 3×",
                 met(r and st and r / st <= 3)))
    sf = secs(g, f"BM_ScatterFloor/{name}.csv")
    if sf:
        rows.append(("bare per-customer update (`BM_ScatterFloor`: no checks, scores or outputs)", t(sf), "",
                     f"{ratio(sf, st):.1f}× the floor" if st else "n/a", "", ""))
    # two threads on two cores (rfm_bench_2t.json, wall time whatever the clock: the point of threads)
    r2, st2, sf2 = (secs(g2, f"{b}/{name}.csv") for b in ("BM_Rfm2T", "BM_StreamColumns2T", "BM_ScatterFloor2T"))
    if r2:
        rows.append(("RFM values + scores, 2 threads on 2 cores (the default here), wall", t(r2),
                     t(pdj["rfm_s"]), x(ratio(pdj["rfm_s"], r2)), "≥ 100×", met(pdj["rfm_s"] / r2 >= 100)))
        if st2:
            rows.append(("  vs streaming its input once on 2 threads, wall", f"{t(r2)} vs {t(st2)}", "",
                         f"{ratio(r2, st2):.1f}× the floor", "within 3×", met(r2 / st2 <= 3)))
        if sf2 and st2:
            rows.append(("  bare per-customer update on 2 threads, wall", t(sf2), "",
                         f"{ratio(sf2, st2):.1f}× the floor", "", ""))
    c = g.get(f"BM_Compress/{name}.csv")
    if c:
        rows.append((f"compress() of {c['customers']:,.0f} customers → {c['patterns']:,.0f} patterns",
                     t(c["seconds"]), "", "", "", ""))
    if cli:
        res = cli["results"]
        ck = next((e for e in res if " rfm " in e["command"]), None)
        pk = next((e for e in res if "pandas_rfm_cli" in e["command"]), None)
        if ck and pk:
            rows.append(("CLI end to end (`crmkit rfm`, CSV in → CSV out)", t(ck["min"]),
                         f"{t(pk['min'])} (pandas_rfm_cli.py, whole process)", x(pk["min"] / ck["min"]),
                         "≥ 10×", met(pk["min"] / ck["min"] >= 10)))
    out = [f"**{name}.csv** — {pdj['rows']:,} rows, {pdj['customers']:,} customers, {mb:.0f} MB"
           f"{'; crmkit output checked equal to pandas' if pdj.get('checked_against_crmkit') else ''}", "",
           "| capability | crmkit | pandas | ratio | target | met? |", "| --- | --- | --- | --- | --- | --- |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def sweep_table(s, r):
    out = ["| rows | stream once | summary | compress (rows/10 customers) | RFM | RFM + segments | RFM / stream |",
           "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    n = 1000
    while n <= 10_000_000:
        st = secs(r, f"BM_StreamColumns/{n}")
        rf = secs(r, f"BM_Rfm/{n}")
        out.append(f"| 1e{len(str(n)) - 1} | {t(st)} | {t(secs(s, f'BM_Summary/{n}'))} | {t(secs(s, f'BM_Compress/{n}'))} | "
                   f"{t(rf)} | {t(secs(r, f'BM_RfmSegments/{n}'))} | {x(ratio(rf, st))} |")
        n *= 10
    return "\n".join(out)


def cdnow_table(io, s, r):
    p = io.get("BM_Parse/CDNOW_master.txt")
    out = ["| CDNOW_master.txt (69,659 rows, 23,570 customers, 1.9 MB) | crmkit |", "| --- | ---: |"]
    if p:
        out.append(f"| parse (whitespace-separated, YYYYMMDD) | {t(p['seconds'])}, {p['bytes_per_second'] / 1e6:.0f} MB/s |")
    out.append(f"| summary | {t(secs(s, 'BM_SummaryCdnow'))} |")
    out.append(f"| compress | {t(secs(s, 'BM_CompressCdnow'))} |")
    out.append(f"| RFM + segments | {t(secs(r, 'BM_RfmSegmentsCdnow'))} |")
    return "\n".join(out)


def main():
    d = sys.argv[1]
    io, s, r = (gbench(os.path.join(d, f"{n}_bench.json")) for n in ("io", "summary", "rfm"))
    if os.path.exists(os.path.join(d, "machine.txt")):
        with open(os.path.join(d, "machine.txt")) as f:
            print("```\n" + f.read().strip() + "\n```\n")
    g = {**io, **s, **r}
    # the streaming floor of the RFM ratio comes from rfm_bench, the same binary and run as BM_Rfm
    g.update({k: v for k, v in r.items() if k.startswith("BM_StreamColumns")})
    g2 = gbench(os.path.join(d, "rfm_bench_2t.json"), key="real_time")  # scripts/bench.sh, both cores
    for name in ("synthetic_10m", "synthetic_1m"):
        pdj = load(os.path.join(d, f"pandas_{name}.json"))
        if pdj:
            print(file_table(g, pdj, load(os.path.join(d, f"cli_{name}.json")), name, g2) + "\n")
    print("In-memory sweep (bench/synthetic.hpp, generated in C++; medians):\n")
    print(sweep_table(s, r) + "\n")
    print(cdnow_table(io, s, r))


if __name__ == "__main__":
    main()
