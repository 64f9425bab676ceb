"""Trends from the history as Mermaid charts, and Markdown that fits GitHub's limits."""

from __future__ import annotations

import json

import pytest

from pytest_mlgate.report import render_markdown
from pytest_mlgate.results import FAIL, PASS, GateResult, MetricRecord, TestResult
from pytest_mlgate.trends import (
    COMMENT_LIMIT,
    STEP_SUMMARY_LIMIT,
    fit_markdown,
    mermaid_chart,
    mermaid_trends,
    metric_trends,
    read_history,
)


def result(nodeid: str, value: float, threshold: float = 0.9, long: int = 0) -> TestResult:
    status = PASS if value >= threshold else FAIL
    metrics = {"accuracy": MetricRecord("accuracy", value, True)}
    for i in range(long):
        metrics[f"extra_metric_with_a_long_name_{i}"] = MetricRecord(f"extra_metric_with_a_long_name_{i}", 0.5)
    return TestResult(
        nodeid=nodeid, metrics=metrics, outcome="passed" if status == PASS else "failed",
        gates=[GateResult("accuracy", "threshold", status, f"accuracy = {value} vs >= {threshold}", value=value,
                          op=">=", threshold=threshold, judged=value)],
    )


def history_of(runs: list[list[TestResult]]) -> list[dict]:
    return [{"time": f"2026-11-{i + 1:02d}T10:00:00+00:00", "commit": f"{i:07x}abcdef", "status": "passed",
             "tests": [r.to_dict() for r in run]} for i, run in enumerate(runs)]


def test_read_history_skips_broken_lines_and_keeps_the_newest(tmp_path):
    path = tmp_path / "h.jsonl"
    records = history_of([[result("t::a", 0.9 + i / 100)] for i in range(5)])
    path.write_text("\n".join(json.dumps(r) for r in records[:3]) + "\n{torn\n[1]\n"
                    + "\n".join(json.dumps(r) for r in records[3:]) + "\n")
    got = read_history(path, limit=4)
    assert [r["commit"] for r in got] == [r["commit"] for r in records[1:]]
    assert read_history(tmp_path / "missing.jsonl") == [] and read_history(None) == []


def test_metric_trends_follow_gated_metrics_with_threshold_and_status():
    runs = [[result("t::a", v), result("t::b", 0.95)] for v in (0.97, 0.95, 0.85)]
    trends = metric_trends(runs[-1], history_of(runs))
    a = next(t for t in trends if t.nodeid == "t::a")
    assert a.values == [0.97, 0.95, 0.85]
    assert a.thresholds == [(">=", 0.9)] and a.status == FAIL
    assert a.labels[0] == "1 0000000"
    assert metric_trends(runs[-1], history_of(runs[:1])) == []  # one run is no trend


def test_mermaid_chart_is_an_xychart_with_the_threshold_line():
    runs = [[result("t::a", v)] for v in (0.97, 0.95, 0.85)]
    chart = mermaid_chart(metric_trends(runs[-1], history_of(runs))[0])
    lines = chart.splitlines()
    assert lines[0] == "```mermaid" and lines[1] == "xychart-beta" and lines[-1] == "```"
    assert "    line [0.97, 0.95, 0.85]" in lines
    assert "    line [0.9, 0.9, 0.9]" in lines
    assert "≥ 0.9" in lines[2]
    assert any(line.startswith('    x-axis ["1 0000000", "2 0000001", "3 0000002"]') for line in lines)


def test_failing_metrics_are_charted_first_and_the_rest_counted():
    runs = [[result(f"t::{i}", 0.95 if i else v) for i in range(15)] for v in (0.95, 0.93, 0.8)]
    text = mermaid_trends(runs[-1], history_of(runs), max_charts=3)
    assert text.count("```mermaid") == 3
    assert "t::0" not in text and "0 accuracy" in text.split("```mermaid", 2)[1]  # the failing test's chart first
    assert "12 more trends" in text


def test_markdown_report_carries_trends():
    runs = [[result("t::a", v)] for v in (0.97, 0.95, 0.92)]
    md = render_markdown(runs[-1], baseline_present=False, history=history_of(runs))
    assert "```mermaid" in md and "xychart-beta" in md
    assert "```mermaid" not in render_markdown(runs[-1], baseline_present=False)


def test_a_small_report_is_left_as_it_is():
    md = render_markdown([result("t::a", 0.95)], baseline_present=False)
    assert fit_markdown(md) == md


def run_of_200(failing: int = 40) -> list[TestResult]:
    return [result(f"tests/test_models.py::test_model[{i:03d}]", 0.5 if i < failing else 0.95, long=12)
            for i in range(200)]


@pytest.mark.parametrize("failing", [0, 40, 200])
def test_200_tests_fit_a_comment_and_a_step_summary(failing):
    runs = [run_of_200(failing) for _ in range(3)]
    md = render_markdown(runs[-1], baseline_present=True, history=history_of(runs))
    assert len(md) <= COMMENT_LIMIT
    assert len(md.encode("utf-8")) <= STEP_SUMMARY_LIMIT
    assert md.startswith("## pytest-mlgate")
    assert "failed**" in md.splitlines()[2] or failing == 0
    assert "Shortened to fit GitHub's limit" in md and "HTML report" in md
    assert md.count("```") % 2 == 0  # no chart cut in half


def test_fitting_keeps_the_failing_tests_before_passing_tables():
    tests = run_of_200(failing=5)
    full = "## pytest-mlgate\n\n**x**\n"
    md = render_markdown(tests, baseline_present=True)
    assert len(md) <= COMMENT_LIMIT
    for i in range(5):
        assert f"test_model[{i:03d}]" in md  # every failing test keeps its section
    assert "Tables left out to fit." in md
    assert fit_markdown(full) == full


def test_too_many_failures_become_a_list_then_a_count():
    tests = [result(f"tests/test_models.py::test_model_with_a_rather_long_name[{i:04d}]", 0.5, long=4)
             for i in range(2000)]
    md = render_markdown(tests, baseline_present=False)
    assert len(md) <= COMMENT_LIMIT
    assert "more tests need attention" in md
    assert "Shortened to fit" in md


def test_bytes_limit_counts_utf8():
    text = "## t\n\n" + "### 🌊 `x`\n\n" + "é" * 3000 + "\n"
    out = fit_markdown(text, 2000, unit="bytes")
    assert len(out.encode("utf-8")) <= 2000
    with pytest.raises(ValueError, match="unit"):
        fit_markdown(text, 2000, unit="lines")
    with pytest.raises(ValueError, match="limit"):
        fit_markdown(text, 10)
