"""Metric trends over the run history, and a Markdown report that fits GitHub's size limits.

:func:`metric_trends` turns history records (the lines ``--mlgate-history`` appends) into one
series per gated metric; :func:`mermaid_trends` draws them as Mermaid ``xychart-beta`` blocks,
which GitHub renders in comments and step summaries; :func:`fit_markdown` folds and truncates a
Markdown report until it fits a pull-request comment (65,536 characters) or a step summary
(1 MiB). Pure stdlib, no pytest import.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: GitHub's limit of a pull-request or issue comment, in characters.
COMMENT_LIMIT = 65_536
#: GitHub's limit of one step's job summary, in bytes.
STEP_SUMMARY_LIMIT = 1024 * 1024
#: Runs of the history a trend shows (the newest ones).
MAX_RUNS = 30
#: Mermaid charts in one Markdown report; the HTML report draws every trend.
MAX_CHARTS = 12

TRENDS_START = "<!-- mlgate:trends -->"
TRENDS_END = "<!-- /mlgate:trends -->"
_CHART_START = "<!-- mlgate:chart -->"


@dataclass
class Trend:
    """One gated metric of one test over the history runs."""

    nodeid: str
    metric: str
    labels: list[str]  # one per run: its number in the history and short commit
    values: list[float]
    thresholds: list[tuple[str, float]] = field(default_factory=list)  # (op, value) of threshold gates
    baseline: float | None = None
    status: str = "-"  # the newest run's worst status of this metric's gates


def read_history(path: str | os.PathLike[str] | None, *, limit: int = MAX_RUNS) -> list[dict[str, Any]]:
    """The newest ``limit`` records of a history file; [] when ``path`` is None or absent.

    Lines that are not JSON objects (a torn write, a hand edit) are skipped: a trend is a
    picture, not a gate.
    """
    if path is None:
        return []
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.readlines()
    except FileNotFoundError:
        return []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("tests"), list):
            records.append(record)
    return records[-limit:] if limit > 0 else records


def _label(record: Mapping[str, Any], i: int) -> str:
    """``"3 bd784cc"``: the run's place in the history, and its short commit when known."""
    commit = record.get("commit")
    return f"{i + 1} {commit[:7]}" if isinstance(commit, str) and commit else str(i + 1)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def _gate_dicts(test: Any) -> list[Mapping[str, Any]]:
    gates = test.get("gates") if isinstance(test, Mapping) else [g.to_dict() for g in test.gates]
    return [g for g in gates or [] if isinstance(g, Mapping)]


def _nodeid(test: Any) -> str:
    return str(test.get("nodeid") if isinstance(test, Mapping) else test.nodeid)


_ORDER = ("FAIL", "INCONCLUSIVE", "WARN", "NEW", "PASS", "SKIP")


def metric_trends(tests: Iterable[Any], history: Sequence[Mapping[str, Any]], *, min_runs: int = 2) -> list[Trend]:
    """A :class:`Trend` per threshold- or regression-gated metric of ``tests`` seen in ``min_runs`` runs.

    ``tests`` are :class:`~pytest_mlgate.results.TestResult` objects or their dicts (the JSON
    report's ``tests``); thresholds and the baseline come from this run's gates.
    """
    by_run: list[dict[str, Mapping[str, Any]]] = []
    for record in history:
        by_run.append({str(t.get("nodeid")): t for t in record.get("tests", []) if isinstance(t, Mapping)})
    trends = []
    for test in tests:
        nodeid = _nodeid(test)
        per_metric: dict[str, list[Mapping[str, Any]]] = {}
        for g in _gate_dicts(test):
            if g.get("kind") in ("threshold", "regression") and isinstance(g.get("metric"), str):
                per_metric.setdefault(g["metric"], []).append(g)
        for metric, gates in per_metric.items():
            labels, values = [], []
            for i, (record, run) in enumerate(zip(history, by_run)):
                m = (run.get(nodeid) or {}).get("metrics", {}).get(metric)
                v = _number(m.get("value")) if isinstance(m, Mapping) else None
                if v is not None:
                    labels.append(_label(record, i))
                    values.append(v)
            if len(values) < min_runs:
                continue
            thresholds = [
                (str(g.get("op")), float(g["threshold"]))
                for g in gates if g.get("kind") == "threshold" and _number(g.get("threshold")) is not None
            ]
            baseline = next((_number(g.get("baseline")) for g in gates if _number(g.get("baseline")) is not None), None)
            statuses = {str(g.get("status")) for g in gates}
            status = next((s for s in _ORDER if s in statuses), "-")
            trends.append(Trend(nodeid, metric, labels, values, thresholds, baseline, status))
    return trends


def _short(nodeid: str) -> str:
    return nodeid.rsplit("::", 1)[-1]


def _clean(text: str) -> str:
    """Text safe inside a quoted Mermaid label: comparison signs spelled out, syntax characters dropped."""
    for sign, word in ((">=", "≥"), ("<=", "≤"), (">", "above "), ("<", "below "), ("[", "("), ("]", ")")):
        text = text.replace(sign, word)
    return " ".join("".join(ch for ch in text if ch not in '"`{};#').split())


def mermaid_chart(trend: Trend) -> str:
    """One ``xychart-beta`` block: the metric's line, a flat line per threshold and one for the baseline."""
    series = [trend.values] + [[t] * len(trend.values) for _, t in trend.thresholds]
    if trend.baseline is not None:
        series.append([trend.baseline] * len(trend.values))
    flat = [v for s in series for v in s]
    lo, hi = min(flat), max(flat)
    pad = (hi - lo) * 0.1 or abs(hi) * 0.05 or 1.0
    parts = [f"{op} {t:.4g}" for op, t in trend.thresholds]
    if trend.baseline is not None:
        parts.append(f"baseline {trend.baseline:.4g}")
    title = f"{_short(trend.nodeid)} {trend.metric}" + (f" (flat lines: {', '.join(parts)})" if parts else "")
    lines = [
        "```mermaid",
        "xychart-beta",
        f'    title "{_clean(title)}"',
        "    x-axis [" + ", ".join(f'"{_clean(label)}"' for label in trend.labels) + "]",
        f'    y-axis "{_clean(trend.metric)}" {lo - pad:.4g} --> {hi + pad:.4g}',
    ]
    lines.extend("    line [" + ", ".join(f"{v:.4g}" for v in s) + "]" for s in series)
    lines.append("```")
    return "\n".join(lines)


def mermaid_trends(tests: Iterable[Any], history: Sequence[Mapping[str, Any]], *, max_charts: int = MAX_CHARTS) -> str:
    """A Markdown section of Mermaid trend charts ("" without history); failing metrics first."""
    trends = metric_trends(tests, history)
    if not trends:
        return ""
    trends.sort(key=lambda t: _ORDER.index(t.status) if t.status in _ORDER else len(_ORDER))
    shown = trends[:max_charts]
    lines = ["", TRENDS_START, f"### 📈 Trends over the last {len(history)} runs", ""]
    for trend in shown:
        lines += [_CHART_START, mermaid_chart(trend), ""]
    if len(trends) > len(shown):
        lines.append(f"{len(trends) - len(shown)} more trends are drawn in the HTML report (`--mlgate-html`).")
        lines.append("")
    lines.append(TRENDS_END)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- fitting GitHub's limits


def _size(text: str, unit: str) -> int:
    return len(text.encode("utf-8")) if unit == "bytes" else len(text)


@dataclass
class _Parts:
    head: list[str]
    sections: list[list[str]]  # "### " sections of tests that need attention
    details: list[str]
    charts: list[list[str]]
    trends_head: list[str]
    trends_tail: list[str]


def _split(text: str) -> _Parts:
    parts = _Parts([], [], [], [], [], [])
    current = parts.head
    in_trends = in_details = False
    for line in text.rstrip("\n").split("\n"):
        if line == TRENDS_START:
            current, in_trends = parts.trends_head, True
        elif line == TRENDS_END:
            current, in_trends = parts.trends_tail, False
        elif in_trends and line == _CHART_START:
            parts.charts.append([])
            current = parts.charts[-1]
            continue
        elif not in_trends and not in_details and line.startswith("### "):
            parts.sections.append([])
            current = parts.sections[-1]
        elif not in_trends and line == "<details>":
            current, in_details = parts.details, True
        current.append(line)
    return parts


def _join(p: _Parts, omitted: list[str], note: str) -> str:
    lines = list(p.head)
    for section in p.sections:
        lines += section
    if omitted:
        lines += ["", f"**{len(omitted)} more tests need attention** (details left out to fit):", ""]
        lines += omitted
    lines += p.details
    if p.trends_head:
        lines += p.trends_head
        for chart in p.charts:
            lines += [_CHART_START, *chart]
        lines += p.trends_tail
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def fit_markdown(
    text: str, limit: int = COMMENT_LIMIT, *, unit: str = "chars", html_hint: str = "the HTML report (`--mlgate-html`)"
) -> str:
    """``text`` when it fits ``limit``, else a shortened report that does, ending with a note.

    Least important first: the passing tests' collapsed tables, then trend charts from the
    last, then the sections of tests that need attention from the last (each kept as a one-line
    entry while those fit); as a last resort the text is cut. ``unit`` is ``"chars"`` (a comment)
    or ``"bytes"`` (UTF-8, a step summary).
    """
    if unit not in ("chars", "bytes"):
        raise ValueError(f"fit_markdown: unit must be 'chars' or 'bytes', got {unit!r}")
    if limit < 400:
        raise ValueError(f"fit_markdown: limit must be at least 400, got {limit!r}")
    if _size(text, unit) <= limit:
        return text
    kind = "characters" if unit == "chars" else "bytes"
    note = (
        f"> ✂️ Shortened to fit GitHub's limit of {limit:,} {kind}; {html_hint} has every test, table and picture."
    )
    p = _split(text)
    omitted: list[str] = []

    def fits() -> bool:
        return _size(_join(p, omitted, note), unit) <= limit

    if p.details and not fits():
        summary = next((line for line in p.details if line.startswith("<summary>")), "<summary>passing tests</summary>")
        p.details = ["", "<details>", summary, "", "Tables left out to fit.", "", "</details>"]
    while p.charts and not fits():
        p.charts.pop()
    while p.sections and not fits():
        section = p.sections.pop()
        title = section[0][4:] if section and section[0].startswith("### ") else "a test"
        omitted.insert(0, f"- {title}")
    while omitted and not fits():
        omitted.pop()
    if not p.charts:
        p.trends_head, p.trends_tail = [], []
    out = _join(p, omitted, note)
    if _size(out, unit) <= limit:
        return out
    tail = "\n\n" + note + "\n"
    budget = limit - _size(tail, unit)
    cut = out
    while _size(cut, unit) > budget:
        cut = cut[: max(0, len(cut) - max(1, (_size(cut, unit) - budget)))]
    return cut + tail
