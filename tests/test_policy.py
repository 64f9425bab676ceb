"""The verdict rules as plain functions: the status policy, judging, and the run verdict."""

from __future__ import annotations

import math

from pytest_mlgate.baseline import Baseline, BaselineEntry, parse_tolerance
from pytest_mlgate.gates import Gate, ItemSpec
from pytest_mlgate.judge import JudgeContext, judge_test
from pytest_mlgate.policy import StatusPolicy, expect_failure, run_verdict
from pytest_mlgate.results import FAIL, INCONCLUSIVE, NEW, PASS, SKIP, WARN, GateResult, MetricRecord, TestResult


def _gate(status: str, kind: str = "threshold", severity: str = "fail", **kw: object) -> GateResult:
    return GateResult("m", kind, status, "msg", severity=severity, **kw)  # type: ignore[arg-type]


def test_policy_downgrades_in_one_place() -> None:
    assert StatusPolicy().apply(_gate(FAIL)).status == FAIL
    assert StatusPolicy().apply(_gate(FAIL, severity="warn")).status == WARN
    assert StatusPolicy(warn_only=True).apply(_gate(FAIL)).status == WARN
    assert StatusPolicy().apply(_gate(INCONCLUSIVE)).status == INCONCLUSIVE
    assert StatusPolicy(inconclusive="fail").apply(_gate(INCONCLUSIVE)).status == FAIL
    assert StatusPolicy(inconclusive="fail", warn_only=True).apply(_gate(INCONCLUSIVE)).status == WARN
    accepted = StatusPolicy(saving=True).apply(_gate(FAIL, kind="regression", baseline=0.9))
    assert accepted.status == WARN and accepted.extra["accepted"] and "accepted" in accepted.message
    # saving accepts a regression, never a failed threshold
    assert StatusPolicy(saving=True).apply(_gate(FAIL)).status == FAIL
    for status in (PASS, NEW, SKIP):
        assert StatusPolicy(warn_only=True, inconclusive="fail").apply(_gate(status)).status == status


def test_xfail_expects_the_failure() -> None:
    result = TestResult("t", gates=[_gate(FAIL), _gate(PASS)])
    expect_failure(result)
    assert [g.status for g in result.gates] == [WARN, PASS] and result.gates[0].extra["expected"]


def test_run_verdict_follows_pytest() -> None:
    ok = TestResult("a", outcome="passed", gates=[_gate(PASS)])
    assert run_verdict([ok]).status == PASS
    assert run_verdict([ok, TestResult("b", outcome="passed", gates=[_gate(WARN)])]).status == WARN
    for outcome in ("failed", "error"):
        broken = TestResult("b", outcome=outcome, error="ValueError: boom")
        verdict = run_verdict([ok, broken])
        assert verdict.status == FAIL and [(f.nodeid, f.outcome, f.line) for f in verdict.failures] == [
            ("b", outcome, "ValueError: boom")
        ]
    assert run_verdict([ok], pytest_failed=True).status == FAIL
    assert run_verdict([ok], interrupted=True).status == FAIL
    assert run_verdict([]).status == PASS
    assert run_verdict([TestResult("n", gates=[_gate(NEW), _gate(SKIP)])]).status == PASS


def _ctx(baseline: Baseline | None = None, **kw: object) -> JudgeContext:
    return JudgeContext(policy=StatusPolicy(**kw), min_slice_size=30,  # type: ignore[arg-type]
                        default_tolerance=parse_tolerance(0), baseline=baseline)


def test_judge_fails_closed_on_missing_nan_and_inf() -> None:
    spec = ItemSpec(gates=[Gate("a", ">=", 0.5), Gate("b", ">=", 0.5), Gate("c", "<=", 0.5)])
    result = TestResult("t", metrics={"b": MetricRecord("b", math.nan), "c": MetricRecord("c", -math.inf)})
    assert [g.status for g in judge_test(result, spec, _ctx())] == [FAIL, FAIL, FAIL]


def test_small_slices_are_never_gated_and_regressions_take_the_threshold_severity(tmp_path) -> None:
    baseline = Baseline(tmp_path / "b.json", entries={"t": {
        "acc": BaselineEntry(0.9), "acc[g=small]": BaselineEntry(1.0), "f1": BaselineEntry(0.9),
    }})
    spec = ItemSpec(gates=[Gate("acc", ">=", 0.5, slices=True), Gate("f1", ">=", 0.5, severity="warn")])
    result = TestResult("t", metrics={
        "acc": MetricRecord("acc", 0.9, True, n=200),
        "acc[g=small]": MetricRecord("acc[g=small]", 0.4, True, n=10, slice_column="g", slice_value="small"),
        "f1": MetricRecord("f1", 0.8, True, n=200),
    })
    verdicts = {(g.metric, g.kind): g.status for g in judge_test(result, spec, _ctx(baseline))}
    assert verdicts[("acc[g=small]", "threshold")] == SKIP
    assert verdicts[("acc[g=small]", "regression")] == SKIP
    assert verdicts[("f1", "threshold")] == PASS and verdicts[("f1", "regression")] == WARN
    assert verdicts[("acc", "regression")] == PASS


def test_missing_metric_hints() -> None:
    spec = ItemSpec(gates=[Gate("acuracy", ">=", 0.5), Gate("f1", ">=", 0.5)])
    result = TestResult("t", metrics={"accuracy": MetricRecord("accuracy", 0.9)})
    ctx = JudgeContext(policy=StatusPolicy(), min_slice_size=30, default_tolerance=parse_tolerance(0),
                       tasks=frozenset({"regression"}), metric_task={"f1": "classification"})
    typo, task = judge_test(result, spec, ctx)
    assert "did you mean 'accuracy'?" in typo.message
    assert "f1 is a classification metric, but this test evaluated a regression model" in task.message
