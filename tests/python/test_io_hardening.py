"""Issue 13 (hardening), the readers' part, through Python (and the C ABI under it): the `encoding`
option of read_transactions, malformed quoting and empty column names."""
import pytest

import crmkit

HEAD = b"customer,date,amount\n"


def test_a_latin1_id_raises_parse_error_naming_line_column_and_bytes(tmp_path):
    p = tmp_path / "l.csv"
    p.write_bytes(HEAD + b"A,2021-01-01,1\nJos\xe9,2021-01-02,2\n")
    with pytest.raises(crmkit.ParseError) as e:
        crmkit.read_transactions(p)
    msg = str(e.value)
    assert f"{p}:3:1: column 'customer': expected UTF-8 text" in msg
    assert "found 'Jos\\xE9'" in msg and "encoding" in msg


def test_encoding_latin1_transcodes_ids(tmp_path):
    p = tmp_path / "l.csv"
    p.write_bytes(HEAD + b"A,2021-01-01,1\nJos\xe9,2021-01-02,2\n\"M\xfcller\",2021-01-03,3\n")
    tx = crmkit.read_transactions(p, encoding="latin-1")
    assert list(tx.customer_ids) == ["A", "Jos\u00e9", "M\u00fcller"]
    assert crmkit.read_transactions(p, encoding="ISO-8859-1").n_customers == 3


def test_unknown_encoding_is_an_invalid_argument(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(HEAD + b"A,2021-01-01,1\n")
    with pytest.raises(crmkit.InvalidArgumentError, match="must be utf-8 or latin-1"):
        crmkit.read_transactions(p, encoding="cp1252")
    assert crmkit.read_transactions(p, encoding="utf-8").n_rows == 1


def test_text_after_a_closing_quote_raises(tmp_path):
    p = tmp_path / "q.csv"
    p.write_bytes(HEAD + b'"12"3,2021-01-01,5\n"12"4,2021-01-01,5\n')
    with pytest.raises(crmkit.ParseError, match=r"q.csv:2:1: expected a delimiter or the end of the line after the "
                                                r"closing quote"):
        crmkit.read_transactions(p)


def test_an_empty_column_name_is_not_the_default(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(HEAD + b"A,2021-01-01,1\n")
    with pytest.raises(crmkit.InvalidArgumentError, match="not empty"):
        crmkit.read_transactions(p, amount_col="")
