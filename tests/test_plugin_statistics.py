"""Confidence-aware gates, champion/challenger comparison and per-slice gates, through pytest."""

from __future__ import annotations

import pytest

CONFTEST = """
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier


@pytest.fixture(scope="session")
def data():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.4, random_state=0, stratify=y)
    return X_tr, X_te, y_tr, y_te


@pytest.fixture(scope="session")
def good(data):
    X_tr, _, y_tr, _ = data
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_tr, y_tr)


@pytest.fixture(scope="session")
def stump(data):
    X_tr, _, y_tr, _ = data
    return DecisionTreeClassifier(max_depth=1, random_state=0).fit(X_tr, y_tr)


@pytest.fixture(scope="session")
def sited(data):
    X_tr, X_te, y_tr, y_te = data
    X_tr = X_tr.assign(site=np.arange(len(X_tr)) % 2)
    X_te = X_te.assign(site=np.arange(len(X_te)) % 2)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X_tr, y_tr)
    return model, X_te, y_te


@pytest.fixture(scope="session")
def groups(data):
    _, X_te, _, _ = data
    n = len(X_te)
    # a big slice "a", a big slice "b" and a 5-row slice "tiny"
    return np.array(["tiny"] * 5 + ["a" if i % 2 else "b" for i in range(n - 5)])
"""


@pytest.fixture
def stats(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    return pytester


def test_confidence_gate_judges_the_interval_bound(stats: pytest.Pytester) -> None:
    stats.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.9, confidence=0.95)
        def test_clear_pass(mlgate, good, data):
            _, X, _, y = data
            mlgate.evaluate(good, X, y)

        @pytest.mark.model_threshold(accuracy=0.95, confidence=0.95)
        def test_point_passes_bound_fails(mlgate, good, data):
            _, X, _, y = data
            assert mlgate.evaluate(good, X, y)["accuracy"] > 0.95

        @pytest.mark.model_threshold(log_loss=0.2, confidence=0.9)
        def test_upper_bound_for_lower_is_better(mlgate, good, data):
            _, X, _, y = data
            mlgate.evaluate(good, X, y)

        @pytest.mark.model_threshold(accuracy=0.5, confidence=0.95)
        def test_recorded_scalar_has_no_interval(mlgate):
            mlgate.record(accuracy=0.99)
    """)
    result = stats.runpytest()
    result.assert_outcomes(passed=2, failed=2)
    out = result.stdout.str()
    assert "test_clear_pass" not in out.split("short test summary")[1]
    result.stdout.re_match_lines([
        r".*accuracy = 0\.96\d*, one-sided lower 95% bound 0\.9\d* \(n=228\) fails >= 0\.95.*",
    ])
    assert "confidence=0.95 needs a bootstrap interval" in out
    assert "a value given to mlgate.record has none; mlgate.evaluate computes one unless ini mlgate_bootstrap = 0" in out


HOOK_CONFTEST = CONFTEST + """

@pytest.hookimpl(optionalhook=True)
def pytest_mlgate_add_metrics(registry, config):
    registry.add("hits", lambda y_true, y_pred: float(np.mean(np.asarray(y_true) == np.asarray(y_pred))),
                 higher_is_better=True)
"""


def test_confidence_gates_on_scorer_names_callables_and_hook_metrics(stats: pytest.Pytester) -> None:
    """Metrics outside the vectorised set get their interval from a loop when a confidence gate asks."""
    stats.makeconftest(HOOK_CONFTEST)
    stats.makepyfile("""
        import numpy as np
        import pytest

        def errors(y_true, y_pred):
            return float(np.mean(np.asarray(y_true) != np.asarray(y_pred)))

        @pytest.mark.model_threshold(precision_weighted=0.9, hits=0.9, confidence=0.95)
        @pytest.mark.model_threshold(errors="<=0.1", confidence=0.9)
        def test_pass(mlgate, good, data):
            _, X, _, y = data
            mlgate.evaluate(good, X, y, metrics=["precision_weighted", "hits", {"errors": errors}])

        @pytest.mark.model_threshold(hits=0.96, confidence=0.95)
        def test_point_passes_bound_fails(mlgate, good, data):
            _, X, _, y = data
            assert mlgate.evaluate(good, X, y)["hits"] > 0.96
    """)
    result = stats.runpytest("--mlgate-json", "r.json")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.re_match_lines([r".*hits = 0\.9\d*, one-sided lower 95% bound 0\.9\d* \(n=228\) fails >= 0\.96.*"])
    import json

    metrics = json.loads((stats.path / "r.json").read_text())["tests"][0]["metrics"]
    for name, level in (("precision_weighted", 0.95), ("hits", 0.95), ("errors", 0.9)):
        low, high = metrics[name]["interval"]
        assert low < metrics[name]["value"] < high and metrics[name]["confidence"] == level


def test_intervals_are_reproducible_and_stored_in_the_baseline(stats: pytest.Pytester) -> None:
    import json

    stats.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.5, confidence=0.95)
        def test_it(mlgate, good, data):
            _, X, _, y = data
            mlgate.evaluate(good, X, y, metrics=["accuracy", "roc_auc"])
    """)
    stats.runpytest("--mlgate-save-baseline").assert_outcomes(passed=1)
    first = json.loads((stats.path / "mlgate-baseline.json").read_text())["tests"]["test_intervals_are_reproducible_and_stored_in_the_baseline.py::test_it"]
    stats.runpytest("--mlgate-save-baseline").assert_outcomes(passed=1)
    again = json.loads((stats.path / "mlgate-baseline.json").read_text())["tests"]["test_intervals_are_reproducible_and_stored_in_the_baseline.py::test_it"]
    assert first == again
    lo, hi = first["accuracy"]["interval"]
    assert lo < first["accuracy"]["value"] < hi and first["accuracy"]["confidence"] == 0.95
    assert first["accuracy"]["n"] == 228
    assert "interval" not in first["roc_auc"]  # no confidence gate reads it: no churn in the file
    stats.makeini("[pytest]\nmlgate_bootstrap = 0\n")
    refused = stats.runpytest("--mlgate-save-baseline")  # a confidence gate with no bootstrap: a usage error
    assert refused.ret == pytest.ExitCode.USAGE_ERROR
    refused.stderr.fnmatch_lines(["*confidence= needs bootstrap resamples, but ini mlgate_bootstrap = 0*"])
    stats.makepyfile(test_intervals_are_reproducible_and_stored_in_the_baseline="""
        def test_it(mlgate, good, data):
            _, X, _, y = data
            mlgate.evaluate(good, X, y, metrics=["accuracy", "roc_auc"])
    """)
    stats.runpytest("--mlgate-save-baseline").assert_outcomes(passed=1)
    off = json.loads((stats.path / "mlgate-baseline.json").read_text())["tests"]["test_intervals_are_reproducible_and_stored_in_the_baseline.py::test_it"]
    assert "interval" not in off["accuracy"]


def test_compare_verdicts(stats: pytest.Pytester) -> None:
    stats.makepyfile("""
        def test_identical_models_pass(mlgate, good, data):
            _, X, _, y = data
            c = mlgate.compare(good, good, X, y, metric="accuracy")
            assert c.verdict == "pass" and c.difference == 0 and c.mcnemar_p == 1.0

        def test_clearly_worse_fails(mlgate, good, stump, data):
            _, X, _, y = data
            c = mlgate.compare(stump, good, X, y, metric="roc_auc")
            assert c.verdict == "fail" and c.interval[1] < 0

        def test_allowed_drop_makes_it_pass(mlgate, good, stump, data):
            _, X, _, y = data
            assert mlgate.compare(stump, good, X, y, metric="accuracy", max_drop=0.5).verdict == "pass"

        def test_lower_is_better_metric(mlgate, good, stump, data):
            _, X, _, y = data
            c = mlgate.compare(good, stump, X, y, metric="log_loss")
            assert c.verdict == "pass" and c.difference > 0  # the candidate's loss is lower: an improvement
    """)
    result = stats.runpytest()
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.re_match_lines([
        r".*roc_auc: candidate 0\.\d+ vs baseline 0\.\d+ \(change -0\.\d+, two-sided 95% bootstrap interval \[-0\.\d+, -0\.\d+\], "
        r"max_drop 0, n=228\): fail.*",
    ])


def test_inconclusive_compare_warns_or_fails(stats: pytest.Pytester) -> None:
    stats.makepyfile("""
        import numpy as np

        class Flip:
            def __init__(self, model, rows):
                self.model, self.rows, self.classes_ = model, rows, model.classes_

            def predict(self, X):
                pred = self.model.predict(X).copy()
                pred[self.rows] = 1 - pred[self.rows]
                return pred

        def test_slightly_worse(mlgate, good, data):
            _, X, _, y = data
            pred = good.predict(X)
            right = np.flatnonzero(pred == np.asarray(y))[:2]
            c = mlgate.compare(Flip(good, right), good, X, y, metric="accuracy")
            assert c.verdict == "inconclusive"
    """)
    warned = stats.runpytest()
    warned.assert_outcomes(passed=1, warnings=1)
    assert "INCONCLUSIVE" in warned.stdout.str()
    stats.makeini("[pytest]\nmlgate_inconclusive = fail\n")
    failed = stats.runpytest()
    failed.assert_outcomes(failed=1)
    assert "accuracy: candidate" in failed.stdout.str() and "inconclusive" in failed.stdout.str()


def test_compare_input_errors(stats: pytest.Pytester) -> None:
    stats.makepyfile("""
        import pytest

        def test_errors(mlgate, good, data):
            _, X, _, y = data
            with pytest.raises(ValueError, match="unknown metric 'acc'"):
                mlgate.compare(good, good, X, y, metric="acc")
            with pytest.raises(ValueError, match="max_drop must be a number >= 0"):
                mlgate.compare(good, good, X, y, metric="accuracy", max_drop=-1)
            with pytest.raises(ValueError, match="confidence=2"):
                mlgate.compare(good, good, X, y, metric="accuracy", confidence=2)
            with pytest.raises(ValueError, match="X has 10 rows but y has 228"):
                mlgate.compare(good, good, X[:10], y, metric="accuracy")
    """)
    stats.runpytest().assert_outcomes(passed=1)


def test_slice_gates(stats: pytest.Pytester) -> None:
    stats.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.9, slices=True)
        def test_slices_pass(mlgate, good, data, groups):
            _, X, _, y = data
            values = mlgate.evaluate(good, X, y, slice_by=groups)
            assert {"accuracy[slice=a]", "accuracy[slice=b]", "accuracy[slice=tiny]", "accuracy_gap"} <= set(values)

        @pytest.mark.model_threshold(accuracy=0.99, slices=True)
        def test_a_slice_fails(mlgate, sited):
            model, X, y = sited
            mlgate.evaluate(model, X, y, slice_by="site")

        @pytest.mark.model_threshold(accuracy=0.9, slices=True)
        def test_no_slices_fails_closed(mlgate, good, data):
            _, X, _, y = data
            mlgate.evaluate(good, X, y)

        @pytest.mark.model_threshold(accuracy_gap=0.0001)
        def test_gap_gate(mlgate, good, data, groups):
            _, X, _, y = data
            mlgate.evaluate(good, X, y, slice_by=groups)
    """)
    result = stats.runpytest("--mlgate-report", "report.md")
    result.assert_outcomes(passed=1, failed=3)
    out = result.stdout.str()
    report = (stats.path / "report.md").read_text()
    assert "accuracy[slice=tiny] = 1 (n=5): not gated, slice smaller than mlgate_min_slice_size=30" in report
    assert "slices=True but the test recorded no slices of it" in out
    assert "accuracy[site=0] = 0.9" in out and "fails >= 0.99" in out
    assert "accuracy_gap = " in out
    assert any("accuracy[slice=tiny]" in line and line.rstrip().endswith("SKIP") for line in out.splitlines())
    stats.makeini("[pytest]\nmlgate_min_slice_size = 3\n")
    smaller = stats.runpytest("-k", "test_slices_pass")
    smaller.assert_outcomes(passed=1)
    assert "SKIP" not in smaller.stdout.str()


def test_regression_with_a_confidence_gate_fails_only_when_significant(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("""
        import os
        import numpy as np
        import pytest

        @pytest.mark.model_threshold(accuracy=0.5, confidence=0.95)
        def test_it(mlgate):
            y = np.tile([0, 1], 200)
            pred = y.copy()
            pred[: int(os.environ.get("WRONG", "40"))] ^= 1
            mlgate.evaluate(y_true=y, y_pred=pred, metrics=["accuracy"])
    """)
    pytester.runpytest("--mlgate-save-baseline").assert_outcomes(passed=1)
    pytester.runpytest().assert_outcomes(passed=1)
    monkeypatch.setenv("WRONG", "46")  # 0.90 -> 0.885: a drop inside the noise
    small = pytester.runpytest()
    small.assert_outcomes(passed=1, warnings=1)
    assert "accuracy may have regressed" in small.stdout.str() and "INCONCLUSIVE" in small.stdout.str()
    pytester.makeini("[pytest]\nmlgate_inconclusive = fail\n")
    pytester.runpytest().assert_outcomes(failed=1)
    pytester.makeini("[pytest]\n")
    monkeypatch.setenv("WRONG", "120")  # 0.90 -> 0.70: significant
    big = pytester.runpytest()
    big.assert_outcomes(failed=1)
    assert "accuracy regressed: 0.7 vs baseline 0.9" in big.stdout.str()


def test_slices_are_bootstrapped_only_when_a_confidence_gate_judges_them(stats: pytest.Pytester) -> None:
    """Intervals for every slice would cost each evaluate() a bootstrap per slice: only gated ones pay."""
    stats.makepyfile("""
        import pytest

        def test_plain(mlgate, sited):
            model, X, y = sited
            mlgate.evaluate(model, X, y, slice_by="site")

        @pytest.mark.model_threshold(accuracy=0.8, confidence=0.95, slices=True)
        def test_gated(mlgate, sited):
            model, X, y = sited
            mlgate.evaluate(model, X, y, slice_by="site")
    """)
    stats.runpytest("--mlgate-json", "r.json").assert_outcomes(passed=2)
    import json

    plain, gated = (t["metrics"] for t in json.loads((stats.path / "r.json").read_text())["tests"])
    assert plain["accuracy"]["interval"] is not None and plain["accuracy[site=0]"]["interval"] is None
    low, high = gated["accuracy[site=0]"]["interval"]
    assert low < gated["accuracy[site=0]"]["value"] < high
