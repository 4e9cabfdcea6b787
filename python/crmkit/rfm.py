"""RFM values, scores and segments."""
from ctypes import POINTER, byref, c_char_p, c_double, c_int32, c_int64, c_uint32, c_void_p

import numpy as np

from ._lib import Options, check, lib
from .data import _date_text, as_transactions, pd

_SUMMARY_COLUMNS = ("customers", "customer_share", "revenue", "revenue_share", "mean_recency", "mean_frequency",
                    "mean_monetary", "mean_r", "mean_f", "mean_m")


class RfmResult:
    """Everything one RFM run computes: ``table`` (one row per customer) and ``segment_summary``."""

    def __init__(self, table, segment_summary, as_of):
        self.table = table
        self.segment_summary = segment_summary
        self.as_of = as_of


def _compute(data, customer_id_col, datetime_col, monetary_value_col, as_of, bins, ties, monetary, segments,
             read_kw):
    tx = as_transactions(data, customer_id_col, datetime_col, monetary_value_col, **read_kw)
    seg_file = segments not in ("rf-grid", "rfm-ranges") and "\n" in str(segments)
    opts = Options(as_of=_date_text(as_of), bins=bins, ties=ties, monetary=monetary,
                   segments=None if seg_file else segments, segments_text=segments if seg_file else None)
    h = c_void_p()
    check(lib.crmkit_rfm_compute(tx.handle, opts.handle, byref(h)))
    try:
        n = c_int64()
        check(lib.crmkit_rfm_len(h, byref(n)))
        n = n.value
        codes = np.empty(n, dtype=np.uint32)
        check(lib.crmkit_rfm_customers(h, codes.ctypes.data_as(POINTER(c_uint32)), n))
        vals = {}
        for k in ("recency", "frequency", "monetary"):
            vals[k] = np.empty(n, dtype=np.float64)
            check(lib.crmkit_rfm_values(h, k.encode(), vals[k].ctypes.data_as(POINTER(c_double)), n))
        r, f, m, seg = (np.empty(n, dtype=np.int32) for _ in range(4))
        p32 = lambda a: a.ctypes.data_as(POINTER(c_int32))  # noqa: E731
        check(lib.crmkit_rfm_scores(h, p32(r), p32(f), p32(m), n))
        check(lib.crmkit_rfm_segments(h, p32(seg), n))
        ns = c_int64()
        check(lib.crmkit_rfm_segment_count(h, byref(ns)))
        names = []
        for i in range(ns.value):
            p = c_char_p()
            check(lib.crmkit_rfm_segment_name(h, i, byref(p)))
            names.append(p.value.decode("utf-8"))
        summ = {}
        for k in _SUMMARY_COLUMNS:
            summ[k] = np.empty(ns.value, dtype=np.float64)
            check(lib.crmkit_rfm_segment_summary(h, k.encode(), summ[k].ctypes.data_as(POINTER(c_double)), ns.value))
        day = c_int64()
        check(lib.crmkit_rfm_as_of(h, byref(day)))
    finally:
        lib.crmkit_rfm_free(h)
    table = {"customer_id": tx.customer_ids[codes], "recency": vals["recency"].astype(np.int64),
             "frequency": vals["frequency"].astype(np.int64), "monetary": vals["monetary"], "r": r, "f": f, "m": m,
             "segment": np.array(names, dtype=object)[seg]}
    summ["customers"] = summ["customers"].astype(np.int64)
    summary = {"segment": np.array(names, dtype=object), **summ}
    as_of_date = np.datetime64(day.value, "D")
    if pd is not None:
        table = pd.DataFrame(table)
        summary = pd.DataFrame(summary)
    return RfmResult(table, summary, as_of_date)


def rfm(data, customer_id_col="customer_id", datetime_col="date", monetary_value_col=None, as_of=None, bins=5,
        ties="rank-first", monetary="total", segments="rf-grid", **read_kw):
    """RFM per customer: columns customer_id, recency (days), frequency (transactions), monetary,
    r, f, m (1..bins, higher is better) and segment.

    ``ties``: "rank-first" (pandas qcut of rank(method="first")) or "value-quantile".
    ``segments``: "rf-grid", "rfm-ranges", a rules file path, or rules CSV text ("segment,r,f,m" ...).
    """
    return _compute(data, customer_id_col, datetime_col, monetary_value_col, as_of, bins, ties, monetary,
                    segments, read_kw).table


def rfm_segment_summary(data, customer_id_col="customer_id", datetime_col="date", monetary_value_col=None,
                        as_of=None, bins=5, ties="rank-first", monetary="total", segments="rf-grid", **read_kw):
    """One row per segment: customers, customer_share, revenue, revenue_share, mean recency /
    frequency / monetary and mean r / f / m scores."""
    return _compute(data, customer_id_col, datetime_col, monetary_value_col, as_of, bins, ties, monetary,
                    segments, read_kw).segment_summary


def rfm_full(data, **kw):
    """Both results of one run: an RfmResult with .table, .segment_summary and .as_of."""
    read_keys = {"customer_id_col", "datetime_col", "monetary_value_col", "as_of", "bins", "ties", "monetary",
                 "segments"}
    args = {k: kw.pop(k) for k in list(kw) if k in read_keys}
    return _compute(data, args.get("customer_id_col", "customer_id"), args.get("datetime_col", "date"),
                    args.get("monetary_value_col"), args.get("as_of"), args.get("bins", 5),
                    args.get("ties", "rank-first"), args.get("monetary", "total"), args.get("segments", "rf-grid"), kw)
