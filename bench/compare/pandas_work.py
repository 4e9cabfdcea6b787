"""The foundation's work written in pandas, shared by the comparison scripts in bench/compare/.

Each function does what the matching crmkit call does, in idiomatic vectorised pandas:
  read()              ~ io::read_transactions   (CSV -> columns, dates parsed)
  lifetimes_summary() ~ summary::summarize      (lifetimes' summary_data_from_transaction_data)
  rfm_scores()        ~ rfm::compute            (values + 1..5 rank-first quantile scores)
  rfm_segments()      ~ rfm::compute + assign   (+ the 10-segment R-F grid)
"""
import numpy as np
import pandas as pd


def read(path):
    """read_csv with ids kept as strings and dates parsed (what ingestion has to deliver)."""
    df = pd.read_csv(path, dtype={"customer_id": str, "amount": np.float64})
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df


def lifetimes_summary(df, period_days=1.0, observation_end=None):
    """frequency, recency, T, monetary_value per customer, as lifetimes computes them: purchases on
    one day are merged into one (amounts summed); frequency = purchase days - 1; recency = last - first
    day; T = observation end - first day (in periods); monetary_value = mean of the repeat days'
    amounts (the first day excluded), 0 without repeats. Written here with groupby primitives (lifetimes
    itself applies a Python lambda per group, which is slower than this)."""
    end = df.date.max() if observation_end is None else observation_end
    df = df[df.date <= end]
    # one row per (customer, day), sorted by customer then day, so "first" is the first day's amount
    daily = df.groupby(["customer_id", "date"], sort=True)["amount"].sum().reset_index()
    agg = daily.groupby("customer_id", sort=False).agg(first=("date", "min"), last=("date", "max"),
                                                       n=("date", "size"), total=("amount", "sum"),
                                                       first_amount=("amount", "first"))
    out = pd.DataFrame(index=agg.index)
    out["frequency"] = (agg.n - 1).astype(np.float64)
    out["recency"] = (agg["last"] - agg["first"]).dt.days / period_days
    out["T"] = (end - agg["first"]).dt.days / period_days
    repeat = agg.total - agg.first_amount
    out["monetary_value"] = np.where(out.frequency > 0, repeat / out.frequency.where(out.frequency > 0, 1.0), 0.0)
    return out


def _qcut_first(s, bins=5):
    return pd.qcut(s.rank(method="first"), bins, labels=False) + 1


def rfm_scores(df):
    """recency (days before the day after the last purchase), frequency (rows), monetary (total
    spend) per customer in order of first appearance, and r, f, m scores: qcut of first-ranks into
    5 bins, recency reversed."""
    as_of = df.date.max() + pd.Timedelta(days=1)
    g = df.groupby("customer_id", sort=False).agg(last=("date", "max"), frequency=("date", "size"),
                                                 monetary=("amount", "sum"))
    g["recency"] = (as_of - g["last"]).dt.days
    g["r"] = 6 - _qcut_first(g.recency)
    g["f"] = _qcut_first(g.frequency)
    g["m"] = _qcut_first(g.monetary)
    return g.drop(columns="last")


# The R-F grid of rfm::Segmentation::rf_grid(): (name, r_min, r_max, f_min, f_max); covers all 25 cells.
RF_GRID = [("Champions", 5, 5, 4, 5), ("Loyal Customers", 3, 4, 4, 5), ("Potential Loyalists", 4, 5, 2, 3),
           ("New Customers", 5, 5, 1, 1), ("Promising", 4, 4, 1, 1), ("Need Attention", 3, 3, 3, 3),
           ("About to Sleep", 3, 3, 1, 2), ("At Risk", 1, 2, 3, 4), ("Can't Lose Them", 1, 2, 5, 5),
           ("Hibernating", 1, 2, 1, 2)]


def rfm_segments(df):
    g = rfm_scores(df)
    r, f = g.r.to_numpy(), g.f.to_numpy()
    conds = [(r >= r0) & (r <= r1) & (f >= f0) & (f <= f1) for _, r0, r1, f0, f1 in RF_GRID]
    g["segment"] = np.select(conds, [name for name, *_ in RF_GRID], default="Other")
    return g


def rfm_csv(df, out):
    """The CLI's output: customer_id,recency,frequency,monetary,r,f,m,segment."""
    g = rfm_segments(df)
    g[["recency", "frequency", "monetary", "r", "f", "m", "segment"]].to_csv(out, index_label="customer_id")
