"""The ``mlgate`` fixture and gate judging, as users meet them through pytest."""

from __future__ import annotations

import pytest


def test_the_contract_example_passes_and_fails_on_a_raised_threshold(models: pytest.Pytester) -> None:
    models.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.93, roc_auc=0.97, log_loss=0.25)
        @pytest.mark.model_threshold(f1=0.95, severity="warn")
        def test_classifier(mlgate, binary):
            model, X, y = binary
            values = mlgate.evaluate(model, X, y)
            assert set(values) == {"accuracy", "roc_auc", "log_loss", "f1"}
            assert mlgate.metrics == values

        @pytest.mark.model_threshold(accuracy=0.999)
        def test_raised(mlgate, binary):
            model, X, y = binary
            mlgate.evaluate(model, X, y)
    """)
    result = models.runpytest("-m", "model")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "mlgate: 1 gate failed: accuracy = 0.9* (n=171) fails >= 0.999",
        "mlgate seed * (replay: pytest --mlgate-seed 0 'test_the_contract_example_passes_and_fails_on_a_raised_threshold.py::test_raised')*",
    ])
    failures = result.stdout.str().split(" FAILURES ")[1].split("= mlgate =")[0]
    assert failures.count("mlgate seed ") == 1  # in the gate's message, not repeated in a section


def test_default_metric_sets(models: pytest.Pytester) -> None:
    models.makepyfile("""
        def test_binary(mlgate, binary):
            assert set(mlgate.evaluate(*binary)) == {"accuracy", "balanced_accuracy", "f1", "roc_auc"}

        def test_multiclass(mlgate, multiclass):
            assert set(mlgate.evaluate(*multiclass)) == {"accuracy", "balanced_accuracy", "f1", "roc_auc"}

        def test_regression(mlgate, regression):
            assert set(mlgate.evaluate(*regression)) == {"r2", "mae", "rmse"}

        def test_no_scores_no_roc_auc(mlgate, binary):
            model, X, y = binary
            only = type("OnlyPredict", (), {"predict": lambda self, X: model.predict(X)})()
            assert set(mlgate.evaluate(only, X, y)) == {"accuracy", "balanced_accuracy", "f1"}
    """)
    models.runpytest().assert_outcomes(passed=4)


def test_evaluate_predicts_once_per_output_kind(models: pytest.Pytester) -> None:
    models.makepyfile("""
        import pytest

        class Counting:
            def __init__(self, model):
                self.model, self.calls = model, {}
                self.classes_ = model.classes_

            def _count(self, name, X):
                self.calls[name] = self.calls.get(name, 0) + 1
                return getattr(self.model, name)(X)

            def predict(self, X):
                return self._count("predict", X)

            def predict_proba(self, X):
                return self._count("predict_proba", X)

            def decision_function(self, X):
                return self._count("decision_function", X)

        @pytest.mark.model_threshold(accuracy=0.5, f1=0.5, roc_auc=0.5, log_loss=1.0, brier_score=0.5,
                                     average_precision=0.5)
        def test_it(mlgate, binary):
            model, X, y = binary
            wrapped = Counting(model)
            mlgate.evaluate(wrapped, X, y)
            assert wrapped.calls == {"predict": 1, "predict_proba": 1}
    """)
    models.runpytest().assert_outcomes(passed=1)


def test_evaluate_options(models: pytest.Pytester) -> None:
    models.makepyfile("""
        import numpy as np
        import pytest
        from sklearn.metrics import accuracy_score

        @pytest.mark.model_threshold(train_accuracy=0.9)
        def test_prefix(mlgate, binary):
            model, X, y = binary
            assert set(mlgate.evaluate(model, X, y, prefix="train_")) == {"train_accuracy"}

        def test_weights(mlgate, binary):
            model, X, y = binary
            w = np.linspace(0.1, 2.0, len(y))
            got = mlgate.evaluate(model, X, y, metrics=["accuracy"], sample_weight=w)["accuracy"]
            assert got == pytest.approx(accuracy_score(y, model.predict(X), sample_weight=w))

        def test_custom_callables_and_scorer_names(mlgate, binary):
            model, X, y = binary
            out = mlgate.evaluate(model, X, y, metrics=["accuracy", "neg_log_loss",
                                                        {"errors": lambda t, p: float((t != p).sum())}])
            assert out["errors"] == pytest.approx((1 - out["accuracy"]) * len(y))
            assert out["neg_log_loss"] < 0

        def test_precomputed(mlgate, binary):
            model, X, y = binary
            out = mlgate.evaluate(y_true=y, y_pred=model.predict(X), y_score=model.predict_proba(X)[:, 1],
                                  metrics=["accuracy", "roc_auc"])
            assert 0.9 < out["accuracy"] <= 1 and 0.9 < out["roc_auc"] <= 1

        def test_string_labels(mlgate, binary):
            model, X, y = binary
            names = np.array(["malignant", "benign"])
            out = mlgate.evaluate(y_true=names[y], y_pred=names[model.predict(X)], metrics=["accuracy", "f1"])
            assert out["accuracy"] > 0.9
    """)
    models.runpytest().assert_outcomes(passed=5)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("mlgate.evaluate(model, X[:10], y)", "X has 10 rows but y has 171"),
        ("mlgate.evaluate(model, X[:0], y[:0])", "y is empty"),
        ("mlgate.evaluate(model, X, y, metrics=['acuracy'])", "unknown metric 'acuracy'; did you mean 'accuracy'"),
        ("only = type('OnlyPredict', (), {'predict': lambda self, X: model.predict(X)})(); "
         "mlgate.evaluate(only, X, y, metrics=['roc_auc'])",
         "roc_auc needs scores, but OnlyPredict has neither predict_proba nor decision_function"),
        ("mlgate.evaluate(model, X, y, metrics=['r2'])", "'r2' is a regression metric, but this is a classification"),
        ("mlgate.evaluate(model, X, y, sample_weight=[1.0])", "sample_weight has 1 values but y has 171"),
        ("mlgate.evaluate(y_true=y, y_pred=y[:5])", "y_pred has 5 values but y_true has 171"),
        ("mlgate.evaluate(y_true=y, y_pred=y, metrics=['roc_auc'])", "roc_auc needs y_score"),
        ("mlgate.record('accuracy', 'high')", "accuracy must be a real number"),
    ],
)
def test_input_errors_name_the_cause(models: pytest.Pytester, body: str, message: str) -> None:
    models.makepyfile(f"""
        def test_it(mlgate, binary):
            model, X, y = binary
            {body}
    """)
    result = models.runpytest()
    result.assert_outcomes(failed=1)
    assert message in result.stdout.str()


def test_fail_closed_on_missing_nan_and_inf(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.9)
        def test_never_recorded(mlgate):
            pass

        @pytest.mark.model_threshold(accuracy=0.9)
        def test_no_fixture():
            pass

        @pytest.mark.model_threshold(accuracy=0.9)
        def test_nan(mlgate):
            mlgate.record(accuracy=float("nan"))

        @pytest.mark.model_threshold(rmse=10)
        def test_inf(mlgate):
            mlgate.record(rmse=float("inf"))
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=4)
    out = result.stdout.str()
    # Each test's own failure says why; match them in order so the short summary (which pytest
    # prints in full when CI is set) cannot stand in for a missing section.
    result.stdout.fnmatch_lines([
        "*_ test_never_recorded _*",
        "mlgate: 1 gate failed: accuracy: not recorded by the test, gate >= 0.9 cannot pass*",
        "*_ test_no_fixture _*",
        "mlgate: 1 gate failed: accuracy: not recorded by the test, gate >= 0.9 cannot pass*",
    ])
    assert "accuracy = nan: not a finite number" in out
    assert "rmse = inf: not a finite number" in out


def test_the_first_line_of_a_failure_says_what_failed(pytester: pytest.Pytester) -> None:
    """pytest's short summary and JUnit's message attribute show only the first line."""
    pytester.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.99)
        def test_one(mlgate):
            mlgate.record(accuracy=0.9)

        @pytest.mark.model_threshold(accuracy=0.99, f1=0.99, log_loss=0.1)
        def test_many(mlgate):
            mlgate.record(accuracy=0.9, f1=0.8, log_loss=0.05)
    """)
    result = pytester.runpytest("-rf", "-vv", "--junitxml=out.xml")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "FAILED *::test_one - Failed: mlgate: 1 gate failed: accuracy = 0.9 fails >= 0.99",
        "FAILED *::test_many - Failed: mlgate: 2 gates failed: accuracy (threshold), f1 (threshold)",
    ])
    result.stdout.fnmatch_lines([
        "mlgate: 2 gates failed: accuracy (threshold), f1 (threshold)",
        "  threshold: accuracy = 0.9 fails >= 0.99",
        "  threshold: f1 = 0.8 fails >= 0.99",
        "mlgate seed *",
    ])
    import xml.etree.ElementTree as ET

    messages = [f.get("message") for f in ET.parse(pytester.path / "out.xml").getroot().iter("failure")]
    assert messages[0].startswith("Failed: mlgate: 1 gate failed: accuracy = 0.9 fails >= 0.99")


def test_warn_severity_and_warn_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.99, severity="warn")
        def test_warn(mlgate):
            mlgate.record(accuracy=0.9)

        @pytest.mark.model_threshold(accuracy=0.99)
        def test_fail(mlgate):
            mlgate.record(accuracy=0.9)
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1, warnings=1)
    result.stdout.fnmatch_lines(["*MlgateWarning: test_warn_severity_and_warn_only.py::test_warn: accuracy = 0.9 fails >= 0.99*"])
    result.stdout.fnmatch_lines(["*test_warn*accuracy*0.9*>= 0.99*WARN*"])
    warn_only = pytester.runpytest("--mlgate-warn-only")
    warn_only.assert_outcomes(passed=2, warnings=2)
    assert "FAIL" not in warn_only.stdout.str()


def test_record_forms_and_directions(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import numpy as np
        import pytest

        @pytest.mark.model_threshold(latency="<50", accuracy=0.5)
        def test_it(mlgate):
            mlgate.record("latency", np.float32(12.5), higher_is_better=False)
            mlgate.record(accuracy=np.float64(0.75), f1=1)
            assert mlgate.metrics == {"latency": 12.5, "accuracy": 0.75, "f1": 1.0}
            with pytest.raises(TypeError, match="value is missing"):
                mlgate.record("x")
            with pytest.raises(TypeError, match="nothing to record"):
                mlgate.record()
            with pytest.raises(TypeError, match="flag must be a real number"):
                mlgate.record(flag=True)
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_seed_and_rng_are_per_test_and_replayable(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import random
        import numpy as np

        def test_a(mlgate):
            print("SEED", mlgate.seed, mlgate.rng.integers(1 << 30), np.random.randint(1 << 30), random.random())

        def test_b(mlgate):
            print("SEED", mlgate.seed, mlgate.rng.integers(1 << 30), np.random.randint(1 << 30), random.random())
    """)

    def seeds(*args: str) -> list[str]:
        out = pytester.runpytest("-s", *args).stdout.lines
        return [line for line in out if "SEED" in line]

    first, again, other = seeds(), seeds(), seeds("--mlgate-seed", "7")
    assert len(first) == 2 and first[0] != first[1]
    assert first == again
    assert first != other
    pytester.makeini("[pytest]\nmlgate_seed = 7\n")
    assert seeds() == other


def test_global_seeding_can_be_switched_off(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmlgate_seed_globals = false\n")
    pytester.makepyfile("""
        import numpy as np

        def test_a(mlgate):
            np.random.seed(123)
            print("DRAW", np.random.randint(1 << 30))

        def test_b(mlgate):
            print("DRAW", np.random.randint(1 << 30))
    """)
    lines = [line for line in pytester.runpytest("-s").stdout.lines if "DRAW" in line]
    # not re-seeded between the tests: the second draw continues the first test's stream
    import numpy as np

    np.random.seed(123)
    first = np.random.randint(1 << 30)
    second = np.random.randint(1 << 30)
    assert lines[0].endswith(str(first)) and lines[1].endswith(str(second))


def test_metrics_hook_and_results_hook(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import numpy as np

        def top_errors(y_true, y_pred):
            return float(np.sum(np.asarray(y_true) != np.asarray(y_pred)))

        def pytest_mlgate_add_metrics(registry, config):
            registry.add("errors", top_errors, higher_is_better=False)

        SEEN = []

        def pytest_mlgate_test_result(item, result):
            print("RESULT", item.nodeid, sorted(result.metrics), [g.status for g in result.gates])
    """)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(errors=1)
        def test_it(mlgate):
            mlgate.evaluate(y_true=[0, 1, 1, 0], y_pred=[0, 1, 0, 0])
    """)
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1)
    assert "RESULT test_metrics_hook_and_results_hook.py::test_it ['errors'] ['PASS']" in result.stdout.str()


def test_bad_input_errors_point_at_the_users_line(pytester: pytest.Pytester) -> None:
    """The error names the cause, and the traceback stops at the test's own call: no plugin frames."""
    pytester.makepyfile("""
        import numpy as np
        import pytest
        from pytest_mlgate import detect_drift

        X = np.arange(20.0).reshape(10, 2)
        y = np.array([0, 1] * 5)

        class Model:
            classes_ = np.array([0, 1])
            def predict(self, X):
                return np.zeros(len(X), dtype=int)

        @pytest.mark.parametrize("case", ["rows", "record", "drift", "compare"])
        def test_bad(mlgate, case):
            if case == "rows":
                mlgate.evaluate(Model(), X[:3], y)
            elif case == "record":
                mlgate.record(accuracy="high")
            elif case == "drift":
                mlgate.check_drift(X[:, 0], X[:, 0], method="nope")
            else:
                mlgate.compare(Model(), Model(), X, y[:4], metric="accuracy")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=4)
    out = result.stdout.str()
    assert "pytest_mlgate" not in out.split(" short test summary ")[0].replace("pytest_mlgate.", "")
    for line in ("X has 3 rows but y has 10", "mlgate.record: accuracy must be a real number, got str 'high'",
                 "unknown drift method 'nope'", "X has 10 rows but y has 4"):
        result.stdout.fnmatch_lines([f"E   *{line}*"])


@pytest.mark.parametrize("xdist", [False, True])
def test_a_broken_metrics_hook_is_one_usage_error(pytester: pytest.Pytester, xdist: bool) -> None:
    pytester.makeconftest("""
        def pytest_mlgate_add_metrics(registry, config):
            registry.add("errors", lambda y_true, y_pred: 0.0)
    """)
    pytester.makepyfile("""
        def test_a(mlgate):
            pass

        def test_b(mlgate):
            pass
    """)
    result = pytester.runpytest_subprocess(*(["-n", "2"] if xdist else []))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "*pytest_mlgate_add_metrics (conftest.py:2): TypeError: *missing 1 required keyword-only argument: "
        "'higher_is_better'",
    ])
    assert result.stderr.str().count("pytest_mlgate_add_metrics (") == 1


def test_optional_hooks_let_a_conftest_load_with_the_plugin_off(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import pytest

        @pytest.hookimpl(optionalhook=True)
        def pytest_mlgate_add_metrics(registry, config):
            registry.add("errors", lambda y_true, y_pred: 0.0, higher_is_better=False)

        @pytest.hookimpl(optionalhook=True)
        def pytest_mlgate_test_result(item, result):
            print("RESULT", item.nodeid)
    """)
    pytester.makepyfile("""
        def test_plain():
            pass

        def test_model(mlgate):
            mlgate.evaluate(y_true=[0, 1], y_pred=[0, 1], metrics=["errors"])
    """)
    pytester.runpytest("-s").assert_outcomes(passed=2)
    off = pytester.runpytest("-p", "no:mlgate", "-k", "plain")
    off.assert_outcomes(passed=1, deselected=1)


def test_a_failing_body_is_not_masked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.5)
        def test_it(mlgate):
            mlgate.record(accuracy=0.9)
            assert False, "the body failed"
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the body failed*"])


def test_task_comes_from_the_predictions_when_the_model_does_not_say(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import numpy as np

        class DuckRegressor:
            def predict(self, X):
                return np.asarray(X)[:, 0] * 2.0 + 0.5

        def test_precomputed_whole_number_target(mlgate):
            y = np.array([151., 75., 141., 206., 135., 97., 138., 63.] * 5)
            assert set(mlgate.evaluate(y_true=y, y_pred=y + 3.7)) == {"r2", "mae", "rmse"}

        def test_duck_typed_regressor(mlgate):
            X = np.arange(40, dtype=float).reshape(-1, 1)
            assert set(mlgate.evaluate(DuckRegressor(), X, X[:, 0] * 2.0)) == {"r2", "mae", "rmse"}

        def test_scores_alone(mlgate):
            y = np.array([0, 1] * 20)
            assert set(mlgate.evaluate(y_true=y, y_score=np.linspace(0, 1, 40))) == {"roc_auc"}
    """)
    pytester.runpytest().assert_outcomes(passed=3)


def test_markers_naming_two_tasks_evaluate_what_fits_each_model(models: pytest.Pytester) -> None:
    models.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.9, r2=0.3)
        def test_two_models(mlgate, binary, regression):
            assert set(mlgate.evaluate(*binary)) == {"accuracy"}
            assert set(mlgate.evaluate(*regression)) == {"r2"}
    """)
    models.runpytest().assert_outcomes(passed=1)


def test_missing_labels_and_unknown_classes_name_the_input(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import numpy as np
        import pandas as pd
        import pytest

        def test_it(mlgate):
            with pytest.raises(ValueError, match=r"y_true contains 10 missing value\\(s\\) \\(NaN/None\\), first at row 2"):
                mlgate.evaluate(y_true=pd.Series(["a", "b", None, "a"] * 10, dtype="str"), y_pred=["a"] * 40)
            y = np.array(["a", "b"] * 20)
            proba = np.tile([0.7, 0.2, 0.1], (40, 1))
            proba[1::2] = [0.2, 0.7, 0.1]
            with pytest.raises(ValueError, match="y_score has 3 columns but y_true and y_pred hold 2 classes"):
                mlgate.evaluate(y_true=y, y_pred=y, y_score=proba, metrics=["log_loss"])
            out = mlgate.evaluate(y_true=y, y_pred=y, y_score=proba, metrics=["log_loss"], labels=["a", "b", "c"])
            assert out["log_loss"] > 0
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_scorer_names_take_their_direction_from_scikit_learn(models: pytest.Pytester) -> None:
    from sklearn.metrics import get_scorer_names

    if "d2_brier_score" not in get_scorer_names():
        pytest.skip("scikit-learn < 1.8 has no d2_brier_score scorer")
    models.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(d2_brier_score=0.5, neg_log_loss=-0.5)
        def test_it(mlgate, binary):
            mlgate.evaluate(*binary)
    """)
    result = models.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*d2_brier_score*>= 0.5*PASS*"])


def test_any_failure_of_a_model_test_prints_its_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_uses_rng(mlgate):
            assert mlgate.rng.normal() > 100
    """)
    result = pytester.runpytest("--tb=short", "--mlgate-seed", "5")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*mlgate seed * (replay: pytest --mlgate-seed 5 'test_any_failure_of_a_model_test_prints_its_seed.py::test_uses_rng')*"])


def test_the_replay_command_runs_from_where_pytest_was_invoked(pytester: pytest.Pytester) -> None:
    """Test ids are relative to the rootdir; the printed command must work from the invocation directory."""
    project = pytester.mkdir("project")
    (project / "pytest.ini").write_text("[pytest]\n")
    (project / "test_p.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.parametrize('k', ['a b'])\n"
        "def test_it(mlgate, k):\n"
        "    assert mlgate.rng.normal() > 100\n"
    )
    result = pytester.runpytest("project")
    result.assert_outcomes(failed=1)
    line = next(x for x in result.stdout.lines if "replay: pytest" in x)
    assert line.endswith("(replay: pytest --mlgate-seed 0 'project/test_p.py::test_it[a b]')")
    replay = pytester.runpytest("--mlgate-seed", "0", "project/test_p.py::test_it[a b]")
    replay.assert_outcomes(failed=1)
    assert line in replay.stdout.lines  # the same seed again
    # a rootdir given by hand changes the test id, so the seed: the replay keeps it
    sub = project / "sub"
    sub.mkdir()
    (project / "test_p.py").rename(sub / "test_p.py")
    custom = pytester.runpytest("--rootdir", str(sub), "project/sub")
    custom.assert_outcomes(failed=1)
    line = next(x for x in custom.stdout.lines if "replay: pytest" in x)
    assert line.endswith(f"(replay: pytest --mlgate-seed 0 --rootdir {sub} 'project/sub/test_p.py::test_it[a b]')")
    again = pytester.runpytest("--mlgate-seed", "0", "--rootdir", str(sub), "project/sub/test_p.py::test_it[a b]")
    assert line in again.stdout.lines


def test_gates_on_unittest_tests_are_judged_too(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import unittest
        import pytest

        @pytest.mark.model_threshold(accuracy=0.99)
        class TestModel(unittest.TestCase):
            def test_accuracy(self):
                pass
    """)
    result = pytester.runpytest("-m", "model")
    result.assert_outcomes(failed=1)
    assert "accuracy: not recorded by the test" in result.stdout.str()
