"""Issue 13 at the CLI: churn train refuses bad numeric cells, id-like and high-cardinality columns
(naming the column and the flag); kano refuses answers outside the word map (listing every wording),
reads a word map from a file and refuses a feature listed twice in --costs; service and nps validate
dates and print undefined statistics as empty CSV cells / JSON null with an n column."""
import csv
import io
import json
import os
import subprocess

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")


def run(*args, code=0):
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)
    assert p.returncode == code, p.stderr
    assert "Traceback" not in p.stderr and "terminate called" not in p.stderr
    return p


def customers(path, n=60, tenure_at=None, surnames=10):
    """RowNumber, CustomerId, Surname, tenure, plan, churned (the Churn_Modelling.csv shape)."""
    lines = ["RowNumber,CustomerId,Surname,tenure,plan,churned"]
    for i in range(n):
        tenure = tenure_at[1] if tenure_at and i == tenure_at[0] else str((i * 7) % 11)
        lines.append(f"{i + 1},{15634602 + 31 * i},S{i % surnames},{tenure},{'ab'[i % 2]}{i % 3},{(i * 5) % 3 == 0}")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def train(*args, code=0):
    return run("churn", "train", "--label", "churned", *args, code=code)


# ---- churn train --------------------------------------------------------------------------------------

def test_churn_bad_numeric_cell_is_an_error_naming_the_cell_and_the_flags(tmp_path):
    data = customers(tmp_path / "c.csv", tenure_at=(4, "abc"))
    p = train("--data", data, "--id-col", "CustomerId", "--exclude", "RowNumber,Surname", code=1)
    assert "c.csv:6:4: column 'tenure': expected a number (59 of 60 cells" in p.stderr
    assert "--categorical tenure" in p.stderr and "found 'abc'" in p.stderr
    assert p.stdout == ""
    # nan is a missing marker: the message suggests --missing impute / drop.
    data = customers(tmp_path / "n.csv", tenure_at=(4, "nan"))
    p = train("--data", data, "--id-col", "CustomerId", "--exclude", "RowNumber,Surname", code=1)
    assert "n.csv:6:4: column 'tenure'" in p.stderr and "--missing impute" in p.stderr
    # ... and scoring the same file with a model trained on clean data gives the same kind of error.
    clean = customers(tmp_path / "ok.csv")
    model = str(tmp_path / "m.json")
    train("--data", clean, "--id-col", "CustomerId", "--exclude", "RowNumber,Surname", "-o", model)
    p = run("churn", "score", "--model", model, "--data", customers(tmp_path / "s.csv", tenure_at=(4, "abc")), code=1)
    assert "s.csv:6:4: column 'tenure': expected a number" in p.stderr


def test_churn_missing_drop_and_impute(tmp_path):
    data = customers(tmp_path / "c.csv", tenure_at=(4, "NA"))
    base = ("--data", data, "--id-col", "CustomerId", "--exclude", "RowNumber,Surname")
    p = train(*base, "--missing", "drop")
    assert "1 of 60 rows had a missing value and were left out (--missing drop)" in p.stderr
    assert json.loads(p.stdout)["rows"] == 59
    doc = json.loads(train(*base, "--missing", "impute").stdout)
    assert doc["rows"] == 60 and "tenure_missing" in [c["feature"] for c in doc["coefficients"]]
    run("churn", "train", "--label", "churned", *base, "--missing", "sometimes", code=2)


def test_churn_id_like_columns_are_refused_naming_them(tmp_path):
    data = customers(tmp_path / "c.csv")
    p = train("--data", data, "--exclude", "Surname", code=1)
    assert "column 'RowNumber': expected a feature, not an identifier" in p.stderr
    assert "--id-col RowNumber" in p.stderr and "--keep RowNumber" in p.stderr
    assert "distinct integers in all 60 rows and an id-like name; also refused: CustomerId" in p.stderr
    # Naming the id and excluding the row number fits; --keep forces a column in.
    doc = json.loads(train("--data", data, "--id-col", "CustomerId", "--exclude", "RowNumber,Surname").stdout)
    assert [c["feature"] for c in doc["coefficients"]][0] == "tenure"
    doc = json.loads(train("--data", data, "--id-col", "CustomerId", "--exclude", "Surname", "--keep",
                           "RowNumber").stdout)
    assert "RowNumber" in [c["feature"] for c in doc["coefficients"]]


def test_churn_text_id_column_without_id_col(tmp_path):
    # The Telco shape: customerID like 7590-VHVEG, all distinct; it must not be one-hot encoded.
    lines = ["customerID,tenure,churned"] + [f"{1000 + i}-X{i:04d},{i % 13},{'Yes' if i % 3 else 'No'}"
                                            for i in range(80)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    p = train("--data", str(tmp_path / "t.csv"), code=1)
    assert "column 'customerID'" in p.stderr and "80 distinct values in 80 rows" in p.stderr
    assert "--id-col customerID" in p.stderr


def test_churn_high_cardinality_categorical(tmp_path):
    data = customers(tmp_path / "c.csv", n=200, surnames=70)
    base = ("--data", data, "--id-col", "CustomerId", "--exclude", "RowNumber")
    p = train(*base, code=1)
    assert "column 'Surname': expected at most 50 categories" in p.stderr
    assert "found '70 categories in 200 rows'" in p.stderr
    assert "--max-levels N" in p.stderr and "--exclude Surname" in p.stderr
    doc = json.loads(train(*base, "--max-levels", "100").stdout)
    assert sum(c["feature"].startswith("Surname=") for c in doc["coefficients"]) == 69
    run("churn", "train", "--label", "churned", *base, "--max-levels", "-1", code=2)


# ---- kano ---------------------------------------------------------------------------------------------

SPANISH = ("respondent,feature,functional,dysfunctional\n"
           "a,x,Me gusta,Me disgusta\n"
           "a,y,Lo espero,Me disgusta\n"
           "b,x,Me gusta,\"Me da igual, la verdad\"\n"
           "b,y,Me gusta,Me disgusta\n"
           "c,x,Me gusta,Lo tolero\n"
           "c,y,I\u2019m neutral,Me disgusta\n")


def test_kano_unknown_wordings_are_an_error_listing_each(tmp_path):
    (tmp_path / "s.csv").write_text(SPANISH, encoding="utf-8")
    p = run("kano", "--survey", str(tmp_path / "s.csv"), code=1)
    assert "s.csv:2:3: column 'functional'" in p.stderr
    assert ('11 answer(s) not in the word map, 5 distinct: "Me gusta" (4), "Me disgusta" (4), "Lo espero" (1), '
            '"Me da igual, la verdad" (1), "Lo tolero" (1)') in p.stderr
    assert "--words-file" in p.stderr and "--invalid skip" in p.stderr
    assert p.stdout == ""
    # The curly apostrophe matched the default "i'm neutral": it is not in the list.
    assert "neutral\" (" not in p.stderr
    # Explicit opt-in: skipped, counted on stderr and in the JSON.
    p = run("kano", "--survey", str(tmp_path / "s.csv"), "--invalid", "skip", "--format", "json")
    assert "6 row(s) skipped (0 missing, 11 invalid answer(s))" in p.stderr
    q = json.loads(p.stdout)["quality"]
    assert (q["invalid_answers"], q["skipped_rows"], q["used_rows"]) == (11, 6, 0)


def test_kano_words_file_with_commas(tmp_path):
    (tmp_path / "s.csv").write_text(SPANISH, encoding="utf-8")
    (tmp_path / "w.csv").write_text("wording,answer\nMe gusta,1\nLo espero,must-be\n\"Me da igual, la verdad\",3\n"
                                    "Lo tolero,4\nMe disgusta,5\nI\u2019m   Neutral,3\n", encoding="utf-8")
    doc = json.loads(run("kano", "--survey", str(tmp_path / "s.csv"), "--words-file", str(tmp_path / "w.csv"),
                         "--format", "json").stdout)
    q = doc["quality"]
    assert (q["invalid_answers"], q["used_rows"]) == (0, 6)
    x = next(f for f in doc["features"] if f["feature"] == "x")
    assert x["n"] == 3 and x["counts"] == {"A": 2, "O": 1, "M": 0, "I": 0, "R": 0, "Q": 0}
    # A duplicate wording in the file names both lines.
    (tmp_path / "d.csv").write_text("Me gusta,1\nme gusta,2\n")
    p = run("kano", "--survey", str(tmp_path / "s.csv"), "--words-file", str(tmp_path / "d.csv"), code=1)
    assert "d.csv:2:1" in p.stderr and "line 1 already maps 'Me gusta'" in p.stderr
    run("kano", "--survey", str(tmp_path / "s.csv"), "--words-file", str(tmp_path / "none.csv"), code=1)


def test_kano_costs_feature_listed_twice(tmp_path):
    (tmp_path / "s.csv").write_text("respondent,feature,functional,dysfunctional\na,x,1,5\na,y,3,5\n")
    (tmp_path / "c.csv").write_text("feature,cost\nx,3\ny,2\nx,8\n")
    p = run("kano", "--survey", str(tmp_path / "s.csv"), "--costs", str(tmp_path / "c.csv"), code=1)
    assert "c.csv:4:1: column 'feature'" in p.stderr and "feature 'x' is already on line 2" in p.stderr


# ---- service / nps --------------------------------------------------------------------------------------

def test_service_bad_date_names_the_cell(tmp_path):
    (tmp_path / "i.csv").write_text("customer,time,csat\nc1,2026-01-05,4\nc2,2026-02-30,5\n")
    p = run("service", "--interactions", str(tmp_path / "i.csv"), code=1)
    assert "i.csv:3:2: column 'time'" in p.stderr and "found '2026-02-30'" in p.stderr
    (tmp_path / "n.csv").write_text("date,score\n2026-02-01,9\nsoon,3\n")
    p = run("nps", "--scores", str(tmp_path / "n.csv"), code=1)
    assert "n.csv:3:1: column 'date'" in p.stderr


def test_service_undefined_statistics_are_empty_cells_and_null(tmp_path):
    (tmp_path / "i.csv").write_text("channel,csat,first_response_minutes,priority\nweb,4,10,urgent\n"
                                    "phone,,,urgent\n")
    out = run("service", "--interactions", str(tmp_path / "i.csv"), "--by", "channel").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    phone = next(r for r in rows if r["group"] == "phone")
    assert phone["csat_n"] == "0" and phone["csat"] == "" and phone["csat_mean"] == ""
    assert phone["sla_normal_n"] == "0" and phone["sla_normal_compliance"] == ""
    assert "nan" not in out.lower() and "inf" not in out.lower()
    doc = json.loads(run("service", "--interactions", str(tmp_path / "i.csv"), "--by", "channel", "--format",
                         "json").stdout)
    g = next(x for x in doc["groups"] if x["group"] == "phone")
    assert g["csat"]["n"] == 0 and g["csat"]["csat"] is None
    table = run("service", "--interactions", str(tmp_path / "i.csv"), "--by", "channel", "--format", "table").stdout
    assert "nan" not in table.lower()
    # NPS with no answers at all.
    (tmp_path / "n.csv").write_text("segment,score\nsmb,\nsmb,\n")
    out = run("nps", "--scores", str(tmp_path / "n.csv")).stdout
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["n"] == "0" and row["missing"] == "2" and row["nps"] == "" and row["ci_low"] == ""
    doc = json.loads(run("nps", "--scores", str(tmp_path / "n.csv"), "--format", "json").stdout)
    assert doc["overall"]["n"] == 0 and doc["overall"]["nps"] is None
