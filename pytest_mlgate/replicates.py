"""Seed replicates (``@pytest.mark.model_seeds(k)``): combining them and the value a gate judges.

A test body run once per seed records its metrics per replicate. The combined record of a metric
holds the mean as its value and every replicate's value; a threshold gate judges the worst
replicate by default, or with ``confidence=c`` the one-sided c-level Student-t bound of the mean
across seeds. Pure Python, no pytest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from .results import MetricRecord

#: The most replicates one test may ask for.
MAX_SEEDS = 1000


def parse_seeds(args: tuple[object, ...], kwargs: dict[str, object]) -> int:
    """``model_seeds(5)`` or ``model_seeds(n=5)``: the number of seeds; ValueError naming the cause."""
    if kwargs and set(kwargs) != {"n"} or len(args) + len(kwargs) != 1:
        raise ValueError(f"model_seeds takes one number of seeds, e.g. model_seeds(5); got args {args!r}, kwargs {kwargs!r}")
    n = args[0] if args else kwargs["n"]
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_SEEDS:
        raise ValueError(f"model_seeds({n!r}): the number of seeds must be a whole number from 1 to {MAX_SEEDS}")
    return n


def combine(replicates: Sequence[dict[str, MetricRecord]]) -> dict[str, MetricRecord]:
    """One record per metric from the replicates' records: the mean as value, each seed's value kept.

    A metric missing from some replicate is recorded as NaN there, so a gate on it fails closed.
    """
    names: list[str] = []
    for metrics in replicates:
        names += [name for name in metrics if name not in names]
    out: dict[str, MetricRecord] = {}
    for name in names:
        records = [metrics.get(name) for metrics in replicates]
        first = next(r for r in records if r is not None)
        values = tuple(r.value if r is not None else math.nan for r in records)
        finite = all(math.isfinite(v) for v in values)
        mean = math.fsum(values) / len(values) if finite else math.nan
        out[name] = replace(first, value=mean, interval=None, confidence=None, replicates=values)
    return out


def judged_value(values: Sequence[float], *, higher_is_better: bool) -> float:
    """The worst replicate: the smallest where higher is better, the largest where lower is."""
    if not all(math.isfinite(v) for v in values):
        return math.nan
    return min(values) if higher_is_better else max(values)


def mean_bound_interval(values: Sequence[float], confidence: float) -> tuple[float, float] | None:
    """Both one-sided ``confidence`` bounds of the mean across seeds (Student t, k - 1 degrees of
    freedom), as an interval whose ends a gate judges; None with fewer than two seeds."""
    k = len(values)
    if k < 2 or not all(math.isfinite(v) for v in values):
        return None
    from scipy.stats import t

    mean = math.fsum(values) / k
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (k - 1))
    half = float(t.ppf(confidence, k - 1)) * sd / math.sqrt(k)
    return (mean - half, mean + half)


def spread_text(values: Sequence[float]) -> str:
    """``5 seeds: mean 0.93, sd 0.012, range [0.91, 0.95]``."""
    from .results import format_value

    k = len(values)
    if not all(math.isfinite(v) for v in values):
        return f"{k} seeds, some not finite: {', '.join(format_value(v) for v in values)}"
    mean = math.fsum(values) / k
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (k - 1)) if k > 1 else 0.0
    return (f"{k} seeds: mean {format_value(mean)}, sd {format_value(sd)}, "
            f"range [{format_value(min(values))}, {format_value(max(values))}]")
