"""Judging one model test: its threshold gates, slices and regressions against the baseline.

Everything here is a plain function of what the test recorded, what its markers asked for and
the stored baseline; the statuses it decides go through the one :class:`StatusPolicy`. No pytest.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .gates import Gate, ItemSpec
from .metrics import split_slice_name
from .policy import StatusPolicy
from .results import FAIL, NEW, PASS, SKIP, GateResult, MetricRecord, TestResult, format_value

if TYPE_CHECKING:
    from .baseline import Baseline
    from .regression import Tolerance


@dataclass(frozen=True)
class JudgeContext:
    """What judging needs beyond the test's own record: settings resolved once per session."""

    policy: StatusPolicy
    min_slice_size: int
    default_tolerance: Tolerance
    baseline: Baseline | None = None
    tasks: frozenset[str] = frozenset()  # the tasks the test's evaluations saw: classification, regression
    metric_task: dict[str, str] | None = None  # registry metric -> its task, for "wrong task" hints


def judge_test(result: TestResult, spec: ItemSpec, ctx: JudgeContext) -> list[GateResult]:
    """Every gate verdict of the test: thresholds (with slices), then regressions, then the gates
    the body added (compare, drift), all through the policy. Fails closed."""
    thresholds = [v for gate in spec.gates for v in _threshold_verdicts(gate, result, ctx)]
    regressions = _regression_verdicts(result, spec, ctx)
    stored = {g.metric: g.baseline for g in regressions if g.baseline is not None}
    for verdict in thresholds:
        if verdict.metric in stored:
            verdict.baseline = stored[verdict.metric]
            verdict.message += f" [baseline {format_value(verdict.baseline)}]"
    return ctx.policy.apply_all([*thresholds, *regressions, *result.gates])


def _small_slice(record: MetricRecord, min_size: int) -> bool:
    return record.slice_column is not None and record.n is not None and record.n < min_size


def _threshold_verdicts(gate: Gate, result: TestResult, ctx: JudgeContext) -> list[GateResult]:
    record = result.metrics.get(gate.metric)
    if record is None:
        verdict = gate.judge(None)
        verdict.message += _missing_hint(gate.metric, result.metrics, ctx)
    elif _small_slice(record, ctx.min_slice_size):
        verdict = _skipped(record, gate, ctx.min_slice_size, "threshold")
    else:
        verdict = judge_record(gate, record)
    out = [verdict]
    if not gate.slices:
        return out
    slices = [
        m for m in result.metrics.values() if m.slice_column is not None and split_slice_name(m.name)[0] == gate.metric
    ]
    if not slices:
        out.append(GateResult(
            metric=gate.metric, kind="threshold", status=FAIL, op=gate.op, threshold=gate.threshold,
            severity=gate.severity,
            message=f"{gate.metric}: slices=True but the test recorded no slices of it (pass slice_by= to mlgate.evaluate)",
        ))
    for m in slices:
        if _small_slice(m, ctx.min_slice_size):
            out.append(_skipped(m, gate, ctx.min_slice_size, "threshold"))
        else:
            out.append(judge_record(gate, m, metric=m.name))
    return out


def judge_record(gate: Gate, record: MetricRecord, *, metric: str | None = None) -> GateResult:
    """``gate`` on one recorded metric; with seed replicates, on the worst replicate, or with a
    confidence on the one-sided bound of the mean across seeds."""
    if record.replicates is None:
        return gate.judge(record.value, n=record.n, interval=record.interval, metric=metric)
    from .replicates import judged_value, mean_bound_interval, spread_text

    values = record.replicates
    if gate.confidence is None:
        worst = judged_value(values, higher_is_better=gate.higher_is_better)
        verdict = gate.judge(worst, n=record.n, metric=metric)
        verdict.message += f" (the worst of {spread_text(values)})"
        verdict.value, verdict.judged = record.value, worst
    else:
        verdict = gate.judge(record.value, n=record.n, interval=mean_bound_interval(values, gate.confidence),
                             metric=metric)
        verdict.message += f" (the bound of the mean across {spread_text(values)})"
    verdict.extra["replicates"] = list(values)
    return verdict


def _skipped(record: MetricRecord, gate: Gate | None, min_size: int, kind: str, **fields: object) -> GateResult:
    return GateResult(
        metric=record.name, kind=kind, status=SKIP, value=record.value, n=record.n,
        op=None if gate is None else gate.op, threshold=None if gate is None else gate.threshold,
        severity="fail" if gate is None else gate.severity,
        message=f"{record.name} = {format_value(record.value)} (n={record.n}): not gated, slice smaller than "
        f"mlgate_min_slice_size={min_size}",
        **fields,  # type: ignore[arg-type]
    )


def _missing_hint(metric: str, recorded: Iterable[str], ctx: JudgeContext) -> str:
    """Why a gated metric may be missing: a typo, or a metric of the other task."""
    base = split_slice_name(metric)[0]
    task = (ctx.metric_task or {}).get(base)
    if task is not None and ctx.tasks and task not in ctx.tasks:
        seen = " and ".join(sorted(ctx.tasks))
        return f"; {base} is a {task} metric, but this test evaluated a {seen} model"
    close = difflib.get_close_matches(metric, list(recorded), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}? (recorded: {', '.join(sorted(recorded))})" if close else ""


def _regression_verdicts(result: TestResult, spec: ItemSpec, ctx: JudgeContext) -> list[GateResult]:
    from .regression import judge_regression

    # a metric model_regression names but the test never recorded fails closed, baseline or not,
    # whatever the severity of its threshold (unless a failing threshold gate on it already says so)
    thresholds = {g.metric for g in spec.gates if g.severity != "warn"}
    out: list[GateResult] = [
        GateResult(
            metric=name, kind="regression", status=FAIL, tolerance=str(tolerance),
            message=f"{name}: not recorded by the test, model_regression gate (tolerance {tolerance}) "
            "cannot pass (call mlgate.evaluate or mlgate.record)" + _missing_hint(name, result.metrics, ctx),
        )
        for name, tolerance in spec.tolerances.items()
        if name not in result.metrics and name not in thresholds
    ]
    baseline = ctx.baseline
    if baseline is None:
        return out
    confidences = {g.metric: g.confidence for g in spec.gates if g.confidence is not None}
    directions = {g.metric: g.higher_is_better for g in spec.gates}
    for name, record in result.metrics.items():
        entry = baseline.get(result.nodeid, name)
        base = split_slice_name(name)[0] if record.slice_column is not None else None
        severity = spec.severity_of(name, base)
        if entry is None:
            out.append(GateResult(
                metric=name, kind="regression", status=NEW, value=record.value, n=record.n, severity=severity,
                message=f"{name} = {format_value(record.value)}: new, no stored baseline value",
            ))
            continue
        if _small_slice(record, ctx.min_slice_size):
            out.append(_skipped(record, None, ctx.min_slice_size, "regression", baseline=entry.value))
            continue
        higher = next(
            (d for d in (record.higher_is_better, entry.higher_is_better, directions.get(name)) if d is not None), None
        )
        judge = functools.partial(
            judge_regression, name, record.value, entry, tolerance=spec.tolerances.get(name, ctx.default_tolerance),
            baseline_ref=baseline.ref, n=record.n, interval=record.interval, confidence=confidences.get(name),
        )
        if higher is None:
            # direction unknown: a change beyond the tolerance either way fails
            up, down = judge(higher_is_better=True), judge(higher_is_better=False)
            verdict = up if up.status != PASS else down
            if verdict.status != PASS:
                verdict.message = verdict.message.replace(" regressed", " changed") + (
                    " (direction unknown: pass higher_is_better= to mlgate.record)"
                )
        else:
            verdict = judge(higher_is_better=higher)
        verdict.severity = severity
        out.append(verdict)
    return out
