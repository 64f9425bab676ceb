"""Drift checks inside model tests: recorded into the test's results and every output."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

SUITE = """
import numpy as np
import pandas as pd
import pytest
from pytest_mlgate import DriftDetected, assert_no_drift

rng = np.random.default_rng(0)
REF = pd.DataFrame({"age": rng.normal(40, 10, 500), "city": rng.choice(["a", "b", "c"], 500)})
SAME = pd.DataFrame({"age": rng.normal(40, 10, 400), "city": rng.choice(["a", "b", "c"], 400)})
MOVED = SAME.assign(age=SAME["age"] + 15)

def test_no_drift(mlgate):
    report = mlgate.check_drift(REF, SAME)
    assert not report.drifted

def test_drift_fails(mlgate):
    mlgate.check_drift(REF, MOVED)

def test_module_function_records_too(mlgate):
    assert_no_drift(REF, SAME)

def test_expected_drift_can_be_caught(mlgate):
    with pytest.raises(DriftDetected) as info:
        mlgate.check_drift(REF, MOVED)
    assert info.value.report.columns[0].drifted

def test_share_allows_one_column(mlgate):
    mlgate.check_drift(REF, MOVED, max_drift_share=0.5)
"""


def test_drift_checks_reach_summary_junit_and_reports(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_drift_suite=SUITE)
    result = pytester.runpytest("--junitxml=out.xml", "--mlgate-report=report.md", "--mlgate-json=report.json")
    result.assert_outcomes(passed=4, failed=1)
    out = result.stdout.str()
    assert "DriftDetected" in out and "age" in out
    rows = [line for line in out.splitlines() if line.startswith("test_drift_suite.py::") and " drift " in line]
    # a DriftDetected the test itself expected and caught is no gate of the test: no row, no failure
    assert len(rows) == 4 and not any("test_expected_drift_can_be_caught" in r for r in rows)
    assert [r.split()[0].split("::")[1] for r in rows if r.rstrip().endswith("FAIL")] == ["test_drift_fails"]
    assert any("test_share_allows_one_column" in r and "<= 0.5" in r and r.rstrip().endswith("PASS") for r in rows)
    props = {p.get("name"): p.get("value") for p in ET.parse(pytester.path / "out.xml").getroot().iter("property")}
    assert props["test_drift_suite.py::test_drift_fails::drift"] == "0.5"
    assert props["test_drift_suite.py::test_drift_fails::drift.drift"] == "FAIL <= 0"
    md = (pytester.path / "report.md").read_text()
    assert "dataset drifted" in md and "`age`" in md
    data = json.loads((pytester.path / "report.json").read_text())
    moved = next(t for t in data["tests"] if t["nodeid"].endswith("test_drift_fails"))
    assert moved["drift"][0]["drifted_columns"] == ["age"]
    assert moved["gates"][0]["kind"] == "drift" and moved["gates"][0]["extra"]["drifted_columns"] == ["age"]
    caught = next(t for t in data["tests"] if t["nodeid"].endswith("test_expected_drift_can_be_caught"))
    assert caught["gates"] == [] and caught["drift"][0]["drifted_columns"] == ["age"]


def test_assert_no_drift_works_without_pytest_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import numpy as np
        from pytest_mlgate import assert_no_drift

        def test_plain():
            rng = np.random.default_rng(1)
            assert_no_drift(rng.normal(size=300), rng.normal(size=300))
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert " mlgate " not in result.stdout.str()


def test_warn_only_turns_drift_into_a_warning(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_drift_suite=SUITE)
    result = pytester.runpytest("--mlgate-warn-only", "-k", "test_drift_fails")
    result.assert_outcomes(passed=1, deselected=4, warnings=1)
    assert "MlgateWarning" in result.stdout.str() and "data drift in 1 of 2 columns" in result.stdout.str()
