#!/usr/bin/env python3
"""A stand-in for hyperfine when it is not installed: runs each command --runs times after --warmup
runs and writes hyperfine-shaped JSON ({"results": [{"command", "mean", "stddev", "min", "max",
"times"}]}), so scripts/bench.sh reads either.

env CRMKIT_BENCH_CLOCK=cpu: CPU time of the commands instead of wall time.

usage: time_cmd.py [--runs 3] [--warmup 1] --export-json OUT.json CMD [CMD ...]   (each CMD one shell string)
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import time


# CRMKIT_BENCH_CLOCK=cpu: the commands' CPU time (user + system of the finished children) instead of
# the wall clock, for a machine shared with other jobs.
CPU = os.environ.get("CRMKIT_BENCH_CLOCK") == "cpu"


def cpu_of_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--export-json", required=True)
    ap.add_argument("commands", nargs="+")
    a = ap.parse_args()
    results = []
    for cmd in a.commands:
        for _ in range(a.warmup):
            subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL)
        times = []
        for _ in range(a.runs):
            t0, c0 = time.perf_counter(), cpu_of_children()
            subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL)
            times.append(cpu_of_children() - c0 if CPU else time.perf_counter() - t0)
        results.append({"command": cmd, "mean": statistics.fmean(times),
                        "stddev": statistics.stdev(times) if len(times) > 1 else 0.0,
                        "min": min(times), "max": max(times), "times": times})
    with open(a.export_json, "w") as f:
        json.dump({"results": results}, f, indent=2)


if __name__ == "__main__":
    main()
