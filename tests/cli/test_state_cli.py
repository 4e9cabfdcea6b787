"""Issue 14 at the CLI: `crmkit summary --state-out/--state-in` and `crmkit merge`. Yesterday's state plus
today's rows prints, byte for byte, the summary of the whole log; shards of customers merge to the
summary of the union; a refresh that cannot be exact, overlapping shards and corrupt files are errors.
Also: the parallel reader gives byte-identical output on one thread and on several."""
import csv
import io
import os
import subprocess

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
MASTER = os.path.join(DATA, "CDNOW_master.txt")
COLS = ["--customer-col", "customer_id", "--date-col", "date", "--amount-col", "dollar_value"]


def run(*args, code=0, env=None):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120,
                       env={**os.environ, **(env or {})})
    assert p.returncode == code, (p.returncode, p.stderr[-2000:])
    if code:
        assert p.stderr.startswith("crmkit: error: "), p.stderr
    return p


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    """CDNOW's log cut at 1997-09-30 (by date) and by customer parity, as separate files."""
    d = tmp_path_factory.mktemp("state")
    lines = open(MASTER).read().splitlines()
    header, rows = lines[0], lines[1:]
    early = [r for r in rows if r.split()[1] <= "19970930"]
    late = [r for r in rows if r.split()[1] > "19970930"]
    even = [r for r in rows if int(r.split()[0]) % 2 == 0]
    odd = [r for r in rows if int(r.split()[0]) % 2 == 1]
    out = {}
    for name, rs in [("early", early), ("late", late), ("even", even), ("odd", odd)]:
        p = d / f"{name}.txt"
        p.write_text("\n".join([header, *rs]) + "\n")
        out[name] = str(p)
    out["dir"] = d
    return out


def table(text):
    return {r["customer_id"]: r for r in csv.DictReader(io.StringIO(text))}


def test_refresh_prints_the_summary_of_the_whole_log_byte_for_byte(parts):
    d = parts["dir"]
    run("summary", "--transactions", parts["early"], *COLS, "--state-out", str(d / "s.state"), "-o", os.devnull)
    refreshed = run("summary", "--state-in", str(d / "s.state"), "--transactions", parts["late"], *COLS,
                    "--state-out", str(d / "s2.state"), "--period", "week")
    whole = run("summary", "--transactions", MASTER, *COLS, "--period", "week")
    assert refreshed.stdout == whole.stdout
    assert "added" in refreshed.stderr and "observed to 1998-06-30" in refreshed.stderr
    # the saved state alone prints the same again
    assert run("summary", "--state-in", str(d / "s2.state"), "--period", "week").stdout == whole.stdout


def test_customer_shards_merge_to_the_summary_of_the_union(parts):
    d = parts["dir"]
    for name in ("even", "odd"):
        run("summary", "--transactions", parts[name], *COLS, "--observation-end", "1998-06-30",
            "--state-out", str(d / f"{name}.state"), "-o", os.devnull)
    merged = run("merge", str(d / "even.state"), str(d / "odd.state"), "-o", str(d / "m.state"))
    assert "merged 2 states: 23570 customers" in merged.stderr
    got = table(run("summary", "--state-in", str(d / "m.state")).stdout)
    want = table(run("summary", "--transactions", MASTER, *COLS).stdout)
    assert got == want  # every value's text, for every customer


def test_a_refresh_that_cannot_be_exact_is_an_error_naming_the_customer(parts):
    d = parts["dir"]
    run("summary", "--transactions", parts["late"], *COLS, "--state-out", str(d / "late.state"), "-o", os.devnull)
    err = run("summary", "--state-in", str(d / "late.state"), "--transactions", parts["early"], *COLS,
              code=1).stderr
    assert "cannot be added exactly" in err and "customer '" in err and parts["early"] in err


def test_overlapping_shards_and_bad_state_files_are_errors(parts, tmp_path):
    d = parts["dir"]
    run("summary", "--transactions", parts["early"], *COLS, "--state-out", str(d / "e.state"), "-o", os.devnull)
    err = run("merge", str(d / "e.state"), str(d / "e.state"), "-o", str(tmp_path / "x.state"), code=1).stderr
    assert "in both states" in err
    bad = tmp_path / "bad.state"
    data = bytearray(open(d / "e.state", "rb").read())
    data[200] ^= 1
    bad.write_bytes(bytes(data))
    assert "the file is corrupt" in run("summary", "--state-in", str(bad), code=1).stderr
    short = tmp_path / "short.state"
    short.write_bytes(bytes(data[:100]))
    assert "truncated" in run("summary", "--state-in", str(short), code=1).stderr
    assert "expected a crmkit summary state file" in run("summary", "--state-in", MASTER, code=1).stderr
    assert "cannot open" in run("merge", str(tmp_path / "missing.state"), "-o", str(tmp_path / "y"), code=1).stderr


@pytest.mark.parametrize("args, words", [
    (["summary"], "needs --transactions FILE, or --state-in STATE"),
    (["summary", "--transactions", MASTER, *COLS, "--calibration-end", "1997-09-30", "--state-out", "x.state"],
     "--calibration-end cannot be used with --state-in or --state-out"),
    (["merge", "a.state"], "--output is required"),
])
def test_usage_errors(args, words):
    assert words in run(*args, code=2).stderr


def test_observation_end_of_a_state_moves_only_with_transactions(parts):
    d = parts["dir"]
    run("summary", "--transactions", parts["early"], *COLS, "--state-out", str(d / "o.state"), "-o", os.devnull)
    err = run("summary", "--state-in", str(d / "o.state"), "--observation-end", "1998-01-01", code=2).stderr
    assert "differs from the state's observation end 1997-09-30" in err


def test_parallel_reader_output_is_identical_on_one_and_two_threads(tmp_path):
    # 600k rows (> 4 MiB): the reader cuts it into chunks when it may use two threads
    lines = open(MASTER).read().splitlines()
    big = tmp_path / "big.txt"
    with open(big, "w") as f:
        f.write(lines[0] + "\n")
        for k in range(9):
            for r in lines[1:]:
                c, rest = r.split(None, 1)
                f.write(f" {k}{c} {rest}\n")
    one = run("--threads", "1", "summary", "--transactions", str(big), *COLS)
    two = run("--threads", "2", "summary", "--transactions", str(big), *COLS)
    assert one.stdout == two.stdout and len(one.stdout.splitlines()) == 9 * 23570 + 1


def test_a_day_without_sales_refreshes_the_state_unchanged_but_for_nothing(parts, tmp_path):
    d = parts["dir"]
    run("summary", "--transactions", parts["early"], *COLS, "--state-out", str(d / "q.state"), "-o", os.devnull)
    empty = tmp_path / "empty.txt"
    empty.write_text("customer_id date number_of_cds dollar_value\n")
    before = run("summary", "--state-in", str(d / "q.state")).stdout
    after = run("summary", "--state-in", str(d / "q.state"), "--transactions", str(empty), *COLS,
                "--state-out", str(tmp_path / "q2.state"))
    assert after.stdout == before and "added 0 rows" in after.stderr
    # building a state needs rows (or an observation end)
    run("summary", "--transactions", str(empty), *COLS, "--state-out", str(tmp_path / "x.state"), code=1)
