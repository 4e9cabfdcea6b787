#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/ from tests/data: small valid and nearly valid inputs
(a few KB each), each with the option prefix its target reads (see the comment at the top of each
fuzz_<target>.cpp). Rerun after changing a target's input layout; the output is deterministic."""
import json
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
OUT = ROOT / "fuzz" / "corpus"


def head(name, lines):
    return "".join(open(DATA / name, encoding="utf-8").readlines()[:lines])


def write(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (d / name).write_bytes(data)


def tx():
    cdnow = head("CDNOW_sample.txt", 60)
    # byte0: header(0 auto,1 yes,2 no) | delimiter<<2 (1 comma,2 tab,3 semicolon,4 whitespace) | skip<<5 | by_index<<6 | no_amount<<7
    # byte1: date format (4 YYYYMMDD,5 ISO,6 ISO date-time,7 unix) | extra<<3
    # byte2: customer-1 | (date-1)<<2 | (amount-1)<<4 | extra<<7
    def p(b0, b1, b2):
        return bytes([b0, b1, b2])
    idx = (0) | (2 << 2) | (4 << 4)  # customer 1, date 3, amount 5
    write("transactions_csv", "cdnow_whitespace_index", p(2 | 4 << 2 | 1 << 6, 0, idx) + cdnow.encode())
    write("transactions_csv", "cdnow_auto_index", p(0 | 1 << 6, 0, idx) + cdnow.encode())
    write("transactions_csv", "cdnow_yyyymmdd_skip", p(2 | 4 << 2 | 1 << 5 | 1 << 6, 4, idx) +
          (cdnow[:800] + " 00007 0002 1997013x 1 10.00\n 00008 0003 19970230 1 5\n" + cdnow[800:1600]).encode())
    rows = [l.split() for l in cdnow.splitlines()]
    iso = "customer_id,date,amount\n" + "".join(
        f"{r[0]},{r[2][:4]}-{r[2][4:6]}-{r[2][6:]},{r[4]}\n" for r in rows)
    write("transactions_csv", "named_iso_comma", p(0, 0, 0) + iso.encode())
    write("transactions_csv", "named_iso_crlf_bom", p(1 | 1 << 2, 5, 0) + b"\xef\xbb\xbf" + iso.replace("\n", "\r\n").encode())
    semi = "Client_ID;InvoiceDate;Revenue;Quantity\n" + "".join(
        f"\"C{r[0]}\";{r[2][:4]}-{r[2][4:6]}-{r[2][6:]}T1{i % 10}:30:00Z;{r[4].replace('.', '.')};{r[3]}\n"
        for i, r in enumerate(rows[:30]))
    write("transactions_csv", "semicolon_quoted_datetime", p(3 << 2, 6, 0) + semi.encode())
    quantity = "customer,date,quantity,amount\n" + "".join(f"{r[0]},{r[2]},{r[3]},{r[4]}\n" for r in rows[:30])
    write("transactions_csv", "extra_quantity", p(0, 8, 0) + quantity.encode())
    unix = "".join(f"u{int(r[0]) % 7},{852076800 + 86400 * i + 17},{r[4]}\n" for i, r in enumerate(rows[:30]))
    write("transactions_csv", "unix_index_noheader", p(2 | 1 << 2 | 1 << 6, 7, 0 | 1 << 2 | 2 << 4) + unix.encode())
    bad = 'customer_id,date,amount\n"a ""x""",2021-01-01,"1,5"\nb,2021-01-02,-0\nc,2021-01-03,1e308\n,2021-01-04,1\nd,2021-13-01,2\ne,2021-01-05,nan\nf,2021-01-06,inf\n"g"1,2021-01-07,3\n'
    write("transactions_csv", "nearly_valid_skip", p(1 << 5, 0, 0) + bad.encode())
    write("transactions_csv", "nearly_valid_strict", p(0, 0, 0) + bad.encode())
    tabs = "id\tdate\tvalue\n" + "".join(f"{r[0]}\t{r[2]}\t{r[4]}\n" for r in rows[:30]) + "\n\n  \n"
    write("transactions_csv", "tab_trailing_blank_lines", p(0, 0, 0) + tabs.encode())


def table():
    for name, b0 in [("cdnow_customers_summary.csv", 0), ("churn_customers.csv", 1 << 5), ("nps_scores.csv", 2 << 3),
                     ("donations.csv", 0), ("kano_costs.csv", 1), ("service_interactions.csv", 1 << 6)]:
        write("table", name.replace(".csv", ""), bytes([b0]) + head(name, 40).encode())
    write("table", "ragged_quoted", bytes([0]) + b'a,b,c\n1,"x,y",3\n4,5\n"6""",7,8\n , ,\n')
    write("table", "whitespace_noheader", bytes([4 | 1 << 3]) + b"1 2 3\n4  5\t6\n  7 8 9  \n")
    write("table", "booleans_dates", bytes([2 << 3]) + b"flag,day,n\nyes,2021-02-28,3.0\nF,2021-02-29,+4\n1,20210301,-0\n")


def interactions():
    for name, b0 in [("escalation_interactions.csv", 0), ("indicator_interactions.csv", 1 << 4 | 1 << 6),
                     ("service_interactions.csv", 1 << 3 | 1 << 5)]:
        write("interactions", name.replace(".csv", ""), bytes([b0]) + head(name, 40).encode())
    write("interactions", "nearly_valid", bytes([1 << 6]) +
          b"customer,time,channel,kind,csat,first_response_minutes,resolved_first_contact\n"
          b"a,2020-01-05T10:00:00Z,email,complaint,6,-1,maybe\nb,2020-01-06,,,,,\n,2020-01-07,x,y,3,1,1\n")


def kano():
    survey = head("kano_survey.csv", 40)
    costs = head("kano_costs.csv", 10)
    table = "A,A,A,A,O\nR,I,I,I,M\nR,I,I,I,M\nR,I,I,I,M\nR,R,R,R,Q\n"
    write("kano", "survey", b"\x00" + survey.encode())
    write("kano", "survey_costs", b"\x00" + survey.encode() + b"\x00\x00\x00" + costs.encode())
    write("kano", "survey_table_fail", b"\x07" + survey.encode() + b"\x00\x00" + table.encode())
    words = "respondent,feature,functional,dysfunctional\n" + "".join(
        f"r{i},f{i % 3},{w1},{w2}\n" for i, (w1, w2) in enumerate(
            [("love", "hate"), ("I like it", "I dislike it"), ("must-be", "neutral"), ("meh", ""), ("5", "1"),
             ("live with", "tolerate")]))
    write("kano", "words", b"\x00" + words.encode() + b"\x00love=1,hate=5,meh=3,must-be=2,neutral=3\x00")
    write("kano", "own_costs", b"\x08respondent,feature,functional,dysfunctional,cost,frequency\n"
          b"r1,a,1,5,3,10\nr2,a,2,4,3,10\nr1,b,1,3,,\nr2,b,5,5,,\n")


def segment_rules():
    write("segment_rules", "basic", b"\x03segment,r,f,m\n# comment\nTop,5,*,*\nGood,4-5,3-5,*\nRest,*,*,*\n")
    write("segment_rules", "grid", b"\x03segment,r,f,m\nChampions,5,5,*\nLoyal,3-5,4-5,*\nNew,5,1,*\n"
          b"At Risk,1-2,3-5,*\nHibernating,1-2,1-2,*\n")
    write("segment_rules", "bins10", b"\x08SEGMENT,R,F,M\r\nA,10,10,10\r\n\"B, quoted\",1-10,*,2-3\r\n")
    write("segment_rules", "nearly_valid", b"\x03segment,r,f,m\nBad,6,5,*\nWorse,3-1,*,*\nX,*,*\n")


def escalation_rules():
    write("escalation_rules", "data", head("escalation_rules.csv", 10))
    write("escalation_rules", "all_columns", "name,type,count,csat_below,kind,window_days,per\n"
          "low,csat_streak,2,4,,,\nrep,event_count,2,,complaint,30,channel\nany,event_count,1,,,0,customer\n")
    write("escalation_rules", "nearly_valid", "name,type,count\nx,csat_streak,0\nx,event_count,-1\ny,other,2\n")


def model_json():
    models = [
        {"model": "bgnbd", "params": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, "log_likelihood": -9582.4,
         "converged": True, "iterations": 31, "std_errors": {"r": 0.0125, "alpha": 0.378, "a": 0.186, "b": 0.705},
         "status": "converged", "gradient_norm": 1e-9, "n_customers": 2357, "n_patterns": 1000},
        {"model": "mbgnbd", "params": {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}},
        {"model": "pnbd", "params": {"r": 0.553, "alpha": 10.58, "s": 0.606, "beta": 11.67}},
        {"model": "bgbb", "params": {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}},
        {"model": "gg", "params": {"p": 6.25, "q": 3.74, "gamma": 15.44}},
        {"model": "sbg", "params": {"alpha": 0.704, "beta": 1.182}},
        {"model": "bg_nbd", "params": {"r": 1, "alpha": 1, "a": 1, "b": 1}},
        {"model": "gamma_gamma", "params": {"p": 1e-3, "q": 1e3, "gamma": 1}},
    ]
    for m in models:
        write("model_json", m["model"] + ("_fit" if "log_likelihood" in m else ""), json.dumps(m))
    logit = {"model": "logistic_regression", "feature_names": ["recency", "frequency", "plan=pro"],
             "coef": [0.05, -0.4, 1.2], "intercept": -1.5, "std_errors": [0.01, 0.1, None],
             "intercept_std_error": 0.3, "odds_ratios": [1.05, 0.67, 3.3], "feature_mean": [30, 4, 0.2],
             "feature_scale": [20, 3, 0.4],
             "options": {"penalty": "l2", "C": 1.0, "l1_ratio": 0.5, "fit_intercept": True, "standardize": True,
                         "max_iterations": 100, "tolerance": 1e-8, "class_weight": "balanced"},
             "fit": {"iterations": 12, "status": "converged", "log_likelihood": -100.5, "objective": 101.0,
                     "n_samples": 200},
             "encoding": {"columns": [{"name": "recency", "type": "numeric", "mean": 30, "missing_indicator": False},
                                      {"name": "frequency", "type": "numeric", "mean": 4, "missing_indicator": False},
                                      {"name": "plan", "type": "categorical", "levels": ["basic", "pro"],
                                       "reference": "basic"}],
                          "missing": "error"}}
    write("model_json", "logistic", json.dumps(logit))
    write("model_json", "logistic_minimal", json.dumps({"feature_names": [], "coef": [], "intercept": 0}))
    write("model_json", "nearly_valid", '{"model": "bgnbd", "params": {"r": -1, "alpha": "4", "a": null}}')


def capi_arrays():
    # FuzzedDataProvider reads the scalar options from the END of the input and rows from the front;
    # any bytes are a valid input, so seeds are just varied byte strings (a few from the CDNOW sample).
    raw = open(DATA / "CDNOW_sample.txt", "rb").read()
    for i, (start, length) in enumerate([(0, 600), (5000, 1200), (40000, 2000)]):
        write("capi_arrays", f"cdnow_bytes_{i}", raw[start:start + length])
    write("capi_arrays", "zeros", bytes(256))
    write("capi_arrays", "ones", b"\xff" * 256)
    write("capi_arrays", "ramp", bytes(range(256)) * 4)


if __name__ == "__main__":
    if OUT.exists():
        shutil.rmtree(OUT)
    for f in (tx, table, interactions, kano, segment_rules, escalation_rules, model_json, capi_arrays):
        f()
    for d in sorted(OUT.iterdir()):
        files = list(d.iterdir())
        print(f"{d.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")
