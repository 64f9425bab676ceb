"""Gates: parse a ``model_threshold`` argument into a :class:`Gate` and judge a value against it.

``Gate.judge`` decides a raw status (PASS or FAIL); whether a FAIL only warns is the
:class:`~pytest_mlgate.policy.StatusPolicy`'s decision, made once for every kind of gate.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .results import FAIL, PASS, GateResult, format_value

if TYPE_CHECKING:
    from .regression import Tolerance

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
        metric: str | None = None,
    ) -> GateResult:
        """Judge ``value`` (and its interval when the gate has a confidence); fail closed.

        The status is raw, PASS or FAIL: severity and warn-only are the policy's to apply.
        """
        name = metric or self.metric
        bad = FAIL
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


@dataclass
class ItemSpec:
    """What a test's markers ask for: its threshold gates and regression tolerances."""

    gates: list[Gate] = field(default_factory=list)
    tolerances: dict[str, Tolerance] = field(default_factory=dict)
    seeds: int | None = None  # model_seeds(k): the body runs once per seed

    def requested(self, prefix: str = "") -> list[str]:
        """Registry-side metric names the gates name, with ``prefix`` removed."""
        out: list[str] = []
        for gate in self.gates:
            name = _SLICE_BASE.sub("", gate.metric)
            if not name.startswith(prefix):
                continue
            name = name[len(prefix):]
            out.append(name[: -len("_gap")] if name.endswith("_gap") else name)
        return out

    def severity_of(self, metric: str, base: str | None = None) -> str:
        """The severity a regression check of ``metric`` takes: that of its threshold gates.

        "fail" when any failing-severity gate names the metric (or, for a slice, its base metric
        gated with ``slices=True``), "warn" when only warning gates do, "fail" when none does.
        """
        gates = [g for g in self.gates if g.metric == metric]
        if not gates and base is not None:
            gates = [g for g in self.gates if g.metric == base and g.slices]
        if gates and all(g.severity == "warn" for g in gates):
            return "warn"
        return "fail"


_SLICE_BASE = re.compile(r"\[[^=\]]+=.*\]$")


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
    if isinstance(spec, numbers.Real):
        value = _finite_threshold(metric, spec)
        higher = direction(metric)
        if higher is None:
            raise GateSpecError(
                f"{metric}={_short(spec)}: the direction of metric {metric!r} is unknown; "
                f"write {metric}='>={value:g}' or {metric}='<={value:g}'"
            )
        return Gate(metric, ">=" if higher else "<=", value, severity, conf, slices)
    if isinstance(spec, str):
        m = _SPEC.match(spec)
        if not m:
            raise GateSpecError(
                f"{metric}={_short(spec)}: cannot parse; use a number or one of '>=0.9', '>0.9', '<=0.2', '<0.2'"
            )
        return Gate(metric, m.group(1), _finite_threshold(metric, spec, m.group(2)), severity, conf, slices)
    raise GateSpecError(
        f"{metric}={_short(spec)}: expected a number or a string such as '>=0.9', got {type(spec).__name__}"
    )


def _finite_threshold(metric: str, spec: object, number: object = None) -> float:
    """``spec`` (or the ``number`` parsed out of it) as a finite float; GateSpecError otherwise.

    An infinite threshold (``1e999``, ``float("inf")``) or one too large for a float (``10**400``)
    would make a gate that always passes or never can: both are usage errors.
    """
    raw = spec if number is None else number
    try:
        value = float(raw)  # type: ignore[arg-type]
    except OverflowError:
        raise GateSpecError(f"{metric}={_short(spec)}: the threshold is too large for a float") from None
    except (TypeError, ValueError):
        raise GateSpecError(f"{metric}={_short(spec)}: the threshold must be a number") from None
    if not math.isfinite(value):
        raise GateSpecError(
            f"{metric}={_short(spec)}: the threshold must be a finite number, got {value} (a gate on "
            "an infinite or undefined bound always passes or never can)"
        )
    return value


def _short(value: object) -> str:
    """``repr(value)``, shortened for a 400-digit literal."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**40 else f"<integer of {len(str(abs(value)))} digits>"
    return text if len(text) <= 60 else text[:57] + "..."


def bound_label(higher_is_better: bool, confidence: float) -> str:
    """How a judged bound is named in messages: ``"one-sided lower 95% bound"``.

    An interval ``(lo, hi)`` recorded with confidence ``c`` is a pair of one-sided bounds, each
    at level at least ``c``; a gate judges the one its direction needs.
    """
    return f"one-sided {'lower' if higher_is_better else 'upper'} {confidence * 100:g}% bound"


def parse_confidence(confidence: object) -> float | None:
    """``confidence=`` of a gate as a float strictly between 0 and 1; GateSpecError otherwise."""
    if confidence is None:
        return None
    message = f"confidence={_short(confidence)} must be a number strictly between 0 and 1, e.g. 0.95"
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise GateSpecError(message)
    try:
        value = float(confidence)
    except OverflowError:
        raise GateSpecError(message) from None
    if not 0 < value < 1:  # NaN fails this too
        raise GateSpecError(message)
    return value
