"""RFM segments of a CDNOW-format transaction log with the Python package.

usage: python3 rfm_segments.py CDNOW_master.txt
"""
import sys

import crmkit

tx = crmkit.read_transactions(sys.argv[1], customer_col="customer_id", date_col="date", amount_col="dollar_value")
print(f"{tx.n_rows} transactions of {tx.n_customers} customers (crmkit {crmkit.__version__})")
summary = crmkit.rfm_segment_summary(tx)
print(summary[["segment", "customers", "customer_share", "revenue_share"]].to_string(index=False))
# the per-customer table: customer_id, recency, frequency, monetary, r, f, m, segment
print(crmkit.rfm(tx).head())
