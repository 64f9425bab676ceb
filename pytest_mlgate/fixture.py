"""The ``mlgate`` fixture object: what a model test calls to record, evaluate, compare and check drift."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, final

from ._errors import hide_input_errors
from .gates import ItemSpec
from .metrics import MetricRegistry, evaluate, split_slice_name
from .results import FAIL, INCONCLUSIVE, PASS, GateResult, MetricRecord, TestResult, format_value
from .summaries import add_plot, compare_summary, drift_summary, evaluation_summary

if TYPE_CHECKING:
    import numpy as np

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
    html_all_columns: bool = False  # summarise every drift column, not only the drifted ones


@final
class MlGate:
    """Records one model test's metrics; its gates are judged when the test body returns."""

    def __init__(
        self,
        result: TestResult,
        spec: ItemSpec | Callable[[], ItemSpec],
        registry: MetricRegistry,
        settings: Settings,
        seed: int,
    ) -> None:
        self._result = result
        self._spec_source = spec
        self._registry = registry
        self.tasks: set[str] = set()  # "classification" / "regression": what the evaluations saw
        self._settings = settings
        self._seed = seed
        self._rng: np.random.Generator | None = None

    def rebind(self, result: TestResult, seed: int) -> None:
        """Record into ``result`` with ``seed`` from now on (one replicate of ``model_seeds``)."""
        self._result, self._seed, self._rng = result, seed, None

    @property
    def _spec(self) -> ItemSpec:
        """The test's gates, markers added at run time (``request.node.add_marker``) included."""
        source = self._spec_source
        return source if isinstance(source, ItemSpec) else source()

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
        for key in checked:
            known = self._registry.known_direction(key)
            if higher_is_better is not None and known is not None and known != higher_is_better:
                raise ValueError(
                    f"mlgate.record: {key}: higher_is_better={higher_is_better} contradicts the metric registry "
                    f"({'higher' if known else 'lower'} is better for {key}); leave it out, or record the value "
                    "under another name"
                )
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
            if sample_weight is not None:
                raise TypeError("mlgate.evaluate: sample_weight= does not apply with data= (a table's rows count once each)")
            return self._evaluate_table(data, metrics, prefix, y_true, y_pred, y_score, slice_by, model, X, y, labels)
        ev = evaluate(
            self._registry, model, X, y, metrics=metrics, requested=self._spec.requested(prefix),
            sample_weight=sample_weight, y_true=y_true, y_pred=y_pred, y_score=y_score, slice_by=slice_by,
            labels=labels,
        )
        self.tasks.add("regression" if ev.prepared.task == "regression" else "classification")
        small_gaps = _gaps_of_judged_slices(ev, self._settings.min_slice_size)
        intervals = self._intervals(ev, prefix)
        _add_plot(self._result, f"evaluate:{prefix}" if prefix else "evaluate", lambda: evaluation_summary(ev.prepared))
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
            if name in small_gaps:  # fewer than two slices big enough to judge: the gap is shown, not gated
                record.slice_column, record.n = small_gaps[name]
            self._result.metrics[full] = record
            out[full] = value
        return out

    def _evaluate_table(
        self, data: Any, metrics: Any, prefix: str, y_true: Any, y_pred: Any, y_score: Any, slice_by: Any,
        model: Any, X: Any, y: Any, labels: Any = None,
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
            n_resamples=min(self._settings.n_resamples, 200), confidence=level, seed=self._seed, labels=labels,
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
                lo, hi = ev.intervals[name]
                # a binned score metric may be off by its stated error: its bounds count it
                err = ev.errors.get(name, 0.0)
                record.interval, record.confidence = (lo - err, hi + err), level
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
        """One-sided confidence bounds for what ``ev`` computed, at the level the gates ask for (0.95 by default).

        Each recorded interval ``(lo, hi)`` at level ``c`` is a pair of one-sided bounds at level
        at least ``c`` (exact for proportions; the ends of the two-sided ``c`` bootstrap interval
        otherwise): a gate judges the end its direction needs.
        Standard metrics get :func:`stats.confidence_bounds` (exact bounds for proportions).
        Any other metric (a scikit-learn scorer, a callable, a hook's metric) needs a loop of one
        call per resample, so it gets an interval only when a confidence gate judges it. Slices
        get theirs when a confidence gate judges slices; ``<metric>_gap`` gets one when a
        confidence gate judges it. A metric the bootstrap cannot bound (``max_error``) gets none.
        """
        if self._settings.n_resamples <= 0:
            return {}
        from .metrics import compute_metric
        from .stats import bootstrap_statistic, confidence_bounds, expanded_level

        gate_level = {g.metric: g.confidence for g in self._spec.gates if g.confidence is not None}
        sliced = {g.metric for g in self._spec.gates if g.confidence is not None and g.slices}

        def wanted(name: str, base: str) -> bool:
            if not ev.metrics[base].can_bound:
                return False
            if name == base and ev.metrics[base].builtin:
                return True
            return prefix + name in gate_level or (name != base and prefix + base in sliced)

        def level_of(name: str) -> float:
            base = split_slice_name(name)[0]
            return gate_level.get(prefix + name, gate_level.get(prefix + base, DEFAULT_CONFIDENCE))

        def bounds(names: list[str], mask: Any, level: float) -> dict[str, tuple[float, float]]:
            prep = ev.prepared if mask is None else ev.prepared.subset(mask)
            found: dict[str, tuple[float, float]] = {}
            stats_names: dict[str, str] = {}
            for name in names:
                metric = ev.metrics[split_slice_name(name)[0]]
                if metric.builtin:
                    stats_names[name] = metric.canonical
                elif math.isfinite(ev.values[name]):
                    found[name] = bootstrap_statistic(
                        lambda rows: compute_metric(metric, prep.subset(rows)),  # noqa: B023 - called here
                        prep.n, point=ev.values[name], n_resamples=self._settings.n_resamples,
                        confidence=expanded_level(level, prep.n), seed=self._seed,
                    )
            if stats_names:
                result = confidence_bounds(
                    sorted(set(stats_names.values())), y_true=prep.y_true, y_pred=prep.y_pred,
                    y_score=prep.y_score, task=prep.task, n_classes=prep.n_classes,
                    sample_weight=prep.sample_weight, n_resamples=self._settings.n_resamples,
                    confidence=level, seed=self._seed,
                )
                for name, sname in stats_names.items():
                    lo, hi = result[sname]
                    if ev.metrics[split_slice_name(name)[0]].sign < 0:
                        lo, hi = -hi, -lo
                    found[name] = (float(lo), float(hi))
            return found

        targets: list[tuple[str, Any]] = [(name, None) for name in ev.metrics if wanted(name, name)]
        for name, (_, _, mask) in ev.slices.items():
            base = split_slice_name(name)[0]
            if base in ev.metrics and wanted(name, base):
                targets.append((name, mask))
        out: dict[str, tuple[tuple[float, float], float]] = {}
        for level in sorted({level_of(name) for name, _ in targets}):
            groups: dict[int, tuple[Any, list[str]]] = {}
            for name, mask in targets:
                if level_of(name) == level:
                    groups.setdefault(id(mask), (mask, []))[1].append(name)
            for mask, names in groups.values():
                for name, interval in bounds(names, mask, level).items():
                    out[name] = (interval, level)
        for base in ev.metrics:
            gap = f"{base}_gap"
            if prefix + gap in gate_level and gap in ev.values and ev.metrics[base].can_bound:
                level = gate_level[prefix + gap]
                slices = [(name, mask) for name, (b, _, mask) in ev.slices.items() if b == base]
                out[gap] = (self._gap_bounds(ev, base, slices, level, bounds), level)
        return out

    @staticmethod
    def _gap_bounds(
        ev: Evaluation, base: str, slices: list[tuple[str, Any]], level: float, bounds: Any
    ) -> tuple[float, float]:
        """One-sided ``level`` bounds of ``<base>_gap`` (largest minus smallest slice value).

        Every slice gets one-sided bounds at level ``1 - (1 - level) / (2 * slices)``
        (Bonferroni over all of them), so with probability at least ``level`` every true slice
        value lies within its bounds, and then the true gap is at most the largest upper bound
        minus the smallest lower bound (and at least the largest lower minus the smallest upper
        bound, floored at 0). Conservative; NaN when a slice has no bound.
        """
        if len(slices) < 2:
            return (math.nan, math.nan)
        per = 1.0 - (1.0 - level) / (2 * len(slices))
        found: dict[str, tuple[float, float]] = {}
        for name, mask in slices:
            found.update(bounds([name], mask, per))
        if len(found) < len(slices) or not all(math.isfinite(b) for pair in found.values() for b in pair):
            return (math.nan, math.nan)
        lows = [lo for lo, _ in found.values()]
        highs = [hi for _, hi in found.values()]
        return (max(0.0, max(lows) - min(highs)), max(highs) - min(lows))

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
        from .stats import check_bootstrap_setting, mcnemar_exact, paired_accuracy_exact, paired_bootstrap

        check_bootstrap_setting(self._settings.n_resamples, "mlgate.compare")
        if not m.builtin:
            raise ValueError(f"mlgate.compare: metric {metric!r} is not a built-in metric; paired bootstrap needs one")
        value_a, value_b = ev_a.values[metric], ev_b.values[metric]
        p_value = None
        exact = m.canonical == "accuracy" and pa.y_pred is not None and pa.sample_weight is None
        if exact:
            # exact at any number of discordant rows: verdict and McNemar's p cannot disagree
            res = paired_accuracy_exact(pa.y_pred == pa.y_true, pb.y_pred == pb.y_true, confidence=level)
            lo, hi, p_value = res["low"], res["high"], res["p_value"]
        else:
            boot = paired_bootstrap(
                m.canonical, y_true=pa.y_true, pred_a=pa.y_pred, score_a=pa.y_score, pred_b=pb.y_pred,
                score_b=pb.y_score, task=pa.task, n_classes=pa.n_classes, sample_weight=pa.sample_weight,
                n_resamples=self._settings.n_resamples, confidence=level, seed=self._seed,
            )
            lo, hi = float(boot["low"]), float(boot["high"])
            if m.canonical == "accuracy" and pa.y_pred is not None:
                p_value = float(mcnemar_exact(pa.y_pred == pa.y_true, pb.y_pred == pb.y_true)["p_value"])
        if m.sign < 0:
            lo, hi = -hi, -lo
        # improvement of the candidate in the metric's direction
        if m.higher_is_better:
            imp, imp_lo, imp_hi = value_a - value_b, lo, hi
        else:
            imp, imp_lo, imp_hi = value_b - value_a, -hi, -lo
        if imp_lo >= -max_drop:
            verdict = "pass"
        elif imp_hi < -max_drop:
            verdict = "fail"
        else:
            verdict = "inconclusive"
        pct = f"two-sided {level * 100:g}% {'exact' if exact else 'bootstrap'}"
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
        status = {"pass": PASS, "fail": FAIL}.get(verdict, INCONCLUSIVE)  # raw: the policy decides what warns
        self._result.comparisons.append(comparison.to_dict())
        _add_plot(self._result, f"compare:{metric}", lambda: compare_summary(pa, pb, comparison.to_dict()))
        self._result.gates.append(
            GateResult(
                metric=f"compare:{metric}", kind="compare", status=status, message=text, value=imp, op=">=",
                threshold=-float(max_drop), judged=imp_lo, interval=(imp_lo, imp_hi), confidence=level,
                n=pa.n, extra={"candidate": value_a, "baseline_model": value_b, "mcnemar_p": p_value},
            )
        )
        return comparison

    # ------------------------------------------------------------------ drift
    def check_drift(self, reference: Any, current: Any, **kwargs: Any) -> DriftReport:
        """``assert_no_drift`` whose report is recorded into this test's results."""
        from . import _checked_drift

        __tracebackhide__ = True
        return _checked_drift(reference, current, self.record_drift, **kwargs)

    def record_drift(
        self, report: DriftReport, *, passed: bool, max_drift_share: float = 0.0,
        reference: Any = None, current: Any = None,
    ) -> bool:
        """Add a drift check to this test's results: the report, and its verdict as a ``drift`` gate.

        Returns False: a failed check always raises :class:`DriftDetected`, so a test that expects
        drift (``pytest.raises``) sees it; under ``--mlgate-warn-only`` the plugin turns an uncaught
        one into a warning when the test ends.
        """
        self._result.drift.append(report.to_dict())
        count = sum(1 for g in self._result.gates if g.kind == "drift")
        if reference is not None and current is not None:
            _add_plot(self._result, "drift", lambda: drift_summary(
                report, reference, current, all_columns=self._settings.html_all_columns))
        drifted = [c for c in report.columns if c.drifted]
        detail = ", ".join(
            f"{c.name} ({c.method} {c.statistic:.3g}{'' if c.p_value is None else f', p={c.p_value:.3g}'})"
            for c in drifted[:10]
        ) + (f" and {len(drifted) - 10} more" if len(drifted) > 10 else "")
        self._result.gates.append(GateResult(
            metric="drift" if count == 0 else f"drift_{count + 1}", kind="drift",
            status=PASS if passed else FAIL,
            value=float(report.drift_share), op="<=",
            threshold=float(max_drift_share), judged=float(report.drift_share), n=report.n_current,
            message=f"data drift in {len(drifted)} of {len(report.columns)} columns "
            f"(share {report.drift_share:.3g}, allowed {max_drift_share:g})" + (f": {detail}" if detail else ""),
            extra={"drifted_columns": [str(c.name) for c in drifted], "check": len(self._result.drift) - 1},
        ))
        return False


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


def _add_plot(result: TestResult, key: str, build: Any) -> None:
    """Store a picture summary; one that cannot be computed leaves a note, never fails the test."""
    try:
        summary = build()
    except Exception as exc:  # noqa: BLE001 - pictures are a report, not a gate
        summary = {"kind": key.split(":")[0], "omitted": f"{type(exc).__name__}: {exc}"[:300]}
    add_plot(result.plots, key, summary)


def _gaps_of_judged_slices(ev: Evaluation, min_size: int) -> dict[str, tuple[str, int]]:
    """Each ``<metric>_gap`` over the slices of at least ``min_size`` rows only, as every other gate
    judges slices: a 10-row slice never moves a gated gap. With fewer than two such slices the gap
    stays over all slices and is returned (``name -> (column, smallest slice size)``) to be shown
    as too small to judge."""
    by_base: dict[str, list[tuple[float, int, str]]] = {}
    for name, (base, col, _mask) in ev.slices.items():
        by_base.setdefault(base, []).append((ev.values[name], int(ev.n.get(name) or 0), col))
    small: dict[str, tuple[str, int]] = {}
    for base, slices in by_base.items():
        gap = f"{base}_gap"
        if gap not in ev.values:
            continue
        judged = [v for v, size, _ in slices if size >= min_size]
        if len(judged) >= 2:
            ev.values[gap] = float(max(judged) - min(judged)) if all(v == v for v in judged) else float("nan")
            ev.n[gap] = sum(size for _, size, _ in slices if size >= min_size)
        else:
            small[gap] = (slices[0][2], min(size for _, size, _ in slices))
    return small


def _as_float(name: str, value: Any) -> float:
    __tracebackhide__ = hide_input_errors
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        shape = getattr(value, "shape", None)
        if shape == () and hasattr(value, "item"):
            return _as_float(name, value.item())
        raise TypeError(f"mlgate.record: {name} must be a real number, got {type(value).__name__} {value!r:.60}")
    return float(value)  # NaN and inf are recorded as they are: a gate on them fails closed
