"""The ``mlgate`` fixture object: what a model test calls to record, evaluate, compare and check drift."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, final

from ._errors import hide_input_errors
from .gates import Gate, MlgateWarning
from .metrics import MetricRegistry, evaluate, split_slice_name
from .results import FAIL, INCONCLUSIVE, PASS, WARN, GateResult, MetricRecord, TestResult, format_value

if TYPE_CHECKING:
    import numpy as np

    from .baseline import Tolerance
    from .drift import DriftReport
    from .metrics import Evaluation

DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class Settings:
    """The session's options, as the fixture needs them."""

    n_resamples: int = 1000
    min_slice_size: int = 30
    inconclusive: str = "warn"  # or "fail"
    warn_only: bool = False


@dataclass
class ItemSpec:
    """What a test's markers ask for, parsed at collection."""

    gates: list[Gate] = field(default_factory=list)
    tolerances: dict[str, Tolerance] = field(default_factory=dict)

    def requested(self, prefix: str = "") -> list[str]:
        """Registry-side metric names the gates name, with ``prefix`` removed."""
        out: list[str] = []
        for gate in self.gates:
            name, _, _ = split_slice_name(gate.metric)
            if not name.startswith(prefix):
                continue
            name = name[len(prefix):]
            out.append(name[: -len("_gap")] if name.endswith("_gap") else name)
        return out


@final
class MlGate:
    """Records one model test's metrics; its gates are judged when the test body returns."""

    def __init__(
        self, result: TestResult, spec: ItemSpec, registry: MetricRegistry, settings: Settings, seed: int
    ) -> None:
        self._result = result
        self._spec = spec
        self._registry = registry
        self._settings = settings
        self._seed = seed
        self._rng: np.random.Generator | None = None

    def __repr__(self) -> str:
        return f"<mlgate {self._result.nodeid} seed={self._seed} metrics={sorted(self._result.metrics)}>"

    @property
    def seed(self) -> int:
        """This test's seed, derived from ``--mlgate-seed`` and the test id."""
        return self._seed

    @property
    def rng(self) -> np.random.Generator:
        """A ``numpy.random.Generator`` seeded with :attr:`seed`."""
        if self._rng is None:
            import numpy as np

            self._rng = np.random.default_rng(self._seed)
        return self._rng

    @property
    def metrics(self) -> dict[str, float]:
        """What this test has recorded so far (a copy)."""
        return {name: m.value for name, m in self._result.metrics.items()}

    # ------------------------------------------------------------------ record
    def record(
        self, name: str | None = None, value: Any = None, *, higher_is_better: bool | None = None, **metrics: Any
    ) -> None:
        """Record scalars: ``record("latency_ms", 12.5, higher_is_better=False)`` or ``record(accuracy=0.9)``."""
        __tracebackhide__ = hide_input_errors
        if name is None and value is not None:
            raise TypeError("mlgate.record: value given without a name")
        if name is not None:
            if not isinstance(name, str) or not name:
                raise TypeError(f"mlgate.record: name must be a non-empty string, got {name!r}")
            if name in metrics:
                raise TypeError(f"mlgate.record: {name!r} given both by position and by keyword")
            if value is None:
                raise TypeError(f"mlgate.record({name!r}): value is missing")
            metrics = {name: value, **metrics}
        if not metrics:
            raise TypeError("mlgate.record: nothing to record; call record(name, value) or record(metric=value)")
        if higher_is_better is not None and not isinstance(higher_is_better, bool):
            raise TypeError(f"mlgate.record: higher_is_better must be True, False or None, got {higher_is_better!r}")
        checked = {}
        for key, v in metrics.items():  # a loop: a comprehension's frame would show in tracebacks
            checked[key] = _as_float(key, v)
        for key, v in checked.items():
            direction = higher_is_better if higher_is_better is not None else self._registry.direction(key)
            self._result.metrics[key] = MetricRecord(key, v, direction)

    # ------------------------------------------------------------------ evaluate
    def evaluate(
        self,
        model: Any = None,
        X: Any = None,
        y: Any = None,
        *,
        metrics: Sequence[str] | Mapping[str, Any] | str | None = None,
        prefix: str = "",
        sample_weight: Any = None,
        y_true: Any = None,
        y_pred: Any = None,
        y_score: Any = None,
        slice_by: Any = None,
        labels: Any = None,
        data: Any = None,
    ) -> dict[str, float]:
        """Evaluate ``model`` on ``X, y`` (or given predictions) and record every metric.

        Returns the recorded values, named with ``prefix``. ``labels`` names the classes in
        ``y_score``'s column order when the predictions were made elsewhere. With ``data=`` (a
        predictions table: DataFrame, Arrow, Parquet path(s) or Spark DataFrame) ``y_true``,
        ``y_pred``, ``y_score`` and ``slice_by`` are column names, and the metrics come from
        aggregates computed where the data lives (:mod:`pytest_mlgate.table_eval`).
        """
        __tracebackhide__ = hide_input_errors
        if not isinstance(prefix, str):
            raise TypeError(f"mlgate.evaluate: prefix must be a string, got {prefix!r}")
        if data is not None:
            return self._evaluate_table(data, metrics, prefix, y_true, y_pred, y_score, slice_by, model, X, y)
        ev = evaluate(
            self._registry, model, X, y, metrics=metrics, requested=self._spec.requested(prefix),
            sample_weight=sample_weight, y_true=y_true, y_pred=y_pred, y_score=y_score, slice_by=slice_by,
            labels=labels,
        )
        intervals = self._intervals(ev, prefix)
        out: dict[str, float] = {}
        for name, value in ev.values.items():
            full = prefix + name
            base, col, val = split_slice_name(name)
            record = MetricRecord(
                full, value, self._registry.direction(full) if self._registry.direction(full) is not None
                else self._registry.direction(name), n=ev.n.get(name), slice_column=col, slice_value=val,
            )
            if name in intervals:
                record.interval, record.confidence = intervals[name]
            self._result.metrics[full] = record
            out[full] = value
        return out

    def _evaluate_table(
        self, data: Any, metrics: Any, prefix: str, y_true: Any, y_pred: Any, y_score: Any, slice_by: Any,
        model: Any, X: Any, y: Any,
    ) -> dict[str, float]:
        """``evaluate(data=...)``: metrics of a predictions table, recorded like any other."""
        __tracebackhide__ = hide_input_errors
        from .table_eval import evaluate_table

        if model is not None or X is not None or y is not None:
            raise TypeError("mlgate.evaluate: data= takes column names (y_true=, y_pred=, y_score=), not a model, X or y")
        if isinstance(metrics, str):
            metrics = [metrics]
        names = list(metrics) if metrics is not None else None
        if names is None:
            requested = list(dict.fromkeys(self._spec.requested(prefix)))
            names = requested or None
        gate_levels = [g.confidence for g in self._spec.gates if g.confidence is not None and g.metric.startswith(prefix)]
        level = max(gate_levels) if gate_levels else DEFAULT_CONFIDENCE
        ev = evaluate_table(
            data, y_true=y_true, y_pred=y_pred, y_score=y_score, slice_by=slice_by, metrics=names,
            n_resamples=min(self._settings.n_resamples, 200), confidence=level, seed=self._seed,
        )
        out: dict[str, float] = {}
        for name, value in ev.values.items():
            full = prefix + name
            _, col, val = split_slice_name(name)
            direction = self._registry.direction(full)
            record = MetricRecord(
                full, value, direction if direction is not None else self._registry.direction(name),
                n=ev.n.get(name), slice_column=col, slice_value=val,
            )
            if name in ev.intervals:
                record.interval, record.confidence = ev.intervals[name], level
            self._result.metrics[full] = record
            out[full] = value
        return out

    def _confidences(self, prefix: str) -> set[float]:
        levels = {DEFAULT_CONFIDENCE}
        for gate in self._spec.gates:
            if gate.confidence is not None and gate.metric.startswith(prefix):
                levels.add(gate.confidence)
        return levels

    def _intervals(self, ev: Evaluation, prefix: str) -> dict[str, tuple[tuple[float, float], float]]:
        """Bootstrap intervals for what ``ev`` computed, at the level the gates ask for (0.95 by default).

        Standard metrics on the whole input take the vectorised path. Any other metric (a
        scikit-learn scorer, a callable, a hook's metric) needs a loop of one call per resample, a
        second or more for a scikit-learn scorer, so it gets an interval only when a confidence gate
        judges it. Slices, of either kind, get theirs when a confidence gate judges slices.
        """
        if self._settings.n_resamples <= 0:
            return {}
        from .metrics import compute_metric
        from .stats import bootstrap_intervals, bootstrap_statistic

        gate_level = {g.metric: g.confidence for g in self._spec.gates if g.confidence is not None}
        sliced = {g.metric for g in self._spec.gates if g.confidence is not None and g.slices}

        def wanted(name: str, base: str) -> bool:
            if name == base and ev.metrics[base].builtin:
                return True
            return prefix + name in gate_level or (name != base and prefix + base in sliced)

        targets: list[tuple[str, Any]] = [(name, None) for name in ev.metrics if wanted(name, name)]
        for name, (_, _, mask) in ev.slices.items():
            base = split_slice_name(name)[0]
            if base in ev.metrics and wanted(name, base):
                targets.append((name, mask))
        out: dict[str, tuple[tuple[float, float], float]] = {}
        for level in sorted(self._confidences(prefix)):
            groups: dict[int, tuple[Any, list[str]]] = {}
            for name, mask in targets:
                base = split_slice_name(name)[0]
                want = gate_level.get(prefix + name, gate_level.get(prefix + base, DEFAULT_CONFIDENCE))
                if want != level:
                    continue
                groups.setdefault(id(mask), (mask, []))[1].append(name)
            for mask, names in groups.values():
                prep = ev.prepared if mask is None else ev.prepared.subset(mask)
                stats_names: dict[str, str] = {}
                for name in names:
                    metric = ev.metrics[split_slice_name(name)[0]]
                    if metric.builtin:
                        stats_names[name] = metric.canonical
                    elif math.isfinite(ev.values[name]):
                        interval = bootstrap_statistic(
                            lambda rows: compute_metric(metric, prep.subset(rows)),  # noqa: B023 - called here
                            prep.n, point=ev.values[name], n_resamples=self._settings.n_resamples,
                            confidence=level, seed=self._seed,
                        )
                        out[name] = (interval, level)
                if not stats_names:
                    continue
                result = bootstrap_intervals(
                    sorted(set(stats_names.values())), y_true=prep.y_true, y_pred=prep.y_pred,
                    y_score=prep.y_score, task=prep.task, n_classes=prep.n_classes,
                    sample_weight=prep.sample_weight, n_resamples=self._settings.n_resamples,
                    confidence=level, seed=self._seed,
                )
                for name, sname in stats_names.items():
                    lo, hi = result[sname]
                    metric = ev.metrics[split_slice_name(name)[0]]
                    if metric.sign < 0:
                        lo, hi = -hi, -lo
                    out[name] = ((float(lo), float(hi)), level)
        return out

    # ------------------------------------------------------------------ compare
    def compare(
        self,
        candidate: Any,
        baseline_model: Any,
        X: Any,
        y: Any,
        *,
        metric: str,
        max_drop: float = 0.0,
        confidence: float = DEFAULT_CONFIDENCE,
        sample_weight: Any = None,
    ) -> Comparison:
        """Champion/challenger on the same rows, paired: is ``candidate`` no worse than ``baseline_model``?

        Verdict ``pass`` when the interval of the improvement lies at or above ``-max_drop``,
        ``fail`` when it lies below, ``inconclusive`` otherwise.
        """
        __tracebackhide__ = hide_input_errors
        from .gates import parse_confidence

        if not isinstance(metric, str):
            raise TypeError(f"mlgate.compare: metric must be a metric name, got {metric!r}")
        m = self._registry.lookup(metric)
        if isinstance(max_drop, bool) or not isinstance(max_drop, numbers.Real) or not max_drop >= 0:
            raise ValueError(f"mlgate.compare: max_drop must be a number >= 0, got {max_drop!r}")
        try:
            level = parse_confidence(confidence)
        except ValueError as exc:
            raise ValueError(f"mlgate.compare: {exc}") from None
        assert level is not None
        ev_a = evaluate(self._registry, candidate, X, y, metrics=[metric], sample_weight=sample_weight)
        ev_b = evaluate(self._registry, baseline_model, X, y, metrics=[metric], sample_weight=sample_weight)
        pa, pb = ev_a.prepared, ev_b.prepared
        if pa.classes is not None and pb.classes is not None and list(pa.classes) != list(pb.classes):
            raise ValueError(
                f"mlgate.compare: the models know different classes ({list(pa.classes)} vs {list(pb.classes)})"
            )
        from .stats import mcnemar_exact, paired_bootstrap

        if not m.builtin:
            raise ValueError(f"mlgate.compare: metric {metric!r} is not a built-in metric; paired bootstrap needs one")
        boot = paired_bootstrap(
            m.canonical, y_true=pa.y_true, pred_a=pa.y_pred, score_a=pa.y_score, pred_b=pb.y_pred,
            score_b=pb.y_score, task=pa.task, n_classes=pa.n_classes, sample_weight=pa.sample_weight,
            n_resamples=max(self._settings.n_resamples, 1), confidence=level, seed=self._seed,
        )
        value_a, value_b = ev_a.values[metric], ev_b.values[metric]
        lo, hi = float(boot["low"]), float(boot["high"])
        if m.sign < 0:
            lo, hi = -hi, -lo
        # improvement of the candidate in the metric's direction
        if m.higher_is_better:
            imp, imp_lo, imp_hi = value_a - value_b, lo, hi
        else:
            imp, imp_lo, imp_hi = value_b - value_a, -hi, -lo
        p_value = None
        if m.name == "accuracy" and pa.y_pred is not None:
            p_value = float(mcnemar_exact(pa.y_pred == pa.y_true, pb.y_pred == pb.y_true)["p_value"])
        if imp_lo >= -max_drop:
            verdict = "pass"
        elif imp_hi < -max_drop:
            verdict = "fail"
        else:
            verdict = "inconclusive"
        pct = f"{level * 100:g}%"
        text = (
            f"{metric}: candidate {format_value(value_a)} vs baseline {format_value(value_b)} "
            f"(change {imp:+.4g}, {pct} interval [{imp_lo:+.4g}, {imp_hi:+.4g}], max_drop {format_value(max_drop)}, "
            f"n={pa.n}{'' if p_value is None else f', McNemar p={p_value:.3g}'}): {verdict}"
        )
        comparison = Comparison(
            metric=metric, verdict=verdict, candidate=value_a, baseline=value_b, difference=imp,
            interval=(imp_lo, imp_hi), confidence=level, max_drop=float(max_drop), n=pa.n,
            mcnemar_p=p_value, message=text,
        )
        if verdict == "pass":
            status = PASS
        elif verdict == "fail":
            status = WARN if self._settings.warn_only else FAIL
        else:
            status = FAIL if self._settings.inconclusive == "fail" and not self._settings.warn_only else INCONCLUSIVE
        self._result.comparisons.append(comparison.to_dict())
        self._result.gates.append(
            GateResult(
                metric=f"compare:{metric}", kind="compare", status=status, message=text, value=imp, op=">=",
                threshold=-float(max_drop), judged=imp_lo, interval=(imp_lo, imp_hi), confidence=level,
                n=pa.n, extra={"candidate": value_a, "baseline_model": value_b, "mcnemar_p": p_value},
            )
        )
        if status in (WARN, INCONCLUSIVE):
            warnings.warn(MlgateWarning(f"{self._result.nodeid}: {text}"), stacklevel=2)
        return comparison

    # ------------------------------------------------------------------ drift
    def check_drift(self, reference: Any, current: Any, **kwargs: Any) -> DriftReport:
        """``assert_no_drift`` whose report is recorded into this test's results."""
        from . import _checked_drift

        __tracebackhide__ = True
        return _checked_drift(reference, current, self.record_drift, **kwargs)

    def record_drift(self, report: DriftReport, *, passed: bool, max_drift_share: float = 0.0) -> bool:
        """Add a drift check to this test's results: the report, and its verdict as a ``drift`` gate.

        Returns True when a failed check must only warn (``--mlgate-warn-only``).
        """
        self._result.drift.append(report.to_dict())
        count = sum(1 for g in self._result.gates if g.kind == "drift")
        drifted = [c for c in report.columns if c.drifted]
        detail = ", ".join(
            f"{c.name} ({c.method} {c.statistic:.3g}{'' if c.p_value is None else f', p={c.p_value:.3g}'})"
            for c in drifted[:10]
        ) + (f" and {len(drifted) - 10} more" if len(drifted) > 10 else "")
        self._result.gates.append(GateResult(
            metric="drift" if count == 0 else f"drift_{count + 1}", kind="drift",
            status=PASS if passed else WARN if self._settings.warn_only else FAIL,
            value=float(report.drift_share), op="<=",
            threshold=float(max_drift_share), judged=float(report.drift_share), n=report.n_current,
            message=f"data drift in {len(drifted)} of {len(report.columns)} columns "
            f"(share {report.drift_share:.3g}, allowed {max_drift_share:g})" + (f": {detail}" if detail else ""),
            extra={"drifted_columns": [str(c.name) for c in drifted]},
        ))
        return not passed and self._settings.warn_only


@dataclass(frozen=True, eq=False)
class Comparison:
    """The verdict of :meth:`MlGate.compare`."""

    metric: str
    verdict: str  # "pass", "fail" or "inconclusive"
    candidate: float
    baseline: float
    difference: float  # improvement of the candidate, in the metric's direction
    interval: tuple[float, float]
    confidence: float
    max_drop: float
    n: int
    mcnemar_p: float | None
    message: str

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):  # compare(...) == "pass"
            return self.verdict == other
        if isinstance(other, Comparison):
            return self.to_dict() == other.to_dict()
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.metric, self.verdict, self.candidate, self.baseline, self.interval))

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric, "verdict": self.verdict, "candidate": self.candidate,
            "baseline": self.baseline, "difference": self.difference, "interval": list(self.interval),
            "confidence": self.confidence, "max_drop": self.max_drop, "n": self.n,
            "mcnemar_p": self.mcnemar_p, "message": self.message,
        }


def _as_float(name: str, value: Any) -> float:
    __tracebackhide__ = hide_input_errors
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        shape = getattr(value, "shape", None)
        if shape == () and hasattr(value, "item"):
            return _as_float(name, value.item())
        raise TypeError(f"mlgate.record: {name} must be a real number, got {type(value).__name__} {value!r:.60}")
    return float(value)  # NaN and inf are recorded as they are: a gate on them fails closed
