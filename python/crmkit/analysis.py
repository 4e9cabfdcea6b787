"""The end-to-end analysis behind ``crmkit analyze`` (C ABI: crmkit/c/analysis.h; docs/report.md).

    >>> import crmkit
    >>> a = crmkit.analyze("CDNOW_master.txt", "out", customer_col="customer_id", date_col="date",
    ...                    amount_col="dollar_value", calibration_end="1997-09-30")
    >>> a.summary["clv_total"], a.report_path
    >>> a.customers.head()          # customers.csv as a DataFrame (pandas) or a dict of numpy arrays
"""
import json
import os
from ctypes import POINTER, byref, c_char_p, c_double, c_int32, c_int64, c_void_p

import numpy as np

from ._lib import Options, check, declare, lib, release_with
from .data import _date_text, as_transactions, pd

_P = c_void_p
declare({
    "crmkit_analyze": (c_int32, [_P, _P, c_char_p, POINTER(_P)]),
    "crmkit_analysis_summary_json": (c_int32, [_P, POINTER(c_char_p)]),
    "crmkit_analysis_report_html": (c_int32, [_P, POINTER(c_char_p)]),
    "crmkit_analysis_output_path": (c_int32, [_P, c_char_p, POINTER(c_char_p)]),
    "crmkit_analysis_len": (c_int32, [_P, POINTER(c_int64)]),
    "crmkit_analysis_column": (c_int32, [_P, c_char_p, POINTER(c_double), c_int64]),
    "crmkit_analysis_free": (c_int32, [_P]),
})

COLUMNS = ("rfm_recency", "rfm_frequency", "rfm_monetary", "frequency", "recency", "T", "monetary_value",
           "total_spend", "p_alive", "churn_risk", "expected_purchases", "expected_spend", "clv", "churn_probability",
           "interactions")
OUTPUT_FILES = ("customers.csv", "summary.json", "report.html", "kano.json", "kano.csv", "service.json")


class Analysis:
    """What one run produced: ``summary`` (summary.json as a dict), ``report_html`` (text), the paths
    written (``output_dir``, ``report_path``, ``customers_path``, ``summary_path``; ``kano_json_path``,
    ``kano_csv_path`` with a survey and ``service_path`` with interactions; None when not written),
    ``paths`` (file name -> path of every file written), ``column(name)`` (numpy array per customer)
    and ``customers`` (customers.csv)."""

    def __init__(self, handle, output_dir):
        self._h = handle
        self._release = release_with(self, handle, lib.crmkit_analysis_free)
        self.output_dir = output_dir
        p = c_char_p()
        check(lib.crmkit_analysis_summary_json(handle, byref(p)))
        self.summary = json.loads(p.value.decode("utf-8"))
        n = c_int64()
        check(lib.crmkit_analysis_len(handle, byref(n)))
        self.n_customers = n.value
        paths = {}
        for f in OUTPUT_FILES:
            check(lib.crmkit_analysis_output_path(handle, f.encode(), byref(p)))
            paths[f] = p.value.decode("utf-8") or None
        self.paths = {f: v for f, v in paths.items() if v}
        self.customers_path, self.summary_path, self.report_path = (paths["customers.csv"], paths["summary.json"],
                                                                    paths["report.html"])
        self.kano_json_path, self.kano_csv_path, self.service_path = (paths["kano.json"], paths["kano.csv"],
                                                                      paths["service.json"])

    def column(self, name):
        out = np.empty(self.n_customers, dtype=np.float64)
        check(lib.crmkit_analysis_column(self._h, name.encode(), out.ctypes.data_as(POINTER(c_double)),
                                         self.n_customers))
        return out

    @property
    def report_html(self):
        p = c_char_p()
        check(lib.crmkit_analysis_report_html(self._h, byref(p)))
        return p.value.decode("utf-8")

    @property
    def customers(self):
        """customers.csv: a pandas DataFrame (ids as text) when pandas is installed and the file was
        written, otherwise a dict of the numeric columns."""
        if pd is not None and self.customers_path:
            return pd.read_csv(self.customers_path, dtype={"customer_id": str, "rfm_cell": str})
        return {k: self.column(k) for k in COLUMNS}

    def close(self):
        self._release()
        self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()



def analyze(data, output_dir=None, customer_id_col="customer_id", datetime_col="date", monetary_value_col=None,
            as_of=None, calibration_end=None, period="week", horizon_months=12, discount_rate=0.01, margin=1.0,
            segments="rf-grid", interactions=None, survey=None, title=None, **read_kw):
    """Runs the analysis on ``data`` (a path, a pandas DataFrame or Transactions) and, when
    ``output_dir`` is given, writes customers.csv, summary.json and report.html there.

    Path reading options (``customer_col``, ``date_col``, ``amount_col``, ...) are those of
    ``read_transactions``; DataFrames use ``customer_id_col``, ``datetime_col``, ``monetary_value_col``.
    Dates are ``YYYY-MM-DD`` text, ``datetime.date`` or pandas Timestamps. ``survey`` (a Kano survey CSV)
    adds the Kano section, kano.json and kano.csv; ``interactions`` (an interaction CSV) the service
    section and service.json; ``calibration_end`` also fits the logistic churn model
    (``summary["churn_model"]``, column ``churn_probability``). Returns an ``Analysis``.
    """
    tx = as_transactions(data, customer_id_col, datetime_col, monetary_value_col, **read_kw)
    source = os.fspath(data) if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__") else None
    if isinstance(source, bytes):
        source = source.decode()
    opts = Options(as_of=_date_text(as_of), calibration_end=_date_text(calibration_end), period=period,
                   horizon_months=horizon_months, discount_rate=discount_rate, margin=margin, segments=segments,
                   interactions=None if interactions is None else os.fspath(interactions),
                   survey=None if survey is None else os.fspath(survey), title=title, source=source)
    h = c_void_p()
    out = None if output_dir is None else os.fspath(output_dir).encode()
    check(lib.crmkit_analyze(tx.handle, opts.handle, out, byref(h)))
    return Analysis(h, None if output_dir is None else os.fspath(output_dir))
