"""Baselines, regression gates, history and reports, as a user meets them on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SUITE = """
import os
import pytest

VALUE = float(os.environ.get("ACC", "0.90"))

def test_acc(mlgate):
    mlgate.record(accuracy=VALUE, log_loss=1 - VALUE)

@pytest.mark.model_regression(accuracy=0.05)
def test_tolerant(mlgate):
    mlgate.record(accuracy=VALUE)

@pytest.mark.model_regression(accuracy="10%")
def test_relative(mlgate):
    mlgate.record(accuracy=VALUE)
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_suite=SUITE)
    return pytester


def saved(pytester: pytest.Pytester, *args: str) -> dict:
    result = pytester.runpytest("--mlgate-save-baseline", *args)
    assert result.ret == 0, result.stdout.str()
    return json.loads((pytester.path / "mlgate-baseline.json").read_text())


def test_save_writes_sorted_json_with_provenance(suite: pytest.Pytester) -> None:
    data = saved(suite)
    text = (suite.path / "mlgate-baseline.json").read_text()
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["version"] == 1
    assert set(data["provenance"]) >= {"commit", "dirty", "date", "python", "packages"}
    assert data["provenance"]["packages"]["pytest"] == pytest.__version__
    entry = data["tests"]["test_suite.py::test_acc"]["accuracy"]
    assert entry["value"] == 0.9 and entry["higher_is_better"] is True
    assert not list(suite.path.glob("*.tmp*"))


def test_regression_fails_with_value_baseline_tolerance_and_provenance(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(suite)
    same = suite.runpytest()
    same.assert_outcomes(passed=3)
    monkeypatch.setenv("ACC", "0.87")
    worse = suite.runpytest()
    # default tolerance 0 fails test_acc (accuracy down, log_loss up); 0.05 and 10% absorb 0.03
    worse.assert_outcomes(passed=2, failed=1)
    out = worse.stdout.str()
    assert "accuracy regressed: 0.87 vs baseline 0.9" in out
    assert "log_loss regressed: 0.13 vs baseline 0.1" in out
    assert "allowed 0" in out
    monkeypatch.setenv("ACC", "0.80")
    much_worse = suite.runpytest()
    much_worse.assert_outcomes(failed=3)
    assert "allowed 0.05" in much_worse.stdout.str() and "(10%)" in much_worse.stdout.str()


def test_ini_tolerance_and_improvements_pass(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    saved(suite)
    suite.makeini("[pytest]\nmlgate_regression_tolerance = 0.05\n")
    monkeypatch.setenv("ACC", "0.87")
    suite.runpytest().assert_outcomes(passed=3)
    monkeypatch.setenv("ACC", "0.99")
    suite.runpytest().assert_outcomes(passed=3)


def test_new_and_unused_metrics_are_reported(suite: pytest.Pytester) -> None:
    saved(suite)
    data = json.loads((suite.path / "mlgate-baseline.json").read_text())
    data["tests"]["test_suite.py::test_acc"]["recall"] = {"value": 0.5}
    data["tests"]["test_suite.py::test_removed"] = {"accuracy": {"value": 0.5}}
    data["tests"]["other/test_elsewhere.py::test_elsewhere"] = {"accuracy": {"value": 0.5}}
    data["tests"]["test_deleted.py::test_gone"] = {"accuracy": {"value": 0.5}}
    del data["tests"]["test_suite.py::test_tolerant"]
    (suite.path / "mlgate-baseline.json").write_text(json.dumps(data))
    suite.mkpydir("other").joinpath("test_elsewhere.py").write_text("def test_elsewhere(): pass\n")
    result = suite.runpytest("test_suite.py")
    result.assert_outcomes(passed=3)
    out = result.stdout.str()
    assert "unused baseline entry: test_suite.py::test_acc recall" in out
    assert "unused baseline entry: test_suite.py::test_removed accuracy" in out
    assert "unused baseline entry: test_deleted.py::test_gone accuracy" in out  # its file is gone
    assert "test_elsewhere" not in out  # its file exists but was not part of this run
    assert any("test_tolerant" in line and line.rstrip().endswith("NEW") for line in out.splitlines())
    # saving accepts the new state: tests that no longer exist leave the file, the rest stay
    saved_run = suite.runpytest("test_suite.py", "--mlgate-save-baseline")
    saved_run.stdout.fnmatch_lines([
        "mlgate: removed from the baseline: 2 tests that no longer exist "
        "(test_deleted.py::test_gone, test_suite.py::test_removed)",
    ])
    tests = json.loads((suite.path / "mlgate-baseline.json").read_text())["tests"]
    assert sorted(tests) == [
        "other/test_elsewhere.py::test_elsewhere", "test_suite.py::test_acc", "test_suite.py::test_relative",
        "test_suite.py::test_tolerant",
    ]
    assert "recall" not in tests["test_suite.py::test_acc"]


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        ("{not json", "malformed JSON"),
        ('{"version": 99, "tests": {}}', "newer pytest-mlgate"),
        ('{"version": 1, "tests": []}', "'tests' must be an object"),
        ('{"tests": {}}', "'version' must be a positive integer (this pytest-mlgate writes 1), got None"),
    ],
)
def test_bad_baseline_file_is_a_usage_error_and_is_not_overwritten(
    suite: pytest.Pytester, content: str, cause: str
) -> None:
    path = suite.path / "mlgate-baseline.json"
    path.write_text(content)
    for args in ((), ("--mlgate-save-baseline",)):
        result = suite.runpytest(*args)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        assert str(path) in result.stderr.str() and cause in result.stderr.str()
        # a newer format is cured by upgrading, not by rewriting the file
        repair = "delete it and run with --mlgate-save-baseline to write a new one"
        assert (repair in result.stderr.str()) is ("newer" not in cause)
        assert path.read_text() == content


def test_baseline_option_and_ini_paths(suite: pytest.Pytester) -> None:
    suite.runpytest("--mlgate-save-baseline", "--mlgate-baseline", "custom/base.json").assert_outcomes(passed=3)
    assert (suite.path / "custom" / "base.json").exists()
    suite.makeini("[pytest]\nmlgate_baseline = from_ini.json\n")
    suite.runpytest("--mlgate-save-baseline").assert_outcomes(passed=3)
    assert (suite.path / "from_ini.json").exists()


def test_subset_run_updates_only_what_ran(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    saved(suite)
    monkeypatch.setenv("ACC", "0.95")
    data = saved(suite, "-k", "test_acc")
    assert data["tests"]["test_suite.py::test_acc"]["accuracy"]["value"] == 0.95
    assert data["tests"]["test_suite.py::test_tolerant"]["accuracy"]["value"] == 0.9


def test_xdist_round_trip(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("xdist")
    suite.runpytest_subprocess("-n", "2", "--mlgate-save-baseline").assert_outcomes(passed=3)
    parallel = json.loads((suite.path / "mlgate-baseline.json").read_text())
    suite.runpytest_subprocess("--mlgate-save-baseline").assert_outcomes(passed=3)
    serial = json.loads((suite.path / "mlgate-baseline.json").read_text())
    assert parallel["tests"] == serial["tests"]
    monkeypatch.setenv("ACC", "0.87")
    result = suite.runpytest_subprocess("-n", "2")
    result.assert_outcomes(passed=2, failed=1)
    assert "accuracy regressed: 0.87 vs baseline 0.9" in result.stdout.str()


def test_history_appends_one_line_per_run(suite: pytest.Pytester) -> None:
    suite.runpytest("--mlgate-history", "hist.jsonl").assert_outcomes(passed=3)
    suite.runpytest("--mlgate-history", "hist.jsonl").assert_outcomes(passed=3)
    lines = (suite.path / "hist.jsonl").read_text().splitlines()
    assert len(lines) == 2
    record = json.loads(lines[0])
    assert {"time", "commit", "environment", "tests", "status"} <= set(record)
    acc = next(t for t in record["tests"] if t["nodeid"] == "test_suite.py::test_acc")
    assert acc["metrics"]["accuracy"]["value"] == 0.9
    suite.makeini("[pytest]\nmlgate_history = ini-hist.jsonl\n")
    suite.runpytest().assert_outcomes(passed=3)
    assert len((suite.path / "ini-hist.jsonl").read_text().splitlines()) == 1


def test_markdown_json_and_step_summary(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    saved(suite)
    monkeypatch.setenv("ACC", "0.87")
    summary = suite.path / "step-summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = suite.runpytest("--mlgate-report", "report.md", "--mlgate-json", "report.json")
    result.assert_outcomes(passed=2, failed=1)
    md = (suite.path / "report.md").read_text()
    assert md.splitlines()[2].startswith("**❌")
    assert "| `accuracy` | regression | 0.87 | >= 0.9 | 0.9 | -0.03 (worse) | ❌ FAIL |" in md
    assert summary.read_text() == "earlier step\n" + md
    data = json.loads((suite.path / "report.json").read_text())
    assert data["version"] == 1 and data["summary"]["failed"] == 2
    assert [t["nodeid"] for t in data["tests"]] == [
        "test_suite.py::test_acc", "test_suite.py::test_tolerant", "test_suite.py::test_relative",
    ]
    suite.makeini("[pytest]\nmlgate_step_summary = false\n")
    suite.runpytest("--mlgate-report", "report.md")
    assert summary.read_text() == "earlier step\n" + md


def test_save_refuses_nan_and_says_so(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nan(mlgate):\n    mlgate.record(accuracy=float('nan'))\n")
    result = pytester.runpytest("--mlgate-save-baseline")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "NaN/inf cannot be stored" in result.stdout.str()
    assert not (pytester.path / "mlgate-baseline.json").exists()


def test_baseline_is_relative_to_rootdir(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\n")
    sub = pytester.mkdir("sub")
    (sub / "test_x.py").write_text("def test_x(mlgate):\n    mlgate.record(accuracy=0.5)\n")
    pytester.runpytest("sub", "--mlgate-save-baseline").assert_outcomes(passed=1)
    assert Path(pytester.path / "mlgate-baseline.json").exists()


def test_metrics_without_a_registry_direction_are_compared_too(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("""
        import os
        import pytest

        V = float(os.environ.get("V", "9"))

        @pytest.mark.model_threshold(latency_ms="<=1000")
        def test_gated(mlgate):
            mlgate.record("latency_ms", V)

        def test_ungated(mlgate):
            mlgate.record("rows_scored", V)
    """)
    pytester.runpytest("--mlgate-save-baseline").assert_outcomes(passed=2)
    monkeypatch.setenv("V", "900")
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    assert "latency_ms regressed: 900 vs baseline 9" in out  # the gate's direction: lower is better
    assert "rows_scored changed: 900 vs baseline 9" in out and "direction unknown" in out


def test_deselected_tests_are_not_unused_entries(suite: pytest.Pytester) -> None:
    saved(suite)
    result = suite.runpytest("-k", "test_acc")
    result.assert_outcomes(passed=1, deselected=2)
    assert "unused baseline entry" not in result.stdout.str()
    pytest.importorskip("xdist")
    parallel = suite.runpytest_subprocess("-n", "2", "-k", "test_acc")
    parallel.assert_outcomes(passed=1)
    assert "unused baseline entry" not in parallel.stdout.str()


def test_reports_asked_for_are_written_when_no_model_test_ran(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest("--mlgate-report", "r.md", "--mlgate-json", "r.json")
    result.assert_outcomes(passed=1)
    assert "no gates evaluated" in (pytester.path / "r.md").read_text()
    assert json.loads((pytester.path / "r.json").read_text())["summary"]["tests"] == 0
    pytester.runpytest().assert_outcomes(passed=1)
    assert not (pytester.path / "mlgate-baseline.json").exists()


def test_junit_shows_baseline_and_change(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    import xml.etree.ElementTree as ET

    saved(suite)
    monkeypatch.setenv("ACC", "0.95")
    suite.runpytest("--junitxml=out.xml").assert_outcomes(passed=3)  # accuracy up, log_loss down: both better
    props = [(p.get("name"), p.get("value")) for p in ET.parse(suite.path / "out.xml").getroot().iter("property")]
    named = dict(props)
    assert named["test_suite.py::test_acc::accuracy"] == "0.95"
    assert named["test_suite.py::test_acc::accuracy.baseline"] == "0.9"
    assert float(named["test_suite.py::test_acc::accuracy.change"]) == pytest.approx(0.05)
    assert named["test_suite.py::test_acc::accuracy.regression"].startswith("PASS >= 0.9")
    assert [n for n, _ in props].count("test_suite.py::test_acc::accuracy.baseline") == 1


def test_model_regression_on_a_metric_never_recorded_fails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("""
        import os
        import pytest

        @pytest.mark.model_regression(score=0.05)
        def test_score(mlgate):
            if os.environ.get("RECORD"):
                mlgate.record(score=0.9, higher_is_better=True)
    """)
    # no baseline yet: the gate names a metric the test never records
    first = pytester.runpytest()
    first.assert_outcomes(failed=1)
    first.stdout.fnmatch_lines(["*score: not recorded by the test, model_regression gate (tolerance 0.05) cannot pass*"])
    monkeypatch.setenv("RECORD", "1")
    pytester.runpytest("--mlgate-save-baseline").assert_outcomes(passed=1)
    monkeypatch.delenv("RECORD")
    # with a stored value, a test that stops recording it still fails
    again = pytester.runpytest()
    again.assert_outcomes(failed=1)
    again.stdout.fnmatch_lines(["*score: not recorded by the test*"])
    assert pytester.runpytest("--mlgate-warn-only").ret == 0


def test_saving_over_a_baseline_shows_what_moved_and_accepts_it(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(suite)
    monkeypatch.setenv("ACC", "0.80")
    result = suite.runpytest("--mlgate-save-baseline", "--mlgate-json", "r.json")
    result.assert_outcomes(passed=3)
    row = next(line for line in result.stdout.lines if line.startswith("test_suite.py::test_acc") and " accuracy " in line)
    assert row.split()[2:] == ["regression", "0.8", ">=", "0.9", "0.9", "-0.1", "(worse)", "WARN"]
    gates = json.loads((suite.path / "r.json").read_text())["tests"][0]["gates"]
    accuracy = next(g for g in gates if g["metric"] == "accuracy")
    assert (accuracy["status"], accuracy["baseline"]) == ("WARN", 0.9)
    assert accuracy["message"].startswith("accuracy regressed: 0.8 vs baseline 0.9")
    assert accuracy["message"].endswith("(accepted: --mlgate-save-baseline stores the new value)")
    data = json.loads((suite.path / "mlgate-baseline.json").read_text())
    assert data["tests"]["test_suite.py::test_acc"]["accuracy"]["value"] == 0.8
    suite.runpytest().assert_outcomes(passed=3)  # the accepted values are the new reference


def test_an_unwritable_step_summary_fails_the_run_and_names_the_variable(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = suite.path / "missing-dir" / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    result = suite.runpytest()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"mlgate: ERROR $GITHUB_STEP_SUMMARY={target}: cannot append the report: *"])


def test_a_narrowed_run_keeps_the_tests_it_did_not_collect(suite: pytest.Pytester) -> None:
    """Only evidence that a test is gone removes it: a run that collected part of a file
    (``file.py::test``, ``--lf``) or a file outside its arguments proves nothing."""
    suite.makepyfile(test_other="def test_o(mlgate):\n    mlgate.record(accuracy=0.5)\n")
    saved(suite)
    every = {"test_other.py::test_o", "test_suite.py::test_acc", "test_suite.py::test_relative",
             "test_suite.py::test_tolerant"}
    for args in (["test_suite.py::test_acc"], ["test_suite.py::test_acc", "-p", "no:cacheprovider"],
                 ["test_suite.py"], ["-k", "test_acc"]):
        result = suite.runpytest(*args, "--mlgate-save-baseline")
        assert result.ret == 0, result.stdout.str()
        assert "unused baseline entry" not in result.stdout.str() and "removed from the baseline" not in result.stdout.str()
        assert set(json.loads((suite.path / "mlgate-baseline.json").read_text())["tests"]) == every


def test_last_failed_runs_keep_the_tests_that_passed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_lf="""
        import os

        def test_a(mlgate):
            mlgate.record(accuracy=0.9)

        def test_b(mlgate):
            mlgate.record(accuracy=0.9)
            assert not os.environ.get("FAIL_B")
    """)
    pytester.runpytest("--mlgate-save-baseline").assert_outcomes(passed=2)
    monkeypatch.setenv("FAIL_B", "1")
    pytester.runpytest().assert_outcomes(passed=1, failed=1)
    monkeypatch.delenv("FAIL_B")
    result = pytester.runpytest("--lf", "--mlgate-save-baseline")
    result.assert_outcomes(passed=1)  # --lf collected test_b alone
    assert "removed from the baseline" not in result.stdout.str()
    assert set(json.loads((pytester.path / "mlgate-baseline.json").read_text())["tests"]) == {
        "test_lf.py::test_a", "test_lf.py::test_b",
    }


def test_a_warn_threshold_does_not_excuse_an_unrecorded_regression_metric(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.model_regression(accuracy=0.01)
        @pytest.mark.model_threshold(accuracy=0.5, severity="warn")
        def test_w(mlgate):
            mlgate.record(f1=0.9)
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1, warnings=1)
    result.stdout.fnmatch_lines(["*accuracy: not recorded by the test, model_regression gate (tolerance 0.01)*"])


def test_an_accepting_save_run_does_not_warn(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    saved(suite)
    monkeypatch.setenv("ACC", "0.80")
    result = suite.runpytest("--mlgate-save-baseline", "-W", "error::pytest_mlgate.MlgateWarning")
    result.assert_outcomes(passed=3)
    assert "WARN" in result.stdout.str() and "MlgateWarning" not in result.stdout.str()
