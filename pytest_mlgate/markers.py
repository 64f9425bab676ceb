"""Reading a test's gate markers into an :class:`~pytest_mlgate.gates.ItemSpec`.

Markers are read wherever pytest attached them: at collection, through ``pytest.param(marks=...)``,
or with ``request.node.add_marker`` in a fixture or the test body (read again when the test ends).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from .gates import GateSpecError, ItemSpec, parse_gate

if TYPE_CHECKING:
    from .metrics import MetricRegistry

GATE_MARKERS = ("model_threshold", "model_regression", "model_seeds")
_THRESHOLD_OPTIONS = ("severity", "confidence", "slices")


@dataclass
class ParsedMarkers:
    """A test's gates, and what is wrong with its markers."""

    spec: ItemSpec
    problems: list[str] = field(default_factory=list)  # usage errors
    warnings: list[str] = field(default_factory=list)  # legal, but probably not what was meant
    key: tuple[int, ...] = ()  # identity of the marks read, to notice marks added later


def marks_key(item: pytest.Item) -> tuple[int, ...]:
    return tuple(id(m) for name in GATE_MARKERS for m in item.iter_markers(name))


def parse_markers(item: pytest.Item, registry: MetricRegistry, *, n_resamples: int | None = None) -> ParsedMarkers:
    """Every gate of ``item``'s markers; problems are collected, never raised.

    ``n_resamples`` is ini ``mlgate_bootstrap``: 0 leaves a ``confidence=`` gate nothing to judge.
    """
    from .regression import parse_tolerance

    parsed = ParsedMarkers(ItemSpec(), key=marks_key(item))
    spec, problems = parsed.spec, parsed.problems
    for mark in reversed(list(item.iter_markers("model_threshold"))):
        if mark.args:
            problems.append(f"model_threshold takes keyword arguments only, got positional {mark.args!r:.80}")
        kwargs = dict(mark.kwargs)
        options = {k: kwargs.pop(k) for k in _THRESHOLD_OPTIONS if k in kwargs}
        if not kwargs:
            problems.append("model_threshold names no metric, e.g. model_threshold(accuracy=0.9)")
        for metric, value in kwargs.items():
            try:
                gate = parse_gate(metric, value, direction=registry.direction, can_bound=registry.can_bound,
                                  **options)
            except GateSpecError as exc:
                problems.append(f"model_threshold: {exc}{_did_you_mean(metric, value, registry)}")
                continue
            except Exception as exc:  # whatever a hostile value does, it is a usage error, not a crash
                problems.append(f"model_threshold: {metric}={value!r:.80}: {type(exc).__name__}: {exc}")
                continue
            spec.gates.append(gate)
            known = registry.direction(metric)
            if known is not None and known != gate.higher_is_better:
                better = "higher" if known else "lower"
                parsed.warnings.append(
                    f"model_threshold: {metric}={value!r} gates {metric} {gate.op} {gate.threshold:g}, but "
                    f"{better} is better for {metric}: a worse model passes more easily"
                )
    for mark in item.iter_markers("model_regression"):
        if mark.args:
            problems.append(f"model_regression takes keyword arguments only, got positional {mark.args!r:.80}")
        if not mark.kwargs:
            problems.append("model_regression names no metric, e.g. model_regression(accuracy=0.01)")
        for metric, value in mark.kwargs.items():
            if metric in spec.tolerances:
                continue  # the closest marker wins
            try:
                spec.tolerances[metric] = parse_tolerance(value)
            except Exception as exc:
                problems.append(f"model_regression: {metric}={value!r:.80}: {exc}")
    seeds = item.get_closest_marker("model_seeds")
    if seeds is not None:
        from .replicates import parse_seeds

        try:
            spec.seeds = parse_seeds(seeds.args, dict(seeds.kwargs))
        except ValueError as exc:
            problems.append(str(exc))
        if not isinstance(item, pytest.Function):
            problems.append("model_seeds needs a test function (it runs the function's body once per seed)")
    if n_resamples is not None and n_resamples < 1 and any(g.confidence is not None for g in spec.gates):
        problems.append(
            f"model_threshold: confidence= needs bootstrap resamples, but ini mlgate_bootstrap = {n_resamples} "
            "turns them off; set mlgate_bootstrap to a positive number of resamples (e.g. 1000)"
        )
    levels: dict[str, set[float]] = {}
    for gate in spec.gates:
        if gate.confidence is not None:
            levels.setdefault(gate.metric, set()).add(gate.confidence)
    for metric, found in levels.items():
        if len(found) > 1:  # one interval is computed per metric
            problems.append(
                f"model_threshold: {metric} is gated at confidence levels {sorted(found)}; use one level per metric"
            )
    parsed.problems = list(dict.fromkeys(problems))  # one line per problem, not one per gate of a marker
    return parsed


def _did_you_mean(metric: str, value: Any, registry: MetricRegistry) -> str:
    """A hint for a metric name the registry does not know but nearly does."""
    if registry.direction(metric) is not None or isinstance(value, str):
        return ""
    close = difflib.get_close_matches(metric, registry.names(), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""
