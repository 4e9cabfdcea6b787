"""The end-to-end analysis from Python: the report of a CDNOW-format log, and its results as data.

usage: python3 analyze.py CDNOW_master.txt OUT_DIR
"""
import sys

import crmkit

a = crmkit.analyze(sys.argv[1], sys.argv[2], customer_col="customer_id", date_col="date", amount_col="dollar_value",
                   calibration_end="1997-09-30")
s = a.summary
print(f"{s['customers']} customers, revenue {s['revenue']:,.2f}; the top 20% bring {s['top20_revenue_share']:.0%}")
print(f"model: {s['transaction_model']['title']} ({s['transaction_model']['selection']}); "
      f"12-month CLV {s['clv_total']:,.2f}")
print(f"holdout: {s['holdout']['predicted_purchases']:.0f} purchases predicted, {s['holdout']['actual_purchases']:.0f} actual")
print("report:", a.report_path)
# customers.csv as a DataFrame: the ten most valuable customers
print(a.customers.nlargest(10, "clv")[["customer_id", "segment", "p_alive", "expected_purchases", "clv"]]
      .to_string(index=False))
