"""What CI reads: the terminal summary, JUnit XML under both families, and the same under xdist."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SUITE = """
import pytest

@pytest.mark.model_threshold(accuracy=0.9, log_loss=0.5)
def test_good(mlgate):
    mlgate.record(accuracy=0.95, log_loss=0.2, extra=3.5)

@pytest.mark.model_threshold(accuracy=0.99)
def test_bad(mlgate):
    mlgate.record(accuracy=0.95)

@pytest.mark.model_threshold(f1=0.99, severity="warn")
def test_warned(mlgate):
    mlgate.record(f1=0.5)

@pytest.mark.parametrize("k", [1, 2])
def test_param(mlgate, k):
    mlgate.record(score=k / 10, higher_is_better=True)

def test_plain():
    pass
"""

#: Children a <testcase> may hold in the xunit2 schema (junit-10.xsd): no <properties>.
TESTCASE_CHILDREN = {"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure", "flakyError",
                     "system-out", "system-err"}


def check_xunit2_structure(root: ET.Element) -> None:
    """The xunit2 schema's rules a plugin can break: properties only on <testsuite>, name+value each."""
    suites = [root] if root.tag == "testsuite" else list(root)
    for suite in suites:
        assert suite.tag == "testsuite"
        for attr in ("name", "tests", "failures", "errors"):
            assert attr in suite.attrib
        for child in suite:
            assert child.tag in {"testsuite", "properties", "testcase", "system-out", "system-err"}, child.tag
            if child.tag == "properties":
                for prop in child:
                    assert prop.tag == "property" and set(prop.attrib) == {"name", "value"}
            if child.tag == "testcase":
                assert "name" in child.attrib
                assert set(child.attrib) <= {"name", "time", "classname", "group"}, child.attrib
                for grandchild in child:
                    assert grandchild.tag in TESTCASE_CHILDREN, grandchild.tag


def suite_properties(path: Path) -> list[tuple[str, str]]:
    root = ET.parse(path).getroot()
    return [(p.get("name", ""), p.get("value", "")) for p in root.iter("property")]


def summary_section(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("=") and " mlgate " in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("="))
    return lines[start + 1:end]


def test_terminal_summary_has_one_row_per_gate(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest()
    result.assert_outcomes(passed=5, failed=1, warnings=1)
    rows = summary_section(result.stdout.str())
    assert rows[0].split() == ["test", "metric", "gate", "value", "threshold", "baseline", "change", "status"]
    text = "\n".join(rows)
    for test, metric, value, threshold, status in [
        ("test_good", "accuracy", "0.95", ">= 0.9", "PASS"),
        ("test_good", "log_loss", "0.2", "<= 0.5", "PASS"),
        ("test_bad", "accuracy", "0.95", ">= 0.99", "FAIL"),
        ("test_warned", "f1", "0.5", ">= 0.99", "WARN"),
    ]:
        assert any(
            f"test_suite.py::{test}" in row and metric in row.split() and value in row.split() and "threshold" in row
            and threshold in row and row.rstrip().endswith(status)
            for row in rows
        ), (test, metric, text)
    assert "test_suite.py::test_param[1]" in text and "test_plain" not in text


def test_no_summary_without_model_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest()
    assert " mlgate " not in result.stdout.str()


@pytest.mark.parametrize("family", ["xunit1", "xunit2", "legacy"])
def test_junit_carries_every_metric_and_stays_valid(pytester: pytest.Pytester, family: str) -> None:
    pytester.makepyfile(test_suite=SUITE)
    pytester.makeini(f"[pytest]\njunit_family = {family}\n")
    result = pytester.runpytest("--junitxml=out.xml", "-W", "error::pytest.PytestWarning")
    result.assert_outcomes(passed=5, failed=1, warnings=1)
    assert "PytestWarning" not in result.stdout.str()
    root = ET.parse(pytester.path / "out.xml").getroot()
    if family == "xunit2":
        check_xunit2_structure(root)
        props = dict(suite_properties(pytester.path / "out.xml"))
        assert props["test_suite.py::test_good::accuracy"] == "0.95"
        assert props["test_suite.py::test_good::extra"] == "3.5"
        assert props["test_suite.py::test_param[2]::score"] == "0.2"
        assert props["test_suite.py::test_bad::accuracy.threshold"] == "FAIL >= 0.99"
    else:
        cases = {c.get("name"): c for c in root.iter("testcase")}
        good = {p.get("name"): p.get("value") for p in cases["test_good"].iter("property")}
        assert good["accuracy"] == "0.95" and good["log_loss"] == "0.2" and good["extra"] == "3.5"
        assert good["accuracy.threshold"] == "PASS >= 0.9"
        assert not list(cases["test_plain"].iter("property"))
    failure = next(c for c in root.iter("testcase") if c.get("name") == "test_bad").find("failure")
    assert failure is not None
    assert "accuracy = 0.95" in failure.get("message", "") and ">= 0.99" in failure.get("message", "")


@pytest.mark.parametrize("family", ["xunit1", "xunit2"])
def test_junit_stays_readable_with_control_characters_in_metric_names(
    pytester: pytest.Pytester, family: str
) -> None:
    """A slice value (or metric name) may hold any character; the JUnit file must still parse."""
    pytester.makepyfile("""
        def test_odd(mlgate):
            mlgate.record(**{"accuracy[city=a\\x01b]": 0.9, "bell\\x07": 0.5})
    """)
    pytester.makeini(f"[pytest]\njunit_family = {family}\n")
    pytester.runpytest("--junitxml=out.xml").assert_outcomes(passed=1)
    root = ET.parse(pytester.path / "out.xml").getroot()
    names = {p.get("name") for p in root.iter("property")}
    prefix = "" if family == "xunit1" else "test_junit_stays_readable_with_control_characters_in_metric_names.py::test_odd::"
    assert {prefix + "accuracy[city=a#x01b]", prefix + "bell#x07"} <= names


def test_xdist_gives_the_same_summary_and_junit(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(test_suite=SUITE)
    serial = pytester.runpytest_subprocess("--junitxml=serial.xml", "-p", "no:randomly")
    parallel = pytester.runpytest_subprocess("-n", "2", "--junitxml=parallel.xml")
    serial.assert_outcomes(passed=5, failed=1, warnings=1)
    parallel.assert_outcomes(passed=5, failed=1, warnings=1)
    assert summary_section(parallel.stdout.str()) == summary_section(serial.stdout.str())
    assert suite_properties(pytester.path / "parallel.xml") == suite_properties(pytester.path / "serial.xml")
    check_xunit2_structure(ET.parse(pytester.path / "parallel.xml").getroot())


def test_xdist_junit_xunit1_properties(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(test_suite=SUITE)
    pytester.makeini("[pytest]\njunit_family = xunit1\n")
    pytester.runpytest_subprocess("-n", "2", "--junitxml=out.xml").assert_outcomes(passed=5, failed=1, warnings=1)
    root = ET.parse(pytester.path / "out.xml").getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert {p.get("name"): p.get("value") for p in cases["test_good"].iter("property")}["accuracy"] == "0.95"


def test_plugin_works_without_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:xdist")
    result.assert_outcomes(passed=5, failed=1, warnings=1)
    assert " mlgate " in result.stdout.str()


def test_loading_the_plugin_imports_no_heavy_library(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        import sys

        HEAVY = ("numpy", "pandas", "scipy", "sklearn")

        def pytest_collection_finish(session):
            loaded = [m for m in HEAVY if m in sys.modules]
            print("HEAVY-LOADED", loaded)
    """)
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest_subprocess("-s", "-p", "no:xdist")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*HEAVY-LOADED []*"])
    # the plugin really was loaded in that process
    assert "mlgate" in result.stdout.str()


def test_plugin_authors_can_run_pytester_in_process_again_and_again(pytester: pytest.Pytester) -> None:
    """A suite that tests model gates with pytester.runpytest() (in-process) works without importing
    numpy itself: pytester drops modules first imported inside a run, and numpy cannot load twice."""
    pytester.makeconftest('pytest_plugins = ["pytester"]\n')
    pytester.makepyfile(test_outer='''
        import pytest

        INNER = """
        import numpy as np
        from pytest_mlgate import assert_no_drift

        def test_model(mlgate):
            from sklearn.datasets import load_iris
            from sklearn.tree import DecisionTreeClassifier
            X, y = load_iris(return_X_y=True)
            mlgate.evaluate(DecisionTreeClassifier(random_state=0).fit(X, y), X, y)
            rng = np.random.default_rng(0)
            assert_no_drift(rng.normal(size=200), rng.normal(size=200))
        """

        @pytest.mark.parametrize("run", range(3))
        def test_inner(pytester, run):
            pytester.makepyfile(INNER)
            pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    ''')
    result = pytester.runpytest_subprocess("-p", "no:xdist", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_an_xfail_model_test_reports_its_failed_gate_as_expected(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.xfail(reason="known weak model")
        @pytest.mark.model_threshold(accuracy=0.8)
        def test_weak(mlgate):
            mlgate.record(accuracy=0.5)

        @pytest.mark.xfail(reason="was weak")
        @pytest.mark.model_threshold(accuracy=0.8)
        def test_fixed(mlgate):
            mlgate.record(accuracy=0.9)
    """)
    result = pytester.runpytest("--mlgate-json", "r.json")
    result.assert_outcomes(xfailed=1, xpassed=1)
    data = json.loads((pytester.path / "r.json").read_text())
    assert data["summary"]["status"] == "WARN" and data["summary"]["failed"] == 0
    weak, fixed = data["tests"]
    assert weak["outcome"] == "xfailed" and fixed["outcome"] == "xpassed"
    assert weak["gates"][0]["status"] == "WARN" and weak["gates"][0]["message"].endswith("(expected: the test is marked xfail)")
    assert fixed["gates"][0]["status"] == "PASS"
