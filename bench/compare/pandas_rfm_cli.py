#!/usr/bin/env python3
"""`crmkit rfm --transactions CSV -o OUT` written in pandas: read CSV -> RFM scores + R-F grid
segments -> write CSV (customer_id,recency,frequency,monetary,r,f,m,segment). Timed as a whole
process beside the CLI, so interpreter start-up and `import pandas` count, as the CLI's start-up does.

usage: pandas_rfm_cli.py CSV -o OUT
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pandas_work as pw  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    pw.rfm_csv(pw.read(a.csv), a.output)


if __name__ == "__main__":
    main()
