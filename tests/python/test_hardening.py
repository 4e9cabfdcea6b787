"""Issue 13 at the Python face: what a caller passes is refused with a clear error, never a crash or a
silent change of the data."""
import numpy as np
import pytest

import crmkit
from crmkit._errors import InvalidArgumentError, ParseError


def test_negative_code_is_refused_not_a_crash():
    # np.array([-1, 1]) as codes wrapped to 0xFFFFFFFF, and crmkit.rfm then killed the interpreter.
    with pytest.raises(InvalidArgumentError, match=r"codes\[0\] = -1 is outside 0 to 4294967294"):
        crmkit.Transactions.from_arrays(np.array([-1, 1]), np.array([1, 2]), np.array([1.0, 2.0]))
    with pytest.raises(InvalidArgumentError, match=r"codes\[0\] = 4294967295 is outside"):
        crmkit.Transactions.from_arrays(np.array([0xFFFFFFFF, 1], dtype=np.uint32), np.array([1, 2]))


def test_fractional_times_and_codes_are_refused_not_truncated():
    with pytest.raises(InvalidArgumentError, match=r"time\[1\] = 2.5 is not a whole number"):
        crmkit.Transactions.from_arrays(np.array([0, 1]), np.array([1.0, 2.5]))
    with pytest.raises(InvalidArgumentError, match=r"codes\[0\] = 0.5"):
        crmkit.Transactions.from_arrays(np.array([0.5, 1.0]), np.array([1, 2]))
    with pytest.raises(InvalidArgumentError, match=r"time\[0\] = nan"):
        crmkit.Transactions.from_arrays(np.array([0, 1]), np.array([np.nan, 2.0]))
    # whole floats are fine
    tx = crmkit.Transactions.from_arrays(np.array([0.0, 1.0]), np.array([1.0, 2.0]))
    assert tx.n_rows == 2


def test_two_dimensional_arrays_are_refused():
    with pytest.raises(InvalidArgumentError, match=r"codes must be one-dimensional, got shape \(2, 2\)"):
        crmkit.Transactions.from_arrays(np.zeros((2, 2), dtype=np.uint32), np.zeros(4, dtype=np.int64))
    with pytest.raises(InvalidArgumentError, match="amount must be one-dimensional"):
        crmkit.Transactions.from_arrays(np.array([0, 1]), np.array([1, 2]), np.ones((2, 1)))


def test_extreme_times_are_refused():
    with pytest.raises(InvalidArgumentError, match="0001-01-01 to 9999-12-31"):
        crmkit.Transactions.from_arrays(np.array([0, 0]), np.array([np.iinfo(np.int64).min, 5]))


def test_a_nul_in_a_path_is_refused_not_cut(tmp_path):
    good = tmp_path / "a.csv"
    good.write_text("customer_id,date,amount\n1,2020-01-01,5\n")
    with pytest.raises(InvalidArgumentError, match="NUL byte at position"):
        crmkit.read_transactions(str(good) + "\0junk")
    with pytest.raises(InvalidArgumentError, match=r"ids\[1\]"):
        crmkit.Transactions.from_arrays(np.array([0, 1]), np.array([1, 2]), ids=["a", "b\0c"])


def test_deep_json_model_is_a_parse_error():
    deep = "[" * 100000 + "]" * 100000
    with pytest.raises(ParseError, match="nested more than 64 levels"):
        crmkit.clv.BgNbd.from_json(deep)


def test_duplicate_ids_are_refused():
    with pytest.raises(InvalidArgumentError, match=r"duplicates ids\[0\]"):
        crmkit.Transactions.from_arrays(np.array([0, 1]), np.array([1, 2]), ids=["x", "x"])


def test_deep_json_logistic_model_is_an_error_not_a_recursion_error():
    deep = "[" * 100000 + "]" * 100000
    with pytest.raises(InvalidArgumentError, match="nested more than 64 levels"):
        crmkit.churn.LogisticRegression.from_json(deep)


def test_event_log_without_amounts(tmp_path):
    f = tmp_path / "events.csv"
    f.write_text("customer_id,date,amount\na,2020-01-01,5\na,2020-01-15,5\nb,2020-01-02,7\n")
    tx = crmkit.read_transactions(str(f), no_amount=True)  # an amount-named column is not read
    assert not tx.has_amounts
    s = crmkit.summary(tx)
    assert list(s.columns) == ["frequency", "recency", "T"]
    assert s.loc["a", "frequency"] == 1 and s.loc["a", "recency"] == 14
    with pytest.raises(InvalidArgumentError, match="no_amount"):
        crmkit.read_transactions(str(f), no_amount=True, amount_col="amount")
    assert "monetary_value" in crmkit.summary(crmkit.read_transactions(str(f))).columns


def test_receipt_lines_fold_into_orders_and_zero_amount_days(tmp_path):
    # Issue 13 item 17: frequency counts orders, not receipt lines; days whose amounts are all 0 are kept
    # (as lifetimes counts them) unless zero_amount_days="drop", which counts what it removed.
    f = tmp_path / "lines.csv"
    f.write_text("customer_id,date,invoice,amount\na,2020-01-01,o1,5\na,2020-01-01,o1,5\n"
                 "a,2020-01-01,o2,3\nb,2020-01-02,o3,0\n")
    lines = crmkit.read_transactions(str(f))
    freq = lambda t: dict(zip(crmkit.rfm(t)["customer_id"], crmkit.rfm(t)["frequency"]))  # noqa: E731
    assert freq(lines)["a"] == 3
    tx = crmkit.read_transactions(str(f), order_col="invoice")
    assert freq(tx)["a"] == 2
    rep = tx.report
    assert (rep["rows_read"], rep["orders"], rep["lines_folded"], rep["transactions"]) == (4, 3, 1, 3)
    dropped = crmkit.read_transactions(str(f), order_col="invoice", zero_amount_days="drop")
    assert dropped.n_customers == 1 and dropped.n_rows == 2
    assert dropped.report["zero_amount_days_dropped"] == 1 and dropped.report["customers_dropped"] == 1
    with pytest.raises(InvalidArgumentError, match="keep or drop"):
        crmkit.read_transactions(str(f), zero_amount_days="skip")
    g = tmp_path / "two.csv"
    g.write_text("customer_id,date,invoice,amount\na,2020-01-01,o1,5\nb,2020-01-01,o1,5\n")
    with pytest.raises(ParseError, match=r"two.csv:3:1: .*order 'o1' on line 2"):
        crmkit.read_transactions(str(g), order_col="invoice")
