"""Tests of the report renderers: summary rows, terminal table, Markdown, JSON, file helpers."""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path

import pytest

from pytest_mlgate.report import (
    COLUMNS,
    append_step_summary,
    count_statuses,
    overall_status,
    render_json,
    render_markdown,
    render_terminal,
    summary_rows,
    verdict_line,
    verdict_of,
    worst_status,
    write_text_atomic,
)
from pytest_mlgate.results import (
    FAIL,
    INCONCLUSIVE,
    NEW,
    PASS,
    WARN,
    GateResult,
    MetricRecord,
    TestResult,
)

DRIFT = {
    "drifted": True,
    "drift_share": 0.5,
    "columns": [
        {
            "name": "age",
            "method": "ks",
            "statistic": 0.31,
            "p_value": 0.0001,
            "threshold": 0.05,
            "drifted": True,
            "reason": "p < 0.05",
        },
        {
            "name": "income",
            "method": "psi",
            "statistic": 0.01,
            "p_value": None,
            "threshold": 0.2,
            "drifted": False,
            "reason": "",
        },
    ],
}


def _gate(metric: str, status: str, value: float = 0.9, **kw: object) -> GateResult:
    kw.setdefault("op", ">=")
    kw.setdefault("threshold", 0.8)
    return GateResult(metric=metric, kind=kw.pop("kind", "threshold"), status=status, message=f"{metric} {status}", value=value, **kw)  # type: ignore[arg-type]


def _failing() -> TestResult:
    return TestResult(
        nodeid="tests/test_model.py::test_quality[a|b]",
        metrics={
            "accuracy": MetricRecord("accuracy", 0.912),
            "accuracy[sex=F]": MetricRecord("accuracy[sex=F]", 0.85, slice_column="sex", slice_value="F"),
            "latency": MetricRecord("latency", 12.0),
        },
        gates=[
            _gate("accuracy", PASS, 0.912),
            GateResult(
                "accuracy",
                "regression",
                FAIL,
                "accuracy regressed: 0.912 vs baseline 0.951 (-0.039, allowed 0.01)",
                value=0.912,
                op=">=",
                threshold=0.941,
                baseline=0.951,
                tolerance="0.01",
            ),
            _gate("accuracy[sex=F]", WARN, 0.85),
        ],
        drift=[DRIFT],
        judged=True,
    )


def _passing() -> TestResult:
    return TestResult(
        nodeid="tests/test_model.py::test_f1",
        metrics={"f1": MetricRecord("f1", 0.7)},
        gates=[_gate("f1", PASS, 0.7, threshold=0.6), _gate("f1", PASS, 0.7, op="<=", threshold=1.0)],
    )


# --- statuses ------------------------------------------------------------------------------


def test_worst_status_and_verdicts() -> None:
    assert worst_status([PASS, WARN, FAIL, NEW]) == FAIL
    assert worst_status([PASS, INCONCLUSIVE, WARN]) == INCONCLUSIVE
    assert worst_status([PASS, NEW]) == NEW
    assert worst_status([]) == "-"
    assert verdict_of(_failing()) == FAIL
    assert verdict_of(_passing()) == PASS
    assert verdict_of(TestResult("t")) == "-"
    assert overall_status([_passing()]) == PASS
    assert overall_status([_passing(), _failing()]) == FAIL
    assert overall_status([TestResult("t", gates=[_gate("m", NEW)])]) == PASS
    assert overall_status([TestResult("t", gates=[_gate("m", INCONCLUSIVE)])]) == INCONCLUSIVE
    assert overall_status([]) == PASS
    counts = count_statuses([_failing(), _passing()])
    assert counts["gates"] == 5 and counts[PASS] == 3 and counts[FAIL] == 1 and counts[WARN] == 1


# --- summary rows --------------------------------------------------------------------------


def test_summary_rows_one_per_gate_so_each_status_can_be_attributed() -> None:
    rows = summary_rows([_failing()], baseline_present=True)
    assert [(r["metric"], r["gate"], r["status"]) for r in rows] == [
        ("accuracy", "threshold", PASS),  # the threshold held: its own row says so
        ("accuracy", "regression", FAIL),  # the regression failed: a separate row
        ("accuracy[sex=F]", "threshold", WARN),
        ("latency", "-", NEW),
    ]
    assert rows[1] == {
        "test": "tests/test_model.py::test_quality[a|b]",
        "metric": "accuracy",
        "gate": "regression",
        "value": "0.912",
        "threshold": ">= 0.941",
        "baseline": "0.951",
        "change": "-0.039 (worse)",  # current minus baseline, with the direction
        "status": FAIL,
        "message": "accuracy regressed: 0.912 vs baseline 0.951 (-0.039, allowed 0.01)",
    }
    assert rows[0]["threshold"] == ">= 0.8" and rows[0]["message"] == ""
    assert rows[3]["threshold"] == "-" and rows[3]["value"] == "12"


def test_summary_rows_ungated_metric_without_baseline_file() -> None:
    rows = summary_rows([_failing()], baseline_present=False)
    assert rows[-1]["metric"] == "latency"
    assert rows[-1]["status"] == "-"


def test_summary_rows_positive_change_and_gate_on_unrecorded_metric() -> None:
    r = TestResult(
        "t",
        gates=[GateResult("auc", "regression", PASS, "ok", value=0.96, op=">=", threshold=0.94, baseline=0.95)],
    )
    (row,) = summary_rows([r], baseline_present=True)
    assert row["change"] == "+0.01 (better)"
    nan_gate = TestResult("t", gates=[GateResult("auc", "regression", FAIL, "nan", value=math.nan, baseline=0.95)])
    (row,) = summary_rows([nan_gate], baseline_present=True)
    assert row["value"] == "nan" and row["change"] == "-" and row["threshold"] == "-"
    two = summary_rows([_passing()], baseline_present=False)
    assert [(r["metric"], r["threshold"]) for r in two] == [("f1", ">= 0.6"), ("f1", "<= 1")]


def test_summary_rows_compare_and_confidence_show_the_bound_judged() -> None:
    compare = GateResult("compare:roc_auc", "compare", PASS, "ok", value=0.09, op=">=", threshold=-0.01,
                         judged=0.05, interval=(0.05, 0.15), confidence=0.95)
    bound = GateResult("accuracy", "threshold", FAIL, "low", value=0.96, op=">=", threshold=0.95, judged=0.93,
                       interval=(0.93, 0.98), confidence=0.95)
    rows = summary_rows([TestResult("t", gates=[compare, bound])], baseline_present=False)
    assert rows[0]["value"] == "+0.09 (95% interval [+0.05, +0.15])"
    assert rows[1]["value"] == "0.96 (one-sided lower 95% bound 0.93)"
    assert rows[1]["threshold"] == ">= 0.95 (one-sided 95% bound)"


# --- terminal ------------------------------------------------------------------------------


def test_render_terminal_aligned_table_and_unused() -> None:
    lines = render_terminal([_failing(), _passing()], baseline_present=True, unused=[("t.py::gone", "recall")])
    assert lines[0].split() == list(COLUMNS)
    assert set(lines[1].replace(" ", "")) == {"-"}
    table = lines[:2 + 4 + 2]
    # every column starts at the same offset on every line
    starts = [lines[0].index(c) for c in COLUMNS]
    for line in table[2:]:
        for start in starts[1:]:
            assert line[start - 2 : start] == "  "
            assert line[start] != " "
    assert "FAIL" in table[3] and "-0.039" in table[3] and "regression" in table[3]
    assert lines[8] == "unused baseline entry: t.py::gone recall (no test recorded it)"
    assert lines[9].startswith("failed: tests/test_model.py::test_quality[a|b] (failed): accuracy regressed")
    assert lines[-1] == "mlgate: FAIL: 1 of 5 gates failed (1 warning)"


def test_render_terminal_empty() -> None:
    assert render_terminal([], baseline_present=False) == []
    assert render_terminal([TestResult("t")], baseline_present=False) == ["mlgate: PASS: no gates evaluated (1 model test)"]


def test_render_terminal_lists_a_model_test_pytest_failed() -> None:
    errored = TestResult("t.py::broken", outcome="error", when="setup", error="RuntimeError: no data")
    lines = render_terminal([_passing(), errored], baseline_present=False)
    assert "failed: t.py::broken (error): RuntimeError: no data" in lines
    assert lines[-1] == "mlgate: FAIL: 1 model test failed (1 with errors); 2 of 2 gates passed"


# --- markdown ------------------------------------------------------------------------------


def test_render_markdown_structure() -> None:
    md = render_markdown([_failing(), _passing()], baseline_present=True, unused=[("t.py::gone", "recall")])
    lines = md.splitlines()
    assert lines[0] == "## pytest-mlgate"
    assert lines[2] == "**❌ FAIL: 1 of 5 gates failed (1 warning)**"
    # the failing test is shown before the collapsed section, the passing one inside it
    failing_at = md.index("### ❌ `tests/test_model.py::test_quality[a|b]`")
    details_at = md.index("<details>")
    assert failing_at < details_at
    assert md.index("`tests/test_model.py::test_f1`") > details_at
    assert "<summary>1 passing test, 1 unused baseline entry</summary>" in md
    assert md.rstrip().endswith("</details>")
    assert "| metric | gate | value | threshold | baseline | change | status |" in md
    assert "| `accuracy` | threshold | 0.912 | >= 0.8 | - | - | ✅ PASS |" in md
    assert "| `accuracy` | regression | 0.912 | >= 0.941 | 0.951 | -0.039 (worse) | ❌ FAIL |" in md
    assert "| `accuracy[sex=F]` | threshold | 0.85 | >= 0.8 | - | - | ⚠️ WARN |" in md
    assert "| `latency` | - | 12 | - | - | - | 🆕 NEW |" in md
    assert "- ❌ FAIL (regression): accuracy regressed: 0.912 vs baseline 0.951" in md
    assert "| `t.py::gone` | `recall` |" in md
    # every table row has the same number of unescaped pipes as its header
    for line in lines:
        if line.startswith("|"):
            assert line.endswith("|")


def test_render_markdown_drift_lists_drifted_columns() -> None:
    md = render_markdown([_failing()], baseline_present=True)
    assert "**Drift**: ❌ dataset drifted: 1 of 2 columns drifted, share 0.5" in md
    assert "| column | method | statistic | p-value | threshold | drifted | reason |" in md
    assert "| `age` | ks | 0.31 | 0.0001 | 0.05 | yes | p < 0.05 |" in md
    assert "`income`" not in md


def test_render_markdown_drift_alone_needs_attention() -> None:
    r = TestResult("t.py::drift", metrics={"m": MetricRecord("m", 1.0)}, gates=[_gate("m", PASS)], drift=[DRIFT])
    md = render_markdown([r], baseline_present=False)
    assert "**✅ PASS: all 1 gate passed**" in md
    assert "### 🌊 `t.py::drift`" in md
    assert "| `age` | ks |" in md
    assert "<details>" not in md


def test_render_markdown_expected_drift_is_not_an_alarm() -> None:
    r = TestResult("t.py::expects", drift=[dict(DRIFT, expected=True)])
    md = render_markdown([r], baseline_present=False)
    assert "dataset drifted" not in md and "❌" not in md
    assert "drift detected, as the test expected" in md


def test_render_markdown_escapes_pipes() -> None:
    r = TestResult(
        "t.py::x",
        metrics={"a|b": MetricRecord("a|b", 1.0)},
        gates=[GateResult("a|b", "threshold", FAIL, "bad | worse\nnext", value=1.0, op=">=", threshold=2.0)],
    )
    md = render_markdown([r], baseline_present=False)
    assert "| `a\\|b` | threshold | 1 | >= 2 | - | - | ❌ FAIL |" in md
    assert "bad | worse next" in md  # bullet list, not a table: no escaping needed, newline flattened


@pytest.mark.parametrize(
    ("gates", "expected"),
    [
        ([PASS] * 7, "**✅ PASS: all 7 gates passed**"),
        ([PASS, FAIL, FAIL, PASS, PASS], "**❌ FAIL: 2 of 5 gates failed**"),
        ([PASS, INCONCLUSIVE, WARN], "**⚠️ INCONCLUSIVE: no gate failed, 1 of 3 gates passed (1 inconclusive, 1 warning)**"),
        ([PASS, NEW], "**✅ PASS: 1 of 2 gates passed (1 new)**"),
        ([FAIL, INCONCLUSIVE, NEW], "**❌ FAIL: 1 of 3 gates failed (1 inconclusive, 1 new)**"),
        ([FAIL], "**❌ FAIL: 1 of 1 gate failed**"),
    ],
)
def test_verdict_line(gates: list[str], expected: str) -> None:
    r = TestResult("t", gates=[_gate(f"m{i}", s) for i, s in enumerate(gates)])
    assert verdict_line([r]) == expected


def test_verdict_line_without_gates() -> None:
    r = TestResult("t", metrics={"m": MetricRecord("m", 1.0)})
    assert verdict_line([r]) == "**ℹ️ PASS: no gates evaluated (1 model test)**"
    md = render_markdown([r], baseline_present=False, title="ML gates")
    assert md.startswith("## ML gates\n\n**ℹ️ PASS: no gates evaluated")
    assert "<summary>1 passing test</summary>" in md


@pytest.mark.parametrize("outcome", ["failed", "error"])
def test_every_output_fails_a_run_whose_model_test_failed_outside_its_gates(outcome: str) -> None:
    broken = TestResult("t.py::broken", outcome=outcome, when="call", error="AssertionError: assert 0.5 > 0.9",
                        metrics={"m": MetricRecord("m", 1.0)}, gates=[_gate("m", PASS)])
    md = render_markdown([broken, _passing()], baseline_present=False)
    assert md.splitlines()[2].startswith("**❌ FAIL: 1 model test failed")
    assert f"- `t.py::broken` ({outcome}): AssertionError: assert 0.5 > 0.9" in md
    data = render_json([broken, _passing()], baseline_present=False)
    assert data["summary"]["status"] == FAIL
    assert data["failures"] == [{"nodeid": "t.py::broken", "outcome": outcome,
                                 "message": "AssertionError: assert 0.5 > 0.9"}]
    assert data["tests"][0]["outcome"] == outcome and data["tests"][0]["status"] == FAIL
    assert render_terminal([broken], baseline_present=False)[-1].startswith("mlgate: FAIL:")


def test_render_markdown_all_passing_collapses_everything() -> None:
    md = render_markdown([_passing()], baseline_present=True)
    assert "**✅ PASS: all 2 gates passed**" in md
    assert "###" not in md.split("<details>")[0]
    assert "| `f1` | threshold | 0.7 | >= 0.6 | - | - | ✅ PASS |" in md
    assert "| `f1` | threshold | 0.7 | <= 1 | - | - | ✅ PASS |" in md


# --- json ----------------------------------------------------------------------------------


def test_render_json_summary_and_strict_json() -> None:
    nan_result = TestResult(
        "t.py::nan",
        metrics={"m": MetricRecord("m", math.nan, interval=(math.nan, math.inf))},
        gates=[GateResult("m", "regression", FAIL, "nan", value=math.nan, extra={"change": math.nan})],
        drift=[{"drifted": False, "drift_share": math.nan, "columns": []}],
    )
    results = [_failing(), _passing(), nan_result]
    data = render_json(
        results, baseline_present=True, unused=[("t.py::gone", "recall")], provenance={"commit": "abc"}
    )
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert data["version"] == 1
    assert data["created"].endswith("+00:00")
    assert data["summary"] == {
        "tests": 3,
        "gates": 6,
        "passed": 3,
        "failed": 2,
        "warned": 1,
        "new": 0,
        "inconclusive": 0,
        "skipped": 0,
        "failed_tests": 0,  # both failed by their gates, not outside them
        "errored_tests": 0,
        "skipped_tests": 0,
        "output_errors": [],
        "interrupted": False,
        "status": FAIL,
        "verdict": "2 of 6 gates failed (1 warning)",
    }
    assert [t["nodeid"] for t in data["tests"]] == [r.nodeid for r in results]
    assert data["tests"][0] == dict(json.loads(json.dumps(_failing().to_dict())), status=FAIL)
    assert data["unused_baseline"] == [{"test": "t.py::gone", "metric": "recall"}]
    assert data["provenance"] == {"commit": "abc"}
    assert data["tests"][2]["gates"][0]["extra"]["change"] == "nan"
    assert TestResult.from_dict(data["tests"][2]).metrics["m"].interval[1] == math.inf


def test_render_json_empty() -> None:
    data = render_json([], baseline_present=False)
    assert data["summary"]["status"] == PASS and data["summary"]["tests"] == 0
    assert data["provenance"] is None and data["unused_baseline"] == []


def test_an_interrupted_run_says_so_everywhere() -> None:
    from pytest_mlgate.policy import run_verdict

    verdict = run_verdict([_passing()], interrupted=True)
    assert verdict.status == FAIL and verdict.interrupted
    assert "run interrupted" in render_markdown([_passing()], baseline_present=False, verdict=verdict)
    assert render_json([_passing()], baseline_present=False, verdict=verdict)["summary"]["interrupted"] is True
    assert "interrupted" in render_terminal([_passing()], baseline_present=False, verdict=verdict)[-1]


# --- files ---------------------------------------------------------------------------------


def test_write_text_atomic(tmp_path: Path) -> None:
    path = tmp_path / "out" / "report.md"
    write_text_atomic(path, "first\n")
    write_text_atomic(path, "second ✅\n")
    assert path.read_text(encoding="utf-8") == "second ✅\n"
    assert os.listdir(path.parent) == ["report.md"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_write_text_atomic_keeps_modes_as_open_would(tmp_path: Path) -> None:
    """A new file gets 0666 minus the umask (not mkstemp's 0600); a rewrite keeps the file's mode."""
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        write_text_atomic(fresh, "{}\n")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        kept = tmp_path / "kept.json"
        kept.write_text("old\n")
        kept.chmod(0o664)
        write_text_atomic(kept, "new\n")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o664 and kept.read_text() == "new\n"
    finally:
        os.umask(old)


def test_write_text_atomic_failure_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "is_a_dir"
    (target / "child").mkdir(parents=True)
    with pytest.raises(OSError):
        write_text_atomic(target, "x")
    assert sorted(os.listdir(tmp_path)) == ["is_a_dir"]


def test_append_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    assert append_step_summary("## pytest-mlgate\n\n**✅ all 1 gate passed**", env) is True
    assert append_step_summary("more\n", env) is True
    assert summary.read_text(encoding="utf-8") == (
        "earlier step\n## pytest-mlgate\n\n**✅ all 1 gate passed**\nmore\n"
    )


def test_append_step_summary_unset(tmp_path: Path) -> None:
    assert append_step_summary("x", {}) is False
    assert append_step_summary("x", {"GITHUB_STEP_SUMMARY": ""}) is False
    assert os.listdir(tmp_path) == []


def test_values_and_changes_are_formatted_alike_everywhere() -> None:
    from pytest_mlgate.results import format_change, format_value

    assert [format_value(v) for v in (None, 0.0, -0.0, 0.958041958, 1234567.0, float("nan"))] == [
        "-", "0", "0", "0.958", "1.235e+06", "nan",
    ]
    assert format_change(0.97, 0.95) == "+0.02" and format_change(0.93, 0.95) == "-0.02"
    # float noise between two runs of the same model is no change
    assert format_change(0.4021 - 1.11e-16, 0.4021) == "0" and format_change(44.3 + 7e-15, 44.3) == "0"
    assert format_change(None, 0.5) == format_change(0.5, None) == format_change(float("nan"), 0.5) == "-"


def test_markdown_says_which_models_came_from_the_cache() -> None:
    r = TestResult("t.py::m", models=[
        {"name": "a", "key": "k1", "source": "cache", "seconds": 0.1, "saved_seconds": 12.0},
        {"name": "b", "key": "k2", "source": "trained", "seconds": 3.0, "saved_seconds": 0.0},
    ])
    md = render_markdown([r], baseline_present=False)
    assert "Models: 1 from the cache, 1 trained (`b`); training time saved 12.0 s" in md
