"""Judging a metric against its stored baseline: tolerances, the stored precision, the regression test.

Pure Python (scipy only inside the confidence test), no pytest, no files: the baseline store in
:mod:`pytest_mlgate.baseline` keeps the entries this module judges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .results import FAIL, INCONCLUSIVE, PASS, GateResult, format_change, format_value

#: Significant digits a stored value keeps: reviewable diffs, and a change below them is no change.
STORED_DIGITS = 6


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def stored_value(value: float) -> float:
    """``value`` at the precision a baseline stores it: :data:`STORED_DIGITS` significant digits.

    Non-finite values pass through unchanged (they are refused when saving).
    """
    value = float(value)
    if not math.isfinite(value):
        return value
    return float(f"{value:.{STORED_DIGITS}g}")


def stored_resolution(value: float) -> float:
    """Half a unit of the last stored digit of ``value``: a difference below it is no change."""
    value = abs(float(value))
    if value == 0 or not math.isfinite(value):
        return 0.0
    return 0.5 * 10.0 ** (math.floor(math.log10(value)) - (STORED_DIGITS - 1))


@dataclass
class BaselineEntry:
    """One stored metric value with what is known about its uncertainty."""

    value: float
    n: int | None = None
    interval: tuple[float, float] | None = None
    confidence: float | None = None
    higher_is_better: bool | None = None

    def stored(self) -> BaselineEntry:
        """This entry as the file holds it: values and interval at :data:`STORED_DIGITS` digits."""
        interval = None
        if self.interval is not None:
            interval = (stored_value(self.interval[0]), stored_value(self.interval[1]))
        return BaselineEntry(stored_value(self.value), self.n, interval, self.confidence, self.higher_is_better)

    @property
    def finite(self) -> bool:
        return all(math.isfinite(v) for v in (self.value, *(self.interval or ())))

    def to_dict(self) -> dict[str, Any]:
        """JSON form; fields that are None are left out."""
        d: dict[str, Any] = {"value": self.value}
        if self.n is not None:
            d["n"] = self.n
        if self.interval is not None:
            d["interval"] = [self.interval[0], self.interval[1]]
        if self.confidence is not None:
            d["confidence"] = self.confidence
        if self.higher_is_better is not None:
            d["higher_is_better"] = self.higher_is_better
        return d


@dataclass(frozen=True)
class Tolerance:
    """How much a metric may worsen from its baseline: absolute, or relative to the baseline."""

    amount: float  # absolute amount, or the fraction of |baseline| when relative
    relative: bool = False

    def allowed(self, baseline_value: float) -> float:
        """The allowed worsening from ``baseline_value``."""
        return self.amount * abs(baseline_value) if self.relative else self.amount

    def __str__(self) -> str:
        if self.relative:
            return f"{self.amount * 100:g}%"
        return f"{self.amount:g}"


def parse_tolerance(value: Any) -> Tolerance:
    """A :class:`Tolerance` from a number (absolute), ``"0.01"`` (absolute) or ``"2%"`` (relative).

    Raises ValueError naming the value when it is not a finite, non-negative amount.
    """
    if isinstance(value, Tolerance):
        if not (math.isfinite(value.amount) and value.amount >= 0):
            raise ValueError(f"invalid tolerance {value.amount!r}: must be a finite, non-negative amount")
        return value
    if _is_number(value):
        try:
            amount, relative = float(value), False
        except OverflowError:
            raise ValueError(f"invalid tolerance of {len(str(abs(int(value))))} digits: too large for a float") from None
    elif isinstance(value, str):
        text = value.strip()
        relative = text.endswith("%")
        number = text[:-1].strip() if relative else text
        try:
            amount = float(number)
        except ValueError:
            raise ValueError(
                f"invalid tolerance {value!r}: expected a number like 0.01 or a percentage like '2%'"
            ) from None
        if relative:
            amount /= 100.0
    else:
        raise ValueError(f"invalid tolerance {value!r}: expected a number or a string, got {type(value).__name__}")
    if not math.isfinite(amount):
        raise ValueError(f"invalid tolerance {value!r}: must be finite")
    if amount < 0:
        raise ValueError(f"invalid tolerance {value!r}: must not be negative")
    return Tolerance(amount, relative)


def _difference_se(
    interval: tuple[float, float] | None, confidence: float | None, entry: BaselineEntry, n: int | None
) -> float | None:
    """Standard error of ``current - stored`` from both intervals (see :func:`judge_regression`)."""
    from statistics import NormalDist

    def se_of(bounds: tuple[float, float] | None, level: float | None) -> float | None:
        if bounds is None or level is None or not 0.5 < level < 1:
            return None
        lo, hi = float(bounds[0]), float(bounds[1])
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
            return None
        return (hi - lo) / (2.0 * NormalDist().inv_cdf(level))

    current = se_of(interval, confidence)
    if current is None:
        return None
    stored = se_of(entry.interval, entry.confidence if entry.confidence is not None else confidence)
    if stored is None:
        scale = math.sqrt(n / entry.n) if n and entry.n else 1.0
        stored = current * scale
    return math.sqrt(current**2 + stored**2)


def judge_regression(
    metric: str,
    value: float,
    entry: BaselineEntry,
    *,
    higher_is_better: bool,
    tolerance: Tolerance,
    baseline_ref: str,
    n: int | None,
    interval: tuple[float, float] | None = None,
    confidence: float | None = None,
) -> GateResult:
    """Judge ``value`` against its stored baseline ``entry``.

    FAIL when the metric worsened by more than the tolerance allows, PASS otherwise; NaN
    fails. With a ``confidence`` and this run's ``interval`` (a pair of one-sided
    ``confidence``-level bounds), a drop beyond tolerance is a one-sided z-test on the difference:
    it fails only when ``worsening - allowed > z_c * sqrt(se_current**2 + se_stored**2)``, and is
    INCONCLUSIVE otherwise.  Each standard error comes from its interval's width
    (``(hi - lo) / (2 z)``, at the stored entry's own confidence); a stored entry without an
    interval takes the current one scaled by ``sqrt(n / entry.n)`` (or, without sizes, the
    current one: an equally large holdout).  So the same model on a fresh holdout fails in at most
    about ``1 - confidence`` of runs.
    """
    base = entry.value
    allowed = tolerance.allowed(base)
    op = ">=" if higher_is_better else "<="
    threshold = base - allowed if higher_is_better else base + allowed
    ref = f" [baseline {baseline_ref}]" if baseline_ref else ""
    gate = GateResult(
        metric=metric,
        kind="regression",
        status=PASS,
        message="",
        value=value,
        op=op,
        threshold=threshold,
        judged=value,
        interval=tuple(interval) if interval is not None else None,  # type: ignore[arg-type]
        confidence=confidence,
        n=n,
        baseline=base,
        tolerance=str(tolerance),
        extra={
            "allowed": allowed,
            "baseline_ref": baseline_ref,
            "baseline_n": entry.n,
            "baseline_interval": list(entry.interval) if entry.interval is not None else None,
        },
    )
    if value is None or not math.isfinite(value):  # +inf "improves" on any baseline: fail closed
        gate.status = FAIL
        shown = "not recorded" if value is None else "NaN" if math.isnan(value) else f"{value}, not a finite number"
        gate.message = f"{metric} is {shown}; baseline {format_value(base)} (allowed {tolerance}){ref}"
        return gate
    change = value - base
    worsening = -change if higher_is_better else change
    eps = max(1e-9 * max(1.0, abs(base), abs(allowed)), stored_resolution(base))  # below it: no change
    gate.extra["change"] = change if math.isfinite(change) else None
    allowed_text = f"{format_value(allowed)} ({tolerance})" if tolerance.relative else str(tolerance)
    comparison = f"{format_value(value)} vs baseline {format_value(base)} ({format_change(value, base)}, allowed {allowed_text})"
    if not worsening > allowed + eps:
        gate.message = f"{metric} within tolerance: {comparison}{ref}"
        return gate
    se = _difference_se(interval, confidence, entry, n) if confidence is not None else None
    if se is not None and confidence is not None:
        from statistics import NormalDist

        z = NormalDist().inv_cdf(confidence)
        # one-sided confidence-level bound of the current value that counts both samples' noise
        bound = value + z * se if higher_is_better else value - z * se
        gate.judged = bound
        gate.extra["difference_se"] = se
        significant = bound < threshold - eps if higher_is_better else bound > threshold + eps
        test = (
            f"the worsening beyond the tolerance is {format_value(worsening - allowed)}, "
            f"{'more' if significant else 'not more'} than z={z:.3g} x {format_value(se)} "
            f"(the standard error of the difference, both the stored and the current value's noise counted)"
        )
        if not significant:
            gate.status = INCONCLUSIVE
            gate.message = (
                f"{metric} may have regressed: {comparison}; not significant at {confidence:.0%} (one-sided): "
                f"{test}{ref}"
            )
            return gate
        gate.status = FAIL
        gate.message = f"{metric} regressed: {comparison}; significant at {confidence:.0%} (one-sided): {test}{ref}"
        return gate
    gate.status = FAIL
    gate.message = f"{metric} regressed: {comparison}{ref}"
    return gate
