"""Churn indicators at a cutoff in pandas: the reference the tests compare crmkit with
(tests/python/test_churn_indicators.py) and the competitor of bench/compare/churn_indicators_compare.py.
Definitions: docs/models/churn_indicators.md (purchase indicators and the label)."""
import numpy as np
import pandas as pd


def purchase_indicators(df, cutoff, horizon_days=180, recent_days=90):
    """df: customer_id, day (int days since 1970-01-01), amount. Returns a DataFrame indexed by
    customer_id (sorted as the ids first appear in df) with the nine purchase indicators and churned."""
    order = pd.unique(df["customer_id"])
    hist = df[df["day"] <= cutoff]
    spend = hist.groupby("customer_id", sort=False)["amount"].sum()
    days = hist[["customer_id", "day"]].drop_duplicates().sort_values(["customer_id", "day"])
    g = days.groupby("customer_id", sort=False)["day"]
    first, last, k = g.min(), g.max(), g.size().astype(float)
    n_recent = days[days["day"] > cutoff - recent_days].groupby("customer_id", sort=False).size()
    n_recent = n_recent.reindex(first.index, fill_value=0).astype(float)
    gap = days.groupby("customer_id", sort=False)["day"].diff().dropna()
    gap_sd = gap.groupby(days.loc[gap.index, "customer_id"]).std(ddof=0).reindex(first.index).fillna(0.0)
    out = pd.DataFrame(index=first.index)
    out["recency_days"] = (cutoff - last).astype(float)
    out["frequency"] = k - 1
    out["monetary"] = spend.reindex(first.index) / k
    out["tenure_days"] = (cutoff - first).astype(float)
    earlier = (cutoff - recent_days - first + 1).astype(float)
    out["purchase_trend"] = np.where(earlier > 0, 30.0 * n_recent / recent_days
                                     - 30.0 * (k - n_recent) / np.maximum(earlier, recent_days), 0.0)
    mean = np.where(k >= 2, (last - first) / (k - 1).where(k >= 2, 1.0), 0.0)
    out["gap_mean_days"] = mean
    out["gap_sd_days"] = gap_sd
    out["gap_ratio"] = np.where(k >= 2, out["recency_days"] / np.where(mean > 0, mean, 1.0), 0.0)
    out["gap_z"] = np.where(gap_sd > 0, (out["recency_days"] - mean) / gap_sd.where(gap_sd > 0, 1.0), 0.0)
    if horizon_days > 0:
        fut = df[(df["day"] > cutoff) & (df["day"] <= cutoff + horizon_days)]["customer_id"].unique()
        out["churned"] = (~out.index.isin(fut)).astype(np.int64)
    return out.reindex([c for c in order if c in out.index])
