"""Baseline file, provenance, regression tolerances and judgement, and run history.

The baseline is a JSON file mapping test node ids to their last accepted metric values.
Loading fails closed (:class:`BaselineError`) on anything it cannot trust. Pure stdlib,
no pytest import.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ._files import append_whole, locked, real_target, write_text_atomic
from .policy import test_status as verdict_of
from .regression import (  # noqa: F401 - the store re-exports the judging it stores for
    STORED_DIGITS,
    BaselineEntry,
    Tolerance,
    judge_regression,
    parse_tolerance,
    stored_resolution,
    stored_value,
)
from .results import TestResult, jsonable, utc_now

#: Baseline and history format version this code writes and the newest it reads.
BASELINE_VERSION = 1

#: Distributions whose versions go into provenance, when installed.
PROVENANCE_PACKAGES = ("pytest-mlgate", "pytest", "numpy", "pandas", "scipy", "scikit-learn")

_GIT_TIMEOUT = 5.0


#: Deepest nesting of arrays and objects a baseline file may have (the format itself needs 5).
MAX_DEPTH = 32

#: Longest run of digits accepted for one JSON number (a float holds about 17 significant ones).
_MAX_NUMBER_DIGITS = 400


class BaselineError(Exception):
    """A baseline file that cannot be read, parsed, trusted or written."""


class _NewerFormat(ValueError):
    """The file is fine, only written by a newer pytest-mlgate: upgrading is the cure, not rewriting it."""


_REPAIR = (
    "; fix it, restore it from version control, or delete it and run with --mlgate-save-baseline "
    "to write a new one"
)


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


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
    def load(cls, path: str | os.PathLike[str], *, must_exist: bool = False) -> Baseline | None:
        """Read ``path`` (through symbolic links); None when it does not exist and ``must_exist`` is false.

        :class:`BaselineError`, naming the file and the cause, for anything that cannot be trusted:
        a missing file when ``must_exist``, a dangling link, a directory, malformed JSON, duplicate
        keys, numbers a float cannot hold, nesting deeper than :data:`MAX_DEPTH`, a wrong structure.
        """
        path = Path(path)
        text = _read_text(path, must_exist=must_exist)
        if text is None:
            return None
        try:
            data = _strict_json(text)
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

        Tests that recorded no metric keep their stored entries. See :meth:`merged`.
        """
        from .summaries import baseline_plots

        results = list(results)
        plots = {r.nodeid: baseline_plots(r.plots) for r in results if r.metrics}
        return self.merged(entries_from_results(results), provenance=provenance, drop=drop, plots=plots)

    def merged(
        self,
        updates: Mapping[str, Mapping[str, BaselineEntry]],
        *,
        provenance: Mapping[str, Any],
        drop: Iterable[str] = (),
        plots: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Baseline:
        """A new baseline: each test in ``updates`` gets exactly the given metrics, the others keep theirs,
        the ids in ``drop`` are removed.

        Values are kept at :data:`STORED_DIGITS` significant digits. A NaN/inf value is not stored:
        the metric keeps its stored entry (and :meth:`to_json` is not affected); see
        :func:`non_finite`. When no stored entry changed, the stored provenance is kept. ``plots``
        (test id -> the picture summaries the HTML report draws beside the current ones) replaces the
        stored pictures of the tests it names.
        """
        gone = set(drop)
        kept_plots = {nodeid: p for nodeid, p in self.plots.items() if nodeid not in gone}
        for nodeid, p in (plots or {}).items():
            kept_plots.pop(nodeid, None)
            if p:
                kept_plots[nodeid] = dict(p)
        entries = {nodeid: dict(metrics) for nodeid, metrics in self.entries.items() if nodeid not in gone}
        for nodeid, metrics in updates.items():
            old = self.entries.get(nodeid, {})
            new: dict[str, BaselineEntry] = {}
            for name, entry in metrics.items():
                if entry.finite:
                    new[name] = _settle(entry.stored(), old.get(name))
                elif name in old:
                    new[name] = old[name]
            entries[nodeid] = new
        entries = {nodeid: metrics for nodeid, metrics in entries.items() if metrics}
        unchanged = _as_stored(entries) == _as_stored(self.entries)
        kept = self.provenance if unchanged and self.provenance else dict(provenance)
        return Baseline(path=self.path, entries=entries, provenance=kept, version=BASELINE_VERSION, plots=kept_plots)

    @classmethod
    def merge_save(
        cls,
        path: str | os.PathLike[str],
        updates: Mapping[str, Mapping[str, BaselineEntry]],
        *,
        provenance: Mapping[str, Any],
        drop: Iterable[str] = (),
        plots: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Baseline:
        """Merge ``updates`` into the file at ``path`` under an exclusive lock; the merged baseline.

        The file is re-read under the lock, so concurrent saves of any subsets of tests keep every
        update: each test in ``updates`` gets exactly the given metrics (see :meth:`merged`), tests
        not given keep theirs, ids in ``drop`` are removed. A symbolic link is followed: its target
        is updated and the link kept. The file is only rewritten when something changed.
        :class:`BaselineError` when the stored file cannot be trusted or written, and after writing
        every finite value when some given values are NaN/inf (those keep their stored entries).
        """
        link = Path(path)
        target = real_target(link)
        bad = non_finite(updates)
        try:
            with locked(target):
                current = cls.load(link) or cls(path=link)
                merged = current.merged(updates, provenance=provenance, drop=drop, plots=plots)
                merged.path = link
                if target.exists() or merged.entries:
                    if not target.exists() or merged.to_json() != current.to_json():
                        merged.save(link)
        except OSError as exc:
            raise BaselineError(f"baseline file {link}: cannot be written: {exc}") from exc
        if bad:
            raise BaselineError(
                f"baseline file {link}: NaN/inf cannot be stored, not saved: "
                + ", ".join(f"test {t!r} metric {m!r}" for t, m in bad)
                + " (any stored values of these are kept; every other value was saved)"
            )
        return merged

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
                nodeid: {name: entry.stored().to_dict() for name, entry in metrics.items()}
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


def entries_from_results(results: Iterable[TestResult]) -> dict[str, dict[str, BaselineEntry]]:
    """What each test recorded, as baseline entries; tests that recorded nothing are left out.

    A metric's interval is stored only when its record has one.
    """
    out: dict[str, dict[str, BaselineEntry]] = {}
    for result in results:
        if not result.metrics:
            continue
        out[result.nodeid] = {
            name: BaselineEntry(
                value=float(m.value),
                n=m.n,
                interval=(float(m.interval[0]), float(m.interval[1])) if m.interval is not None else None,
                confidence=m.confidence if m.interval is not None else None,
                higher_is_better=m.higher_is_better,
            )
            for name, m in result.metrics.items()
        }
    return out


def _as_stored(entries: Mapping[str, Mapping[str, BaselineEntry]]) -> dict[str, dict[str, BaselineEntry]]:
    return {nodeid: {name: e.stored() for name, e in metrics.items()} for nodeid, metrics in entries.items()}


def _settle(new: BaselineEntry, old: BaselineEntry | None) -> BaselineEntry:
    """``new``, but with ``old``'s numbers where they differ by less than the stored precision."""
    if old is None or (new.n, new.confidence, new.higher_is_better) != (old.n, old.confidence, old.higher_is_better):
        return new

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= stored_resolution(b)

    value = old.value if close(new.value, old.value) else new.value
    interval = new.interval
    if new.interval is not None and old.interval is not None and all(map(close, new.interval, old.interval)):
        interval = old.interval
    return BaselineEntry(value, new.n, interval, new.confidence, new.higher_is_better)


def non_finite(updates: Mapping[str, Mapping[str, BaselineEntry]]) -> list[tuple[str, str]]:
    """``(test, metric)`` pairs of ``updates`` whose value or interval is NaN or infinite, sorted."""
    return sorted((nodeid, name) for nodeid, metrics in updates.items() for name, e in metrics.items() if not e.finite)


def _read_text(path: Path, *, must_exist: bool) -> str | None:
    """The file's text; None when it is missing and may be; BaselineError naming the cause otherwise."""
    if path.is_symlink() and not path.exists():
        raise BaselineError(
            f"baseline file {path}: is a symbolic link to {os.readlink(path)!r}, which does not exist; "
            "fix or remove the link"
        )
    if path.is_dir():
        raise BaselineError(f"baseline file {path}: cannot be read: it is a directory, not a file; give the path of a JSON file")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if must_exist:
            raise BaselineError(
                f"baseline file {path}: does not exist; check the path, or run with --mlgate-save-baseline "
                "to write it"
            ) from None
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline file {path}: cannot be read: {exc}") from exc


def _strict_json(text: str) -> Any:
    """``json.loads`` that refuses what a baseline never holds; ValueError naming the cause."""
    _check_depth(text)
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
            object_pairs_hook=_unique_object,
        )
    except RecursionError:  # a depth the pre-scan missed: same answer
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _check_depth(text: str) -> None:
    depth = 0
    for m in _BRACKETS.finditer(_STRINGS.sub("", text)):
        depth += 1 if m.group() in "[{" else -1
        if depth > MAX_DEPTH:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels (a baseline file needs 5)")


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r} in one object (which of the two to trust is unknown)")
        out[key] = value
    return out


def _parse_int(text: str) -> int:
    if len(text) > _MAX_NUMBER_DIGITS:
        raise ValueError(f"the number {text[:20]}... ({len(text)} digits) is too large for a float")
    value = int(text)
    try:
        float(value)
    except OverflowError:
        raise ValueError(f"the number {text[:20]}... ({len(text)} digits) is too large for a float") from None
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large for a float")
    return value


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


def append_history(path: str | os.PathLike[str], record: Mapping[str, Any]) -> None:
    """Append ``record`` as one whole JSON line to ``path``, or nothing.

    Under an exclusive ``flock`` (where available) on an ``O_APPEND`` descriptor, so concurrent
    writers never interleave; a failed or short write (a full disk) is cut back, and a file that
    does not end in a newline gets one first, so every line stays whole. Raises ValueError when
    the record holds NaN/inf or is not JSON-able, OSError naming ``path`` when it cannot be written.
    """
    line = json.dumps(record, sort_keys=True, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    append_whole(path, (line + "\n").encode("utf-8"))


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
