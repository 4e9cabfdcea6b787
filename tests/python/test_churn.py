"""crmkit.churn: the scikit-learn-style LogisticRegression, feature tables and metrics.

Reference numbers: statsmodels 0.13.5 / scikit-learn 1.2.1 on tests/data/churn_customers.csv (how they were
made: tests/cpp/churn/logistic_test.cpp); live scikit-learn comparisons run when it is installed."""
import os

import numpy as np
import pytest

import crmkit
from crmkit import churn

pd = pytest.importorskip("pandas")

SM_COEF = [-0.064817038952, -0.002461296187, 0.82345005649, 0.029626947372, -0.673561777566]
SM_SE = [0.012183871086, 0.003324613001, 0.198770189738, 0.360450543129, 0.399953987359]


@pytest.fixture(scope="module")
def table(data_dir):
    return pd.read_csv(os.path.join(data_dir, "churn_customers.csv"))


def test_dataframe_with_text_columns_matches_statsmodels(table):
    X = table[["tenure", "spend", "complaints", "plan"]]
    m = churn.LogisticRegression(penalty=None, tol=1e-12).fit(X, table["churned"])  # yes/no labels
    assert list(m.feature_names_in_) == ["tenure", "spend", "complaints", "plan"]
    assert list(m.feature_names_) == ["tenure", "spend", "complaints", "plan=plus", "plan=pro"]
    assert m.coef_.shape == (1, 5) and m.intercept_.shape == (1,)
    np.testing.assert_allclose(m.coef_[0], SM_COEF, atol=1e-6)
    np.testing.assert_allclose(m.intercept_[0], 0.564270230796, atol=1e-6)
    np.testing.assert_allclose(m.standard_errors_, SM_SE, atol=1e-8)
    np.testing.assert_allclose(m.odds_ratios["complaints"], np.exp(SM_COEF[2]), rtol=1e-6)
    s = m.summary()
    assert list(s.index[:2]) == ["intercept", "tenure"]
    assert 0 < s.loc["complaints", "p_value"] < 1e-3
    p = m.predict_proba(X)
    assert p.shape == (240, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_array_equal(m.predict(X), (m.decision_function(X) > 0).astype(int))
    # an unseen plan level is an error naming the column, unless unseen="zero"
    bad = X.head(3).copy()
    bad.loc[0, "plan"] = "gold"
    with pytest.raises(crmkit.InvalidArgumentError, match="plan"):
        m.predict_proba(bad)


def test_numeric_frame_l2_matches_scikit_learn(table):
    X = pd.get_dummies(table[["tenure", "spend", "complaints", "plan"]], columns=["plan"], drop_first=True,
                       prefix_sep="=").astype(float)
    y = (table["churned"] == "yes").astype(int)
    m = churn.LogisticRegression(C=0.05, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(m.coef_[0], [-0.060945488721, -0.0025344272477, 0.4796511598895, 0.051615641415,
                                            -0.1717265374184], atol=1e-6)
    assert np.isnan(m.standard_errors_).all()
    # columns are matched by name at prediction
    np.testing.assert_allclose(m.predict_proba(X[X.columns[::-1]])[:, 1], m.predict_proba(X)[:, 1])
    sk = pytest.importorskip("sklearn.linear_model")
    ref = sk.LogisticRegression(C=0.05, solver="newton-cholesky", tol=1e-12).fit(X.values, y)
    np.testing.assert_allclose(m.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(m.predict_proba(X), ref.predict_proba(X.values), atol=1e-7)


def test_l1_elasticnet_balanced_and_json(table, tmp_path):
    X = pd.get_dummies(table[["tenure", "spend", "complaints", "plan"]], columns=["plan"], drop_first=True,
                       prefix_sep="=").astype(float)
    y = table["churned"].map({"yes": True, "no": False})
    m = churn.LogisticRegression(penalty="l1", C=0.05, standardize=True, tol=1e-12).fit(X, y)
    assert m.coef_[0][1] == 0.0 and m.coef_[0][3] == 0.0 and m.coef_[0][4] == 0.0
    en = churn.LogisticRegression(penalty="elasticnet", C=0.1, l1_ratio=0.5, standardize=True, tol=1e-12).fit(X, y)
    std = en.coef_[0] * X.std(ddof=0).values
    np.testing.assert_allclose(std, [-0.7483323162535, 0, 0.4850346562752, 0, -0.1430414722914], atol=1e-6)
    bal = churn.LogisticRegression(C=1.0, standardize=True, class_weight="balanced", tol=1e-12).fit(X, y)
    np.testing.assert_allclose(bal.coef_[0] * X.std(ddof=0).values,
                               [-1.1369346701386, -0.1195247401997, 0.7494383764421, 0.0101176821035,
                                -0.2868885692389], atol=1e-6)
    path = tmp_path / "model.json"
    bal.save(path)
    back = churn.LogisticRegression.load(path)
    np.testing.assert_array_equal(back.predict_proba(X), bal.predict_proba(X))
    assert list(back.feature_names_in_) == list(X.columns)


def test_read_features_and_early_warning(data_dir):
    t = churn.read_features(os.path.join(data_dir, "churn_customers.csv"), label="churned", id_col="customer_id")
    assert t.feature_names == ["tenure", "spend", "complaints", "plan=plus", "plan=pro"]
    assert t.X.shape == (240, 5) and t.y.sum() == 88 and t.ids[0] == "C0000"
    m = churn.LogisticRegression(standardize=True).fit(t.X, t.y)
    ew = m.early_warning(t.X, top_k=5, n_drivers=2)
    assert list(ew.columns) == ["id", "risk", "drivers"]
    assert ew["risk"].is_monotonic_decreasing and ew["id"].iloc[0].startswith("C")
    assert ew["risk"].iloc[0] == pytest.approx(m.predict_proba(t.X)[:, 1].max())
    d = m.drivers(t.X.loc[ew["id"].iloc[0]].values, 2)
    assert all(c > 0 for _, c in d)
    with pytest.raises(crmkit.ParseError, match=r"churn_customers.csv:2:2"):
        churn.read_features(os.path.join(data_dir, "churn_customers.csv"), label="tenure")
    with pytest.raises(crmkit.CrmkitIOError):
        churn.read_features("/nonexistent.csv")


def test_metrics_match_scikit_learn():
    s = [0.9, 0.8, 0.8, 0.6, 0.5, 0.5, 0.5, 0.3, 0.2, 0.1]
    y = [1, 1, 0, 1, 0, 1, 0, 0, 1, 0]
    assert churn.roc_auc_score(y, s) == pytest.approx(0.7, abs=1e-12)
    assert churn.average_precision_score(y, s) == pytest.approx(0.7087301587301587, abs=1e-12)
    assert churn.log_loss(y, s) == pytest.approx(0.6599682516882621, abs=1e-12)
    assert churn.brier_score_loss(y, s) == pytest.approx(0.234, abs=1e-12)
    fpr, tpr, thr = churn.roc_curve(y, s)
    assert np.isinf(thr[0]) and len(fpr) == 8
    lift = churn.lift_table(y, s, bins=2)
    assert list(lift["count"]) == [5, 5] and lift["cumulative_gain"].iloc[-1] == 1.0
    cal = churn.calibration_table(y, s, bins=2)
    assert list(cal["count"]) == [6, 4]
    c = churn.confusion(y, s, 0.5)
    assert (c["tp"], c["fp"], c["tn"], c["fn"]) == (4, 3, 2, 1)
    with pytest.raises(crmkit.InvalidArgumentError, match="both classes"):
        churn.roc_auc_score([1, 1], [0.1, 0.2])
    with pytest.raises(ValueError):
        churn.roc_auc_score([0, 2], [0.1, 0.2])
    # heavy ties at random against scikit-learn itself
    skm = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(5)
    yy = rng.random(5000) < 0.3
    ss = np.round(rng.random(5000) + 0.2 * yy, 1)
    assert churn.roc_auc_score(yy, ss) == pytest.approx(skm.roc_auc_score(yy, ss), abs=1e-12)
    assert churn.average_precision_score(yy, ss) == pytest.approx(skm.average_precision_score(yy, ss), abs=1e-12)


def test_folds_and_cross_validation(table):
    X = table[["tenure", "spend", "complaints"]]
    y = table["churned"]
    f = churn.stratified_folds(y, 4, seed=1)
    assert np.bincount(f).tolist() == [60, 60, 60, 60]
    np.testing.assert_array_equal(f, churn.stratified_folds(y, 4, seed=1))
    cv = churn.cross_validate(X, y, k=5, seed=2, standardize=True)
    assert 0.7 < cv["metrics"]["auc"] < 1 and 0.7 < cv["pooled"]["auc"] < 1
    assert cv["probability"].shape == (240,)
    with pytest.raises(crmkit.InvalidArgumentError):
        churn.stratified_folds(y, 1)


def test_not_fitted_and_bad_options():
    with pytest.raises(RuntimeError):
        churn.LogisticRegression().predict_proba(np.zeros((2, 2)))
    with pytest.raises(crmkit.InvalidArgumentError, match="penalty"):
        churn.LogisticRegression(penalty="l3").fit(np.array([[0.0], [1.0]]), [0, 1])
    with pytest.raises(crmkit.InvalidArgumentError, match="C"):
        churn.LogisticRegression(C=-1).fit(np.array([[0.0], [1.0]]), [0, 1])


# ---- issue 13: feature-table checks -------------------------------------------------------------------

def _customers(path, n=60, bad=None, surnames=10):
    lines = ["RowNumber,CustomerId,Surname,tenure,churned"]
    for i in range(n):
        tenure = bad if bad is not None and i == 4 else str((i * 7) % 11)
        lines.append(f"{i + 1},{15634602 + 31 * i},S{i % surnames},{tenure},{i % 2}")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_read_features_refuses_ids_bad_cells_and_many_levels(tmp_path):
    data = _customers(tmp_path / "c.csv")
    with pytest.raises(crmkit.ParseError, match=r"column 'RowNumber': expected a feature, not an identifier"):
        churn.read_features(data, label="churned")
    with pytest.raises(crmkit.ParseError, match=r"column 'Surname': expected at most 5 categories"):
        churn.read_features(data, label="churned", id_col="CustomerId", exclude=["RowNumber"], max_levels=5)
    t = churn.read_features(data, label="churned", id_col="CustomerId", exclude=["RowNumber"], keep=["Surname"],
                            max_levels=5)
    assert t.feature_names[0] == "Surname=S1" and len(t.feature_names) == 10
    bad = _customers(tmp_path / "b.csv", bad="abc")
    with pytest.raises(crmkit.ParseError, match=r"b.csv:6:4: column 'tenure': expected a number .*--categorical"):
        churn.read_features(bad, label="churned", id_col="CustomerId", exclude=["RowNumber", "Surname"])
    na = _customers(tmp_path / "n.csv", bad="NA")
    t = churn.read_features(na, label="churned", id_col="CustomerId", exclude=["RowNumber", "Surname"],
                            missing="drop")
    assert t.dropped == 1 and len(t.y) == 59 and len(t.ids) == 59 and "15634726" not in list(t.ids)


def test_dataframe_text_columns_get_the_same_checks():
    X = pd.DataFrame({"tenure": [i % 5 for i in range(30)], "code": [f"K{i}" for i in range(30)]})
    y = np.array([i % 2 for i in range(30)])
    with pytest.raises(crmkit.InvalidArgumentError, match=r"column 'code'.*30 distinct values in 30 rows"):
        churn.LogisticRegression().fit(X, y)
    m = churn.LogisticRegression(keep=["code"], max_levels=0).fit(X, y)
    assert len(m.feature_names_) == 30
    with pytest.raises(ValueError, match="dropna"):
        churn.LogisticRegression(missing="drop").fit(X, y)
