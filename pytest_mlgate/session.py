"""The stateful side of the plugin: marker validation, per-test wiring, aggregation and outputs.

Loaded by :mod:`pytest_mlgate.plugin` only when a session has model tests or asks for reports,
so a plain pytest run never pays for it. It holds no statistics and no file formats; those live
in the pure core modules.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._context import active_drift_recorder
from .plugin import USAGE_HEADER, base_seed, collected_key, spec_key, state_key

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    from .baseline import Baseline, Tolerance
    from .fixture import ItemSpec, MlGate, Settings
    from .metrics import MetricRegistry
    from .results import GateResult, TestResult


def derive_seed(base: int, nodeid: str) -> int:
    """A 32-bit seed from the base seed and the test id: stable across runs, processes and xdist."""
    digest = hashlib.sha256(f"{base}\x00{nodeid}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


class ItemState:
    """One running model test: its result record and its fixture object."""

    def __init__(self, result: TestResult, spec: ItemSpec, fixture: MlGate) -> None:
        self.result = result
        self.spec = spec
        self.fixture = fixture


class MlgateSession:
    """The stateful plugin: validates markers, runs the per-test wiring, aggregates and writes outputs."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.is_worker = hasattr(config, "workerinput")
        self.results: dict[str, TestResult] = {}
        self.messages: list[str] = []
        self.usage_errors: list[str] = []
        self.collected: set[str] = config.stash[collected_key]  # filled by the plugin, deselected ids too
        self.order: dict[str, int] = {}
        self._registry: MetricRegistry | None = None
        self._baseline: Baseline | None = None
        self._baseline_loaded = False
        opt = config.option
        self.warn_only = bool(getattr(opt, "mlgate_warn_only", False))
        self.base_seed = base_seed(config)
        self._settings: Settings | None = None
        self._default_tolerance: Tolerance | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from .fixture import Settings

            self._settings = Settings(
                n_resamples=self._int_setting(None, None, "mlgate_bootstrap", minimum=0),
                min_slice_size=self._int_setting(None, None, "mlgate_min_slice_size", minimum=1),
                inconclusive=self._choice("mlgate_inconclusive", ("warn", "fail")),
                warn_only=self.warn_only,
                html_all_columns=bool(self.config.getini("mlgate_html_all_columns")),
            )
        return self._settings

    @property
    def default_tolerance(self) -> Tolerance:
        if self._default_tolerance is None:
            from .baseline import parse_tolerance

            raw = str(self.config.getini("mlgate_regression_tolerance")).strip()
            try:
                self._default_tolerance = parse_tolerance(raw)
            except ValueError as exc:
                raise pytest.UsageError(f"ini mlgate_regression_tolerance={raw!r}: {exc}") from None
        return self._default_tolerance

    # ------------------------------------------------------------------ settings
    def _int_setting(self, option: str | None, value: Any, ini: str, minimum: int | None = None) -> int:
        source = option if value is not None else f"ini {ini}"
        raw = value if value is not None else self.config.getini(ini)
        try:
            out = int(str(raw).strip())
        except ValueError:
            raise pytest.UsageError(f"{source}={raw!r}: expected an integer") from None
        if minimum is not None and out < minimum:
            raise pytest.UsageError(f"{source}={raw!r}: must be at least {minimum}")
        return out

    def _choice(self, ini: str, choices: tuple[str, ...]) -> str:
        raw = str(self.config.getini(ini)).strip().lower()
        if raw not in choices:
            raise pytest.UsageError(f"ini {ini}={raw!r}: expected one of {', '.join(choices)}")
        return raw

    @property
    def registry(self) -> MetricRegistry:
        if self._registry is None:
            from .metrics import MetricRegistry

            registry = MetricRegistry.default()
            try:
                self.config.hook.pytest_mlgate_add_metrics(registry=registry, config=self.config)
            except Exception as exc:  # a broken hook is a setup mistake: one usage error, not one per test
                raise pytest.UsageError(
                    f"pytest_mlgate_add_metrics{_user_location(exc)}: {type(exc).__name__}: {exc}"
                ) from exc
            self._registry = registry
        return self._registry

    def baseline_path(self) -> Path:
        option = self.config.getoption("mlgate_baseline")
        return self.output_path(option or str(self.config.getini("mlgate_baseline")), from_ini=not option)

    @property
    def baseline(self) -> Baseline | None:
        if not self._baseline_loaded:
            from .baseline import Baseline, BaselineError

            try:
                self._baseline = Baseline.load(self.baseline_path())
            except BaselineError as exc:
                raise pytest.UsageError(str(exc)) from None
            self._baseline_loaded = True
        return self._baseline

    # ------------------------------------------------------------------ collection
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, items: list[pytest.Item]) -> None:
        errors: list[str] = []
        has_models = any(item.get_closest_marker("model") is not None for item in items)
        registry_ok = True
        if has_models:
            try:
                self.registry  # noqa: B018 - the metrics hook runs here, once, before any marker is read
            except pytest.UsageError as exc:
                errors.append(str(exc))
                registry_ok = False
        for index, item in enumerate(items):
            self.order[item.nodeid] = index
            if item.get_closest_marker("model") is None or not registry_ok:
                continue
            spec, problems = self.parse_markers(item)
            item.stash[spec_key] = spec
            errors += [f"{item.nodeid}: {p}" for p in problems]
        if has_models:
            # bad settings and an unreadable baseline file are usage errors before any model trains
            try:
                self.settings, self.default_tolerance, self.baseline  # noqa: B018
            except pytest.UsageError as exc:
                errors.append(str(exc))
        if errors and self.is_worker:
            # a usage error would crash an xdist worker: run nothing, and let the controller say why
            self.config.workeroutput["mlgate_usage_errors"] = errors  # type: ignore[attr-defined]
            items[:] = []
            return
        if errors:
            raise pytest.UsageError(USAGE_HEADER + "\n  " + "\n  ".join(errors))

    def parse_markers(self, item: pytest.Item) -> tuple[ItemSpec, list[str]]:
        from .baseline import parse_tolerance
        from .fixture import ItemSpec
        from .gates import GateSpecError, parse_gate

        spec = ItemSpec()
        problems: list[str] = []
        for mark in reversed(list(item.iter_markers("model_threshold"))):
            if mark.args:
                problems.append(f"model_threshold takes keyword arguments only, got positional {mark.args!r}")
            kwargs = dict(mark.kwargs)
            options = {k: kwargs.pop(k) for k in ("severity", "confidence", "slices") if k in kwargs}
            if not kwargs:
                problems.append("model_threshold names no metric, e.g. model_threshold(accuracy=0.9)")
            for metric, value in kwargs.items():
                try:
                    spec.gates.append(parse_gate(metric, value, direction=self.registry.direction, **options))
                except GateSpecError as exc:
                    problems.append(f"model_threshold: {exc}")
        for mark in item.iter_markers("model_regression"):
            if mark.args:
                problems.append(f"model_regression takes keyword arguments only, got positional {mark.args!r}")
            if not mark.kwargs:
                problems.append("model_regression names no metric, e.g. model_regression(accuracy=0.01)")
            for metric, value in mark.kwargs.items():
                if metric in spec.tolerances:
                    continue  # the closest marker wins
                try:
                    spec.tolerances[metric] = parse_tolerance(value)
                except (TypeError, ValueError) as exc:
                    problems.append(f"model_regression: {metric}={value!r}: {exc}")
        levels: dict[str, set[float]] = {}
        for gate in spec.gates:
            if gate.confidence is not None:
                levels.setdefault(gate.metric, set()).add(gate.confidence)
        for metric, found in levels.items():
            if len(found) > 1:  # one interval is computed per metric
                problems.append(
                    f"model_threshold: {metric} is gated at confidence levels {sorted(found)}; use one level per metric"
                )
        # deduplicate problems repeated once per gate of the same marker
        return spec, list(dict.fromkeys(problems))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """xdist controller: a worker found bad marker arguments and ran nothing."""
        output = getattr(node, "workeroutput", {})
        for line in output.get("mlgate_usage_errors", []):
            if line not in self.usage_errors:
                self.usage_errors.append(line)
        self.collected.update(output.get("mlgate_collected", []))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        for index, nodeid in enumerate(ids):
            self.order.setdefault(nodeid, index)

    # ------------------------------------------------------------------ running
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if item.get_closest_marker("model") is None:
            return
        spec = item.stash.get(spec_key, None)
        if spec is None:  # collected without modifyitems (e.g. a plugin re-adding items)
            spec, problems = self.parse_markers(item)
            if problems:
                pytest.fail(f"{USAGE_HEADER} {item.nodeid}: " + "; ".join(problems), pytrace=False)
        from .fixture import MlGate
        from .results import TestResult

        seed = derive_seed(self.base_seed, item.nodeid)
        result = TestResult(nodeid=item.nodeid, seed=seed)
        fixture = MlGate(result, spec, self.registry, self.settings, seed)
        item.stash[state_key] = ItemState(result, spec, fixture)
        if self.config.getini("mlgate_seed_globals"):
            import random

            import numpy as np

            random.seed(seed)
            np.random.seed(seed)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        """Run the test body, then judge its gates (any kind of item: functions, unittest, ...)."""
        state = item.stash.get(state_key, None)
        if state is None:
            return (yield)
        token = active_drift_recorder.set(state.fixture.record_drift)
        try:
            out = yield
        finally:
            active_drift_recorder.reset(token)
        from .gates import MlgateWarning
        from .results import FAIL, INCONCLUSIVE, WARN

        # The body returned, so a failed drift check in it raised DriftDetected and the test handled
        # it (e.g. pytest.raises): the test expected drift, so it is no gate of this test. Its report
        # stays in the results, where it shows what drifted.
        state.result.gates[:] = [g for g in state.result.gates if not (g.kind == "drift" and g.status == FAIL)]
        self.judge(item, state)
        lineno = item.location[1]
        for gate in state.result.gates:
            if gate.status in (WARN, INCONCLUSIVE) and gate.kind != "compare" and not gate.extra.get("accepted"):
                # compare() warned already; a regression accepted by --mlgate-save-baseline is no surprise
                warnings.warn_explicit(
                    MlgateWarning(f"{item.nodeid}: {gate.message}"), MlgateWarning,
                    filename=str(item.path), lineno=(lineno or 0) + 1,
                )
        failed = state.result.failed_gates
        if failed:
            pytest.fail(self.failure_message(item, state.result, failed), pytrace=False)
        return out

    def judge(self, item: pytest.Item, state: ItemState) -> None:
        """Judge every gate of the test against what it recorded; fail closed."""
        from .metrics import split_slice_name
        from .results import FAIL, SKIP, WARN, GateResult, format_value

        result, spec = state.result, state.spec
        verdicts: list[GateResult] = []
        for gate in spec.gates:
            record = result.metrics.get(gate.metric)
            verdicts.append(
                gate.judge(
                    None if record is None else record.value, n=None if record is None else record.n,
                    interval=None if record is None else record.interval, warn_only=self.warn_only,
                )
            )
            if not gate.slices:
                continue
            slices = [m for m in result.metrics.values() if split_slice_name(m.name)[0] == gate.metric
                      and m.slice_column is not None]
            if not slices:
                verdicts.append(GateResult(
                    metric=gate.metric, kind="threshold", status=WARN if gate.severity == "warn" or self.warn_only
                    else FAIL, op=gate.op, threshold=gate.threshold, severity=gate.severity,
                    message=f"{gate.metric}: slices=True but the test recorded no slices of it "
                    "(pass slice_by= to mlgate.evaluate)",
                ))
            for m in slices:
                if m.n is not None and m.n < self.settings.min_slice_size:
                    verdicts.append(GateResult(
                        metric=m.name, kind="threshold", status=SKIP, value=m.value, op=gate.op,
                        threshold=gate.threshold, n=m.n, severity=gate.severity,
                        message=f"{m.name} = {m.value:.4g} (n={m.n}): not gated, slice smaller than "
                        f"mlgate_min_slice_size={self.settings.min_slice_size}",
                    ))
                else:
                    verdicts.append(gate.judge(m.value, n=m.n, interval=m.interval, warn_only=self.warn_only,
                                               metric=m.name))
        regressions = self.regression_verdicts(result, spec)
        stored = {g.metric: g.baseline for g in regressions if g.baseline is not None}
        for verdict in verdicts:
            if verdict.metric in stored:
                verdict.baseline = stored[verdict.metric]
                verdict.message += f" [baseline {format_value(verdict.baseline)}]"
        verdicts += regressions
        # compare() verdicts were added while the test ran; keep them after the marker gates
        result.gates[:0] = verdicts

    def regression_verdicts(self, result: TestResult, spec: ItemSpec) -> list[GateResult]:
        from .baseline import judge_regression
        from .results import FAIL, INCONCLUSIVE, NEW, PASS, WARN, GateResult, format_value

        # a metric model_regression names but the test never recorded fails closed, baseline or not
        # (unless a failing-severity threshold gate on it already says so)
        thresholds = {g.metric for g in spec.gates if g.severity != "warn"}
        out: list[GateResult] = [
            GateResult(
                metric=name, kind="regression", status=WARN if self.warn_only else FAIL,
                tolerance=str(tolerance),
                message=f"{name}: not recorded by the test, model_regression gate (tolerance {tolerance}) "
                "cannot pass (call mlgate.evaluate or mlgate.record)",
            )
            for name, tolerance in spec.tolerances.items()
            if name not in result.metrics and name not in thresholds
        ]
        baseline = self.baseline
        if baseline is None:
            return out
        saving = bool(self.config.getoption("mlgate_save_baseline"))
        ref = baseline.ref
        confidences = {g.metric: g.confidence for g in spec.gates if g.confidence is not None}
        directions = {g.metric: g.higher_is_better for g in spec.gates}
        for name, record in result.metrics.items():
            entry = baseline.get(result.nodeid, name)
            if entry is None:
                out.append(GateResult(
                    metric=name, kind="regression", status=NEW, value=record.value, n=record.n,
                    message=f"{name} = {format_value(record.value)}: new, no stored baseline value",
                ))
                continue
            higher = next(
                (d for d in (record.higher_is_better, entry.higher_is_better, directions.get(name)) if d is not None),
                None,
            )
            tolerance = spec.tolerances.get(name, self.default_tolerance)
            judge = functools.partial(
                judge_regression, name, record.value, entry, tolerance=tolerance, baseline_ref=ref,
                n=record.n, interval=record.interval, confidence=confidences.get(name),
            )
            if higher is None:
                # direction unknown: a change beyond the tolerance either way fails
                up, down = judge(higher_is_better=True), judge(higher_is_better=False)
                verdict = up if up.status != PASS else down
                if verdict.status != PASS:
                    verdict.message = verdict.message.replace(" regressed", " changed") + (
                        " (direction unknown: pass higher_is_better= to mlgate.record)"
                    )
            else:
                verdict = judge(higher_is_better=higher)
            if verdict.status == INCONCLUSIVE and self.settings.inconclusive == "fail":
                verdict.status = FAIL
            if verdict.status == FAIL and saving:
                verdict.status = WARN
                verdict.message += " (accepted: --mlgate-save-baseline stores the new value)"
                verdict.extra["accepted"] = True  # reported, but no MlgateWarning: the user asked for it
            elif verdict.status == FAIL and self.warn_only:
                verdict.status = WARN
            out.append(verdict)
        return out

    def failure_message(self, item: pytest.Item, result: TestResult, failed: list[GateResult]) -> str:
        # The first line is what pytest's short summary and JUnit's message attribute show: it says
        # what failed, the full message when one gate failed, the metrics when several did.
        if len(failed) == 1:
            lines = [f"mlgate: 1 gate failed: {failed[0].message}"]
        else:
            names = ", ".join(dict.fromkeys(g.metric for g in failed))
            lines = [f"mlgate: {len(failed)} gates failed: {names}"] + [f"  {g.message}" for g in failed]
        lines.append(self.replay_line(item, result))
        return "\n".join(lines)

    def replay_line(self, item: pytest.Item, result: TestResult) -> str:
        """The seed, and a command that reruns the test with it from where pytest was invoked."""
        import shlex

        arg = shlex.quote(self.cli_id(item))
        arg = arg if arg.startswith("'") else f"'{arg}'"  # always quoted: parametrized ids hold [ ] and spaces
        # the seed derives from the test id, which is relative to the rootdir: keep a rootdir given by hand
        rootdir = f" --rootdir {shlex.quote(str(self.config.rootpath))}" if self.config.option.rootdir else ""
        return f"mlgate seed {result.seed} (replay: pytest --mlgate-seed {self.base_seed}{rootdir} {arg})"

    def cli_id(self, item: pytest.Item) -> str:
        """The test as a command-line argument from the invocation directory: its file, then its id's rest."""
        _, sep, rest = item.nodeid.partition("::")
        path = getattr(item, "path", None)
        if path is None or not sep:
            return item.nodeid
        try:
            return os.path.relpath(path, self.config.invocation_params.dir) + sep + rest
        except ValueError:  # another drive (Windows)
            return str(path) + sep + rest

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        state = item.stash.get(state_key, None)
        if state is None or report.when != "call":
            return report
        result = state.result
        result.outcome = report.outcome
        if hasattr(report, "wasxfail"):  # pytest's xfail: the failure was expected, so is no failed gate
            from .results import FAIL, WARN

            result.outcome = "xfailed" if report.skipped else "xpassed"
            if report.skipped:
                for gate in result.gates:
                    if gate.status == FAIL:
                        gate.status = WARN
                        gate.message += " (expected: the test is marked xfail)"
        if report.failed:
            replay = self.replay_line(item, result)
            if replay not in str(report.longrepr):  # a failed gate's message already carries it
                report.sections.append(("mlgate", replay))
        report.mlgate = result.to_dict()  # type: ignore[attr-defined]  # travels to the xdist controller
        if self.junit_family() == "xunit1":
            item.user_properties.extend(junit_properties(result))
        item.ihook.pytest_mlgate_test_result(item=item, result=result)
        return report

    def junit_family(self) -> str:
        family = str(self.config.getini("junit_family"))
        return "xunit1" if family in ("xunit1", "legacy") else family

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.is_worker or report.when != "call":
            return
        data = getattr(report, "mlgate", None)
        if data:
            from .results import TestResult

            self.results[report.nodeid] = TestResult.from_dict(data)

    def sorted_results(self) -> list[TestResult]:
        return sorted(self.results.values(), key=lambda r: (self.order.get(r.nodeid, len(self.order)), r.nodeid))

    # ------------------------------------------------------------------ outputs
    def unused_entries(self) -> list[tuple[str, str]]:
        """Stored entries no test produced: tests that ran without the metric, or that no longer exist."""
        baseline = self.baseline
        if baseline is None:
            return []
        seen = {(r.nodeid, m) for r in self.results.values() for m in r.metrics}
        gone = self.gone_test_check()
        return [(nodeid, metric) for nodeid, metric in baseline.unused(seen) if nodeid in self.results or gone(nodeid)]

    def gone_test_check(self) -> Callable[[str], bool]:
        """A predicate: does a stored test id that did not run no longer exist?

        The evidence: this run collected the test's whole file without it (removed or renamed),
        or its file is found neither under the rootdir, nor the invocation directory, nor any path
        given on the command line. A file collected in part (``file.py::test``, ``--lf``) or not
        at all (``pytest other_dir``) proves nothing, and its tests are kept.
        """
        known = self.collected | set(self.order)
        files = {nodeid.split("::", 1)[0] for nodeid in known}
        args = [str(a) for a in self.config.args]
        whole_files = not any("::" in a for a in args) and not self.config.getoption("lf", False)
        invoked = Path(self.config.invocation_params.dir)
        bases = {self.config.rootpath, invoked}
        for arg in args:
            path = invoked / arg.split("::", 1)[0]
            bases.add(path if path.is_dir() else path.parent)

        def gone(nodeid: str) -> bool:
            file = nodeid.split("::", 1)[0]
            if nodeid in known or not file:
                return False
            if file in files:
                return whole_files
            return not any((base / file).exists() for base in bases)

        return gone

    def gone_tests(self, unused: list[tuple[str, str]]) -> set[str]:
        """Stored test ids among ``unused`` that did not run: removed, renamed or in a deleted file."""
        return {nodeid for nodeid, _ in unused if nodeid not in self.results}

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.is_worker:
            self.config.workeroutput["mlgate_collected"] = sorted(self.collected)  # type: ignore[attr-defined]
        if self.usage_errors:
            import sys

            sys.stderr.write("ERROR: " + USAGE_HEADER + "\n  " + "\n  ".join(self.usage_errors) + "\n")
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
        if self.is_worker or session.exitstatus == pytest.ExitCode.USAGE_ERROR:
            return
        results = self.sorted_results()
        asked = [self.config.getoption(o) for o in ("mlgate_report", "mlgate_json", "mlgate_history", "mlgate_html")]
        if not results and not any(asked):
            return  # no model test ran and no report was asked for: touch nothing
        if self.junit_family() != "xunit1":
            xml = _junit_plugin(self.config)
            if xml is not None:
                for result in results:
                    for name, value in junit_properties(result):
                        xml.add_global_property(f"{xml_safe(result.nodeid)}::{name}", value)
        from .baseline import BaselineError

        try:
            self.write_outputs(results, passed=exitstatus == 0)
        except (OSError, ValueError, BaselineError) as exc:
            self.messages.append(f"mlgate: ERROR {exc}")
            session.exitstatus = pytest.ExitCode.TESTS_FAILED if exitstatus == 0 else exitstatus

    def write_outputs(self, results: list[TestResult], *, passed: bool) -> None:
        """Baseline, history, Markdown and JSON: written by the controller alone, once per session."""
        from .baseline import Baseline, append_history, gather_provenance, history_record
        from .report import append_step_summary, render_json, render_markdown, write_text_atomic

        config = self.config
        provenance: dict[str, Any] | None = None

        def prov() -> dict[str, Any]:
            nonlocal provenance
            if provenance is None:
                provenance = gather_provenance(config.rootpath)
            return provenance

        unused = self.unused_entries()
        present = self.baseline is not None
        if config.getoption("mlgate_save_baseline") and results:
            path = self.baseline_path()
            current = self.baseline or Baseline(path=path)
            gone = self.gone_tests(unused)  # none without a stored baseline
            current.updated(results, prov(), drop=gone).save(path)
            self.messages.append(f"mlgate: baseline saved to {path} ({len(results)} tests)")
            if gone:
                self.messages.append(
                    f"mlgate: removed from the baseline: {len(gone)} {'test' if len(gone) == 1 else 'tests'} "
                    f"that no longer exist ({', '.join(sorted(gone))})"
                )
        history = config.getoption("mlgate_history") or str(config.getini("mlgate_history") or "")
        history_file: Path | None = None
        if history:
            path = self.output_path(history, from_ini=not config.getoption("mlgate_history"))
            append_history(path, history_record(results, prov(), "passed" if passed else "failed"))
            history_file = path
            self.messages.append(f"mlgate: history appended to {path}")
        report = config.getoption("mlgate_report")
        from .trends import read_history

        markdown = render_markdown(results, baseline_present=present, unused=unused, history=read_history(history_file))
        if report:
            path = self.output_path(report)
            write_text_atomic(path, markdown)
            self.messages.append(f"mlgate: Markdown report written to {path}")
        if results and config.getini("mlgate_step_summary") and append_step_summary(markdown):
            self.messages.append("mlgate: report appended to $GITHUB_STEP_SUMMARY")
        json_path = config.getoption("mlgate_json")
        if json_path:
            import json

            path = self.output_path(json_path)
            data = render_json(results, baseline_present=present, unused=unused, provenance=prov())
            write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n")
            self.messages.append(f"mlgate: JSON report written to {path}")
        html_path = config.getoption("mlgate_html")
        if html_path:
            from .html import render_html

            path = self.output_path(html_path)
            data = render_json(results, baseline_present=present, unused=unused, provenance=prov())
            plots = self.baseline.plots if self.baseline is not None else {}
            try:
                write_text_atomic(path, render_html(data, history=read_history(history_file), baseline_plots=plots))
            except (OSError, ValueError) as exc:
                raise OSError(f"--mlgate-html {path}: cannot write the HTML report: {exc}") from exc
            self.messages.append(f"mlgate: HTML report written to {path}")

    def output_path(self, raw: str, *, from_ini: bool = False) -> Path:
        """A path from an option (relative to where pytest was invoked) or the ini (relative to the rootdir)."""
        path = Path(os.path.expanduser(raw))
        if not path.is_absolute():
            path = (self.config.rootpath if from_ini else Path(self.config.invocation_params.dir)) / path
        return path

    @pytest.hookimpl(trylast=True)  # after pytest's own lines, wherever this plugin was registered
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker:
            return
        if any(r.metrics or r.gates or r.drift for r in self.results.values()):
            from .report import render_terminal

            terminalreporter.write_sep("=", "mlgate")
            lines = render_terminal(
                self.sorted_results(), baseline_present=self.baseline is not None, unused=self.unused_entries()
            )
            for line in lines:
                terminalreporter.write_line(line)
        for message in self.messages:
            terminalreporter.write_line(message, red="ERROR" in message)


def junit_properties(result: TestResult) -> list[tuple[str, str]]:
    """JUnit (name, value) pairs of one test: every metric, each gate's verdict, baseline and change."""
    props: list[tuple[str, str]] = [(name, repr(m.value)) for name, m in result.metrics.items()]
    valued = set(result.metrics)
    with_baseline: set[str] = set()
    for gate in result.gates:
        if gate.metric not in valued and gate.value is not None:
            valued.add(gate.metric)
            props.append((gate.metric, repr(gate.value)))
        props.append((f"{gate.metric}.{gate.kind}", f"{gate.status} {gate.threshold_text}"))
        if gate.baseline is not None and gate.metric not in with_baseline:
            with_baseline.add(gate.metric)
            props.append((f"{gate.metric}.baseline", repr(gate.baseline)))
            if gate.value is not None:
                props.append((f"{gate.metric}.change", repr(gate.value - gate.baseline)))
    return [(xml_safe(name), value) for name, value in props]


def _user_location(exc: BaseException) -> str:
    """`` (conftest.py:4)``: the innermost frame of ``exc`` outside pluggy and this package, if any."""
    import traceback

    here = os.path.dirname(os.path.abspath(__file__))
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__)
        if not os.path.abspath(f.filename).startswith(here + os.sep) and f"{os.sep}pluggy{os.sep}" not in f.filename
    ]
    if not frames:
        return ""
    return f" ({os.path.basename(frames[-1].filename)}:{frames[-1].lineno})"


_XML_ILLEGAL = re.compile("[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def xml_safe(text: str) -> str:
    """``text`` with characters XML 1.0 cannot hold written as ``#xNN``, as pytest does for values.

    pytest escapes property values but not names, and a metric name (or a slice value in it)
    may hold any character; one control character would make the whole JUnit file unreadable.
    """
    return _XML_ILLEGAL.sub(lambda m: f"#x{ord(m.group()):02X}", text)


def _junit_plugin(config: pytest.Config) -> Any:
    """pytest's LogXML instance, found by its public method rather than a private import."""
    for plugin in config.pluginmanager.get_plugins():
        if type(plugin).__name__ == "LogXML" and hasattr(plugin, "add_global_property"):
            return plugin
    return None
