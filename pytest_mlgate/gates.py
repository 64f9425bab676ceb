"""Gates: parse a ``model_threshold`` argument into a :class:`Gate` and judge a value against it."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from .results import FAIL, PASS, WARN, GateResult, format_value

SEVERITIES = ("fail", "warn")
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda v, t: v >= t,
    ">": lambda v, t: v > t,
    "<=": lambda v, t: v <= t,
    "<": lambda v, t: v < t,
}
_SPEC = re.compile(r"^\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


class MlgateWarning(UserWarning):
    """A gate with ``severity="warn"`` (or under ``--mlgate-warn-only``) did not hold."""


class GateSpecError(ValueError):
    """A ``model_threshold`` / ``model_regression`` argument that cannot be a gate."""


@dataclass(frozen=True)
class Gate:
    """One metric's floor or ceiling, as a marker declared it."""

    metric: str
    op: str
    threshold: float
    severity: str = "fail"
    confidence: float | None = None
    slices: bool = False

    @property
    def higher_is_better(self) -> bool:
        return self.op in (">=", ">")

    def describe(self) -> str:
        return f"{self.metric} {self.op} {format_value(self.threshold)}"

    def judge(
        self,
        value: float | None,
        *,
        n: int | None = None,
        interval: tuple[float, float] | None = None,
        warn_only: bool = False,
        metric: str | None = None,
    ) -> GateResult:
        """Judge ``value`` (and its interval when the gate has a confidence); fail closed."""
        name = metric or self.metric
        soft = self.severity == "warn" or warn_only
        bad = WARN if soft else FAIL
        size = f" (n={n})" if n is not None else ""

        def verdict(status: str, judged: float | None, message: str) -> GateResult:
            return GateResult(
                metric=name, kind="threshold", status=status, message=message, value=value, op=self.op,
                threshold=self.threshold, judged=judged, interval=interval, confidence=self.confidence,
                n=n, severity=self.severity,
            )

        if value is None:
            return verdict(
                bad, None, f"{name}: not recorded by the test, gate {self.op} {format_value(self.threshold)} "
                "cannot pass (call mlgate.evaluate or mlgate.record)",
            )
        if not math.isfinite(value):
            return verdict(
                bad, value,
                f"{name} = {value}{size}: not a finite number, gate {self.op} {format_value(self.threshold)} cannot pass",
            )
        judged = value
        shown = f"{name} = {format_value(value)}"
        if self.confidence is not None:
            if interval is None:
                return verdict(
                    bad, None, f"{name} = {format_value(value)}{size}: confidence={self.confidence} needs a "
                    "bootstrap interval, and this metric has none (a value given to mlgate.record has none; "
                    "mlgate.evaluate computes one unless ini mlgate_bootstrap = 0)",
                )
            if not all(math.isfinite(b) for b in interval):
                return verdict(
                    bad, None, f"{name} = {format_value(value)}{size}: confidence={self.confidence} needs a "
                    "bootstrap interval, and this metric's is undefined (most resamples gave no value, "
                    "e.g. a single class, or every resample gave the same value for a metric with no "
                    "exact bound, e.g. an error of exactly 0)",
                )
            lo, hi = interval
            judged = lo if self.higher_is_better else hi
            shown = f"{name} = {format_value(value)}, {bound_label(self.higher_is_better, self.confidence)} {format_value(judged)}"
        ok = _OPS[self.op](judged, self.threshold)
        if ok:
            return verdict(PASS, judged, f"{shown} {self.op} {format_value(self.threshold)}{size}")
        return verdict(bad, judged, f"{shown}{size} fails {self.op} {format_value(self.threshold)}")


def parse_gate(
    metric: str,
    spec: object,
    *,
    direction: Callable[[str], bool | None],
    severity: str = "fail",
    confidence: object = None,
    slices: object = False,
    can_bound: Callable[[str], bool] | None = None,
) -> Gate:
    """Turn one ``metric=spec`` marker argument into a :class:`Gate`.

    ``direction(metric)`` returns True (higher is better), False, or None (unknown).
    ``can_bound(metric)`` (e.g. ``MetricRegistry.can_bound``) returns False for a statistic with
    no sound confidence bound; ``confidence=`` on such a metric is then a :class:`GateSpecError`.
    """
    if severity not in SEVERITIES:
        raise GateSpecError(f"severity={severity!r} is not one of {', '.join(map(repr, SEVERITIES))}")
    conf = parse_confidence(confidence)
    if conf is not None and can_bound is not None and not can_bound(metric):
        raise GateSpecError(
            f"{metric}: confidence={confidence!r} cannot be judged: {metric} has no sound confidence bound "
            "(a sample maximum: every bootstrap resample's maximum is at most the sample's, so the "
            "bootstrap's upper bound is the sample maximum itself); gate it without confidence="
        )
    if not isinstance(slices, bool):
        raise GateSpecError(f"slices={slices!r} must be True or False")
    if isinstance(spec, bool) or spec is None:
        raise GateSpecError(f"{metric}={spec!r}: expected a number or a string such as '>=0.9'")
    if isinstance(spec, (int, float)):
        value = float(spec)
        if not math.isfinite(value):
            raise GateSpecError(f"{metric}={spec!r}: the threshold must be a finite number")
        higher = direction(metric)
        if higher is None:
            raise GateSpecError(
                f"{metric}={spec!r}: the direction of metric {metric!r} is unknown; "
                f"write {metric}='>={spec}' or {metric}='<={spec}'"
            )
        return Gate(metric, ">=" if higher else "<=", value, severity, conf, slices)
    if isinstance(spec, str):
        m = _SPEC.match(spec)
        if not m:
            raise GateSpecError(
                f"{metric}={spec!r}: cannot parse; use a number or one of '>=0.9', '>0.9', '<=0.2', '<0.2'"
            )
        return Gate(metric, m.group(1), float(m.group(2)), severity, conf, slices)
    raise GateSpecError(
        f"{metric}={spec!r}: expected a number or a string such as '>=0.9', got {type(spec).__name__}"
    )


def bound_label(higher_is_better: bool, confidence: float) -> str:
    """How a judged bound is named in messages: ``"one-sided lower 95% bound"``.

    An interval ``(lo, hi)`` recorded with confidence ``c`` is a pair of one-sided bounds, each
    at level at least ``c``; a gate judges the one its direction needs.
    """
    return f"one-sided {'lower' if higher_is_better else 'upper'} {confidence * 100:g}% bound"


def parse_confidence(confidence: object) -> float | None:
    if confidence is None:
        return None
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise GateSpecError(f"confidence={confidence!r} must be a number strictly between 0 and 1, e.g. 0.95")
    return float(confidence)
