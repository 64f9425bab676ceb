"""Baseline file, provenance, regression tolerances and judgement, and run history.

The baseline is a JSON file mapping test node ids to their last accepted metric values.
Loading fails closed (:class:`BaselineError`) on anything it cannot trust. Pure stdlib,
no pytest import.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from .report import jsonable, utc_now, verdict_of, write_text_atomic
from .results import FAIL, INCONCLUSIVE, PASS, GateResult, TestResult, format_change, format_value

try:  # advisory locking is POSIX-only; elsewhere appends rely on O_APPEND alone
    import fcntl
except ImportError:  # pragma: no cover - exercised only on Windows
    fcntl = None  # type: ignore[assignment]

#: Baseline and history format version this code writes and the newest it reads.
BASELINE_VERSION = 1

#: Distributions whose versions go into provenance, when installed.
PROVENANCE_PACKAGES = ("pytest-mlgate", "pytest", "numpy", "pandas", "scipy", "scikit-learn")

_GIT_TIMEOUT = 5.0


class BaselineError(Exception):
    """A baseline file that cannot be read, parsed, trusted or written."""


class _NewerFormat(ValueError):
    """The file is fine, only written by a newer pytest-mlgate: upgrading is the cure, not rewriting it."""


_REPAIR = (
    "; fix it, restore it from version control, or delete it and run with --mlgate-save-baseline "
    "to write a new one"
)


@dataclass
class BaselineEntry:
    """One stored metric value with what is known about its uncertainty."""

    value: float
    n: int | None = None
    interval: tuple[float, float] | None = None
    confidence: float | None = None
    higher_is_better: bool | None = None

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


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _entry_from_json(raw: Any, where: str) -> BaselineEntry:
    """Validate one stored entry; ``where`` names it in the error (raised as ValueError)."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object, got {type(raw).__name__}")
    unknown = set(raw) - {"value", "n", "interval", "confidence", "higher_is_better"}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    value: Any = raw.get("value")
    if not _is_number(value) or not math.isfinite(value):
        raise ValueError(f"{where}: 'value' must be a finite number, got {value!r}")
    n = raw.get("n")
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 0):
        raise ValueError(f"{where}: 'n' must be a non-negative integer, got {n!r}")
    interval = raw.get("interval")
    if interval is not None:
        if (
            not isinstance(interval, list)
            or len(interval) != 2
            or not all(_is_number(v) and math.isfinite(v) for v in interval)
        ):
            raise ValueError(f"{where}: 'interval' must be two finite numbers, got {interval!r}")
        interval = (float(interval[0]), float(interval[1]))
    confidence = raw.get("confidence")
    if confidence is not None and (not _is_number(confidence) or not 0 < confidence < 1):
        raise ValueError(f"{where}: 'confidence' must be a number in (0, 1), got {confidence!r}")
    hib = raw.get("higher_is_better")
    if hib is not None and not isinstance(hib, bool):
        raise ValueError(f"{where}: 'higher_is_better' must be true, false or null, got {hib!r}")
    return BaselineEntry(float(value), n, interval, confidence, hib)


def baseline_ref(provenance: Mapping[str, Any]) -> str:
    """Short description of where a baseline came from: ``"abc1234 2026-11-27"``."""
    parts = []
    commit = provenance.get("commit")
    if isinstance(commit, str) and commit:
        parts.append(commit[:7] + ("+dirty" if provenance.get("dirty") else ""))
    date = provenance.get("date")
    if isinstance(date, str) and date:
        parts.append(date[:10])
    return " ".join(parts)


@dataclass
class Baseline:
    """Stored metric values: ``entries[nodeid][metric]``, with the provenance of the run that wrote them."""

    path: Path
    entries: dict[str, dict[str, BaselineEntry]] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    version: int = BASELINE_VERSION
    plots: dict[str, dict[str, Any]] = field(default_factory=dict)  # nodeid -> summaries.baseline_plots(...)

    @property
    def ref(self) -> str:
        """Commit and date of the run that wrote this baseline (see :func:`baseline_ref`)."""
        return baseline_ref(self.provenance)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Baseline | None:
        """Read ``path``; None when it does not exist, :class:`BaselineError` when it cannot be trusted."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise BaselineError(f"baseline file {path}: cannot be read: {exc}") from exc
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except ValueError as exc:
            raise BaselineError(f"baseline file {path}: malformed JSON: {exc}{_REPAIR}") from exc
        try:
            return cls._from_json(path, data)
        except _NewerFormat as exc:
            raise BaselineError(f"baseline file {path}: {exc}") from exc
        except ValueError as exc:
            raise BaselineError(f"baseline file {path}: {exc}{_REPAIR}") from exc

    @classmethod
    def _from_json(cls, path: Path, data: Any) -> Baseline:
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object at top level, got {type(data).__name__}")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError(
                f"'version' must be a positive integer (this pytest-mlgate writes {BASELINE_VERSION}), got {version!r}"
            )
        if version > BASELINE_VERSION:
            raise _NewerFormat(
                f"format version {version} was written by a newer pytest-mlgate "
                f"(this one reads up to version {BASELINE_VERSION}); upgrade pytest-mlgate"
            )
        provenance = data.get("provenance", {})
        if not isinstance(provenance, dict):
            raise ValueError("'provenance' must be an object")
        tests = data.get("tests")
        if not isinstance(tests, dict):
            raise ValueError("'tests' must be an object mapping test ids to metrics")
        entries: dict[str, dict[str, BaselineEntry]] = {}
        for nodeid, metrics in tests.items():
            if not isinstance(metrics, dict):
                raise ValueError(f"test {nodeid!r}: expected an object of metrics")
            entries[nodeid] = {
                name: _entry_from_json(raw, f"test {nodeid!r} metric {name!r}") for name, raw in metrics.items()
            }
        plots = data.get("plots", {})
        if not isinstance(plots, dict) or not all(isinstance(v, dict) for v in plots.values()):
            raise ValueError("'plots' must be an object mapping test ids to picture summaries")
        return cls(path=path, entries=entries, provenance=provenance, version=version, plots=plots)

    def get(self, nodeid: str, metric: str) -> BaselineEntry | None:
        """The stored entry for ``metric`` of test ``nodeid``, if any."""
        return self.entries.get(nodeid, {}).get(metric)

    def updated(
        self, results: Iterable[TestResult], provenance: Mapping[str, Any], *, drop: Iterable[str] = ()
    ) -> Baseline:
        """A new baseline: each test in ``results`` gets exactly its recorded metrics; others are kept,
        except the test ids in ``drop`` (tests that no longer exist).

        Tests that recorded no metric keep their stored entries. NaN/inf values are carried
        over and refused by :meth:`save`.
        """
        from .summaries import baseline_plots

        gone = set(drop)
        entries = {nodeid: dict(metrics) for nodeid, metrics in self.entries.items() if nodeid not in gone}
        plots = {nodeid: p for nodeid, p in self.plots.items() if nodeid not in gone}
        for result in results:
            if not result.metrics:
                continue
            plots.pop(result.nodeid, None)
            if baseline_plots(result.plots):
                plots[result.nodeid] = baseline_plots(result.plots)
            entries[result.nodeid] = {
                name: BaselineEntry(
                    value=float(m.value),
                    n=m.n,
                    interval=(float(m.interval[0]), float(m.interval[1])) if m.interval is not None else None,
                    confidence=m.confidence,
                    higher_is_better=m.higher_is_better,
                )
                for name, m in result.metrics.items()
            }
        return Baseline(
            path=self.path, entries=entries, provenance=dict(provenance), version=BASELINE_VERSION, plots=plots
        )

    def to_json(self) -> str:
        """The file text: sorted keys, indent 2, trailing newline. BaselineError on NaN/inf."""
        for nodeid, metrics in self.entries.items():
            for name, entry in metrics.items():
                numbers = [entry.value, *(entry.interval or ())]
                if not all(math.isfinite(v) for v in numbers):
                    raise BaselineError(
                        f"baseline file {self.path}: test {nodeid!r} metric {name!r} is not finite "
                        f"(value {entry.value!r}, interval {entry.interval!r}); NaN/inf cannot be stored"
                    )
        data = {
            "version": BASELINE_VERSION,
            "provenance": self.provenance,
            "tests": {
                nodeid: {name: entry.to_dict() for name, entry in metrics.items()}
                for nodeid, metrics in self.entries.items()
            },
        }
        if self.plots:
            data["plots"] = self.plots
        try:
            return json.dumps(data, sort_keys=True, indent=2, allow_nan=False, ensure_ascii=False) + "\n"
        except (TypeError, ValueError) as exc:
            raise BaselineError(f"baseline file {self.path}: cannot be encoded as JSON: {exc}") from exc

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write atomically to ``path`` (default :attr:`path`); BaselineError on NaN/inf or I/O error."""
        target = Path(path) if path is not None else self.path
        text = self.to_json()
        try:
            write_text_atomic(target, text)
        except OSError as exc:
            raise BaselineError(f"baseline file {target}: cannot be written: {exc}") from exc

    def unused(self, seen: set[tuple[str, str]]) -> list[tuple[str, str]]:
        """Stored ``(nodeid, metric)`` pairs not in ``seen``, sorted."""
        return sorted(
            (nodeid, name) for nodeid, metrics in self.entries.items() for name in metrics if (nodeid, name) not in seen
        )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a baseline file")


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def package_versions() -> dict[str, str]:
    """Installed versions of :data:`PROVENANCE_PACKAGES`; missing ones are omitted."""
    versions = {}
    for name in PROVENANCE_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def gather_provenance(root: str | os.PathLike[str]) -> dict[str, Any]:
    """Where and with what a run happened: commit, dirty, date, python, platform, packages.

    ``commit`` and ``dirty`` are None when ``root`` is not in a git work tree or git is missing.
    """
    root = Path(root)
    head = _git(root, "rev-parse", "HEAD")
    commit = (head.strip() or None) if head is not None else None
    dirty: bool | None = None
    if commit is not None:
        status = _git(root, "status", "--porcelain")
        dirty = bool(status.strip()) if status is not None else None
    return {
        "commit": commit,
        "dirty": dirty,
        "date": utc_now(),
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(),
        "packages": package_versions(),
    }


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
        return value
    if _is_number(value):
        amount, relative = float(value), False
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
    fails. With this run's ``interval``, a stored interval and a ``confidence``, a drop beyond
    tolerance fails only when this run's interval lies wholly beyond the threshold, and is
    INCONCLUSIVE otherwise.
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
    if value is None or math.isnan(value):
        gate.status = FAIL
        gate.message = f"{metric} is NaN; baseline {format_value(base)} (allowed {tolerance}){ref}"
        return gate
    change = value - base
    worsening = -change if higher_is_better else change
    eps = 1e-9 * max(1.0, abs(base), abs(allowed))
    gate.extra["change"] = change if math.isfinite(change) else None
    allowed_text = f"{format_value(allowed)} ({tolerance})" if tolerance.relative else str(tolerance)
    comparison = f"{format_value(value)} vs baseline {format_value(base)} ({format_change(value, base)}, allowed {allowed_text})"
    if not worsening > allowed + eps:
        gate.message = f"{metric} within tolerance: {comparison}{ref}"
        return gate
    if interval is not None and entry.interval is not None and confidence is not None:
        bound = interval[1] if higher_is_better else interval[0]
        gate.judged = bound
        significant = bound < threshold - eps if higher_is_better else bound > threshold + eps
        if not significant:
            gate.status = INCONCLUSIVE
            gate.message = (
                f"{metric} may have regressed: {comparison}; not significant: the {confidence:.0%} "
                f"interval [{format_value(interval[0])}, {format_value(interval[1])}] overlaps {op} "
                f"{format_value(threshold)}{ref}"
            )
            return gate
        gate.status = FAIL
        gate.message = (
            f"{metric} regressed: {comparison}; the {confidence:.0%} interval "
            f"[{format_value(interval[0])}, {format_value(interval[1])}] excludes {op} {format_value(threshold)}{ref}"
        )
        return gate
    gate.status = FAIL
    gate.message = f"{metric} regressed: {comparison}{ref}"
    return gate


def append_history(path: str | os.PathLike[str], record: Mapping[str, Any]) -> None:
    """Append ``record`` as one JSON line to ``path``.

    One ``os.write`` on an ``O_APPEND`` descriptor under an exclusive ``flock`` (where
    available), so concurrent writers never interleave or truncate each other's lines.
    Raises ValueError when the record holds NaN/inf or is not JSON-able.
    """
    line = json.dumps(record, sort_keys=True, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    data = (line + "\n").encode("utf-8")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        view = memoryview(data)
        while view:  # a regular file takes it in one write; the loop only guards short writes
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)  # closing releases the lock


def history_record(
    results: Iterable[TestResult], provenance: Mapping[str, Any], session_status: str
) -> dict[str, Any]:
    """One history line: time, commit, environment, status, and every test's metrics, gates and verdict."""
    tests = []
    for result in results:
        d = result.to_dict()
        d["verdict"] = verdict_of(result)
        tests.append(d)
    return jsonable(
        {
            "version": BASELINE_VERSION,
            "time": utc_now(),
            "commit": provenance.get("commit"),
            "dirty": provenance.get("dirty"),
            "environment": {
                k: provenance.get(k) for k in ("python", "implementation", "platform", "packages") if k in provenance
            },
            "status": session_status,
            "tests": tests,
        }
    )
