"""Renderers of one run's results: terminal table, Markdown (pull-request comment) and JSON.

Every renderer reads the :class:`~pytest_mlgate.results.TestResult` records and the one
:class:`~pytest_mlgate.policy.RunVerdict` computed from them; nothing here judges a metric or
decides a status. Pure stdlib, no pytest import.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .policy import RunVerdict, count_statuses, run_verdict, test_status, worst_status  # noqa: F401
from .results import (  # noqa: I001
    FAIL,
    INCONCLUSIVE,
    NEW,
    PASS,
    SKIP,
    WARN,
    GateResult,
    TestResult,
    format_change,
    format_value,
    jsonable,
    utc_now,
)

#: Report JSON format version.
REPORT_VERSION = 1

#: Columns of the summary table, in order.
COLUMNS = ("test", "metric", "gate", "value", "threshold", "baseline", "change", "status")

#: Model tests failed outside their gates that the Markdown lists one by one; the rest are counted.
MAX_LISTED_FAILURES = 50

_ICONS = {FAIL: "❌", INCONCLUSIVE: "❔", WARN: "⚠️", NEW: "🆕", PASS: "✅", SKIP: "⏭️"}

_NONE = "-"


def verdict_of(result: TestResult) -> str:
    """A test's status: FAIL when pytest failed it or a gate failed, else its worst gate status."""
    return test_status(result)


def overall_status(results: Sequence[TestResult]) -> str:
    """The run's status from ``results`` alone (see :func:`~pytest_mlgate.policy.run_verdict`)."""
    return run_verdict(results).status


def _value_text(gate: GateResult) -> str:
    """The value cell: the point value, and for a confidence or compare gate the bound it judged."""
    text = format_value(gate.value)
    if gate.kind == "compare" and gate.interval is not None:
        lo, hi = gate.interval
        level = f"{gate.confidence * 100:g}% " if gate.confidence is not None else ""
        return f"{_signed(gate.value)} ({level}interval [{_signed(lo)}, {_signed(hi)}])"
    seeds = gate.extra.get("replicates")
    if seeds and gate.confidence is None and gate.judged is not None:
        return f"{text} (mean of {len(seeds)} seeds; worst {format_value(gate.judged)})"
    if gate.confidence is not None and gate.judged is not None and gate.judged != gate.value:
        from .gates import bound_label

        return f"{text} ({bound_label(gate.op in ('>=', '>'), gate.confidence)} {format_value(gate.judged)})"
    return text


def _signed(value: float | None) -> str:
    if value is None:
        return _NONE
    text = format_value(value)
    return f"+{text}" if isinstance(value, (int, float)) and value > 0 else text


def _change_text(gate: GateResult) -> str:
    """current minus baseline, with "worse" or "better" where the gate knows the direction."""
    if gate.baseline is None or gate.value is None:
        return _NONE
    text = format_change(gate.value, gate.baseline)
    if text in ("0", _NONE) or gate.op is None:
        return text
    better = (gate.value > gate.baseline) == (gate.op in (">=", ">"))
    return f"{text} ({'better' if better else 'worse'})"


def summary_rows(results: Sequence[TestResult], *, baseline_present: bool) -> list[dict[str, str]]:
    """One display row per gate, so every status can be told apart: threshold, regression,
    compare or drift (the ``gate`` column). A recorded metric without any gate gets a row with
    gate "-" and status "-". Rows hold formatted strings keyed by :data:`COLUMNS` plus
    ``"message"``; they follow each test's recording order, then gates on unrecorded metrics."""
    rows: list[dict[str, str]] = []
    for result in results:
        by_metric: dict[str, list[GateResult]] = {}
        for g in result.gates:
            by_metric.setdefault(g.metric, []).append(g)
        for name in list(result.metrics) + [m for m in by_metric if m not in result.metrics]:
            gates = by_metric.get(name, [])
            record = result.metrics.get(name)
            if not gates:
                rows.append({
                    "test": result.nodeid, "metric": name, "gate": _NONE,
                    "value": format_value(record.value if record is not None else None), "threshold": _NONE,
                    "baseline": _NONE, "change": _NONE,
                    "status": NEW if baseline_present and result.judged else _NONE,
                    "message": "",
                })
            for gate in gates:
                rows.append({
                    "test": result.nodeid, "metric": name, "gate": gate.kind,
                    "value": _value_text(gate) if gate.value is not None or record is None
                    else format_value(record.value),
                    "threshold": gate.threshold_text,
                    "baseline": format_value(gate.baseline) if gate.baseline is not None else _NONE,
                    "change": _change_text(gate),
                    "status": gate.status,
                    "message": gate.message if gate.status != PASS else "",
                })
    return rows


def _align(table: list[Sequence[str]]) -> list[str]:
    """Left-justified columns two spaces apart, with a dashed line under the first row."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def verdict_text(verdict: RunVerdict) -> str:
    """The run's verdict in words, the same sentence in every output."""
    counts = verdict.counts
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
    failed_tests = [f for f in verdict.failures if not f.by_gates]
    errored = sum(1 for f in failed_tests if f.outcome == "error")
    if verdict.interrupted:
        head = "run interrupted: results are incomplete"
    elif counts[FAIL]:
        head = f"{counts[FAIL]} of {_plural(total, 'gate')} failed"
        if failed_tests:
            head += f", and {_plural(len(failed_tests), 'model test')} failed outside its gates" + (
                f" ({errored} with errors)" if errored else "")
    elif failed_tests:
        head = f"{_plural(len(failed_tests), 'model test')} failed" + (f" ({errored} with errors)" if errored else "")
        head += f"; {counts[PASS]} of {_plural(total, 'gate')} passed" if total else ", no gate evaluated"
    elif verdict.errors and verdict.status == FAIL:
        head = f"{_plural(len(verdict.errors), 'output')} could not be written"
        head += f"; {counts[PASS]} of {_plural(total, 'gate')} passed" if total else ""
    elif verdict.status == FAIL:
        head = "pytest failed the run"
        head += f"; {counts[PASS]} of {_plural(total, 'gate')} passed" if total else ""
    elif total == 0:
        return f"no gates evaluated ({_plural(verdict.tests, 'model test')})"
    elif verdict.status in (INCONCLUSIVE, WARN):
        head = f"no gate failed, {counts[PASS]} of {_plural(total, 'gate')} passed"
    elif counts[PASS] == total:
        return f"all {_plural(total, 'gate')} passed"
    else:
        head = f"{counts[PASS]} of {_plural(total, 'gate')} passed"
    return head + tail


def verdict_line(verdict: RunVerdict | Sequence[TestResult]) -> str:
    """The bold one-line verdict a Markdown report starts with."""
    if not isinstance(verdict, RunVerdict):
        verdict = run_verdict(verdict)
    icon = {FAIL: "❌", INCONCLUSIVE: "⚠️", WARN: "⚠️", PASS: "✅"}.get(verdict.status, "ℹ️")
    if verdict.counts["gates"] == 0 and verdict.status == PASS:
        icon = "ℹ️"
    return f"**{icon} {verdict.status}: {verdict_text(verdict)}**"


def _failure_lines(verdict: RunVerdict) -> list[str]:
    return [f"{f.nodeid} ({f.outcome}): {f.line}" for f in verdict.failures]


def render_terminal(
    results: Sequence[TestResult],
    *,
    baseline_present: bool,
    unused: Iterable[tuple[str, str]] = (),
    verdict: RunVerdict | None = None,
) -> list[str]:
    """Aligned text lines: the gate table, unused baseline entries, the failed model tests, and
    the run's verdict last. Empty when no model test ran."""
    if not results:
        return []
    verdict = verdict or run_verdict(results)
    rows = summary_rows(results, baseline_present=baseline_present)
    lines: list[str] = []
    if rows:
        table: list[Sequence[str]] = [COLUMNS]
        table.extend([row[c] for c in COLUMNS] for row in rows)
        lines.extend(_align(table))
    for test, metric in unused:
        lines.append(f"unused baseline entry: {test} {metric} (no test recorded it)")
    for line in _failure_lines(verdict):
        lines.append(f"failed: {line}")
    lines.append(f"mlgate: {verdict.status}: {verdict_text(verdict)}")
    return lines


def github_annotations(results: Sequence[TestResult]) -> list[str]:
    """GitHub Actions workflow commands: an ``::error`` per failed gate (or model test that failed
    outside its gates), a ``::warning`` per warned or inconclusive one, on the test's line."""
    lines = []
    for result in results:
        where = ""
        if result.file:
            where = f" file={_gh_property(result.file)}" + (f",line={result.line}" if result.line else "")
        title = f",title={_gh_property('mlgate: ' + result.nodeid)}" if where else ""
        for gate in result.gates:
            level = {FAIL: "error", WARN: "warning", INCONCLUSIVE: "warning"}.get(gate.status)
            if level is not None:
                lines.append(f"::{level}{where}{title}::{_gh_data(f'{gate.status} ({gate.kind}): {gate.message}')}")
        if result.outcome in ("failed", "error") and not any(g.status == FAIL for g in result.gates):
            lines.append(f"::error{where}{title}::{_gh_data(f'{result.outcome}: {result.error or result.outcome}')}")
    return lines


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _cell(text: Any) -> str:
    """A Markdown table cell: ``|`` escaped, line breaks flattened."""
    return str(text).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return lines


def _cache_lines(results: Sequence[TestResult]) -> list[str]:
    """Which models came from the model cache and which were trained, with the time saved."""
    uses = [m for r in results for m in r.models]
    if not uses:
        return []
    cached = [m for m in uses if m.get("source") == "cache"]
    saved = sum(float(m.get("saved_seconds") or 0.0) for m in cached)
    names = ", ".join(f"`{m.get('name')}`" for m in uses if m.get("source") != "cache")
    trained = f"{len(uses) - len(cached)} trained" + (f" ({names})" if names else "")
    return ["", f"Models: {len(cached)} from the cache, {trained}; training time saved {saved:.1f} s"]


def _status_cell(status: str) -> str:
    icon = _ICONS.get(status)
    return f"{icon} {status}" if icon else status


def _test_table(result: TestResult, baseline_present: bool) -> list[str]:
    rows = summary_rows([result], baseline_present=baseline_present)
    return _md_table(
        ("metric", "gate", "value", "threshold", "baseline", "change", "status"),
        (
            (f"`{r['metric']}`", r["gate"], r["value"], r["threshold"], r["baseline"], r["change"],
             _status_cell(r["status"]))
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
        if item.get("expected"):
            flag = "drift detected, as the test expected (it caught DriftDetected)"
        else:
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
        not item.get("expected")
        and (item.get("drifted") or any(c.get("drifted") for c in item.get("columns") or []))
        for item in result.drift
    )


def _needs_attention(result: TestResult) -> bool:
    return verdict_of(result) in (FAIL, INCONCLUSIVE, WARN, NEW) or _has_drift(result)


def render_markdown(
    results: Sequence[TestResult],
    *,
    baseline_present: bool,
    unused: Iterable[tuple[str, str]] = (),
    title: str = "pytest-mlgate",
    verdict: RunVerdict | None = None,
    history: Sequence[Mapping[str, Any]] = (),
) -> str:
    """A pull-request comment: the run's verdict first, the model tests that failed with the first
    line of their error, then a section per test that needs attention (a gate failed, warned, was
    inconclusive or is new, pytest failed it, or a dataset drifted). Passing tests' tables and
    unused baseline entries go in a collapsed ``<details>`` block. With ``history`` records, gated
    metrics' trends follow as Mermaid charts; the whole stays within a GitHub comment's 65,536
    characters."""
    verdict = verdict or run_verdict(results)
    unused = list(unused)
    lines = [f"## {title}", "", verdict_line(verdict)]
    lines += _cache_lines(results)
    outside = [f for f in verdict.failures if not f.by_gates]  # a failed gate has its own section below
    if outside:
        lines += ["", "Model tests that failed outside their gates:", ""]
        lines += [f"- `{f.nodeid}` ({f.outcome}): {' '.join(f.line.split())}" for f in outside[:MAX_LISTED_FAILURES]]
        if len(outside) > MAX_LISTED_FAILURES:
            lines.append(f"- and {len(outside) - MAX_LISTED_FAILURES} more (see the JSON report's `failures`)")
    attention = [r for r in results if _needs_attention(r)]
    quiet = [r for r in results if not _needs_attention(r)]
    for result in attention:
        status = verdict_of(result)
        icon = "🌊" if status not in (FAIL, INCONCLUSIVE, WARN) and _has_drift(result) else _ICONS.get(status, "")
        lines += ["", f"### {icon} `{result.nodeid}`" if icon else f"### `{result.nodeid}`", ""]
        if result.outcome in ("failed", "error") and result.error:
            lines += [f"pytest: **{result.outcome}** ({result.when or 'call'}): {' '.join(result.error.split())}", ""]
        if result.metrics or result.gates:
            lines += _test_table(result, baseline_present)
        else:
            lines.append("no metrics recorded")
        messages = [g for g in result.gates if g.status in (FAIL, INCONCLUSIVE, WARN, SKIP)]
        if messages:
            lines.append("")
            lines.extend(f"- {_status_cell(g.status)} ({g.kind}): {' '.join(g.message.split())}" for g in messages)
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
                    lines.extend(f"- {_status_cell(g.status)} ({g.kind}): {' '.join(g.message.split())}"
                                 for g in skipped)
            else:
                lines.append("no metrics recorded")
            lines += _drift_lines(result)
        if unused:
            lines += ["", "**Unused baseline entries** (no test recorded them):", ""]
            lines += _md_table(("test", "metric"), ((f"`{t}`", f"`{m}`") for t, m in unused))
        lines += ["", "</details>"]
    from .trends import fit_markdown, mermaid_trends

    return fit_markdown("\n".join(lines) + "\n" + mermaid_trends(results, history))


def render_json(
    results: Sequence[TestResult],
    *,
    baseline_present: bool,
    unused: Iterable[tuple[str, str]] = (),
    provenance: Mapping[str, Any] | None = None,
    verdict: RunVerdict | None = None,
) -> dict[str, Any]:
    """The machine-readable report; valid for ``json.dumps(..., allow_nan=False)``."""
    verdict = verdict or run_verdict(results)
    counts = verdict.counts
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
                "failed_tests": sum(1 for f in verdict.failures if f.outcome == "failed" and not f.by_gates),
                "errored_tests": sum(1 for f in verdict.failures if f.outcome == "error" and not f.by_gates),
                "skipped_tests": sum(1 for r in results if r.outcome in ("skipped", "xfailed")),
                "output_errors": list(verdict.errors),
                "interrupted": verdict.interrupted,
                "status": verdict.status,
                "verdict": verdict_text(verdict),
            },
            "failures": [{"nodeid": f.nodeid, "outcome": f.outcome, "message": f.line} for f in verdict.failures],
            "tests": [dict(r.to_dict(), status=verdict_of(r)) for r in results],
            "unused_baseline": [{"test": t, "metric": m} for t, m in unused],
            "provenance": dict(provenance) if provenance is not None else None,
        }
    )


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`pytest_mlgate._files.write_text_atomic`).

    Readers see the old content or the new one, never a partial file; a symbolic link is kept
    and its target replaced; no temporary file survives a failure; errors name ``path``.
    """
    from ._files import write_text_atomic as write

    write(path, text)


def append_step_summary(text: str, env: Mapping[str, str] = os.environ) -> bool:
    """Append ``text`` to the file named by ``$GITHUB_STEP_SUMMARY``; False when it is unset."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    from ._files import append_whole

    if not text.endswith("\n"):
        text += "\n"
    try:
        append_whole(target, text.encode("utf-8"), create_parents=False)  # the runner made its directory
    except OSError as exc:
        raise OSError(f"$GITHUB_STEP_SUMMARY={target}: cannot append the report: {exc.strerror or exc}") from exc
    return True
