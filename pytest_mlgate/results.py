"""The plain, JSON-able record of what one test measured and how each gate judged it.

A :class:`TestResult` is built while a test runs, travels on the test report as a dict
(so pytest-xdist carries it from worker to controller) and is the only input of every
output: terminal summary, JUnit XML, Markdown, JSON, history and baseline.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

#: Gate statuses, as the reports print them.
PASS = "PASS"
FAIL = "FAIL"
WARN = "WARN"
NEW = "NEW"
INCONCLUSIVE = "INCONCLUSIVE"
SKIP = "SKIP"  # reported, not gated (e.g. a slice smaller than mlgate_min_slice_size)


@dataclass
class MetricRecord:
    """One recorded scalar."""

    name: str
    value: float
    higher_is_better: bool | None = None
    n: int | None = None
    interval: tuple[float, float] | None = None
    confidence: float | None = None
    slice_column: str | None = None
    slice_value: str | None = None
    #: with ``model_seeds``: the value of each seed's replicate (``value`` is their mean)
    replicates: tuple[float, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["value"] = _jsonable_float(self.value)
        if self.interval is not None:
            d["interval"] = [_jsonable_float(v) for v in self.interval]
        if self.replicates is None:
            del d["replicates"]
        else:
            d["replicates"] = [_jsonable_float(v) for v in self.replicates]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MetricRecord:
        d = dict(d)
        d["value"] = _float_from_json(d["value"])
        if d.get("interval") is not None:
            d["interval"] = tuple(_float_from_json(v) for v in d["interval"])
        if d.get("replicates") is not None:
            d["replicates"] = tuple(_float_from_json(v) for v in d["replicates"])
        return cls(**d)


@dataclass
class GateResult:
    """How one gate judged one metric."""

    metric: str
    kind: str  # "threshold", "regression", "compare", "drift"
    status: str  # PASS, FAIL, WARN, NEW, INCONCLUSIVE, SKIP
    message: str
    value: float | None = None
    op: str | None = None
    threshold: float | None = None
    judged: float | None = None  # the value the gate compared (a bound when confidence is set)
    interval: tuple[float, float] | None = None
    confidence: float | None = None
    n: int | None = None
    severity: str = "fail"
    baseline: float | None = None
    tolerance: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def threshold_text(self) -> str:
        if self.op is None or self.threshold is None:
            return "-"
        text = f"{self.op} {format_value(self.threshold)}"
        if self.confidence is not None and self.kind == "threshold":
            text += f" (one-sided {self.confidence * 100:g}% bound)"
        return text

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("value", "threshold", "judged", "baseline"):
            d[key] = _jsonable_float(d[key])
        if self.interval is not None:
            d["interval"] = [_jsonable_float(v) for v in self.interval]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GateResult:
        d = dict(d)
        for key in ("value", "threshold", "judged", "baseline"):
            d[key] = _float_from_json(d.get(key))
        if d.get("interval") is not None:
            d["interval"] = tuple(_float_from_json(v) for v in d["interval"])
        return cls(**d)


@dataclass
class TestResult:
    """Everything one test recorded and every verdict on it."""

    __test__ = False  # not a pytest test class

    nodeid: str
    seed: int | None = None
    metrics: dict[str, MetricRecord] = field(default_factory=dict)
    gates: list[GateResult] = field(default_factory=list)
    drift: list[dict[str, Any]] = field(default_factory=list)
    comparisons: list[dict[str, Any]] = field(default_factory=list)
    #: pytest's outcome: passed, failed, error (setup or teardown), skipped, xfailed or xpassed
    outcome: str | None = None
    #: the first line of the error that failed the test (a gate's, an assert's, a fixture's)
    error: str | None = None
    #: where it failed: "setup", "call" or "teardown"
    when: str | None = None
    #: True once the body returned and the gates were judged: only then are its values complete
    judged: bool = False
    #: the test's file (relative to the rootdir) and 1-based line, for CI annotations
    file: str | None = None
    line: int | None = None
    #: with ``model_seeds``: one entry per seed, ``{"seed": int, "metrics": {name: value}}``
    replicates: list[dict[str, Any]] = field(default_factory=list)
    #: each mlgate_cache.model call during the test's setup or call: name, key, source ("cache" or
    #: "trained"), seconds, saved_seconds
    models: list[dict[str, Any]] = field(default_factory=list)
    plots: dict[str, Any] = field(default_factory=dict)  # compact picture summaries (summaries.py), bounded

    @property
    def failed_gates(self) -> list[GateResult]:
        return [g for g in self.gates if g.status == FAIL]

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodeid": self.nodeid,
            "seed": self.seed,
            "outcome": self.outcome,
            "error": self.error,
            "when": self.when,
            "judged": self.judged,
            "file": self.file,
            "line": self.line,
            "replicates": [
                {"seed": r["seed"], "metrics": {k: _jsonable_float(v) for k, v in r["metrics"].items()}}
                for r in self.replicates
            ],
            "metrics": {k: m.to_dict() for k, m in self.metrics.items()},
            "gates": [g.to_dict() for g in self.gates],
            "drift": list(self.drift),
            "comparisons": list(self.comparisons),
            "models": [dict(m) for m in self.models],
            "plots": dict(self.plots),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TestResult:
        return cls(
            nodeid=d["nodeid"],
            seed=d.get("seed"),
            outcome=d.get("outcome"),
            error=d.get("error"),
            when=d.get("when"),
            judged=bool(d.get("judged", False)),
            file=d.get("file"),
            line=d.get("line"),
            replicates=[
                {"seed": r["seed"], "metrics": {k: _float_from_json(v) for k, v in r["metrics"].items()}}
                for r in d.get("replicates", [])
            ],
            metrics={k: MetricRecord.from_dict(m) for k, m in d.get("metrics", {}).items()},
            gates=[GateResult.from_dict(g) for g in d.get("gates", [])],
            drift=list(d.get("drift", [])),
            comparisons=list(d.get("comparisons", [])),
            models=[dict(m) for m in d.get("models", [])],
            plots=dict(d.get("plots") or {}),
        )


def format_value(value: float | None) -> str:
    """Format a metric value the same way in every output."""
    if value is None:
        return "-"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    if value == 0:
        return "0"  # never "-0"
    return f"{value:.4g}"


def format_change(value: float | None, baseline: float | None) -> str:
    """``value - baseline`` signed ("+0.01", "-0.02"), "0" for float noise and for a change below the
    precision a baseline stores (6 significant digits), "-" when unknown."""
    if value is None or baseline is None:
        return "-"
    diff = value - baseline
    if math.isnan(diff):
        return "-"
    stored = 0.5 * 10.0 ** (math.floor(math.log10(abs(baseline))) - 5) if baseline and math.isfinite(baseline) else 0.0
    if abs(diff) <= max(stored, 1e-9 * max(1.0, abs(baseline))):
        return "0"  # the same model, stored at 6 digits or rounded differently: no change
    text = format_value(diff)
    return f"+{text}" if diff > 0 else text


def _jsonable_float(value: Any) -> Any:
    """JSON has no NaN/inf: encode them as strings so files stay valid JSON."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return str(value)
    return value


def _float_from_json(value: Any) -> Any:
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    return value


def jsonable(obj: Any) -> Any:
    """A copy of ``obj`` safe for strict JSON: NaN/inf become strings, tuples become lists."""
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return str(obj)
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return obj


def utc_now() -> str:
    """Current time, ISO 8601 UTC to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
