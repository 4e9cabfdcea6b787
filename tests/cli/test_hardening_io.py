"""Issue 13 (hardening), the readers' part, at the command line: malformed quoting, ambiguous columns and
ids, encodings and messages. Every case asserts the exit code (1 data, 2 usage) and what the message says.

Run by ctest as cli.pytest with CRMKIT_CLI=<crmkit binary>.
"""
import json
import os
import subprocess

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
SUMMARY = os.path.join(DATA, "cdnow_customers_summary.csv")  # ID,frequency,recency,T
HEAD = b"customer,date,amount\n"
ROWS = b"A,2021-01-01,10\nB,2021-01-02,20\nA,2021-02-01,5\n"


def run(*args):
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, timeout=120)
    err = p.stderr.decode("utf-8")  # the message itself must be UTF-8, whatever the input held
    assert "terminate called" not in err and "internal error" not in err, err
    return p.returncode, p.stdout, err


def fails(code, *args):
    rc, out, err = run(*args)
    assert rc == code, (rc, err)
    assert err.startswith("crmkit: error: "), err
    assert out == b""
    return err


def write(tmp_path, name, data):
    f = tmp_path / name
    f.write_bytes(data)
    return f


# ---- text after a closing quote (was: dropped) ---------------------------------------------------------

def test_text_after_a_closing_quote_in_an_id_is_an_error(tmp_path):
    # "12"3 and "12"4 used to become customer 12 twice
    f = write(tmp_path, "q.csv", HEAD + b'"12"3,2021-01-01,5\n"12"4,2021-01-02,5\n')
    err = fails(1, "summary", "--transactions", f)
    assert f"{f}:2:1: expected a delimiter or the end of the line after the closing quote" in err
    assert "found '3'" in err


def test_text_after_a_closing_quote_in_an_amount_or_a_date_is_an_error(tmp_path):
    f = write(tmp_path, "a.csv", HEAD + b'12,2021-01-01,"10"5\n')
    assert f"{f}:2:3: expected a delimiter" in fails(1, "summary", "--transactions", f)
    f = write(tmp_path, "d.csv", HEAD + b'12,"2021-01-01"junk,5\n')
    assert "found 'junk'" in fails(1, "rfm", "--transactions", f)


def test_skipped_rows_with_text_after_a_quote_are_counted(tmp_path):
    f = write(tmp_path, "s.csv", HEAD + ROWS + b'"12"3,2021-01-01,5\n')
    rc, out, err = run("summary", "--transactions", f, "--skip-bad-rows")
    assert rc == 0, err
    assert "skipped 1 bad row" in err and ":5:1:" in err
    assert b"12" not in out


def test_an_unterminated_quote_at_the_end_of_the_file(tmp_path):
    f = write(tmp_path, "u.csv", HEAD + ROWS + b'"C,2021-03-01,1')
    assert f"{f}:5:1: expected a closing quote" in fails(1, "summary", "--transactions", f)


def test_summary_files_refuse_text_after_a_closing_quote(tmp_path):
    f = write(tmp_path, "s.csv", b'customer_id,frequency,recency,T\n"A"x,1,2,3\n')
    assert f"{f}:2:1: expected a delimiter" in fails(1, "fit", "bgnbd", "--summary", f)


# ---- ambiguity (was: the first wins) -----------------------------------------------------------------

def test_duplicate_header_names_are_refused(tmp_path):
    f = write(tmp_path, "d.csv", b"customer,date,amount,Amount\n" + b"A,2021-01-01,1,2\n")
    err = fails(1, "summary", "--transactions", f)
    assert f'{f}:1:4: expected each column named once in the header' in err
    assert '"amount" at column 3 and "Amount" at column 4' in err
    s = write(tmp_path, "s.csv", b"customer_id,frequency,frequency,recency,T\nA,1,2,3,4\n")
    assert '"frequency" at column 2 and "frequency" at column 3' in fails(1, "fit", "bgnbd", "--summary", s)


def test_a_summary_with_two_aliases_of_one_column_is_refused(tmp_path):
    f = write(tmp_path, "s.csv", b"customer_id,frequency,x,recency,T\nA,1,1,2,3\n")
    err = fails(1, "fit", "bgnbd", "--summary", f)
    assert f"{f}:1:3: expected one column of frequency or x" in err
    assert '"frequency" at column 2 and "x" at column 3' in err


def test_repeated_customer_ids_in_a_summary_file_are_refused(tmp_path):
    f = write(tmp_path, "s.csv", b"customer_id,frequency,recency,T\nA,1,2,3\nB,0,0,3\nA,2,3,3\n")
    err = fails(1, "fit", "bgnbd", "--summary", f)
    assert f"{f}:4:1: column 'customer_id': expected each id on one row only, found '\"A\" on lines 2 and 4'" in err
    model = tmp_path / "m.json"
    rc, _, err = run("fit", "bgnbd", "--summary", SUMMARY, "-o", model)
    assert rc == 0, err
    err = fails(1, "predict", "bgnbd", "--model", model, "--summary", f, "--horizon", "4")
    assert f"{f}:4:1: column 'customer_id': expected each id on one row only" in err


def test_empty_column_flags_are_usage_errors(tmp_path):
    f = write(tmp_path, "t.csv", HEAD + ROWS)
    for flag in ("--amount-col", "--customer-col", "--date-col"):
        err = fails(2, "summary", "--transactions", f, flag, "")
        assert flag in err and "an empty column name" in err
    s = write(tmp_path, "n.csv", b"score\n9\n")
    assert "--score-col" in fails(2, "nps", "--scores", s, "--score-col", "")
    d = write(tmp_path, "d.csv", b"duration,event\n3,1\n")
    assert "--duration-col" in fails(2, "survival", "--durations", d, "--duration-col", "")


# ---- encodings ---------------------------------------------------------------------------------------

def test_a_latin1_id_is_an_error_that_names_the_option(tmp_path):
    f = write(tmp_path, "l.csv", HEAD + ROWS + b"Jos\xe9,2021-03-01,7\n")
    err = fails(1, "summary", "--transactions", f, "--format", "json")
    assert f"{f}:5:1: column 'customer': expected UTF-8 text" in err
    assert "--encoding latin-1" in err and "found 'Jos\\xE9'" in err


def test_encoding_latin1_transcodes_ids_so_json_is_utf8(tmp_path):
    f = write(tmp_path, "l.csv", HEAD + ROWS + b"Jos\xe9,2021-03-01,7\n")
    rc, out, err = run("summary", "--transactions", f, "--format", "json", "--encoding", "latin-1")
    assert rc == 0, err
    ids = [r["customer_id"] for r in json.loads(out.decode("utf-8"))]
    assert "Jos\u00e9" in ids
    rc, out, err = run("rfm", "--transactions", f, "--encoding", "latin1")
    assert rc == 0, err
    assert "Jos\u00e9" in out.decode("utf-8")


def test_unknown_encodings_are_usage_errors(tmp_path):
    f = write(tmp_path, "t.csv", HEAD + ROWS)
    err = fails(2, "summary", "--transactions", f, "--encoding", "cp1252")
    assert "--encoding 'cp1252': must be utf-8 or latin-1" in err


# ---- messages ----------------------------------------------------------------------------------------

def test_cr_only_line_ends_are_named(tmp_path):
    f = write(tmp_path, "mac.csv", b"customer,date,amount\rA,2021-01-01,1\rB,2021-01-02,2\r")
    err = fails(1, "summary", "--transactions", f)
    assert "lines ending in a lone CR" in err and "missing" not in err
    s = write(tmp_path, "mac_s.csv", b"customer_id,frequency,recency,T\rA,1,2,3\r")
    assert "lines ending in a lone CR" in fails(1, "fit", "bgnbd", "--summary", s)


def test_a_header_without_rows_says_so(tmp_path):
    f = write(tmp_path, "h.csv", b"cust,when,total\n")
    assert "the file has no data rows" in fails(1, "summary", "--transactions", f)
    s = write(tmp_path, "s.csv", b"id,freq\n")
    assert "the file has no data rows" in fails(1, "fit", "bgnbd", "--summary", s)


def test_all_missing_columns_at_once_with_their_flags(tmp_path):
    f = write(tmp_path, "m.csv", b"cust,when,total_price\nA,2021-01-01,1\n")
    err = fails(1, "summary", "--transactions", f)
    assert "a customer id column (named customer_id" in err and "--customer-col" in err
    assert "a date column (named date" in err and "--date-col" in err
    assert "an amount column (named amount" in err and "--amount-col" in err
    assert "found 'header: cust, when, total_price'" in err


def test_long_values_are_cut(tmp_path):
    f = write(tmp_path, "big.csv", b"h" * (10 << 20) + b",date,amount\nA,2021-01-01,1\n")
    err = fails(1, "summary", "--transactions", f)
    assert len(err) < 3000
    assert "(10485760 bytes)" in err


def test_nul_bytes_are_shown_escaped(tmp_path):
    f = write(tmp_path, "nul.csv", HEAD + b"A,2021-01-01,1\x00x\n")
    err = fails(1, "summary", "--transactions", f)
    assert "\x00" not in err
    assert f"{f}:2:3: column 'amount': expected a number, found '1\\0x'" in err


def test_grammar_an_amount(tmp_path):
    f = write(tmp_path, "g.csv", b"A,2021-01-01,1\n")
    err = fails(1, "summary", "--transactions", f, "--no-header", "--customer-col", "1", "--date-col", "2",
                "--amount-col", "7")
    assert "an amount column at index 7" in err
