"""crmkit.kano against the hand-computed survey of docs/models/kano.md (tests/data/kano_survey.csv), an
independent pandas computation, properties, and errors naming the row and the answer."""
import math
import os

import numpy as np
import pytest

import crmkit
from crmkit.kano import kano as kano_default


def kano(*args, **kw):
    """The hand-computed survey holds an unknown answer ("maybe", line 43), an error by default since
    issue 13: these tests read it with the explicit opt-in to skip it (and count it)."""
    kw.setdefault("invalid", "skip")
    return kano_default(*args, **kw)

STANDARD = ["QAAAO", "RIIIM", "RIIIM", "RIIIM", "RRRRQ"]  # Berger et al. (1993)


@pytest.fixture(scope="module")
def survey(data_dir):
    return os.path.join(data_dir, "kano_survey.csv")


@pytest.fixture(scope="module")
def result(survey, data_dir):
    return kano(survey, costs=os.path.join(data_dir, "kano_costs.csv"))


def rows(result):
    f = result.features
    return {r["feature"]: r for r in (f.to_dict("records") if hasattr(f, "to_dict") else f)}


def test_hand_computed(result):
    r = rows(result)
    pw, ex, dm, ai = r["password_reset"], r["export_csv"], r["dark_mode"], r["ai_summary"]
    assert [pw[c] for c in "AOMIRQ"] == [1, 2, 6, 1, 0, 0]
    assert [dm[c] for c in "AOMIRQ"] == [5, 1, 0, 2, 1, 1]
    assert (pw["category"], ex["category"], dm["category"], ai["category"]) == ("M", "O", "A", "A")
    assert ai["tie_broken"] and not pw["tie_broken"]
    assert pw["better"] == pytest.approx(0.3, abs=1e-12) and pw["worse"] == pytest.approx(-0.8, abs=1e-12)
    assert dm["better"] == pytest.approx(0.75, abs=1e-12) and dm["worse"] == pytest.approx(-0.125, abs=1e-12)
    assert pw["fong_critical"] == pytest.approx(1.65 * math.sqrt(4.8), abs=1e-12)
    assert pw["fong_significant"] and not ex["fong_significant"]
    assert pw["functional_mean"] == pytest.approx(1.3, abs=1e-12)
    assert dm["functional_mean"] == pytest.approx(3.25, abs=1e-12)
    assert ai["dysfunctional_mean"] == pytest.approx(7 / 9, abs=1e-12)
    assert pw["weighted_better"] == pytest.approx(13 / 44, abs=1e-12)
    assert [pw["priority"], ex["priority"], dm["priority"], ai["priority"]] == [1, 2, 3, 4]
    assert [pw["recommendation"], ex["recommendation"], dm["recommendation"], ai["recommendation"]] == [
        "fix now", "roadmap", "fill-in", "deprioritise"]
    q = result.quality
    assert (q["rows"], q["used_rows"], q["missing_answers"], q["invalid_answers"]) == (42, 40, 1, 1)
    assert q["issues"][1] == {"row": 41, "line": 43, "column": "dysfunctional", "answer": "maybe",
                              "problem": "invalid"}
    assert q["straightliners"] == ["r10"] and q["questionable_respondents"] == ["r09"]
    assert result.category("export_csv") == "O"


def test_against_pandas_crosstab(survey):
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(survey, dtype=str)
    words = {"like": 1, "neutral": 3, "dislike": 5, "i am neutral": 3, "tolerate": 4}

    def code(x):
        if not isinstance(x, str):
            return None
        x = x.strip().lower()
        return words.get(x, int(x) if x.isdigit() and 1 <= int(x) <= 5 else None)

    df["f"] = df["functional"].map(code)
    df["d"] = df["dysfunctional"].map(code)
    df = df.dropna(subset=["f", "d"])
    df["cat"] = [STANDARD[int(f) - 1][int(d) - 1] for f, d in zip(df["f"], df["d"])]
    tab = pd.crosstab(df["feature"], df["cat"]).reindex(columns=list("AOMIRQ"), fill_value=0)
    r = rows(kano(df[["respondent", "feature", "functional", "dysfunctional"]]))
    for feat, counts in tab.iterrows():
        assert [r[feat][c] for c in "AOMIRQ"] == list(counts)
        aomi = counts[["A", "O", "M", "I"]].sum()
        assert r[feat]["better"] == pytest.approx((counts["A"] + counts["O"]) / aomi, abs=1e-12)
        assert r[feat]["worse"] == pytest.approx(-(counts["O"] + counts["M"]) / aomi, abs=1e-12)


def test_codes_dict_and_properties():
    rng = np.random.default_rng(7)
    n = 3000
    data = {"respondent": rng.integers(0, 300, n).astype(str), "feature": rng.choice(["a", "b", "c", "d"], n),
            "functional": rng.integers(1, 6, n), "dysfunctional": rng.integers(1, 6, n),
            "importance": rng.uniform(0, 5, n)}
    res = kano(data)
    for r in rows(res).values():
        assert sum(r["share_" + c] for c in "AOMIRQ") == pytest.approx(1.0, abs=1e-12)
        assert 0 <= r["better"] <= 1 and -1 <= r["worse"] <= 0
        assert 0 <= r["weighted_better"] <= 1 and -1 <= r["weighted_worse"] <= 0
        assert -2 <= r["functional_mean"] <= 4
    assert res.quality["used_rows"] == n


def test_options(survey):
    r = rows(kano(survey, tie_threshold=0.2))
    assert r["export_csv"]["category"] == "M"  # O 0.5 and M 0.3 are close: M > O
    r = rows(kano(survey, exclude_straightliners=True, exclude_questionable=True))
    assert [r["password_reset"][c] for c in "AOMIRQ"] == [0, 1, 6, 1, 0, 0]
    diag_q = ["QAAAO", "RQIIM", "RIQIM", "RIIQM", "RRRRQ"]
    r = rows(kano(survey, table=[list(x) for x in diag_q]))
    assert r["ai_summary"]["Q"] == 4  # r09 (5,5), and now (3,3) twice and (4,4)
    r = rows(kano({"respondent": ["a", "b"], "feature": ["x", "x"], "functional": ["gern", "egal"],
                   "dysfunctional": ["stört", "stört"]}, words={"gern": 1, "egal": 3, "stört": 5}))
    assert (r["x"]["O"], r["x"]["M"]) == (1, 1)
    r = rows(kano(survey, costs={"password_reset": 1, "export_csv": 1, "dark_mode": 9, "ai_summary": 9}))
    assert r["export_csv"]["recommendation"] == "quick win"


def test_errors(survey, tmp_path):
    with pytest.raises(crmkit.ParseError, match=r"kano_survey.csv:42:3: column 'functional'"):
        kano(survey, invalid="fail", missing="fail")
    with pytest.raises(crmkit.ParseError, match=r"kano_survey.csv:43:4: column 'dysfunctional'.*\"maybe\" \(1\)"):
        kano_default(survey)
    with pytest.raises(crmkit.InvalidArgumentError, match=r'"sometimes" \(1\)'):
        kano({"respondent": ["a", "a"], "feature": ["x", "y"], "functional": ["like", "sometimes"],
              "dysfunctional": ["dislike", "neutral"]}, invalid="fail")
    with pytest.raises(crmkit.CrmkitIOError):
        kano(str(tmp_path / "missing.csv"))
    bad = tmp_path / "t.csv"
    bad.write_text("Q,A,A\n")
    with pytest.raises(crmkit.ParseError, match="5 rows"):
        kano(survey, table=str(bad))
    with pytest.raises(crmkit.InvalidArgumentError, match="skip or fail"):
        kano(survey, invalid="sometimes")
    with pytest.raises(KeyError):
        kano({"respondent": ["a"], "feature": ["x"], "functional": [1]})


# --- the dictionary-coded entry point (crmkit_kano_analyze_coded) and the text one agree -----------------

def _comparable(res):
    """Per-feature results without the row-level quality issues (whose row/line differ by input kind)."""
    return {f["feature"]: {k: v for k, v in f.items()} for f in res.json["features"]}


def test_coded_and_text_paths_agree(survey):
    pd = pytest.importorskip("pandas")
    # pandas reads the answer columns as text (the file has words); the CSV face parses the same text.
    df = pd.read_csv(survey, dtype={"functional": str, "dysfunctional": str})
    via_csv = kano(survey)
    via_text = kano(df)
    assert _comparable(via_text) == _comparable(via_csv)
    # Codes: map the words the way the library does and pass integer columns (0 = missing, 9 = invalid).
    words = {"like": 1, "neutral": 3, "dislike": 5, "i am neutral": 3, "tolerate": 4}

    def code(x):
        if not isinstance(x, str):
            return 0
        x = x.strip().lower()
        return words.get(x, int(x) if x.isdigit() else 9)

    coded = df.assign(functional=df["functional"].map(code).astype("int64"),
                      dysfunctional=df["dysfunctional"].map(code).astype("int64"))
    via_codes = kano(coded)
    assert _comparable(via_codes) == _comparable(via_csv)
    q = via_codes.quality
    assert (q["missing_answers"], q["invalid_answers"], q["skipped_rows"]) == (1, 1, 2)
    assert q["issues"][1]["answer"] == "9" and q["issues"][1]["line"] is None and q["issues"][1]["row"] == 41
    # Importance went through both paths: password_reset's weighted Better is 13/44 either way.
    r = rows(via_codes)
    assert r["password_reset"]["weighted_better"] == pytest.approx(13 / 44, abs=1e-12)
    assert r["password_reset"]["importance_mean"] == pytest.approx(4.4, abs=1e-12)


def test_text_answers_with_importance():
    # Regression: text answers together with an importance column used to pass the importance array
    # where the respondent strings belong (a ctypes ArgumentError).
    res = kano({"respondent": ["a", "b", "c"], "feature": ["x", "x", "x"], "functional": ["like", "1", "expect"],
                "dysfunctional": ["dislike", "neutral", "dislike"], "importance": [1.0, 3.0, None]})
    r = rows(res)["x"]
    assert [r[c] for c in "AOMIRQ"] == [1, 1, 1, 0, 0, 0]
    # weights: O 1, A 3 (c has no importance) -> weighted Better = 4/4, Worse = -1/4
    assert r["weighted_better"] == pytest.approx(1.0, abs=1e-12)
    assert r["weighted_worse"] == pytest.approx(-0.25, abs=1e-12)
    assert res.quality["missing_importance"] == 1


def test_numeric_answer_columns_as_pandas_reads_them():
    pd = pytest.importorskip("pandas")
    # A CSV with blank answers reads as float64 with NaN; nullable Int64 has <NA>: both are missing answers.
    for fu in ([1.0, np.nan, 3.0], pd.array([1, None, 3], dtype="Int64")):
        res = kano(pd.DataFrame({"respondent": ["a", "b", "c"], "feature": ["x"] * 3, "functional": fu,
                                 "dysfunctional": [5.0, 5.0, 5.0]}))
        q = res.quality
        assert (q["missing_answers"], q["invalid_answers"], q["used_rows"]) == (1, 0, 2)
        assert q["issues"][0] == {"row": 1, "line": None, "column": "functional", "answer": "", "problem": "missing"}
        assert [rows(res)["x"][c] for c in "AOMIRQ"] == [0, 1, 1, 0, 0, 0]
    # Fractional and out-of-range numbers are invalid answers quoted as given, never wrapped into codes.
    res = kano({"respondent": ["a", "b", "c"], "feature": ["x"] * 3,
                "functional": np.array([2.5, 1.0, 1.0]), "dysfunctional": [5, 5, 5]})
    assert res.quality["issues"][0]["answer"] == "2.5" and res.quality["issues"][0]["problem"] == "invalid"
    res = kano({"respondent": ["a", "b"], "feature": ["x", "x"], "functional": np.array([2 ** 40, 1]),
                "dysfunctional": [5, 5]})
    assert res.quality["invalid_answers"] == 1 and res.quality["missing_answers"] == 0
    with pytest.raises(crmkit.InvalidArgumentError, match=r"1 answer\(s\) not in the word map"):
        kano({"respondent": ["a"], "feature": ["x"], "functional": np.array([2 ** 40]), "dysfunctional": [5]},
             invalid="fail")


def test_edge_cases_documented_values():
    # An empty survey: no features, an all-zero quality report.
    res = kano({"respondent": [], "feature": [], "functional": np.array([], dtype=int),
                "dysfunctional": np.array([], dtype=int)})
    assert res.json["features"] == [] and res.quality["rows"] == 0 and res.quality["used_rows"] == 0
    # One respondent, one answer: (like, dislike) = O; Fong: a = 1, b = 0, n = 1, critical value
    # 1.65 sqrt(1 * 1 / 2) = 1.167 > 1, not significant; sample standard deviations undefined (NaN / null)
    # below two answers.
    r = rows(kano({"respondent": ["a"], "feature": ["x"], "functional": [1], "dysfunctional": [5]}))["x"]
    assert r["category"] == "O" and r["better"] == 1.0 and r["worse"] == -1.0 and r["share_O"] == 1.0
    assert r["fong_critical"] == pytest.approx(1.65 * math.sqrt(0.5), abs=1e-12) and not r["fong_significant"]
    assert math.isnan(r["functional_sd"]) and r["functional_mean"] == 4.0
    # A feature whose answers are all blank: no category (None), Better/Worse NaN, ranked last.
    res = kano({"respondent": ["a", "b", "a"], "feature": ["x", "x", "y"], "functional": ["", "", "like"],
                "dysfunctional": ["", "", "dislike"]})
    r = rows(res)
    assert r["x"]["category"] is None and r["x"]["n"] == 0 and math.isnan(r["x"]["better"])
    assert (r["y"]["priority"], r["x"]["priority"]) == (1, 2)
    assert res.quality["missing_answers"] == 4
    with pytest.raises(ValueError, match="importance"):
        kano({"respondent": ["a", "b"], "feature": ["x", "x"], "functional": [1, 1], "dysfunctional": [5, 5],
              "importance": [1.0]})
    with pytest.raises(crmkit.InvalidArgumentError, match="importance"):
        kano({"respondent": ["a"], "feature": ["x"], "functional": [1], "dysfunctional": [5], "importance": [np.inf]})


def test_strengths_dumouchel_spread_and_importance(result):
    # docs/models/kano.md, worked example: category strength = first share - second share, total
    # strength = A + O + M shares; DuMouchel standard deviations; importance-weighted Worse and benefit.
    r = rows(result)
    cs = [r[f]["category_strength"] for f in ("password_reset", "export_csv", "dark_mode", "ai_summary")]
    ts = [r[f]["total_strength"] for f in ("password_reset", "export_csv", "dark_mode", "ai_summary")]
    assert cs == pytest.approx([0.4, 0.2, 0.3, 0.0], abs=1e-12)
    assert ts == pytest.approx([0.9, 1.0, 0.6, 0.5], abs=1e-12)
    pw = r["password_reset"]
    assert pw["functional_sd"] == pytest.approx(math.sqrt((53 - 16.9) / 9), abs=1e-12)
    assert pw["dysfunctional_sd"] == pytest.approx(math.sqrt((128 - 102.4) / 9), abs=1e-12)
    assert pw["weighted_worse"] == pytest.approx(-37 / 44, abs=1e-12)
    assert pw["benefit"] == pytest.approx(50 / 88, abs=1e-12)
    assert pw["importance_mean"] == pytest.approx(4.4, abs=1e-12)


# ---- issue 13: answers outside the word map ------------------------------------------------------------

def test_unknown_wordings_fail_by_default_and_word_maps_hold_commas(tmp_path):
    survey = {"respondent": ["a", "a", "b", "b"], "feature": ["x", "y", "x", "y"],
              "functional": ["Me gusta", "Lo espero", "Me gusta", "I\u2019m neutral"],
              "dysfunctional": ["Me disgusta", "Me disgusta", "Me da igual, la verdad", "Me disgusta"]}
    with pytest.raises(crmkit.InvalidArgumentError,
                       match=r'7 answer\(s\) not in the word map, 4 distinct: "Me gusta" \(2\), "Me disgusta" \(3\)'):
        kano_default(survey)
    res = kano(survey, invalid="skip")
    assert (res.quality["invalid_answers"], res.quality["skipped_rows"]) == (7, 4)
    words = {"Me gusta": 1, "Lo espero": 2, "Me da igual, la verdad": 3, "Me disgusta": 5, "i'm neutral": 3}
    res = kano(survey, words=words)
    assert res.quality["used_rows"] == 4 and res.quality["invalid_answers"] == 0
    path = tmp_path / "w.csv"
    path.write_text("wording,answer\n" + "".join(f'"{w}",{c}\n' for w, c in words.items()))
    res = kano(survey, words_file=path)
    assert res.quality["used_rows"] == 4
