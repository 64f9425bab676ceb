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
        """Every output asked for, each on its own."""
        s = self.settings
        if s.save_baseline:
            self._attempt("--mlgate-save-baseline", s.baseline_path, self.save_baseline)
        if s.history is not None:
            self._attempt("--mlgate-history", s.history, self.append_history)
        markdown: str | None = None
        if s.report is not None or (s.step_summary and os.environ.get("GITHUB_STEP_SUMMARY") and self.results):
            markdown = self._markdown()
        if s.report is not None and markdown is not None:
            self._attempt("--mlgate-report", s.report, lambda p: self._write(p, markdown, "Markdown report"))
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary and s.step_summary and self.results and markdown is not None:
            self._attempt("$GITHUB_STEP_SUMMARY", Path(summary), lambda p: self._step_summary(markdown))
        if s.json is not None:
            self._attempt("--mlgate-json", s.json, self.write_json)
        if s.html is not None:
            self._attempt("--mlgate-html", s.html, self.write_html)

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
        from .trends import read_history

        try:
            return list(read_history(self.settings.history))
        except (OSError, ValueError):
            return []

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

        status = "interrupted" if self.verdict.interrupted else self.verdict.status
        append_history(path, history_record(self.results, self.provenance(), status))
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
