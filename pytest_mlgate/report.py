"""Renderers of recorded results: terminal table, Markdown (pull-request comment) and JSON.

Every renderer reads :class:`~pytest_mlgate.results.TestResult` records and the statuses the
gates already decided; nothing here judges a metric. Pure stdlib, no pytest import.
"""

from __future__ import annotations

import math
import os
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .results import (
    FAIL, INCONCLUSIVE, NEW, PASS, SKIP, WARN, GateResult, TestResult, format_change, format_value,
)

#: Report JSON format version.
REPORT_VERSION = 1

#: Columns of the summary table, in order.
COLUMNS = ("test", "metric", "value", "threshold", "baseline", "change", "status")

#: Statuses from worst to best; the worst one present is a test's (or a session's) verdict.
_SEVERITY = (FAIL, INCONCLUSIVE, WARN, NEW, PASS, SKIP)

_ICONS = {FAIL: "❌", INCONCLUSIVE: "❔", WARN: "⚠️", NEW: "🆕", PASS: "✅", SKIP: "⏭️"}

_NONE = "-"


def worst_status(statuses: Iterable[str]) -> str:
    """The worst of ``statuses`` (FAIL > INCONCLUSIVE > WARN > NEW > PASS); "-" when empty."""
    present = set(statuses)
    for status in _SEVERITY:
        if status in present:
            return status
    return _NONE


def verdict_of(result: TestResult) -> str:
    """A test's verdict: the worst status among its gates, "-" when it has no gate."""
    return worst_status(g.status for g in result.gates)


def count_statuses(results: Iterable[TestResult]) -> dict[str, int]:
    """Number of gates per status over all ``results``, plus ``"gates"`` (the total)."""
    counts = {status: 0 for status in _SEVERITY}
    total = 0
    for result in results:
        for gate in result.gates:
            counts[gate.status] = counts.get(gate.status, 0) + 1
            total += 1
    counts["gates"] = total
    return counts


def overall_status(results: Iterable[TestResult]) -> str:
    """Session verdict from the gates: worst gate status, NEW counting as PASS, PASS if none."""
    status = worst_status(g.status for r in results for g in r.gates)
    return PASS if status in (NEW, SKIP, _NONE) else status


def _ungated_status(baseline_present: bool) -> str:
    return NEW if baseline_present else _NONE


def summary_rows(results: Sequence[TestResult], *, baseline_present: bool) -> list[dict[str, str]]:
    """One display row per gate, with the metric's baseline and change beside it.

    Rows hold formatted strings keyed by :data:`COLUMNS` plus ``"message"``. Each threshold,
    compare or drift gate is a row; the metric's comparison with the baseline fills that row's
    baseline and change cells and counts towards its status. A metric judged only against the
    baseline gets one row; a metric without any gate has threshold "-" and status NEW when a
    baseline file was configured, else "-". Rows follow each test's recording order; gates on
    unrecorded metrics come last.
    """
    rows: list[dict[str, str]] = []
    for result in results:
        by_metric: dict[str, list[GateResult]] = {}
        for g in result.gates:
            by_metric.setdefault(g.metric, []).append(g)
        order = list(result.metrics) + [m for m in by_metric if m not in result.metrics]
        for name in order:
            gates = by_metric.get(name, [])
            record = result.metrics.get(name)
            regression = [g for g in gates if g.kind == "regression"]
            stored = next((g for g in regression if g.baseline is not None), None)
            own: list[GateResult | None] = [g for g in gates if g.kind != "regression"] or [None]
            for gate in own:
                judged = ([gate] if gate is not None else []) + regression
                value = record.value if record is not None else next(
                    (g.value for g in judged if g.value is not None), None
                )
                rows.append(
                    {
                        "test": result.nodeid,
                        "metric": name,
                        "value": format_value(value),
                        "threshold": gate.threshold_text if gate is not None else _NONE,
                        "baseline": format_value(stored.baseline) if stored is not None else _NONE,
                        "change": format_change(value, stored.baseline) if stored is not None else _NONE,
                        "status": worst_status(g.status for g in judged) if judged else _ungated_status(baseline_present),
                        "message": "; ".join(g.message for g in judged if g.status != PASS),
                    }
                )
    return rows


def _align(table: list[Sequence[str]]) -> list[str]:
    """Left-justified columns two spaces apart, with a dashed line under the first row."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def render_terminal(
    results: Sequence[TestResult],
    *,
    baseline_present: bool,
    unused: Iterable[tuple[str, str]] = (),
) -> list[str]:
    """Aligned text lines: header, separator, one line per summary row, one per unused entry.

    Returns an empty list when there is nothing to show.
    """
    rows = summary_rows(results, baseline_present=baseline_present)
    lines: list[str] = []
    if rows:
        table: list[Sequence[str]] = [COLUMNS]
        table.extend([row[c] for c in COLUMNS] for row in rows)
        lines.extend(_align(table))
    for test, metric in unused:
        lines.append(f"unused baseline entry: {test} {metric} (no test recorded it)")
    return lines


def _cell(text: Any) -> str:
    """A Markdown table cell: ``|`` escaped, line breaks flattened."""
    return str(text).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return lines


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def verdict_line(results: Sequence[TestResult]) -> str:
    """The bold one-line verdict a Markdown report starts with."""
    counts = count_statuses(results)
    total = counts["gates"]
    extras = []
    if counts[INCONCLUSIVE]:
        extras.append(f"{counts[INCONCLUSIVE]} inconclusive")
    if counts[WARN]:
        extras.append(_plural(counts[WARN], "warning"))
    if counts[NEW]:
        extras.append(f"{counts[NEW]} new")
    if counts[SKIP]:
        extras.append(f"{counts[SKIP]} too small to judge")
    tail = f" ({', '.join(extras)})" if extras else ""
    if total == 0:
        n_metrics = sum(len(r.metrics) for r in results)
        return f"**ℹ️ no gates evaluated** ({_plural(n_metrics, 'metric')} recorded)"
    if counts[FAIL]:
        return f"**❌ {counts[FAIL]} of {_plural(total, 'gate')} failed**{tail}"
    if counts[INCONCLUSIVE] or counts[WARN]:
        return f"**⚠️ no gate failed, {counts[PASS]} of {_plural(total, 'gate')} passed**{tail}"
    if counts[PASS] == total:
        return f"**✅ all {_plural(total, 'gate')} passed**"
    return f"**✅ {counts[PASS]} of {_plural(total, 'gate')} passed**{tail}"


def _status_cell(status: str) -> str:
    icon = _ICONS.get(status)
    return f"{icon} {status}" if icon else status


def _test_table(result: TestResult, baseline_present: bool) -> list[str]:
    rows = summary_rows([result], baseline_present=baseline_present)
    return _md_table(
        ("metric", "value", "threshold", "baseline", "change", "status"),
        (
            (f"`{r['metric']}`", r["value"], r["threshold"], r["baseline"], r["change"], _status_cell(r["status"]))
            for r in rows
        ),
    )


def _drift_lines(result: TestResult) -> list[str]:
    lines: list[str] = []
    for item in result.drift:
        columns = list(item.get("columns") or [])
        drifted = [c for c in columns if c.get("drifted")]
        share = item.get("drift_share")
        share_text = f", share {format_value(share)}" if isinstance(share, (int, float)) else ""
        flag = "❌ dataset drifted" if item.get("drifted") else "dataset not drifted"
        lines.append("")
        lines.append(f"**Drift**: {flag}: {len(drifted)} of {_plural(len(columns), 'column')} drifted{share_text}")
        if drifted:
            lines.append("")
            lines.extend(
                _md_table(
                    ("column", "method", "statistic", "p-value", "threshold", "drifted", "reason"),
                    (
                        (
                            f"`{c.get('name', '?')}`",
                            c.get("method") or _NONE,
                            _format_any(c.get("statistic")),
                            _format_any(c.get("p_value")),
                            _format_any(c.get("threshold")),
                            "yes" if c.get("drifted") else "no",
                            c.get("reason") or "",
                        )
                        for c in drifted
                    ),
                )
            )
    return lines


def _format_any(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return _NONE if value is None else str(value)
    if isinstance(value, (int, float)):
        return format_value(value)
    return str(value)


def _has_drift(result: TestResult) -> bool:
    return any(
        item.get("drifted") or any(c.get("drifted") for c in item.get("columns") or []) for item in result.drift
    )


def _needs_attention(result: TestResult) -> bool:
    return verdict_of(result) in (FAIL, INCONCLUSIVE, WARN, NEW) or _has_drift(result)


def render_markdown(
    results: Sequence[TestResult],
    *,
    baseline_present: bool,
    unused: Iterable[tuple[str, str]] = (),
    title: str = "pytest-mlgate",
    history: Sequence[Mapping[str, Any]] = (),
) -> str:
    """A pull-request comment: verdict first, then a section per test that needs attention.

    A test needs attention when a gate failed, warned, was inconclusive or is new, or a
    dataset/column drifted. Passing tests' tables and unused baseline entries go in a
    collapsed ``<details>`` block. With ``history`` records, gated metrics' trends follow as
    Mermaid charts; the whole stays within a GitHub comment's 65,536 characters.
    """
    unused = list(unused)
    lines = [f"## {title}", "", verdict_line(results)]
    attention = [r for r in results if _needs_attention(r)]
    quiet = [r for r in results if not _needs_attention(r)]
    for result in attention:
        verdict = verdict_of(result)
        if verdict not in (FAIL, INCONCLUSIVE, WARN) and _has_drift(result):
            icon = "🌊"
        else:
            icon = _ICONS.get(verdict, "")
        lines += ["", f"### {icon} `{result.nodeid}`" if icon else f"### `{result.nodeid}`", ""]
        lines += _test_table(result, baseline_present)
        messages = [g for g in result.gates if g.status in (FAIL, INCONCLUSIVE, WARN, SKIP)]
        if messages:
            lines.append("")
            lines.extend(f"- {_status_cell(g.status)}: {' '.join(g.message.split())}" for g in messages)
        lines += _drift_lines(result)
    if quiet or unused:
        parts = []
        if quiet:
            parts.append(f"{_plural(len(quiet), 'passing test')}")
        if unused:
            parts.append(f"{len(unused)} unused baseline {'entry' if len(unused) == 1 else 'entries'}")
        lines += ["", "<details>", f"<summary>{', '.join(parts)}</summary>"]
        for result in quiet:
            lines += ["", f"#### `{result.nodeid}`", ""]
            if result.metrics or result.gates:
                lines += _test_table(result, baseline_present)
                skipped = [g for g in result.gates if g.status == SKIP]
                if skipped:
                    lines.append("")
                    lines.extend(f"- {_status_cell(g.status)}: {' '.join(g.message.split())}" for g in skipped)
            else:
                lines.append("no metrics recorded")
            lines += _drift_lines(result)
        if unused:
            lines += ["", "**Unused baseline entries** (no test recorded them):", ""]
            lines += _md_table(("test", "metric"), ((f"`{t}`", f"`{m}`") for t, m in unused))
        lines += ["", "</details>"]
    from .trends import fit_markdown, mermaid_trends

    return fit_markdown("\n".join(lines) + "\n" + mermaid_trends(results, history))


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


def render_json(
    results: Sequence[TestResult],
    *,
    baseline_present: bool,
    unused: Iterable[tuple[str, str]] = (),
    provenance: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The machine-readable report; valid for ``json.dumps(..., allow_nan=False)``."""
    counts = count_statuses(results)
    return jsonable(
        {
            "version": REPORT_VERSION,
            "created": utc_now(),
            "baseline_present": baseline_present,
            "summary": {
                "tests": len(results),
                "gates": counts["gates"],
                "passed": counts[PASS],
                "failed": counts[FAIL],
                "warned": counts[WARN],
                "new": counts[NEW],
                "inconclusive": counts[INCONCLUSIVE],
                "skipped": counts[SKIP],
                "status": overall_status(results),
            },
            "tests": [r.to_dict() for r in results],
            "unused_baseline": [{"test": t, "metric": m} for t, m in unused],
            "provenance": dict(provenance) if provenance is not None else None,
        }
    )


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: temp file in the same directory, fsync, replace.

    Readers see the old content or the new one, never a partial file. Parent directories
    are created.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp creates 0600; give the file the mode it had, else what open() would give (0666 & ~umask)
        os.chmod(tmp, _mode_for(target))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(target.parent)


def _mode_for(target: Path) -> int:
    """Permission bits for a rewrite of ``target``: its current ones, else 0666 minus the umask."""
    try:
        st = target.stat()
        if stat.S_ISREG(st.st_mode):
            return stat.S_IMODE(st.st_mode)
    except OSError:
        pass
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable where the platform allows opening directories."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def append_step_summary(text: str, env: Mapping[str, str] = os.environ) -> bool:
    """Append ``text`` to the file named by ``$GITHUB_STEP_SUMMARY``; False when it is unset."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    if not text.endswith("\n"):
        text += "\n"
    try:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise OSError(f"$GITHUB_STEP_SUMMARY={target}: cannot append the report: {exc.strerror or exc}") from exc
    return True
