"""Writing one run's files: baseline, history, Markdown, step summary and JSON.

Each output is attempted on its own: one that cannot be written is an error naming its option and
path, and the others are still written. Nothing here decides a verdict; it renders the one
:class:`~pytest_mlgate.policy.RunVerdict` it is given.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .results import FAIL

if TYPE_CHECKING:
    from .baseline import Baseline
    from .options import Settings
    from .policy import RunVerdict
    from .results import TestResult


@dataclass
class RunOutputs:
    """The run as the outputs see it, and what writing them said."""

    settings: Settings
    results: Sequence[TestResult]
    verdict: RunVerdict
    baseline: Baseline | None
    unused: list[tuple[str, str]]
    gone: set[str]
    rootpath: Path
    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _provenance: dict[str, Any] | None = None

    def provenance(self) -> dict[str, Any]:
        if self._provenance is None:
            from .baseline import gather_provenance

            self._provenance = gather_provenance(self.rootpath)
        return self._provenance

    def write_all(self) -> None:
        """Every output asked for, each on its own, all rendering one verdict.

        A target that cannot be written (a directory, a file where a directory should be, no write
        permission) is found before anything is written, so the run's FAIL for it is in every other
        output; one that fails only while being written makes the reports already written be
        rewritten with the FAIL. The store goes first, the appends (step summary, history) last.
        """
        s = self.settings
        summary = os.environ.get("GITHUB_STEP_SUMMARY") if s.step_summary and self.results else None
        targets = [("--mlgate-save-baseline", s.baseline_path if s.save_baseline else None),
                   ("--mlgate-report", s.report), ("--mlgate-json", s.json), ("--mlgate-html", s.html),
                   ("$GITHUB_STEP_SUMMARY", Path(summary) if summary else None), ("--mlgate-history", s.history)]
        blocked = set()
        for option, path in targets:
            problem = None if path is None else unwritable(path)
            if problem is not None:
                blocked.add(option)
                self.errors.append(f"mlgate: ERROR {option}={path}: cannot write it: {problem}")
        self._refresh_verdict()
        if s.save_baseline and "--mlgate-save-baseline" not in blocked:
            self._attempt("--mlgate-save-baseline", s.baseline_path, self.save_baseline)
        files: list[tuple[str, Path, Callable[[Path], None]]] = [(option, path, writer) for option, path, writer in (
            ("--mlgate-report", s.report, self.write_markdown), ("--mlgate-json", s.json, self.write_json),
            ("--mlgate-html", s.html, self.write_html),
        ) if path is not None and option not in blocked]
        written = self._write_files(files)
        if summary and "$GITHUB_STEP_SUMMARY" not in blocked:
            self._attempt("$GITHUB_STEP_SUMMARY", Path(summary), lambda p: self._step_summary(self._markdown()))
            if self._refresh_verdict():
                self._write_files(written, again=True)
        if s.history is not None and "--mlgate-history" not in blocked:
            self._attempt("--mlgate-history", s.history, self.append_history)
            if self._refresh_verdict():
                self._write_files(written, again=True)

    def _write_files(self, files: Sequence[tuple[str, Path, Callable[[Path], None]]], *, again: bool = False
                     ) -> list[tuple[str, Path, Callable[[Path], None]]]:
        """Write the report files; when one fails, the verdict turns FAIL and those written are rewritten."""
        written = []
        for option, path, writer in files:
            before = len(self.errors)
            self._attempt(option, path, writer)
            if len(self.errors) == before:
                written.append((option, path, writer))
        if self._refresh_verdict() and not again:
            for option, path, writer in written:
                self._attempt(option, path, writer)
        return written

    def _refresh_verdict(self) -> bool:
        """Make the verdict FAIL, naming the outputs that could not be written; True when it changed."""
        if not self.errors or tuple(self.errors) == self.verdict.errors:
            return False
        from dataclasses import replace

        from .results import FAIL

        self.verdict = replace(self.verdict, status=FAIL, errors=tuple(self.errors))
        return True

    def write_markdown(self, path: Path) -> None:
        self._write(path, self._markdown(), "Markdown report")

    def _attempt(self, option: str, path: Path, write: Callable[[Path], None]) -> None:
        try:
            write(path)
        except Exception as exc:  # one broken output must not stop the others
            detail = str(exc)
            if detail.startswith(option):  # the error names the option already
                self.errors.append(f"mlgate: ERROR {detail}")
                return
            if str(path) in detail:  # the error names the file already
                self.errors.append(f"mlgate: ERROR {option}: {detail}")
            else:
                self.errors.append(f"mlgate: ERROR {option}={path}: cannot write it: {detail}")

    def _markdown(self) -> str:
        from .report import render_markdown

        return render_markdown(
            self.results, baseline_present=self.baseline is not None, unused=self.unused, verdict=self.verdict,
            history=self._history(),
        )

    def _history(self) -> list[dict[str, Any]]:
        """The recent runs of ``--mlgate-history`` (this one included once appended), for trends."""
        if self.settings.history is None:
            return []
        from .baseline import history_record
        from .trends import read_history

        try:
            records = list(read_history(self.settings.history))
        except (OSError, ValueError):
            records = []
        # this run, which is appended after the reports are written
        return [*records, history_record(self.results, self.provenance(), self.verdict.status)]

    def _write(self, path: Path, text: str, what: str) -> None:
        from .report import write_text_atomic

        write_text_atomic(path, text)
        self.messages.append(f"mlgate: {what} written to {path}")

    def _step_summary(self, markdown: str) -> None:
        from .report import append_step_summary

        if append_step_summary(markdown):
            self.messages.append("mlgate: report appended to $GITHUB_STEP_SUMMARY")

    def write_json(self, path: Path) -> None:
        from .report import render_json

        data = render_json(
            self.results, baseline_present=self.baseline is not None, unused=self.unused,
            provenance=self.provenance(), verdict=self.verdict,
        )
        self._write(path, json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n", "JSON report")

    def write_html(self, path: Path) -> None:
        from .html import render_html
        from .report import render_json

        data = render_json(
            self.results, baseline_present=self.baseline is not None, unused=self.unused,
            provenance=self.provenance(), verdict=self.verdict,
        )
        plots = self.baseline.plots if self.baseline is not None else {}
        self._write(path, render_html(data, history=self._history(), baseline_plots=plots), "HTML report")

    def append_history(self, path: Path) -> None:
        from .baseline import append_history, history_record

        record = history_record(self.results, self.provenance(), self.verdict.status)
        record["interrupted"] = self.verdict.interrupted
        append_history(path, record)
        self.messages.append(f"mlgate: history appended to {path}")

    def save_baseline(self, path: Path) -> None:
        """Store the values of the tests whose body completed; an interrupted run stores nothing."""
        from .baseline import Baseline

        if self.verdict.interrupted:
            self.messages.append("mlgate: run interrupted: baseline not saved")
            return
        complete = [r for r in self.results if savable(r)]
        kept = sum(1 for r in self.results if not _completed(r))
        if not complete and not self.gone:
            self.messages.append(f"mlgate: baseline not saved: no model test completed ({kept} kept their stored values)")
            return
        from .cacheplugin import with_models

        # under the lock, re-read and merged: concurrent saves of other subsets keep their updates
        from .summaries import baseline_plots

        Baseline.merge_save(path, _stored_entries(complete), provenance=with_models(self.provenance(), complete),
                            drop=self.gone, plots={r.nodeid: baseline_plots(r.plots) for r in complete})
        failing = sum(1 for r in complete if any(g.kind == "threshold" and g.status == FAIL for g in r.gates))
        note = f"; {failing} of them failed their thresholds" if failing else ""
        keep = f"; {kept} that did not complete kept their stored values" if kept else ""
        self.messages.append(f"mlgate: baseline saved to {path} ({len(complete)} tests{note}{keep})")
        if self.gone:
            gone = self.gone
            self.messages.append(
                f"mlgate: removed from the baseline: {len(gone)} {'test' if len(gone) == 1 else 'tests'} "
                f"that no longer exist ({', '.join(sorted(gone))})"
            )


def _completed(result: TestResult) -> bool:
    return result.judged and result.outcome not in ("error", "skipped")


def savable(result: TestResult) -> bool:
    """A test's values may replace its stored ones only when its body ran to the end: not when it
    errored, raised outside its gates, was skipped, or the run stopped inside it."""
    return _completed(result) and bool(result.metrics)


def _stored_entries(results: Sequence[TestResult]) -> dict[str, dict[str, Any]]:
    """The baseline entries of ``results``; an interval is kept only where a confidence gate used it,
    so the file does not churn with intervals no gate reads."""
    from dataclasses import replace

    from .baseline import entries_from_results

    entries = entries_from_results(results)
    for result in results:
        confident = {g.metric for g in result.gates if g.confidence is not None and g.kind in ("threshold", "regression")}
        stored = entries.get(result.nodeid, {})
        for name, entry in stored.items():
            if name not in confident and entry.interval is not None:
                stored[name] = replace(entry, interval=None, confidence=None)
    return entries


def unwritable(path: Path) -> str | None:
    """Why ``path`` cannot be written as a file, found without writing anything; None when it can."""
    if path.is_dir():
        return "it is a directory, not a file"
    if path.exists():
        return None if os.access(path, os.W_OK) else "the file is not writable (permissions or a read-only file system)"
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        return f"{parent} is a file, not a directory"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"the directory {parent} is not writable (permissions or a read-only file system)"
    return None
