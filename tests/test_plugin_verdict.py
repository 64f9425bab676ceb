"""One verdict everywhere: every output of one run agrees with pytest, with and without xdist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

BROKEN = """
import pytest

@pytest.fixture
def holdout():
    raise RuntimeError("no holdout data")

@pytest.fixture
def leaky():
    yield
    raise OSError("cannot close the model store")

@pytest.mark.model_threshold(accuracy=0.5)
def test_fixture_errors(mlgate, holdout):
    mlgate.record(accuracy=0.9)

@pytest.mark.model_threshold(accuracy=0.5)
def test_body_raises(mlgate):
    mlgate.record(accuracy=0.9)
    raise ValueError("the model exploded")

@pytest.mark.model_threshold(accuracy=0.5)
def test_plain_assert(mlgate):
    mlgate.record(accuracy=0.9)
    assert 0.9 > 0.95, "calibration is off"

@pytest.mark.model_threshold(accuracy=0.5)
def test_teardown_errors(mlgate, leaky):
    mlgate.record(accuracy=0.9)

@pytest.mark.model_threshold(accuracy=0.5)
def test_fine(mlgate):
    mlgate.record(accuracy=0.9)
"""


@pytest.mark.parametrize("args", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_outputs_fail_a_run_whose_model_tests_errored_or_failed_outside_gates(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    pytester.makepyfile(test_broken=BROKEN)
    summary = pytester.path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = pytester.runpytest(*args, "--mlgate-report=r.md", "--mlgate-json=r.json", "--mlgate-history=h.jsonl")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    md = (pytester.path / "r.md").read_text()
    assert md.splitlines()[2].startswith("**❌ FAIL: 4 model tests failed (2 with errors)")
    assert "`test_broken.py::test_fixture_errors` (error): RuntimeError: no holdout data" in md
    assert "`test_broken.py::test_body_raises` (failed): ValueError: the model exploded" in md
    assert "`test_broken.py::test_plain_assert` (failed): AssertionError: calibration is off" in md
    assert "`test_broken.py::test_teardown_errors` (error): OSError: cannot close the model store" in md
    assert summary.read_text() == md
    data = json.loads((pytester.path / "r.json").read_text())
    assert data["summary"]["status"] == "FAIL"
    outcomes = {t["nodeid"].split("::")[1]: (t["outcome"], t["when"]) for t in data["tests"]}
    assert outcomes == {
        "test_fixture_errors": ("error", "setup"),
        "test_body_raises": ("failed", "call"),
        "test_plain_assert": ("failed", "call"),
        "test_teardown_errors": ("error", "teardown"),
        "test_fine": ("passed", None),
    }
    history = json.loads((pytester.path / "h.jsonl").read_text().splitlines()[-1])
    assert history["status"] == "FAIL"
    assert "mlgate: FAIL: 4 model tests failed (2 with errors)" in result.stdout.str()


def test_step_summary_is_written_when_no_gate_was_evaluated(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.fixture
        def model():
            raise RuntimeError("training failed")

        @pytest.mark.model_threshold(accuracy=0.9)
        def test_a(mlgate, model):
            pass
    """)
    summary = pytester.path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    text = summary.read_text()
    assert "❌ FAIL" in text and "RuntimeError: training failed" in text


SLICES = """
import os
import numpy as np
import pytest

@pytest.mark.model_threshold(accuracy=0.5, slices=True)
def test_sliced(mlgate):
    y = np.array([0, 1] * 100 + [0, 1] * 5)
    pred = y.copy()
    pred[-int(os.environ.get("WRONG", "1")):] ^= 1  # errors in the 10-row slice only
    group = np.array(["big"] * 200 + ["small"] * 10)
    mlgate.evaluate(y_true=y, y_pred=pred, metrics=["accuracy"], slice_by=group)
"""


def test_a_slice_below_the_minimum_size_is_never_gated_by_a_regression(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_s=SLICES)
    pytester.runpytest("--mlgate-save-baseline").assert_outcomes(passed=1)
    monkeypatch.setenv("WRONG", "3")  # the small slice gets worse, the whole barely moves
    result = pytester.runpytest("--mlgate-json=r.json")
    data = json.loads((pytester.path / "r.json").read_text())
    small = [g for g in data["tests"][0]["gates"] if g["metric"] == "accuracy[slice=small]"]
    assert {g["kind"]: g["status"] for g in small} == {"threshold": "SKIP", "regression": "SKIP"}
    overall = next(g for g in data["tests"][0]["gates"] if g["metric"] == "accuracy" and g["kind"] == "regression")
    assert overall["status"] == "FAIL"  # the whole holdout did get worse: that one is gated
    result.assert_outcomes(failed=1)


def test_a_warn_metric_does_not_block_through_its_regression_check(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("""
        import os, pytest

        @pytest.mark.model_threshold(f1=0.5, severity="warn")
        @pytest.mark.model_threshold(accuracy=0.5)
        def test_w(mlgate):
            mlgate.record(f1=float(os.environ.get("F1", "0.9")), accuracy=0.9)
    """)
    pytester.runpytest("--mlgate-save-baseline").assert_outcomes(passed=1)
    monkeypatch.setenv("F1", "0.8")
    result = pytester.runpytest("--mlgate-json=r.json")
    result.assert_outcomes(passed=1, warnings=1)
    gates = json.loads((pytester.path / "r.json").read_text())["tests"][0]["gates"]
    rows = {(g["metric"], g["kind"]): g["status"] for g in gates}
    assert rows[("f1", "threshold")] == "PASS" and rows[("f1", "regression")] == "WARN"
    assert rows[("accuracy", "regression")] == "PASS"


def test_threshold_and_regression_verdicts_are_separate_rows(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("""
        import os, pytest

        @pytest.mark.model_threshold(accuracy=0.95)
        def test_t(mlgate):
            mlgate.record(accuracy=float(os.environ.get("ACC", "0.99")))
    """)
    pytester.runpytest("--mlgate-save-baseline").assert_outcomes(passed=1)
    monkeypatch.setenv("ACC", "0.987")
    result = pytester.runpytest("--mlgate-report=r.md")
    result.assert_outcomes(failed=1)
    md = (pytester.path / "r.md").read_text()
    assert "| `accuracy` | threshold | 0.987 | >= 0.95 | 0.99 | -0.003 (worse) | ✅ PASS |" in md
    assert "| `accuracy` | regression | 0.987 | >= 0.99 | 0.99 | -0.003 (worse) | ❌ FAIL |" in md


def test_registering_an_existing_metric_names_both_definitions(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import pytest

        def my_accuracy(y_true, y_pred):
            return 0.0

        @pytest.hookimpl(optionalhook=True)
        def pytest_mlgate_add_metrics(registry, config):
            registry.add("accuracy", my_accuracy, higher_is_better=False)
    """)
    pytester.makepyfile("def test_a(mlgate):\n    mlgate.record(accuracy=0.9)\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "*metric 'accuracy' is already defined (built into pytest-mlgate, higher is better); registering it "
        "again with my_accuracy at conftest.py:3 would replace it*replace=True*"
    ])


def test_replace_true_means_it() -> None:
    from pytest_mlgate.metrics import MetricRegistry

    registry = MetricRegistry.default()
    registry.add("accuracy", lambda a, b: 0.0, higher_is_better=False, replace=True)
    assert registry.direction("accuracy") is False
    registry.add("top2", lambda a, b: 1.0, higher_is_better=True)
    with pytest.raises(ValueError, match=r"'top2' is already defined \(registered by .*<lambda> at test_plugin_verdict.py:\d+\)"):
        registry.add("top2", lambda a, b: 1.0, higher_is_better=True)


@pytest.mark.parametrize("args", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_raising_results_hook_fails_its_test_and_the_run_goes_on(
    pytester: pytest.Pytester, args: list[str]
) -> None:
    pytester.makeconftest("""
        import pytest

        @pytest.hookimpl(optionalhook=True)
        def pytest_mlgate_test_result(item, result):
            if "hooked" in item.nodeid:
                raise ConnectionError("MLflow server is down")
    """)
    pytester.makepyfile("""
        import pytest

        def test_hooked(mlgate):
            mlgate.record(accuracy=0.9)

        @pytest.mark.model_threshold(accuracy=0.99)
        def test_other_gate_fails(mlgate):
            mlgate.record(accuracy=0.9)
    """)
    result = pytester.runpytest(*args, "--mlgate-json=r.json")
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*test_hooked*pytest_mlgate_test_result (conftest.py:6) raised ConnectionError: MLflow server is down*"
    ])
    data = json.loads((pytester.path / "r.json").read_text())
    assert {t["nodeid"].split("::")[1]: t["outcome"] for t in data["tests"]} == {
        "test_hooked": "failed", "test_other_gate_fails": "failed",
    }


def test_gate_markers_added_at_run_time_are_judged(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.fixture
        def strict(request):
            request.node.add_marker(pytest.mark.model_threshold(f1=0.99))

        def test_in_body(mlgate, request):
            request.node.add_marker(pytest.mark.model_threshold(accuracy=0.99))
            mlgate.record(accuracy=0.959)

        def test_in_fixture(mlgate, strict):
            mlgate.evaluate(y_true=[0, 1, 1, 0], y_pred=[0, 1, 0, 0])  # metrics=None: the marker's f1
    """)
    result = pytester.runpytest("-rf")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*test_in_body*accuracy = 0.959 fails >= 0.99*"])
    result.stdout.fnmatch_lines(["*test_in_fixture*f1 = 0.6667*fails >= 0.99*"])


def test_messages_lead_to_the_fix(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_typo="""
        import pytest
        from sklearn.linear_model import LinearRegression

        @pytest.mark.model_threshold(acuracy=0.9)
        def test_typo(mlgate):
            mlgate.record(accuracy=0.95)
    """)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*acuracy=0.9: the direction of metric 'acuracy' is unknown*did you mean 'accuracy'?*"])
    pytester.makepyfile(test_typo="""
        import numpy as np
        import pytest
        from sklearn.linear_model import LinearRegression

        @pytest.mark.model_threshold(accuracy=0.9)
        def test_regressor(mlgate):
            X = np.arange(20.0).reshape(-1, 1)
            mlgate.evaluate(LinearRegression().fit(X, X.ravel()), X, X.ravel(), metrics=["r2"])

        @pytest.mark.model_threshold(log_loss=">=0.05")
        def test_backwards(mlgate):
            mlgate.record(log_loss=0.1)
    """)
    result = pytester.runpytest("-rf")
    result.assert_outcomes(failed=1, passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*accuracy is a classification metric, but this test evaluated a regression model*"])
    result.stdout.fnmatch_lines(["*log_loss='>=0.05' gates log_loss >= 0.05, but lower is better for log_loss*"])


def test_warn_only_still_raises_drift_a_test_expects(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import numpy as np
        import pytest
        from pytest_mlgate import DriftDetected

        def test_expects_drift(mlgate):
            rng = np.random.default_rng(0)
            with pytest.raises(DriftDetected):
                mlgate.check_drift(rng.normal(size=500), rng.normal(size=500) + 3)

        def test_uncaught(mlgate):
            rng = np.random.default_rng(1)
            mlgate.check_drift(rng.normal(size=500), rng.normal(size=500) + 3)
    """)
    result = pytester.runpytest("--mlgate-warn-only", "--mlgate-report=r.md")
    result.assert_outcomes(passed=2, warnings=1)
    md = (pytester.path / "r.md").read_text()
    assert "drift detected, as the test expected" in md
    plain = pytester.runpytest("--mlgate-report=r.md")
    plain.assert_outcomes(passed=1, failed=1)


def test_interrupted_run_saves_nothing_and_says_so(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_a(mlgate):
            mlgate.record(accuracy=0.9)

        def test_b(mlgate):
            mlgate.record(accuracy=0.8)
            raise KeyboardInterrupt
    """)
    result = pytester.runpytest_subprocess("--mlgate-save-baseline", "--mlgate-json=r.json", "--mlgate-history=h.jsonl")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    line = json.loads((pytester.path / "h.jsonl").read_text().splitlines()[-1])
    assert (line["status"], line["interrupted"]) == ("FAIL", True)  # the same verdict as every output
    assert not (pytester.path / "mlgate-baseline.json").exists()
    assert "run interrupted: baseline not saved" in result.stdout.str()
    data = json.loads((pytester.path / "r.json").read_text())
    assert data["summary"]["interrupted"] is True and data["summary"]["status"] == "FAIL"


def test_a_failed_test_keeps_its_stored_values_on_save(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile("""
        import os, pytest

        def test_partial(mlgate):
            mlgate.record(a=0.9, higher_is_better=True)
            if os.environ.get("BREAK"):
                raise RuntimeError("between a and b")
            mlgate.record(b=0.8, higher_is_better=True)

        def test_skips(mlgate):
            mlgate.record(c=0.5, higher_is_better=True)
            if os.environ.get("BREAK"):
                pytest.skip("no GPU")
    """)
    pytester.runpytest("--mlgate-save-baseline").assert_outcomes(passed=2)
    before = json.loads((pytester.path / "mlgate-baseline.json").read_text())["tests"]
    monkeypatch.setenv("BREAK", "1")
    result = pytester.runpytest("--mlgate-save-baseline")
    result.assert_outcomes(failed=1, skipped=1)
    after = json.loads((pytester.path / "mlgate-baseline.json").read_text())["tests"]
    assert after == before
    assert "no model test completed (2 kept their stored values)" in result.stdout.str()


def test_save_says_how_many_saved_tests_failed_their_thresholds(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.99)
        def test_low(mlgate):
            mlgate.record(accuracy=0.9)
    """)
    result = pytester.runpytest("--mlgate-save-baseline")
    result.stdout.fnmatch_lines(["mlgate: baseline saved to * (1 tests; 1 of them failed their thresholds)"])


def test_works_without_junitxml(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_a(mlgate):\n    mlgate.record(accuracy=0.9)\n")
    result = pytester.runpytest("-p", "no:junitxml")
    result.assert_outcomes(passed=1)
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_a_missing_explicit_baseline_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_a(mlgate):\n    mlgate.record(accuracy=0.9)\n")
    result = pytester.runpytest("--mlgate-baseline=typo.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mlgate-baseline=typo.json: no such file*--mlgate-save-baseline*"])
    pytester.runpytest("--mlgate-baseline=typo.json", "--mlgate-save-baseline").assert_outcomes(passed=1)
    assert Path(pytester.path / "typo.json").exists()


def test_an_unwritable_output_does_not_stop_the_others(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile("def test_a(mlgate):\n    mlgate.record(accuracy=0.9)\n")
    (pytester.path / "adir").mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(pytester.path / "adir"))
    result = pytester.runpytest("--mlgate-history=adir", "--mlgate-report=r.md", "--mlgate-json=r.json")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    out = result.stdout.str()
    assert "mlgate: ERROR --mlgate-history" in out and "mlgate: ERROR $GITHUB_STEP_SUMMARY" in out
    assert (pytester.path / "r.md").exists() and (pytester.path / "r.json").exists()


def test_rerunfailures_counts_only_the_final_attempt(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_rerunfailures")
    pytester.makeini("[pytest]\njunit_family = xunit1\n")
    pytester.makepyfile("""
        import pytest

        ATTEMPTS = []

        @pytest.mark.flaky(reruns=2)
        @pytest.mark.model_threshold(accuracy=0.9)
        def test_flaky(mlgate):
            ATTEMPTS.append(1)
            mlgate.record(accuracy=0.5 if len(ATTEMPTS) < 2 else 0.95)
    """)
    result = pytester.runpytest("--junitxml=out.xml", "--mlgate-json=r.json")
    assert result.parseoutcomes() == {"passed": 1, "rerun": 1}
    data = json.loads((pytester.path / "r.json").read_text())
    assert data["summary"]["status"] == "PASS" and data["tests"][0]["metrics"]["accuracy"]["value"] == 0.95
    import xml.etree.ElementTree as ET

    final = list(ET.parse(pytester.path / "out.xml").getroot().iter("testcase"))[-1]  # the attempt that counts
    props = [(p.get("name"), p.get("value")) for p in final.iter("property")]
    assert props == [("accuracy", "0.95"), ("accuracy.threshold", "PASS >= 0.9")]


def test_randomly_replay_line_reproduces_the_body(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_randomly")
    pytester.makepyfile("""
        import numpy as np
        import pytest

        @pytest.mark.model_threshold(score=">=2")
        def test_draw(mlgate):
            mlgate.record(score=float(np.random.random()), higher_is_better=True)
    """)
    first = pytester.runpytest("--mlgate-json=a.json", "-p", "randomly")
    line = next(text for text in first.stdout.lines if "replay: pytest" in text)
    assert "--randomly-seed=" in line
    again = pytester.runpytest("--mlgate-json=b.json", "-p", "randomly", "-p", "no:cacheprovider")
    a = json.loads((pytester.path / "a.json").read_text())["tests"][0]["metrics"]["score"]["value"]
    b = json.loads((pytester.path / "b.json").read_text())["tests"][0]["metrics"]["score"]["value"]
    assert a == b  # mlgate's seed decides the body's global random state, whatever randomly's seed
    again.assert_outcomes(failed=1)


def test_github_actions_annotations_on_the_tests_line(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    pytester.makepyfile(test_gh="""
        import pytest

        @pytest.mark.model_threshold(accuracy=0.99)
        def test_fails(mlgate):
            mlgate.record(accuracy=0.9)

        @pytest.mark.model_threshold(f1=0.99, severity="warn")
        def test_warns(mlgate):
            mlgate.record(f1=0.5)
    """)
    result = pytester.runpytest("-n", "2")
    lines = result.stdout.lines
    assert "::error file=test_gh.py,line=3,title=mlgate%3A test_gh.py%3A%3Atest_fails::FAIL (threshold): " \
        "accuracy = 0.9 fails >= 0.99" in lines
    assert any(line.startswith("::warning file=test_gh.py,line=7,") and "WARN (threshold): f1 = 0.5" in line
               for line in lines)
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert "::error" not in pytester.runpytest().stdout.str()


def test_record_cannot_flip_a_registry_metrics_direction(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        def test_flip(mlgate):
            with pytest.raises(ValueError, match="higher_is_better=False contradicts the metric registry"):
                mlgate.record("accuracy", 0.5, higher_is_better=False)
            mlgate.record("error_rate", 0.1, higher_is_better=False)  # a name of the user's own: fine
            mlgate.record("accuracy", 0.5, higher_is_better=True)  # agreeing is fine
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_an_output_that_cannot_be_written_makes_every_other_output_fail(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_a(mlgate):\n    mlgate.record(accuracy=0.9)\n")
    (pytester.path / "blocker").write_text("a file, not a directory\n")
    result = pytester.runpytest("--mlgate-report=blocker/r.md", "--mlgate-json=ok.json", "--mlgate-history=h.jsonl")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["mlgate: ERROR --mlgate-report=*blocker/r.md: cannot write it: *blocker is a file, not a directory"])
    data = json.loads((pytester.path / "ok.json").read_text())
    assert data["summary"]["status"] == "FAIL" and data["summary"]["output_errors"]
    assert json.loads((pytester.path / "h.jsonl").read_text().splitlines()[-1])["status"] == "FAIL"
    assert "mlgate: FAIL: 1 output could not be written" in result.stdout.str()


def test_a_gap_ignores_slices_too_small_to_judge(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import numpy as np
        import pytest

        @pytest.mark.model_threshold(accuracy_gap=0.1)
        def test_gap(mlgate):
            y = np.array([0, 1] * 200)
            pred = y.copy()
            pred[-30:] ^= 1  # the last 30 rows, two small slices, all wrong
            group = np.array(["A"] * 370 + ["B"] * 20 + ["C"] * 10)
            mlgate.evaluate(y_true=y, y_pred=pred, metrics=["accuracy"], slice_by=group)

        @pytest.mark.model_threshold(accuracy_gap=0.1)
        def test_gap_of_big_slices(mlgate):
            y = np.array([0, 1] * 200)
            pred = y.copy()
            pred[-100:] ^= 1
            group = np.array(["A"] * 200 + ["B"] * 200)
            mlgate.evaluate(y_true=y, y_pred=pred, metrics=["accuracy"], slice_by=group)
    """)
    result = pytester.runpytest("--mlgate-json=r.json")
    result.assert_outcomes(passed=1, failed=1)
    tests = {t["nodeid"].split("::")[1]: t for t in json.loads((pytester.path / "r.json").read_text())["tests"]}
    small = next(g for g in tests["test_gap"]["gates"] if g["metric"] == "accuracy_gap")
    assert small["status"] == "SKIP"
    big = next(g for g in tests["test_gap_of_big_slices"]["gates"] if g["metric"] == "accuracy_gap")
    assert big["status"] == "FAIL" and big["value"] == pytest.approx(0.5)


def test_a_run_pytest_fails_for_no_tests_is_no_pass(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_a(mlgate):\n    mlgate.record(accuracy=0.9)\n")
    result = pytester.runpytest("-k", "nothing_matches", "--mlgate-json=r.json")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert json.loads((pytester.path / "r.json").read_text())["summary"]["status"] == "FAIL"
