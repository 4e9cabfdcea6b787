"""Issue 13 (hardening), the CLV models from Python: a model JSON with a number beyond the double range is a
ParseError (it was an InternalError, "a bug"), a non-finite parameter an InvalidArgumentError naming it, and
the Gamma-Gamma fit skips and counts repeat buyers whose mean spend is 0."""
import json

import numpy as np
import pytest

import crmkit
from crmkit.clv import BgNbd, GammaGamma, Sbg


@pytest.mark.parametrize("text", ["1e400", "-1e400", "1E+999"])
def test_model_json_number_beyond_double_is_a_parse_error(text):
    doc = '{"model": "bgnbd", "params": {"r": %s, "alpha": 4.4, "a": 0.8, "b": 2.4}}' % text
    with pytest.raises(crmkit.ParseError, match="finite doubles"):
        BgNbd.from_json(doc)


def test_model_json_non_finite_or_non_number_parameter_is_named():
    with pytest.raises(crmkit.InvalidArgumentError, match="'params.r' = 0"):
        BgNbd.from_json('{"model": "bgnbd", "params": {"r": 1e-400, "alpha": 4.4, "a": 0.8, "b": 2.4}}')
    with pytest.raises(crmkit.InvalidArgumentError, match="'p' = \"x\": must be a number"):
        GammaGamma.from_json('{"model": "gg", "params": {"p": "x", "q": 3, "gamma": 1}}')


def test_gamma_gamma_skips_and_counts_zero_spend_repeat_buyers():
    x = np.array([1, 2, 3, 1, 4, 2, 5, 1, 2, 3], dtype=float)
    m = np.array([10, 0, 12, 8, 0, 15, 11, 9, 14, 13], dtype=float)
    keep = m > 0
    a = GammaGamma().fit(x, m)
    b = GammaGamma().fit(x[keep], m[keep])
    np.testing.assert_array_equal(a.params_.values, b.params_.values)
    assert json.loads(a.to_json())["n_zero_spend_skipped"] == 2
    # the same policy as `crmkit fit gg --zero-spend`, as a property and a keyword (item 18)
    assert a.n_zero_spend_skipped_ == 2 and a.limit_ is None
    assert a.status_ == json.loads(a.to_json())["status"] and a.status_ in ("converged", "line_search_failed")
    assert BgNbd.from_params([0.243, 4.414, 0.793, 2.426]).status_ is None
    with pytest.raises(crmkit.InvalidArgumentError, match="customer row 2"):
        GammaGamma().fit(x, m, zero_spend="error")
    with pytest.raises(crmkit.InvalidArgumentError, match="skip or error"):
        GammaGamma().fit(x, m, zero_spend="drop")


def test_live_models_at_interpreter_exit_print_nothing():
    # A script that still held fitted models at exit printed "Exception ignored in: <function
    # _Model.__del__ ...> 'NoneType' object has no attribute 'crmkit_clv_free'" (issue 16): handles are
    # now released by weakref.finalize, which runs while the library is still loaded.
    import os
    import subprocess
    import sys
    code = ("import numpy as np, crmkit\n"
            "from crmkit.clv import BgNbd, GammaGamma\n"
            "m = BgNbd.from_params([0.243, 4.414, 0.793, 2.426])\n"
            "g = GammaGamma().fit(np.array([1.0, 2, 3, 1]), np.array([10.0, 12, 9, 11]))\n"
            "lr = crmkit.churn.LogisticRegression().fit(np.array([[0.0], [1], [2], [3]]), np.array([0, 0, 1, 1]))\n"
            "cycle = [m]; cycle.append(cycle)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""


def test_sbg_percentages_are_not_counts():
    with pytest.raises(crmkit.InvalidArgumentError, match=r"active \(period 1\)' = 63.1.*whole number"):
        Sbg().fit(active=[100, 63.1, 46.8, 38.2])
    s = Sbg.from_params([0.704, 1.182])
    assert s.retention_rate(np.array([0.0, 1.0]))[0] == 1.0  # period 0 is the start
